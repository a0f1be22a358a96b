#!/usr/bin/env node
// The prebuilt native artifacts the npm package ships, so that installing it
// needs no C compiler: native/prebuilt/linux-x64/{libvmt.so,vmt-trace} (cc,
// or x86_64-linux-gnu-gcc on another machine) and
// native/prebuilt/linux-arm64/libvmt.so (Debian's cross compiler,
// aarch64-linux-gnu-gcc: apt-get install gcc-aarch64-linux-gnu
// libc6-dev-arm64-cross). Run by
// `npm pack` (prepack) and `npm run package`. An installed package uses the
// one for its platform and compiles only when none matches
// (scripts/postinstall.mjs, src/ffi/paths.ts).
// libvmt's sources: native/libvmt/*.c and the assembly for the target's
// architecture (*_x86_64.S, *_aarch64.S or *_arm64.S). A failure ends in one
// line that names the compiler and how to get it, and exit status 1.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each prebuilt target: its folder under native/prebuilt, the compiler, the assembly suffixes, and whether vmt sim's tracer is built. */
export const PREBUILT = [
  { key: 'linux-x64', cc: process.arch === 'x64' ? 'cc' : 'x86_64-linux-gnu-gcc', debian: 'gcc-x86-64-linux-gnu', asm: ['_x86_64.S'], trace: true },
  { key: 'linux-arm64', cc: process.arch === 'arm64' ? 'cc' : 'aarch64-linux-gnu-gcc', debian: 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross', asm: ['_aarch64.S', '_arm64.S'], trace: false },
];

function compile(t, args, what) {
  const r = spawnSync(t.cc, ['-O2', '-Wall', '-Wextra', '-s', ...args], { stdio: 'inherit', cwd: root });
  if (r.status === 0) return;
  const why = r.error?.code === 'ENOENT'
    ? `there is no ${t.cc}; install it (Debian: apt-get install ${t.cc === 'cc' ? 'gcc' : t.debian})`
    : r.error ? `cannot run ${t.cc} (${r.error.message})` : `${t.cc} ${r.signal ? `was killed by ${r.signal}` : `exited ${r.status}`}; see the compiler's messages above`;
  console.error(`prebuilt: compiling ${what} for ${t.key} failed: ${why}`);
  process.exit(1);
}

export function buildPrebuilt() {
  const lib = readdirSync(join(root, 'native/libvmt')).sort();
  rmSync(join(root, 'native/prebuilt'), { recursive: true, force: true });
  for (const t of PREBUILT) {
    const out = `native/prebuilt/${t.key}`;
    mkdirSync(join(root, out), { recursive: true });
    const sources = lib.filter((f) => f.endsWith('.c') || t.asm.some((s) => f.endsWith(s))).map((f) => `native/libvmt/${f}`);
    compile(t, ['-fPIC', '-shared', '-o', `${out}/libvmt.so`, ...sources], 'libvmt');
    if (t.trace) {
      // the same sources as scripts/build.mjs compiles
      const trace = ['vmt-trace.c', 'guard.c', 'patch.c', 'elfscan.c', 'ehframe.c', 'x86len.c'].map((f) => `native/vmt-trace/${f}`);
      compile(t, ['-o', `${out}/vmt-trace`, ...trace], 'vmt-trace');
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildPrebuilt();
