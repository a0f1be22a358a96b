// Bad command lines that oclif would answer with exit 127 or a confusing
// "command checkvm:extra not found": caught before oclif sees them.

interface CommandLike {
  args?: Record<string, unknown>;
  strict?: boolean;
  usage?: string | string[];
}

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
  if (!first || first.startsWith('-') || first === 'help') return null;
  if (words.length === 0) return { message: `'${first}' is not a vmt command` };
  const id = words.join(':');
  const cmd = commands[id];
  const next = argv[words.length];
  if (cmd && next !== undefined && !next.startsWith('-') && cmd.strict !== false && Object.keys(cmd.args ?? {}).length === 0) {
    return { message: `unexpected argument '${next}'`, id };
  }
  if (!cmd && next !== undefined && !next.startsWith('-')) return { message: `'${[...words, next].join(' ')}' is not a vmt command` };
  return null;
}

/** oclif's parse errors, without its boilerplate lines. */
export function parseErrorText(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== 'The following error occurred:' && !l.startsWith('See more help with'))
    .join('; ')
    .replace(/^Error: /, '');
}
