#!/usr/bin/env node
// Builds what `npx vmt` runs: native/build/libvmt.so (system C compiler) and
// dist/vmt.js (one ESM bundle of src/ and commands/). Run by `npm install`.
// A failure ends in one line on stderr that says what failed and how to fix
// it (the compiler's or esbuild's own messages above it), and exit status 1.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function cc(args, what) {
  const compiler = process.env.CC || 'cc';
  const r = spawnSync(compiler, ['-O2', '-Wall', '-Wextra', ...args], { stdio: 'inherit', cwd: root });
  if (r.status === 0) return;
  if (r.error?.code === 'ENOENT') {
    console.error(`build: compiling ${what} failed: there is no C compiler '${compiler}'; install one (Debian: apt-get install gcc) or set CC, then run npm install again`);
  } else if (r.error) {
    console.error(`build: compiling ${what} failed: cannot run '${compiler}' (${r.error.message}); set CC to a working C compiler, then run npm install again`);
  } else {
    const how = r.signal ? `was killed by ${r.signal}` : `exited ${r.status}`;
    console.error(`build: compiling ${what} failed: ${compiler} ${how}; see the compiler's messages above`);
  }
  process.exit(1);
}

/** native/build/libvmt.so, and on Linux x86-64 the tracer behind `vmt sim`, native/build/vmt-trace. */
export function buildNative() {
  mkdirSync(join(root, 'native/build'), { recursive: true });
  const x64 = process.arch === 'x64';
  cc(['-fPIC', '-shared', '-o', 'native/build/libvmt.so', 'native/libvmt/vmt.c', 'native/libvmt/vsock.c', 'native/libvmt/pump.c', 'native/libvmt/ioctl.c', ...(x64 ? ['native/libvmt/bdoor_x86_64.S'] : [])], 'libvmt');
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
  try {
    await buildBundle();
  } catch (err) {
    // esbuild has printed its errors; a missing esbuild has not
    const why = err?.code === 'ERR_MODULE_NOT_FOUND' ? 'esbuild is not installed; run npm install' : 'see esbuild\'s errors above';
    console.error(`build: bundling dist/vmt.js failed: ${why}`);
    process.exit(1);
  }
}
