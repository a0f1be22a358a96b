#!/usr/bin/env node
// Run by npm when it installs the package (`npm i -g vmt-0.1.0.tgz`; `prepare`
// does not run there). The package ships libvmt prebuilt for linux-x64 and
// linux-arm64 with glibc (native/prebuilt/, scripts/prebuilt.mjs); where one
// matches this machine nothing is compiled and no network is needed. Anywhere
// else (another architecture, musl) it says so and compiles libvmt with cc
// into native/build/, which vmt prefers (src/ffi/paths.ts). In a source
// checkout `prepare` (scripts/build.mjs) builds everything and this does
// nothing.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Why the prebuilt libvmt cannot serve this machine, or null when it can. */
export function prebuiltMismatch(dir = root) {
  const key = `${process.platform}-${process.arch}`;
  if (!existsSync(join(dir, 'native/prebuilt', key, 'libvmt.so'))) return `there is no prebuilt libvmt for ${key}`;
  // the prebuilt ones link against glibc; musl (Alpine) has no glibcVersionRuntime
  const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
  if (process.platform === 'linux' && !glibc) return `the prebuilt libvmt for ${key} needs glibc, and this C library is not glibc (musl?)`;
  return null;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && !existsSync(join(root, 'src'))) {
  const why = prebuiltMismatch();
  if (why) {
    console.error(`vmt: ${why}; compiling it with ${process.env.CC || 'cc'}`);
    const { buildNative } = await import('./build.mjs');
    buildNative();
  }
}
