// The guest side of GuestRPC against the simulated host, in process: written
// independently from protocol.md, the two meet only at the registers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelError, RequestError, rpci, rpciChannel, rpciRequest, word } from '../../src/guestrpc/index.js';
import { InProcessBackdoor } from '../../src/sim/inprocess.js';
import { defaultConfig, GuestInfoStore, parseFaults, SimHost, type TranscriptEntry } from '../../src/sim/host/index.js';

const enc = (s: string) => new TextEncoder().encode(s);
/** exactly n UTF-8 bytes, with spaces and multi-byte characters */
const valueOf = (n: number) => {
  let s = '';
  while (Buffer.byteLength(s) + 4 <= n) s += ['é ', '✓', 'ab', ' x'][s.length % 4];
  return s + '.'.repeat(n - Buffer.byteLength(s));
};
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function setup(opts: { hb?: boolean; faults?: string; store?: GuestInfoStore } = {}) {
  const config = defaultConfig();
  config.hb = opts.hb ?? true;
  if (opts.faults) config.faults = parseFaults(opts.faults);
  const transcript: TranscriptEntry[] = [];
  const host = new SimHost(config, opts.store ?? new GuestInfoStore(), (e) => transcript.push(e));
  const bd = new InProcessBackdoor(host);
  return { transcript, request: (text: string | Uint8Array) => rpci(rpciChannel(bd), rpciRequest(typeof text === 'string' ? enc(text) : text)) };
}

test('word: little-endian packing of 4-byte chunks and 1-3 byte tails', () => {
  const b = Uint8Array.from([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67]);
  assert.equal(word(b, 0), 0x64636261);
  assert.equal(word(b, 4), 0x00676665);
  assert.equal(word(Uint8Array.from([0xff]), 0), 0xff);
});

for (const hb of [true, false]) {
  test(`info-set then info-get round-trips 0..60000 bytes, ${hb ? 'high-bandwidth' : 'low-bandwidth'}`, () => {
    const { request, transcript } = setup({ hb });
    for (const n of [0, 1, 3, 4, 5, 4095, 4096, 60000]) {
      const value = valueOf(n);
      assert.equal(Buffer.byteLength(value), n);
      assert.deepEqual(request(`info-set guestinfo.k ${value}`), { ok: true, reply: new Uint8Array(0), closed: true });
      const r = request('info-get guestinfo.k');
      assert.equal(r.ok, true);
      assert.equal(dec(r.reply), value, `${n} bytes`);
    }
    assert.equal(transcript.some((e) => e.t === 'hb'), hb, 'the HB path was used exactly when offered');
    const opens = transcript.filter((e) => e.t === 'channel' && e.event === 'open').length;
    const closes = transcript.filter((e) => e.t === 'channel' && e.event === 'close' && e.reason === 'guest').length;
    assert.equal(opens, 16);
    assert.equal(closes, 16, 'the guest closed every channel it opened');
  });
}

test('"0 " replies, the trailing-space rule, binary replies', () => {
  const store = new GuestInfoStore({ 'guestinfo.bin': Uint8Array.from([0, 1, 2, 255, 10]) });
  const { request, transcript } = setup({ store });
  assert.deepEqual(request('info-get guestinfo.missing'), { ok: false, reply: enc('No value found'), closed: true });
  assert.equal(dec(request('machine.id.get').reply), '');
  assert.equal(transcript.filter((e) => e.t === 'rpci').at(-1)?.request, 'machine.id.get ');
  assert.deepEqual(request('info-get guestinfo.bin').reply, Uint8Array.from([0, 1, 2, 255, 10]));
  assert.deepEqual(request('no.such.command'), { ok: false, reply: enc('Unknown command'), closed: true });
});

test('requests are checked before anything is sent: empty, over 64 KiB', () => {
  assert.throws(() => rpciRequest(new Uint8Array(0)), RequestError);
  assert.throws(() => rpciRequest(new Uint8Array(65537).fill(0x41)), /64 KiB/);
  assert.equal(rpciRequest(new Uint8Array(65536).fill(0x20)).length, 65536);
  const { request, transcript } = setup();
  assert.throws(() => request(enc(`info-set guestinfo.k ${'x'.repeat(65536)}`)), RequestError);
  assert.equal(transcript.length, 0, 'nothing reached the host');
});

test('checkpoints restart the transfer and the right value comes back', () => {
  // HB: one payload call each way; LB: 5 SENDPAYLOADs for the request, 3 RECVPAYLOADs for the reply
  for (const [hb, calls] of [[true, 2], [false, 8]] as const) {
    for (let n = 1; n <= calls; n++) {
      const { request, transcript } = setup({ hb, faults: `cpt@${n}`, store: new GuestInfoStore({ 'guestinfo.k': 'the value' }) });
      const r = request('info-get guestinfo.k');
      assert.equal(dec(r.reply), 'the value', `cpt@${n} hb=${hb}`);
      assert.ok(transcript.some((e) => e.t === 'fault' && e.kind === 'cpt'), `cpt@${n} fired`);
    }
  }
});

test('a refused cookie open is retried without the cookie flag; two refusals fail at open', () => {
  const one = setup({ faults: 'open@1', store: new GuestInfoStore({ 'guestinfo.k': 'v' }) });
  assert.equal(dec(one.request('info-get guestinfo.k').reply), 'v');
  const two = setup({ faults: 'open@1,open@2' });
  assert.throws(() => two.request('info-get guestinfo.k'), (e) => e instanceof ChannelError && e.stage === 'open');
});

test('channel timeouts fail cleanly and the channel is still closed', () => {
  for (let n = 2; n <= 8; n++) {
    const { request, transcript } = setup({ faults: `timeout@${n}`, store: new GuestInfoStore({ 'guestinfo.k': 'v' }) });
    try {
      const r = request('info-get guestinfo.k');
      assert.equal(dec(r.reply), 'v', `timeout@${n}`);
    } catch (err) {
      assert.ok(err instanceof ChannelError, `timeout@${n}: ${err}`);
    }
    const open = transcript.filter((e) => e.t === 'channel' && e.event === 'open').length;
    const closedByGuest = transcript.filter((e) => e.t === 'channel' && e.event === 'close').length;
    assert.equal(closedByGuest, open, `timeout@${n}: every channel closed`);
  }
});

test('1000 RPCs with random injected faults: the right value or a clean ChannelError, never a wrong value', () => {
  for (const hb of [true, false]) {
    const store = new GuestInfoStore();
    const { request } = setup({ hb, faults: 'random@0.05:7', store });
    let right = 0;
    let failed = 0;
    for (let i = 0; i < 1000; i++) {
      const value = `v${i} ${'x'.repeat(i % 97)}`;
      try {
        const set = request(`info-set guestinfo.k${i % 10} ${value}`);
        assert.equal(set.ok, true);
        const got = request(`info-get guestinfo.k${i % 10}`);
        assert.equal(dec(got.reply), value, `RPC ${i}: a wrong value`);
        right++;
      } catch (err) {
        if (!(err instanceof ChannelError)) throw err;
        failed++;
      }
    }
    assert.equal(right + failed, 1000);
    assert.ok(right > 500, `most RPCs got through (${right}, hb=${hb})`);
  }
});
