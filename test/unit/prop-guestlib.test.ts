// Properties of the guestlib reply decoder (src/guestlib/decode.ts): the sim's
// encoder (src/sim/host/guestlib.ts, written apart) read back for any figures,
// V3 and V2; hostile bytes (random, or a valid reply with a word overwritten
// or cut) give GuestlibFormatError and nothing else, and no value longer than
// what came.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeGuestlib, GuestlibFormatError, type StatValue } from '../../src/guestlib/decode.js';
import { encodeV2, encodeV3 } from '../../src/sim/host/guestlib.js';
import { HOST_STATS, type Figure, type GuestlibConfig } from '../../src/sim/host/guestlib-stats.js';
import { onlyThrows, runs } from './prop.js';

const figureOf = (kind: string): fc.Arbitrary<Figure> =>
  fc.oneof(
    fc.constant({ valid: false } as const),
    (kind === 'u32' ? fc.bigInt({ min: 0n, max: 0xffffffffn }) : kind === 'u64' ? fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) : fc.uint8Array({ maxLength: kind === 'string' ? 512 : 600 })).map(
      (value) => ({ valid: true, value }) as const,
    ),
  );
const config: fc.Arbitrary<GuestlibConfig> = fc.record({
  sessionId: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  count: fc.integer({ min: 0, max: HOST_STATS.length }),
  figures: fc.tuple(...HOST_STATS.map(([, kind]) => figureOf(kind))).map((fs) => new Map(fs.map((f, i) => [i + 1, f]))),
}).map((c) => ({ ...c, version: 3 as const, raw: new Map<string, string>() }));

const V2_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];

test('guestlib V3: the sim encodes any figures, the guest decodes the same session id and figures, ids 1..count', () => {
  fc.assert(
    fc.property(config, (g) => {
      const d = decodeGuestlib(encodeV3(g), 3);
      assert.equal(d.sessionId, g.sessionId);
      const want = new Map<number, StatValue>();
      for (let id = 1; id <= g.count; id++) want.set(id, g.figures.get(id)!);
      assert.deepEqual(d.stats, want);
    }),
    runs(200),
  );
});

test('guestlib V2: the 18 figures of the fixed struct, the path cut at 511 bytes and at its first NUL', () => {
  fc.assert(
    fc.property(config, (g) => {
      const d = decodeGuestlib(encodeV2(g), 2);
      assert.equal(d.sessionId, g.sessionId);
      const want = new Map<number, StatValue>();
      for (const id of V2_IDS) {
        const f = g.figures.get(id)!;
        if (f.valid && f.value instanceof Uint8Array) {
          const cut = f.value.subarray(0, 511);
          const nul = cut.indexOf(0);
          want.set(id, { valid: true, value: Uint8Array.from(nul < 0 ? cut : cut.subarray(0, nul)) });
        } else want.set(id, f);
      }
      assert.deepEqual(d.stats, want);
    }),
    runs(100),
  );
});

function hostileOk(b: Uint8Array, asked: 2 | 3): void {
  const r = onlyThrows(() => decodeGuestlib(b, asked), GuestlibFormatError);
  if (r instanceof GuestlibFormatError) return;
  for (const v of (r as ReturnType<typeof decodeGuestlib>).stats.values()) {
    if (v.valid && v.value instanceof Uint8Array) assert.ok(v.value.length <= b.length);
  }
}

test('guestlib: hostile replies give GuestlibFormatError or figures no longer than the reply', () => {
  const mutated = fc.tuple(config.map(encodeV3), fc.nat(), fc.nat({ max: 0xffffffff }), fc.nat(), fc.boolean()).map(([b, at, v, cut, le]) => {
    const out = Buffer.from(b);
    const i = at % (out.length - 3);
    if (le) out.writeUInt32LE(v, i);
    else out.writeUInt32BE(v, i);
    return out.subarray(0, out.length - (cut % 4 === 0 ? cut % out.length : 0));
  });
  const random3 = fc.tuple(fc.bigInt({ min: 0n, max: 5n }), fc.nat({ max: 80 }), fc.uint8Array({ maxLength: 80 })).map(([sid, size, data]) => {
    const head = Buffer.alloc(16);
    head.writeUInt32LE(3, 0);
    head.writeBigUInt64LE(sid, 4);
    head.writeUInt32LE(size, 12);
    return Buffer.concat([head, data]);
  });
  fc.assert(fc.property(fc.oneof(mutated, random3, fc.uint8Array({ maxLength: 64 })), (b) => hostileOk(b, 3)), runs(1000));
  const v2 = fc.oneof(fc.uint8Array({ minLength: 669, maxLength: 669 }).map((b) => (Buffer.from(b).writeUInt32LE(2, 0), b)), fc.uint8Array({ maxLength: 700 }));
  fc.assert(fc.property(v2, (b) => hostileOk(b, 2)), runs(200));
});
