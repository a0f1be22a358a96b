// `vmt sim serve`: the simulated host as a vsock server, the VMX's end of
// GuestRPC over vsock (RPCI, TCLO), so guest code is tested over real vsock
// sockets (inside a VM or a QEMU guest: never on a development machine).
// The sockets come through ServeIo; the protocol is the host model's own
// (src/sim/host/vsock.ts).
import type { RpciEndpoint } from './host/rpci.js';
import type { TranscriptSink } from './host/transcript.js';
import { VsockRpciConnection, VsockTcloConnection, type Output } from './host/vsock.js';
import { VsockFaultCycle, type VsockFault } from './host/vsock-faults.js';

/** The socket calls the server needs, none of them blocking (src/vsock provides them; tests fake them). */
export interface ServeIo {
  /** A listening socket on any CID at port; its fd. */
  listen(port: number): number;
  /** A waiting connection, or null when none is waiting. */
  accept(listenFd: number): { fd: number; peerPort: number } | null;
  /** Up to max bytes that are there (empty: none yet); null at end of stream. */
  recv(fd: number, max: number): Uint8Array | null;
  send(fd: number, data: Uint8Array): void;
  close(fd: number): void;
}

export interface ServeOptions {
  rpciPort?: number;
  tcloPort?: number;
  /** a secure-RPC host: unprivileged source ports get "0 Permission denied" */
  privilegedOnly: boolean;
  /** host commands for each TCLO connection, after its reset */
  tclo: string[];
  /** hostile packets (--fault): each DATA packet the host sends takes the next one in turn */
  faults?: VsockFault[];
}

type Conn = VsockRpciConnection | VsockTcloConnection;

export class VsockServer {
  private readonly listeners = new Map<number, 'RPCI' | 'TCLO'>();
  private readonly conns = new Map<number, Conn>();
  private readonly faults: VsockFaultCycle | null;

  constructor(
    private readonly io: ServeIo,
    private readonly rpci: RpciEndpoint,
    private readonly emit: TranscriptSink,
    private readonly opts: ServeOptions,
  ) {
    this.faults = opts.faults?.length ? new VsockFaultCycle(opts.faults) : null;
    if (opts.rpciPort !== undefined) this.listeners.set(io.listen(opts.rpciPort), 'RPCI');
    if (opts.tcloPort !== undefined) this.listeners.set(io.listen(opts.tcloPort), 'TCLO');
  }

  /** Accepts what waits and reads what came; true when anything happened (else the caller may sleep). */
  step(): boolean {
    let busy = false;
    for (const [fd, kind] of this.listeners) busy = this.accept(fd, kind) || busy;
    for (const fd of [...this.conns.keys()]) busy = this.read(fd) || busy;
    return busy;
  }

  /** Closes every connection and listening socket. */
  close(): void {
    for (const fd of [...this.conns.keys()]) this.drop(fd);
    for (const fd of this.listeners.keys()) this.io.close(fd);
    this.listeners.clear();
  }

  private accept(listenFd: number, kind: 'RPCI' | 'TCLO'): boolean {
    const got = this.io.accept(listenFd);
    if (!got) return false;
    const { fd, peerPort } = got;
    if (kind === 'RPCI') {
      this.conns.set(fd, new VsockRpciConnection(this.rpci, this.emit, peerPort, this.opts.privilegedOnly, this.faults));
      return true;
    }
    const conn = new VsockTcloConnection(this.opts.tclo, this.emit, peerPort, this.faults);
    this.conns.set(fd, conn);
    this.deliver(fd, conn.start());
    return true;
  }

  private read(fd: number): boolean {
    const conn = this.conns.get(fd);
    if (!conn) return false;
    let chunk: Uint8Array | null;
    try {
      chunk = this.io.recv(fd, 64 * 1024);
    } catch {
      chunk = null; // reset by the guest: as a close
    }
    if (chunk === null) {
      this.drop(fd);
      return true;
    }
    if (chunk.length === 0) return false;
    this.deliver(fd, conn.input(chunk));
    return true;
  }

  private deliver(fd: number, out: Output): void {
    try {
      for (const b of out.send) this.io.send(fd, b);
    } catch {
      return this.drop(fd); // the guest went away
    }
    if (out.close) this.drop(fd);
  }

  private drop(fd: number): void {
    const conn = this.conns.get(fd);
    if (!conn) return;
    this.conns.delete(fd);
    conn.closed();
    this.io.close(fd);
  }
}
