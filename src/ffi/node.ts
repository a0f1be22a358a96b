// Node: ffi-rs. Buffers passed as U8Array are shared with C, so the register
// frame and the receive buffer are updated in place.
import { createRequire } from 'node:module';
import type { Libvmt } from './types.js';

export function openNode(path: string): Libvmt & { abi(): number } {
  const ffi = createRequire(import.meta.url)('ffi-rs') as typeof import('ffi-rs');
  const { DataType } = ffi;
  const library = 'libvmt';
  ffi.open({ library, path });
  const f = ffi.define({
    vmt_abi_version: { library, retType: DataType.I32, paramsType: [] },
    vmt_bdoor_lb: { library, retType: DataType.I32, paramsType: [DataType.U8Array] },
    vmt_bdoor_hb_out: { library, retType: DataType.I32, paramsType: [DataType.U8Array, DataType.U8Array] },
    vmt_bdoor_hb_in: { library, retType: DataType.I32, paramsType: [DataType.U8Array, DataType.U8Array] },
    vmt_cpuid: { library, retType: DataType.I32, paramsType: [DataType.I32, DataType.I32, DataType.U8Array] },
    vmt_settime: { library, retType: DataType.I32, paramsType: [DataType.I64, DataType.I32] },
  });
  const bytes = (a: Uint8Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return {
    abi: () => f.vmt_abi_version([]),
    bdoorLb: (frame) => f.vmt_bdoor_lb([bytes(frame)]),
    bdoorHbOut: (frame, buf) => f.vmt_bdoor_hb_out([bytes(frame), bytes(buf)]),
    bdoorHbIn: (frame, buf) => f.vmt_bdoor_hb_in([bytes(frame), bytes(buf)]),
    cpuid: (leaf, subleaf) => {
      const out = new Uint32Array(4);
      f.vmt_cpuid([leaf | 0, subleaf | 0, bytes(out)]);
      return out;
    },
    settime: (sec, usec) => f.vmt_settime([sec, usec]),
  };
}
