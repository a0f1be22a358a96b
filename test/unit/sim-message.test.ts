// The simulated host's message channel and RPCI, driven with raw registers
// written from protocol.md §1.3 and §3 (a local guest, no guest-side code).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig, GuestInfoStore, SimHost, type HostRegs, type SimConfig, type TranscriptEntry } from '../../src/sim/host/index.js';

const MAGIC = 0x564d5868;
const RPCI = 0x49435052;
const COOKIE = 0x80000000;
const [OPEN, SENDSIZE, SENDPAYLOAD, RECVSIZE, RECVPAYLOAD, RECVSTATUS, CLOSE] = [0, 1, 2, 3, 4, 5, 6];
const SUCCESS = 0x01, DORECV = 0x02, CPT = 0x10, HB = 0x80;
const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const str = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const cat = (...parts: (string | Uint8Array)[]) => new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? enc(p) : p))));

/** A guest written from protocol.md: every call with explicit registers. */
class Guest {
  id = 0;
  high = 0;
  low = 0;
  constructor(readonly host: SimHost, readonly pid = 4242) {}

  lb(sub: number, ebx = 0, over: Partial<HostRegs> = {}): HostRegs {
    const edx = ((this.id << 16) | 0x5658) >>> 0;
    return this.host.lb(this.pid, { eax: MAGIC, ebx: ebx >>> 0, ecx: ((sub << 16) | 30) >>> 0, edx, esi: this.high, edi: this.low, ebp: 0, ...over });
  }
  /** OPEN: the CX.hi status; on success the id and cookies are kept. */
  open(proto = RPCI, cookie = true): number {
    const r = this.host.lb(this.pid, { eax: MAGIC, ebx: (proto | (cookie ? COOKIE : 0)) >>> 0, ecx: 30, edx: 0x5658, esi: 0, edi: 0, ebp: 0 });
    if ((r.ecx >>> 16) & SUCCESS) [this.id, this.high, this.low] = [r.edx >>> 16, r.esi, r.edi];
    return r.ecx >>> 16;
  }
  close(): number {
    return this.lb(CLOSE).ecx >>> 16;
  }
  /** rep outsb: EBX = 0x00010000, ECX = count, DX = id|0x5659, EDI = cookie low, EBP = cookie high (RSI = the buffer). */
  hbOut(data: Uint8Array, over: Partial<HostRegs> = {}): HostRegs {
    const edx = ((this.id << 16) | 0x5659) >>> 0;
    return this.host.hbOut(this.pid, { eax: MAGIC, ebx: 0x00010000, ecx: data.length, edx, esi: 0, edi: this.low, ebp: this.high, ...over }, data);
  }
  /** rep insb: ESI = cookie high, EBP = cookie low (RDI = the buffer). */
  hbIn(count: number, over: Partial<HostRegs> = {}) {
    const edx = ((this.id << 16) | 0x5659) >>> 0;
    return this.host.hbIn(this.pid, { eax: MAGIC, ebx: 0x00010000, ecx: count, edx, esi: this.high, edi: 0, ebp: this.low, ...over });
  }
  /** Message_Send: null on success, else the failing status. */
  send(data: Uint8Array, useHb: boolean): number | null {
    const st = this.lb(SENDSIZE, data.length).ecx >>> 16;
    if (!(st & SUCCESS)) return st;
    if (data.length === 0) return null;
    if (useHb && st & HB) {
      const out = this.hbOut(data);
      assert.equal(out.ecx, 0, 'HB send: ECX = 0 remaining');
      return (out.ebx >>> 16) & SUCCESS ? null : out.ebx >>> 16;
    }
    for (let i = 0; i < data.length; i += 4) {
      let w = 0;
      for (let j = 0; j < 4 && i + j < data.length; j++) w |= data[i + j]! << (8 * j);
      const s = this.lb(SENDPAYLOAD, w).ecx >>> 16;
      if (!(s & SUCCESS)) return s;
    }
    return null;
  }
  /** Message_Receive: the bytes, null for "no message", or the failing status. */
  receive(useHb: boolean): Uint8Array | null | number {
    const r = this.lb(RECVSIZE);
    const st = r.ecx >>> 16;
    if (!(st & SUCCESS)) return st;
    if (!(st & DORECV)) return null;
    assert.equal(r.edx >>> 16, 1, 'RECVSIZE: DX.hi = 1 (SENDSIZE)');
    const len = r.ebx;
    let data: Uint8Array = new Uint8Array(len);
    if (len > 0 && useHb && st & HB) {
      const { regs, data: got } = this.hbIn(len);
      if (!((regs.ebx >>> 16) & SUCCESS)) return regs.ebx >>> 16;
      assert.equal(regs.ecx, 0);
      data = got;
    } else {
      for (let i = 0; i < len; i += 4) {
        const p = this.lb(RECVPAYLOAD, 1);
        if (!((p.ecx >>> 16) & SUCCESS)) return p.ecx >>> 16;
        assert.equal(p.edx >>> 16, 2, 'RECVPAYLOAD: DX.hi = 2 (SENDPAYLOAD)');
        for (let j = 0; j < 4 && i + j < len; j++) data[i + j] = (p.ebx >>> (8 * j)) & 0xff;
      }
    }
    const s = this.lb(RECVSTATUS, 1).ecx >>> 16;
    return s & SUCCESS ? data : s;
  }
  /** One RPCI exchange on the open channel, restarting on CPT as open-vm-tools does. */
  rpc(request: Uint8Array | string, useHb = false): Uint8Array {
    const bytes = typeof request === 'string' ? enc(request) : request;
    for (let tries = 0; tries < 1000; tries++) {
      const st = this.send(bytes, useHb);
      if (st === null) break;
      assert.ok(st & CPT, `send failed with status ${st}`);
    }
    for (let tries = 0; tries < 1000; tries++) {
      const got = this.receive(useHb);
      if (got === null) throw new Error('RPCI always answers');
      if (got instanceof Uint8Array) return got;
      assert.ok(got & CPT, `receive failed with status ${got}`);
    }
    throw new Error('too many retries');
  }
}

const setup = (c: Partial<SimConfig> = {}, log?: TranscriptEntry[], store = new GuestInfoStore()) => {
  const host = new SimHost({ ...defaultConfig(), ...c }, store, log ? (e) => log.push(e) : undefined);
  return { host, store, guest: new Guest(host) };
};

test('OPEN: SUCCESS in CX.hi with CX.lo = 0, id in DX.hi with DX.lo = 0, random cookies in ESI/EDI', () => {
  const { host } = setup();
  const a = host.lb(1, { eax: MAGIC, ebx: RPCI | COOKIE, ecx: 30, edx: 0x5658, esi: 7, edi: 8, ebp: 9 });
  assert.deepEqual([a.ecx, a.edx, a.ebp, a.eax], [0x00010000, 0, 9, MAGIC]);
  const b = host.lb(1, { eax: MAGIC, ebx: RPCI | COOKIE, ecx: 30, edx: 0x5658, esi: 7, edi: 8, ebp: 9 });
  assert.equal(b.edx, 0x00010000, 'the next free id');
  assert.notDeepEqual([a.esi, a.edi], [b.esi, b.edi]);
  const plain = host.lb(1, { eax: MAGIC, ebx: RPCI, ecx: 30, edx: 0x5658, esi: 7, edi: 8, ebp: 9 });
  assert.deepEqual([plain.ecx, plain.edx, plain.esi, plain.edi], [0x00010000, 0x00020000, 0, 0], 'no cookie flag: cookies 0/0');
  const bad = host.lb(1, { eax: MAGIC, ebx: 0x12345678 | COOKIE, ecx: 30, edx: 0x5658, esi: 7, edi: 8, ebp: 9 });
  assert.deepEqual(bad, { eax: MAGIC, ebx: 0x92345678, ecx: 0, edx: 0x5658, esi: 7, edi: 8, ebp: 9 }, 'unknown protocol: status 0');
  assert.equal(host.openChannels, 3);
});

test('OPEN: at most 128 channels; CLOSE frees one; calls on a closed id fail', () => {
  const { host } = setup();
  const guests = Array.from({ length: 128 }, () => new Guest(host));
  for (const g of guests) assert.equal(g.open(), SUCCESS);
  assert.deepEqual(guests.map((g) => g.id), Array.from({ length: 128 }, (_, i) => i));
  assert.equal(new Guest(host).open(), 0, 'the 129th fails');
  assert.equal(guests[77]!.close(), SUCCESS);
  const again = new Guest(host);
  assert.equal(again.open(), SUCCESS);
  assert.equal(again.id, 77);
  assert.equal(guests[77]!.lb(SENDSIZE, 4).ecx, 0, 'old cookies on the reused id: status 0');
  assert.equal(guests[77]!.close(), 0);
});

// Values with spaces, newlines, UTF-8 (2-, 3- and 4-byte) and binary bytes, cut to any length.
const PATTERN = cat('a b\nc\r\t é€😀 ', Uint8Array.of(0, 1, 0x7f, 0x80, 0xc3, 0xff, 0x20, 0x0a));
const valueOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => PATTERN[i % PATTERN.length]!);

for (const useHb of [false, true]) {
  test(`RPCI info-set / info-get round trips on the ${useHb ? 'HB' : 'LB'} path: 0..60000 bytes, text and binary`, () => {
    const { guest, store } = setup();
    assert.equal(guest.open(), SUCCESS);
    for (const n of [0, 1, 3, 4, 5, 4095, 4096, 60000]) {
      const value = valueOf(n);
      const key = `guestinfo.v${n}`;
      // vmtoolsd style: strlen + 1 (one trailing NUL, stripped by the host; a value may end in its own NUL)
      assert.equal(str(guest.rpc(cat(`info-set ${key} `, value, Uint8Array.of(0)), useHb)), '1 ', `set ${n}`);
      assert.deepEqual(store.getBytes(key), value, `stored ${n} bytes exactly`);
      assert.deepEqual(guest.rpc(`info-get ${key}`, useHb), cat('1 ', value), `get ${n}`);
    }
    assert.equal(store.get('guestinfo.v5'), 'a b\nc');
    assert.equal(guest.close(), SUCCESS);
  });
}

test('LB packing: byte 0 in bits 7..0; a 1-3 byte tail contributes only its bytes; RECVPAYLOAD words likewise', () => {
  const { guest, store } = setup();
  guest.open();
  // "info-set guestinfo.k abcdef": 27 bytes = 6 words + a 3-byte tail
  assert.equal(guest.lb(SENDSIZE, 27).ecx, (SUCCESS | HB) << 16);
  const words = [0x6f666e69, 0x7465732d, 0x65756720, 0x6e697473, 0x6b2e6f66, 0x63626120];
  for (const w of words) assert.equal(guest.lb(SENDPAYLOAD, w).ecx, SUCCESS << 16);
  const tail = guest.lb(SENDPAYLOAD, 0xaa666564);
  assert.deepEqual([tail.ecx, tail.ebx], [SUCCESS << 16, 0xaa666564], 'the tail: only "def" (bits 23..0) counts');
  assert.equal(store.get('guestinfo.k'), 'abcdef');
  assert.equal(guest.lb(SENDPAYLOAD, 0x41).ecx, 0, 'no message announced any more: out of order');
  store.set('guestinfo.k', 'xyz');
  assert.ok(guest.send(enc('info-get guestinfo.k'), false) === null);
  const size = guest.lb(RECVSIZE);
  assert.deepEqual([size.ecx >>> 16, size.edx >>> 16, size.edx & 0xffff, size.ebx], [SUCCESS | DORECV | HB, 1, 0x5658, 5]);
  const p1 = guest.lb(RECVPAYLOAD, 1);
  const p2 = guest.lb(RECVPAYLOAD, 1);
  assert.deepEqual([p1.ebx, p1.ecx, p1.edx >>> 16], [0x79782031, SUCCESS << 16, 2], '"1 xy"');
  assert.equal(p2.ebx, 0x7a, '"z", zero-padded');
  assert.equal(guest.lb(RECVPAYLOAD, 1).ecx, 0, 'past the end: out of order');
});

test('HB registers: SENDSIZE 0x81, HB send EBX = 0x00010000 and ECX = 0; RECVSIZE 0x83; HB receive likewise', () => {
  const { guest } = setup();
  guest.open();
  const req = enc('info-get guestinfo.none');
  assert.equal(guest.lb(SENDSIZE, req.length).ecx, 0x00810000);
  const out = guest.hbOut(req);
  assert.deepEqual([out.ebx, out.ecx, out.esi, out.edi, out.ebp], [0x00010000, 0, 0, guest.low, guest.high]);
  const size = guest.lb(RECVSIZE);
  assert.deepEqual([size.ecx, size.edx, size.ebx], [0x00830000, 0x00015658, 16]);
  const got = guest.hbIn(16);
  assert.equal(str(got.data), '0 No value found');
  assert.deepEqual([got.regs.ebx, got.regs.ecx], [0x00010000, 0]);
  assert.equal(guest.lb(RECVSTATUS, 1).ecx, 0x00010000);
  assert.equal(guest.lb(RECVSIZE).ecx, 0x00010000, 'nothing waiting: SUCCESS only');
});

test('SENDSIZE: 64 KiB is accepted, 64 KiB + 1 refused with nothing buffered', () => {
  const { guest } = setup();
  guest.open();
  assert.equal(guest.lb(SENDSIZE, 65536).ecx >>> 16, SUCCESS | HB);
  assert.equal(guest.lb(SENDSIZE, 65537).ecx, 0);
  assert.equal(guest.lb(SENDPAYLOAD, 0x41414141).ecx, 0, 'nothing buffered');
  assert.equal(guest.send(new Uint8Array(65537), true), 0);
  assert.equal(str(guest.rpc('log still fine')), '1 ');
});

test('RPCI replies: missing keys, other namespaces, unknown commands, accepted commands, machine.id.get', () => {
  const { guest, store } = setup({ machineId: 'id-42' });
  guest.open();
  const r = (s: string) => str(guest.rpc(s));
  assert.equal(r('info-get guestinfo.doesnotexist'), '0 No value found');
  assert.equal(r('info-get guestinfo.'), '0 No value found');
  assert.equal(r('info-get vmx.something'), '0 No value found');
  assert.equal(r('info-set vmx.something 1'), '0 Permission denied');
  assert.equal(r('info-set guestinfo.x'), '0 Two and exactly two arguments expected');
  assert.equal(r('info-set GuestInfo.Mixed  two  spaces '), '1 ');
  assert.equal(store.get('guestinfo.mixed'), ' two  spaces ', 'value = everything after the first space after the key; keys lowercased');
  assert.equal(r('info-get GUESTINFO.MIXED'), '1  two  spaces ');
  assert.equal(r('info-set guestinfo.empty '), '1 ');
  assert.equal(r('info-get guestinfo.empty\0'), '1 ');
  assert.equal(r('no-such-command x'), '0 Unknown command');
  assert.equal(r(''), '0 Unknown command');
  assert.equal(r('machine.id.get '), '1 id-42');
  for (const ok of ['log hello', 'tools.set.version 2147483647', 'tools.set.versiontype 12 4', 'tools.capability.statechange ',
    'tools.capability.hgfs_server toolbox 1', 'tools.os.statechange.status 1 2', 'vmx.capability.unified_loop toolbox', 'SetGuestInfo  7 12300']) {
    assert.equal(r(ok), '1 ', ok);
  }
});

test('cookies are enforced on every LB and HB call; a wrong call does not disturb the channel', () => {
  const { guest } = setup();
  guest.open();
  assert.equal(guest.lb(SENDSIZE, 14).ecx >>> 16, SUCCESS | HB);
  assert.equal(guest.lb(SENDPAYLOAD, 0x6f666e69, { esi: guest.high ^ 1 }).ecx, 0, 'wrong ESI');
  assert.equal(guest.lb(SENDPAYLOAD, 0x6f666e69, { edi: guest.low ^ 1 }).ecx, 0, 'wrong EDI');
  assert.equal(guest.hbOut(enc('info-get guest'), { ebp: guest.high ^ 1 }).ebx, 0, 'HB send: wrong EBP (cookie high)');
  assert.equal(guest.hbOut(enc('info-get guest'), { edi: guest.low ^ 1 }).ebx, 0, 'HB send: wrong EDI (cookie low)');
  assert.equal(guest.hbOut(enc('info-get guest')).ebx, 0x00010000, 'the announced send is still waiting');
  assert.equal(guest.lb(RECVSIZE).ecx >>> 16, SUCCESS | DORECV | HB);
  assert.equal(guest.hbIn(16, { ebp: guest.low ^ 1 }).regs.ebx, 0, 'HB receive: wrong EBP (cookie low)');
  assert.equal(guest.hbIn(16, { esi: guest.high ^ 1 }).regs.ebx, 0, 'HB receive: wrong ESI (cookie high)');
  const { data } = guest.hbIn(16);
  assert.equal(str(data), '0 No value found');
  assert.equal(guest.lb(CLOSE, 0, { edi: 0 }).ecx, 0);
  assert.equal(guest.close(), SUCCESS);
  assert.equal(guest.lb(RECVSIZE, 0, { edx: (5 << 16) | 0x5658 }).ecx, 0, 'unknown id');
});

test('two channels interleaved keep separate transfers and replies', () => {
  const { host, store } = setup();
  store.set('guestinfo.a', 'alpha');
  store.set('guestinfo.b', 'beta');
  const [a, b] = [new Guest(host, 1), new Guest(host, 2)];
  a.open();
  b.open();
  const ra = enc('info-get guestinfo.a');
  assert.equal(a.lb(SENDSIZE, ra.length).ecx >>> 16, SUCCESS | HB);
  assert.equal(a.lb(SENDPAYLOAD, 0x6f666e69).ecx >>> 16, SUCCESS);
  assert.equal(str(b.rpc('info-get guestinfo.b', true)), '1 beta');
  for (let i = 4; i < ra.length; i += 4) a.lb(SENDPAYLOAD, Buffer.from(ra.subarray(i, i + 4)).readUInt32LE(0));
  assert.equal(str(b.rpc('info-set guestinfo.b gamma')), '1 ');
  assert.equal(str(a.receive(false) as Uint8Array), '1 alpha');
  assert.equal(store.get('guestinfo.b'), 'gamma');
});

test('out of order: status 0 and the transfer reset', () => {
  const { guest } = setup();
  guest.open();
  assert.equal(guest.lb(SENDPAYLOAD, 0x41).ecx, 0, 'payload without SENDSIZE');
  assert.equal(guest.lb(RECVPAYLOAD, 1).ecx, 0, 'RECVPAYLOAD without RECVSIZE');
  assert.equal(guest.lb(RECVSTATUS, 1).ecx, 0, 'RECVSTATUS with nothing waiting');
  guest.lb(SENDSIZE, 8);
  guest.lb(SENDPAYLOAD, 0x41414141);
  assert.equal(guest.lb(RECVSIZE).ecx, 0, 'RECVSIZE in the middle of a send');
  assert.equal(guest.lb(SENDPAYLOAD, 0x41414141).ecx, 0, 'the partial send was discarded');
  assert.equal(guest.lb(9).ecx, 0, 'unknown sub-command');
  assert.equal(str(guest.rpc('log ok')), '1 ');
});

test('hb = false: no HB bit; HB calls fail with BX.hi = 0 (BSD vmt checks EBX == 0x00010000); LB still works', () => {
  const { guest } = setup({ hb: false });
  guest.open();
  assert.equal(guest.lb(SENDSIZE, 8).ecx >>> 16, SUCCESS);
  const out = guest.hbOut(enc('log abcd'));
  assert.deepEqual([out.ebx, out.ecx], [0, 8]);
  assert.equal(str(guest.rpc('info-get guestinfo.x', true)), '0 No value found', 'the guest falls back to LB');
  guest.send(enc('log x'), false);
  assert.equal(guest.lb(RECVSIZE).ecx >>> 16, SUCCESS | DORECV);
  assert.equal(guest.hbIn(3).regs.ebx, 0);
});

test('HB receive with a smaller count (BSD vmt truncates to its buffer); RECVSTATUS 0 discards the reply', () => {
  const log: TranscriptEntry[] = [];
  const { guest, store } = setup({}, log);
  store.set('guestinfo.long', 'x'.repeat(300));
  guest.open();
  guest.send(enc('info-get guestinfo.long'), true);
  assert.equal(guest.lb(RECVSIZE).ebx, 302);
  const got = guest.hbIn(255);
  assert.equal(got.data.length, 255);
  assert.equal(got.regs.ecx, 0);
  assert.equal(guest.lb(RECVSTATUS, 1).ecx >>> 16, SUCCESS);
  assert.deepEqual(log.filter((e) => e.t === 'recv'), [{ t: 'recv', channel: 0, protocol: 'RPCI', outcome: 'ok', read: 255, length: 302 }]);
  guest.send(enc('info-get guestinfo.long'), false);
  guest.lb(RECVSIZE);
  guest.lb(RECVPAYLOAD, 1);
  assert.equal(guest.lb(RECVPAYLOAD, 0).ecx >>> 16, SUCCESS, 'RECVPAYLOAD with EBX = 0: the guest gives up');
  assert.equal(guest.lb(RECVSIZE).ecx >>> 16, SUCCESS, 'consumed: nothing waiting');
  guest.send(enc('log x'), false);
  guest.lb(RECVSIZE);
  assert.equal(guest.lb(RECVSTATUS, 0).ecx >>> 16, SUCCESS);
  assert.equal(guest.lb(RECVSIZE).ecx >>> 16, SUCCESS);
  assert.deepEqual(log.filter((e) => e.t === 'recv').map((e) => [e.outcome, e.read]), [['ok', 255], ['failed', 4], ['failed', 0]]);
});

test('transcript: channel events, bdoor and hb entries, rpci pairs (NUL noted, 4 KiB cut, base64 for binary)', () => {
  const log: TranscriptEntry[] = [];
  const { guest } = setup({}, log);
  guest.open();
  guest.rpc('info-set guestinfo.t hello world\0');
  guest.rpc(cat('info-set guestinfo.big ', 'é'.repeat(3000)), true);
  guest.rpc(cat('info-set guestinfo.bin ', Uint8Array.of(0xff, 0xfe, 0)));
  guest.close();
  const rpci = log.filter((e) => e.t === 'rpci');
  assert.deepEqual(rpci[0], { t: 'rpci', channel: 0, pid: 4242, request: 'info-set guestinfo.t hello world', nul: true, reply: '1 ' });
  assert.equal(rpci[1]!.request_length, 23 + 6000);
  assert.ok((rpci[1]!.request as string).length < 4096 && (rpci[1]!.request as string).endsWith('é'), 'cut at a character boundary');
  assert.equal(rpci[2]!.request_base64, Buffer.from(cat('info-set guestinfo.bin ', Uint8Array.of(0xff, 0xfe))).toString('base64'), 'the trailing NUL stripped');
  assert.equal(rpci[2]!.nul, true);
  assert.deepEqual(log[0], { t: 'channel', event: 'open', channel: 0, protocol: 'RPCI', pid: 4242, cookie: true });
  assert.deepEqual(log.at(-2), { t: 'channel', event: 'close', channel: 0, protocol: 'RPCI', pid: 4242, reason: 'guest' });
  const last = log.at(-1)!;
  assert.ok(last.t === 'bdoor');
  assert.deepEqual(last, { t: 'bdoor', pid: 4242, cmd: 'MESSAGE', sub: 'CLOSE', channel: 0, in: last.in, out: last.out, status: SUCCESS });
  const payload = log.filter((e) => e.t === 'bdoor').find((e) => e.sub === 'SENDPAYLOAD');
  assert.equal(payload!.bytes, 4);
  const hb = log.filter((e) => e.t === 'hb');
  assert.deepEqual(hb.map((e) => [e.dir, e.bytes, e.status]), [['out', 6023, SUCCESS], ['in', 2, SUCCESS]]);
  assert.ok(JSON.stringify(log).length < 200_000, 'entries stay small');
});

test('processExited and shutdown close the channels a process left open', () => {
  const log: TranscriptEntry[] = [];
  const { host } = setup({}, log);
  const [a, b] = [new Guest(host, 10), new Guest(host, 11)];
  a.open();
  b.open();
  host.processExited(10);
  assert.equal(host.openChannels, 1);
  assert.equal(a.lb(RECVSIZE).ecx, 0);
  host.shutdown();
  assert.equal(host.openChannels, 0);
  assert.deepEqual(log.filter((e) => e.t === 'channel').filter((e) => e.event === 'close').map((e) => [e.pid, e.reason]), [[10, 'exit'], [11, 'shutdown']]);
});
