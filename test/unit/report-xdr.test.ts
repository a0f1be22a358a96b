// The XDR encoder field by field, against bytes worked out by hand from RFC 4506.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { truncateUtf8, XdrError, XdrWriter } from '../../src/report/xdr.js';

const hex = (w: XdrWriter) => Buffer.from(w.bytes()).toString('hex');

test('unsigned and signed ints, hyper: big-endian, 4 and 8 bytes', () => {
  assert.equal(hex(new XdrWriter().u32(1)), '00000001');
  assert.equal(hex(new XdrWriter().u32(0xdeadbeef)), 'deadbeef');
  assert.equal(hex(new XdrWriter().i32(-1)), 'ffffffff');
  assert.equal(hex(new XdrWriter().i32(-2)), 'fffffffe');
  assert.equal(hex(new XdrWriter().u64(0x0102030405060708n)), '0102030405060708');
  assert.throws(() => new XdrWriter().u32(-1), XdrError);
  assert.throws(() => new XdrWriter().u32(2 ** 32), XdrError);
  assert.throws(() => new XdrWriter().i32(2 ** 31), XdrError);
  assert.throws(() => new XdrWriter().u32(1.5), XdrError);
});

test('bool is an enum: 0 or 1', () => {
  assert.equal(hex(new XdrWriter().bool(false).bool(true)), '0000000000000001');
});

test('opaque and string: length, bytes, zero padding to 4', () => {
  assert.equal(hex(new XdrWriter().opaque(Uint8Array.of())), '00000000');
  assert.equal(hex(new XdrWriter().opaque(Uint8Array.of(0xc0, 0, 2, 1))), '00000004c0000201');
  assert.equal(hex(new XdrWriter().opaque(Uint8Array.of(0xaa))), '00000001aa000000');
  assert.equal(hex(new XdrWriter().string('abcde')), '000000056162636465000000');
  assert.equal(hex(new XdrWriter().string('é')), '00000002c3a90000', 'the length counts UTF-8 bytes');
  assert.equal(hex(new XdrWriter().fixedOpaque(Uint8Array.of(1, 2, 3), 3)), '01020300');
  assert.throws(() => new XdrWriter().string('abc', 2), XdrError);
  assert.throws(() => new XdrWriter().fixedOpaque(Uint8Array.of(1), 2), XdrError);
});

test('variable arrays: the count, then the items; over the maximum refused', () => {
  assert.equal(hex(new XdrWriter().array([1, 2], 5, (w, v) => w.u32(v))), '000000020000000100000002');
  assert.equal(hex(new XdrWriter().array([], 5, (w, v: number) => w.u32(v))), '00000000');
  assert.throws(() => new XdrWriter().array([1, 2, 3], 2, (w, v) => w.u32(v)), XdrError);
});

test('optional (pointer): FALSE alone, or TRUE and the value', () => {
  assert.equal(hex(new XdrWriter().optional(null, (w, v: number) => w.u32(v))), '00000000');
  assert.equal(hex(new XdrWriter().optional(undefined, (w, v: number) => w.u32(v))), '00000000');
  assert.equal(hex(new XdrWriter().optional(7, (w, v) => w.u32(v))), '0000000100000007');
  assert.equal(hex(new XdrWriter().optional(0, (w, v) => w.u32(v))), '0000000100000000', '0 is a value, not absent');
});

test('union: the discriminant, then its arm', () => {
  assert.equal(hex(new XdrWriter().union(3, (w) => w.string('x'))), '000000030000000178000000');
});

test('a long write grows the buffer and keeps every byte', () => {
  const w = new XdrWriter();
  for (let i = 0; i < 1000; i++) w.u32(i);
  assert.equal(w.length, 4000);
  assert.equal(new DataView(w.bytes().buffer).getUint32(4 * 999), 999);
});

test('truncateUtf8 cuts at a character boundary within the byte limit', () => {
  assert.equal(truncateUtf8('abc', 5), 'abc');
  assert.equal(truncateUtf8('abcdef', 3), 'abc');
  assert.equal(truncateUtf8('aé', 2), 'a', 'é is two bytes: not cut in half');
  assert.equal(truncateUtf8('✓✓', 5), '✓');
});
