// Deno: Deno.dlopen with 'buffer' parameters (typed arrays by reference).
import type { Libvmt } from './types.js';
import { fromSymbols, type Symbols } from './symbols.js';

declare const Deno: { dlopen(path: string, symbols: Record<string, unknown>): { symbols: Symbols } };

export function openDeno(path: string): Libvmt & { abi(): number } {
  const { symbols } = Deno.dlopen(path, {
    vmt_abi_version: { parameters: [], result: 'i32' },
    vmt_bdoor_lb: { parameters: ['buffer'], result: 'i32' },
    vmt_bdoor_hb_out: { parameters: ['buffer', 'buffer'], result: 'i32' },
    vmt_bdoor_hb_in: { parameters: ['buffer', 'buffer'], result: 'i32' },
    vmt_cpuid: { parameters: ['u32', 'u32', 'buffer'], result: 'i32' },
    vmt_settime: { parameters: ['i64', 'i32'], result: 'i32' },
  });
  return fromSymbols(symbols);
}
