// What a failed vsock call means and what to do about it: an errno and the
// step that failed, to one message and an exit status (3: not available
// here; 4: failed part-way). Pure, so every case is table-tested.
import { formatAddress, type VsockAddress } from './address.js';
import { LAST_RESERVED_PORT, VMADDR_CID_LOCAL } from './constants.js';
import type { TransportModule } from './transports.js';

/** Linux errno numbers vmt words itself (libvmt returns -errno). */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EBADF: 9, EACCES: 13, ENODEV: 19, EINVAL: 22, EPIPE: 32,
  ESOCKTNOSUPPORT: 94, EOPNOTSUPP: 95, EAFNOSUPPORT: 97, EADDRINUSE: 98, EADDRNOTAVAIL: 99,
  ENETUNREACH: 101, ECONNRESET: 104, ENOTCONN: 107, ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTUNREACH: 113,
} as const;

export function errnoName(errno: number): string {
  return Object.entries(ERRNO).find(([, v]) => v === errno)?.[0] ?? `errno ${errno}`;
}

/** The step that failed: opening (socket/connect), binding (listen), or the transfer's parts. */
export type VsockStep = 'connect' | 'listen' | 'accept' | 'cid' | 'read-input' | 'send' | 'recv' | 'write-output' | 'idle';

export interface DiagnoseContext {
  step: VsockStep;
  address?: VsockAddress;
  /** VMT_VSOCK_FORBID is set */
  forbidden?: boolean;
  /** the transports loaded (transports.ts), to say which is missing */
  loaded?: readonly TransportModule[];
  connectTimeout?: number;
  idleTimeout?: number;
}

export interface Diagnosis {
  message: string;
  exit: 3 | 4;
}

const UNAVAILABLE = 3;
const FAILED = 4;

/** Which transport would reach cid. */
export function transportAdvice(cid: number | undefined): string {
  if (cid === VMADDR_CID_LOCAL) return 'load vsock_loopback (modprobe vsock_loopback) for CID 1 (local)';
  return 'load the transport of this hypervisor: vmw_vsock_vmci_transport on VMware, vmw_vsock_virtio_transport on KVM/QEMU (vsock_loopback for CID 1)';
}

export function diagnose(errno: number, ctx: DiagnoseContext): Diagnosis {
  const name = errnoName(errno);
  const at = ctx.address ? formatAddress(ctx.address) : 'the peer';
  const loaded = ctx.loaded ? ` (transports loaded: ${ctx.loaded.length ? ctx.loaded.join(', ') : 'none'})` : '';
  const opening = ctx.step === 'connect' || ctx.step === 'listen' || ctx.step === 'cid';
  if (opening && errno === ERRNO.EPERM && ctx.forbidden) {
    return { exit: UNAVAILABLE, message: 'vsock is switched off here: VMT_VSOCK_FORBID is set (the interlock that keeps tests off this machine\'s vsock); unset it to use vsock' };
  }
  if (ctx.step === 'cid') {
    if (errno === ERRNO.ENOENT) return { exit: UNAVAILABLE, message: 'there is no /dev/vsock: this kernel has no vsock support loaded (modprobe vsock)' };
    if (errno === ERRNO.EACCES || errno === ERRNO.EPERM) return { exit: UNAVAILABLE, message: `cannot open /dev/vsock (${name}): it is root's only here, or a container hides it` };
    return { exit: UNAVAILABLE, message: `cannot read the local CID from /dev/vsock (${name})` };
  }
  if (opening) {
    if (errno === ERRNO.EAFNOSUPPORT) return { exit: UNAVAILABLE, message: 'this kernel has no vsock support (EAFNOSUPPORT): load the vsock module (modprobe vsock)' };
    if (errno === ERRNO.ENODEV || errno === ERRNO.ESOCKTNOSUPPORT || errno === ERRNO.EOPNOTSUPP) {
      return { exit: UNAVAILABLE, message: `no vsock transport ${ctx.step === 'listen' ? 'to listen on' : `reaches ${at}`} (${name}): ${transportAdvice(ctx.address?.cid)}${loaded}` };
    }
    if (ctx.step === 'listen' && errno === ERRNO.EACCES && ctx.address && ctx.address.port <= LAST_RESERVED_PORT) {
      return { exit: UNAVAILABLE, message: `port ${ctx.address.port} is privileged (EACCES): binding a port up to ${LAST_RESERVED_PORT} needs root or CAP_NET_BIND_SERVICE; use a port above ${LAST_RESERVED_PORT}` };
    }
    if (errno === ERRNO.EPERM || errno === ERRNO.EACCES) {
      return { exit: UNAVAILABLE, message: `AF_VSOCK sockets are refused here (${name}): a container runtime or seccomp profile forbids them; run vmt outside it or allow AF_VSOCK` };
    }
    if (errno === ERRNO.EADDRINUSE) return { exit: UNAVAILABLE, message: `${at} is in use (EADDRINUSE): another program listens there` };
    if (errno === ERRNO.EADDRNOTAVAIL) return { exit: UNAVAILABLE, message: `cannot bind ${at} (EADDRNOTAVAIL): the CID is not this machine's; listen on any or on the local CID (vmt vsock cid)` };
  }
  if (errno === ERRNO.ECONNREFUSED) return { exit: FAILED, message: `nobody listens at ${at} (ECONNREFUSED)` };
  // vsock_loopback and virtio answer a connect to a port nobody listens at with a reset
  if (errno === ERRNO.ECONNRESET && ctx.step === 'connect') return { exit: FAILED, message: `nobody listens at ${at} (the connection was reset: ECONNRESET)` };
  if (errno === ERRNO.ECONNRESET) return { exit: FAILED, message: `${at} reset the connection (ECONNRESET)` };
  if (errno === ERRNO.ETIMEDOUT) {
    if (ctx.step === 'idle') return { exit: FAILED, message: `nothing moved for ${ctx.idleTimeout ?? '?'} s (--idle-timeout); gave up` };
    if (ctx.step === 'connect') return { exit: FAILED, message: `${at} did not answer within ${ctx.connectTimeout ?? '?'} s (ETIMEDOUT): check the CID, or raise --connect-timeout` };
    return { exit: FAILED, message: `${at} timed out (ETIMEDOUT)` };
  }
  if (errno === ERRNO.EHOSTUNREACH || errno === ERRNO.ENETUNREACH) return { exit: FAILED, message: `${at} cannot be reached (${name}): no such CID on this transport` };
  if (errno === ERRNO.EPIPE || errno === ERRNO.ENOTCONN) {
    if (ctx.step === 'write-output') return { exit: FAILED, message: `standard output was closed (${name}) before all data from ${at} was written` };
    return { exit: FAILED, message: `${at} closed the connection before all input was sent (${name})` };
  }
  const what: Record<VsockStep, string> = {
    connect: `connecting to ${at}`, listen: `listening at ${at}`, accept: `accepting at ${at}`, cid: 'reading the local CID',
    'read-input': 'reading standard input', send: `sending to ${at}`, recv: `receiving from ${at}`, 'write-output': 'writing standard output', idle: 'waiting',
  };
  return { exit: FAILED, message: `${what[ctx.step]} failed (${name})` };
}
