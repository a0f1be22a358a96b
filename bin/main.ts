// The entry of the bundle (dist/vmt.js) and of the standalone binary once the
// fast path (src/fast.ts) has passed: the words users expect of a CLI (help,
// -v), bad command lines in vmt's words, then oclif.
import { Config, execute, Plugin } from '@oclif/core';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pjsonRaw from '../package.json' with { type: 'json' };
import { COMMANDS } from '../commands/index.js';
import { argvProblem, spaced } from '../src/cli/argv.js';
import { Exit } from '../src/cli/exit.js';
import { errorJson, jsonText, wantsJson, write, writeJson } from '../src/cli/output.js';
import { VERSION_WORDS, versionLine } from '../src/cli/version.js';

export { COMMANDS };

const selfFile = fileURLToPath(import.meta.url);

// Hand oclif the command table directly instead of letting it import() a
// target file at run time: works in a bundle and in a compiled binary alike.
// loadCommandsFromTarget is private to @oclif/core, which package.json pins exactly.
const proto = Plugin.prototype as unknown as { loadCommandsFromTarget: (this: { isRoot: boolean }) => Promise<unknown> };
const original = proto.loadCommandsFromTarget;
proto.loadCommandsFromTarget = async function (this: { isRoot: boolean }) {
  return this.isRoot ? COMMANDS : original.call(this);
};

// oclif's userAgent (shown by the root help) names node on every runtime.
const load = Config.prototype.load;
Config.prototype.load = async function (this: Config) {
  await load.call(this);
  this.userAgent = versionLine().trim();
};

/** `vmt help [COMMAND...]` is `vmt [COMMAND...] --help`. */
function helpWords(argv: string[]): string[] {
  return argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;
}

export async function main(given = process.argv.slice(2)): Promise<void> {
  if (given.length === 1 && VERSION_WORDS.includes(given[0]!)) return void write(1, versionLine());
  const argv = helpWords(given);
  const bad = argvProblem(argv, COMMANDS);
  if (bad) {
    const cmd = bad.id ? COMMANDS[bad.id as keyof typeof COMMANDS] : undefined;
    const usage = cmd ? `vmt ${cmd.usage}` : `vmt COMMAND [FLAGS]\nCommands: ${Object.keys(COMMANDS).map(spaced).join(', ')}`;
    const name = bad.id ? `vmt ${spaced(bad.id)}` : 'vmt';
    write(2, `${name}: ${bad.message}\nUsage: ${usage}\nSee '${name} --help'.\n`);
    // a command that prints JSON lines (tclo listen) fails in one line too
    if (wantsJson(argv)) (cmd && 'jsonLines' in cmd && cmd.jsonLines ? write(1, `${jsonText(errorJson(bad.message, Exit.USAGE))}\n`) : writeJson(errorJson(bad.message, Exit.USAGE)));
    process.exitCode = Exit.USAGE;
    return;
  }
  const pjson = structuredClone(pjsonRaw) as typeof pjsonRaw;
  await execute({ args: argv, loadOptions: { root: dirname(selfFile), pjson } as never });
}
