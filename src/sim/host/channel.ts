// One message channel, host side (protocol.md §3): the transfer state machine
// of SENDSIZE/SENDPAYLOAD (guest -> host) and RECVSIZE/RECVPAYLOAD/RECVSTATUS
// (host -> guest), for both the 4-bytes-per-call LB path and the all-at-once
// HB path. Register encoding and faults live in message.ts; what a complete
// message means lives in the protocol endpoints (rpci.ts, tclo.ts).
import { GUESTMSG_MAX_IN_SIZE, MESSAGE_STATUS_DORECV, MESSAGE_STATUS_HB, MESSAGE_STATUS_SUCCESS, MESSAGE_TYPE_SENDPAYLOAD, MESSAGE_TYPE_SENDSIZE } from '../../backdoor/constants.js';

export type Protocol = 'RPCI' | 'TCLO';
/** How a host -> guest message ended: read and acknowledged, given up by the guest, or never collected. */
export type Outcome = 'ok' | 'failed' | 'dropped';
export type Done = (outcome: Outcome, read: number) => void;

export interface Endpoint {
  opened(ch: MessageChannel): void;
  /** a complete guest -> host message */
  message(ch: MessageChannel, data: Uint8Array): void;
  closed(ch: MessageChannel): void;
}

/** What a call answers: the status bits, plus EBX / DX.hi / bytes where the call returns them. */
export interface Answer {
  status: number;
  ebx?: number;
  dxHi?: number;
  bytes?: number;
  data?: Uint8Array;
}

const FAIL: Answer = { status: 0 };
const OK = MESSAGE_STATUS_SUCCESS;

interface Outgoing {
  data: Uint8Array;
  done: Done;
  announced: boolean; // RECVSIZE told the guest its size
  read: number; // bytes handed to the guest so far
  finished: boolean; // no more payload calls expected (LB: all read; HB: the one transfer happened)
}

export class MessageChannel {
  private send: { buf: Uint8Array; got: number } | null = null;
  private out: Outgoing | null = null;

  constructor(
    readonly id: number,
    readonly protocol: Protocol,
    readonly pid: number,
    /** null: opened without GUESTMSG_FLAG_COOKIE, any ESI/EDI/EBP accepted */
    public cookie: { high: number; low: number } | null,
    private readonly endpoint: Endpoint,
    private readonly hb: boolean,
  ) {}

  /** Queue a host -> guest message; one that was never collected is dropped. */
  post(data: Uint8Array, done: Done): void {
    this.drop();
    this.out = { data: new Uint8Array(data), done, announced: false, read: 0, finished: false }; // a copy, never a Buffer view
  }

  /**
   * --fault sizechange: the waiting message loses its second half, and at
   * least 4 bytes, after RECVSIZE announced all of it (a loss inside the last
   * 4-byte word would be indistinguishable from the LB path's zero padding).
   */
  shrinkOutgoing(): void {
    const o = this.out;
    if (o) o.data = o.data.slice(0, Math.max(0, Math.min(Math.floor(o.data.length / 2), o.data.length - 4)));
  }

  /**
   * --fault cptlast:BYTES: the message RECVSIZE just announced grows to
   * `size` bytes (zeros after it); returns the size now announced.
   */
  padOutgoing(size: number): number {
    const o = this.out;
    if (!o?.announced || size <= o.data.length) return o?.data.length ?? 0;
    const data = new Uint8Array(size);
    data.set(o.data);
    Object.assign(o, { data, finished: false });
    return size;
  }

  /** The bytes of the announced message the guest has not read yet (null: nothing announced). */
  get outgoingLeft(): number | null {
    const o = this.out;
    return o?.announced && !o.finished ? o.data.length - o.read : null;
  }

  get hasOutgoing(): boolean {
    return this.out !== null;
  }

  /** Out of order, CPT or TIMEOUT: a partial send is discarded, a waiting message must be asked for again. */
  reset(): void {
    this.send = null;
    if (this.out) Object.assign(this.out, { announced: false, read: 0, finished: false });
  }

  sendSize(length: number): Answer {
    this.reset();
    if (length > GUESTMSG_MAX_IN_SIZE) return FAIL;
    const status = OK | (this.hb ? MESSAGE_STATUS_HB : 0);
    if (length === 0) this.endpoint.message(this, new Uint8Array(0));
    else this.send = { buf: new Uint8Array(length), got: 0 };
    return { status };
  }

  /** LB: EBX carries the next 1..4 bytes, byte 0 in bits 7..0. */
  sendPayload(word: number): Answer {
    const s = this.send;
    if (!s) return this.outOfOrder();
    const n = Math.min(4, s.buf.length - s.got);
    for (let i = 0; i < n; i++) s.buf[s.got + i] = (word >>> (8 * i)) & 0xff;
    s.got += n;
    if (s.got === s.buf.length) this.complete(s.buf);
    return { status: OK, bytes: n };
  }

  /** HB rep outsb: the whole message at once. */
  sendAll(data: Uint8Array): Answer {
    const s = this.send;
    if (!this.hb || !s || s.got !== 0 || data.length !== s.buf.length) return this.outOfOrder();
    this.complete(Uint8Array.from(data));
    return { status: OK, bytes: data.length };
  }

  recvSize(): Answer {
    if (this.send) return this.outOfOrder();
    if (!this.out) return { status: OK };
    Object.assign(this.out, { announced: true, read: 0, finished: this.out.data.length === 0 });
    const status = OK | MESSAGE_STATUS_DORECV | (this.hb ? MESSAGE_STATUS_HB : 0);
    return { status, ebx: this.out.data.length, dxHi: MESSAGE_TYPE_SENDSIZE };
  }

  /** LB: the next 4 bytes, little-endian, zero-padded; ok = false is the guest giving up. */
  recvPayload(ok: boolean): Answer {
    const o = this.out;
    if (!o?.announced) return this.outOfOrder();
    if (!ok) return this.consume('failed');
    if (o.finished) return this.outOfOrder();
    const n = Math.min(4, o.data.length - o.read);
    let word = 0;
    for (let i = 0; i < n; i++) word |= o.data[o.read + i]! << (8 * i);
    o.read += n;
    o.finished = o.read === o.data.length;
    return { status: OK, ebx: word >>> 0, dxHi: MESSAGE_TYPE_SENDPAYLOAD, bytes: n };
  }

  /** HB rep insb: everything at once, cut to the guest's count (BSD vmt asks for less to truncate). */
  recvAll(count: number): Answer {
    const o = this.out;
    if (!this.hb || !o?.announced || o.read !== 0 || o.finished) return this.outOfOrder();
    const data = o.data.slice(0, Math.min(count, o.data.length));
    Object.assign(o, { read: data.length, finished: true });
    return { status: OK, bytes: data.length, data };
  }

  /** ok = true: received (whatever was read); false: the guest reports failure. Consumed either way. */
  recvStatus(ok: boolean): Answer {
    if (!this.out?.announced) return this.outOfOrder();
    return this.consume(ok ? 'ok' : 'failed');
  }

  close(): void {
    this.send = null;
    this.drop();
    this.endpoint.closed(this);
  }

  private complete(buf: Uint8Array): void {
    this.send = null;
    this.endpoint.message(this, buf);
  }

  private consume(outcome: Outcome): Answer {
    const o = this.out!;
    this.out = null;
    o.done(outcome, o.read);
    return { status: OK };
  }

  private drop(): void {
    const o = this.out;
    this.out = null;
    o?.done('dropped', o.read);
  }

  private outOfOrder(): Answer {
    this.reset();
    return FAIL;
  }
}
