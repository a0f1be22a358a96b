#!/usr/bin/env node
// Builds what `npx vmt` runs: native/build/libvmt.so (system C compiler) and
// dist/vmt.js (one ESM bundle of src/ and commands/). Run by `npm install`.
// A failure ends in one line on stderr that says what failed and how to fix
// it (the compiler's or esbuild's own messages above it), and exit status 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function cc(args, what, compiler = process.env.CC || 'cc', install = 'apt-get install gcc') {
  const r = spawnSync(compiler, ['-O2', '-Wall', '-Wextra', ...args], { stdio: 'inherit', cwd: root });
  if (r.status === 0) return;
  if (r.error?.code === 'ENOENT') {
    console.error(`build: compiling ${what} failed: there is no C compiler '${compiler}'; install one (Debian: ${install}) or set CC, then run npm install again`);
  } else if (r.error) {
    console.error(`build: compiling ${what} failed: cannot run '${compiler}' (${r.error.message}); set CC to a working C compiler, then run npm install again`);
  } else {
    const how = r.signal ? `was killed by ${r.signal}` : `exited ${r.status}`;
    console.error(`build: compiling ${what} failed: ${compiler} ${how}; see the compiler's messages above`);
  }
  process.exit(1);
}

const LIBVMT = ['vmt.c', 'vsock.c', 'pump.c', 'ioctl.c'].map((f) => `native/libvmt/${f}`);
const BDOOR = { x64: 'native/libvmt/bdoor_x86_64.S', arm64: 'native/libvmt/bdoor_aarch64.S' };
const TRACE = ['vmt-trace.c', 'guard.c', 'patch.c', 'elfscan.c', 'ehframe.c', 'x86len.c'].map((f) => `native/vmt-trace/${f}`);

/**
 * The native artifacts of the standalone binaries (scripts/binaries.mjs) and
 * of the npm package's prebuilt folders (scripts/prebuilt.mjs), one directory
 * each under native/build/: libvmt.so for the target's CPU and C library, and
 * vmt-trace (behind `vmt sim`) on x86-64 only. This machine's own glibc target
 * is buildNative()'s native/build/ itself, built with cc; the others need the
 * cross compiler `cc` from the Debian `packages`.
 */
export const NATIVE_TARGETS = {
  'x64': { arch: 'x64', cc: 'x86_64-linux-gnu-gcc', packages: ['gcc-x86-64-linux-gnu'], trace: true },
  // musl-gcc sees only musl's headers; the kernel's (linux/vm_sockets.h) come from linux-libc-dev
  'x64-musl': { arch: 'x64', cc: 'musl-gcc', packages: ['musl-tools', 'linux-libc-dev'], trace: true, traceFlags: ['-static'], kernelHeaders: 'x86_64-linux-gnu' },
  'arm64': { arch: 'arm64', cc: 'aarch64-linux-gnu-gcc', packages: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'], trace: false },
};

/** Whether NATIVE_TARGETS[name] is this machine's own (built by buildNative with cc). */
export const isOwnTarget = (name) => name === process.arch && process.platform === 'linux';

/** Builds NATIVE_TARGETS[name] into native/build/<name>/ (native/build/ itself for this machine's own target); returns that directory, relative to the root. */
export function buildNativeTarget(name) {
  if (isOwnTarget(name)) {
    buildNative();
    return 'native/build';
  }
  const t = NATIVE_TARGETS[name];
  const dir = `native/build/${name}`;
  mkdirSync(join(root, dir), { recursive: true });
  const install = `apt-get install ${t.packages.join(' ')}`;
  const flags = t.kernelHeaders ? ['-isystem', kernelHeaders(dir, t.kernelHeaders)] : [];
  cc([...flags, '-fPIC', '-shared', '-o', `${dir}/libvmt.so`, ...LIBVMT, BDOOR[t.arch]], `libvmt for ${name}`, t.cc, install);
  if (t.trace) cc([...flags, ...(t.traceFlags ?? []), '-o', `${dir}/vmt-trace`, ...TRACE], `vmt-trace for ${name}`, t.cc, install);
  return dir;
}

/** <dir>/include: links to the kernel's headers (linux, asm-generic, the arch's asm) and nothing of glibc's. */
function kernelHeaders(dir, multiarch) {
  const inc = join(root, dir, 'include');
  mkdirSync(inc, { recursive: true });
  for (const [name, from] of [['linux', '/usr/include/linux'], ['asm-generic', '/usr/include/asm-generic'], ['asm', `/usr/include/${multiarch}/asm`]]) {
    if (!existsSync(from)) {
      console.error(`build: the kernel's headers are missing (${from}); install them (Debian: apt-get install linux-libc-dev), then run again`);
      process.exit(1);
    }
    rmSync(join(inc, name), { force: true });
    symlinkSync(from, join(inc, name));
  }
  return inc;
}

/** native/build/libvmt.so (with the backdoor on x86-64 and arm64), and on Linux x86-64 the tracer behind `vmt sim`, native/build/vmt-trace. */
export function buildNative() {
  mkdirSync(join(root, 'native/build'), { recursive: true });
  const bdoor = BDOOR[process.arch];
  cc(['-fPIC', '-shared', '-o', 'native/build/libvmt.so', ...LIBVMT, ...(bdoor ? [bdoor] : [])], 'libvmt');
  if (process.arch === 'x64' && process.platform === 'linux') cc(['-o', 'native/build/vmt-trace', ...TRACE], 'vmt-trace');
}

export async function buildBundle() {
  const { build } = await import('esbuild');
  await build({
    // independent bundles: vmt.js (oclif, every command) and fast.js
    // (src/fast.ts: --version and a plain checkvm without oclif), see bin/run.js;
    // contracts.js only for scripts/contracts.mjs (not shipped, never loaded by vmt)
    entryPoints: { vmt: join(root, 'bin/main.ts'), fast: join(root, 'src/fast.ts'), contracts: join(root, 'src/cli/contracts.ts') },
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
