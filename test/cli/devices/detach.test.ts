// vmt detach / vmt attach as commands over fake trees (the real unbinding is
// proven in the QEMU guest): bad devices and usage, --dry-run, the guard rails,
// --json, and a kernel that does not do what was written.
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../../helpers.js';
import { fakeTree } from '../../unit/fake-sysfs.js';
import { assertUsage, everywhere, oneJson, VMT } from '../helpers.js';

const tree = (routes: string[] = []) =>
  fakeTree(
    [
      { address: '0000:0b:00.0', vendor: 0x15ad, device: 0x07b0, driver: 'vmxnet3', net: ['ens192'] },
      { address: '0000:13:00.0', vendor: 0x15ad, device: 0x07b0, driver: 'vmxnet3', net: ['ens224'] },
    ],
    { routes },
  );
const roots = (r: { sys: string; proc: string }) => ['--sysfs-root', r.sys, '--proc-root', r.proc];

test('bad DEVICE: exit 2, the candidates named; no DEVICE: usage', () => {
  const r = tree();
  for (const verb of ['detach', 'attach']) {
    everywhere([verb, 'eth7', ...roots(r)], (res) => assertUsage(res, /no VMware device, interface or driver is called "eth7"; the VMware devices here: 0000:0b:00.0 \(vmxnet3, vmxnet3; ens192\); 0000:13:00.0/, `${verb} eth7`));
    everywhere([verb, ...roots(r)], (res) => assertUsage(res, /DEVICE/, `${verb} without DEVICE`));
    for (const bad of ['vmt0', '0000:99:00.0', '../x', '']) {
      const res = run(VMT, [verb, bad, ...roots(r)]);
      assert.equal(res.status, 2, `${verb} ${JSON.stringify(bad)}: ${res.stderr}`);
    }
  }
});

test('--dry-run prints each write and changes nothing; --json has them too', () => {
  const r = tree();
  everywhere(['detach', 'vmxnet3', '--dry-run', ...roots(r)], (res) => {
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout, [`would write "0000:0b:00.0" to ${join(r.sys, 'bus/pci/drivers/vmxnet3/unbind')}`, `would write "0000:13:00.0" to ${join(r.sys, 'bus/pci/drivers/vmxnet3/unbind')}`, ''].join('\n'));
  });
  assert.equal(readlinkSync(join(r.sys, 'bus/pci/devices/0000:0b:00.0/driver')), '../../drivers/vmxnet3');
  const j = oneJson(run(VMT, ['detach', 'ens224', '--dry-run', '--json', ...roots(r)]), 'detach --json') as { detached: { address: string; how: string; writes: unknown[] }[]; dryRun: boolean };
  assert.equal(j.dryRun, true);
  assert.deepEqual(j.detached.map((d) => [d.address, d.how, d.writes.length]), [['0000:13:00.0', 'unbind', 1]]);
});

test('the NIC of the default route: refused, exit 3, --json error document; --force goes on (to the kernel)', () => {
  const r = tree(['ens192']);
  const res = run(VMT, ['detach', 'ens192', '--json', ...roots(r)]);
  assert.equal(res.status, 3);
  assert.match(res.stderr, /^vmt detach: refusing to detach 0000:0b:00.0 \(vmxnet3; ens192\): ens192 holds the default route \(--force detaches it anyway; nothing was changed\)\n$/);
  assert.equal((oneJson(res, 'refused --json') as { error: { exit: number } }).error.exit, 3);
  const forced = run(VMT, ['detach', 'ens192', '--force', '--dry-run', ...roots(r)]);
  assert.equal(forced.status, 0, forced.stderr);
});

test('a kernel that takes the write but leaves the device bound (a plain file here): exit 4, never "detached"', () => {
  const r = tree();
  const res = run(VMT, ['detach', 'ens224', ...roots(r)], { XDG_RUNTIME_DIR: r.run });
  assert.equal(res.status, 4, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /the kernel accepted the writes but 0000:13:00.0 is bound to vmxnet3/);
});

test('attach of a bound device: exit 1, already attached', () => {
  const r = tree();
  const res = run(VMT, ['attach', '0000:0b:00.0', ...roots(r)], { XDG_RUNTIME_DIR: r.run });
  assert.equal(res.status, 1);
  assert.match(res.stderr, /already attached \(vmxnet3\)/);
});

test('on this machine\'s own /sys only --dry-run is ever run by the tests: exit 0 (would write) or 2 (no VMware devices), nothing written', () => {
  const res = run(VMT, ['detach', 'vmxnet3', '--dry-run']);
  assert.ok(res.status === 0 || res.status === 2, res.stderr);
  if (res.status === 0) assert.match(res.stdout, /^would write/);
});
