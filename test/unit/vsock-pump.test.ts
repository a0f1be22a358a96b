// libvmt's pump and the vsock interlock in C (native/test/pump_test.c): over
// an AF_UNIX socketpair and pipes, never a vsock.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';

test('pump (native/test/pump_test.c): half-close both ways, counts, idle timeout, a failed send; VMT_VSOCK_FORBID refuses every vsock entry', () => {
  const root = repoRoot();
  const exe = join(mkdtempSync(join(tmpdir(), 'vmt-pump-')), 'pump_test');
  const src = ['native/test/pump_test.c', 'native/libvmt/vsock.c', 'native/libvmt/pump.c'].map((f) => join(root, f));
  execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', '-o', exe, ...src]);
  const r = spawnSync(exe, { encoding: 'utf8', env: { ...process.env, VMT_VSOCK_FORBID: '1' }, timeout: 30_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /FAIL/);
  assert.match(r.stdout, /ok every vsock entry refuses with -EPERM/);
  assert.match(r.stdout, /ok end of input became shutdown\(SHUT_WR\)/);
});
