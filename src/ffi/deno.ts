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
    vmt_vsock_family: { parameters: [], result: 'i32' },
    vmt_vsock_local_cid: { parameters: ['buffer'], result: 'i32' },
    vmt_vsock_connect: { parameters: ['u32', 'u32', 'i32', 'i32', 'buffer'], result: 'i32' },
    vmt_vsock_listen: { parameters: ['u32', 'u32', 'i32', 'buffer'], result: 'i32' },
    vmt_vsock_accept: { parameters: ['i32', 'i32', 'buffer'], result: 'i32' },
    vmt_vsock_shutdown: { parameters: ['i32', 'i32'], result: 'i32' },
    vmt_vsock_send_all: { parameters: ['i32', 'buffer', 'i32', 'i32'], result: 'i32' },
    vmt_vsock_recv: { parameters: ['i32', 'buffer', 'i32', 'i32'], result: 'i32' },
    vmt_close: { parameters: ['i32'], result: 'i32' },
    vmt_set_blocking: { parameters: ['i32', 'i32'], result: 'i32' },
    vmt_pump_size: { parameters: [], result: 'i32' },
    vmt_pump_init: { parameters: ['buffer', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], result: 'i32' },
    vmt_pump_step: { parameters: ['buffer', 'i32', 'buffer'], result: 'i32' },
    vmt_ioctl_path: { parameters: ['buffer', 'i32', 'u32', 'buffer', 'i32'], result: 'i32' },
    vmt_ioctl_path_buf: { parameters: ['buffer', 'i32', 'u32', 'buffer', 'i32', 'i32', 'buffer'], result: 'i32' },
  });
  return fromSymbols(symbols);
}
