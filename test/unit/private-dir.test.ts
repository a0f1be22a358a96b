// The per-user private directory of the standalone binaries' native files (src/private-dir.ts):
// created 0700, refused when it is not private or not a directory of its own, and files placed
// once, through a temporary name, rewritten only when their size is wrong.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { placeOnce, privateDir } from '../../src/private-dir.js';

const uid = process.getuid!();
const fresh = () => mkdtempSync(join(tmpdir(), 'vmt-private-'));

test('privateDir: $XDG_RUNTIME_DIR/vmt-<uid>, created with mode 0700', () => {
  const xdg = fresh();
  const dir = privateDir({ XDG_RUNTIME_DIR: xdg });
  assert.equal(dir, join(xdg, `vmt-${uid}`));
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(privateDir({ XDG_RUNTIME_DIR: xdg }), dir, 'the second time it is there already');
});

test('privateDir: refuses a directory others may use, and a symlink to one', () => {
  const xdg = fresh();
  const dir = join(xdg, `vmt-${uid}`);
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  assert.throws(() => privateDir({ XDG_RUNTIME_DIR: xdg }), { message: `${dir} is not a private directory of this user; remove it or set XDG_RUNTIME_DIR` });
  const other = fresh();
  const mine = join(fresh(), 'real');
  mkdirSync(mine, { mode: 0o700 });
  symlinkSync(mine, join(other, `vmt-${uid}`));
  assert.throws(() => privateDir({ XDG_RUNTIME_DIR: other }), /is not a private directory of this user/);
});

test('placeOnce: writes once, leaves no temporary file, rewrites a file of the wrong size', () => {
  const dir = fresh();
  let calls = 0;
  const bytes = () => (calls++, Buffer.from('libvmt'));
  const file = placeOnce(dir, 'libvmt-0123.so', 6, bytes);
  assert.equal(file, join(dir, 'libvmt-0123.so'));
  assert.equal(placeOnce(dir, 'libvmt-0123.so', 6, bytes), file);
  assert.equal(calls, 1, 'the bytes are asked for only when the file is missing');
  assert.deepEqual(readdirSync(dir), ['libvmt-0123.so']);
  assert.equal(statSync(file).mode & 0o777, 0o700);
  writeFileSync(file, 'lib'); // cut short
  placeOnce(dir, 'libvmt-0123.so', 6, bytes);
  assert.equal(readFileSync(file, 'utf8'), 'libvmt');
  assert.equal(calls, 2);
});

test('privateDir: a directory that cannot be made is an error, not a hang (node\'s recursive mkdir spins forever under /proc)', () => {
  // in a child process: the hang was a busy loop inside mkdirSync, which no timer of this one could stop
  const url = new URL('../../src/private-dir.js', import.meta.url).href;
  const code = `import { privateDir } from ${JSON.stringify(url)};\ntry { privateDir({ XDG_RUNTIME_DIR: '/proc' }); } catch (e) { console.log(e.message); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, null, 'privateDir hung under /proc');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `ENOENT: no such file or directory, mkdir '/proc/vmt-${uid}'\n`);
});
