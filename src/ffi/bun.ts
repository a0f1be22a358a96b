// Bun: bun:ffi. Typed arrays are passed as pointers to their own memory.
import type { Libvmt } from './types.js';
import { fromSymbols, type Symbols } from './symbols.js';

export async function openBun(path: string): Promise<Libvmt & { abi(): number }> {
  const { dlopen, FFIType: T } = await import('bun:ffi' as string);
  const { symbols } = dlopen(path, {
    vmt_abi_version: { args: [], returns: T.i32 },
    vmt_bdoor_lb: { args: [T.ptr], returns: T.i32 },
    vmt_bdoor_hb_out: { args: [T.ptr, T.ptr], returns: T.i32 },
    vmt_bdoor_hb_in: { args: [T.ptr, T.ptr], returns: T.i32 },
    vmt_cpuid: { args: [T.u32, T.u32, T.ptr], returns: T.i32 },
    vmt_settime: { args: [T.i64, T.i32], returns: T.i32 },
  });
  return fromSymbols(symbols as Symbols);
}
