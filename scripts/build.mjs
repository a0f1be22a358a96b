#!/usr/bin/env node
// Builds what `npx vmt` runs: native/build/libvmt.so (system C compiler) and
// dist/vmt.js (one ESM bundle of src/ and commands/). Run by `npm install`.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function cc(args, what) {
  const compiler = process.env.CC || 'cc';
  try {
    execFileSync(compiler, ['-O2', '-Wall', '-Wextra', ...args], { stdio: 'inherit', cwd: root });
  } catch (err) {
    console.error(`build: cannot compile ${what} with '${compiler}' (${err.message}); a C compiler is needed (Debian: apt-get install gcc), then run npm install again.`);
    process.exit(1);
  }
}

/** native/build/libvmt.so, and on Linux x86-64 the tracer behind `vmt sim`, native/build/vmt-trace. */
export function buildNative() {
  mkdirSync(join(root, 'native/build'), { recursive: true });
  const x64 = process.arch === 'x64';
  cc(['-fPIC', '-shared', '-o', 'native/build/libvmt.so', 'native/libvmt/vmt.c', ...(x64 ? ['native/libvmt/bdoor_x86_64.S'] : [])], 'libvmt');
  if (x64 && process.platform === 'linux') {
    const trace = ['vmt-trace.c', 'guard.c', 'patch.c', 'elfscan.c', 'ehframe.c', 'x86len.c'].map((f) => `native/vmt-trace/${f}`);
    cc(['-o', 'native/build/vmt-trace', ...trace], 'vmt-trace');
  }
}

export async function buildBundle() {
  const { build } = await import('esbuild');
  await build({
    // two independent bundles: vmt.js (oclif, every command) and fast.js
    // (src/fast.ts: --version and a plain checkvm without oclif), see bin/run.js
    entryPoints: { vmt: join(root, 'bin/main.ts'), fast: join(root, 'src/fast.ts') },
    outdir: join(root, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['ffi-rs', 'bun:ffi', 'typescript'], // typescript: oclif's dev mode only
    banner: { js: "import { createRequire as __vmtRequire } from 'node:module'; const require = __vmtRequire(import.meta.url);" },
    // oclif's load-time engine check requires all of semver and reads a package.json
    define: { 'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"1"' },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildNative();
  await buildBundle();
}
