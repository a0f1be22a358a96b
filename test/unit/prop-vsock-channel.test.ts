// Properties of the GuestRPC channels over vsock, guest side
// (src/guestrpc/vsock-channel.ts), against a host that sends anything: bytes
// cut anywhere, valid packets, PINGs, garbage, an early end. An RPCI gives a
// reply no longer than the packet bound or a ChannelError, and gives up
// within its reply timeout in all, whatever the host keeps sending. Time is a
// fake clock (performance.now), moved by the host's "network".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ChannelError } from '../../src/guestrpc/channel.js';
import { rpci, rpciRequest } from '../../src/guestrpc/rpci.js';
import { RPCI_REPLY_TIMEOUT_MS, VsockRpciChannel, VsockTcloChannel, type StreamConn } from '../../src/guestrpc/vsock-channel.js';
import { encodePacket, MAX_PACKET_BODY } from '../../src/guestrpc/vsock-packet.js';
import { onlyThrows, runs } from './prop.js';

let now = 0;
function withFakeClock<T>(f: () => T): T {
  Object.defineProperty(performance, 'now', { value: () => now, configurable: true, writable: true });
  try {
    return f();
  } finally {
    delete (performance as { now?: unknown }).now;
  }
}

/** A host that answers each recv with the next step of a script: bytes, a pause (ms), or the end; then nothing more (EOF). */
type Step = { bytes: Uint8Array } | { pause: number } | { eof: true };
function scripted(steps: Step[], forever?: () => Step): StreamConn & { recvs: number; exhausted: boolean } {
  let i = 0;
  const conn = {
    recvs: 0,
    exhausted: false,
    send() {},
    close() {},
    recv(max: number, timeoutMs: number): Uint8Array | null {
      conn.recvs++;
      let s = steps[i++];
      if (!s && forever && conn.recvs < 10_000) s = forever();
      if (!s) {
        conn.exhausted = true;
        return null;
      }
      if ('eof' in s) return null;
      if ('pause' in s) {
        now += Math.min(s.pause, timeoutMs);
        return new Uint8Array(0);
      }
      now += 1;
      return s.bytes.subarray(0, max);
    },
  };
  return conn;
}

const packetBytes = fc.oneof(
  fc.record({ type: fc.constantFrom('data' as const, 'ping' as const), payload: fc.uint8Array({ maxLength: 30 }), fastClose: fc.boolean() }).map((p) => encodePacket({ ...p })),
  fc.uint8Array({ maxLength: 30 }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: packetBytes.chain((b) => fc.nat({ max: b.length }).map((cut) => [b.subarray(0, cut), b.subarray(cut)])).map(([a]) => ({ bytes: a! })) },
  { weight: 5, arbitrary: packetBytes.map((bytes) => ({ bytes })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 40_000 }).map((pause) => ({ pause })) },
  { weight: 1, arbitrary: fc.constant({ eof: true as const }) },
);

test('vsock RPCI against a host that sends anything: a reply within the packet bound, or a ChannelError', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 12 }), (steps) =>
      withFakeClock(() => {
        const conn = scripted(steps);
        const r = onlyThrows(() => rpci(new VsockRpciChannel(() => conn), rpciRequest(Buffer.from('info-get guestinfo.k'))), ChannelError);
        if (!(r instanceof ChannelError)) assert.ok((r as { reply: Uint8Array }).reply.length <= MAX_PACKET_BODY);
      }),
    ),
    runs(1000),
  );
});

test('vsock RPCI: a host that keeps sending PINGs (or trickles a packet) is given up on after the reply timeout in all (regression: each packet restarted the timeout, so it waited forever)', () => {
  const ping = encodePacket({ type: 'ping', payload: new Uint8Array(0), fastClose: false });
  const trickle = (() => {
    const big = new Uint8Array(4);
    new DataView(big.buffer).setUint32(0, 1 << 20); // a 1 MiB packet, one byte a second
    let at = 0;
    return () => ({ bytes: at < 4 ? big.subarray(at++, at) : Uint8Array.of(0) });
  })();
  for (const [what, forever] of [['PINGs every second', () => ({ bytes: ping })], ['a packet trickled a byte a second', trickle]] as const) {
    withFakeClock(() => {
      const start = now;
      const conn = scripted([], () => ((now += 1000), forever()));
      assert.throws(() => rpci(new VsockRpciChannel(() => conn), rpciRequest(Buffer.from('machine.id.get'))), (e: unknown) => e instanceof ChannelError && /no reply/.test((e as Error).message), what);
      assert.equal(conn.exhausted, false, `${what}: the guest gave up by itself`);
      assert.ok(now - start <= RPCI_REPLY_TIMEOUT_MS + 2000, `${what}: gave up after ${now - start} ms`);
    });
  }
});

test('vsock TCLO against a host that sends anything: a command within the packet bound, empty, or a ChannelError; never stuck', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 12 }), (steps) =>
      withFakeClock(() => {
        const conn = scripted(steps);
        const ch = new VsockTcloChannel(() => conn);
        ch.open();
        for (let i = 0; i < 20; i++) {
          const r = onlyThrows(() => ch.receive(), ChannelError);
          if (r instanceof ChannelError) return;
          assert.ok((r as Uint8Array).length <= MAX_PACKET_BODY);
          onlyThrows(() => ch.send(new Uint8Array(0)), ChannelError);
        }
      }),
    ),
    runs(500),
  );
});
