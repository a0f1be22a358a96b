// vmt's command-line contract, from the command metadata: every command with
// its aliases, arguments and flags (what contracts/commands.json snapshots, so
// that a change to it is deliberate), and the shell completion scripts made
// from the same table (completions/).
// scripts/contracts.mjs writes and checks the generated files.

/** A flag or argument as oclif's metadata has it (the fields the contract keeps). */
interface FlagMeta {
  type?: string;
  char?: string;
  options?: readonly string[];
  default?: unknown;
  required?: boolean;
  multiple?: boolean;
  allowNo?: boolean;
  exclusive?: readonly string[];
  dependsOn?: readonly string[];
  hidden?: boolean;
  summary?: string;
  description?: string;
}
interface ArgMeta {
  required?: boolean;
  options?: readonly string[];
  description?: string;
  hidden?: boolean;
}
export interface CommandMeta {
  summary?: string;
  description?: string;
  aliases?: readonly string[];
  hidden?: boolean;
  strict?: boolean;
  args?: Record<string, ArgMeta>;
  flags?: Record<string, FlagMeta>;
  baseFlags?: Record<string, FlagMeta>;
}

export interface FlagContract {
  type: 'boolean' | 'option';
  char?: string;
  options?: string[];
  default?: unknown;
  required?: true;
  multiple?: true;
  allowNo?: true;
  exclusive?: string[];
  dependsOn?: string[];
  hidden?: true;
}
export interface ArgContract {
  name: string;
  required?: true;
  options?: string[];
}
export interface CommandContract {
  aliases: string[];
  /** false: any number of arguments (attach DEVICE...) */
  strict: boolean;
  args: ArgContract[];
  flags: Record<string, FlagContract>;
}
export type Contract = Record<string, CommandContract>;

const sorted = (xs: readonly string[] | undefined) => (xs?.length ? [...xs].sort() : undefined);

function flagContract(f: FlagMeta): FlagContract {
  const c: FlagContract = { type: f.type === 'boolean' ? 'boolean' : 'option' };
  if (f.char) c.char = f.char;
  if (f.options?.length) c.options = [...f.options];
  if (f.default !== undefined) c.default = typeof f.default === 'function' ? '(computed)' : f.default;
  if (f.required) c.required = true;
  if (f.multiple) c.multiple = true;
  if (f.allowNo) c.allowNo = true;
  const exclusive = sorted(f.exclusive);
  if (exclusive) c.exclusive = exclusive;
  const dependsOn = sorted(f.dependsOn);
  if (dependsOn) c.dependsOn = dependsOn;
  if (f.hidden) c.hidden = true;
  return c;
}

/** The contract of every visible command, ids and flag names sorted (so the snapshot's diff is stable). */
export function contractOf(commands: Record<string, CommandMeta>): Contract {
  const out: Contract = {};
  for (const id of Object.keys(commands).sort()) {
    const cmd = commands[id]!;
    if (cmd.hidden) continue;
    const all = { ...(cmd.baseFlags ?? {}), ...(cmd.flags ?? {}) };
    const flags: Record<string, FlagContract> = {};
    for (const name of Object.keys(all).sort()) flags[name] = flagContract(all[name]!);
    const args = Object.entries(cmd.args ?? {}).map(([name, a]) => ({ name, ...(a.required ? { required: true as const } : {}), ...(a.options?.length ? { options: [...a.options] } : {}) }));
    out[id] = { aliases: [...(cmd.aliases ?? [])].sort(), strict: cmd.strict !== false, args, flags };
  }
  return out;
}

// ------------------------------------------------------------- completion

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What completion needs of one command (an alias is a command of its own here). */
interface Entry {
  words: string[];
  summary: string;
  flags: { name: string; char?: string; option: boolean; options?: string[]; allowNo: boolean; multiple: boolean; text: string }[];
  /** the arguments take the rest of the line as a program (vmt sim -- PROGRAM) */
  program: boolean;
}

const oneLine = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim().replace(/\.$/, '');
const firstSentence = (s: string) => oneLine(s).split(/(?<=[a-z)])\. /)[0]!;

function entries(commands: Record<string, CommandMeta>): Entry[] {
  const out: Entry[] = [];
  for (const id of Object.keys(commands).sort()) {
    const cmd = commands[id]!;
    if (cmd.hidden) continue;
    const all = { ...(cmd.baseFlags ?? {}), ...(cmd.flags ?? {}) };
    const flags = Object.entries(all)
      .filter(([, f]) => !f.hidden)
      .map(([name, f]) => ({
        name,
        char: f.char,
        option: f.type !== 'boolean',
        options: f.options ? [...f.options] : undefined,
        allowNo: Boolean(f.allowNo),
        multiple: Boolean(f.multiple),
        text: firstSentence(f.summary ?? f.description ?? ''),
      }));
    const summary = firstSentence(cmd.summary ?? cmd.description ?? '');
    const program = id === 'sim';
    for (const name of [id, ...(cmd.aliases ?? [])]) out.push({ words: name.split(':'), summary, flags, program });
  }
  return out.sort((a, b) => (a.words.join(' ') < b.words.join(' ') ? -1 : 1));
}

/** The first words (commands and topics), then every topic's second words, each with its text. */
function levels(list: Entry[]) {
  const top = new Map<string, string>();
  const sub = new Map<string, Map<string, string>>();
  for (const e of list) {
    const [first, second] = e.words as [string, string?];
    if (second === undefined) top.set(first, e.summary);
    else {
      if (!top.has(first)) top.set(first, '');
      if (!sub.has(first)) sub.set(first, new Map());
      sub.get(first)!.set(second, e.summary);
    }
  }
  // a topic without a command of its own: its commands are its text
  for (const [w, text] of top) if (!text) top.set(w, `commands: ${[...sub.get(w)!.keys()].join(', ')}`);
  return { top, sub };
}

const HEADER = "Generated from vmt's command metadata by scripts/contracts.mjs; do not edit.";

/** A word in single quotes for sh, bash, zsh and fish alike (fish: \\ and \\' are escapes inside '...'). */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function bash(list: Entry[]): string {
  const { top, sub } = levels(list);
  const L: string[] = [`# bash completion for vmt. ${HEADER}`, '# Load it with: source vmt.bash (or put it in /usr/share/bash-completion/completions/vmt).', ''];
  L.push('_vmt() {');
  L.push('  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} id= words=() i w');
  L.push('  COMPREPLY=()');
  L.push('  # the words before this one; the command is the first one or two of them');
  L.push('  for ((i = 1; i < COMP_CWORD; i++)); do words+=("${COMP_WORDS[i]}"); done');
  L.push('  if ((${#words[@]} == 0)); then');
  L.push(`    COMPREPLY=($(compgen -W ${sq([...top.keys(), '--help', '--version'].join(' '))} -- "$cur"))`);
  L.push('    return');
  L.push('  fi');
  L.push('  case "${words[0]} ${words[1]-}" in');
  for (const e of list) if (e.words.length === 2) L.push(`    ${sq(e.words.join(' '))}) id=${e.words.join(':')} ;;`);
  L.push('    *) id=${words[0]} ;;');
  L.push('  esac');
  L.push('  case $id in');
  for (const [topic, subs] of sub) {
    const own = list.some((e) => e.words.length === 1 && e.words[0] === topic);
    L.push(`    ${topic})`);
    L.push(`      if ((\${#words[@]} == 1)) && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W ${sq([...subs.keys()].join(' '))} -- "$cur")); return; fi`);
    if (!own) L.push('      return ;;');
    else L.push('      ;;');
  }
  L.push('  esac');
  L.push('  local flags=');
  L.push('  case $id in');
  for (const e of list) {
    const program = e.program ? '      for w in "${words[@]}"; do [[ $w == -- ]] && return; done  # the program\'s own words: files (complete -o default)\n' : '';
    const names = e.flags.flatMap((f) => [...(f.char ? [`-${f.char}`] : []), `--${f.name}`, ...(f.allowNo ? [`--no-${f.name}`] : [])]);
    if (e.program) names.push('--');
    L.push(`    ${e.words.join(':')})`);
    if (program) L.push(program.trimEnd());
    L.push(`      flags=${sq(names.join(' '))}`);
    const valued = e.flags.filter((f) => f.option);
    if (valued.length) {
      L.push('      case $prev in');
      for (const f of valued) {
        const spell = [...(f.char ? [`-${f.char}`] : []), `--${f.name}`].join('|');
        L.push(`        ${spell}) ${f.options ? `COMPREPLY=($(compgen -W ${sq(f.options.join(' '))} -- "$cur"))` : ':'}; return ;;  # ${f.options ? 'its values' : 'a value: files (complete -o default)'}`);
      }
      L.push('      esac');
    }
    L.push('      ;;');
  }
  L.push('    *) return ;;');
  L.push('  esac');
  L.push('  [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$flags" -- "$cur"))');
  L.push('}');
  L.push('complete -o default -F _vmt vmt');
  return `${L.join('\n')}\n`;
}

/** zsh's _arguments specs for one command. */
function zshSpecs(e: Entry): string[] {
  const desc = (s: string) => s.replace(/[[\]\\]/g, '\\$&');
  const specs: string[] = [];
  for (const f of e.flags) {
    const repeat = f.multiple ? '*' : '';
    const value = f.option ? `:${f.name}:${f.options ? `(${f.options.join(' ')})` : '_files'}` : '';
    const eq = f.option ? '=' : '';
    const text = `[${desc(f.text)}]`;
    if (f.char) {
      const excl = f.multiple ? '' : `(-${f.char} --${f.name})`;
      specs.push(`${sq(excl)}${repeat}{-${f.char},--${f.name}${eq}}${sq(`${text}${value}`)}`);
    } else specs.push(sq(`${repeat}--${f.name}${eq}${text}${value}`));
    if (f.allowNo) specs.push(sq(`--no-${f.name}[${desc(`not --${f.name}`)}]`));
  }
  specs.push(sq(e.program ? '*::program:_normal' : '*:argument:_files'));
  return specs;
}

function zsh(list: Entry[]): string {
  const { top, sub } = levels(list);
  const items = (m: Map<string, string>) => [...m].map(([w, s]) => sq(`${w}:${s.replace(/:/g, '\\:')}`)).join(' ');
  const L: string[] = ['#compdef vmt', `# zsh completion for vmt. ${HEADER}`, '# Install it as _vmt in a folder of $fpath, before compinit runs.', ''];
  L.push('_vmt() {');
  L.push('  local -a cmds');
  L.push('  local id');
  L.push('  if ((CURRENT == 2)); then');
  L.push(`    cmds=(${items(top)})`);
  L.push("    _describe -t commands 'vmt command' cmds");
  L.push('    return');
  L.push('  fi');
  L.push('  case "$words[2] $words[3]" in');
  for (const e of list) if (e.words.length === 2) L.push(`    ${sq(e.words.join(' '))}) id=${e.words.join(':')} ;;`);
  L.push('    *) id=$words[2] ;;');
  L.push('  esac');
  L.push('  case $id in');
  for (const [topic, subs] of sub) {
    L.push(`    ${topic})`);
    L.push(`      if ((CURRENT == 3)) && [[ $PREFIX != -* ]]; then cmds=(${items(subs)}); _describe -t commands ${sq(`vmt ${topic} command`)} cmds; return; fi ;;`);
  }
  L.push('  esac');
  L.push('  case $id in');
  for (const e of list) {
    L.push(`    ${e.words.join(':')})`);
    L.push(`      shift ${e.words.length} words; ((CURRENT -= ${e.words.length}))  # the command's own words from here on`);
    L.push(`      _arguments -s -S : \\`);
    const specs = zshSpecs(e);
    specs.forEach((s, i) => L.push(`        ${s}${i < specs.length - 1 ? ' \\' : ''}`));
    L.push('      ;;');
  }
  L.push('  esac');
  L.push('}');
  L.push('');
  L.push('if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _vmt "$@"; else compdef _vmt vmt; fi');
  return `${L.join('\n')}\n`;
}

function fish(list: Entry[]): string {
  const { top, sub } = levels(list);
  const twoWord = list.filter((e) => e.words.length === 2).map((e) => e.words.join(':'));
  const L: string[] = [`# fish completion for vmt. ${HEADER}`, '# Install it as vmt.fish in ~/.config/fish/completions/ (or /usr/share/fish/vendor_completions.d/).', ''];
  L.push('# the command the line names so far: its first word, or its first two (info:get)');
  L.push('function __vmt_id');
  L.push('    set -l w (commandline -opc)');
  L.push('    set -q w[2]; or return');
  L.push(`    if set -q w[3]; and contains -- "$w[2]:$w[3]" ${twoWord.join(' ')}`);
  L.push('        echo "$w[2]:$w[3]"');
  L.push('    else');
  L.push('        echo $w[2]');
  L.push('    end');
  L.push('end');
  L.push('function __vmt_words');
  L.push('    count (commandline -opc)');
  L.push('end');
  L.push('function __vmt_is');
  L.push('    set -l id (__vmt_id)');
  L.push('    test "$id" = "$argv[1]"');
  L.push('end');
  L.push('# after "--", vmt sim\'s program and its arguments');
  L.push('function __vmt_program');
  L.push('    contains -- -- (commandline -opc)');
  L.push('end');
  L.push('');
  L.push('complete -c vmt -f');
  L.push("complete -c vmt -n 'test (__vmt_words) -eq 1' -l help -d 'show help'");
  L.push("complete -c vmt -n 'test (__vmt_words) -eq 1' -l version -d 'show the version'");
  for (const [w, s] of top) L.push(`complete -c vmt -n 'test (__vmt_words) -eq 1' -a ${w} -d ${fq(s)}`);
  for (const [topic, subs] of sub) {
    for (const [w, s] of subs) L.push(`complete -c vmt -n 'test (__vmt_words) -eq 2; and __vmt_is ${topic}' -a ${w} -d ${fq(s)}`);
  }
  for (const e of list) {
    const id = e.words.join(':');
    const when = e.program ? `__vmt_is ${id}; and not __vmt_program` : `__vmt_is ${id}`;
    for (const f of e.flags) {
      const parts = ['complete -c vmt', '-n', fq(when)];
      if (f.char) parts.push('-s', f.char);
      parts.push('-l', f.name);
      if (f.options) parts.push('-x', '-a', fq(f.options.join(' ')));
      else if (f.option) parts.push('-r', '-F');
      parts.push('-d', fq(f.text));
      L.push(parts.join(' '));
      if (f.allowNo) L.push(`complete -c vmt -n ${fq(when)} -l no-${f.name} -d ${fq(`not --${f.name}`)}`);
    }
    if (e.program) L.push(`complete -c vmt -n ${fq(`__vmt_is ${id}; and __vmt_program`)} -F`);
  }
  return `${L.join('\n')}\n`;
}

/** The completion script for shell, from the command metadata. */
export function completion(shell: Shell, commands: Record<string, CommandMeta>): string {
  const list = entries(commands);
  return shell === 'bash' ? bash(list) : shell === 'zsh' ? zsh(list) : fish(list);
}
