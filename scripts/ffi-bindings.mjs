#!/usr/bin/env node
// The ffi-rs bindings the npm package carries for the machines other than the
// one that packs it. ffi-rs is bundled (bundleDependencies) and npm bundles
// with it only the binding installed here (@yuuang/ffi-rs-linux-x64-gnu on an
// x86-64 packer). The other platforms' bindings, listed in package.json's
// optionalDependencies, are NOT fetched by `npm install` on those machines:
// npm counts them as part of ffi-rs's bundle, expects them inside the tarball
// and leaves an empty folder, so vmt on arm64 could not load libvmt
// ("Cannot find module '@yuuang/ffi-rs-linux-arm64-gnu'").
// So, before `npm pack` (scripts/prebuilt.mjs calls this), each binding named
// in optionalDependencies is put into node_modules/, at the pinned version,
// and npm bundles it: the tarball installs offline on each of them.
// The packages come from the npm registry through `npm pack` (npm's cache),
// kept in node_modules/.cache/vmt-ffi/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(line) {
  console.error(`ffi-bindings: ${line}`);
  process.exit(1);
}

/** The ffi-rs bindings of package.json's optionalDependencies: [name, version]. */
export function bindings(dir = root) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return Object.entries(pkg.optionalDependencies ?? {}).filter(([name]) => name.startsWith('@yuuang/ffi-rs-'));
}

const installedVersion = (dir) => {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};

/** node_modules/<name> at <version>, from the cache or the npm registry; its folder. */
export function placeBinding(name, version) {
  const at = join(root, 'node_modules', name);
  if (installedVersion(at) === version) return at;
  const cache = join(root, 'node_modules/.cache/vmt-ffi', `${name.replace('@yuuang/', '')}-${version}`);
  if (installedVersion(join(cache, 'package')) !== version) {
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    console.error(`ffi-bindings: fetching ${name}@${version} (npm pack)`);
    const npm = process.env.npm_execpath && process.env.npm_execpath.endsWith('.js') ? [process.execPath, process.env.npm_execpath] : ['npm'];
    const r = spawnSync(npm[0], [...npm.slice(1), 'pack', '--silent', '--pack-destination', cache, `${name}@${version}`], { cwd: cache, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) fail(`fetching ${name}@${version} with npm pack failed (${r.error ? r.error.message : `exit ${r.status}`}); see npm's lines above (it needs the npm registry)`);
    const tgz = join(cache, r.stdout.trim().split('\n').pop());
    const x = spawnSync('tar', ['-xzf', tgz, '-C', cache], { stdio: 'inherit' });
    if (x.status !== 0 || installedVersion(join(cache, 'package')) !== version) fail(`unpacking ${tgz} failed`);
    rmSync(tgz);
  }
  rmSync(at, { recursive: true, force: true });
  mkdirSync(dirname(at), { recursive: true });
  cpSync(join(cache, 'package'), at, { recursive: true });
  return at;
}

export function placeBindings() {
  for (const [name, version] of bindings()) placeBinding(name, version);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) placeBindings();
