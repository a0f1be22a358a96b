// The simulated host's plain backdoor commands, driven with raw registers
// written from protocol.md §1.5 and §2 (no guest-side code).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig, GuestInfoStore, parseProduct, SimHost, type HostRegs, type SimConfig, type TranscriptEntry } from '../../src/sim/host/index.js';

const MAGIC = 0x564d5868;
const regs = (ecx: number, more: Partial<HostRegs> = {}): HostRegs => ({ eax: MAGIC, ebx: 0xa9b2a797, ecx, edx: 0x5658, esi: 0x51515151, edi: 0xd1d1d1d1, ebp: 0xb0b0b0b0, ...more });
const host = (c: Partial<SimConfig> = {}, now?: () => number, log?: TranscriptEntry[]) =>
  new SimHost({ ...defaultConfig(), ...c }, new GuestInfoStore(), log ? (e) => log.push(e) : undefined, now);

test('GETVERSION: EAX = 6, EBX = magic, ECX = VMX type; EDX, ESI, EDI, EBP as they came', () => {
  const out = host().lb(1, regs(0xffff000a));
  assert.deepEqual(out, { eax: 6, ebx: MAGIC, ecx: 2, edx: 0x5658, esi: 0x51515151, edi: 0xd1d1d1d1, ebp: 0xb0b0b0b0 });
  assert.equal(host({ vmxType: parseProduct('workstation') }).lb(1, regs(10)).ecx, 4);
  assert.equal(host({ version: 7 }).lb(1, regs(10)).eax, 7);
});

test('GETHWVERSION, GETMEMSIZE, GETMHZ, GETHZ', () => {
  const h = host({ hwVersion: 21, memoryMB: 2048, tscHz: 5_000_000_000, apicHz: 1_000_000_000 });
  assert.deepEqual([h.lb(1, regs(17)).eax, h.lb(1, regs(17)).ebx], [21, MAGIC]);
  const mem = h.lb(1, regs(20, { ebx: 0 }));
  assert.deepEqual([mem.eax, mem.ebx], [2048, 0], 'MiB in EAX; EBX not the QEMU 0x1177 marker');
  assert.equal(h.lb(1, regs(1)).eax, 5000);
  const hz = h.lb(1, regs(45, { ebx: 0xffffffff }));
  assert.deepEqual([hz.ebx, hz.eax, hz.ecx], [1, 5_000_000_000 - 2 ** 32, 1_000_000_000], 'EBX:EAX = TSC Hz');
  const d = host().lb(1, regs(45, { ebx: 0xffffffff }));
  assert.deepEqual([d.ebx, d.eax, d.ecx], [0, 0x9502f900, 66_000_000]);
  assert.equal(host({ tscHz: 0 }).lb(1, regs(45, { ebx: 0xffffffff })).ebx, 0xffffffff, 'unknown TSC: EBX stays 0xFFFFFFFF');
});

test('GETUUID: the 16 bytes as four little-endian words, in order; null = zeros', () => {
  const out = host({ biosUuid: '12345678-9abc-def0-1122-334455667788' }).lb(1, regs(19));
  assert.deepEqual([out.eax, out.ebx, out.ecx, out.edx], [0x78563412, 0xf0debc9a, 0x44332211, 0x88776655]);
  assert.deepEqual(host({ biosUuid: null }).lb(1, regs(19)), { ...regs(19), eax: 0, ebx: 0, ecx: 0, edx: 0 });
  assert.throws(() => host({ biosUuid: 'not-a-uuid' }), /bad BIOS UUID 'not-a-uuid'/);
});

const T = 1_763_724_231; // 2025-11-21T11:23:51Z

test('GETTIME family with an injected clock: offset, max lag, interrupt lag', () => {
  const h = host({ clockOffsetUs: 2_000_000, maxTimeLagUs: 1_000_000, interruptLagUs: 250 }, () => T * 1e6 + 123_456);
  const t = h.lb(1, regs(23));
  assert.deepEqual([t.eax, t.ebx, t.ecx], [T + 2, 123_456, 1_000_250], 'GETTIME: ECX = max lag + interrupt lag');
  assert.equal(t.edx, 0x5658);
  const full = h.lb(1, regs(46));
  assert.deepEqual(full, { ...regs(46), eax: MAGIC, ebx: 123_456, ecx: 1_000_250, edx: T + 2, esi: 0 }, 'GETTIMEFULL leaves the magic in EAX');
  const lag = h.lb(1, regs(55));
  assert.deepEqual(lag, { ...regs(55), eax: MAGIC, ebx: 123_456, ecx: 1_000_000, edx: T + 2, esi: 0, edi: 250 }, 'WITH_LAG: ECX excludes the lag, EDI = lag');
});

test('GETTIME family: 64-bit seconds past 2106, and a negative offset across a second boundary', () => {
  const late = host({}, () => (2 ** 32 + 5) * 1e6 + 7);
  const full = late.lb(1, regs(46));
  assert.deepEqual([full.edx, full.esi, full.ebx], [5, 1, 7]);
  assert.equal(late.lb(1, regs(23)).eax, 5, 'GETTIME: the low 32 bits');
  const back = host({ clockOffsetUs: -200 }, () => T * 1e6 + 100).lb(1, regs(55));
  assert.deepEqual([back.edx, back.ebx], [T - 1, 999_900]);
});

test('the real clock by default: within a second of Date.now()', () => {
  const t = host().lb(1, regs(46));
  assert.ok(Math.abs(t.edx + t.ebx / 1e6 - Date.now() / 1000) < 1);
});

test('unknown commands: EAX = 0xFFFFFFFF, everything else unchanged', () => {
  for (const cmd of [0, 68, 99, 100, 0xffff, 0x0003_0063]) {
    assert.deepEqual(host().lb(1, regs(cmd)), { ...regs(cmd), eax: 0xffffffff }, `command ${cmd}`);
  }
});

test('wrong port or magic: an unanswered port (EAX = 0xFFFFFFFF, nothing else); inputs masked to 32 bits', () => {
  const h = host();
  assert.deepEqual(h.lb(1, regs(10, { edx: 0x5659 })), { ...regs(10, { edx: 0x5659 }), eax: 0xffffffff });
  assert.deepEqual(h.lb(1, regs(10, { eax: 0x564d5869 })), { ...regs(10), eax: 0xffffffff });
  const wide = h.lb(1, regs(10, { eax: MAGIC + 2 ** 32, edx: 0x7_0000_5658, esi: -1 }));
  assert.deepEqual([wide.eax, wide.ebx, wide.edx, wide.esi], [6, MAGIC, 0x5658, 0xffffffff]);
  const hb = h.hbOut(1, { ...regs(0), ebx: 0x00010000, ecx: 1 }, Uint8Array.of(1)); // HB call on the LB port
  assert.equal(hb.eax, 0xffffffff);
  assert.equal(h.stats.invalid, 3);
  assert.equal(h.stats.calls, 4);
});

test('transcript: one bdoor entry per call, registers as numbers', () => {
  const log: TranscriptEntry[] = [];
  const h = host({}, undefined, log);
  h.lb(7, regs(0xffff000a));
  h.lb(7, regs(99));
  assert.deepEqual(log[0], { t: 'bdoor', pid: 7, cmd: 'GETVERSION', in: regs(0xffff000a), out: { ...regs(0xffff000a), eax: 6, ebx: MAGIC, ecx: 2 } });
  assert.deepEqual(log[1], { t: 'bdoor', pid: 7, cmd: 'UNKNOWN', num: 99, in: regs(99), out: { ...regs(99), eax: 0xffffffff } });
  assert.doesNotThrow(() => JSON.stringify(log));
});

test('parseProduct: names and numbers; anything else is refused', () => {
  assert.equal(parseProduct('esx'), 2);
  assert.equal(parseProduct('Workstation'), 4);
  assert.equal(parseProduct('3'), 3);
  assert.equal(parseProduct(0), 0);
  assert.throws(() => parseProduct('fusion'), /unknown product 'fusion': use esx, workstation, or a VMX type number/);
  assert.throws(() => parseProduct('-1'), /unknown product/);
});
