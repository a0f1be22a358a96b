// Bad command lines, in vmt's own words: the ones oclif would answer with
// exit 127 or "command checkvm:extra not found" are caught before oclif sees
// them, and oclif's parse errors are reworded to one line.

interface CommandLike {
  args?: Record<string, unknown>;
  strict?: boolean;
  usage?: string | string[];
}

/** The command as users type it: "info get", not oclif's "info:get". */
export const spaced = (id: string): string => id.replaceAll(':', ' ');

/** The error for an unknown command or a stray word after an argument-less command, else null. */
export function argvProblem(argv: string[], commands: Record<string, CommandLike>): { message: string; id?: string } | null {
  const ids = Object.keys(commands);
  const words: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-')) break;
    const prefix = [...words, word].join(':');
    if (!ids.some((id) => id === prefix || id.startsWith(`${prefix}:`))) break;
    words.push(word);
  }
  const first = argv[0];
  if (first === undefined) return null;
  if (first.startsWith('-')) return first === '--help' || first === '-h' ? null : { message: `unknown flag ${quoted(first)} (flags go after the command)` };
  if (words.length === 0) return { message: `${quoted(first)} is not a vmt command` };
  const id = words.join(':');
  const cmd = commands[id];
  const next = argv[words.length];
  if (cmd && next !== undefined && !next.startsWith('-') && cmd.strict !== false && Object.keys(cmd.args ?? {}).length === 0) {
    return { message: `unexpected argument ${quoted(next)}`, id };
  }
  if (!cmd && next !== undefined && !next.startsWith('-')) return { message: `${quoted([...words, next].join(' '))} is not a vmt command` };
  return null;
}

/** A word from the command line as shown in a message: quoted, control characters escaped. */
export function quoted(word: string): string {
  return /[\x00-\x1f\x7f]/.test(word) ? JSON.stringify(word) : `'${word}'`;
}

interface ParseErrorLike {
  message: string;
  flags?: string[];
  args?: ({ name?: string } | string)[];
}

/** oclif's parse errors (and errors thrown by flag parsers) as one line in vmt's words. */
export function usageMessage(err: ParseErrorLike): string {
  const inner = /^Parsing --\S+ \s*\n\t([\s\S]*?)(\nSee more help with --help)?$/.exec(err.message);
  if (inner) return inner[1]!.trim();
  if (err.message.startsWith('Nonexistent flag') && err.flags) return `unknown flag${err.flags.length > 1 ? 's' : ''} ${err.flags.map(quoted).join(', ')}`;
  if (err.message.startsWith('Unexpected argument') && err.args) return `unexpected argument ${quoted(String(err.args[0]))}`;
  if (err.message.startsWith('Missing') && err.args) {
    return `missing ${err.args.map((a) => (typeof a === 'string' ? a : (a.name ?? 'argument')).toUpperCase()).join(' and ')}`;
  }
  const lines = err.message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^The following errors? occurred:$/.test(l) && !l.startsWith('See more help with'));
  return lines.map(reword).join('; ');
}

function reword(line: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^--([\w-]+)(?:=\S*)? cannot also be provided when using --([\w-]+)$/.exec(line))) return `--${m[1]} and --${m[2]} cannot be used together`;
  if ((m = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/.exec(line))) return `--${m[1]} wants one of ${m[3]}, not ${quoted(m[2]!)}`;
  if ((m = /^Flag --([\w-]+) expects a value$/.exec(line))) return `--${m[1]} wants a value`;
  if ((m = /^Flag --([\w-]+) expects one of these values: (.*)$/.exec(line))) return `--${m[1]} wants a value: one of ${m[2]}`;
  if ((m = /^Expected (.*) to be one of: (.*)$/.exec(line))) return `wants one of ${m[2]}, not ${quoted(m[1]!)}`;
  return line.replace(/^Error: /, '');
}

/** What every usage error prints on stderr: the problem, the usage line, where to read more. */
export function usageText(name: string, usage: string | readonly string[], message: string): string {
  const forms = [usage].flat().map((u, i) => `${i ? '       ' : 'Usage: '}vmt ${u}`);
  return `vmt ${name}: ${message}\n${forms.join('\n')}\nSee 'vmt ${name} --help'.\n`;
}
