// GuestRPC packets on vsock (open-vm-tools' tclodefs.h): a DataMap with
// field 1 TYPE (INT64: 1 DATA, 2 PING), field 2 PAYLOAD (STRING, left out
// when empty) and field 3 FAST_CLOSE (INT64 1: the host may close right after
// replying). And the stream framing: a 4-byte big-endian length, then the
// body, read with a bound on the length before anything is allocated.
import { DataMapError, decodeDataMap, DM_INT64, DM_STRING, encodeDataMap, type DataMap } from './datamap.js';

export const GUESTRPC_FIELD_TYPE = 1;
export const GUESTRPC_FIELD_PAYLOAD = 2;
export const GUESTRPC_FIELD_FAST_CLOSE = 3;
export const GUESTRPC_TYPE_DATA = 1n;
export const GUESTRPC_TYPE_PING = 2n;

/** The largest packet body accepted from the host: the same bound as a backdoor message (MAX_HOST_MESSAGE). */
export const MAX_PACKET_BODY = 16 * 1024 * 1024;

export interface Packet {
  type: 'data' | 'ping';
  payload: Uint8Array;
  fastClose: boolean;
}

export function encodePacket({ type, payload, fastClose }: Packet): Uint8Array {
  const map: DataMap = new Map();
  map.set(GUESTRPC_FIELD_TYPE, { type: DM_INT64, value: type === 'data' ? GUESTRPC_TYPE_DATA : GUESTRPC_TYPE_PING });
  if (payload.length > 0) map.set(GUESTRPC_FIELD_PAYLOAD, { type: DM_STRING, value: payload });
  if (fastClose) map.set(GUESTRPC_FIELD_FAST_CLOSE, { type: DM_INT64, value: 1n });
  return encodeDataMap(map);
}

/** A packet body (after the length prefix). Unknown field ids are ignored; known ones must have their type. */
export function decodePacket(body: Uint8Array): Packet {
  const map = decodeDataMap(body);
  const type = map.get(GUESTRPC_FIELD_TYPE);
  if (type?.type !== DM_INT64) throw new DataMapError('a GuestRPC packet without an INT64 TYPE field');
  if (type.value !== GUESTRPC_TYPE_DATA && type.value !== GUESTRPC_TYPE_PING) throw new DataMapError(`a GuestRPC packet of unknown TYPE ${type.value}`);
  const payload = map.get(GUESTRPC_FIELD_PAYLOAD);
  if (payload && payload.type !== DM_STRING) throw new DataMapError('a GuestRPC PAYLOAD that is not a STRING');
  const fastClose = map.get(GUESTRPC_FIELD_FAST_CLOSE);
  if (fastClose && fastClose.type !== DM_INT64) throw new DataMapError('a GuestRPC FAST_CLOSE that is not an INT64');
  return { type: type.value === GUESTRPC_TYPE_DATA ? 'data' : 'ping', payload: payload?.value ?? new Uint8Array(0), fastClose: fastClose?.value === 1n };
}

/** Cuts a byte stream into packet bodies; a length over `max` is an error before any of it is buffered. */
export class PacketReader {
  private buffered: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly max = MAX_PACKET_BODY) {}

  /** Adds bytes from the stream; returns the packet bodies now complete, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length) {
      // a copy: the caller may reuse its buffer, and a small chunk must not pin a large one (a host that trickles bytes)
      this.buffered.push(chunk.slice());
      this.size += chunk.length;
    }
    const out: Uint8Array[] = [];
    for (;;) {
      if (this.size < 4) return out;
      const head = this.peek(4);
      const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
      if (length > this.max) throw new DataMapError(`the peer announced a ${length}-byte packet (over ${this.max})`);
      if (this.size < 4 + length) return out;
      out.push(this.take(4 + length).subarray(4));
    }
  }

  /** Bytes received that do not make a whole packet yet (a peer that closes now stopped half-way). */
  get pending(): number {
    return this.size;
  }

  private peek(n: number): Uint8Array {
    if (this.buffered[0]!.length < n) this.buffered = [this.joined()];
    return this.buffered[0]!.subarray(0, n);
  }

  private take(n: number): Uint8Array {
    const all = this.joined();
    this.buffered = all.length > n ? [all.subarray(n)] : [];
    this.size -= n;
    return all.slice(0, n); // a copy: the caller may reuse the buffers it pushed
  }

  private joined(): Uint8Array {
    if (this.buffered.length === 1) return this.buffered[0]!;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const b of this.buffered) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  }
}
