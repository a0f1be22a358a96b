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
  execFileSync(bun, ['build', '--compile', '--minify', '--bytecode', `--target=${target}`, '--external', 'typescript', '--external', 'ffi-rs', '--define', 'process.env.NODE_ENV="production"',
    join(root, 'bin/vmt-bin.ts'), '--outfile', outfile], { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
  console.log(`built ${outfile}`);
}
