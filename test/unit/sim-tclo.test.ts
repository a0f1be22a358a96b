// The simulated host's TCLO queue and fault injection, driven with raw
// registers written from protocol.md §3 and §5 (a local guest, no guest-side code).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig, GuestInfoStore, parseFaults, SimHost, type HostRegs, type SimConfig, type TranscriptEntry } from '../../src/sim/host/index.js';

const MAGIC = 0x564d5868;
const RPCI = 0x49435052;
const TCLO = 0x4f4c4354;
const [SENDSIZE, SENDPAYLOAD, RECVSIZE, RECVPAYLOAD, RECVSTATUS, CLOSE] = [1, 2, 3, 4, 5, 6];
const SUCCESS = 0x01, DORECV = 0x02, CPT = 0x10, TIMEOUT = 0x40, HB = 0x80;
const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const str = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** A guest written from protocol.md, every call with explicit registers. */
class Guest {
  id = 0;
  high = 0;
  low = 0;
  constructor(readonly host: SimHost, readonly pid = 77) {}

  lb(sub: number, ebx = 0): HostRegs {
    const edx = ((this.id << 16) | 0x5658) >>> 0;
    return this.host.lb(this.pid, { eax: MAGIC, ebx: ebx >>> 0, ecx: ((sub << 16) | 30) >>> 0, edx, esi: this.high, edi: this.low, ebp: 0 });
  }
  st = (r: HostRegs) => r.ecx >>> 16;
  open(proto: number): number {
    const r = this.host.lb(this.pid, { eax: MAGIC, ebx: (proto | 0x80000000) >>> 0, ecx: 30, edx: 0x5658, esi: 0, edi: 0, ebp: 0 });
    if (r.ecx >>> 16 === SUCCESS) [this.id, this.high, this.low] = [r.edx >>> 16, r.esi, r.edi];
    return r.ecx >>> 16;
  }
  hbOut(data: Uint8Array): HostRegs {
    return this.host.hbOut(this.pid, { eax: MAGIC, ebx: 0x10000, ecx: data.length, edx: ((this.id << 16) | 0x5659) >>> 0, esi: 0, edi: this.low, ebp: this.high }, data);
  }
  hbIn(count: number) {
    return this.host.hbIn(this.pid, { eax: MAGIC, ebx: 0x10000, ecx: count, edx: ((this.id << 16) | 0x5659) >>> 0, esi: this.high, edi: 0, ebp: this.low });
  }
  /** Message_Send with open-vm-tools' CPT restart; returns the failing status, or null. */
  send(data: Uint8Array, useHb = false): number | null {
    retry: for (let tries = 0; ; tries++) {
      assert.ok(tries < 10_000, 'send: too many CPT restarts');
      const st = this.st(this.lb(SENDSIZE, data.length));
      if (!(st & SUCCESS)) return st;
      if (data.length === 0) return null;
      if (useHb && st & HB) {
        const s = this.hbOut(data).ebx >>> 16;
        if (s & SUCCESS) return null;
        if (s & CPT) continue retry;
        return s;
      }
      for (let i = 0; i < data.length; i += 4) {
        const s = this.st(this.lb(SENDPAYLOAD, Buffer.concat([data.subarray(i, i + 4), Buffer.alloc(4)]).readUInt32LE(0)));
        if (s & CPT) continue retry;
        if (!(s & SUCCESS)) return s;
      }
      return null;
    }
  }
  /** Message_Receive with the CPT restart: the text, null for no message. */
  receive(useHb = false): string | null {
    retry: for (let tries = 0; ; tries++) {
      assert.ok(tries < 10_000, 'receive: too many CPT restarts');
      const r = this.lb(RECVSIZE);
      const st = this.st(r);
      assert.ok(st & SUCCESS, `RECVSIZE status ${st}`);
      if (!(st & DORECV)) return null;
      const out = Buffer.alloc(r.ebx);
      if (useHb && st & HB) {
        const got = this.hbIn(r.ebx);
        if ((got.regs.ebx >>> 16) & CPT) continue retry;
        assert.equal(got.regs.ebx, 0x10000);
        out.set(got.data);
      } else {
        for (let i = 0; i < r.ebx; i += 4) {
          const p = this.lb(RECVPAYLOAD, 1);
          if (this.st(p) & CPT) continue retry;
          assert.equal(this.st(p), SUCCESS);
          const w = Buffer.alloc(4);
          w.writeUInt32LE(p.ebx);
          out.set(w.subarray(0, Math.min(4, r.ebx - i)), i);
        }
      }
      const s = this.st(this.lb(RECVSTATUS, 1));
      if (s & CPT) continue retry;
      assert.equal(s, SUCCESS);
      return out.toString('utf8');
    }
  }
  /** One TCLO poll (RpcInLoop): send the last result, then ask for a command. */
  poll(result: string, useHb = false): string | null {
    assert.equal(this.send(enc(result), useHb), null);
    return this.receive(useHb);
  }
  rpc(text: string, useHb = false): string {
    assert.equal(this.send(enc(text), useHb), null);
    return this.receive(useHb) ?? '(none)';
  }
}

const setup = (c: Partial<SimConfig> = {}, log: TranscriptEntry[] = []) => {
  const host = new SimHost({ ...defaultConfig(), ...c }, new GuestInfoStore(), (e) => log.push(e));
  return { host, log, guest: new Guest(host) };
};
const tcloEntries = (log: TranscriptEntry[]) => log.filter((e) => e.t === 'tclo');

for (const useHb of [false, true]) {
  test(`TCLO (${useHb ? 'HB' : 'LB'}): reset first, then the queue in order, one per poll; empty polls get nothing`, () => {
    const { host, guest, log } = setup({ tclo: ['ping', 'Set_Option broadcastIP 1', 'OS_Halt'] });
    assert.equal(guest.open(TCLO), SUCCESS);
    assert.equal(guest.receive(useHb), null, 'nothing before the first (empty) send');
    assert.equal(guest.poll('', useHb), 'reset');
    assert.equal(guest.poll('OK ATR toolbox', useHb), 'ping');
    assert.equal(guest.poll('OK ', useHb), 'Set_Option broadcastIP 1');
    assert.equal(host.tcloRemaining, 2);
    assert.equal(guest.poll('OK ', useHb), 'OS_Halt');
    assert.equal(guest.poll('ERROR Unknown command', useHb), null, 'queue empty');
    assert.equal(host.tcloRemaining, 0);
    assert.equal(guest.poll('', useHb), null);
    assert.equal(guest.poll('', useHb), null);
    assert.deepEqual(tcloEntries(log), [
      { t: 'tclo', channel: 0, command: 'reset', reply: 'OK ATR toolbox', atr: 'toolbox', handshake: true },
      { t: 'tclo', channel: 0, command: 'ping', reply: 'OK ' },
      { t: 'tclo', channel: 0, command: 'Set_Option broadcastIP 1', reply: 'OK ' },
      { t: 'tclo', channel: 0, command: 'OS_Halt', reply: 'ERROR Unknown command' },
    ]);
    assert.equal(host.stats.tclo, 4);
  });
}

test('TCLO: the handshake reply is recorded as it is (not OK ATR: atr null; a trailing NUL noted)', () => {
  const { guest, log } = setup({ tclo: ['ping'] });
  guest.open(TCLO);
  assert.equal(guest.poll(''), 'reset');
  assert.equal(guest.poll('OK '), 'ping', 'any reply completes the handshake');
  assert.equal(guest.poll('OK \0'), null);
  assert.deepEqual(tcloEntries(log).map((e) => [e.command, e.reply, e.atr, e.nul]), [['reset', 'OK ', null, undefined], ['ping', 'OK ', undefined, true]]);
});

test('TCLO: a reset in the queue is delivered like any command; a new channel gets its own reset, the queue goes on', () => {
  const { host, guest, log } = setup({ tclo: ['ping', 'reset', 'Capabilities_Register', 'OS_Reboot'] });
  guest.open(TCLO);
  assert.equal(guest.poll(''), 'reset');
  assert.equal(guest.poll('OK ATR toolbox'), 'ping');
  assert.equal(guest.poll('OK '), 'reset');
  assert.equal(guest.poll('OK ATR debug'), 'Capabilities_Register');
  assert.equal(guest.lb(CLOSE).ecx, SUCCESS << 16, 'closed with Capabilities_Register collected and unanswered');
  const again = new Guest(host);
  again.open(TCLO);
  assert.equal(again.poll('OK ATR toolbox'), 'reset', 'BSD vmt: an unsolicited handshake reply, then the host resets');
  assert.equal(again.poll('OK ATR toolbox'), 'OS_Reboot');
  assert.equal(again.poll('OK '), null);
  assert.deepEqual(tcloEntries(log).map((e) => [e.channel, e.command, e.reply, e.atr ?? e.closed ?? e.unsolicited]), [
    [0, 'reset', 'OK ATR toolbox', 'toolbox'],
    [0, 'ping', 'OK ', undefined],
    [0, 'reset', 'OK ATR debug', 'debug'],
    [0, 'Capabilities_Register', null, true],
    [0, null, 'OK ATR toolbox', true],
    [0, 'reset', 'OK ATR toolbox', 'toolbox'],
    [0, 'OS_Reboot', 'OK ', undefined],
  ]);
});

test('TCLO: a command not collected goes back to the queue (guest failure, channel closed before RECVSTATUS)', () => {
  const { host, guest, log } = setup({ tclo: ['ping', 'OS_Halt'] });
  guest.open(TCLO);
  guest.poll('');
  guest.send(enc('OK ATR toolbox'));
  assert.equal(guest.st(guest.lb(RECVSIZE)), SUCCESS | DORECV | HB);
  assert.equal(guest.st(guest.lb(RECVSTATUS, 0)), SUCCESS, 'the guest reports failure');
  assert.equal(guest.poll(''), 'ping', 'offered again');
  guest.send(enc('OK '));
  assert.equal(guest.lb(RECVSIZE).ebx, 7, 'OS_Halt waiting');
  guest.lb(CLOSE);
  assert.equal(host.tcloRemaining, 1);
  const again = new Guest(host);
  again.open(TCLO);
  assert.equal(again.poll(''), 'reset');
  assert.equal(again.poll('OK ATR toolbox'), 'OS_Halt');
  assert.ok(tcloEntries(log).some((e) => e.command === 'ping' && e.recv === 'failed' && e.reply === null));
  host.enqueueTclo('ping');
  assert.equal(again.poll('OK '), 'ping', 'enqueued at run time');
});

test('TCLO and RPCI channels side by side', () => {
  const { host, guest } = setup({ tclo: ['Set_Option broadcastIP 1'] });
  const rpci = new Guest(host, 78);
  guest.open(TCLO);
  rpci.open(RPCI);
  assert.equal(guest.poll(''), 'reset');
  assert.equal(guest.poll('OK ATR toolbox'), 'Set_Option broadcastIP 1');
  assert.equal(rpci.rpc('info-set guestinfo.ip 10.0.0.5\0'), '1 ');
  assert.equal(guest.poll('OK '), null);
  assert.equal(rpci.rpc('info-get guestinfo.ip', true), '1 10.0.0.5');
});

// ---- faults

test('cpt@N: the Nth payload call answers CPT without SUCCESS; a partial send is discarded, the guest restarts', () => {
  const { host, guest, log } = setup({ faults: parseFaults('cpt@3') });
  guest.open(RPCI);
  guest.lb(SENDSIZE, 21); // "info-set guestinfo.a 1"
  const words = [0x6f666e69, 0x7465732d];
  for (const w of words) assert.equal(guest.st(guest.lb(SENDPAYLOAD, w)), SUCCESS);
  assert.equal(guest.lb(SENDPAYLOAD, 0x65756720).ecx, CPT << 16, 'payload call 3');
  assert.equal(guest.lb(SENDPAYLOAD, 0x6e697473).ecx, 0, 'the transfer was discarded');
  assert.equal(guest.rpc('info-set guestinfo.a 1'), '1 ');
  assert.equal(guest.rpc('info-get guestinfo.a'), '1 1');
  assert.deepEqual(log.filter((e) => e.t === 'fault'), [{ t: 'fault', kind: 'cpt', call: 3, sub: 'SENDPAYLOAD', channel: 0 }]);
  assert.equal(host.stats.faults, 1);
});

test('cpt@N on a receive: the reply stays for the next RECVSIZE (LB and HB)', () => {
  const { guest } = setup({ faults: parseFaults('cpt@2,cpt@5') });
  guest.open(RPCI);
  assert.equal(guest.send(enc('info-set guestinfo.v abcdefg'), true), null); // payload call 1 (HB)
  assert.equal(guest.lb(RECVSIZE).ebx, 2);
  const hb = guest.hbIn(2); // payload call 2
  assert.deepEqual([hb.regs.ebx, hb.data.length], [CPT << 16, 0]);
  assert.equal(guest.st(guest.lb(RECVSTATUS, 1)), 0, 'not announced any more');
  assert.equal(guest.receive(true), '1 ', 'RECVSIZE again: the same reply'); // payload call 3
  assert.equal(guest.send(enc('info-get guestinfo.v'), true), null); // 4
  assert.equal(guest.lb(RECVSIZE).ebx, 9);
  assert.equal(guest.st(guest.lb(RECVPAYLOAD, 1)), CPT, 'payload call 5');
  assert.equal(guest.st(guest.lb(RECVPAYLOAD, 1)), 0);
  assert.equal(guest.receive(false), '1 abcdefg', 'read again from the start');
});

test('open@N: the Nth OPEN fails (status 0), the others succeed', () => {
  const { host, log } = setup({ faults: parseFaults('open@2') });
  assert.deepEqual([1, 2, 3].map(() => new Guest(host).open(RPCI)), [SUCCESS, 0, SUCCESS]);
  assert.equal(host.openChannels, 2);
  assert.deepEqual(log.filter((e) => e.t === 'fault'), [{ t: 'fault', kind: 'open', call: 2, sub: 'OPEN' }]);
});

test('timeout@N: the Nth message call of any kind answers TIMEOUT and resets the transfer', () => {
  const { host, guest } = setup({ faults: parseFaults('timeout@1,timeout@4,timeout@9') });
  assert.equal(guest.open(RPCI), TIMEOUT, 'call 1: OPEN');
  assert.equal(guest.open(RPCI), SUCCESS); // 2
  assert.equal(guest.st(guest.lb(SENDSIZE, 8)), SUCCESS | HB); // 3
  assert.equal(guest.st(guest.lb(SENDPAYLOAD, 0x20676f6c)), TIMEOUT); // 4
  assert.equal(guest.st(guest.lb(SENDPAYLOAD, 0x20676f6c)), 0, 'reset'); // 5
  assert.equal(guest.send(enc('log abcd'), true), null); // 6, 7
  assert.equal(guest.lb(RECVSIZE).ebx, 2); // 8
  assert.equal(guest.st(guest.lb(RECVSTATUS, 1)), TIMEOUT); // 9
  assert.equal(guest.receive(), '1 ', 'the reply is still waiting');
  assert.equal(host.stats.faults, 3);
});

test('nohb: like hb = false', () => {
  const { guest } = setup({ faults: parseFaults('nohb') });
  guest.open(RPCI);
  assert.equal(guest.st(guest.lb(SENDSIZE, 4)), SUCCESS);
  assert.equal(guest.hbOut(enc('log ')).ebx, 0);
  assert.equal(guest.rpc('log x', true), '1 ');
});

test('calls are counted across channels and processes', () => {
  const { host } = setup({ faults: parseFaults('cpt@2') });
  const [a, b] = [new Guest(host, 1), new Guest(host, 2)];
  a.open(RPCI);
  b.open(RPCI);
  a.lb(SENDSIZE, 1);
  b.lb(SENDSIZE, 1);
  assert.equal(a.st(a.lb(SENDPAYLOAD, 0x41)), SUCCESS);
  assert.equal(b.st(b.lb(SENDPAYLOAD, 0x41)), CPT);
});

// P is per payload call: an LB message of k words gets through with probability (1 - P)^k, so keep them short.
function randomRun(spec: string) {
  const { host, guest, log } = setup({ faults: parseFaults(spec) });
  guest.open(RPCI);
  for (let i = 0; i < 20; i++) {
    const value = `v${i} `.repeat(i % 6);
    assert.equal(guest.rpc(`info-set guestinfo.k${i} ${value}`, i % 2 === 0), '1 ');
    assert.equal(guest.rpc(`info-get guestinfo.k${i}`, i % 3 === 0), `1 ${value}`);
  }
  return { faults: log.filter((e) => e.t === 'fault'), stats: host.stats };
}

test('random@P:SEED: deterministic for a seed, different for another; the guest still gets through', () => {
  const a = randomRun('random@0.2:7');
  const b = randomRun('random@0.2:7');
  assert.ok(a.faults.length > 10, `${a.faults.length} faults`);
  assert.deepEqual(a.faults, b.faults);
  assert.ok(a.faults.every((f) => f.kind === 'random' && ['SENDPAYLOAD', 'RECVPAYLOAD', 'HB_SEND', 'HB_RECV'].includes(f.sub as string)));
  assert.notDeepEqual(randomRun('random@0.2:8').faults, a.faults);
  assert.deepEqual(randomRun('random@0.2').faults, randomRun('random@0.2:1').faults, 'the default seed is 1');
  assert.equal(randomRun('random@0').faults.length, 0);
});

test('random@1: every payload call fails', () => {
  const { guest } = setup({ faults: parseFaults('random@1') });
  guest.open(RPCI);
  guest.lb(SENDSIZE, 5);
  for (let i = 0; i < 5; i++) assert.equal(guest.st(guest.lb(SENDPAYLOAD, 0x41414141)), CPT);
});

test('parseFaults: accepted forms, and errors naming the bad part and the accepted forms', () => {
  assert.deepEqual(parseFaults(' cpt@3, open@1,timeout@12 ,nohb,random@0.25:99,random@.5'), [
    { kind: 'cpt', n: 3 }, { kind: 'open', n: 1 }, { kind: 'timeout', n: 12 }, { kind: 'nohb' },
    { kind: 'random', p: 0.25, seed: 99 }, { kind: 'random', p: 0.5, seed: 1 },
  ]);
  for (const empty of ['', ' ', ',', 'cpt@1,', 'cpt@1, ,open@2']) assert.throws(() => parseFaults(empty), /empty fault/, `'${empty}'`);
  for (const bad of ['cpt@0', 'cpt@', 'cpt@-1', 'cpt@1.5', 'cpt', 'nohb@1', 'bogus', 'random@2', 'random@-0.1', 'random@x', 'random@0.5:abc', 'random@0.5:4294967296', 'open@3x']) {
    assert.throws(() => parseFaults(`cpt@1,${bad}`), (e: Error) => e.message.includes(`'${bad}'`) && e.message.includes('cpt@N') && e.message.includes('random@P[:SEED]'), bad);
  }
});
