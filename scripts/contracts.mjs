#!/usr/bin/env node
// vmt's command-line contracts, generated from the command metadata in
// dist/vmt.js by dist/contracts.js (src/cli/contracts.ts; build both first:
// node scripts/build.mjs) and checked in:
//   contracts/commands.json   every command: aliases, arguments, flags (type,
//                             char, options, default, required, exclusive, dependsOn)
//   completions/vmt.bash      bash completion
//   completions/_vmt          zsh completion
//   completions/vmt.fish      fish completion
//
//   node scripts/contracts.mjs --update   write the files (only those that changed)
//   node scripts/contracts.mjs --check    write nothing; exit 1 with what differs
//
// A change to a command's flags or arguments makes --check fail (and
// test/unit/contracts.test.ts with it) until --update is run and the new
// snapshot committed: the change is then deliberate and visible in review.
// The --json documents' schemas (schemas/) are written by hand; see docs/contracts.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/vmt.js');
export const UPDATE = 'node scripts/contracts.mjs --update';

/** Every generated file, as path (from the repository root) → content. */
export async function generate() {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing; run 'node scripts/build.mjs' first`);
  const generator = join(root, 'dist/contracts.js');
  if (!existsSync(generator)) throw new Error(`${generator} is missing; run 'node scripts/build.mjs' first`);
  const { COMMANDS } = await import(pathToFileURL(bundle).href);
  const { contractOf, completion } = await import(pathToFileURL(generator).href);
  const snapshot = {
    $comment: `vmt's commands, arguments and flags, from the command metadata. Generated: change a command, then run '${UPDATE}' and commit this file with it.`,
    commands: contractOf(COMMANDS),
  };
  return new Map([
    ['contracts/commands.json', `${JSON.stringify(snapshot, null, 2)}\n`],
    ['completions/vmt.bash', completion('bash', COMMANDS)],
    ['completions/_vmt', completion('zsh', COMMANDS)],
    ['completions/vmt.fish', completion('fish', COMMANDS)],
  ]);
}

/** The lines that differ, checked in (-) then generated (+), after a few lines of context: enough to see the change. */
export function lineDiff(oldText, newText, limit = 40) {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let ea = a.length;
  let eb = b.length;
  while (ea > start && eb > start && a[ea - 1] === b[eb - 1]) ea--, eb--;
  const context = a.slice(Math.max(0, start - 4), start).map((l) => `  ${l}`);
  const out = [`@@ line ${start + 1} @@`, ...context, ...a.slice(start, ea).map((l) => `- ${l}`), ...b.slice(start, eb).map((l) => `+ ${l}`)];
  return out.length > limit ? [...out.slice(0, limit), `  ... (${out.length - limit} more lines)`] : out;
}

/** The generated files that differ from what is checked in: [path, 'missing' | 'differs', diff lines]. */
export async function stale() {
  const out = [];
  for (const [file, text] of await generate()) {
    const path = join(root, file);
    const old = existsSync(path) ? readFileSync(path, 'utf8') : null;
    if (old === null) out.push([file, 'missing', []]);
    else if (old !== text) out.push([file, 'differs', lineDiff(old, text)]);
  }
  return out;
}

async function cli(argv) {
  const mode = argv.length === 1 && ['--check', '--update'].includes(argv[0]) ? argv[0] : null;
  if (!mode) {
    process.stderr.write(`contracts.mjs: ${argv.length ? `unexpected argument '${argv.find((a) => !['--check', '--update'].includes(a)) ?? argv[1]}'` : 'say --check or --update'}\nUsage: node scripts/contracts.mjs --check | --update\n`);
    return 2;
  }
  let files;
  try {
    files = await stale();
  } catch (err) {
    process.stderr.write(`contracts.mjs: ${err.message}\n`);
    return 2;
  }
  if (mode === '--check') {
    if (!files.length) return 0;
    process.stderr.write(`contracts.mjs: the command metadata changed; if that is meant, run '${UPDATE}' and commit:\n`);
    for (const [file, why, diff] of files) process.stderr.write(`  ${file} (${why})\n${diff.map((l) => `    ${l}\n`).join('')}`);
    return 1;
  }
  const generated = await generate();
  for (const [file] of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), generated.get(file));
    process.stdout.write(`${file}: written\n`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await cli(process.argv.slice(2));
}
