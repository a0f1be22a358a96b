// NetBSD /dev/drvctl: request numbers, byte-exact argument structs on amd64
// and i386, name checks, DRVLISTDEV's answer, errno messages, and the
// detach/rescan/list calls against a stand-in kernel (no BSD runs here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError, VmtError } from '../../src/cli/exit.js';
import {
  decodeListCount, decodeListNames, deviceTree, DEVPM_F_SUBTREE, detachDevice, DrvctlError, drvctlFailure, drvctlRequests, encodeDetach,
  encodeList, encodePm, encodeRescan, listChildren, listLayout, parentOf, reattachment, rescanBus, rescanLayout, type DrvctlTarget,
} from '../../src/devices/bsd/drvctl.js';
import { errnoName, FREEBSD_ERRNO, LINUX_ERRNO, NETBSD_ERRNO } from '../../src/devices/bsd/errno.js';
import { AMD64, hostAbi, I386, ioc, IOC_INOUT, type BsdAbi } from '../../src/devices/bsd/ioccom.js';
import { DeviceNameError } from '../../src/devices/bsd/names.js';

/** bytes from hex, spaces ignored */
const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));
/** a name's bytes padded with NULs to 16 */
const name16 = (s: string) => Buffer.from(s.padEnd(16, '\0'), 'latin1').toString('hex');
const zeros = (n: number) => '00'.repeat(n);
const show = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('ioctl encoding: dir | (len & 0x1fff) << 16 | group << 8 | num, as an unsigned 32-bit number', () => {
  assert.equal(ioc(IOC_INOUT, 'D', 127, 32), 0xc020447f);
  assert.equal(ioc(0x20000000, 'D', 1, 0), 0x20004401);
  assert.throws(() => ioc(IOC_INOUT, 'DD', 1, 0), RangeError);
  assert.throws(() => ioc(IOC_INOUT, 'D', 1, 0x2000), RangeError);
});

test('the request numbers on amd64 (sys/sys/drvctlio.h)', () => {
  assert.deepEqual(drvctlRequests(AMD64), {
    DRVDETACHDEV: 0x8010447b, DRVRESCANBUS: 0x8030447c, DRVCTLCOMMAND: 0xc010447d, DRVRESUMEDEV: 0x8014447e,
    DRVLISTDEV: 0xc020447f, DRVGETEVENT: 0x40104480, DRVSUSPENDDEV: 0x80144481,
  });
});

test('the request numbers on i386: those with a pointer in their struct are smaller', () => {
  assert.deepEqual(drvctlRequests(I386), {
    DRVDETACHDEV: 0x8010447b, DRVRESCANBUS: 0x8028447c, DRVCTLCOMMAND: 0xc008447d, DRVRESUMEDEV: 0x8014447e,
    DRVLISTDEV: 0xc018447f, DRVGETEVENT: 0x40084480, DRVSUSPENDDEV: 0x80144481,
  });
});

test('struct layouts: devrescanargs pads 4 bytes before the pointer on amd64 only; devlistargs', () => {
  assert.deepEqual(rescanLayout(AMD64), { busname: 0, ifattr: 16, numlocators: 32, locators: 40, size: 48 });
  assert.deepEqual(rescanLayout(I386), { busname: 0, ifattr: 16, numlocators: 32, locators: 36, size: 40 });
  assert.deepEqual(listLayout(AMD64), { devname: 0, childname: 16, children: 24, size: 32 });
  assert.deepEqual(listLayout(I386), { devname: 0, childname: 16, children: 20, size: 24 });
});

test('the host ABI: 8-byte pointers on x64 and arm64, 4 on ia32 and arm', () => {
  assert.equal(hostAbi('x64').pointerSize, 8);
  assert.equal(hostAbi('arm64').pointerSize, 8);
  assert.equal(hostAbi('ia32').pointerSize, 4);
  assert.equal(hostAbi('arm').pointerSize, 4);
  assert.equal(hostAbi('x64', false).littleEndian, false);
});

test('DRVDETACHDEV: the name NUL-padded to 16 bytes', () => {
  assert.equal(show(encodeDetach('vmt0')), '766d7430' + zeros(12));
  assert.equal(show(encodeDetach('abcdefghijklmno')), name16('abcdefghijklmno'), '15 bytes and the NUL');
});

test('names: empty, longer than 15 bytes (UTF-8), or holding a NUL are refused as usage errors', () => {
  const refused = (f: () => unknown, pattern: RegExp) =>
    assert.throws(f, (err: unknown) => err instanceof DeviceNameError && err instanceof UsageError && err.exit === 2 && pattern.test(err.message));
  refused(() => encodeDetach(''), /^the device name is empty$/);
  refused(() => encodeDetach('abcdefghijklmnop'), /^the device name "abcdefghijklmnop" is 16 bytes long; the kernel takes at most 15$/);
  refused(() => encodeDetach('é'.repeat(8)), /is 16 bytes long/);
  refused(() => encodeDetach('vmt\u00000'), /holds a NUL character/);
  refused(() => encodeRescan('', undefined), /^the bus name is empty$/);
  refused(() => encodeRescan('cpu0', 'cpufeaturebus-long'), /^the attribute name "cpufeaturebus-long" is 18 bytes long/);
  refused(() => encodeList('x'.repeat(16), 0, AMD64), /device name/);
  refused(() => encodePm('', 0), /device name is empty/);
});

test('DRVRESCANBUS on amd64: busname, ifattr, numlocators, 4 bytes of padding, a NULL pointer without locators', () => {
  const e = encodeRescan('cpu0', 'cpufeaturebus', [], AMD64);
  assert.equal(show(e.arg), name16('cpu0') + name16('cpufeaturebus') + zeros(4) + zeros(4) + zeros(8));
  assert.equal(e.locators, null);
  assert.equal(e.pointerOffset, 40);
});

test('DRVRESCANBUS on i386: the pointer right after numlocators, 40 bytes', () => {
  const e = encodeRescan('cpu0', 'cpufeaturebus', [], I386);
  assert.equal(show(e.arg), name16('cpu0') + name16('cpufeaturebus') + zeros(4) + zeros(4));
  assert.equal(e.pointerOffset, 36);
});

test('DRVRESCANBUS: no attribute (or an empty one) leaves ifattr zero, the bus\'s only attribute', () => {
  assert.equal(show(encodeRescan('pci0', undefined, [], AMD64).arg), name16('pci0') + zeros(32));
  assert.equal(show(encodeRescan('pci0', '', [], AMD64).arg), name16('pci0') + zeros(32));
});

test('DRVRESCANBUS with locators: their count in the struct, little-endian ints in the second buffer', () => {
  const e = encodeRescan('pci0', 'pci', [1, -1, 3], AMD64);
  assert.equal(show(e.arg), name16('pci0') + name16('pci') + '03000000' + zeros(4) + zeros(8));
  assert.equal(show(e.locators!), '01000000' + 'ffffffff' + '03000000');
  const i386 = encodeRescan('pci0', 'pci', [7], I386);
  assert.equal(show(i386.arg), name16('pci0') + name16('pci') + '01000000' + zeros(4));
  assert.equal(show(i386.locators!), '07000000');
});

test('DRVRESCANBUS: at most 100 locators, each a C int', () => {
  assert.equal(encodeRescan('pci0', undefined, new Array(100).fill(0), AMD64).locators!.length, 400);
  assert.throws(() => encodeRescan('pci0', undefined, new Array(101).fill(0), AMD64), (e: unknown) => e instanceof UsageError && /101 locators given; the kernel takes at most 100/.test(e.message));
  assert.throws(() => encodeRescan('pci0', undefined, [2 ** 31], AMD64), /not a 32-bit integer/);
  assert.throws(() => encodeRescan('pci0', undefined, [0.5], AMD64), /not a 32-bit integer/);
});

test('DRVLISTDEV: name (none: the root), NULL pointer, l_children the capacity as a size_t', () => {
  assert.equal(show(encodeList(undefined, 0, AMD64)), zeros(32));
  assert.equal(show(encodeList('mainbus0', 5, AMD64)), name16('mainbus0') + zeros(8) + '0500000000000000');
  assert.equal(show(encodeList('mainbus0', 5, I386)), name16('mainbus0') + zeros(4) + '05000000');
  const bigEndian: BsdAbi = { name: 'sparc64', pointerSize: 8, littleEndian: false };
  assert.equal(show(encodeList(undefined, 5, bigEndian)), zeros(24) + '0000000000000005');
});

test('DRVLISTDEV\'s answer: the count from l_children, names 16 bytes apart up to their NUL', () => {
  assert.equal(decodeListCount(hex(zeros(24) + '0700000000000000'), AMD64), 7);
  assert.equal(decodeListCount(hex(zeros(20) + '07000000'), I386), 7);
  const names = hex(name16('cpu0') + name16('abcdefghijklmno') + name16('pci0'));
  assert.deepEqual(decodeListNames(names, 3), ['cpu0', 'abcdefghijklmno', 'pci0']);
  assert.deepEqual(decodeListNames(names, 2), ['cpu0', 'abcdefghijklmno']);
  assert.deepEqual(decodeListNames(names, 9), ['cpu0', 'abcdefghijklmno', 'pci0'], 'never past the buffer');
  assert.deepEqual(decodeListNames(new Uint8Array(0), 0), []);
  assert.deepEqual(decodeListNames(hex('61'.repeat(16)), 1), ['a'.repeat(16)], 'no NUL: all 16 bytes');
});

test('DRVSUSPENDDEV/DRVRESUMEDEV: the name and a uint32 of flags', () => {
  assert.equal(show(encodePm('wm0', 0, AMD64)), name16('wm0') + zeros(4));
  assert.equal(show(encodePm('wm0', DEVPM_F_SUBTREE, I386)), name16('wm0') + '01000000');
});

test('errno numbers: NetBSD keeps ENOTSUP (86) and EOPNOTSUPP (45) apart; FreeBSD and Linux do not', () => {
  assert.equal(errnoName(86, NETBSD_ERRNO), 'ENOTSUP');
  assert.equal(errnoName(45, NETBSD_ERRNO), 'EOPNOTSUPP');
  assert.equal(errnoName(45, FREEBSD_ERRNO), 'EOPNOTSUPP');
  assert.equal(errnoName(95, LINUX_ERRNO), 'EOPNOTSUPP');
  assert.equal(errnoName(86, LINUX_ERRNO), 'errno 86');
  assert.equal(errnoName(6, NETBSD_ERRNO), 'ENXIO');
});

test('drvctl failures: each errno names its cause and what to do, with an exit status', () => {
  const N = NETBSD_ERRNO;
  const detach = { verb: 'detach', device: 'vmt0' } as const;
  const rescan = { verb: 'rescan', bus: 'cpu0', attr: 'cpufeaturebus' } as const;
  const cases: [number, Parameters<typeof drvctlFailure>[1], number, RegExp][] = [
    [N.ENOENT, detach, 3, /^there is no \/dev\/drvctl \(ENOENT\): this is not NetBSD, or its kernel was built without 'pseudo-device drvctl'$/],
    [N.EACCES, detach, 3, /^cannot open \/dev\/drvctl for writing \(EACCES\): detaching vmt0 needs root; run vmt as root$/],
    [N.EPERM, { verb: 'list' }, 3, /^cannot open \/dev\/drvctl for reading \(EPERM\): listing the children of the root needs root/],
    [N.ENOTTY, detach, 3, /does not know this request \(ENOTTY\)/],
    [N.ENXIO, detach, 3, /^there is no device vmt0 \(ENXIO\): it is detached already, or named otherwise \(list them: drvctl -l -t\)$/],
    [N.ENOTSUP, detach, 3, /^vmt0 cannot be detached: its parent bus cannot be told about detached children \(ENOTSUP\), so NetBSD refuses; it stays attached$/],
    [N.EOPNOTSUPP, detach, 3, /^vmt0 cannot be detached: its driver has no detach routine \(EOPNOTSUPP\); it stays attached$/],
    [N.EBUSY, detach, 4, /^vmt0 is in use, and its driver refused to detach \(EBUSY\): stop what uses it/],
    [N.EIO, detach, 4, /^detaching vmt0 through \/dev\/drvctl failed \(EIO\)$/],
    [N.ENXIO, rescan, 3, /^there is no bus cpu0 \(ENXIO\)/],
    [N.ENODEV, rescan, 3, /^cpu0 cannot rescan \(ENODEV\): its driver has no rescan routine or nothing attaches at it/],
    [N.EINVAL, rescan, 2, /^cpu0 has no attachment point 'cpufeaturebus' \(EINVAL\): name one of its interface attributes/],
    [N.EINVAL, { verb: 'rescan', bus: 'pci0' }, 2, /^pci0 has more than one attachment point \(EINVAL\): name one with -a ATTR \(vmt: drvctl -r -a cpufeaturebus cpu0\)$/],
    [N.EBUSY, rescan, 4, /^cpu0 is busy and refused to rescan \(EBUSY\)/],
    [N.EFAULT, rescan, 4, /^rescanning cpu0 through \/dev\/drvctl failed \(EFAULT\)$/],
    [N.ENXIO, { verb: 'list', device: 'pci9' }, 3, /^there is no device pci9 \(ENXIO\)/],
    [N.EINVAL, { verb: 'list', device: 'pci9' }, 4, /^listing the children of pci9 through \/dev\/drvctl failed \(EINVAL\)$/],
  ];
  for (const [errno, op, exit, message] of cases) {
    const f = drvctlFailure(errno, op, N);
    assert.equal(f.exit, exit, `${errno} ${JSON.stringify(op)}: ${f.message}`);
    assert.match(f.message, message);
  }
});

// A stand-in for NetBSD's kernel behind libvmt's two ioctl entries: a device tree, and the calls it saw.
interface Call {
  path: string;
  write: boolean;
  request: number;
  arg: string;
  ptrOffset?: number;
  buf?: string;
}

function standIn(abi: BsdAbi, tree: Record<string, string[]>, rc: Partial<Record<'detach' | 'rescan', number>> = {}) {
  const calls: Call[] = [];
  const req = drvctlRequests(abi);
  const layout = listLayout(abi);
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const list = (arg: Uint8Array, buf?: Uint8Array): number => {
    const end = arg.indexOf(0);
    const name = Buffer.from(arg.subarray(0, end < 0 ? 16 : end)).toString('latin1');
    const children = tree[name === '' ? '(root)' : name];
    if (!children) return -6;
    const capacity = decodeListCount(arg, abi);
    if (buf) children.slice(0, capacity).forEach((c, i) => buf.set(Buffer.from(`${c}\0`, 'latin1'), 16 * i));
    if (abi.pointerSize === 8) dv(arg).setBigUint64(layout.children, BigInt(children.length), abi.littleEndian);
    else dv(arg).setUint32(layout.children, children.length, abi.littleEndian);
    return 0;
  };
  const lib: DrvctlTarget['lib'] = {
    ioctlPath(path, write, request, arg) {
      calls.push({ path, write, request, arg: show(arg) });
      if (request === req.DRVLISTDEV) return list(arg);
      if (request === req.DRVDETACHDEV) return rc.detach ?? 0;
      if (request === req.DRVRESCANBUS) return rc.rescan ?? 0;
      return -25;
    },
    ioctlPathBuf(path, write, request, arg, ptrOffset, buf) {
      calls.push({ path, write, request, arg: show(arg), ptrOffset, buf: show(buf) });
      if (request === req.DRVLISTDEV) return list(arg, buf);
      if (request === req.DRVRESCANBUS) return rc.rescan ?? 0;
      return -25;
    },
  };
  return { lib, calls, tree };
}

const TREE = { '(root)': ['mainbus0'], mainbus0: ['cpu0', 'pci0'], cpu0: ['vmt0'], pci0: [], vmt0: [] };

for (const abi of [AMD64, I386]) {
  test(`${abi.name}: drvctl -d vmt0 is DRVDETACHDEV on /dev/drvctl opened read-write`, () => {
    const k = standIn(abi, TREE);
    detachDevice({ lib: k.lib, abi }, 'vmt0');
    assert.deepEqual(k.calls, [{ path: '/dev/drvctl', write: true, request: 0x8010447b, arg: name16('vmt0') }]);
  });

  test(`${abi.name}: drvctl -r -a cpufeaturebus cpu0 is DRVRESCANBUS with a NULL locator pointer`, () => {
    const k = standIn(abi, TREE);
    rescanBus({ lib: k.lib, abi }, 'cpu0', 'cpufeaturebus');
    const size = rescanLayout(abi).size;
    assert.deepEqual(k.calls, [{ path: '/dev/drvctl', write: true, request: drvctlRequests(abi).DRVRESCANBUS, arg: name16('cpu0') + name16('cpufeaturebus') + zeros(size - 32) }]);
  });

  test(`${abi.name}: a rescan with locators hands libvmt the int array and where its pointer goes`, () => {
    const k = standIn(abi, TREE);
    rescanBus({ lib: k.lib, abi }, 'pci0', undefined, [0, -1]);
    assert.equal(k.calls.length, 1);
    assert.equal(k.calls[0]!.ptrOffset, abi.pointerSize === 8 ? 40 : 36);
    assert.equal(k.calls[0]!.buf, '00000000' + 'ffffffff');
  });

  test(`${abi.name}: drvctl -l asks for the count, then the names; read-only`, () => {
    const k = standIn(abi, TREE);
    assert.deepEqual(listChildren({ lib: k.lib, abi }, 'mainbus0'), ['cpu0', 'pci0']);
    assert.equal(k.calls.length, 2);
    assert.ok(k.calls.every((c) => c.request === drvctlRequests(abi).DRVLISTDEV && c.write === false && c.path === '/dev/drvctl'));
    assert.equal(k.calls[0]!.ptrOffset, undefined, 'the count with a NULL pointer');
    assert.equal(k.calls[1]!.ptrOffset, 16);
    assert.deepEqual(listChildren({ lib: k.lib, abi }), ['mainbus0'], 'the root\'s children');
    assert.deepEqual(listChildren({ lib: k.lib, abi }, 'pci0'), [], 'no children: one call');
  });

  test(`${abi.name}: drvctl -l -t: the whole tree depth first; a device's parent; how it attaches again`, () => {
    const k = standIn(abi, TREE);
    const t = { lib: k.lib, abi };
    assert.deepEqual(deviceTree(t), [
      { name: 'mainbus0', parent: null, depth: 0 },
      { name: 'cpu0', parent: 'mainbus0', depth: 1 },
      { name: 'vmt0', parent: 'cpu0', depth: 2 },
      { name: 'pci0', parent: 'mainbus0', depth: 1 },
    ]);
    assert.deepEqual(deviceTree(t, 'cpu0'), [{ name: 'vmt0', parent: 'cpu0', depth: 0 }]);
    assert.equal(parentOf(t, 'vmt0'), 'cpu0');
    assert.equal(parentOf(t, 'mainbus0'), null);
    assert.equal(parentOf(t, 'wm0'), undefined);
  });
}

test('the names are asked for with room for 8 more than counted; a list that outgrew even that is asked again', () => {
  const k = standIn(AMD64, { ...TREE, pci0: ['wm0', 'wm1'] });
  const lib = k.lib;
  let n = 0;
  const growing: DrvctlTarget['lib'] = {
    ioctlPath: lib.ioctlPath,
    ioctlPathBuf: (...a) => {
      if (n++ === 0) for (let i = 2; i < 12; i++) k.tree.pci0!.push(`wm${i}`); // ten attach after the count
      return lib.ioctlPathBuf(...a);
    },
  };
  const all = Array.from({ length: 12 }, (_, i) => `wm${i}`);
  assert.deepEqual(listChildren({ lib: growing, abi: AMD64 }, 'pci0'), all);
  assert.equal(k.calls.length, 3);
  assert.equal(decodeListCount(hex(k.calls[1]!.arg), AMD64), 10, 'the count (2) and 8 more');
  assert.equal(k.calls[1]!.buf!.length / 2, 16 * 10);
  assert.equal(decodeListCount(hex(k.calls[2]!.arg), AMD64), 20, 'then the new count (12) and 8 more');
  assert.equal(k.calls[2]!.buf!.length / 2, 16 * 20);
});

test('a list that keeps growing ends in a failure, not a loop', () => {
  const k = standIn(AMD64, { pci0: ['wm0'] });
  const lib = k.lib;
  const endless: DrvctlTarget['lib'] = {
    ioctlPath: lib.ioctlPath,
    ioctlPathBuf: (...a) => {
      for (let i = 0; i < 20; i++) k.tree.pci0!.push(`x${k.tree.pci0!.length}`);
      return lib.ioctlPathBuf(...a);
    },
  };
  assert.throws(() => listChildren({ lib: endless, abi: AMD64 }, 'pci0'), (e: unknown) => e instanceof DrvctlError && e.exit === 4 && /kept changing/.test(e.message));
});

test('the kernel\'s errno becomes a DrvctlError (a VmtError) with the message and exit status', () => {
  const k = standIn(AMD64, TREE, { detach: -NETBSD_ERRNO.ENOTSUP, rescan: -NETBSD_ERRNO.ENODEV });
  const t = { lib: k.lib, abi: AMD64, errno: NETBSD_ERRNO };
  assert.throws(() => detachDevice(t, 'vmt0'), (e: unknown) => e instanceof DrvctlError && e instanceof VmtError && e.errno === 86 && e.exit === 3 && /ENOTSUP/.test(e.message));
  assert.throws(() => rescanBus(t, 'cpu0', 'cpufeaturebus'), (e: unknown) => e instanceof DrvctlError && e.errno === 19 && /cpu0 cannot rescan/.test(e.message));
  assert.throws(() => listChildren(t, 'nope0'), (e: unknown) => e instanceof DrvctlError && e.errno === 6 && /there is no device nope0/.test(e.message));
  assert.throws(() => detachDevice(t, ''), DeviceNameError, 'a bad name never reaches the kernel');
  assert.equal(k.calls.length, 3);
});

test('reattachment: vmt at cpu0\'s cpufeaturebus; another device at its parent\'s only attribute', () => {
  assert.deepEqual(reattachment('vmt0', 'cpu0'), { bus: 'cpu0', attr: 'cpufeaturebus' });
  assert.deepEqual(reattachment('vmt0', undefined), { bus: 'cpu0', attr: 'cpufeaturebus' });
  assert.deepEqual(reattachment('wm0', 'pci0'), { bus: 'pci0' });
  assert.equal(reattachment('mainbus0', null), undefined);
  assert.equal(reattachment('vmtx', undefined), undefined);
});
