// Bun: bun:ffi. Typed arrays are passed as pointers to their own memory.
import type { Libvmt } from './index.js';

export async function openBun(path: string): Promise<Libvmt & { abi(): number }> {
  const { dlopen, FFIType: T } = await import('bun:ffi' as string);
  const { symbols: s } = dlopen(path, {
    vmt_abi_version: { args: [], returns: T.i32 },
    vmt_bdoor_lb: { args: [T.ptr], returns: T.i32 },
    vmt_bdoor_hb_out: { args: [T.ptr, T.ptr], returns: T.i32 },
    vmt_bdoor_hb_in: { args: [T.ptr, T.ptr], returns: T.i32 },
    vmt_cpuid: { args: [T.u32, T.u32, T.ptr], returns: T.i32 },
    vmt_settime: { args: [T.i64, T.i32], returns: T.i32 },
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
