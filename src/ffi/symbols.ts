// bun:ffi and Deno.dlopen both hand back symbols that take typed arrays by
// reference and 64-bit integers as bigint: one adapter serves both.
import type { Libvmt } from './types.js';

export const SYMBOLS = ['vmt_abi_version', 'vmt_bdoor_lb', 'vmt_bdoor_hb_out', 'vmt_bdoor_hb_in', 'vmt_cpuid', 'vmt_settime'] as const;
export type Symbols = Record<(typeof SYMBOLS)[number], (...a: never[]) => number>;

export function fromSymbols(s: Symbols): Libvmt & { abi(): number } {
  const call = s as unknown as Record<(typeof SYMBOLS)[number], (...a: unknown[]) => number>;
  return {
    abi: () => call.vmt_abi_version(),
    bdoorLb: (frame) => call.vmt_bdoor_lb(frame),
    bdoorHbOut: (frame, buf) => call.vmt_bdoor_hb_out(frame, buf),
    bdoorHbIn: (frame, buf) => call.vmt_bdoor_hb_in(frame, buf),
    cpuid: (leaf, subleaf) => {
      const out = new Uint32Array(4);
      call.vmt_cpuid(leaf >>> 0, subleaf >>> 0, out);
      return out;
    },
    settime: (sec, usec) => call.vmt_settime(BigInt(sec), usec),
  };
}
