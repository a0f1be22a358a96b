#!/usr/bin/env node
// The prebuilt native artifacts the npm package ships, so that installing it
// needs no C compiler: native/prebuilt/linux-x64/{libvmt.so,vmt-trace} and
// native/prebuilt/linux-arm64/libvmt.so, built by scripts/build.mjs's
// buildNativeTarget (this machine's cc for its own architecture, Debian's
// cross compiler for the other) and copied here. Run by `npm pack` (prepack)
// and `npm run package`. An installed package uses the one for its platform
// and compiles only when none matches (scripts/postinstall.mjs,
// src/ffi/paths.ts). A failure ends in build.mjs's one line that names the
// compiler and how to get it, and exit status 1. It also puts the ffi-rs
// bindings of the other platforms into node_modules/ for npm to bundle
// (scripts/ffi-bindings.mjs says why).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNativeTarget, NATIVE_TARGETS } from './build.mjs';
import { placeBindings } from './ffi-bindings.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The prebuilt folders and the build.mjs target each comes from (glibc; vmt-trace where the target builds it). */
export const PREBUILT = [
  { key: 'linux-x64', target: 'x64' },
  { key: 'linux-arm64', target: 'arm64' },
];

export function buildPrebuilt() {
  rmSync(join(root, 'native/prebuilt'), { recursive: true, force: true });
  for (const { key, target } of PREBUILT) {
    const from = buildNativeTarget(target);
    const out = join(root, 'native/prebuilt', key);
    mkdirSync(out, { recursive: true });
    for (const f of NATIVE_TARGETS[target].trace ? ['libvmt.so', 'vmt-trace'] : ['libvmt.so']) copyFileSync(join(root, from, f), join(out, f));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildPrebuilt();
  placeBindings();
}
