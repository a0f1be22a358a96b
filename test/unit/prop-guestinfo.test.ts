// Properties of guestinfo input: `vmt sim --guestinfo KEY=VALUE` (and
// --guestinfo-file) as the store ends up holding them, and the --encoding
// decoding of `vmt info get` on values a host (or anyone who can write
// guestinfo.* from outside) chooses: base64 and gzip+base64 round trips,
// hostile values give DecodeError and nothing else, and an accepted value is
// well-formed base64 (a value cut short is not decoded into a wrong one).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DecodeError, decodeValue, MAX_DECODED_VALUE, parseEncoding } from '../../src/guestrpc/guestinfo.js';
import { GuestInfoStore } from '../../src/sim/host/index.js';
import { initialGuestInfo, parseGuestInfoJson, parseGuestInfoPairs } from '../../src/sim/host/guestinfo.js';
import { onlyThrows, runs } from './prop.js';

const enc = (s: string) => new TextEncoder().encode(s);
const keyWord = fc.oneof(fc.constantFrom('a', 'A', 'metadata', 'Metadata', 'guestinfo.a', 'GUESTINFO.A', 'GuestInfo.metadata', 'guestinfo.'), fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.includes('=')));
const pair = fc.tuple(keyWord, fc.string({ maxLength: 8 }));
const canonical = (k: string) => (/^guestinfo\./i.test(k) ? k : `guestinfo.${k}`).toLowerCase();

test('--guestinfo: the store holds, for every key (any case, with or without the prefix), the last value given for it', () => {
  fc.assert(
    fc.property(fc.array(pair, { maxLength: 8 }), (pairs) => {
      const store = new GuestInfoStore(parseGuestInfoPairs(pairs.map(([k, v]) => `${k}=${v}`)));
      const last = new Map<string, string>();
      for (const [k, v] of pairs) last.set(canonical(k), v);
      assert.deepEqual(store.keys(), [...last.keys()].sort());
      for (const [k, v] of last) assert.equal(store.get(k), v, k);
    }),
    { ...runs(500), examples: [[[['a', '1'], ['A', '2'], ['a', '3']]]] }, // regression: left a=2
  );
});

test('--guestinfo over --guestinfo-file: a pair wins over the file, whatever the case of either key', () => {
  fc.assert(
    fc.property(fc.array(pair, { maxLength: 5 }), fc.array(pair, { maxLength: 5 }), (file, pairs) => {
      const json = JSON.stringify(Object.fromEntries(file));
      const fromFile = parseGuestInfoJson(json);
      const store = new GuestInfoStore({ ...fromFile, ...parseGuestInfoPairs(pairs.map(([k, v]) => `${k}=${v}`)) });
      const want = new Map<string, string>();
      for (const [k, v] of Object.entries(JSON.parse(json) as Record<string, string>)) want.set(canonical(k), v);
      for (const [k, v] of pairs) want.set(canonical(k), v);
      for (const [k, v] of want) assert.equal(store.get(k), v, k);
    }),
    { ...runs(300), examples: [[[['guestinfo.a', 'file'], ['GUESTINFO.A', 'file too']], [['guestinfo.a', 'flag']]]] }, // regression: the file's GUESTINFO.A won
  );
});

test('--guestinfo: a word without KEY= is refused with an Error naming it; VALUE is everything after the first "="', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), (word) => {
      const eq = word.indexOf('=');
      if (eq <= 0) return void assert.throws(() => parseGuestInfoPairs([word]), (e: Error) => e.message.includes('KEY=VALUE'));
      assert.deepEqual(Object.values(parseGuestInfoPairs([word])), [word.slice(eq + 1)]);
      assert.deepEqual(Object.values(initialGuestInfo({ pairs: [word] })), [word.slice(eq + 1)]);
    }),
    runs(300),
  );
});

// ---- --encoding

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const whitespace = fc.array(fc.constantFrom(' ', '\n', '\r\n', '\t'), { maxLength: 3 }).map((a) => a.join(''));
/** text with whitespace inserted at random places (as wrapped base64 comes) */
const spaced = (t: string) => fc.array(fc.tuple(fc.nat({ max: t.length }), whitespace), { maxLength: 4 }).map((ins) => {
  let s = t;
  for (const [at, w] of ins.sort((a, b) => b[0] - a[0])) s = s.slice(0, at) + w + s.slice(at);
  return s;
});

test('--encoding base64 / gzip+base64: any bytes, wrapped or url-safe, unpadded, decode to themselves', () => {
  const value = fc.uint8Array({ maxLength: 200 });
  const form = fc.constantFrom('padded', 'unpadded', 'url-safe');
  fc.assert(
    fc.property(value, form, fc.boolean(), (v, f, gz) => {
      let t = b64(gz ? gzipSync(v) : v);
      if (f === 'unpadded') t = t.replace(/=+$/, '');
      if (f === 'url-safe') t = t.replace(/\+/g, '-').replace(/\//g, '_');
      return fc.assert(fc.property(spaced(t), (s) => assert.deepEqual(Uint8Array.from(decodeValue(enc(s), gz ? 'gzip+base64' : 'base64')), v)), { numRuns: 2 }) ?? true;
    }),
    runs(200),
  );
});

/** The base64 data characters of an accepted value, and what they must decode to. */
function wellFormed(text: string, decoded: Uint8Array): void {
  const t = text.replace(/\s+/g, '');
  const data = t.replace(/=+$/, '');
  assert.notEqual(data.length % 4, 1, `${JSON.stringify(t)}: no base64 text has 4n+1 data characters`);
  if (data.length !== t.length) assert.equal(t.length % 4, 0, `${JSON.stringify(t)}: padding only completes a group of 4`);
  assert.equal(decoded.length, Math.floor((data.length * 6) / 8));
}

test('--encoding base64: hostile values give DecodeError or decode from well-formed base64 (regression: a value cut to 4n+1 characters decoded)', () => {
  const alphabet = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= \n'.split(''));
  const hostile = fc.oneof(
    fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')),
    fc.tuple(fc.uint8Array({ maxLength: 30 }), fc.nat()).map(([v, cut]) => b64(v).slice(0, b64(v).length - (cut % 4))),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
  fc.assert(
    fc.property(hostile, (text) => {
      const r = onlyThrows(() => decodeValue(enc(text), 'base64'), DecodeError);
      if (!(r instanceof DecodeError)) wellFormed(text, r as Uint8Array);
    }),
    runs(1500),
  );
  assert.throws(() => decodeValue(enc('QUJDR'), 'base64'), DecodeError, '"ABC" with one character of a cut-off group');
  assert.throws(() => decodeValue(enc('QU='), 'base64'), DecodeError, 'padding that completes no group');
});

test('--encoding gzip+base64: hostile values (random, cut, flipped gzip) give DecodeError and nothing else', () => {
  const gz = fc.tuple(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(), fc.nat({ max: 255 })).map(([v, cut, at, x]) => {
    const g = Buffer.from(gzipSync(v));
    if (at % 2) g[at % g.length]! ^= x;
    return b64(g.subarray(0, g.length - (cut % 3 === 0 ? cut % g.length : 0)));
  });
  fc.assert(fc.property(fc.oneof(gz, fc.string({ maxLength: 40 })), (t) => void onlyThrows(() => decodeValue(enc(t), 'gzip+base64'), DecodeError)), runs(1000));
});

test(`--encoding gzip+base64: a value that inflates past ${MAX_DECODED_VALUE / 1024 / 1024} MiB is refused (regression: a gzip bomb inflated without bound)`, () => {
  // gzip members one after another inflate to their concatenation: n MiB of zeros from one 1 MiB member
  const member = gzipSync(new Uint8Array(1024 * 1024));
  const mib = (n: number) => enc(b64(Buffer.concat(Array<Buffer>(n).fill(member))));
  const limit = MAX_DECODED_VALUE / 1024 / 1024;
  assert.throws(() => decodeValue(mib(limit + 1), 'gzip+base64'), (e: Error) => e instanceof DecodeError && /MiB/.test(e.message));
  assert.equal(decodeValue(mib(limit), 'gzip+base64').length, MAX_DECODED_VALUE);
});

test('KEY.encoding names: the known ones in any case and with spaces around, nothing else', () => {
  const names = ['none', '', 'base64', 'b64', 'gzip+base64', 'gz+b64', 'gz+base64', 'gzip+b64'];
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 })), fc.boolean(), whitespace, (n, upper, ws) => {
      const text = ws + (upper ? n.toUpperCase() : n) + ws;
      const r = parseEncoding(text);
      assert.equal(r !== null, names.includes(text.trim().toLowerCase()));
    }),
    runs(500),
  );
});
