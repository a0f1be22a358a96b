// The backdoor commands other than MESSAGE (protocol.md §1.5, §2): each reads
// the incoming registers and returns only the registers it writes.
import {
  BDOOR_CMD_GETHWVERSION, BDOOR_CMD_GETHZ, BDOOR_CMD_GETMEMSIZE, BDOOR_CMD_GETMHZ, BDOOR_CMD_GETTIME, BDOOR_CMD_GETTIMEFULL,
  BDOOR_CMD_GETTIMEFULL_WITH_LAG, BDOOR_CMD_GETUUID, BDOOR_CMD_GETVERSION, BDOOR_MAGIC,
} from '../../backdoor/constants.js';
import type { SimConfig } from './config.js';
import { u32, type HostRegs } from './regs.js';

export interface CommandContext {
  config: SimConfig;
  /** the 16 BIOS UUID bytes */
  uuid: Uint8Array;
  /** real time, µs since the epoch */
  nowUs: () => number;
}

type Handler = (r: HostRegs, c: CommandContext) => Partial<HostRegs>;

const le32 = (b: Uint8Array, i: number): number => u32(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
const nonNeg = (n: number): number => u32(Math.max(0, Math.round(n)));

/** Host time = real time + offset: whole seconds (as 64-bit halves) and µs. */
function hostTime(c: CommandContext): { lo: number; hi: number; usec: number } {
  const us = Math.round(c.nowUs() + c.config.clockOffsetUs);
  const sec = Math.floor(us / 1e6);
  const sec64 = BigInt.asUintN(64, BigInt(sec));
  return { lo: Number(sec64 & 0xffffffffn), hi: Number(sec64 >> 32n), usec: us - sec * 1e6 };
}

export const COMMANDS: Record<number, { name: string; run: Handler }> = {
  [BDOOR_CMD_GETMHZ]: { name: 'GETMHZ', run: (_, c) => ({ eax: nonNeg(c.config.tscHz / 1e6) }) },
  [BDOOR_CMD_GETVERSION]: { name: 'GETVERSION', run: (_, c) => ({ eax: u32(c.config.version), ebx: BDOOR_MAGIC, ecx: u32(c.config.vmxType) }) },
  [BDOOR_CMD_GETHWVERSION]: { name: 'GETHWVERSION', run: (_, c) => ({ eax: u32(c.config.hwVersion), ebx: BDOOR_MAGIC }) },
  [BDOOR_CMD_GETUUID]: {
    name: 'GETUUID',
    run: (_, c) => ({ eax: le32(c.uuid, 0), ebx: le32(c.uuid, 4), ecx: le32(c.uuid, 8), edx: le32(c.uuid, 12) }),
  },
  [BDOOR_CMD_GETMEMSIZE]: { name: 'GETMEMSIZE', run: (_, c) => ({ eax: u32(c.config.memoryMB) }) },
  [BDOOR_CMD_GETHZ]: {
    name: 'GETHZ',
    run: (_, { config }) => {
      if (config.tscHz <= 0) return {}; // unknown: EBX stays as the guest put it (0xFFFFFFFF)
      const hz = BigInt(Math.round(config.tscHz));
      return { eax: Number(hz & 0xffffffffn), ebx: Number((hz >> 32n) & 0xffffffffn), ecx: nonNeg(config.apicHz) };
    },
  },
  [BDOOR_CMD_GETTIME]: {
    name: 'GETTIME',
    run: (_, c) => {
      const t = hostTime(c);
      return { eax: t.lo, ebx: t.usec, ecx: nonNeg(c.config.maxTimeLagUs + c.config.interruptLagUs) };
    },
  },
  [BDOOR_CMD_GETTIMEFULL]: {
    name: 'GETTIMEFULL',
    run: (_, c) => {
      const t = hostTime(c);
      return { ebx: t.usec, ecx: nonNeg(c.config.maxTimeLagUs + c.config.interruptLagUs), edx: t.lo, esi: t.hi };
    },
  },
  [BDOOR_CMD_GETTIMEFULL_WITH_LAG]: {
    name: 'GETTIMEFULL_WITH_LAG',
    run: (_, c) => {
      const t = hostTime(c);
      return { ebx: t.usec, ecx: nonNeg(c.config.maxTimeLagUs), edx: t.lo, esi: t.hi, edi: nonNeg(c.config.interruptLagUs) };
    },
  },
};
