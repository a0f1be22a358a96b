// Properties of XDR: the guest's encoder (src/report/xdr.ts) against the host
// model's decoder (src/sim/host/xdr.ts), which were written apart; hostile
// bytes to the decoder; truncateUtf8.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { truncateUtf8, XdrError as WriterError, XdrWriter } from '../../src/report/xdr.js';
import { XdrError, XdrReader } from '../../src/sim/host/xdr.js';
import { onlyThrows, runs } from './prop.js';

/** What the host reads back from a string the guest wrote: lone surrogates became U+FFFD on the way. */
const asSent = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

type Item =
  | { t: 'u32'; v: number }
  | { t: 'i32'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'opaque'; v: Uint8Array; max: number }
  | { t: 'string'; v: string; max: number }
  | { t: 'array'; v: number[]; max: number }
  | { t: 'optional'; v: number | null };

const item: fc.Arbitrary<Item> = fc.oneof(
  fc.nat({ max: 0xffffffff }).map((v) => ({ t: 'u32', v }) as const),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((v) => ({ t: 'i32', v }) as const),
  fc.boolean().map((v) => ({ t: 'bool', v }) as const),
  fc.uint8Array({ maxLength: 40 }).chain((v) => fc.integer({ min: v.length, max: v.length + 3 }).map((max) => ({ t: 'opaque', v, max }) as const)),
  fc.string({ unit: 'binary', maxLength: 20 }).map((v) => ({ t: 'string', v, max: new TextEncoder().encode(v).length }) as const),
  fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 8 }).map((v) => ({ t: 'array', v, max: 8 }) as const),
  fc.option(fc.nat({ max: 0xffffffff }), { nil: null }).map((v) => ({ t: 'optional', v }) as const),
);

function write(w: XdrWriter, it: Item): void {
  if (it.t === 'u32') w.u32(it.v);
  else if (it.t === 'i32') w.i32(it.v);
  else if (it.t === 'bool') w.bool(it.v);
  else if (it.t === 'opaque') w.opaque(it.v, it.max);
  else if (it.t === 'string') w.string(it.v, it.max);
  else if (it.t === 'array') w.array(it.v, it.max, (w, x) => w.u32(x));
  else w.optional(it.v, (w, x) => w.u32(x));
}

function read(r: XdrReader, it: Item): unknown {
  if (it.t === 'u32') return r.uint32('u32');
  if (it.t === 'i32') return r.int32('i32');
  if (it.t === 'bool') return r.bool('bool');
  if (it.t === 'opaque') return Uint8Array.from(r.opaque(it.max, 'opaque'));
  if (it.t === 'string') return r.string(it.max, 'string');
  if (it.t === 'array') return r.array(it.max, 'array', (x, w) => x.uint32(w));
  return r.optional('optional', (x, w) => x.uint32(w));
}

const expected = (it: Item): unknown => (it.t === 'string' ? asSent(it.v) : it.v);

test('XDR: what the guest encodes, the host decodes to the same values, in 4-byte units', () => {
  fc.assert(
    fc.property(fc.array(item, { maxLength: 12 }), (items) => {
      const w = new XdrWriter();
      for (const it of items) write(w, it);
      const bytes = w.bytes();
      assert.equal(bytes.length % 4, 0);
      const r = new XdrReader(bytes);
      assert.deepEqual(items.map((it) => read(r, it)), items.map(expected));
      assert.equal(r.remaining, 0);
    }),
    runs(500),
  );
});

test('XDR: the encoder refuses what does not fit (XdrError, nothing else), the decoder refuses over-limit lengths and counts; padding is zeros', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer(), fc.double()), fc.uint8Array({ minLength: 1, maxLength: 20 }), (n, data) => {
      const w = new XdrWriter();
      const okU32 = Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
      assert.equal(onlyThrows(() => w.u32(n), WriterError) instanceof WriterError, !okU32);
      assert.ok(onlyThrows(() => w.opaque(data, data.length - 1), WriterError) instanceof WriterError);
      const enc = new XdrWriter().opaque(data).bytes();
      assert.deepEqual([...enc.subarray(4 + data.length)], Array(enc.length - 4 - data.length).fill(0), 'zero padding');
      assert.ok(onlyThrows(() => new XdrReader(enc).opaque(data.length - 1, 'x'), XdrError) instanceof XdrError);
      const arr = new XdrWriter().array([...data], data.length, (w, x) => w.u32(x)).bytes();
      assert.ok(onlyThrows(() => new XdrReader(arr).array(data.length - 1, 'x', (r, w) => r.uint32(w)), XdrError) instanceof XdrError);
    }),
    runs(300),
  );
});

test('XDR: hostile bytes read as anything give values within the bytes there, or XdrError, and never more than was sent', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 96 }), fc.array(item, { maxLength: 10 }), fc.nat({ max: 0xffffffff }), (bytes, items, max) => {
      const r = new XdrReader(bytes);
      for (const it of items) {
        const before = r.remaining;
        const hostileMax = { ...it, max } as Item; // a limit the reader is told, from 0 to 2^32-1
        const v = onlyThrows(() => read(r, it.t === 'opaque' || it.t === 'string' || it.t === 'array' ? hostileMax : it), XdrError);
        if (v instanceof XdrError) return;
        assert.ok(r.remaining >= 0 && r.remaining <= before);
        if (v instanceof Uint8Array) assert.ok(v.length <= before - 4);
        if (Array.isArray(v)) assert.ok(v.length * 4 <= before - 4);
      }
    }),
    runs(1500),
  );
});

test('truncateUtf8: at most max bytes, a prefix ending on a character boundary, the longest one', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.nat({ max: 80 }), (raw, max) => {
      const s = asSent(raw);
      const t = truncateUtf8(s, max);
      const tb = new TextEncoder().encode(t);
      assert.ok(tb.length <= max);
      assert.ok(s.startsWith(t));
      if (t !== s) {
        const next = [...s.slice(t.length)][0]!;
        assert.ok(tb.length + new TextEncoder().encode(next).length > max, 'the next character would not fit');
      }
    }),
    runs(500),
  );
});
