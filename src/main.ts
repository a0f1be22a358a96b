// The entry of the bundle (dist/vmt.js) and of the standalone binary.
import { execute, Plugin } from '@oclif/core';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pjsonRaw from '../package.json' with { type: 'json' };
import { COMMANDS } from '../commands/index.js';
import { argvProblem } from './cli/argv.js';
import { Exit } from './cli/exit.js';

export { COMMANDS };

const selfFile = fileURLToPath(import.meta.url);

// Hand oclif the command table directly instead of letting it import() a
// target file at run time: works in a bundle and in a compiled binary alike.
const proto = Plugin.prototype as unknown as { loadCommandsFromTarget: (this: { isRoot: boolean }) => Promise<unknown> };
const original = proto.loadCommandsFromTarget;
proto.loadCommandsFromTarget = async function (this: { isRoot: boolean }) {
  return this.isRoot ? COMMANDS : original.call(this);
};

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const bad = argvProblem(argv, COMMANDS);
  if (bad) {
    const cmd = bad.id ? COMMANDS[bad.id as keyof typeof COMMANDS] : undefined;
    const usage = cmd ? `vmt ${cmd.usage}` : `vmt COMMAND [FLAGS]\nCommands: ${Object.keys(COMMANDS).join(', ')}`;
    const help = bad.id ? `vmt ${bad.id.replaceAll(':', ' ')} --help` : 'vmt --help';
    process.stderr.write(`vmt${bad.id ? ` ${bad.id.replaceAll(':', ' ')}` : ''}: ${bad.message}\nUsage: ${usage}\nSee '${help}'.\n`);
    process.exitCode = Exit.USAGE;
    return;
  }
  const pjson = structuredClone(pjsonRaw) as typeof pjsonRaw;
  await execute({ args: argv, loadOptions: { root: dirname(selfFile), pjson } as never });
}
