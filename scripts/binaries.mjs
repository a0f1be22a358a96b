#!/usr/bin/env node
// Standalone binaries: `bun build --compile` with libvmt embedded and
// bytecode on. Output: dist/bin/vmt-<os>-<arch>.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNative } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bun = join(root, 'node_modules/.bin/bun');
const targets = [{ name: 'vmt-linux-x64', target: 'bun-linux-x64' }];

buildNative();
for (const { name, target } of targets) {
  const outfile = join(root, 'dist/bin', name);
  const args = ['build', '--compile', '--minify', '--bytecode', `--target=${target}`, '--external', 'typescript', '--external', 'ffi-rs', '--define', 'process.env.NODE_ENV="production"',
    // oclif's load-time engine check requires all of semver and reads a package.json (~2 ms of a ~20 ms start)
    '--define', 'process.env.OCLIF_DISABLE_ENGINE_WARNING="1"',
    // a compiled bun binary otherwise loads .env and bunfig.toml from the current directory
    // (a .env with VMT_LIBVMT=... there would make vmt dlopen another library)
    '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig',
    join(root, 'bin/vmt-bin.ts'), '--outfile', outfile];
  try {
    execFileSync(bun, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
  } catch (err) {
    console.error(`binaries: bun build --compile of ${name} failed (${err.status != null ? `exit ${err.status}` : err.message}); see bun's lines above, or run 'npm install' again if node_modules/.bin/bun is missing`);
    process.exit(1);
  }
  console.log(`built ${outfile}`);
}
