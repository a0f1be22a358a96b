// GuestRPC channels over vsock, guest side: RPCI to the VMX's port 976 and
// TCLO from its port 975, each packet a DataMap (vsock-packet.ts). The socket
// itself comes from src/vsock through a small interface, so these channels
// are tested in process against the sim's host side.
import { GUESTMSG_MAX_IN_SIZE } from '../backdoor/constants.js';
import { ChannelError, type Channel, type Stage } from './channel.js';
import { DataMapError } from './datamap.js';
import { decodePacket, encodePacket, PacketReader } from './vsock-packet.js';

/** A connected stream socket: blocking calls with timeouts. */
export interface StreamConn {
  /** All of data, or throws. */
  send(data: Uint8Array): void;
  /** Up to max bytes: empty when nothing came within timeoutMs, null at end of stream. Throws on errors. */
  recv(max: number, timeoutMs: number): Uint8Array | null;
  close(): void;
}

/** Opens the connection for a channel; privileged: from a source port ≤ 1023 when allowed (RPCI). */
export type Connector = (opts: { privileged: boolean }) => StreamConn;

/** How long a reply may take to arrive, in all (the backdoor channel's checkpoint retries are bounded alike). */
export const RPCI_REPLY_TIMEOUT_MS = 30_000;
/** For tests only: an environment variable that shortens (never lengthens) RPCI_REPLY_TIMEOUT_MS, in ms. */
export const REPLY_TIMEOUT_ENV = 'VMT_TEST_RPCI_REPLY_MS';

/** The RPCI reply bound: RPCI_REPLY_TIMEOUT_MS, or REPLY_TIMEOUT_ENV when it is an integer from 1 to that. */
export function rpciReplyTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const v = env[REPLY_TIMEOUT_ENV];
  const n = v !== undefined && /^\d{1,6}$/.test(v) ? Number(v) : NaN;
  return n >= 1 && n <= RPCI_REPLY_TIMEOUT_MS ? n : RPCI_REPLY_TIMEOUT_MS;
}
/** TCLO: a PING every this many ms after the first reply (RPCIN_HEARTBEAT_INTERVAL). */
export const TCLO_PING_MS = 1000;

const RECV_CHUNK = 64 * 1024;
/** TCLO: the most packets other than data (PINGs, ...) one receive() reads before it answers "nothing yet". */
export const MAX_CONTROL_PACKETS = 64;

function wrap(stage: Stage, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChannelError) throw err;
    throw Object.assign(new ChannelError(stage, `${what}: ${(err as Error).message}`), { cause: err });
  }
}

abstract class VsockChannel implements Channel {
  readonly transport = 'vsock';
  protected conn: StreamConn | null = null;
  protected readonly reader = new PacketReader();
  private readonly bodies: Uint8Array[] = [];

  constructor(
    protected readonly connect: Connector,
    private readonly privileged: boolean,
    protected readonly now: () => number = () => performance.now(),
  ) {}

  open(): void {
    wrap('open', 'cannot connect to the host over vsock', () => {
      this.conn = this.connect({ privileged: this.privileged });
    });
  }

  abstract send(message: Uint8Array): void;
  abstract receive(): Uint8Array;

  close(): void {
    const conn = this.conn;
    this.conn = null;
    if (conn) wrap('close', 'closing the vsock connection', () => conn.close());
  }

  protected open_(stage: Stage): StreamConn {
    if (!this.conn) throw new ChannelError(stage, 'the channel is not open');
    return this.conn;
  }

  protected write(stage: Stage, packet: Uint8Array): void {
    const conn = this.open_(stage);
    wrap(stage, 'sending over vsock', () => conn.send(packet));
  }

  /** The next packet body within timeoutMs: null when none came in time. */
  protected nextBody(stage: Stage, timeoutMs: number): Uint8Array | null {
    const conn = this.open_(stage);
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const queued = this.bodies.shift();
      if (queued) return queued;
      let chunk: Uint8Array | null = new Uint8Array(0);
      const wait = Math.max(0, deadline - this.now());
      wrap(stage, 'receiving over vsock', () => {
        chunk = conn.recv(RECV_CHUNK, wait);
      });
      if (chunk === null) throw new ChannelError(stage, `the host closed the connection${this.reader.pending ? ` in the middle of a packet (${this.reader.pending} bytes)` : ''}`);
      try {
        this.bodies.push(...this.reader.push(chunk));
      } catch (err) {
        throw new ChannelError(stage, (err as Error).message);
      }
      // none in time: when nothing more came, or (with a timeout) when the time is up though bytes still trickle in
      if (this.bodies.length === 0 && wait === 0 && ((chunk as Uint8Array).length === 0 || timeoutMs > 0)) return null;
    }
  }

  protected decode(stage: Stage, body: Uint8Array) {
    try {
      return decodePacket(body);
    } catch (err) {
      if (err instanceof DataMapError) throw new ChannelError(stage, `the host sent a malformed packet: ${err.message}`);
      throw err;
    }
  }
}

/**
 * RPCI: one request, one reply, from a privileged source port when allowed
 * (hosts with secure RPC want it). oneShot: FAST_CLOSE, the host may close
 * right after the reply.
 */
export class VsockRpciChannel extends VsockChannel {
  constructor(
    connect: Connector,
    private readonly oneShot = true,
    now?: () => number,
    private readonly replyTimeoutMs = rpciReplyTimeoutMs(),
  ) {
    super(connect, true, now);
  }

  send(message: Uint8Array): void {
    if (message.length > GUESTMSG_MAX_IN_SIZE) throw new ChannelError('send', `a message of ${message.length} bytes is over the host's 64 KiB limit`);
    this.write('send', encodePacket({ type: 'data', payload: message, fastClose: this.oneShot }));
  }

  /** The reply within RPCI_REPLY_TIMEOUT_MS in all: packets other than data (a PING stream) do not extend it. */
  receive(): Uint8Array {
    const deadline = this.now() + this.replyTimeoutMs;
    for (;;) {
      const left = deadline - this.now();
      const body = left > 0 ? this.nextBody('receive', left) : null;
      if (body === null) {
        const part = this.reader.pending ? ` (${this.reader.pending} bytes of a packet came, then nothing)` : '';
        throw new ChannelError('receive', `no reply from the host within ${this.replyTimeoutMs / 1000} s${part}`);
      }
      const p = this.decode('receive', body);
      if (p.type === 'data') return p.payload;
    }
  }
}

/**
 * TCLO: the host speaks first. receive() returns the next command, or empty
 * when none is waiting (the agent's poll loop backs off); send() carries the
 * reply, and an empty send after the first reply is a chance for the PING
 * the host expects every second.
 */
export class VsockTcloChannel extends VsockChannel {
  private replied = false;
  private lastPing = 0;

  constructor(connect: Connector, now?: () => number) {
    super(connect, false, now);
  }

  send(message: Uint8Array): void {
    if (message.length > 0) {
      this.write('send', encodePacket({ type: 'data', payload: message, fastClose: false }));
      if (!this.replied) this.lastPing = this.now();
      this.replied = true;
      return;
    }
    if (this.replied && this.now() - this.lastPing >= TCLO_PING_MS) {
      this.write('send', encodePacket({ type: 'ping', payload: new Uint8Array(0), fastClose: false }));
      this.lastPing = this.now();
    }
  }

  /** The next command; empty when none is waiting, or after MAX_CONTROL_PACKETS packets without one (a PING flood). */
  receive(): Uint8Array {
    for (let i = 0; i < MAX_CONTROL_PACKETS; i++) {
      const body = this.nextBody('receive', 0);
      if (body === null) return new Uint8Array(0);
      const p = this.decode('receive', body);
      if (p.type === 'data') return p.payload;
    }
    return new Uint8Array(0);
  }
}
