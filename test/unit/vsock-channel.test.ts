// GuestRPC over vsock in process: the guest's channels (src/guestrpc) against
// the sim's host side (src/sim/host/vsock.ts), two implementations of the
// DataMap framing that meet only at the bytes. No socket is opened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelError, rpci, rpciRequest } from '../../src/guestrpc/index.js';
import { encodePacket } from '../../src/guestrpc/vsock-packet.js';
import { MAX_CONTROL_PACKETS, VsockRpciChannel, VsockTcloChannel, type Connector, type StreamConn } from '../../src/guestrpc/vsock-channel.js';
import { defaultConfig, GuestInfoStore, type TranscriptEntry } from '../../src/sim/host/index.js';
import { RpciEndpoint } from '../../src/sim/host/rpci.js';
import { dataPacket, readPacket, VsockRpciConnection, VsockTcloConnection, type Output } from '../../src/sim/host/vsock.js';

const enc = (s: string) => new TextEncoder().encode(s);
const req = (s: string) => rpciRequest(enc(s));
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

interface HostSide {
  input(chunk: Uint8Array): Output;
  closed(): void;
}

/** A StreamConn whose peer is a host-side connection, in memory. chunk: how the host's bytes are cut. */
function pipe(host: HostSide, initial: Output = { send: [], close: false }, chunk = Infinity): StreamConn & { sent: Uint8Array[]; closedByGuest: boolean } {
  const inbox: number[] = [];
  let eof = false;
  const deliver = (o: Output) => {
    for (const b of o.send) inbox.push(...b);
    if (o.close) eof = true;
  };
  deliver(initial);
  const conn = {
    sent: [] as Uint8Array[],
    closedByGuest: false,
    send(data: Uint8Array) {
      if (eof) throw new Error('EPIPE');
      conn.sent.push(data);
      deliver(host.input(data));
    },
    recv(max: number): Uint8Array | null {
      if (inbox.length === 0) return eof ? null : new Uint8Array(0);
      return Uint8Array.from(inbox.splice(0, Math.min(max, chunk)));
    },
    close() {
      conn.closedByGuest = true;
      host.closed();
    },
  };
  return conn;
}

function rpciHost(values: Record<string, string> = {}, peerPort = 1023, privilegedOnly = false) {
  const log: TranscriptEntry[] = [];
  const store = new GuestInfoStore(values);
  const endpoint = new RpciEndpoint(defaultConfig(), store, (e) => log.push(e), () => {});
  const connections: ReturnType<typeof pipe>[] = [];
  const connect: Connector = () => {
    const c = pipe(new VsockRpciConnection(endpoint, (e) => log.push(e), peerPort, privilegedOnly));
    connections.push(c);
    return c;
  };
  return { connect, log, store, connections };
}

test('RPCI over vsock: info-set and info-get round trips (0 B to 60000 B, UTF-8), FAST_CLOSE one-shot, the channel closed', () => {
  const h = rpciHost();
  for (const value of ['', 'x', 'é ✓ Ω'.repeat(3), 'v'.repeat(4095), 'w'.repeat(60000)]) {
    const set = rpci(new VsockRpciChannel(h.connect), req(`info-set guestinfo.k ${value}`));
    assert.deepEqual([set.ok, set.closed], [true, true]);
    const got = rpci(new VsockRpciChannel(h.connect), req('info-get guestinfo.k'));
    assert.deepEqual([got.ok, dec(got.reply)], [true, value], `${value.length} characters`);
  }
  const missing = rpci(new VsockRpciChannel(h.connect), req('info-get guestinfo.nope'));
  assert.deepEqual([missing.ok, dec(missing.reply)], [false, 'No value found']);
  assert.ok(h.connections.every((c) => c.closedByGuest), 'every connection closed by the guest');
  const first = h.connections[0]!.sent[0]!;
  const body = readPacket(first.subarray(4));
  assert.ok(typeof body !== 'string' && body.fastClose, 'one-shot requests carry FAST_CLOSE');
  assert.ok(h.log.some((e) => e.t === 'vsock' && e.event === 'open' && e.privileged === true));
});

test('RPCI over vsock: a secure-RPC host refuses an unprivileged source port; a privileged one is served', () => {
  const denied = rpciHost({ 'guestinfo.k': 'v' }, 40000, true);
  const r = rpci(new VsockRpciChannel(denied.connect), req('info-get guestinfo.k'));
  assert.deepEqual([r.ok, dec(r.reply)], [false, 'Permission denied']);
  const allowed = rpciHost({ 'guestinfo.k': 'v' }, 1022, true);
  assert.equal(dec(rpci(new VsockRpciChannel(allowed.connect), req('info-get guestinfo.k')).reply), 'v');
});

test('RPCI over vsock: the reply cut into 1-byte pieces still arrives whole', () => {
  const log: TranscriptEntry[] = [];
  const endpoint = new RpciEndpoint(defaultConfig(), new GuestInfoStore({ 'guestinfo.k': 'piecewise' }), () => {}, () => {});
  const connect: Connector = () => pipe(new VsockRpciConnection(endpoint, (e) => log.push(e), 1023, false), undefined, 1);
  assert.equal(dec(rpci(new VsockRpciChannel(connect), req('info-get guestinfo.k')).reply), 'piecewise');
});

test('RPCI over vsock, hostile host: a closed connection, a huge length, garbage: ChannelError, never a wrong reply', () => {
  const answering = (bytes: Uint8Array, close = false): Connector => () => pipe({ input: () => ({ send: [bytes], close }), closed: () => {} });
  const cases: [Connector, RegExp][] = [
    [() => pipe({ input: () => ({ send: [], close: true }), closed: () => {} }), /closed the connection/],
    [answering(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), /4294967295-byte packet/],
    [answering(Uint8Array.of(0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 1)), /malformed packet.*unknown entry type 9/],
    [answering(dataPacket(enc('1 ok')).subarray(0, 10), true), /in the middle of a packet/],
    [() => { throw new Error('ECONNREFUSED'); }, /cannot connect to the host over vsock: ECONNREFUSED/],
  ];
  for (const [connect, message] of cases) {
    assert.throws(() => rpci(new VsockRpciChannel(connect), req('info-get guestinfo.k')), (e: unknown) => e instanceof ChannelError && message.test(e.message), String(message));
  }
  assert.throws(() => new VsockRpciChannel(answering(new Uint8Array(0))).send(new Uint8Array(70000)), /64 KiB/);
});

test('TCLO over vsock: the host speaks first (reset), commands follow each reply, PINGs every second after the first reply', () => {
  const log: TranscriptEntry[] = [];
  let now = 0;
  const host = new VsockTcloConnection(['ping', 'Capabilities_Register'], (e) => log.push(e), 50000);
  const conn = pipe(host, host.start());
  const ch = new VsockTcloChannel(() => conn, () => now);
  ch.open();
  ch.send(new Uint8Array(0)); // no reply yet: no PING
  assert.equal(dec(ch.receive()), 'reset');
  ch.send(enc('OK ATR toolbox'));
  assert.equal(dec(ch.receive()), 'ping');
  ch.send(enc('OK '));
  assert.equal(dec(ch.receive()), 'Capabilities_Register');
  ch.send(enc('OK '));
  assert.equal(ch.receive().length, 0, 'nothing more: an empty poll');
  now = 999;
  ch.send(new Uint8Array(0));
  now = 1000;
  ch.send(new Uint8Array(0));
  now = 1500;
  ch.send(new Uint8Array(0));
  now = 2000;
  ch.send(new Uint8Array(0));
  ch.close();
  const tclo = log.filter((e) => e.t === 'tclo');
  assert.deepEqual(tclo.map((e) => [e.command, e.reply]), [['reset', 'OK ATR toolbox'], ['ping', 'OK '], ['Capabilities_Register', 'OK ']]);
  assert.equal(log.filter((e) => e.t === 'vsock' && e.event === 'ping').length, 2, 'a PING at 1000 and at 2000 ms after the first reply, none in between');
});

test('the host side refuses what it cannot take: a packet over its bound, a truncated entry, an unknown TYPE', () => {
  const log: TranscriptEntry[] = [];
  const endpoint = new RpciEndpoint(defaultConfig(), new GuestInfoStore(), () => {}, () => {});
  const fresh = () => new VsockRpciConnection(endpoint, (e) => log.push(e), 1023, false);
  assert.deepEqual(fresh().input(Uint8Array.of(1, 0, 0, 0)), { send: [], close: true });
  assert.deepEqual(fresh().input(Uint8Array.of(0, 1, 0, 0)), { send: [], close: false }, '64 KiB is within the bound: wait for it');
  assert.deepEqual(fresh().input(Uint8Array.of(0, 0, 0, 4, 0, 0, 0, 1)), { send: [], close: true });
  assert.deepEqual(fresh().input(encodePacket({ type: 'data', payload: enc('x'), fastClose: false }).map((b, i) => (i === 15 ? 7 : b))), { send: [], close: true });
  assert.deepEqual(log.filter((e) => e.t === 'vsock' && e.event === 'refused').map((e) => (e as { reason?: string }).reason), ['a 16777216-byte packet (over 65600)', 'a truncated entry', 'TYPE 7']);
});

// Issue 12: a host that answers with an endless stream of PINGs. Before, the
// RPCI reply timeout restarted with every packet and TCLO's receive() read
// packets for as long as they came: both waited forever. The fake clock moves
// 1 s per packet; a cap on packets turns a hang into a failure.
function pingFlood(clock: { t: number }, cap = 100_000): Connector {
  const ping = encodePacket({ type: 'ping', payload: new Uint8Array(0), fastClose: false });
  let sent = 0;
  return () => ({
    send() {},
    recv(): Uint8Array {
      if (++sent > cap) throw new Error(`still reading after ${cap} PINGs: a hang`);
      clock.t += 1000;
      return ping;
    },
    close() {},
  });
}

test('RPCI over vsock: a stream of PINGs does not extend the reply timeout (30 s in all)', () => {
  const clock = { t: 0 };
  const ch = new VsockRpciChannel(pingFlood(clock), true, () => clock.t);
  ch.open();
  assert.throws(() => ch.receive(), (e: unknown) => e instanceof ChannelError && /^no reply from the host within 30 s$/.test(e.message));
  assert.ok(clock.t <= 31_000, `gave up after ${clock.t} ms of PINGs`);
});

test('TCLO over vsock: receive() reads at most MAX_CONTROL_PACKETS packets without a command, then answers "nothing yet"', () => {
  const clock = { t: 0 };
  const ch = new VsockTcloChannel(pingFlood(clock), () => clock.t);
  ch.open();
  assert.deepEqual(ch.receive(), new Uint8Array(0));
  assert.equal(clock.t, MAX_CONTROL_PACKETS * 1000);
});
