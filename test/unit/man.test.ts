// The manual pages in man/: one per command, lint-clean under mandoc, not
// stale against the command metadata, and showing each command's flags,
// exit statuses and examples. Needs dist/vmt.js (node scripts/build.mjs) and
// mandoc (Debian: apt-get install mandoc).
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface FlagMeta {
  char?: string;
  hidden?: boolean;
  allowNo?: boolean;
}
interface CommandMeta {
  usage?: string | string[];
  examples?: (string | { description?: string; command: string })[];
  flags?: Record<string, FlagMeta>;
  hidden?: boolean;
}

/** The repository root: the nearest folder up from here with package.json and scripts/man.mjs (tsc also copies package.json into build/). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts/man.mjs'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json with scripts/man.mjs above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

const root = findRoot();
const manDir = join(root, 'man');
const bundle = join(root, 'dist/vmt.js');

async function loadCommands(): Promise<Record<string, CommandMeta>> {
  assert.ok(existsSync(bundle), `${bundle} is missing: run 'node scripts/build.mjs' first`);
  const mod = (await import(pathToFileURL(bundle).href)) as { COMMANDS: Record<string, CommandMeta> };
  return mod.COMMANDS;
}

const pageFile = (id: string): string => join(manDir, `vmt-${id.replaceAll(':', '-')}.1`);

function mandoc(args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync('mandoc', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail('mandoc is not installed; install it (Debian: apt-get install mandoc) to check the manual pages');
  }
  if (r.error) throw r.error;
  return r;
}

/** A page as a reader sees it: mandoc's UTF-8 rendering without overstrike (bold, underline). */
function render(file: string): string {
  const r = mandoc(['-T', 'utf8', file]);
  assert.equal(r.status, 0, `mandoc -T utf8 ${file} failed:\n${r.stderr}`);
  return r.stdout.replace(/[^\n]\x08/g, '');
}

/** The flags a usage string shows: --json, -q, --no-knock, --format (from --format=...). */
function usageFlags(usage: string): string[] {
  return [...usage.matchAll(/(?:^|[\s[|(])(--?[A-Za-z][\w-]*)/g)].map((m) => m[1] ?? '');
}

const expand = (command: string): string => command.replace(/<%=\s*config\.bin\s*%>/g, 'vmt');

test('every command has a manual page, and so does vmt itself', async () => {
  const commands = await loadCommands();
  assert.ok(existsSync(join(manDir, 'vmt.1')), 'man/vmt.1 is missing: run node scripts/man.mjs');
  for (const [id, cmd] of Object.entries(commands)) {
    if (cmd.hidden) continue;
    assert.ok(existsSync(pageFile(id)), `no manual page for '${id.replaceAll(':', ' ')}' (${pageFile(id)}): run node scripts/man.mjs`);
  }
});

test('mandoc -T lint -W warning finds nothing in man/*.1', () => {
  const files = readdirSync(manDir)
    .filter((f) => f.endsWith('.1'))
    .map((f) => join(manDir, f));
  assert.ok(files.length > 0, 'no pages in man/');
  const r = mandoc(['-T', 'lint', '-W', 'warning', ...files]);
  assert.equal(r.status, 0, `mandoc -T lint -W warning exited ${r.status}:\n${r.stdout}${r.stderr}`);
});

test('the committed pages are what scripts/man.mjs generates (node scripts/man.mjs --check)', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/man.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `node scripts/man.mjs --check exited ${r.status}:\n${r.stdout}${r.stderr}`);
});

test("each page shows the command's usage flags, its options, EXIT STATUS and every example", async () => {
  const commands = await loadCommands();
  for (const [id, cmd] of Object.entries(commands)) {
    if (cmd.hidden) continue;
    const name = `vmt ${id.replaceAll(':', ' ')}`;
    const text = render(pageFile(id));
    assert.ok(text.includes(name), `${name}: the page does not name the command`);
    assert.ok(text.includes('EXIT STATUS'), `${name}: no EXIT STATUS section`);
    for (const usage of [cmd.usage ?? []].flat()) {
      for (const flag of usageFlags(usage)) assert.ok(text.includes(flag), `${name}: usage flag ${flag} is not on the page`);
    }
    for (const [flagName, flag] of Object.entries(cmd.flags ?? {})) {
      if (flag.hidden) continue;
      assert.ok(text.includes(`--${flagName}`), `${name}: flag --${flagName} is not on the page`);
      if (flag.char) assert.ok(text.includes(`-${flag.char}`), `${name}: flag -${flag.char} is not on the page`);
      if (flag.allowNo) assert.ok(text.includes(`--no-${flagName}`), `${name}: flag --no-${flagName} is not on the page`);
    }
    assert.ok(!/--debug\b/.test(text), `${name}: the hidden --debug flag is on the page`);
    for (const example of cmd.examples ?? []) {
      const command = expand(typeof example === 'string' ? example : example.command);
      for (const line of command.split('\n')) assert.ok(text.includes(line), `${name}: example not on the page: ${line}`);
    }
  }
});
