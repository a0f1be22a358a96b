// Node: ffi-rs. Buffers passed as U8Array are shared with C, so the register
// frame and the receive buffer are updated in place.
import { createRequire } from 'node:module';
import { cString } from './symbols.js';
import type { Libvmt } from './types.js';

/** ffi-rs from node_modules, or the copy bundled into the Node single executable, whose entry hands it over (bin/sea.ts). */
function ffiRs(): typeof import('ffi-rs') {
  const bundled = (globalThis as { __vmtFfiRs?: () => typeof import('ffi-rs') }).__vmtFfiRs;
  return bundled ? bundled() : (createRequire(import.meta.url)('ffi-rs') as typeof import('ffi-rs'));
}

export function openNode(path: string): Libvmt & { abi(): number } {
  const ffi = ffiRs();
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
    vmt_vsock_family: { library, retType: DataType.I32, paramsType: [] },
    vmt_vsock_local_cid: { library, retType: DataType.I32, paramsType: [DataType.U8Array] },
    vmt_vsock_connect: { library, retType: DataType.I32, paramsType: [DataType.I32, DataType.I32, DataType.I32, DataType.I32, DataType.U8Array] },
    vmt_vsock_listen: { library, retType: DataType.I32, paramsType: [DataType.I32, DataType.I32, DataType.I32, DataType.U8Array] },
    vmt_vsock_accept: { library, retType: DataType.I32, paramsType: [DataType.I32, DataType.I32, DataType.U8Array] },
    vmt_vsock_shutdown: { library, retType: DataType.I32, paramsType: [DataType.I32, DataType.I32] },
    vmt_vsock_send_all: { library, retType: DataType.I32, paramsType: [DataType.I32, DataType.U8Array, DataType.I32, DataType.I32] },
    vmt_vsock_recv: { library, retType: DataType.I32, paramsType: [DataType.I32, DataType.U8Array, DataType.I32, DataType.I32] },
    vmt_close: { library, retType: DataType.I32, paramsType: [DataType.I32] },
    vmt_set_blocking: { library, retType: DataType.I32, paramsType: [DataType.I32, DataType.I32] },
    vmt_pump_size: { library, retType: DataType.I32, paramsType: [] },
    vmt_pump_init: { library, retType: DataType.I32, paramsType: [DataType.U8Array, DataType.I32, DataType.I32, DataType.I32, DataType.I32, DataType.I32, DataType.I32] },
    vmt_pump_step: { library, retType: DataType.I32, paramsType: [DataType.U8Array, DataType.I32, DataType.U8Array] },
    vmt_ioctl_path: { library, retType: DataType.I32, paramsType: [DataType.U8Array, DataType.I32, DataType.I32, DataType.U8Array, DataType.I32] },
    vmt_ioctl_path_buf: {
      library,
      retType: DataType.I32,
      paramsType: [DataType.U8Array, DataType.I32, DataType.I32, DataType.U8Array, DataType.I32, DataType.I32, DataType.U8Array],
    },
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
    vsockFamily: () => f.vmt_vsock_family([]),
    vsockLocalCid: (out) => f.vmt_vsock_local_cid([bytes(out)]),
    vsockConnect: (cid, port, timeoutMs, flags, out) => f.vmt_vsock_connect([cid | 0, port | 0, timeoutMs, flags, bytes(out)]),
    vsockListen: (cid, port, backlog, out) => f.vmt_vsock_listen([cid | 0, port | 0, backlog, bytes(out)]),
    vsockAccept: (fd, timeoutMs, peer) => f.vmt_vsock_accept([fd, timeoutMs, bytes(peer)]),
    vsockShutdown: (fd, how) => f.vmt_vsock_shutdown([fd, how]),
    vsockSendAll: (fd, buf, len, timeoutMs) => f.vmt_vsock_send_all([fd, bytes(buf), len, timeoutMs]),
    vsockRecv: (fd, buf, len, timeoutMs) => f.vmt_vsock_recv([fd, bytes(buf), len, timeoutMs]),
    close: (fd) => f.vmt_close([fd]),
    setBlocking: (fd, blocking) => f.vmt_set_blocking([fd, blocking ? 1 : 0]),
    pumpSize: () => f.vmt_pump_size([]),
    pumpInit: (state, inFd, sock, outFd, idleMs, flags) => f.vmt_pump_init([bytes(state), state.byteLength, inFd, sock, outFd, idleMs, flags]),
    pumpStep: (state, maxMs, out) => f.vmt_pump_step([bytes(state), maxMs, bytes(out)]),
    ioctlPath: (path, write, request, arg) => f.vmt_ioctl_path([bytes(cString(path)), write ? 1 : 0, request | 0, bytes(arg), arg.byteLength]),
    ioctlPathBuf: (path, write, request, arg, ptrOffset, buf) =>
      f.vmt_ioctl_path_buf([bytes(cString(path)), write ? 1 : 0, request | 0, bytes(arg), arg.byteLength, ptrOffset, bytes(buf)]),
  };
}
