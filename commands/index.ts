// The command table for oclif's explicit discovery strategy (package.json
// "oclif.commands"), so the whole CLI can be bundled into one file.
import CheckVm from './checkvm.js';
import GetTime from './gettime.js';

export const COMMANDS = {
  checkvm: CheckVm,
  gettime: GetTime,
};
