// The persistent RPCI channel (src/guestrpc/session.ts) against the simulated
// host, in process: one channel for many requests, a new one after the host
// broke it, and the no-loss / no-duplicate rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelError, rpciChannel, rpciRequest } from '../../src/guestrpc/index.js';
import { RequestFailed, RpciSession } from '../../src/guestrpc/session.js';
import { InProcessBackdoor } from '../../src/sim/inprocess.js';
import { defaultConfig, GuestInfoStore, parseFaults, SimHost, type TranscriptEntry } from '../../src/sim/host/index.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function setup(opts: { hb?: boolean; faults?: string } = {}) {
  const config = defaultConfig();
  config.hb = opts.hb ?? true;
  if (opts.faults) config.faults = parseFaults(opts.faults);
  const transcript: TranscriptEntry[] = [];
  const host = new SimHost(config, new GuestInfoStore({ 'guestinfo.k': 'the value' }), (e) => transcript.push(e));
  const bd = new InProcessBackdoor(host);
  const session = new RpciSession(() => rpciChannel(bd));
  const send = (text: string) => session.request(rpciRequest(enc(text)));
  const count = (event: 'open' | 'close') => transcript.filter((e) => e.t === 'channel' && e.event === event).length;
  const requests = () => transcript.flatMap((e) => (e.t === 'rpci' ? [e.request] : []));
  return { session, send, transcript, count, requests, host };
}

for (const hb of [true, false]) {
  test(`one channel for many requests, closed once at the end (${hb ? 'HB' : 'LB'})`, () => {
    const { session, send, count, requests } = setup({ hb });
    for (let i = 0; i < 20; i++) {
      assert.equal(send(`info-set guestinfo.n${i} ${'v'.repeat(i * 100)}`).ok, true);
      assert.equal(dec(send(`info-get guestinfo.n${i}`).reply), 'v'.repeat(i * 100));
    }
    assert.deepEqual(send('info-get guestinfo.missing'), { ok: false, reply: enc('No value found'), closed: true });
    assert.equal(count('open'), 1);
    assert.equal(count('close'), 0);
    assert.equal(session.close(), true);
    assert.equal(session.close(), true, 'twice is harmless');
    assert.equal(count('close'), 1);
    assert.equal(requests().length, 41);
  });
}

test('the summary line at the end of a run counts channels per protocol and how they closed', () => {
  const { send, session, host, transcript } = setup();
  for (let i = 0; i < 5; i++) send('info-get guestinfo.k');
  session.close();
  send('info-get guestinfo.k'); // a second channel, left open: closed at shutdown
  host.shutdown();
  assert.deepEqual(transcript.at(-1), {
    t: 'summary',
    channels: { RPCI: { opens: 2, closes: { guest: 1, exit: 0, shutdown: 1 } }, TCLO: { opens: 0, closes: { guest: 0, exit: 0, shutdown: 0 } } },
    requests: { rpci: 6, tclo: 0 },
  });
});

// HB calls of the first request: 1 OPEN, 2 SENDSIZE, 3 HB send, 4 RECVSIZE, 5 HB receive, 6 RECVSTATUS; the second: 7..11
test('a failure before the host had the message: sent again on a new channel, carried out once', () => {
  const { send, count, requests, session } = setup({ faults: 'timeout@7' });
  assert.equal(send('info-get guestinfo.k').ok, true);
  assert.equal(dec(send('info-set guestinfo.a 1').reply), '');
  assert.equal(dec(send('info-get guestinfo.a').reply), '1');
  assert.deepEqual(requests(), ['info-get guestinfo.k', 'info-set guestinfo.a 1', 'info-get guestinfo.a']);
  assert.equal(count('open'), 2, 'reopened after the fault');
  assert.deepEqual(session.counts, { opens: 2, resends: 1 });
});

test('a failure after the host had the message: reported (may have run), never sent again; the next request reopens', () => {
  const { send, count, requests, session } = setup({ faults: 'timeout@9' });
  send('info-get guestinfo.k');
  assert.throws(
    () => send('info-set guestinfo.a 1'),
    (err: unknown) => err instanceof RequestFailed && err.mayHaveRun && err.cause.stage === 'receive',
  );
  assert.equal(dec(send('info-get guestinfo.a').reply), '1', 'it did run, once');
  assert.deepEqual(requests(), ['info-get guestinfo.k', 'info-set guestinfo.a 1', 'info-get guestinfo.a']);
  assert.equal(count('open'), 2);
  assert.deepEqual(session.counts, { opens: 2, resends: 0 });
});

test('a checkpoint restarts the transfer on the same channel (no reopen)', () => {
  const { send, count } = setup({ faults: 'cpt@1,cpt@4' });
  for (let i = 0; i < 3; i++) assert.equal(dec(send('info-get guestinfo.k').reply), 'the value');
  assert.equal(count('open'), 1);
});

test('a request the host never takes: failed after three sends, none carried out', () => {
  const { send, requests, session } = setup({ faults: 'newcookie' }); // every SENDSIZE changes the cookie
  assert.throws(
    () => send('info-set guestinfo.a 1'),
    (err: unknown) => err instanceof RequestFailed && !err.mayHaveRun && err.attempts === 3,
  );
  assert.deepEqual(requests(), []);
  assert.equal(session.counts.opens, 3);
});

test('no channel at all (the first open fails): the open error, not retried', () => {
  const { send, transcript } = setup({ faults: 'open@1,open@2' });
  assert.throws(() => send('info-get guestinfo.k'), (err: unknown) => err instanceof ChannelError && err.stage === 'open');
  assert.equal(transcript.filter((e) => e.t === 'bdoor' && e.sub === 'OPEN').length, 2, 'with and without the cookie flag, once');
});

test('the host forgot the channel between requests (closed it): the next request reopens and is carried out once', () => {
  const { send, host, requests, count } = setup();
  send('info-get guestinfo.k');
  host.processExited(process.pid); // the in-process guest: the host drops its channels
  assert.equal(dec(send('info-get guestinfo.k').reply), 'the value');
  assert.equal(requests().length, 2);
  assert.equal(count('open'), 2);
});
