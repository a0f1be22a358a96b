// Where vmt finds libvmt and vmt-trace (src/ffi/paths.ts): native/build/ (compiled here) before
// native/prebuilt/<platform>-<arch>/ (what the npm package ships), each looked for upwards from
// the module, and the prebuilt folder of another machine is never taken.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findUpwards, prebuiltDir } from '../../src/ffi/paths.js';

function tree(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmt-paths-'));
  mkdirSync(join(dir, 'dist'));
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
  return dir;
}

const rels = (name: string) => [join('native/build', name), join(prebuiltDir('linux', 'x64'), name)];

test('prebuiltDir names the platform and architecture', () => {
  assert.equal(prebuiltDir('linux', 'arm64'), 'native/prebuilt/linux-arm64');
  assert.equal(prebuiltDir(), `native/prebuilt/${process.platform}-${process.arch}`);
});

test('an installed package without native/build takes its prebuilt libvmt', () => {
  const dir = tree(['native/prebuilt/linux-x64/libvmt.so', 'native/prebuilt/linux-arm64/libvmt.so']);
  try {
    assert.equal(findUpwards(join(dir, 'dist'), rels('libvmt.so')), join(dir, 'native/prebuilt/linux-x64/libvmt.so'));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('native/build (compiled here) wins over the prebuilt one', () => {
  const dir = tree(['native/build/libvmt.so', 'native/prebuilt/linux-x64/libvmt.so']);
  try {
    assert.equal(findUpwards(join(dir, 'dist'), rels('libvmt.so')), join(dir, 'native/build/libvmt.so'));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('only another machine\'s prebuilt: the native/build path is named (for the "missing" message)', () => {
  const dir = tree(['native/prebuilt/linux-arm64/libvmt.so']);
  try {
    assert.equal(findUpwards(join(dir, 'dist'), rels('libvmt.so')), join(dir, 'native/build/libvmt.so'));
  } finally {
    rmSync(dir, { recursive: true });
  }
});
