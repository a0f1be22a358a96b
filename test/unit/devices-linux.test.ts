// The Linux half of vmt devices / detach / attach over fake sysfs trees: what is
// listed, what DEVICE names, the guard rails, and detach → attach round trips
// through a fake kernel (unbind/bind, driver_override, remove/rescan, rollback).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runVerb } from '../../src/cli/devices.js';
import { devicesReport, reportLines } from '../../src/cli/devices-report.js';
import { VmtError } from '../../src/cli/exit.js';
import { vmwarePciDevices } from '../../src/devices/linux/pci.js';
import { readRecords } from '../../src/devices/linux/records.js';
import { resolve, UnknownDevice } from '../../src/devices/linux/resolve.js';
import { fakeKernel, fakeTree, type FakeOptions, type FakePci } from './fake-sysfs.js';

const NIC: FakePci = { address: '0000:0b:00.0', vendor: 0x15ad, device: 0x07b0, driver: 'vmxnet3', net: ['ens192'] };
const NIC2: FakePci = { address: '0000:13:00.0', vendor: 0x15ad, device: 0x07b0, driver: 'vmxnet3', net: ['ens224'] };
const PVSCSI: FakePci = { address: '0000:03:00.0', vendor: 0x15ad, device: 0x07c0, pciClass: 0x010700, driver: 'vmw_pvscsi', scsi: [{ host: 'host2', disks: [{ name: 'sda', partitions: ['sda1', 'sda2'] }, { name: 'sdb' }] }] };
const VMCI: FakePci = { address: '0000:00:07.7', vendor: 0x15ad, device: 0x0740, pciClass: 0x088000, driver: 'vmw_vmci' };
const E1000: FakePci = { address: '0000:02:01.0', vendor: 0x8086, device: 0x100f, subsystemVendor: 0x15ad, driver: 'e1000', net: ['ens33'] };
const HOSTBRIDGE: FakePci = { address: '0000:00:00.0', vendor: 0x8086, device: 0x7190, pciClass: 0x060000, driver: null };

const ALL = [NIC, NIC2, PVSCSI, VMCI, E1000, HOSTBRIDGE];
const SAFE: FakeOptions = { routes: ['ens33'], mounts: [['/dev/sdb', '/data', 'ext4']], modules: ['vmw_vmci', 'vmxnet3', 'vmw_pvscsi'] };

/** A tree and a verb runner over it (XDG_RUNTIME_DIR points at the tree's run directory). */
function setup(devs: FakePci[] = ALL, opts: FakeOptions = SAFE, refuse?: (p: string, v: string) => string | null) {
  const r = fakeTree(devs, opts);
  const kernel = fakeKernel(r, refuse);
  const verb = (v: 'detach' | 'attach', names: string[], flags: Record<string, boolean> = {}) => {
    process.env.XDG_RUNTIME_DIR = r.run;
    return runVerb(v, names, { 'sysfs-root': r.sys, 'proc-root': r.proc, ...flags }, kernel);
  };
  const driverOf = (a: string) => vmwarePciDevices(r).find((d) => d.address === a)?.driver ?? null;
  return { r, verb, driverOf };
}

test('devices: VMware\'s own IDs and the e1000 with VMware\'s subsystem vendor, with drivers and what they carry; nothing else', () => {
  const { r } = setup(ALL, { routes: ['ens192'], routes6: ['ens224'], mounts: [['/dev/sda1', '/', 'ext4'], ['/dev/sdb', '/my data', 'xfs']], swaps: ['/dev/sda2'], modules: ['vmw_vmci', 'vmxnet3'] });
  process.env.XDG_RUNTIME_DIR = r.run;
  const rep = devicesReport(r);
  assert.deepEqual(rep.devices.map((d) => [d.address, d.id, d.name, d.kind, d.driver]), [
    ['0000:00:07.7', '15ad:0740', 'VMCI', 'vmci', 'vmw_vmci'],
    ['0000:02:01.0', '8086:100f', '8086:100f', 'network', 'e1000'],
    ['0000:03:00.0', '15ad:07c0', 'PVSCSI', 'storage', 'vmw_pvscsi'],
    ['0000:0b:00.0', '15ad:07b0', 'vmxnet3', 'network', 'vmxnet3'],
    ['0000:13:00.0', '15ad:07b0', 'vmxnet3', 'network', 'vmxnet3'],
  ]);
  const by = (a: string) => rep.devices.find((d) => d.address === a)!;
  assert.deepEqual(by('0000:0b:00.0').net, [{ name: 'ens192', addresses: [], defaultRoute: true }]);
  assert.deepEqual(by('0000:13:00.0').net, [{ name: 'ens224', addresses: [], defaultRoute: true }], 'an IPv6 default route counts');
  const [host] = by('0000:03:00.0').scsi;
  assert.equal(host!.name, 'host2');
  assert.deepEqual(host!.disks.map((d) => [d.name, d.partitions, d.mounts.map((m) => m.target), d.swap]), [
    ['sda', ['sda1', 'sda2'], ['/'], ['/dev/sda2']],
    ['sdb', [], ['/my data'], []],
  ]);
  assert.deepEqual(rep.modules, ['vmw_vmci', 'vmxnet3']);
  const lines = reportLines(rep);
  assert.ok(lines.includes('pci\t0000:03:00.0\t15ad:07c0\tPVSCSI\tvmw_pvscsi\thost2: sda (sda1 on /, sda2 swap), sdb (sdb on /my data)'), lines.join('\n'));
  assert.ok(lines.includes('pci\t0000:0b:00.0\t15ad:07b0\tvmxnet3\tvmxnet3\tens192 (default route)'), lines.join('\n'));
  assert.ok(lines.includes('module\tvmxnet3'));
  assert.ok(lines.every((l) => l.split('\t').every((f) => f.length > 0)), 'no empty field in a record');
});

test('devices: a machine without VMware devices lists none', () => {
  const { r } = setup([HOSTBRIDGE], {});
  assert.deepEqual(vmwarePciDevices(r), []);
});

test('DEVICE: full and short PCI addresses, an interface, a driver (all its devices); unknown and BSD names list the candidates', () => {
  const { r } = setup();
  const addrs = (n: string) => resolve(r, n, {}).map((x) => x.address);
  assert.deepEqual(addrs('0000:0b:00.0'), ['0000:0b:00.0']);
  assert.deepEqual(addrs('0B:00.0'), ['0000:0b:00.0']);
  assert.deepEqual(addrs('ens224'), ['0000:13:00.0']);
  assert.deepEqual(addrs('vmxnet3'), ['0000:0b:00.0', '0000:13:00.0']);
  assert.deepEqual(addrs('vmw_pvscsi'), ['0000:03:00.0']);
  assert.throws(() => resolve(r, 'eth9', {}), (e: Error) => e instanceof UnknownDevice && /no VMware device, interface or driver is called "eth9"/.test(e.message) && /0000:0b:00.0 \(vmxnet3, vmxnet3; ens192\)/.test(e.message) && /drivers: .*vmw_pvscsi/.test(e.message));
  assert.throws(() => resolve(r, 'vmt0', {}), /vmt0 is a BSD device name/);
  assert.throws(() => resolve(r, '0000:0c:00.0', {}), /there is no PCI device 0000:0c:00.0/);
  assert.throws(() => resolve(r, '../../etc', {}), /is not a PCI address, an interface or a driver name/);
  assert.throws(() => resolve(setup([HOSTBRIDGE], {}).r, 'vmxnet3', {}), /this machine has no VMware PCI devices/);
});

test('detach → attach restores the binding; detaching again is "already detached" (exit 1); the record is kept and dropped', () => {
  const { r, verb, driverOf } = setup();
  const d = verb('detach', ['ens224']);
  assert.equal(d.exit, 0);
  assert.deepEqual(d.plan.actions.map((a) => [a.address, a.how, a.writes]), [['0000:13:00.0', 'unbind', [{ path: join(r.sys, 'bus/pci/drivers/vmxnet3/unbind'), value: '0000:13:00.0' }]]]);
  assert.equal(driverOf('0000:13:00.0'), null);
  assert.equal(existsSync(join(r.sys, 'class/net/ens224')), false, 'the interface is gone');
  assert.equal(readRecords(r)['0000:13:00.0']?.driver, 'vmxnet3');
  const again = verb('detach', ['ens224']); // the interface is gone; the record knows it
  assert.equal(again.exit, 1);
  assert.match(again.plan.already[0]!, /already detached/);
  const a = verb('attach', ['vmxnet3']); // by driver: the unbound one it had
  assert.equal(a.exit, 0);
  assert.deepEqual(a.plan.actions.map((x) => x.address), ['0000:13:00.0']);
  assert.equal(driverOf('0000:13:00.0'), 'vmxnet3');
  assert.equal(existsSync(join(r.sys, 'class/net/ens224/device')), true, 'the interface is back');
  assert.deepEqual(readRecords(r), {});
  assert.equal(verb('attach', ['ens224']).exit, 1, 'already attached');
});

test('detach --rescan removes the device; attach brings it back by a bus rescan, bound as before', () => {
  const { r, verb, driverOf } = setup();
  assert.equal(verb('detach', ['0000:13:00.0'], { rescan: true }).exit, 0);
  assert.equal(existsSync(join(r.sys, 'bus/pci/devices/0000:13:00.0')), false);
  assert.deepEqual(devicesReport(r).removed, [{ address: '0000:13:00.0', id: '15ad:07b0', driver: 'vmxnet3' }]);
  assert.equal(verb('detach', ['0000:13:00.0']).exit, 1, 'removed counts as detached');
  const a = verb('attach', ['ens224']);
  assert.deepEqual(a.plan.actions.map((x) => [x.how, x.writes.map((w) => w.path.slice(r.sys.length))]), [['rescan', ['/bus/pci/rescan']]]);
  assert.equal(driverOf('0000:13:00.0'), 'vmxnet3');
});

test('attach binds through driver_override when the recorded driver is not the one a probe would pick, and clears it after', () => {
  const { r, verb, driverOf } = setup([{ ...NIC2, driver: 'vfio-pci' }], { drivers: ['vmxnet3'] });
  verb('detach', ['0000:13:00.0']);
  const a = verb('attach', ['0000:13:00.0']);
  assert.deepEqual(a.plan.actions[0]!.writes.map((w) => [w.path.slice(r.sys.length), w.value]), [
    ['/bus/pci/devices/0000:13:00.0/driver_override', 'vfio-pci'],
    ['/bus/pci/drivers_probe', '0000:13:00.0'],
    ['/bus/pci/devices/0000:13:00.0/driver_override', '\n'],
  ]);
  assert.equal(driverOf('0000:13:00.0'), 'vfio-pci');
  assert.equal(readFileSync(join(r.sys, 'bus/pci/devices/0000:13:00.0/driver_override'), 'utf8').trim(), '(null)');
});

test('guard rails: the default route\'s NIC, a mounted disk\'s adapter, swap: refused (exit 3, nothing changed) unless --force', () => {
  const cases: [FakeOptions, string, RegExp][] = [
    [{ routes: ['ens192'] }, 'ens192', /ens192 holds the default route/],
    [{ mounts: [['/dev/sda1', '/', 'ext4']] }, 'vmw_pvscsi', /\/dev\/sda1 is mounted on \//],
    [{ swaps: ['/dev/sda2'] }, '0000:03:00.0', /\/dev\/sda2 is in use as swap/],
  ];
  for (const [opts, name, why] of cases) {
    const { verb, driverOf } = setup(ALL, opts);
    const before = vmwarePciDevices(setup(ALL, opts).r).length;
    assert.throws(() => verb('detach', [name]), (e: Error) => e instanceof VmtError && e.exit === 3 && why.test(e.message) && /--force/.test(e.message) && /nothing was changed/.test(e.message));
    const target = name === 'ens192' ? '0000:0b:00.0' : '0000:03:00.0';
    assert.notEqual(driverOf(target), null, 'still bound');
    assert.equal(verb('detach', [name], { force: true }).exit, 0, '--force');
    assert.equal(driverOf(target), null);
    assert.ok(before > 0);
  }
});

test('--dry-run: the writes, and nothing written', () => {
  const { r, verb, driverOf } = setup();
  const d = verb('detach', ['vmxnet3'], { 'dry-run': true });
  assert.equal(d.dryRun, true);
  assert.deepEqual(d.plan.actions.map((a) => a.writes[0]!.path.slice(r.sys.length)), ['/bus/pci/drivers/vmxnet3/unbind', '/bus/pci/drivers/vmxnet3/unbind']);
  assert.equal(driverOf('0000:0b:00.0'), 'vmxnet3');
  assert.deepEqual(readRecords(r), {});
});

test('the kernel refusing the second of two detaches: the first is bound again, exit 4, and says so', () => {
  const { verb, driverOf } = setup(ALL, SAFE, (_p, v) => (v === '0000:13:00.0' ? 'EBUSY' : null));
  assert.throws(() => verb('detach', ['vmxnet3']), (e: Error) => e instanceof VmtError && e.exit === 4 && /EBUSY \(the device is busy\)/.test(e.message) && /put back 0000:0b:00.0/.test(e.message));
  assert.equal(driverOf('0000:0b:00.0'), 'vmxnet3');
  assert.equal(driverOf('0000:13:00.0'), 'vmxnet3');
});

test('permission denied (not root, read-only sysfs): exit 3 naming the file; a missing driver on attach: exit 3, modprobe', () => {
  const { verb } = setup(ALL, SAFE, () => 'EACCES');
  assert.throws(() => verb('detach', ['ens224']), (e: Error) => e instanceof VmtError && e.exit === 3 && /drivers\/vmxnet3\/unbind failed: EACCES \(permission denied: run as root\)/.test(e.message));
  const { verb: verb2 } = setup([{ ...NIC2, driver: null }], {});
  assert.throws(() => verb2('attach', ['0000:13:00.0']), (e: Error) => e instanceof VmtError && e.exit === 3 && /the driver vmxnet3 is not loaded.*modprobe vmxnet3/.test(e.message));
});

test('the kernel accepting the write but the device staying bound: exit 4, not a false "detached"', () => {
  const r2 = setup();
  const noop = () => {}; // a kernel that ignores the write
  process.env.XDG_RUNTIME_DIR = r2.r.run;
  assert.throws(() => runVerb('detach', ['ens224'], { 'sysfs-root': r2.r.sys, 'proc-root': r2.r.proc }, noop), (e: Error) => e instanceof VmtError && e.exit === 4 && /accepted the writes but 0000:13:00.0 is bound to vmxnet3/.test(e.message));
});
