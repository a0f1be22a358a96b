// The command table for oclif's explicit discovery strategy (package.json
// "oclif.commands"), so the whole CLI can be bundled into one file.
import CheckVm from './checkvm.js';
import GetTime from './gettime.js';
import Sim from './sim.js';

export const COMMANDS = {
  checkvm: CheckVm,
  gettime: GetTime,
  sim: Sim,
};
