// vmt sim serve's server loop over fake sockets: connections accepted on the
// RPCI and TCLO ports, requests answered, TCLO driven, connections closed,
// and a guest that goes away mid-way dropped without harm.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePacket, encodePacket, PacketReader } from '../../src/guestrpc/vsock-packet.js';
import { defaultConfig, GuestInfoStore, type TranscriptEntry } from '../../src/sim/host/index.js';
import { RpciEndpoint } from '../../src/sim/host/rpci.js';
import { VsockServer } from '../../src/sim/serve.js';
import { fakeServeIo as fakeIo, type FakeConn } from './fake-serve-io.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const packets = (c: FakeConn) => new PacketReader().push(Uint8Array.from(c.fromHost.splice(0))).map(decodePacket);

function server(privilegedOnly = false, tclo: string[] = []) {
  const log: TranscriptEntry[] = [];
  const f = fakeIo();
  const rpci = new RpciEndpoint(defaultConfig(), new GuestInfoStore({ 'guestinfo.k': 'served' }), (e) => log.push(e), () => {});
  const s = new VsockServer(f.io, rpci, (e) => log.push(e), { rpciPort: 976, tcloPort: 975, privilegedOnly, tclo });
  return { s, f, log };
}

test('RPCI: a request per connection, answered and closed after FAST_CLOSE; a persistent connection stays open', () => {
  const { s, f } = server();
  const c = f.connect(976, 1023);
  s.step(); // accept
  c.toHost.push(...encodePacket({ type: 'data', payload: enc('info-get guestinfo.k'), fastClose: true }));
  s.step();
  assert.deepEqual(packets(c).map((p) => dec(p.payload)), ['1 served']);
  assert.equal(c.hostClosed, true, 'FAST_CLOSE: closed after the reply');
  const p = f.connect(976, 1000);
  s.step();
  for (const key of ['k', 'nope']) {
    p.toHost.push(...encodePacket({ type: 'data', payload: enc(`info-get guestinfo.${key}`), fastClose: false }));
    s.step();
  }
  assert.deepEqual(packets(p).map((x) => dec(x.payload)), ['1 served', '0 No value found']);
  assert.equal(p.hostClosed, false);
  p.guestClosed = true;
  s.step();
  assert.equal(p.hostClosed, true, "the guest's close is seen");
});

test('privileged-only: an unprivileged source port is refused per request, a privileged one served', () => {
  const { s, f } = server(true);
  const [low, high] = [f.connect(976, 1023), f.connect(976, 50000)];
  s.step();
  s.step();
  for (const c of [low, high]) c.toHost.push(...encodePacket({ type: 'data', payload: enc('info-get guestinfo.k'), fastClose: true }));
  s.step();
  assert.equal(dec(packets(low)[0]!.payload), '1 served');
  assert.equal(dec(packets(high)[0]!.payload), '0 Permission denied');
});

test('TCLO: reset first, then the commands one per reply; garbage closes the connection; the server closes all', () => {
  const { s, f, log } = server(false, ['ping']);
  const c = f.connect(975, 40000);
  s.step();
  assert.deepEqual(packets(c).map((p) => dec(p.payload)), ['reset']);
  c.toHost.push(...encodePacket({ type: 'data', payload: enc('OK ATR toolbox'), fastClose: false }));
  s.step();
  assert.deepEqual(packets(c).map((p) => dec(p.payload)), ['ping']);
  c.toHost.push(...encodePacket({ type: 'ping', payload: new Uint8Array(0), fastClose: false }));
  s.step();
  assert.equal(log.filter((e) => e.t === 'vsock' && e.event === 'ping').length, 1);
  c.toHost.push(0xff, 0xff, 0xff, 0xff);
  s.step();
  assert.equal(c.hostClosed, true, 'a 4 GiB length closes the connection');
  const other = f.connect(975, 40001);
  s.step();
  s.close();
  assert.equal(other.hostClosed, true);
});
