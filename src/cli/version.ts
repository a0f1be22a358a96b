// `vmt --version` (also -v, version): the package, the platform, and the
// runtime that really runs it.
import { arch, platform } from 'node:os';
import pjson from '../../package.json' with { type: 'json' };
import { runtimeName } from '../ffi/runtime.js';

export const VERSION_WORDS = ['--version', '-v', 'version'];

export function versionLine(): string {
  return `${pjson.name}/${pjson.version} ${platform()}-${arch()} ${runtimeName()}\n`;
}
