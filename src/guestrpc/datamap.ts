// DataMap, the serialization GuestRPC packets use on vsock (open-vm-tools'
// lib/dataMap): a big-endian uint32 content length, then entries of
// (type int32, field id int32, value). Decoding trusts nothing: every length
// and count is checked against the bytes that are there before anything is
// allocated, and a field id may appear once.

export const DM_INT64 = 1;
export const DM_STRING = 2;
export const DM_INT64LIST = 3;
export const DM_STRINGLIST = 4;

export type DataMapValue =
  | { type: typeof DM_INT64; value: bigint }
  | { type: typeof DM_STRING; value: Uint8Array }
  | { type: typeof DM_INT64LIST; value: bigint[] }
  | { type: typeof DM_STRINGLIST; value: Uint8Array[] };

/** Field id -> value; encoded in the map's order (decoders must not rely on it). */
export type DataMap = Map<number, DataMapValue>;

export class DataMapError extends Error {}

const INT32_MAX = 0x7fffffff;

class Writer {
  private parts: Uint8Array[] = [];
  length = 0;
  int32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v);
    this.push(b);
  }
  /** INT64: two int32 BE words, the low 32 bits first, then the high 32 bits. */
  int64(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.int32(Number(BigInt.asIntN(32, u)));
    this.int32(Number(BigInt.asIntN(32, u >> 32n)));
  }
  bytes(b: Uint8Array): void {
    if (b.length > INT32_MAX) throw new DataMapError(`a string of ${b.length} bytes does not fit a DataMap`);
    this.int32(b.length);
    this.push(b);
  }
  push(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }
  done(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** The serialized map, with its 4-byte length prefix. Empty strings cannot be encoded (decoders reject them). */
export function encodeDataMap(map: DataMap): Uint8Array {
  const w = new Writer();
  for (const [id, v] of map) {
    if (!Number.isInteger(id) || id < 0 || id > INT32_MAX) throw new DataMapError(`field id ${id} is not a non-negative int32`);
    w.int32(v.type);
    w.int32(id);
    if (v.type === DM_INT64) w.int64(v.value);
    else if (v.type === DM_STRING) w.bytes(nonEmpty(v.value, id));
    else if (v.type === DM_INT64LIST) {
      w.int32(v.value.length);
      for (const x of v.value) w.int64(x);
    } else {
      w.int32(v.value.length);
      for (const s of v.value) w.bytes(nonEmpty(s, id));
    }
  }
  const body = w.done();
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

function nonEmpty(s: Uint8Array, id: number): Uint8Array {
  if (s.length === 0) throw new DataMapError(`field ${id}: a DataMap string cannot be empty`);
  return s;
}

class Reader {
  at = 0;
  private readonly view: DataView;
  constructor(private readonly body: Uint8Array) {
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }
  get left(): number {
    return this.body.length - this.at;
  }
  int32(what: string): number {
    if (this.left < 4) throw new DataMapError(`truncated: ${what} needs 4 bytes at offset ${this.at}, ${this.left} left`);
    const v = this.view.getInt32(this.at);
    this.at += 4;
    return v;
  }
  int64(what: string): bigint {
    const low = this.int32(what);
    const high = this.int32(what);
    return BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low >>> 0));
  }
  /** A count of items of at least `size` bytes each, checked against what is left. */
  count(what: string, size: number): number {
    const n = this.int32(what);
    if (n < 0) throw new DataMapError(`${what}: a negative count (${n})`);
    if (n * size > this.left) throw new DataMapError(`${what}: ${n} items cannot fit in the ${this.left} bytes left`);
    return n;
  }
  string(what: string): Uint8Array {
    const n = this.int32(what);
    if (n <= 0) throw new DataMapError(`${what}: a string length of ${n} (it must be > 0)`);
    if (n > this.left) throw new DataMapError(`${what}: a ${n}-byte string, ${this.left} bytes left`);
    const s = this.body.slice(this.at, this.at + n);
    this.at += n;
    return s;
  }
}

/** The entries of a DataMap body (the bytes after the length prefix). */
export function decodeDataMap(body: Uint8Array): DataMap {
  const r = new Reader(body);
  const map: DataMap = new Map();
  while (r.left > 0) {
    const type = r.int32('an entry type');
    const id = r.int32('a field id');
    const what = `field ${id}`;
    if (id < 0) throw new DataMapError(`a negative field id (${id})`);
    if (map.has(id)) throw new DataMapError(`${what} appears twice`);
    if (type === DM_INT64) map.set(id, { type, value: r.int64(what) });
    else if (type === DM_STRING) map.set(id, { type, value: r.string(what) });
    else if (type === DM_INT64LIST) {
      const n = r.count(what, 8);
      map.set(id, { type, value: Array.from({ length: n }, () => r.int64(what)) });
    } else if (type === DM_STRINGLIST) {
      const n = r.count(what, 5); // a length and at least one byte each
      map.set(id, { type, value: Array.from({ length: n }, () => r.string(what)) });
    } else throw new DataMapError(`${what}: unknown entry type ${type}`);
  }
  return map;
}
