// The command-line contract: contracts/commands.json and the completion
// scripts in completions/ are what scripts/contracts.mjs generates from the
// command metadata (so a changed flag fails here until the snapshot is updated
// on purpose), and the completion scripts complete for real in bash, zsh and
// fish: every command, every visible flag, every flag's fixed values.
// Needs dist/vmt.js (node scripts/build.mjs); zsh and fish are installed by
// scripts/test.mjs (scripts/apt-install.sh), and their tests say so when absent.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers.js';

const root = repoRoot();
const UPDATE = 'node scripts/contracts.mjs --update';

interface Flag {
  type: 'boolean' | 'option';
  char?: string;
  options?: string[];
  allowNo?: true;
  hidden?: true;
}
interface Command {
  aliases: string[];
  flags: Record<string, Flag>;
}

const snapshot = (): Record<string, Command> => (JSON.parse(readFileSync(join(root, 'contracts/commands.json'), 'utf8')) as { commands: Record<string, Command> }).commands;

/** Every name a command is typed by (aliases too), as words. */
function names(): { words: string[]; cmd: Command }[] {
  return Object.entries(snapshot()).flatMap(([id, cmd]) => [id, ...cmd.aliases].map((n) => ({ words: n.split(':'), cmd })));
}

const visible = (cmd: Command) => Object.entries(cmd.flags).filter(([, f]) => !f.hidden);
const longFlags = (cmd: Command) => visible(cmd).flatMap(([n, f]) => [`--${n}`, ...(f.allowNo ? [`--no-${n}`] : [])]);

test(`contracts/commands.json and completions/ are what scripts/contracts.mjs generates (else: ${UPDATE})`, () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/contracts.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `the command-line contract changed. If that is meant, run '${UPDATE}' and commit the result with the change:\n${r.stderr}`);
});

test('the snapshot has every command of the bundle, with its flags and arguments', async () => {
  const bundle = join(root, 'dist/vmt.js');
  assert.ok(existsSync(bundle), `${bundle} is missing: run 'node scripts/build.mjs' first`);
  const { COMMANDS } = (await import(pathToFileURL(bundle).href)) as { COMMANDS: Record<string, { hidden?: boolean; flags?: Record<string, unknown> }> };
  const snap = snapshot();
  for (const [id, cmd] of Object.entries(COMMANDS)) {
    if (cmd.hidden) continue;
    assert.ok(snap[id], `'${id}' is not in contracts/commands.json: run ${UPDATE}`);
    for (const flag of Object.keys(cmd.flags ?? {})) assert.ok(snap[id]!.flags[flag], `${id} --${flag} is not in contracts/commands.json: run ${UPDATE}`);
  }
  // a sample the generator must get right: types, chars, values, defaults, relations
  assert.deepEqual(snap.gettime!.flags.format, { type: 'option', char: 'f', options: ['iso', 'epoch', 'local'], default: 'iso', exclusive: ['json'] });
  assert.deepEqual(snap.checkvm!.flags.knock, { type: 'boolean', default: true, allowNo: true });
  assert.deepEqual(snap.rpc!.aliases, ['rpc:send']);
});

/** The cases every shell is checked on: a line and what its completion must include. */
function cases(): [string, string[]][] {
  const out: [string, string[]][] = [];
  const all = names();
  out.push(['vmt ', [...new Set(all.map((n) => n.words[0]!))]]);
  for (const { words, cmd } of all) {
    const last = words.at(-1)!;
    out.push([`vmt ${[...words.slice(0, -1), last.slice(0, 2)].join(' ')}`, [last]]);
    out.push([`vmt ${words.join(' ')} --`, longFlags(cmd)]);
    for (const [n, f] of visible(cmd)) if (f.options) out.push([`vmt ${words.join(' ')} --${n} `, f.options]);
  }
  return out;
}

function lacking(offered: string[], wanted: string[]): string[] {
  return wanted.filter((w) => !offered.includes(w));
}

function have(shell: string): boolean {
  return spawnSync(shell, ['-c', 'true']).status === 0;
}

test('bash: complete -p names _vmt, and _vmt completes every command, flag and fixed value', () => {
  const all = cases();
  const script = [
    `source ${JSON.stringify(join(root, 'completions/vmt.bash'))}`,
    'complete -p vmt',
    // COMP_WORDS as bash makes them: the words, the current one last (maybe empty)
    't() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _vmt; printf "%s\\n" "${COMPREPLY[@]}" "--end--"; }',
    ...all.map(([line]) => `t ${line.split(' ').map((w) => `'${w}'`).join(' ')}`),
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'bash said something');
  const [spec, ...rest] = r.stdout.split('\n');
  assert.equal(spec, 'complete -o default -F _vmt vmt');
  const replies = rest.join('\n').split('--end--\n');
  all.forEach(([line, wanted], i) => {
    const offered = replies[i]!.split('\n').filter(Boolean);
    assert.deepEqual(lacking(offered, wanted), [], `bash: '${line}<TAB>' offers ${JSON.stringify(offered)}`);
  });
});

test('fish: complete -C completes every command, flag and fixed value', (t) => {
  if (!have('fish')) return t.skip('fish is not installed (Debian: apt-get install fish)');
  const all = cases();
  const script = [`source ${JSON.stringify(join(root, 'completions/vmt.fish'))}`, ...all.map(([line]) => `complete -C '${line}'; echo -- --end--`)].join('\n');
  const r = spawnSync('fish', ['--no-config', '-c', script], { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: '/nonexistent', XDG_DATA_HOME: '/nonexistent' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'fish said something');
  const replies = r.stdout.split('--end--\n');
  all.forEach(([line, wanted], i) => {
    const offered = replies[i]!.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
    assert.deepEqual(lacking(offered, wanted), [], `fish: '${line}<TAB>' offers ${JSON.stringify(offered)}`);
  });
});

test('zsh: compinit loads _vmt from the folder, and it completes every command, flag and fixed value', (t) => {
  if (!have('zsh')) return t.skip('zsh is not installed (Debian: apt-get install zsh)');
  const all = cases();
  // one interactive zsh in a pseudo-terminal types every line (compinit alone takes seconds)
  const r = spawnSync('zsh', ['-f', join(root, 'test/tools/zsh-complete.zsh'), join(root, 'completions'), ...all.map(([line]) => line)], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `zsh: exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
  const replies = r.stdout.split('--end--\n');
  assert.equal(replies.length, all.length + 1, `zsh answered ${replies.length - 1} of ${all.length} lines:\n${r.stdout}`);
  all.forEach(([line, wanted], i) => {
    const offered = replies[i]!.split('\n').filter(Boolean);
    assert.deepEqual(lacking(offered, wanted), [], `zsh: '${line}<TAB>' offers ${JSON.stringify(offered)}`);
  });
});
