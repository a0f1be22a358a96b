import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadLibvmt } from '../../src/ffi/index.js';
import { NativeBackdoor, BackdoorFault } from '../../src/backdoor/backdoor.js';
import { getVersion } from '../../src/backdoor/commands.js';
import { repoRoot } from '../helpers.js';

const root = repoRoot();
const cpuVendor = /^vendor_id\s*:\s*(\S+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];

test('libvmt fault guard (native/test/guard_test.c): faults become return values, handlers are restored and chained', () => {
  const exe = join(mkdtempSync(join(tmpdir(), 'vmt-guard-')), 'guard_test');
  const src = ['native/test/guard_test.c', 'native/libvmt/vmt.c', 'native/libvmt/bdoor_x86_64.S'].map((f) => join(root, f));
  execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', '-o', exe, ...src, '-lpthread']);
  const r = spawnSync(exe, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok the application's handler did not see our fault/);
  assert.match(r.stdout, /ok a fault outside the backdoor reaches the application's handler/);
  assert.match(r.stdout, new RegExp(`vendor=${cpuVendor}`));
});

test('libvmt through this runtime\'s FFI: CPUID vendor matches /proc/cpuinfo', async () => {
  const lib = await loadLibvmt();
  const [, b, c, d] = lib.cpuid(0, 0);
  const vendor = Buffer.from(new Uint32Array([b!, d!, c!]).buffer).toString('latin1');
  assert.equal(vendor, cpuVendor);
});

test('libvmt through this runtime\'s FFI: a knock either answers or faults cleanly, and the process lives on', async () => {
  const bd = new NativeBackdoor(await loadLibvmt());
  for (let i = 0; i < 3; i++) {
    try {
      const v = getVersion(bd);
      assert.ok(v === null || v.version > 0);
    } catch (err) {
      assert.ok(err instanceof BackdoorFault, String(err));
      assert.match(err.message, /SIGSEGV|SIGBUS|SIGILL/);
    }
  }
});
