// FreeBSD's /dev/devctl2, the device that devctl(8) (through libdevctl)
// drives: detach, attach and rescan a device by name. Each request carries a
// struct devreq (sys/sys/bus.h):
//
//   struct devreq {
//       char dr_name[128];                   @0
//       int  dr_flags;                       @128
//       union { struct devreq_buffer { void *buffer; size_t length; } dru_buffer;
//               void *dru_data; } dr_dru;    @136 amd64 (4 bytes of padding first), @132 i386
//   };                                       152 bytes amd64, 140 i386
//
//   DEV_ATTACH _IOW('D', 1, struct devreq) = 0x80984401 amd64, 0x808c4401 i386
//   DEV_DETACH _IOW('D', 2, struct devreq) = 0x80984402,       0x808c4402
//   DEV_RESCAN _IOW('D', 9, struct devreq) = 0x80984409,       0x808c4409
//   (IOC_IN 0x80000000 | 152 = 0x98 or 140 = 0x8c at 16 | 'D' = 0x44 at 8 | number)
//
// These three use only dr_name and dr_flags (DEVF_FORCE_DETACH = 1 for
// `devctl detach -f`); the union stays zero. libdevctl opens /dev/devctl2
// read-only; the kernel checks PRIV_DRIVER (root) on each request and looks
// the name up (ENOENT when no device has it).
import { existsSync } from 'node:fs';
import { Exit, VmtError } from '../../cli/exit.js';
import type { Libvmt } from '../../ffi/types.js';
import { errnoName, errnoOf, type Errno } from './errno.js';
import { align, hostAbi, iow, type BsdAbi } from './ioccom.js';
import { encodeName } from './names.js';

export const DEVCTL2_PATH = '/dev/devctl2';
/** char dr_name[128]: names of at most 127 bytes */
export const DR_NAME_SIZE = 128;
/** dr_flags of DEV_DETACH: detach without asking the driver to quiesce first (devctl detach -f) */
export const DEVF_FORCE_DETACH = 1;

export function devreqLayout(abi: BsdAbi) {
  const p = abi.pointerSize;
  const dru = align(DR_NAME_SIZE + 4, p);
  return { name: 0, flags: DR_NAME_SIZE, dru, size: align(dru + 2 * p, p) };
}

export function devctlRequests(abi: BsdAbi = hostAbi()) {
  const size = devreqLayout(abi).size;
  return { DEV_ATTACH: iow('D', 1, size), DEV_DETACH: iow('D', 2, size), DEV_RESCAN: iow('D', 9, size) } as const;
}

/** A struct devreq for name with flags (the union zero). */
export function encodeDevreq(name: string, flags: number, abi: BsdAbi = hostAbi()): Uint8Array {
  const layout = devreqLayout(abi);
  const out = new Uint8Array(layout.size);
  out.set(encodeName(name, DR_NAME_SIZE, 'device'), layout.name);
  new DataView(out.buffer).setInt32(layout.flags, flags | 0, abi.littleEndian);
  return out;
}

export type DevctlVerb = 'detach' | 'attach' | 'rescan';

const DOING: Record<DevctlVerb, string> = { detach: 'detaching', attach: 'attaching', rescan: 'rescanning' };

/** What a failed /dev/devctl2 request means and what to do. `devctl2Exists` tells the two ENOENTs apart. */
export function devctlFailure(errno: number, verb: DevctlVerb, device: string, devctl2Exists: boolean, table: Errno = errnoOf()): { message: string; exit: number } {
  const E = table;
  const name = errnoName(errno, table);
  const unavailable = (message: string) => ({ message, exit: Exit.UNAVAILABLE });
  const failed = (message: string) => ({ message, exit: Exit.FAILED });
  if (errno === E.ENOENT && !devctl2Exists) return unavailable(`there is no ${DEVCTL2_PATH} (ENOENT): this is not FreeBSD, or its kernel has no devctl2 (devctl(8) needs it too)`);
  if (errno === E.ENOENT) return unavailable(`there is no device ${device} (ENOENT): list them with devinfo(8)`);
  if (errno === E.EPERM || errno === E.EACCES) return unavailable(`${DOING[verb]} ${device} needs root (${name}): run vmt as root`);
  if (errno === E.ENOTTY) return unavailable(`${DEVCTL2_PATH} does not know this request (ENOTTY): this kernel differs from FreeBSD's; use devctl(8)`);
  if (errno === E.EINVAL) return failed(`the kernel refused the request for ${device} (EINVAL)`);
  switch (verb) {
    case 'detach':
      if (errno === E.ENXIO) return unavailable(`${device} is not attached (ENXIO): nothing to detach`);
      if (errno === E.EBUSY) return failed(`${device} is in use (EBUSY): stop what uses it and try again, or force it (devctl detach -f)`);
      if (errno === E.EOPNOTSUPP) return unavailable(`${device}'s driver cannot detach (${name}); it stays attached`);
      break;
    case 'attach':
      if (errno === E.EBUSY) return { message: `${device} is attached already (EBUSY)`, exit: Exit.NO };
      if (errno === E.ENXIO) return unavailable(`${device} is disabled, or no driver claims it (ENXIO): enable it (devctl enable ${device}) or load its driver (kldload)`);
      break;
    case 'rescan':
      if (errno === E.ENXIO) return unavailable(`${device} is not attached (ENXIO): only an attached bus can rescan`);
      break;
  }
  return failed(`${DOING[verb]} ${device} through ${DEVCTL2_PATH} failed (${name})`);
}

export class DevctlError extends VmtError {
  constructor(
    message: string,
    readonly errno: number,
    exit: number,
  ) {
    super(message, exit);
  }
}

export interface DevctlTarget {
  lib: Pick<Libvmt, 'ioctlPath'>;
  abi?: BsdAbi;
  path?: string;
  errno?: Errno;
  /** whether a path exists (tells "no /dev/devctl2" from "no such device", both ENOENT) */
  exists?: (path: string) => boolean;
}

function request(t: DevctlTarget, verb: DevctlVerb, device: string, flags: number): void {
  const abi = t.abi ?? hostAbi();
  const path = t.path ?? DEVCTL2_PATH;
  const req = devctlRequests(abi);
  const number = verb === 'detach' ? req.DEV_DETACH : verb === 'attach' ? req.DEV_ATTACH : req.DEV_RESCAN;
  const rc = t.lib.ioctlPath(path, false, number, encodeDevreq(device, flags, abi));
  if (rc >= 0) return;
  const f = devctlFailure(-rc, verb, device, (t.exists ?? existsSync)(path), t.errno ?? errnoOf());
  throw new DevctlError(f.message, -rc, f.exit);
}

/** devctl detach [-f] DEVICE. */
export function devctlDetach(t: DevctlTarget, device: string, opts: { force?: boolean } = {}): void {
  request(t, 'detach', device, opts.force ? DEVF_FORCE_DETACH : 0);
}

/** devctl attach DEVICE (a device detached before keeps its name on FreeBSD). */
export function devctlAttach(t: DevctlTarget, device: string): void {
  request(t, 'attach', device, 0);
}

/** devctl rescan BUS. */
export function devctlRescan(t: DevctlTarget, bus: string): void {
  request(t, 'rescan', bus, 0);
}
