// XDR (RFC 4506) decoding, host side, for what guests send in SetGuestInfo.
// Bounded: every length and count is checked against its limit and against
// the bytes that are there before anything is read or allocated. A problem
// is an XdrError naming the field and the byte offset; nothing else is thrown.

export class XdrError extends Error {}

const text = new TextDecoder('utf-8'); // lossy: a name that is not UTF-8 still reads

export class XdrReader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  fail(what: string, problem: string): never {
    throw new XdrError(`${what}: ${problem} at byte ${this.pos}`);
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) this.fail(what, `needs ${n} bytes, ${this.remaining} left`);
  }

  uint32(what: string): number {
    this.need(4, what);
    const b = this.bytes;
    const v = ((b[this.pos]! << 24) | (b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!) >>> 0;
    this.pos += 4;
    return v;
  }

  int32(what: string): number {
    return this.uint32(what) | 0;
  }

  /** An enum: any int32 (as rpcgen's xdr_enum reads it); the caller judges the value. */
  enum(what: string): number {
    return this.int32(what);
  }

  bool(what: string): boolean {
    const v = this.uint32(what);
    if (v > 1) {
      this.pos -= 4;
      this.fail(what, `bool is ${v}, not 0 or 1`);
    }
    return v === 1;
  }

  /** opaque<max>: the length, the bytes, padding to a multiple of 4. */
  opaque(max: number, what: string): Uint8Array {
    const len = this.uint32(`${what} length`);
    if (len > max) {
      this.pos -= 4;
      this.fail(what, `length ${len} over its limit ${max}`);
    }
    const padded = len + ((4 - (len % 4)) % 4);
    this.need(padded, what);
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += padded;
    return out;
  }

  /** string<max>: as opaque, read as UTF-8. */
  string(max: number, what: string): string {
    return text.decode(this.opaque(max, what));
  }

  /** T<max>: a count, then that many items; every item takes at least 4 bytes, so a count the bytes cannot hold is refused before reading. */
  array<T>(max: number, what: string, item: (r: XdrReader, what: string) => T): T[] {
    const n = this.uint32(`${what} count`);
    if (n > max) {
      this.pos -= 4;
      this.fail(what, `count ${n} over its limit ${max}`);
    }
    if (n * 4 > this.remaining) {
      this.pos -= 4;
      this.fail(what, `count ${n} cannot fit in the ${this.remaining - 4} bytes left`);
    }
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this, `${what}[${i}]`));
    return out;
  }

  /** *T: a bool, then T when it is true; null when absent. */
  optional<T>(what: string, item: (r: XdrReader, what: string) => T): T | null {
    return this.bool(`${what} (present?)`) ? item(this, what) : null;
  }
}
