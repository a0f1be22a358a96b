// bun:ffi and Deno.dlopen both hand back symbols that take typed arrays by
// reference and 64-bit integers as bigint: one adapter serves both.
import type { Libvmt } from './types.js';

/** A path as C takes it: UTF-8, NUL-terminated. */
export const cString = (s: string): Uint8Array => new TextEncoder().encode(`${s}\0`);

export const SYMBOLS = ['vmt_abi_version', 'vmt_bdoor_lb', 'vmt_bdoor_hb_out', 'vmt_bdoor_hb_in', 'vmt_cpuid', 'vmt_settime',
  'vmt_vsock_family', 'vmt_vsock_local_cid', 'vmt_vsock_connect', 'vmt_vsock_listen', 'vmt_vsock_accept', 'vmt_vsock_shutdown',
  'vmt_vsock_send_all', 'vmt_vsock_recv', 'vmt_close', 'vmt_set_blocking', 'vmt_pump_size', 'vmt_pump_init', 'vmt_pump_step',
  'vmt_ioctl_path', 'vmt_ioctl_path_buf'] as const;
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
    vsockFamily: () => call.vmt_vsock_family(),
    vsockLocalCid: (out) => call.vmt_vsock_local_cid(out),
    vsockConnect: (cid, port, timeoutMs, flags, out) => call.vmt_vsock_connect(cid >>> 0, port >>> 0, timeoutMs, flags, out),
    vsockListen: (cid, port, backlog, out) => call.vmt_vsock_listen(cid >>> 0, port >>> 0, backlog, out),
    vsockAccept: (fd, timeoutMs, peer) => call.vmt_vsock_accept(fd, timeoutMs, peer),
    vsockShutdown: (fd, how) => call.vmt_vsock_shutdown(fd, how),
    vsockSendAll: (fd, buf, len, timeoutMs) => call.vmt_vsock_send_all(fd, buf, len, timeoutMs),
    vsockRecv: (fd, buf, len, timeoutMs) => call.vmt_vsock_recv(fd, buf, len, timeoutMs),
    close: (fd) => call.vmt_close(fd),
    setBlocking: (fd, blocking) => call.vmt_set_blocking(fd, blocking ? 1 : 0),
    pumpSize: () => call.vmt_pump_size(),
    pumpInit: (state, inFd, sock, outFd, idleMs, flags) => call.vmt_pump_init(state, state.byteLength, inFd, sock, outFd, idleMs, flags),
    pumpStep: (state, maxMs, out) => call.vmt_pump_step(state, maxMs, out),
    ioctlPath: (path, write, request, arg) => call.vmt_ioctl_path(cString(path), write ? 1 : 0, request >>> 0, arg, arg.byteLength),
    ioctlPathBuf: (path, write, request, arg, ptrOffset, buf) =>
      call.vmt_ioctl_path_buf(cString(path), write ? 1 : 0, request >>> 0, arg, arg.byteLength, ptrOffset, buf),
  };
}
