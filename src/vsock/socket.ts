// vsock sockets as vmt uses them: a small typed wrapper over libvmt's entry
// points, every failure a VsockError whose message names cause and fix
// (diagnose.ts). The fds are libvmt's (non-blocking); nothing here goes
// through the runtime's own net machinery, which has no AF_VSOCK.
import { loadLibvmt, type Libvmt } from '../ffi/index.js';
import { formatAddress, type VsockAddress } from './address.js';
import { diagnose, ERRNO, type DiagnoseContext, type VsockStep } from './diagnose.js';
import { loadedTransports } from './transports.js';

export class VsockError extends Error {
  constructor(
    message: string,
    readonly errno: number,
    readonly step: VsockStep,
    readonly exit: 3 | 4,
  ) {
    super(message);
  }
}

/** VMT_VSOCK_FORBID is set: libvmt refuses every vsock socket (the test runner's interlock). */
export function vsockForbidden(): boolean {
  const v = process.env.VMT_VSOCK_FORBID;
  return v !== undefined && v !== '' && v !== '0';
}

export function vsockError(errno: number, ctx: DiagnoseContext): VsockError {
  const d = diagnose(errno, { forbidden: vsockForbidden(), loaded: loadedTransports().loaded, ...ctx });
  return new VsockError(d.message, errno, ctx.step, d.exit);
}

export interface ConnectOptions {
  /** <0: the kernel's own */
  timeoutMs: number;
  /** from a port counting down from 1023 (GuestRPC's privileged channel) */
  privileged?: boolean;
}

export class VsockSocket {
  constructor(
    readonly lib: Libvmt,
    readonly fd: number,
    readonly local: VsockAddress,
    readonly peer: VsockAddress,
  ) {}

  private check(rc: number, step: VsockStep): number {
    if (rc < 0) throw vsockError(-rc, { step, address: this.peer });
    return rc;
  }

  shutdownWrite(): void {
    this.lib.vsockShutdown(this.fd, 1); // SHUT_WR
  }

  close(): void {
    this.lib.close(this.fd);
  }

  sendAll(buf: Uint8Array, timeoutMs: number): void {
    this.check(this.lib.vsockSendAll(this.fd, buf, buf.length, timeoutMs), 'send');
  }

  /** Up to buf.length bytes (0 at the end of the stream). */
  recv(buf: Uint8Array, timeoutMs: number): number {
    return this.check(this.lib.vsockRecv(this.fd, buf, buf.length, timeoutMs), 'recv');
  }
}

const pair = (a: Uint32Array): VsockAddress => ({ cid: a[0]!, port: a[1]! });

export async function connect(address: VsockAddress, opts: ConnectOptions): Promise<VsockSocket> {
  const lib = await loadLibvmt();
  const out = new Uint32Array(2);
  for (;;) {
    const fd = lib.vsockConnect(address.cid, address.port, opts.timeoutMs, opts.privileged ? 1 : 0, out);
    if (fd === -ERRNO.EINTR) continue; // a signal's handler runs between tries
    if (fd < 0) throw vsockError(-fd, { step: 'connect', address, connectTimeout: opts.timeoutMs / 1000 });
    return new VsockSocket(lib, fd, pair(out), address);
  }
}

export class VsockListener {
  constructor(
    readonly lib: Libvmt,
    readonly fd: number,
    readonly local: VsockAddress,
  ) {}

  /** The next connection, or null when none came within timeoutMs (or a signal came). */
  accept(timeoutMs: number): VsockSocket | null {
    const peer = new Uint32Array(2);
    const fd = this.lib.vsockAccept(this.fd, timeoutMs, peer);
    if (fd === -ERRNO.ETIMEDOUT || fd === -ERRNO.EINTR) return null;
    if (fd < 0) throw vsockError(-fd, { step: 'accept', address: this.local });
    return new VsockSocket(this.lib, fd, this.local, pair(peer));
  }

  close(): void {
    this.lib.close(this.fd);
  }
}

export async function listen(address: VsockAddress, backlog = 16): Promise<VsockListener> {
  const lib = await loadLibvmt();
  const out = new Uint32Array(2);
  const fd = lib.vsockListen(address.cid, address.port, backlog, out);
  if (fd < 0) throw vsockError(-fd, { step: 'listen', address });
  return new VsockListener(lib, fd, pair(out));
}

/** The local CID (ioctl on /dev/vsock). */
export async function localCid(): Promise<number> {
  const lib = await loadLibvmt();
  const out = new Uint32Array(1);
  const rc = lib.vsockLocalCid(out);
  if (rc < 0) throw vsockError(-rc, { step: 'cid' });
  return out[0]!;
}

const WHERE: Record<number, VsockStep> = { 1: 'read-input', 2: 'send', 3: 'recv', 4: 'write-output', 5: 'idle', 6: 'recv' };

export interface PumpCounts {
  sent: number;
  received: number;
  done: boolean;
}

/** libvmt's copy engine between inFd -> socket -> outFd, run in steps (see native/libvmt/pump.c). */
export class Pump {
  private readonly state: Uint8Array;
  private readonly out = new Uint8Array(32);

  constructor(
    private readonly socket: VsockSocket,
    inFd: number,
    outFd: number,
    private readonly opts: { idleMs: number; closeOut?: boolean },
  ) {
    const lib = socket.lib;
    this.state = new Uint8Array(lib.pumpSize());
    const rc = lib.pumpInit(this.state, inFd, socket.fd, outFd, opts.idleMs, opts.closeOut ? 1 : 0);
    if (rc < 0) throw new Error(`pump_init: ${-rc}`);
  }

  /** Runs for at most maxMs; throws VsockError when a direction failed. */
  step(maxMs: number): PumpCounts {
    const rc = this.socket.lib.pumpStep(this.state, maxMs, this.out);
    const v = new DataView(this.out.buffer);
    const counts = { sent: Number(v.getBigUint64(0, true)), received: Number(v.getBigUint64(8, true)), done: rc === 0 };
    if (rc < 0) {
      const step = WHERE[Number(v.getBigUint64(16, true))] ?? 'recv';
      const err = vsockError(-rc, { step, address: this.socket.peer, idleTimeout: this.opts.idleMs / 1000 });
      throw Object.assign(err, { counts });
    }
    return counts;
  }
}

export { formatAddress };
