// Typed backdoor calls. Each validates what came back: QEMU answers a command
// it does not implement with EAX=0xFFFFFFFF and every other register
// unchanged, old QEMU leaves the magic in EAX, and a host's numbers are never
// trusted without a range check.
import type { Backdoor, Regs } from './backdoor.js';
import {
  BDOOR_CMD_GETHWVERSION, BDOOR_CMD_GETHZ, BDOOR_CMD_GETMEMSIZE, BDOOR_CMD_GETMHZ, BDOOR_CMD_GETTIME, BDOOR_CMD_GETTIMEFULL,
  BDOOR_CMD_GETTIMEFULL_WITH_LAG, BDOOR_CMD_GETUUID, BDOOR_CMD_GETVERSION, BDOOR_MAGIC, BDOOR_PORT,
  BDOOR_UNSUPPORTED, QEMU_RAMSIZE_MARKER, vmxTypeName,
} from './constants.js';

const NOT_MAGIC = ~BDOOR_MAGIC >>> 0; // 0xA9B2A797, what open-vm-tools puts in EBX to probe
const USEC_PER_SEC = 1_000_000;

/** One low-bandwidth call: magic in EAX, command in CX.lo, the port in DX. */
export function bdoorCall(bd: Backdoor, cmd: number, r: Partial<Regs> = {}): Regs {
  const ecx = (((r.ecx ?? 0) & 0xffff0000) | cmd) >>> 0;
  const edx = (((r.edx ?? 0) & 0xffff0000) | BDOOR_PORT) >>> 0;
  return bd.lb({ ebx: NOT_MAGIC, ...r, eax: BDOOR_MAGIC, ecx, edx });
}

/** EAX says "unsupported" (0xFFFFFFFF, or the magic left by old QEMU) and nothing else moved. */
function unanswered(inRegs: Partial<Regs>, out: Regs): boolean {
  return (out.eax === BDOOR_UNSUPPORTED || out.eax === BDOOR_MAGIC) && out.ebx === (inRegs.ebx ?? NOT_MAGIC) >>> 0;
}

export interface VersionInfo {
  /** backdoor protocol version (6 on every VMware product), not the virtual hardware version */
  version: number;
  /** VMX type (vm_vmx_type.h), null when the host is too old to report it */
  vmxType: number | null;
  product: string;
}

/** GETVERSION: null when nothing answered (EBX must come back as the magic). */
export function getVersion(bd: Backdoor): VersionInfo | null {
  const out = bdoorCall(bd, BDOOR_CMD_GETVERSION, { ecx: 0xffff0000 });
  if (out.ebx !== BDOOR_MAGIC || out.eax === BDOOR_UNSUPPORTED) return null;
  const vmxType = out.ecx >>> 16 === 0xffff ? null : out.ecx;
  return { version: out.eax, vmxType, product: vmxTypeName(vmxType) };
}

/** GETHWVERSION: the virtual hardware version (vmx-NN), null if not implemented. */
export function getHwVersion(bd: Backdoor): number | null {
  const out = bdoorCall(bd, BDOOR_CMD_GETHWVERSION);
  if (out.ebx !== BDOOR_MAGIC || out.eax === BDOOR_UNSUPPORTED || out.eax === BDOOR_MAGIC || out.eax === 0) return null;
  return out.eax;
}

/** GETBIOSUUID: EAX..EDX little-endian, printed in that byte order; null if unsupported or all zero. */
export function getBiosUuid(bd: Backdoor): string | null {
  const inRegs = { ebx: NOT_MAGIC };
  const out = bdoorCall(bd, BDOOR_CMD_GETUUID, inRegs);
  if (unanswered(inRegs, out) && out.ecx === BDOOR_CMD_GETUUID && (out.edx & 0xffff) === BDOOR_PORT) return null;
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  [out.eax, out.ebx, out.ecx, out.edx].forEach((v, i) => view.setUint32(i * 4, v, true));
  if (bytes.every((b) => b === 0)) return null;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** GETMEMSIZE: VM memory in MiB. VMware reports MiB; QEMU's GETRAMSIZE reports bytes (truncated to 32 bits) and marks EBX. */
export function getMemSizeMB(bd: Backdoor): number | null {
  const inRegs = { ebx: NOT_MAGIC };
  const out = bdoorCall(bd, BDOOR_CMD_GETMEMSIZE, inRegs);
  if (unanswered(inRegs, out) || out.eax === BDOOR_UNSUPPORTED || out.eax === 0) return null;
  return out.ebx === QEMU_RAMSIZE_MARKER ? Math.floor(out.eax / (1024 * 1024)) : out.eax;
}

/** GETHZ: TSC frequency (EBX:EAX) and local-APIC bus frequency (ECX); null if EBX stays 0xFFFFFFFF. */
export function getHz(bd: Backdoor): { tscHz: number; apicHz: number } | null {
  const out = bdoorCall(bd, BDOOR_CMD_GETHZ, { ebx: BDOOR_UNSUPPORTED });
  if (out.ebx === BDOOR_UNSUPPORTED || out.eax === BDOOR_UNSUPPORTED) return null;
  const tscHz = out.ebx * 2 ** 32 + out.eax;
  return tscHz > 0 ? { tscHz, apicHz: out.ecx } : null;
}

/** GETMHZ: the processor speed in MHz (EAX); null when unanswered or not positive as a signed 32-bit number, as vmware-toolbox-cmd reads it. */
export function getMHz(bd: Backdoor): number | null {
  const inRegs = { ebx: NOT_MAGIC };
  const out = bdoorCall(bd, BDOOR_CMD_GETMHZ, inRegs);
  if (out.eax === BDOOR_MAGIC || out.eax === BDOOR_UNSUPPORTED || (out.eax | 0) <= 0) return null;
  return out.eax;
}

export type TimeCommand = 'GETTIMEFULL_WITH_LAG' | 'GETTIMEFULL' | 'GETTIME';

export interface HostTime {
  seconds: number;
  microseconds: number;
  /** the host's "max time lag" in µs: below it, tools should not step the clock */
  maxTimeLagUs: number;
  /** apparent time lags real time by this much (GETTIMEFULL_WITH_LAG only) */
  interruptLagUs: number | null;
  command: TimeCommand;
}

function plausible(seconds: number, usec: number): boolean {
  return seconds > 0 && seconds < 2 ** 52 / USEC_PER_SEC && usec >= 0 && usec < USEC_PER_SEC;
}

/**
 * Host time, trying GETTIMEFULL_WITH_LAG, then GETTIMEFULL, then GETTIME (as
 * open-vm-tools' timeSync does). null when the host implements none of them
 * or answers with something that is not a time (never a 1970 or 2106 date).
 */
export function getHostTime(bd: Backdoor): HostTime | null {
  for (const [cmd, command] of [[BDOOR_CMD_GETTIMEFULL_WITH_LAG, 'GETTIMEFULL_WITH_LAG'], [BDOOR_CMD_GETTIMEFULL, 'GETTIMEFULL']] as const) {
    // success leaves the magic in EAX; EBX (sent as a value ≥ 1e6) must come back as microseconds
    const out = bdoorCall(bd, cmd);
    const seconds = out.esi * 2 ** 32 + out.edx;
    if (out.eax === BDOOR_MAGIC && plausible(seconds, out.ebx)) {
      return { seconds, microseconds: out.ebx, maxTimeLagUs: out.ecx, interruptLagUs: command === 'GETTIMEFULL_WITH_LAG' ? out.edi : null, command };
    }
  }
  const out = bdoorCall(bd, BDOOR_CMD_GETTIME);
  if (out.eax !== BDOOR_UNSUPPORTED && out.eax !== BDOOR_MAGIC && plausible(out.eax, out.ebx)) {
    return { seconds: out.eax, microseconds: out.ebx, maxTimeLagUs: out.ecx, interruptLagUs: null, command: 'GETTIME' };
  }
  return null;
}
