// Properties of vsock addresses (src/vsock/address.ts): parse(format(x)) = x
// for every CID and port, the other ways of writing a number or a CID name,
// garbage gives AddressError (the CLI's usage error, exit 2) and nothing else,
// and struct sockaddr_vm round trips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../src/cli/exit.js';
import { vsockEndpointFlag } from '../../src/cli/flags.js';
import { AddressError, CID_NAMES, formatAddress, parseAddress, parseSockaddrVm, sockaddrVm, type VsockAddress } from '../../src/vsock/address.js';
import { onlyThrows, runs } from './prop.js';

const u32 = fc.oneof(fc.constantFrom(0, 1, 2, 3, 0xfffffffe, 0xffffffff), fc.nat({ max: 0xffffffff }));
const address: fc.Arbitrary<VsockAddress> = fc.record({ cid: u32, port: u32 }).map((a) => ({ ...a }));

test('vsock address: parse(format(x)) = x, for connecting and for listening', () => {
  fc.assert(
    fc.property(address, (a) => {
      assert.deepEqual(parseAddress(formatAddress(a)), a);
      assert.deepEqual(parseAddress(formatAddress(a), { listen: true }), a);
    }),
    runs(1000),
  );
});

/** The ways a user may write a number: decimal, 0x/0X hex in either case, with spaces around the whole address. */
const spelled = (n: number) => fc.constantFrom(String(n), `0x${n.toString(16)}`, `0X${n.toString(16).toUpperCase()}`);
const cidSpelled = (cid: number) => {
  const names = Object.entries(CID_NAMES).filter(([, v]) => v === cid).flatMap(([k]) => [k, k.toUpperCase(), k[0]!.toUpperCase() + k.slice(1)]);
  return fc.oneof(spelled(cid), ...(names.length ? [fc.constantFrom(...names)] : []), ...(cid === 0xffffffff ? [fc.constant('-1')] : []));
};

test('vsock address: every spelling of a CID and a port parses to them; a bare port listens on any CID', () => {
  fc.assert(
    fc.property(address.chain((a) => fc.tuple(fc.constant(a), cidSpelled(a.cid), spelled(a.port), fc.constantFrom('', ' ', '\t'))), ([a, c, p, ws]) => {
      assert.deepEqual(parseAddress(`${ws}${c}:${p}${ws}`), a);
      assert.deepEqual(parseAddress(`${ws}${p}${ws}`, { listen: true }), { cid: 0xffffffff, port: a.port });
    }),
    runs(1000),
  );
});

test('vsock address: garbage gives AddressError (naming the form) and nothing else; what parses is in range and formats back', () => {
  const piece = fc.oneof(fc.constantFrom('0x', '-', '+', '1e3', '00', '0x1g', '4294967296', '99999999999999999999', ' ', 'host', 'HOST', 'any', '-1', ':', ''), fc.string({ maxLength: 6 }), u32.map(String));
  const garbage = fc.oneof(fc.array(piece, { maxLength: 4 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 16 }));
  fc.assert(
    fc.property(garbage, fc.boolean(), (text, listen) => {
      const r = onlyThrows(() => parseAddress(text, { listen }), AddressError);
      if (r instanceof AddressError) return assert.match(r.message, /expected \[?CID:\]?PORT/);
      const a = r as VsockAddress;
      for (const n of [a.cid, a.port]) assert.ok(Number.isInteger(n) && n >= 0 && n <= 0xffffffff);
      assert.deepEqual(parseAddress(formatAddress(a)), a);
    }),
    runs(2000),
  );
});

test('struct sockaddr_vm: parseSockaddrVm(sockaddrVm(x)) = x; short buffers give AddressError', () => {
  fc.assert(fc.property(address, (a) => assert.deepEqual(parseSockaddrVm(sockaddrVm(a)), a)), runs(500));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 15 }), (b) => assert.ok(onlyThrows(() => parseSockaddrVm(b), AddressError) instanceof AddressError)), runs(100));
});

test('--vsock-endpoint: what parseAddress refuses is the CLI\'s usage error (exit 2), naming the flag', async () => {
  const flag = vsockEndpointFlag('test');
  const parse = (text: string) => (flag.parse as (input: string, ctx: unknown, opts: unknown) => Promise<VsockAddress>)(text, {}, {});
  await fc.assert(
    fc.asyncProperty(fc.oneof(address.map(formatAddress), fc.string({ maxLength: 12 })), async (text) => {
      let want: VsockAddress | AddressError;
      try {
        want = parseAddress(text);
      } catch (e) {
        want = e as AddressError;
      }
      const got = await parse(text).catch((e: unknown) => e);
      if (want instanceof AddressError) assert.ok(got instanceof UsageError && got.exit === 2 && got.message === `--vsock-endpoint: ${want.message}`);
      else assert.deepEqual(got, want);
    }),
    runs(300),
  );
});
