// DataMap and the GuestRPC vsock packet: the golden vector, round trips, and
// hostile input that must end in a DataMapError (never another exception,
// never an allocation the bytes do not justify).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataMapError, decodeDataMap, DM_INT64, DM_INT64LIST, DM_STRING, DM_STRINGLIST, encodeDataMap, type DataMap, type DataMapValue } from '../../src/guestrpc/datamap.js';
import { decodePacket, encodePacket, PacketReader } from '../../src/guestrpc/vsock-packet.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/[\s|]/g, ''), 'hex'));
const enc = (s: string) => new TextEncoder().encode(s);

// open-vm-tools' layout for the RPCI request "info-get guestinfo.x": TYPE (INT64 1) first, then PAYLOAD
const GOLDEN = hex('00000030 | 00000001 00000001 00000001 00000000 | 00000002 00000002 00000014 696e666f2d676574206775657374696e666f2e78');

test('the golden vector: an RPCI request encodes byte for byte, and decodes back', () => {
  assert.deepEqual(encodePacket({ type: 'data', payload: enc('info-get guestinfo.x'), fastClose: false }), GOLDEN);
  assert.deepEqual(decodePacket(GOLDEN.subarray(4)), { type: 'data', payload: enc('info-get guestinfo.x'), fastClose: false });
});

test('INT64 is two big-endian words, low first; FAST_CLOSE and PING; PAYLOAD left out when empty', () => {
  const m: DataMap = new Map([[7, { type: DM_INT64, value: 0x1122334455667788n }]]);
  assert.deepEqual(encodeDataMap(m), hex('00000010 00000001 00000007 55667788 11223344'));
  assert.deepEqual(decodeDataMap(hex('00000001 00000007 55667788 11223344')), m);
  assert.deepEqual(decodeDataMap(hex('00000001 00000007 ffffffff ffffffff')).get(7), { type: DM_INT64, value: -1n });
  const ping = encodePacket({ type: 'ping', payload: new Uint8Array(0), fastClose: false });
  assert.deepEqual(ping, hex('00000010 00000001 00000001 00000002 00000000'));
  assert.deepEqual(decodePacket(ping.subarray(4)), { type: 'ping', payload: new Uint8Array(0), fastClose: false });
  const fast = encodePacket({ type: 'data', payload: enc('x'), fastClose: true });
  assert.equal(decodePacket(fast.subarray(4)).fastClose, true);
  // the order of entries is the encoder's business: PAYLOAD first decodes the same
  const swapped = hex('00000002 00000002 00000014 696e666f2d676574206775657374696e666f2e78 00000001 00000001 00000001 00000000');
  assert.deepEqual(decodePacket(swapped), decodePacket(GOLDEN.subarray(4)));
});

/** A small deterministic generator, so that a failure names its seed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

function randomValue(r: (n: number) => number): DataMapValue {
  const int64 = () => BigInt.asIntN(64, (BigInt(r(0x100000000)) << 32n) | BigInt(r(0x100000000)));
  const str = () => Uint8Array.from({ length: 1 + r(40) }, () => r(256));
  switch (r(4)) {
    case 0:
      return { type: DM_INT64, value: int64() };
    case 1:
      return { type: DM_STRING, value: str() };
    case 2:
      return { type: DM_INT64LIST, value: Array.from({ length: r(5) }, int64) };
    default:
      return { type: DM_STRINGLIST, value: Array.from({ length: r(5) }, str) };
  }
}

test('round trips: 500 random maps encode and decode to themselves', () => {
  for (let seed = 1; seed <= 500; seed++) {
    const r = rng(seed);
    const m: DataMap = new Map();
    for (let i = r(6); i > 0; i--) m.set(r(1000), randomValue(r));
    const bytes = encodeDataMap(m);
    assert.equal(new DataView(bytes.buffer).getUint32(0), bytes.length - 4, `seed ${seed}: the length prefix`);
    assert.deepEqual(decodeDataMap(bytes.subarray(4)), m, `seed ${seed}`);
  }
});

const rejects = (body: Uint8Array, why: RegExp, what: string) => assert.throws(() => decodeDataMap(body), (e: unknown) => e instanceof DataMapError && why.test(e.message), what);

test('hostile bodies: negative and huge lengths and counts, empty strings, duplicate ids, unknown types, truncation', () => {
  rejects(hex('00000002 00000002 ffffffff'), /string length of -1/, 'negative string length');
  rejects(hex('00000002 00000002 7fffffff 41'), /2147483647-byte string, 1 bytes left/, 'huge string length');
  rejects(hex('00000002 00000002 00000000'), /must be > 0/, 'empty string');
  rejects(hex('00000003 00000001 80000000'), /negative count/, 'negative list count');
  rejects(hex('00000003 00000001 7fffffff 00000000'), /cannot fit/, 'huge INT64 list count');
  rejects(hex('00000004 00000001 40000000 00000001 41'), /cannot fit/, 'huge string list count');
  rejects(hex('00000001 00000001 00000001 00000000 00000001 00000001 00000002 00000000'), /appears twice/, 'duplicate field id');
  rejects(hex('00000009 00000001 00000000'), /unknown entry type 9/, 'unknown type');
  rejects(hex('00000001 ffffffff 00000000 00000000'), /negative field id/, 'negative field id');
  // every proper prefix of a valid body ends in a DataMapError, or (cut between entries) decodes fewer entries
  const body = GOLDEN.subarray(4);
  for (let n = 1; n < body.length; n++) {
    try {
      assert.ok(decodeDataMap(body.subarray(0, n)).size < 2, `a ${n}-byte prefix decoded whole`);
    } catch (e) {
      assert.ok(e instanceof DataMapError, `a ${n}-byte prefix: ${(e as Error).message}`);
    }
  }
});

test('garbage: 2000 random bodies decode or fail with a DataMapError, nothing else', () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const r = rng(seed * 7919);
    const body = Uint8Array.from({ length: r(64) }, () => (r(3) === 0 ? r(5) : r(3) === 0 ? 0xff : r(256)));
    try {
      decodeDataMap(body);
      decodePacket(body);
    } catch (e) {
      assert.ok(e instanceof DataMapError, `seed ${seed}: ${(e as Error).stack}`);
    }
  }
});

test('packets: a TYPE is required and must be DATA or PING; known fields must have their types; unknown fields are ignored', () => {
  const body = (m: DataMap) => encodeDataMap(m).subarray(4);
  assert.throws(() => decodePacket(body(new Map())), /without an INT64 TYPE/);
  assert.throws(() => decodePacket(body(new Map([[1, { type: DM_INT64, value: 3n }]]))), /unknown TYPE 3/);
  assert.throws(() => decodePacket(body(new Map([[1, { type: DM_STRING, value: enc('1') }]]))), /without an INT64 TYPE/);
  assert.throws(() => decodePacket(body(new Map<number, DataMapValue>([[1, { type: DM_INT64, value: 1n }], [2, { type: DM_INT64, value: 5n }]]))), /PAYLOAD that is not a STRING/);
  const extra = decodePacket(body(new Map<number, DataMapValue>([[1, { type: DM_INT64, value: 1n }], [2, { type: DM_STRING, value: enc('1 ok') }], [99, { type: DM_STRING, value: enc('?') }]])));
  assert.deepEqual(extra, { type: 'data', payload: enc('1 ok'), fastClose: false });
});

test('PacketReader: packets split and joined across chunks; a length over the bound is refused before buffering', () => {
  const a = encodePacket({ type: 'data', payload: enc('first'), fastClose: false });
  const b = encodePacket({ type: 'ping', payload: new Uint8Array(0), fastClose: false });
  const stream = Uint8Array.from([...a, ...b]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const reader = new PacketReader();
    const got = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
    assert.deepEqual(got.map((body) => decodePacket(body).type), ['data', 'ping'], `cut at ${cut}`);
    assert.equal(reader.pending, 0);
  }
  const byteByByte = new PacketReader();
  const bodies = [...stream].flatMap((x) => byteByByte.push(Uint8Array.of(x)));
  assert.deepEqual(bodies.map((x) => decodePacket(x).payload), [enc('first'), new Uint8Array(0)]);
  const half = new PacketReader();
  assert.deepEqual(half.push(a.subarray(0, 10)), []);
  assert.equal(half.pending, 10, 'a peer that stops half-way leaves bytes pending');
  assert.throws(() => new PacketReader(1024).push(hex('00000401')), /1025-byte packet \(over 1024\)/);
  assert.throws(() => new PacketReader().push(hex('ffffffff')), /4294967295-byte packet/);
});
