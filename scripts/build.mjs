#!/usr/bin/env node
// Builds what `npx vmt` runs: native/build/libvmt.so (system C compiler) and
// dist/vmt.js (one ESM bundle of src/ and commands/). Run by `npm install`.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function buildNative() {
  const cc = process.env.CC || 'cc';
  const out = join(root, 'native/build/libvmt.so');
  mkdirSync(dirname(out), { recursive: true });
  const sources = ['native/libvmt/vmt.c'];
  if (process.arch === 'x64') sources.push('native/libvmt/bdoor_x86_64.S');
  try {
    execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-fPIC', '-shared', '-o', out, ...sources.map((s) => join(root, s))], { stdio: 'inherit' });
  } catch (err) {
    console.error(`build: cannot compile libvmt with '${cc}' (${err.message}). Install a C compiler (Debian: apt-get install gcc) and run npm install again.`);
    process.exit(1);
  }
  return out;
}

export async function buildBundle() {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, 'src/main.ts')],
    outfile: join(root, 'dist/vmt.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['ffi-rs', 'bun:ffi', 'typescript'], // typescript: oclif's dev mode only
    banner: { js: "import { createRequire as __vmtRequire } from 'node:module'; const require = __vmtRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildNative();
  await buildBundle();
}
