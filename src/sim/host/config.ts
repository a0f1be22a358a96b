// What the simulated VMware host answers: every value a backdoor command or an
// RPCI can return, with defaults that look like a current ESXi VM.
import { VERSION_MAGIC, VMX_TYPE_SCALABLE_SERVER, VMX_TYPE_WORKSTATION } from '../../backdoor/constants.js';
import type { FaultSpec } from './faults.js';
import { defaultGuestlib, type GuestlibConfig } from './guestlib-stats.js';

export interface SimConfig {
  /** GETVERSION EAX (VERSION_MAGIC = 6 on every VMware product) */
  version: number;
  /** GETVERSION ECX: VMX type (2 = ESX, 4 = Workstation); see parseProduct */
  vmxType: number;
  /** offer the high-bandwidth path (HB status bit, HB port); --no-hb */
  hb: boolean;
  /** host clock = real clock + offset, µs */
  clockOffsetUs: number;
  /** the "max time lag" threshold (GETTIME family ECX), µs */
  maxTimeLagUs: number;
  /** how far the guest's apparent time lags real time (GETTIMEFULL_WITH_LAG EDI), µs */
  interruptLagUs: number;
  /** GETUUID (GETBIOSUUID); null answers 16 zero bytes, as QEMU without -uuid does */
  biosUuid: string | null;
  /** GETMEMSIZE, MiB */
  memoryMB: number;
  /** GETHWVERSION (virtual hardware version) */
  hwVersion: number;
  /** GETHZ EBX:EAX (0 = unknown: EBX left as the guest put it, i.e. 0xFFFFFFFF); GETMHZ = tscHz / 1e6 */
  tscHz: number;
  /** GETHZ ECX (local APIC bus frequency) */
  apicHz: number;
  /** `machine.id.get` reply body; null answers an empty body */
  machineId: string | null;
  /** host -> guest TCLO commands, delivered in order after the guest's reset handshake */
  tclo: string[];
  /** each TCLO command is ready only this long after the reply to the previous one (ms) */
  tcloIntervalMs: number;
  /** fault injection, from parseFaults() */
  faults: FaultSpec[];
  /** the guestlib figures (guestlib.info.get, guestlib.stat.get); null: the host does not answer guestlib (--stat none) */
  guestlib: GuestlibConfig | null;
}

/**
 * Defaults. maxTimeLagUs = 1 000 000 µs: VMware's actual default is not in
 * any source we read; one second is the value QEMU proposed for its (never
 * merged) GETTIME and keeps the timeSync plugin from stepping the clock for
 * sub-second differences.
 */
const TSC_HZ = 2_500_000_000;

export function defaultConfig(): SimConfig {
  return {
    version: VERSION_MAGIC,
    vmxType: VMX_TYPE_SCALABLE_SERVER,
    hb: true,
    clockOffsetUs: 0,
    maxTimeLagUs: 1_000_000,
    interruptLagUs: 0,
    biosUuid: '564d7674-7369-6d00-8000-000000000001',
    memoryMB: 4096,
    hwVersion: 19,
    tscHz: TSC_HZ,
    apicHz: 66_000_000,
    machineId: null,
    tclo: [],
    tcloIntervalMs: 0,
    faults: [],
    guestlib: defaultGuestlib(TSC_HZ / 1e6),
  };
}

/** --product: 'esx' (2), 'workstation' (4), or a VMX type number. */
export function parseProduct(value: string | number): number {
  if (typeof value === 'number' || /^(0x[0-9a-f]+|\d+)$/i.test(value)) {
    const n = Number(value);
    if (Number.isInteger(n) && n >= 0 && n <= 0xffffffff) return n;
  } else {
    const name = value.trim().toLowerCase();
    if (name === 'esx' || name === 'esxi') return VMX_TYPE_SCALABLE_SERVER;
    if (name === 'workstation') return VMX_TYPE_WORKSTATION;
  }
  throw new Error(`unknown product '${value}': use esx, workstation, or a VMX type number (0..4294967295)`);
}

/** 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' -> its 16 bytes in the order written. */
export function parseUuid(text: string): Uint8Array {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) {
    throw new Error(`bad BIOS UUID '${text}': expected 8-4-4-4-12 hex digits, e.g. 12345678-9abc-def0-1122-334455667788`);
  }
  return Uint8Array.from(Buffer.from(text.replaceAll('-', ''), 'hex'));
}
