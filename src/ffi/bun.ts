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
    vmt_vsock_family: { args: [], returns: T.i32 },
    vmt_vsock_local_cid: { args: [T.ptr], returns: T.i32 },
    vmt_vsock_connect: { args: [T.u32, T.u32, T.i32, T.i32, T.ptr], returns: T.i32 },
    vmt_vsock_listen: { args: [T.u32, T.u32, T.i32, T.ptr], returns: T.i32 },
    vmt_vsock_accept: { args: [T.i32, T.i32, T.ptr], returns: T.i32 },
    vmt_vsock_shutdown: { args: [T.i32, T.i32], returns: T.i32 },
    vmt_vsock_send_all: { args: [T.i32, T.ptr, T.i32, T.i32], returns: T.i32 },
    vmt_vsock_recv: { args: [T.i32, T.ptr, T.i32, T.i32], returns: T.i32 },
    vmt_close: { args: [T.i32], returns: T.i32 },
    vmt_set_blocking: { args: [T.i32, T.i32], returns: T.i32 },
    vmt_pump_size: { args: [], returns: T.i32 },
    vmt_pump_init: { args: [T.ptr, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], returns: T.i32 },
    vmt_pump_step: { args: [T.ptr, T.i32, T.ptr], returns: T.i32 },
    vmt_ioctl_path: { args: [T.ptr, T.i32, T.u32, T.ptr, T.i32], returns: T.i32 },
    vmt_ioctl_path_buf: { args: [T.ptr, T.i32, T.u32, T.ptr, T.i32, T.i32, T.ptr], returns: T.i32 },
  });
  return fromSymbols(symbols as Symbols);
}
