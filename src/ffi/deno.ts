// Deno: Deno.dlopen with 'buffer' parameters (typed arrays by reference).
import type { Libvmt } from './index.js';

type Symbols = Record<'vmt_abi_version' | 'vmt_bdoor_lb' | 'vmt_bdoor_hb_out' | 'vmt_bdoor_hb_in' | 'vmt_cpuid' | 'vmt_settime', (...a: unknown[]) => number>;
declare const Deno: { dlopen(path: string, symbols: Record<string, unknown>): { symbols: Symbols } };

export function openDeno(path: string): Libvmt & { abi(): number } {
  const { symbols: s } = Deno.dlopen(path, {
    vmt_abi_version: { parameters: [], result: 'i32' },
    vmt_bdoor_lb: { parameters: ['buffer'], result: 'i32' },
    vmt_bdoor_hb_out: { parameters: ['buffer', 'buffer'], result: 'i32' },
    vmt_bdoor_hb_in: { parameters: ['buffer', 'buffer'], result: 'i32' },
    vmt_cpuid: { parameters: ['u32', 'u32', 'buffer'], result: 'i32' },
    vmt_settime: { parameters: ['i64', 'i32'], result: 'i32' },
  });
  return {
    abi: () => s.vmt_abi_version(),
    bdoorLb: (frame) => s.vmt_bdoor_lb(frame),
    bdoorHbOut: (frame, buf) => s.vmt_bdoor_hb_out(frame, buf),
    bdoorHbIn: (frame, buf) => s.vmt_bdoor_hb_in(frame, buf),
    cpuid: (leaf, subleaf) => {
      const out = new Uint32Array(4);
      s.vmt_cpuid(leaf >>> 0, subleaf >>> 0, out);
      return out;
    },
    settime: (sec, usec) => s.vmt_settime(BigInt(sec), usec),
  };
}
