// FreeBSD /dev/devctl2: struct devreq byte for byte on amd64 and i386, the
// DEV_* request numbers, the errno messages, and detach/attach/rescan against
// a stand-in (no FreeBSD runs here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmtError } from '../../src/cli/exit.js';
import {
  devctlAttach, devctlDetach, DevctlError, devctlFailure, devctlRequests, devctlRescan, devreqLayout, encodeDevreq, type DevctlTarget,
} from '../../src/devices/bsd/devctl.js';
import { FREEBSD_ERRNO } from '../../src/devices/bsd/errno.js';
import { AMD64, I386 } from '../../src/devices/bsd/ioccom.js';
import { DeviceNameError } from '../../src/devices/bsd/names.js';

const show = (b: Uint8Array) => Buffer.from(b).toString('hex');
const zeros = (n: number) => '00'.repeat(n);
const name128 = (s: string) => Buffer.from(s.padEnd(128, '\0'), 'latin1').toString('hex');

test('struct devreq: 152 bytes on amd64 (the union 8-aligned at 136), 140 on i386 (at 132)', () => {
  assert.deepEqual(devreqLayout(AMD64), { name: 0, flags: 128, dru: 136, size: 152 });
  assert.deepEqual(devreqLayout(I386), { name: 0, flags: 128, dru: 132, size: 140 });
});

test('DEV_ATTACH, DEV_DETACH, DEV_RESCAN: _IOW(\'D\', 1, 2, 9, struct devreq)', () => {
  assert.deepEqual(devctlRequests(AMD64), { DEV_ATTACH: 0x80984401, DEV_DETACH: 0x80984402, DEV_RESCAN: 0x80984409 });
  assert.deepEqual(devctlRequests(I386), { DEV_ATTACH: 0x808c4401, DEV_DETACH: 0x808c4402, DEV_RESCAN: 0x808c4409 });
});

test('encodeDevreq: the name NUL-padded to 128, dr_flags at 128, the union zero', () => {
  assert.equal(show(encodeDevreq('vmci0', 0, AMD64)), name128('vmci0') + zeros(24));
  assert.equal(show(encodeDevreq('vmci0', 1, AMD64)), name128('vmci0') + '01000000' + zeros(20));
  assert.equal(show(encodeDevreq('pci0:0:7:7', 1, I386)), name128('pci0:0:7:7') + '01000000' + zeros(8));
  assert.equal(show(encodeDevreq('x'.repeat(127), 0, AMD64)).length, 304);
  assert.throws(() => encodeDevreq('x'.repeat(128), 0, AMD64), (e: unknown) => e instanceof DeviceNameError && /128 bytes long; the kernel takes at most 127/.test(e.message));
  assert.throws(() => encodeDevreq('', 0, AMD64), /device name is empty/);
});

test('devctl failures: each errno names its cause and what to do', () => {
  const F = FREEBSD_ERRNO;
  const cases: [number, 'detach' | 'attach' | 'rescan', boolean, number, RegExp][] = [
    [F.ENOENT, 'detach', false, 3, /^there is no \/dev\/devctl2 \(ENOENT\): this is not FreeBSD/],
    [F.ENOENT, 'detach', true, 3, /^there is no device vmci0 \(ENOENT\): list them with devinfo\(8\)$/],
    [F.EPERM, 'attach', true, 3, /^attaching vmci0 needs root \(EPERM\): run vmt as root$/],
    [F.ENOTTY, 'rescan', true, 3, /does not know this request \(ENOTTY\)/],
    [F.ENXIO, 'detach', true, 3, /^vmci0 is not attached \(ENXIO\): nothing to detach$/],
    [F.EBUSY, 'detach', true, 4, /^vmci0 is in use \(EBUSY\): stop what uses it and try again, or force it \(devctl detach -f\)$/],
    [F.EOPNOTSUPP, 'detach', true, 3, /^vmci0's driver cannot detach \(EOPNOTSUPP\)/],
    [F.EBUSY, 'attach', true, 1, /^vmci0 is attached already \(EBUSY\)$/],
    [F.ENXIO, 'attach', true, 3, /^vmci0 is disabled, or no driver claims it \(ENXIO\): enable it \(devctl enable vmci0\) or load its driver/],
    [F.ENXIO, 'rescan', true, 3, /^vmci0 is not attached \(ENXIO\): only an attached bus can rescan$/],
    [F.EINVAL, 'rescan', true, 4, /refused the request for vmci0 \(EINVAL\)/],
    [F.EIO, 'attach', true, 4, /^attaching vmci0 through \/dev\/devctl2 failed \(EIO\)$/],
    [F.EIO, 'rescan', true, 4, /^rescanning vmci0 through \/dev\/devctl2 failed \(EIO\)$/],
    [F.EACCES, 'rescan', true, 3, /^rescanning vmci0 needs root \(EACCES\)/],
  ];
  for (const [errno, verb, exists, exit, message] of cases) {
    const f = devctlFailure(errno, verb, 'vmci0', exists, F);
    assert.equal(f.exit, exit, f.message);
    assert.match(f.message, message);
  }
});

function standIn(rc = 0) {
  const calls: { path: string; write: boolean; request: number; arg: string }[] = [];
  const lib: DevctlTarget['lib'] = {
    ioctlPath(path, write, request, arg) {
      calls.push({ path, write, request, arg: show(arg) });
      return rc;
    },
  };
  return { lib, calls };
}

test('detach [-f], attach, rescan: one request each on /dev/devctl2 opened read-only, as libdevctl does', () => {
  const k = standIn();
  const t = { lib: k.lib, abi: AMD64 };
  devctlDetach(t, 'vmci0');
  devctlDetach(t, 'vmci0', { force: true });
  devctlAttach(t, 'vmci0');
  devctlRescan({ lib: k.lib, abi: I386 }, 'pci0');
  assert.deepEqual(k.calls, [
    { path: '/dev/devctl2', write: false, request: 0x80984402, arg: name128('vmci0') + zeros(24) },
    { path: '/dev/devctl2', write: false, request: 0x80984402, arg: name128('vmci0') + '01000000' + zeros(20) },
    { path: '/dev/devctl2', write: false, request: 0x80984401, arg: name128('vmci0') + zeros(24) },
    { path: '/dev/devctl2', write: false, request: 0x808c4409, arg: name128('pci0') + zeros(12) },
  ]);
});

test('a refusal becomes a DevctlError (a VmtError); ENOENT is told apart by whether /dev/devctl2 exists', () => {
  const k = standIn(-FREEBSD_ERRNO.ENOENT);
  const t = (exists: boolean) => ({ lib: k.lib, abi: AMD64, errno: FREEBSD_ERRNO, exists: (p: string) => exists && p === '/dev/devctl2' });
  assert.throws(() => devctlDetach(t(true), 'vmci9'), (e: unknown) => e instanceof DevctlError && e instanceof VmtError && e.errno === 2 && e.exit === 3 && /no device vmci9/.test(e.message));
  assert.throws(() => devctlDetach(t(false), 'vmci9'), (e: unknown) => e instanceof DevctlError && /no \/dev\/devctl2/.test(e.message));
  assert.throws(() => devctlAttach(t(true), ''), DeviceNameError, 'a bad name never reaches the kernel');
  assert.equal(k.calls.length, 2);
});
