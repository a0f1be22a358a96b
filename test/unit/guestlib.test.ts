// The guest's guestlib decoder (src/guestlib) against hand-made, hostile and
// random bytes, its request negotiation against a fake host, and the sim's own
// encoder (src/sim/host/guestlib*.ts, written separately) read back by it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figure, NotProvided, readGuestlib, type Send } from '../../src/guestlib/client.js';
import { decodeGuestlib, GuestlibFormatError, V2_SIZE } from '../../src/guestlib/decode.js';
import { statByName, STATS } from '../../src/guestlib/stats.js';
import { encodeV2, encodeV3, guestlibReply } from '../../src/sim/host/guestlib.js';
import { defaultGuestlib, statSettings } from '../../src/sim/host/guestlib-stats.js';

const be = (...words: number[]) => Buffer.concat(words.map((w) => { const b = Buffer.alloc(4); b.writeUInt32BE(w >>> 0); return b; }));

/** A V3 reply by hand: header + XDR of the given stat bodies (each already id + valid + value). */
function v3(session: bigint, count: number, body: Buffer, dataSize?: number): Buffer {
  const data = Buffer.concat([be(count), body]);
  const head = Buffer.alloc(16);
  head.writeUInt32LE(3, 0);
  head.writeBigUInt64LE(session, 4);
  head.writeUInt32LE(dataSize ?? data.length, 12);
  return Buffer.concat([head, data]);
}

const balloonDef = statByName('memBalloonedMB')!;

test('a hand-made V3 reply: u32, u64 and string statistics, valid and not', () => {
  const body = Buffer.concat([
    be(1, 1, 100), // cpuReservationMHz valid 100
    be(2, 0, 0), // cpuLimitMHz not valid
    be(3, 1, 2000), // cpuShares
    be(4, 1, 0x1, 0x2), // cpuUsedMs = 0x100000002
  ]);
  const d = decodeGuestlib(v3(0x1234n, 4, body), 3);
  assert.equal(d.version, 3);
  assert.equal(d.sessionId, 0x1234n);
  assert.deepEqual(d.stats.get(1), { valid: true, value: 100n });
  assert.deepEqual(d.stats.get(2), { valid: false });
  assert.deepEqual(d.stats.get(4), { valid: true, value: 0x100000002n });
  assert.equal(d.stats.size, 4);
  assert.throws(() => figure(d, balloonDef), NotProvided); // not sent: an older host
  assert.throws(() => figure(d, statByName('cpuLimitMHz')!), /not valid/);
  assert.equal(figure(d, statByName('cpuReservationMHz')!), 100n);
});

test("Bool is XDR's char: only the low byte of the valid word counts (as guestlib reads it)", () => {
  assert.deepEqual(decodeGuestlib(v3(1n, 1, be(1, 0x100, 7)), 3).stats.get(1), { valid: false });
  assert.deepEqual(decodeGuestlib(v3(1n, 1, be(1, 0x2, 7)), 3).stats.get(1), { valid: true, value: 7n });
});

test('the sim encoder (its own code) read back by the guest decoder: V3 and V2, every kind of statistic', () => {
  const s = statSettings({ hostMHz: 2500, pairs: ['balloon=512', 'memShares64=0x123456789abcdef0', 'resourcePoolPath=/pool/a', 'resourcePoolPathLong=/long/path', 'swap=invalid', 'sessionid=42'] });
  const g = s.guestlib!;
  const d3 = decodeGuestlib(encodeV3(g), 3);
  assert.equal(d3.sessionId, 42n);
  assert.equal(d3.stats.size, 38);
  assert.equal(figure(d3, balloonDef), 512n);
  assert.equal(figure(d3, statByName('memShares64')!), 0x123456789abcdef0n);
  assert.equal(Buffer.from(figure(d3, statByName('resourcePoolPath')!) as Uint8Array).toString(), '/pool/a');
  assert.equal(Buffer.from(figure(d3, statByName('resourcePoolPathLong')!) as Uint8Array).toString(), '/long/path');
  assert.throws(() => figure(d3, statByName('memSwappedMB')!), /not valid/);
  assert.equal(figure(d3, statByName('hostMHz')!), 2500n);
  const v2 = encodeV2(g);
  assert.equal(v2.length, V2_SIZE);
  const d2 = decodeGuestlib(v2, 2);
  assert.equal(figure(d2, balloonDef), 512n);
  assert.equal(Buffer.from(figure(d2, statByName('resourcePoolPath')!) as Uint8Array).toString(), '/pool/a');
  assert.throws(() => figure(d2, statByName('memShares64')!), /does not have memShares64/);
  assert.equal(d2.stats.size, 18);
});

test('hostile V3 replies are format errors, never over-reads or huge allocations', () => {
  const good = Buffer.from(encodeV3(defaultGuestlib(2500)));
  // every truncation, with the header's dataSize left as it was, and with it corrected
  for (let n = 0; n < good.length; n++) {
    const cut = Buffer.from(good.subarray(0, n));
    assert.throws(() => decodeGuestlib(cut, 3), GuestlibFormatError, `cut at ${n}`);
    if (n >= 16) {
      cut.writeUInt32LE(n - 16, 12);
      assert.throws(() => decodeGuestlib(cut, 3), GuestlibFormatError, `cut at ${n}, dataSize corrected`);
    }
  }
  const cases: [string, Buffer][] = [
    ['dataSize beyond the reply', v3(1n, 1, be(1, 1, 5), 0xffffffff)],
    ['a count of 2^32-1 with one statistic', v3(1n, 0xffffffff, be(1, 1, 5))],
    ['ids out of order', v3(1n, 2, be(2, 1, 5, 1, 1, 5))],
    ['a string longer than 512', v3(1n, 18, Buffer.concat([...Array.from({ length: 17 }, (_, i) => (STATS[i]!.type === 'u64' ? be(i + 1, 1, 0, 0) : be(i + 1, 1, 0))), be(18, 1, 513), Buffer.alloc(516)]))],
    ['a string length of 2^32-1', v3(1n, 18, Buffer.concat([...Array.from({ length: 17 }, (_, i) => (STATS[i]!.type === 'u64' ? be(i + 1, 1, 0, 0) : be(i + 1, 1, 0))), be(18, 1, 0xffffffff)]))],
    ['a version 2 header on a version 3 reply', (() => { const b = v3(1n, 0, Buffer.alloc(0)); b.writeUInt32LE(2, 0); return b; })()],
    ['three bytes', Buffer.from([3, 0, 0])],
  ];
  for (const [what, bytes] of cases) assert.throws(() => decodeGuestlib(bytes, 3), GuestlibFormatError, what);
});

test('a host with more statistics than this side knows: the first 38 are read, the rest ignored (as guestlib does)', () => {
  const g = defaultGuestlib(2500);
  const b = Buffer.from(encodeV3(g));
  b.writeUInt32BE(1000, 16); // the count
  const d = decodeGuestlib(Buffer.concat([b, be(39, 1, 1)]), 3);
  assert.equal(d.stats.size, 38);
});

test('V2 replies must be exactly 669 bytes; the pool path ends at byte 511 whatever the host sent', () => {
  assert.throws(() => decodeGuestlib(Buffer.alloc(668), 2), GuestlibFormatError);
  assert.throws(() => decodeGuestlib(Buffer.alloc(670), 2), GuestlibFormatError);
  const b = Buffer.alloc(V2_SIZE, 0x41);
  b.writeUInt32LE(2, 0);
  const d = decodeGuestlib(b, 2);
  assert.equal((figure(d, statByName('resourcePoolPath')!) as Uint8Array).length, 511);
});

test('random bytes: only format errors, or a decoded reply', () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const good = Buffer.from(encodeV3(defaultGuestlib(2500)));
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(good);
    const flips = 1 + Math.floor(rnd() * 8);
    for (let f = 0; f < flips; f++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const junk = i % 3 === 0 ? Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256))) : b;
    for (const version of [2, 3] as const) {
      try {
        decodeGuestlib(junk, version);
      } catch (err) {
        assert.ok(err instanceof GuestlibFormatError, `${(err as Error).message}`);
      }
    }
  }
});

test('negotiation: 3, then 2 after a failure other than "Unknown command"; "Unknown command" or a failed 2 is no guestlib', async () => {
  const g = defaultGuestlib(2500);
  const asked: string[] = [];
  const host = (answers: Record<string, string | Uint8Array>): Send => async (c) => {
    const cmd = Buffer.from(c).toString();
    asked.push(cmd);
    const a = answers[cmd];
    if (a === undefined || typeof a === 'string') return { ok: false, reply: Buffer.from(a ?? 'Unknown command') };
    return { ok: true, reply: a };
  };
  await assert.rejects(readGuestlib(host({})), /does not offer guestlib.*Unknown command/);
  assert.deepEqual(asked.splice(0), ['guestlib.info.get 3']);
  const d = await readGuestlib(host({ 'guestlib.info.get 3': '2:Unsupported version', 'guestlib.info.get 2': encodeV2(g) }));
  assert.equal(d.version, 2);
  assert.deepEqual(asked.splice(0), ['guestlib.info.get 3', 'guestlib.info.get 2']);
  await assert.rejects(readGuestlib(host({ 'guestlib.info.get 3': 'whatever', 'guestlib.info.get 2': 'Unsupported version' })), NotProvided);
  const zero = { ...g, sessionId: 0n };
  const dz = await readGuestlib(host({ 'guestlib.info.get 3': encodeV3(zero) }));
  assert.throws(() => figure(dz, balloonDef), /session id is 0/);
});

test('the sim: --stat none answers "Unknown command"; raw replies by their words; bad --stat values are refused', () => {
  const reply = (g: ReturnType<typeof defaultGuestlib> | null, cmd: string, args: string) => Buffer.from(guestlibReply(g, cmd, Buffer.from(args))).toString('latin1');
  assert.equal(reply(statSettings({ hostMHz: 1, pairs: ['none'] }).guestlib, 'guestlib.info.get', '3'), '0 Unknown command');
  const g = defaultGuestlib(2500);
  g.raw.set('text session', 'session 1\n');
  assert.equal(reply(g, 'guestlib.stat.get', 'text  session '), '1 session 1\n');
  assert.equal(reply(g, 'guestlib.stat.get', '  '), '0 Unknown stat');
  assert.equal(reply({ ...g, version: 2 }, 'guestlib.info.get', '3'), '0 2:Unsupported version');
  for (const [pairs, re] of [
    [['none', 'balloon=1'], /goes alone/],
    [['balloon=-1'], /whole number/],
    [['balloon=4294967296'], /at most 4294967295/],
    [['bogus=1'], /unknown figure 'bogus'/],
    [['version=4'], /at most 3/],
    [['count=39'], /at most 38/],
    [['balloon'], /NAME=VALUE/],
  ] as const) {
    assert.throws(() => statSettings({ hostMHz: 1, pairs: [...pairs] }), re, pairs.join(' '));
  }
  // speed sets hostMHz too, unless it is set itself
  assert.equal(statSettings({ hostMHz: 1, pairs: ['speed=3000'] }).guestlib!.figures.get(5)!.valid, true);
  assert.deepEqual(statSettings({ hostMHz: 1, pairs: ['speed=3000', 'hostMHz=12'] }).guestlib!.figures.get(5), { valid: true, value: 12n });
});
