// A small XDR encoder (RFC 4506): everything big-endian in 4-byte units;
// opaque data and strings carry their length and are padded with zeros to a
// multiple of 4; a variable-length array is its count, then its items; an
// optional value ("*" in the .x files, a pointer) is a bool, then the value
// when present; a union is its discriminant, then the arm it selects. The
// encoder refuses a value over its declared maximum (callers truncate first,
// as vmtoolsd does, so that a report never fails to encode).
export class XdrError extends Error {}

export class XdrWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  /** The bytes written so far. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  get length(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** unsigned int: 0 .. 2^32-1 */
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new XdrError(`not an unsigned int: ${v}`);
    this.room(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
    return this;
  }

  /** int (and enum): -2^31 .. 2^31-1, two's complement */
  i32(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new XdrError(`not an int: ${v}`);
    this.room(4);
    this.view.setInt32(this.len, v);
    this.len += 4;
    return this;
  }

  /** unsigned hyper: 0 .. 2^64-1 */
  u64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new XdrError(`not an unsigned hyper: ${v}`);
    this.room(8);
    this.view.setBigUint64(this.len, v);
    this.len += 8;
    return this;
  }

  /** bool: an enum, FALSE = 0, TRUE = 1 */
  bool(v: boolean): this {
    return this.i32(v ? 1 : 0);
  }

  /** opaque[n]: exactly n bytes, padded */
  fixedOpaque(data: Uint8Array, n: number): this {
    if (data.length !== n) throw new XdrError(`fixed opaque of ${n} bytes given ${data.length}`);
    return this.raw(data);
  }

  /** opaque<max>: the length, the bytes, padding */
  opaque(data: Uint8Array, max = 0xffffffff): this {
    if (data.length > max) throw new XdrError(`opaque of ${data.length} bytes over its maximum ${max}`);
    this.u32(data.length);
    return this.raw(data);
  }

  /** string<max>: as opaque, of the UTF-8 bytes; max counts bytes */
  string(s: string, max = 0xffffffff): this {
    const data = new TextEncoder().encode(s);
    if (data.length > max) throw new XdrError(`string of ${data.length} bytes over its maximum ${max}`);
    return this.opaque(data, max);
  }

  /** T items<max>: the count, then each item */
  array<T>(items: readonly T[], max: number, item: (w: this, v: T) => void): this {
    if (items.length > max) throw new XdrError(`array of ${items.length} items over its maximum ${max}`);
    this.u32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  /** T *value: FALSE when absent (null/undefined), else TRUE and the value */
  optional<T>(value: T | null | undefined, item: (w: this, v: T) => void): this {
    if (value === null || value === undefined) return this.bool(false);
    this.bool(true);
    item(this, value);
    return this;
  }

  /** union switch (int discriminant): the discriminant, then its arm */
  union(discriminant: number, arm: (w: this) => void): this {
    this.i32(discriminant);
    arm(this);
    return this;
  }

  /** bytes padded with zeros to a multiple of 4 */
  private raw(data: Uint8Array): this {
    const padded = (data.length + 3) & ~3;
    this.room(padded);
    this.buf.set(data, this.len);
    this.buf.fill(0, this.len + data.length, this.len + padded);
    this.len += padded;
    return this;
  }
}

/** The longest prefix of s that is at most max UTF-8 bytes and ends on a character boundary. */
export function truncateUtf8(s: string, max: number): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= max) return s;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
