// Properties of DataMap and the GuestRPC packets on vsock: encode/decode round
// trips, decode of hostile bytes (only DataMapError, and what decodes is
// exactly what was there: re-encoding gives the same bytes back, so nothing
// was made up or allocated beyond the input), and the stream framing cut at
// any points; the guest's packets against the host model's own reader and
// writer (src/sim/host/vsock.ts, written apart).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DataMapError, decodeDataMap, DM_INT64, DM_INT64LIST, DM_STRING, DM_STRINGLIST, encodeDataMap, type DataMap, type DataMapValue } from '../../src/guestrpc/datamap.js';
import { decodePacket, encodePacket, PacketReader, type Packet } from '../../src/guestrpc/vsock-packet.js';
import { defaultConfig, GuestInfoStore } from '../../src/sim/host/index.js';
import { RpciEndpoint } from '../../src/sim/host/rpci.js';
import { dataPacket, readPacket, VsockRpciConnection } from '../../src/sim/host/vsock.js';
import { hostileU32, onlyThrows, runs } from './prop.js';

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const str = fc.uint8Array({ minLength: 1, maxLength: 40 });
const value: fc.Arbitrary<DataMapValue> = fc.oneof(
  int64.map((v) => ({ type: DM_INT64, value: v }) as const),
  str.map((v) => ({ type: DM_STRING, value: v }) as const),
  fc.array(int64, { maxLength: 6 }).map((v) => ({ type: DM_INT64LIST, value: v }) as const),
  fc.array(str, { maxLength: 5 }).map((v) => ({ type: DM_STRINGLIST, value: v }) as const),
);
const fieldId = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 0x7fffffff }));
const dataMap: fc.Arbitrary<DataMap> = fc.uniqueArray(fc.tuple(fieldId, value), { maxLength: 6, selector: ([id]) => id }).map((e) => new Map(e));

const body = (encoded: Uint8Array) => encoded.subarray(4);

test('DataMap: decode(encode(m)) = m, and the prefix is the body length', () => {
  fc.assert(
    fc.property(dataMap, (m) => {
      const e = encodeDataMap(m);
      assert.equal(new DataView(e.buffer, e.byteOffset).getUint32(0), e.length - 4);
      assert.deepEqual(decodeDataMap(body(e)), m);
    }),
    runs(400),
  );
});

/** Decodes hostile bytes: a DataMapError, or a map that re-encodes to exactly those bytes. */
function decodesExactly(b: Uint8Array): void {
  const r = onlyThrows(() => decodeDataMap(b), DataMapError);
  if (r instanceof DataMapError) return;
  assert.deepEqual(body(encodeDataMap(r as DataMap)), b, 'what decoded re-encodes to the same bytes');
}

test('DataMap: any bytes decode to a DataMapError or to exactly what they encode', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), decodesExactly), runs(1500));
});

test('DataMap: a valid map with a hostile int32 written anywhere (counts, lengths, types, ids)', () => {
  const mutated = dataMap
    .filter((m) => m.size > 0)
    .chain((m) => {
      const b = body(encodeDataMap(m));
      return fc.tuple(fc.constant(b), fc.nat({ max: Math.max(0, b.length - 4) }), hostileU32, fc.boolean());
    })
    .map(([b, at, v, cut]) => {
      const out = Uint8Array.from(b);
      new DataView(out.buffer).setUint32(at - (at % (cut ? 1 : 4)), v);
      return out;
    });
  fc.assert(fc.property(mutated, decodesExactly), runs(1500));
});

test('DataMap: a count or length of 2^31-1 over a few bytes is refused before anything is allocated', () => {
  for (const type of [DM_STRING, DM_INT64LIST, DM_STRINGLIST]) {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setInt32(0, type);
    v.setInt32(4, 1);
    v.setInt32(8, 0x7fffffff);
    assert.throws(() => decodeDataMap(b), DataMapError);
  }
});

const packet: fc.Arbitrary<Packet> = fc.record({ type: fc.constantFrom('data' as const, 'ping' as const), payload: fc.uint8Array({ maxLength: 100 }), fastClose: fc.boolean() }).map((p) => ({ ...p }));

test('packets: decodePacket(encodePacket(p)) = p; hostile bodies give only DataMapError', () => {
  fc.assert(fc.property(packet, (p) => assert.deepEqual(decodePacket(body(encodePacket(p))), p)), runs(300));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => void onlyThrows(() => decodePacket(b), DataMapError)), runs(1000));
});

test('packets: a stream of packets cut at any points gives the same bodies, in order, nothing left over', () => {
  const stream = fc.tuple(fc.array(packet, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }));
  fc.assert(
    fc.property(stream, ([packets, cuts]) => {
      const encoded = packets.map(encodePacket);
      const all = Buffer.concat(encoded);
      const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
      const reader = new PacketReader();
      const got: Uint8Array[] = [];
      let from = 0;
      for (const p of [...points, all.length]) {
        const chunk = Uint8Array.from(all.subarray(from, p));
        got.push(...reader.push(chunk));
        chunk.fill(0xee); // the reader must have copied what it keeps
        from = p;
      }
      assert.deepEqual(got, encoded.map((e) => Uint8Array.from(body(e))));
      assert.equal(reader.pending, 0);
      assert.deepEqual(got.map(decodePacket), packets);
    }),
    runs(300),
  );
});

test('packets: a length prefix over the bound is refused as soon as its 4 bytes are in, whatever follows', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4096 }), fc.nat({ max: 0xffffffff }), fc.uint8Array({ maxLength: 64 }), (max, len, rest) => {
      fc.pre(len > max);
      const head = new Uint8Array(4);
      new DataView(head.buffer).setUint32(0, len);
      const reader = new PacketReader(max);
      assert.throws(() => reader.push(Uint8Array.from([...head, ...rest])), DataMapError);
    }),
    runs(300),
  );
});

test('packets: the reader keeps copies of what it buffers (regression: it kept the caller\'s chunk, pinning its buffer)', () => {
  // a host that trickles a packet one byte per read: each chunk is a view of a large receive buffer the caller reuses
  const wire = encodePacket({ type: 'data', payload: Uint8Array.from([1, 2, 3]), fastClose: false });
  const recvBuffer = new Uint8Array(64 * 1024);
  const reader = new PacketReader();
  const got: Uint8Array[] = [];
  for (const byte of wire) {
    recvBuffer[0] = byte;
    got.push(...reader.push(recvBuffer.subarray(0, 1)));
    recvBuffer.fill(0xee);
  }
  assert.deepEqual(got.map(decodePacket), [{ type: 'data', payload: Uint8Array.from([1, 2, 3]), fastClose: false }]);
});

test('packets, guest against host: the host reads what the guest encodes, the guest decodes what the host writes', () => {
  fc.assert(
    fc.property(packet, fc.uint8Array({ maxLength: 100 }), (p, reply) => {
      assert.deepEqual(readPacket(body(encodePacket(p))), { type: p.type === 'data' ? 1 : 2, payload: p.payload, fastClose: p.fastClose });
      assert.deepEqual(decodePacket(body(dataPacket(reply))), { type: 'data', payload: reply, fastClose: false });
    }),
    runs(300),
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => assert.ok(['string', 'object'].includes(typeof readPacket(b)))), runs(500));
});

test('packets over a vsock RPCI connection, cut at any points: one reply per DATA request, in order, none for PING, closing after FAST_CLOSE', () => {
  const request = fc.oneof(fc.constantFrom('info-get guestinfo.a', 'info-set guestinfo.a 1', 'info-set guestinfo.a two words', 'machine.id.get', 'nope').map((t) => Buffer.from(t)), fc.uint8Array({ minLength: 1, maxLength: 40 }));
  const guestPacket = fc.record({ type: fc.constantFrom('data' as const, 'data' as const, 'ping' as const), payload: request, fastClose: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) }).map((p) => ({ ...p }));
  fc.assert(
    fc.property(fc.array(guestPacket, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (packets, cuts) => {
      const conn = new VsockRpciConnection(new RpciEndpoint(defaultConfig(), new GuestInfoStore(), () => {}, () => {}), () => {}, 1000, false);
      const reference = new RpciEndpoint(defaultConfig(), new GuestInfoStore(), () => {}, () => {});
      const want: Uint8Array[] = [];
      let wantClose = false;
      for (const p of packets) {
        if (p.type === 'ping') continue;
        want.push(Uint8Array.from(reference.handle(p.payload)));
        if (p.fastClose) {
          wantClose = true;
          break;
        }
      }
      const all = Buffer.concat(packets.map(encodePacket));
      const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
      const reader = new PacketReader();
      const got: Uint8Array[] = [];
      let closed = false;
      let from = 0;
      for (const at of [...points, all.length]) {
        const out = conn.input(all.subarray(from, at));
        for (const b of out.send) got.push(...reader.push(b).map((x) => decodePacket(x).payload));
        from = at;
        if (out.close) {
          closed = true;
          break;
        }
      }
      assert.deepEqual(got, want);
      assert.equal(closed, wantClose);
    }),
    runs(200),
  );
});
