// GuestRPC over vsock, host side (`vmt sim serve`): the VMX's end of the RPCI
// (port 976) and TCLO (port 975) connections. Every packet is a DataMap
// (4-byte big-endian length; entries of type, field id, value); this file
// reads and writes the few shapes GuestRPC uses with its own code -- the host
// side imports nothing from the guest side, so a misreading of the format
// cannot hide on both sides. Lengths are checked before anything is buffered.
import { textFields, type TranscriptSink } from './transcript.js';
import type { RpciEndpoint } from './rpci.js';
import { hostilePacket, type VsockFaultCycle } from './vsock-faults.js';
import { DM_INT64, DM_STRING, FIELD_FAST_CLOSE, FIELD_PAYLOAD, FIELD_TYPE, TYPE_DATA, TYPE_PING } from './vsock-format.js';

/** The largest packet the host takes from the guest: the 64 KiB of a backdoor message, and the framing. */
export const MAX_GUEST_PACKET = 64 * 1024 + 64;

export interface HostPacket {
  type: number;
  payload: Uint8Array;
  fastClose: boolean;
}

/** A packet body -> its GuestRPC fields, or the reason it is not one. */
export function readPacket(body: Uint8Array): HostPacket | string {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const seen = new Set<number>();
  const out: HostPacket = { type: 0, payload: new Uint8Array(0), fastClose: false };
  for (let at = 0; at < body.length; ) {
    if (body.length - at < 8) return 'a truncated entry';
    const type = v.getInt32(at);
    const id = v.getInt32(at + 4);
    at += 8;
    if (seen.has(id)) return `field ${id} twice`;
    seen.add(id);
    if (type === DM_INT64) {
      if (body.length - at < 8) return 'a truncated INT64';
      const low = v.getUint32(at);
      const high = v.getInt32(at + 4);
      at += 8;
      const value = high === 0 ? low : high === -1 && low >= 0x80000000 ? low - 0x100000000 : NaN; // GuestRPC's INT64s are small
      if (id === FIELD_TYPE) out.type = value;
      if (id === FIELD_FAST_CLOSE) out.fastClose = value === 1;
    } else if (type === DM_STRING) {
      if (body.length - at < 4) return 'a truncated STRING';
      const n = v.getInt32(at);
      at += 4;
      if (n <= 0 || n > body.length - at) return `a STRING of length ${n} with ${body.length - at} bytes left`;
      if (id === FIELD_PAYLOAD) out.payload = body.slice(at, at + n);
      at += n;
    } else return `entry type ${type}, which GuestRPC does not use`;
  }
  if (out.type !== TYPE_DATA && out.type !== TYPE_PING) return `TYPE ${out.type}`;
  return out;
}

/** A DATA packet with this payload (no PAYLOAD entry when it is empty), length prefix included. */
export function dataPacket(payload: Uint8Array): Uint8Array {
  const size = 16 + (payload.length ? 12 + payload.length : 0);
  const b = new Uint8Array(4 + size);
  const v = new DataView(b.buffer);
  v.setUint32(0, size);
  v.setInt32(4, DM_INT64);
  v.setInt32(8, FIELD_TYPE);
  v.setUint32(12, TYPE_DATA); // low word first
  v.setUint32(16, 0);
  if (payload.length) {
    v.setInt32(20, DM_STRING);
    v.setInt32(24, FIELD_PAYLOAD);
    v.setInt32(28, payload.length);
    b.set(payload, 32);
  }
  return b;
}

/** What a connection asks of its server after some input: bytes to send, and whether to close after them. */
export interface Output {
  send: Uint8Array[];
  close: boolean;
}

/**
 * Cuts the guest's byte stream into packet bodies, refusing a length over the
 * bound before buffering it. Chunks are kept as they came and copied once,
 * when their packet is whole: linear in the bytes received, however small the
 * writes (a guest that sends one byte at a time).
 */
export class Framer {
  private chunks: Uint8Array[] = [];
  /** the first chunk not yet consumed */
  private head = 0;
  private size = 0;
  /** the body length of the packet being received, once its header is in */
  private want: number | null = null;
  /** bytes copied so far (the chunks kept, the packets cut): for the test that the work is linear */
  copied = 0;

  push(chunk: Uint8Array): Uint8Array[] | string {
    if (chunk.length) {
      this.chunks.push(chunk.slice()); // a small chunk must not pin the caller's large buffer
      this.copied += chunk.length;
      this.size += chunk.length;
    }
    const bodies: Uint8Array[] = [];
    for (;;) {
      if (this.want === null) {
        if (this.size < 4) break;
        const n = new DataView(this.take(4).buffer).getUint32(0);
        if (n > MAX_GUEST_PACKET) return `a ${n}-byte packet (over ${MAX_GUEST_PACKET})`;
        this.want = n;
      }
      if (this.size < this.want) break;
      bodies.push(this.take(this.want));
      this.want = null;
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return bodies;
  }

  /** The first n bytes (n ≤ size), consumed, as a copy. */
  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; ) {
      const c = this.chunks[this.head]!;
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) this.chunks[this.head++] = EMPTY;
      else this.chunks[this.head] = c.subarray(k);
    }
    this.copied += n;
    this.size -= n;
    return out;
  }
}

const EMPTY = new Uint8Array(0);

let nextConn = 1;

/** A DATA packet as the host sends it: as it should be, or under the next --fault (said in the transcript). */
function outgoing(faults: VsockFaultCycle | null, emit: TranscriptSink, conn: number, protocol: 'RPCI' | 'TCLO', payload: Uint8Array): { bytes: Uint8Array; stall: boolean } {
  const fault = faults?.next() ?? null;
  if (!fault) return { bytes: dataPacket(payload), stall: false };
  emit({ t: 'vsock', conn, protocol, event: 'fault', fault: fault.n === undefined ? fault.mode : `${fault.mode}:${fault.n}` });
  return hostilePacket(fault, payload);
}

/**
 * One RPCI connection: each DATA packet is a request for the sim's RPCI
 * endpoint, answered with one DATA packet; FAST_CLOSE closes after the reply.
 * With privilegedOnly (a secure-RPC host), a guest whose source port is over
 * 1023 gets "0 Permission denied" for every request (the sim's wording).
 * Under a stalling --fault the connection sends nothing more and stays open
 * (what the guest sends is read and dropped) until the guest closes it.
 */
export class VsockRpciConnection {
  readonly id = nextConn++;
  private readonly framer = new Framer();
  private stalled = false;

  constructor(
    private readonly rpci: RpciEndpoint,
    private readonly emit: TranscriptSink,
    private readonly peerPort: number,
    private readonly privilegedOnly: boolean,
    private readonly faults: VsockFaultCycle | null = null,
  ) {
    emit({ t: 'vsock', conn: this.id, protocol: 'RPCI', event: 'open', peer_port: peerPort, privileged: peerPort <= 1023 });
  }

  input(chunk: Uint8Array): Output {
    if (this.stalled) return { send: [], close: false };
    const bodies = this.framer.push(chunk);
    if (typeof bodies === 'string') return this.refuse(bodies);
    const out: Output = { send: [], close: false };
    for (const body of bodies) {
      const p = readPacket(body);
      if (typeof p === 'string') return this.refuse(p);
      if (p.type === TYPE_PING) continue;
      const denied = this.privilegedOnly && this.peerPort > 1023;
      const reply = denied ? new TextEncoder().encode('0 Permission denied') : this.rpci.handle(p.payload);
      this.emit({ t: 'rpci', channel: this.id, pid: 0, transport: 'vsock', ...textFields('request', p.payload), ...textFields('reply', reply) });
      const sent = outgoing(this.faults, this.emit, this.id, 'RPCI', reply);
      out.send.push(sent.bytes);
      if (sent.stall) {
        this.stalled = true;
        return out;
      }
      if (p.fastClose) return { ...out, close: true };
    }
    return out;
  }

  closed(): void {
    this.emit({ t: 'vsock', conn: this.id, protocol: 'RPCI', event: 'close' });
  }

  private refuse(reason: string): Output {
    this.emit({ t: 'vsock', conn: this.id, protocol: 'RPCI', event: 'refused', reason });
    return { send: [], close: true };
  }
}

/**
 * One TCLO connection: the host speaks first. It sends `reset`, then the
 * configured commands one at a time, each after the guest's reply to the
 * previous one; PING packets from the guest are counted in the transcript.
 * A stalling --fault stops it as on RPCI.
 */
export class VsockTcloConnection {
  readonly id = nextConn++;
  private readonly queue: string[];
  private awaiting: string | null = null;
  private readonly framer = new Framer();
  private stalled = false;

  constructor(
    commands: string[],
    private readonly emit: TranscriptSink,
    peerPort: number,
    private readonly faults: VsockFaultCycle | null = null,
  ) {
    this.queue = ['reset', ...commands];
    emit({ t: 'vsock', conn: this.id, protocol: 'TCLO', event: 'open', peer_port: peerPort, privileged: peerPort <= 1023 });
  }

  /** What the host says when the guest connects. */
  start(): Output {
    return { send: this.next(), close: false };
  }

  input(chunk: Uint8Array): Output {
    if (this.stalled) return { send: [], close: false };
    const bodies = this.framer.push(chunk);
    if (typeof bodies === 'string') return this.refuse(bodies);
    const send: Uint8Array[] = [];
    for (const body of bodies) {
      const p = readPacket(body);
      if (typeof p === 'string') return this.refuse(p);
      if (p.type === TYPE_PING) {
        this.emit({ t: 'vsock', conn: this.id, protocol: 'TCLO', event: 'ping' });
        continue;
      }
      const command = this.awaiting;
      this.awaiting = null;
      const reply = Buffer.from(p.payload).toString('utf8');
      const atr = command === 'reset' ? (/^OK ATR (\S+)/.exec(reply)?.[1] ?? null) : undefined;
      this.emit({ t: 'tclo', channel: this.id, transport: 'vsock', command, reply, ...(atr !== undefined ? { atr } : {}), ...(command === null ? { unsolicited: true } : {}) });
      send.push(...this.next());
      if (this.stalled) break;
    }
    return { send, close: false };
  }

  closed(): void {
    this.emit({ t: 'vsock', conn: this.id, protocol: 'TCLO', event: 'close' });
  }

  private next(): Uint8Array[] {
    const command = this.awaiting === null ? this.queue.shift() : undefined;
    if (command === undefined) return [];
    this.awaiting = command;
    const sent = outgoing(this.faults, this.emit, this.id, 'TCLO', new TextEncoder().encode(command));
    this.stalled = sent.stall;
    return [sent.bytes];
  }

  private refuse(reason: string): Output {
    this.emit({ t: 'vsock', conn: this.id, protocol: 'TCLO', event: 'refused', reason });
    return { send: [], close: true };
  }
}
