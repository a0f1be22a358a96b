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
// The packages come from the npm registry (scripts/npm-fetch.mjs), kept in
// node_modules/.cache/vmt-ffi/.
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchPackage } from './npm-fetch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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

/** node_modules/<name> at <version>, from the cache or the npm registry (scripts/npm-fetch.mjs); its folder. */
export function placeBinding(name, version) {
  const at = join(root, 'node_modules', name);
  if (installedVersion(at) === version) return at;
  const unpacked = fetchPackage(name, version, 'vmt-ffi', 'ffi-bindings');
  rmSync(at, { recursive: true, force: true });
  mkdirSync(dirname(at), { recursive: true });
  cpSync(unpacked, at, { recursive: true });
  return at;
}

export function placeBindings() {
  for (const [name, version] of bindings()) placeBinding(name, version);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) placeBindings();
