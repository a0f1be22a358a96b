// Facts about this process from /proc (Linux): its effective capabilities and
// who traces it. They decide which explanation of a refusal is true: a
// faulting backdoor knock, an EPERM from clock_settime.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// linux/capability.h
export const CAP_SYS_RAWIO = 17; // ioperm, which QEMU/KVM's vmport needs
export const CAP_SYS_TIME = 25; // clock_settime

export interface ProcStatus {
  /** CapEff, the effective capability set; null when not shown */
  capEff: bigint | null;
  /** TracerPid: the process tracing this one, 0 when none; null when not shown */
  tracerPid: number | null;
}

export function parseProcStatus(text: string): ProcStatus {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const cap = field('CapEff');
  const tracer = field('TracerPid');
  return {
    capEff: cap && /^[0-9a-f]+$/i.test(cap) ? BigInt(`0x${cap}`) : null,
    tracerPid: tracer && /^\d+$/.test(tracer) ? Number(tracer) : null,
  };
}

/** This process's status; null off Linux or when /proc is not there. */
export function readProcStatus(procDir = '/proc'): ProcStatus | null {
  try {
    return parseProcStatus(readFileSync(join(procDir, 'self/status'), 'latin1'));
  } catch {
    return null;
  }
}

/** Whether `cap` is in the effective set; null when the set is not known. */
export function hasCapability(status: ProcStatus | null, cap: number): boolean | null {
  return status?.capEff == null ? null : ((status.capEff >> BigInt(cap)) & 1n) === 1n;
}

/** A process's name (comm), or null when it is gone or not ours to read. */
export function processName(pid: number, procDir = '/proc'): string | null {
  try {
    return readFileSync(join(procDir, String(pid), 'comm'), 'latin1').trim();
  } catch {
    return null;
  }
}
