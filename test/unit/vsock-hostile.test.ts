// Issue 12 over vsock: `vmt sim serve --fault` as a hostile peer. The host
// side's modes over the server loop's fake sockets, then the guest's channels
// against them in process (a fake clock: the stall modes end at the reply
// deadline without waiting for it), and the host framer's linear work on
// one-byte writes. No socket is opened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelError, rpci, rpciRequest } from '../../src/guestrpc/index.js';
import { DataMapError } from '../../src/guestrpc/datamap.js';
import { rpciReplyTimeoutMs, RPCI_REPLY_TIMEOUT_MS, VsockRpciChannel, VsockTcloChannel, type StreamConn } from '../../src/guestrpc/vsock-channel.js';
import { decodePacket, encodePacket, PacketReader } from '../../src/guestrpc/vsock-packet.js';
import { defaultConfig, GuestInfoStore, type TranscriptEntry } from '../../src/sim/host/index.js';
import { RpciEndpoint } from '../../src/sim/host/rpci.js';
import { Framer, MAX_GUEST_PACKET, VsockRpciConnection, VsockTcloConnection, type Output } from '../../src/sim/host/vsock.js';
import { DUPLICATE_VALUE, LIE_EXTRA, parseVsockFaults, VsockFaultCycle, VSOCK_FAULT_MODES, type VsockFault } from '../../src/sim/host/vsock-faults.js';
import { VsockServer } from '../../src/sim/serve.js';
import { fakeServeIo } from './fake-serve-io.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const VALUE = 'served';

/** What the guest's reader makes of the bytes: a value, a refusal, or nothing whole yet. */
function guestView(bytes: Uint8Array): { value: string } | { refused: string } | { incomplete: number } {
  const r = new PacketReader();
  try {
    const bodies = r.push(bytes);
    if (bodies.length === 0) return { incomplete: r.pending };
    return { value: dec(decodePacket(bodies[0]!).payload) };
  } catch (err) {
    assert.ok(err instanceof DataMapError, String(err));
    return { refused: err.message };
  }
}

/** Per mode: what the guest must see in the host's reply, and whether the host stalls (stays open, silent). */
const EXPECT: Record<(typeof VSOCK_FAULT_MODES)[number], { view: RegExp | string; stall: boolean }> = {
  neglength: { view: /field 2: a string length of -1/, stall: false },
  hugelength: { view: /field 2: a 2147483647-byte string, 8 bytes left/, stall: false },
  dupfield: { view: /field 2 appears twice/, stall: false },
  unknownfield: { view: `1 ${VALUE}`, stall: false },
  unknowntype: { view: /field 99: unknown entry type 9/, stall: false },
  hugepacket: { view: /announced a 4294967295-byte packet/, stall: true },
  lyingheader: { view: 'incomplete', stall: true },
  stallhalf: { view: 'incomplete', stall: true },
};

function server(faults: string, tclo: string[] = []) {
  const log: TranscriptEntry[] = [];
  const f = fakeServeIo();
  const rpci = new RpciEndpoint(defaultConfig(), new GuestInfoStore({ 'guestinfo.k': VALUE }), (e) => log.push(e), () => {});
  const s = new VsockServer(f.io, rpci, (e) => log.push(e), { rpciPort: 976, tcloPort: 975, privilegedOnly: false, tclo, faults: parseVsockFaults(faults) });
  return { s, f, log };
}

const request = (fastClose = true) => encodePacket({ type: 'data', payload: enc('info-get guestinfo.k'), fastClose });

test('--fault parses every mode, the lengths in their ranges, and refuses anything else', () => {
  assert.deepEqual(parseVsockFaults('neglength, hugelength:70000,hugepacket:4294967295'), [{ mode: 'neglength' }, { mode: 'hugelength', n: 70000 }, { mode: 'hugepacket', n: 4294967295 }]);
  assert.deepEqual(parseVsockFaults(VSOCK_FAULT_MODES.join(',')).map((f) => f.mode), [...VSOCK_FAULT_MODES]);
  for (const bad of ['', 'nope', 'neglength,', 'hugelength:0', 'hugelength:2147483648', 'hugepacket:4294967296', 'stallhalf:3', 'cpt@1']) {
    assert.throws(() => parseVsockFaults(bad), /bad fault '.*': expected a comma-separated list of neglength/, bad);
  }
});

for (const mode of VSOCK_FAULT_MODES) {
  test(`sim serve --fault ${mode}: the RPCI reply the guest gets, and the connection after it`, () => {
    const { s, f, log } = server(mode);
    const c = f.connect(976, 1023);
    s.step();
    c.toHost.push(...request());
    s.step();
    const got = guestView(Uint8Array.from(c.fromHost.splice(0)));
    const want = EXPECT[mode];
    if (want.view === 'incomplete') assert.ok('incomplete' in got && got.incomplete > 0, JSON.stringify(got));
    else if (typeof want.view === 'string') assert.deepEqual(got, { value: want.view });
    else assert.ok('refused' in got && want.view.test(got.refused), JSON.stringify(got));
    assert.ok(log.some((e) => e.t === 'vsock' && e.event === 'fault' && e.fault === mode));
    // FAST_CLOSE is honoured unless the host stalls: then it stays open and silent, whatever the guest sends
    assert.equal(c.hostClosed, !want.stall);
    if (want.stall) {
      c.toHost.push(...request(false));
      s.step();
      assert.deepEqual([c.fromHost.length, c.hostClosed], [0, false]);
      c.guestClosed = true;
      s.step();
      assert.equal(c.hostClosed, true, "the guest's close ends it");
    }
  });
}

test('sim serve --fault: the modes of a list take turns, packet by packet, across connections', () => {
  const { s, f, log } = server('dupfield,unknownfield');
  const views = [];
  for (let i = 0; i < 4; i++) {
    const c = f.connect(976, 1000 + i);
    s.step();
    c.toHost.push(...request());
    s.step();
    views.push(guestView(Uint8Array.from(c.fromHost)));
  }
  assert.deepEqual(views.map((v) => ('value' in v ? v.value : 'refused')), ['refused', `1 ${VALUE}`, 'refused', `1 ${VALUE}`]);
  assert.deepEqual(log.filter((e) => e.t === 'vsock' && e.event === 'fault').map((e) => (e as { fault: string }).fault), ['dupfield', 'unknownfield', 'dupfield', 'unknownfield']);
  // dupfield's second value is one a careless decoder would print: the guest's takes neither
  assert.ok(DUPLICATE_VALUE.startsWith('1 '));
});

test('sim serve --fault: TCLO commands are built wrong too (reset first), and a stall stops the queue', () => {
  const { s, f } = server('neglength,stallhalf', ['ping']);
  const c = f.connect(975, 40000);
  s.step();
  assert.match(String((guestView(Uint8Array.from(c.fromHost.splice(0))) as { refused: string }).refused), /string length of -1/);
  const d = f.connect(975, 40001);
  s.step();
  assert.ok('incomplete' in guestView(Uint8Array.from(d.fromHost.splice(0))));
  d.toHost.push(...encodePacket({ type: 'data', payload: enc('OK ATR toolbox'), fastClose: false }));
  s.step();
  assert.deepEqual([d.fromHost.length, d.hostClosed], [0, false], 'stalled: no next command');
});

// ---- the guest's channels against the hostile host, in process ----

/** A StreamConn to a host-side connection whose recv() advances a fake clock by its timeout when nothing is there. */
function pipe(host: { input(c: Uint8Array): Output; closed(): void }, clock: { t: number }, initial: Output = { send: [], close: false }): StreamConn {
  const inbox: number[] = [];
  let eof = false;
  let recvs = 0;
  const deliver = (o: Output) => {
    for (const b of o.send) inbox.push(...b);
    if (o.close) eof = true;
  };
  deliver(initial);
  return {
    send(data) {
      if (eof) throw new Error('EPIPE');
      deliver(host.input(data));
    },
    recv(max, timeoutMs) {
      if (++recvs > 10_000) throw new Error('still reading after 10,000 calls: a hang');
      if (inbox.length === 0) {
        if (eof) return null;
        clock.t += timeoutMs;
        return new Uint8Array(0);
      }
      return Uint8Array.from(inbox.splice(0, max));
    },
    close() {
      host.closed();
    },
  };
}

function guestRpc(fault: VsockFault, replyTimeoutMs?: number) {
  const clock = { t: 0 };
  const endpoint = new RpciEndpoint(defaultConfig(), new GuestInfoStore({ 'guestinfo.k': VALUE }), () => {}, () => {});
  const faults = new VsockFaultCycle([fault]);
  const ch = new VsockRpciChannel(() => pipe(new VsockRpciConnection(endpoint, () => {}, 1023, false, faults), clock), true, () => clock.t, replyTimeoutMs);
  try {
    return { reply: dec(rpci(ch, rpciRequest(enc('info-get guestinfo.k'))).reply), clock: clock.t };
  } catch (err) {
    assert.ok(err instanceof ChannelError, `not a ChannelError: ${(err as Error).stack}`);
    return { error: err.message, clock: clock.t };
  }
}

test('vmt over vsock against every mode: the right value or a ChannelError that says why, never a wrong value', () => {
  const want: Record<string, RegExp | string> = {
    neglength: /malformed packet: field 2: a string length of -1/,
    hugelength: /malformed packet: field 2: a 2147483647-byte string/,
    dupfield: /malformed packet: field 2 appears twice/,
    unknownfield: VALUE,
    unknowntype: /malformed packet: field 99: unknown entry type 9/,
    hugepacket: /announced a 4294967295-byte packet \(over 16777216\)/,
    lyingheader: new RegExp(`^no reply from the host within 30 s \\(\\d+ bytes of a packet came, then nothing\\)$`),
    stallhalf: /^no reply from the host within 30 s \(\d+ bytes of a packet came, then nothing\)$/,
  };
  for (const mode of VSOCK_FAULT_MODES) {
    const got = guestRpc({ mode });
    const w = want[mode]!;
    if (typeof w === 'string') assert.deepEqual(got, { reply: w, clock: 0 }, mode);
    else assert.ok('error' in got && w.test(got.error!), `${mode}: ${JSON.stringify(got)}`);
    if (EXPECT[mode].stall && mode !== 'hugepacket') assert.equal(got.clock, RPCI_REPLY_TIMEOUT_MS, `${mode}: gave up at the deadline`);
  }
  // a lying header within the guest's cap: it waits for the bytes, never allocates the announced size up front
  const r = guestRpc({ mode: 'hugepacket', n: 16 * 1024 * 1024 });
  assert.match(String(r.error), /no reply from the host within 30 s/);
  assert.ok(LIE_EXTRA > 0);
});

test(`the RPCI reply bound: ${RPCI_REPLY_TIMEOUT_MS} ms, shortened (never lengthened) by VMT_TEST_RPCI_REPLY_MS for tests`, () => {
  assert.equal(rpciReplyTimeoutMs({}), RPCI_REPLY_TIMEOUT_MS);
  assert.equal(rpciReplyTimeoutMs({ VMT_TEST_RPCI_REPLY_MS: '1500' }), 1500);
  for (const v of ['', '0', '-5', '30001', '99999999', '1e3', ' 100', 'x']) assert.equal(rpciReplyTimeoutMs({ VMT_TEST_RPCI_REPLY_MS: v }), RPCI_REPLY_TIMEOUT_MS, v);
  const r = guestRpc({ mode: 'stallhalf' }, 1500);
  assert.match(String(r.error), /^no reply from the host within 1.5 s/);
  assert.equal(r.clock, 1500);
});

test('vmt tclo over vsock against the modes: refused packets are channel errors, unknown fields are skipped, a stall is "nothing yet"', () => {
  const outcome = (mode: VsockFault['mode']) => {
    const clock = { t: 0 };
    const host = new VsockTcloConnection([], () => {}, 40000, new VsockFaultCycle([{ mode }]));
    const ch = new VsockTcloChannel(() => pipe(host, clock, host.start()), () => clock.t);
    ch.open();
    try {
      return dec(ch.receive());
    } catch (err) {
      assert.ok(err instanceof ChannelError, String(err));
      return 'error';
    }
  };
  const got = Object.fromEntries(VSOCK_FAULT_MODES.map((m) => [m, outcome(m)]));
  assert.deepEqual(got, { neglength: 'error', hugelength: 'error', dupfield: 'error', unknownfield: 'reset', unknowntype: 'error', hugepacket: 'error', lyingheader: '', stallhalf: '' });
});

// ---- the host's framer ----

test('the host framer cuts a packet written one byte at a time with linear work (it re-joined its buffer on every read)', () => {
  // the largest packet the host takes, then a small one, one byte per read
  const bodies = [new Uint8Array(MAX_GUEST_PACKET).map((_, i) => i * 7), enc('a small one after it')];
  const twice = new Uint8Array(bodies.reduce((n, b) => n + 4 + b.length, 0));
  let at = 0;
  for (const b of bodies) {
    new DataView(twice.buffer).setUint32(at, b.length);
    twice.set(b, at + 4);
    at += 4 + b.length;
  }
  const framer = new Framer();
  const out: Uint8Array[] = [];
  for (let i = 0; i < twice.length; i++) {
    const got = framer.push(twice.subarray(i, i + 1));
    if (typeof got === 'string') assert.fail(got);
    out.push(...got);
  }
  assert.deepEqual(out, bodies);
  // each byte kept once and cut out once (a re-join per read copies about n²/2 bytes)
  assert.ok(framer.copied <= 2 * twice.length, `${framer.copied} bytes copied for ${twice.length} received`);
  // and an over-large header is still refused as soon as its 4 bytes are in
  const f2 = new Framer();
  assert.deepEqual(f2.push(Uint8Array.of(0, 2)), []);
  assert.equal(f2.push(Uint8Array.of(0, 0)), `a 131072-byte packet (over ${MAX_GUEST_PACKET})`);
});

