// NetBSD's /dev/drvctl (drvctl(4)), the device that drvctl(8) drives:
// detach a device (DRVDETACHDEV), rescan a bus so its children attach again
// (DRVRESCANBUS), list a device's children (DRVLISTDEV). The argument structs
// are laid out here byte for byte (sys/sys/drvctlio.h) and handed to libvmt's
// generic ioctl; `drvctl -d vmt0` is detachDevice(t, 'vmt0') and
// `drvctl -r -a cpufeaturebus cpu0` is rescanBus(t, 'cpu0', 'cpufeaturebus'),
// which attaches vmt0 again.
import { Exit, UsageError, VmtError } from '../../cli/exit.js';
import type { Libvmt } from '../../ffi/types.js';
import { errnoName, errnoOf, type Errno } from './errno.js';
import { align, hostAbi, ior, iow, iowr, type BsdAbi } from './ioccom.js';
import { decodeName, encodeName } from './names.js';

export const DRVCTL_PATH = '/dev/drvctl';
/** char devname[16]: names of at most 15 bytes */
export const DEVNAME_SIZE = 16;
/** the kernel refuses more locators with EINVAL; the ones not given are -1 */
export const MAXLOCATORS = 100;
/** devpmargs.flags: resume the whole subtree (drvctl -Q) */
export const DEVPM_F_SUBTREE = 1;

/** struct devdetachargs { char devname[16]; } */
export const DEVDETACHARGS_SIZE = DEVNAME_SIZE;
/** struct devpmargs { char devname[16]; uint32_t flags; } */
export const DEVPMARGS_SIZE = DEVNAME_SIZE + 4;

/** struct devrescanargs { char busname[16]; char ifattr[16]; unsigned int numlocators; int *locators; } */
export function rescanLayout(abi: BsdAbi) {
  const p = abi.pointerSize;
  const locators = align(2 * DEVNAME_SIZE + 4, p); // 4 bytes of padding before the pointer on amd64
  return { busname: 0, ifattr: DEVNAME_SIZE, numlocators: 2 * DEVNAME_SIZE, locators, size: align(locators + p, p) };
}

/** struct devlistargs { char l_devname[16]; char (*l_childname)[16]; size_t l_children; } */
export function listLayout(abi: BsdAbi) {
  const p = abi.pointerSize;
  const childname = align(DEVNAME_SIZE, p);
  return { devname: 0, childname, children: childname + p, size: childname + 2 * p };
}

/** The request numbers on an ABI (those with a pointer in their struct differ between amd64 and i386). */
export function drvctlRequests(abi: BsdAbi = hostAbi()) {
  const plistref = 2 * abi.pointerSize; // struct plistref { void *pref_plist; size_t pref_len; }
  return {
    DRVDETACHDEV: iow('D', 123, DEVDETACHARGS_SIZE),
    DRVRESCANBUS: iow('D', 124, rescanLayout(abi).size),
    DRVCTLCOMMAND: iowr('D', 125, plistref),
    DRVRESUMEDEV: iow('D', 126, DEVPMARGS_SIZE),
    DRVLISTDEV: iowr('D', 127, listLayout(abi).size),
    DRVGETEVENT: ior('D', 128, plistref),
    DRVSUSPENDDEV: iow('D', 129, DEVPMARGS_SIZE),
  } as const;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes a size_t (or a pointer-sized integer) of the ABI. */
function setWord(bytes: Uint8Array, offset: number, value: number, abi: BsdAbi): void {
  if (abi.pointerSize === 8) view(bytes).setBigUint64(offset, BigInt(value), abi.littleEndian);
  else view(bytes).setUint32(offset, value, abi.littleEndian);
}

function getWord(bytes: Uint8Array, offset: number, abi: BsdAbi): number {
  if (abi.pointerSize === 4) return view(bytes).getUint32(offset, abi.littleEndian);
  const v = view(bytes).getBigUint64(offset, abi.littleEndian);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** DRVDETACHDEV's argument: the device's name. */
export function encodeDetach(device: string): Uint8Array {
  return encodeName(device, DEVNAME_SIZE, 'device');
}

/** DRVSUSPENDDEV's and DRVRESUMEDEV's argument (drvctl -S, -R; -Q is -R with the subtree flag). */
export function encodePm(device: string, flags: number, abi: BsdAbi = hostAbi()): Uint8Array {
  const out = new Uint8Array(DEVPMARGS_SIZE);
  out.set(encodeName(device, DEVNAME_SIZE, 'device'));
  view(out).setUint32(DEVNAME_SIZE, flags >>> 0, abi.littleEndian);
  return out;
}

export interface EncodedRescan {
  arg: Uint8Array;
  /** the int array the struct points at (null: no locators, a NULL pointer) */
  locators: Uint8Array | null;
  /** where the pointer to `locators` goes in arg */
  pointerOffset: number;
}

/** Checks locators as the kernel takes them: at most MAXLOCATORS ints. */
export function checkLocators(locators: readonly number[]): void {
  if (locators.length > MAXLOCATORS) throw new UsageError(`${locators.length} locators given; the kernel takes at most ${MAXLOCATORS}`);
  for (const l of locators) {
    if (!Number.isInteger(l) || l < -0x80000000 || l > 0x7fffffff) throw new UsageError(`the locator ${l} is not a 32-bit integer`);
  }
}

/**
 * DRVRESCANBUS's argument: the bus, the interface attribute its children
 * attach at (none or '': the bus's only one), the locators (ints; the
 * kernel fills the ones not given with -1).
 */
export function encodeRescan(bus: string, attr: string | undefined, locators: readonly number[] = [], abi: BsdAbi = hostAbi()): EncodedRescan {
  const layout = rescanLayout(abi);
  checkLocators(locators);
  const arg = new Uint8Array(layout.size);
  arg.set(encodeName(bus, DEVNAME_SIZE, 'bus'), layout.busname);
  if (attr) arg.set(encodeName(attr, DEVNAME_SIZE, 'attribute'), layout.ifattr);
  view(arg).setUint32(layout.numlocators, locators.length, abi.littleEndian);
  let ints: Uint8Array | null = null;
  if (locators.length) {
    ints = new Uint8Array(4 * locators.length);
    locators.forEach((l, i) => view(ints!).setInt32(4 * i, l, abi.littleEndian));
  }
  return { arg, locators: ints, pointerOffset: layout.locators };
}

/**
 * DRVLISTDEV's argument: the device whose children to list (none: the root's,
 * the devices without a parent) and how many names the buffer holds. The
 * pointer to the buffer stays NULL here (capacity 0 asks only for the count).
 */
export function encodeList(device: string | undefined, capacity: number, abi: BsdAbi = hostAbi()): Uint8Array {
  const layout = listLayout(abi);
  const arg = new Uint8Array(layout.size);
  if (device !== undefined) arg.set(encodeName(device, DEVNAME_SIZE, 'device'), layout.devname);
  setWord(arg, layout.children, capacity, abi);
  return arg;
}

/** The kernel's answer in l_children: how many children there are (more than the buffer held, when it grew). */
export function decodeListCount(arg: Uint8Array, abi: BsdAbi = hostAbi()): number {
  return getWord(arg, listLayout(abi).children, abi);
}

/** The first `count` names of DRVLISTDEV's buffer (16 bytes each, NUL-terminated). */
export function decodeListNames(names: Uint8Array, count: number): string[] {
  const n = Math.min(count, Math.floor(names.length / DEVNAME_SIZE));
  return Array.from({ length: n }, (_, i) => decodeName(names.subarray(i * DEVNAME_SIZE, (i + 1) * DEVNAME_SIZE)));
}

export type DrvctlOp = { verb: 'detach'; device: string } | { verb: 'rescan'; bus: string; attr?: string } | { verb: 'list'; device?: string };

export interface Failure {
  message: string;
  exit: number;
}

/** What a failed /dev/drvctl request means and what to do (errno as the kernel numbers it). */
export function drvctlFailure(errno: number, op: DrvctlOp, table: Errno = errnoOf()): Failure {
  const E = table;
  const name = errnoName(errno, table);
  const unavailable = (message: string): Failure => ({ message, exit: Exit.UNAVAILABLE });
  const failed = (message: string): Failure => ({ message, exit: Exit.FAILED });
  const what = op.verb === 'detach' ? `detaching ${op.device}` : op.verb === 'rescan' ? `rescanning ${op.bus}` : `listing the children of ${op.device ?? 'the root'}`;
  if (errno === E.ENOENT) {
    return unavailable(`there is no ${DRVCTL_PATH} (ENOENT): this is not NetBSD, or its kernel was built without 'pseudo-device drvctl'`);
  }
  if (errno === E.EACCES || errno === E.EPERM) {
    const mode = op.verb === 'list' ? 'reading' : 'writing';
    return unavailable(`cannot open ${DRVCTL_PATH} for ${mode} (${name}): ${what} needs root; run vmt as root`);
  }
  if (errno === E.ENOTTY) return unavailable(`${DRVCTL_PATH} does not know this request (ENOTTY): this kernel's drvctl differs from NetBSD's; use drvctl(8)`);
  switch (op.verb) {
    case 'detach':
      if (errno === E.ENXIO) return unavailable(`there is no device ${op.device} (ENXIO): it is detached already, or named otherwise (list them: drvctl -l -t)`);
      if (errno === E.ENOTSUP) {
        return unavailable(`${op.device} cannot be detached: its parent bus cannot be told about detached children (ENOTSUP), so NetBSD refuses; it stays attached`);
      }
      if (errno === E.EOPNOTSUPP) return unavailable(`${op.device} cannot be detached: its driver has no detach routine (EOPNOTSUPP); it stays attached`);
      if (errno === E.EBUSY) return failed(`${op.device} is in use, and its driver refused to detach (EBUSY): stop what uses it (unmount, ifconfig down, its daemon), then try again`);
      break;
    case 'rescan':
      if (errno === E.ENXIO) return unavailable(`there is no bus ${op.bus} (ENXIO): name the device the detached one was attached at (list them: drvctl -l -t)`);
      if (errno === E.ENODEV) return unavailable(`${op.bus} cannot rescan (ENODEV): its driver has no rescan routine or nothing attaches at it, so its children come back only with a reboot`);
      if (errno === E.EINVAL && op.attr) {
        return { exit: Exit.USAGE, message: `${op.bus} has no attachment point '${op.attr}' (EINVAL): name one of its interface attributes (vmt attaches at cpu0's cpufeaturebus)` };
      }
      if (errno === E.EINVAL) return { exit: Exit.USAGE, message: `${op.bus} has more than one attachment point (EINVAL): name one with -a ATTR (vmt: drvctl -r -a cpufeaturebus cpu0)` };
      if (errno === E.EBUSY) return failed(`${op.bus} is busy and refused to rescan (EBUSY); try again`);
      break;
    case 'list':
      if (errno === E.ENXIO) return unavailable(`there is no device ${op.device ?? '(root)'} (ENXIO): list them all with drvctl -l -t`);
      break;
  }
  return failed(`${what} through ${DRVCTL_PATH} failed (${name})`);
}

/** A failed /dev/drvctl request: the message names the cause and what to do. */
export class DrvctlError extends VmtError {
  constructor(
    message: string,
    readonly errno: number,
    exit: number,
  ) {
    super(message, exit);
  }
}

/** Where the requests go: libvmt (or a stand-in), the ABI, the file, the errno numbering. */
export interface DrvctlTarget {
  lib: Pick<Libvmt, 'ioctlPath' | 'ioctlPathBuf'>;
  abi?: BsdAbi;
  path?: string;
  errno?: Errno;
}

function check(t: DrvctlTarget, rc: number, op: DrvctlOp): void {
  if (rc >= 0) return;
  const f = drvctlFailure(-rc, op, t.errno ?? errnoOf());
  throw new DrvctlError(f.message, -rc, f.exit);
}

/** drvctl -d DEVICE. */
export function detachDevice(t: DrvctlTarget, device: string): void {
  const abi = t.abi ?? hostAbi();
  const rc = t.lib.ioctlPath(t.path ?? DRVCTL_PATH, true, drvctlRequests(abi).DRVDETACHDEV, encodeDetach(device));
  check(t, rc, { verb: 'detach', device });
}

/** drvctl -r [-a ATTR] BUS [LOCATOR ...]. */
export function rescanBus(t: DrvctlTarget, bus: string, attr?: string, locators: readonly number[] = []): void {
  const abi = t.abi ?? hostAbi();
  const e = encodeRescan(bus, attr, locators, abi);
  const request = drvctlRequests(abi).DRVRESCANBUS;
  const path = t.path ?? DRVCTL_PATH;
  const rc = e.locators ? t.lib.ioctlPathBuf(path, true, request, e.arg, e.pointerOffset, e.locators) : t.lib.ioctlPath(path, true, request, e.arg);
  check(t, rc, { verb: 'rescan', bus, ...(attr ? { attr } : {}) });
}

/** How often listChildren asks again when the children grew between the count and the names. */
const LIST_TRIES = 4;

/** drvctl -l [DEVICE]: the children's names (of the root when device is undefined), in the kernel's order. */
export function listChildren(t: DrvctlTarget, device?: string): string[] {
  const abi = t.abi ?? hostAbi();
  const request = drvctlRequests(abi).DRVLISTDEV;
  const path = t.path ?? DRVCTL_PATH;
  const op: DrvctlOp = device === undefined ? { verb: 'list' } : { verb: 'list', device };
  let capacity = 0;
  for (let i = 0; i < LIST_TRIES; i++) {
    const arg = encodeList(device, capacity, abi);
    const names = new Uint8Array(Math.max(capacity, 1) * DEVNAME_SIZE);
    const rc = capacity === 0 ? t.lib.ioctlPath(path, false, request, arg) : t.lib.ioctlPathBuf(path, false, request, arg, listLayout(abi).childname, names);
    check(t, rc, op);
    const count = decodeListCount(arg, abi);
    if (count <= capacity || count === 0) return decodeListNames(names, count);
    capacity = count + 8; // room for a few more appearing before the next ask
  }
  throw new DrvctlError(`the children of ${device ?? 'the root'} kept changing while vmt listed them; try again`, 0, Exit.FAILED);
}

export interface TreeEntry {
  name: string;
  /** null: a child of the root */
  parent: string | null;
  depth: number;
}

/** drvctl -l -t [DEVICE]: every device below `root` (the whole tree), depth first as drvctl prints it. */
export function deviceTree(t: DrvctlTarget, root?: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const seen = new Set<string>();
  const walk = (dev: string | undefined, depth: number) => {
    for (const name of listChildren(t, dev)) {
      if (seen.has(name)) continue; // a device is listed once; a loop would be the kernel's bug, not a hang
      seen.add(name);
      out.push({ name, parent: dev ?? null, depth });
      walk(name, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

/** The device `device` is attached at: a name, null for a child of the root, undefined when it is not attached. */
export function parentOf(t: DrvctlTarget, device: string): string | null | undefined {
  return deviceTree(t).find((e) => e.name === device)?.parent;
}

/**
 * How a detached device attaches again: the rescan of its parent. vmt(4)
 * attaches at cpu0's cpufeaturebus (`drvctl -r -a cpufeaturebus cpu0`);
 * another device at its parent's only attribute, or undefined without a parent.
 */
export function reattachment(device: string, parent: string | null | undefined): { bus: string; attr?: string } | undefined {
  if (/^vmt[0-9]+$/.test(device)) return { bus: parent ?? 'cpu0', attr: 'cpufeaturebus' };
  return parent ? { bus: parent } : undefined;
}
