import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBiosUuid, getHostTime, getHwVersion, getHz, getMemSizeMB, getVersion } from '../../src/backdoor/commands.js';
import { BDOOR_MAGIC } from '../../src/backdoor/constants.js';
import { qemuVmport, ScriptedHost } from './fake-host.js';

const T = 1_763_724_231; // 2025-11-21T11:23:51Z

test('GETVERSION: version, VMX type and product; the probe sends ~magic in EBX and 0xFFFF in CX.hi', () => {
  const host = qemuVmport();
  assert.deepEqual(getVersion(host), { version: 6, vmxType: 2, product: 'ESX Server' });
  const call = host.calls[0]!;
  assert.equal(call.eax, BDOOR_MAGIC);
  assert.equal(call.ebx, 0xa9b2a797);
  assert.equal(call.ecx, 0xffff000a);
  assert.equal(call.edx & 0xffff, 0x5658);
});

test('GETVERSION: a host too old to set the VMX type leaves CX.hi = 0xFFFF', () => {
  const host = new ScriptedHost({ 10: () => ({ eax: 6, ebx: BDOOR_MAGIC }) });
  assert.deepEqual(getVersion(host), { version: 6, vmxType: null, product: 'Unknown' });
});

test('GETVERSION: Workstation, and unknown product types print as vmware-checkvm -p does', () => {
  assert.equal(getVersion(new ScriptedHost({ 10: () => ({ eax: 6, ebx: BDOOR_MAGIC, ecx: 4 }) }))?.product, 'Workstation');
  assert.equal(getVersion(new ScriptedHost({ 10: () => ({ eax: 6, ebx: BDOOR_MAGIC, ecx: 3 }) }))?.product, 'Unknown');
});

test('GETVERSION: nothing answered when EBX is not the magic or EAX is 0xFFFFFFFF', () => {
  assert.equal(getVersion(new ScriptedHost({})), null); // vmport=off: EAX=~0, the rest unchanged
  assert.equal(getVersion(new ScriptedHost({ 10: () => ({ eax: 6 }) })), null);
  assert.equal(getVersion(new ScriptedHost({ 10: () => ({ eax: 0xffffffff, ebx: BDOOR_MAGIC }) })), null);
});

test('GETBIOSUUID: EAX..EDX little-endian, in order (QEMU -uuid 12345678-9abc-def0-1122-334455667788)', () => {
  assert.equal(getBiosUuid(qemuVmport()), '12345678-9abc-def0-1122-334455667788');
  assert.equal(getBiosUuid(qemuVmport([0, 0, 0, 0])), null, 'QEMU without -uuid answers zeros');
  assert.equal(getBiosUuid(new ScriptedHost({})), null, 'unsupported');
  assert.equal(getBiosUuid(new ScriptedHost({}, 'old-qemu')), null, 'old QEMU leaves the magic in EAX');
});

test('GETMEMSIZE: MiB on VMware, bytes (marked EBX=0x1177) on QEMU', () => {
  assert.equal(getMemSizeMB(qemuVmport()), 512);
  assert.equal(getMemSizeMB(new ScriptedHost({ 20: () => ({ eax: 4096, ebx: 0 }) })), 4096);
  assert.equal(getMemSizeMB(new ScriptedHost({})), null);
  assert.equal(getMemSizeMB(new ScriptedHost({}, 'old-qemu')), null);
});

test('GETHWVERSION and GETHZ: values when implemented, null when not', () => {
  assert.equal(getHwVersion(new ScriptedHost({ 17: () => ({ eax: 19, ebx: BDOOR_MAGIC }) })), 19);
  assert.equal(getHwVersion(qemuVmport()), null);
  assert.equal(getHwVersion(new ScriptedHost({}, 'old-qemu')), null);
  assert.deepEqual(getHz(new ScriptedHost({ 45: () => ({ eax: 0x9502f900, ebx: 0, ecx: 66_000_000 }) })), { tscHz: 2_500_000_000, apicHz: 66_000_000 });
  assert.equal(getHz(qemuVmport()), null, 'TCG: EBX stays 0xFFFFFFFF');
  assert.equal(getHz(new ScriptedHost({}, 'old-qemu')), null);
});

const withLag = () => ({ eax: BDOOR_MAGIC, ebx: 123456, ecx: 1_000_000, edx: T, esi: 0, edi: 250 });

test('host time: GETTIMEFULL_WITH_LAG first, with the interrupt lag', () => {
  const host = new ScriptedHost({ 55: withLag });
  assert.deepEqual(getHostTime(host), { seconds: T, microseconds: 123456, maxTimeLagUs: 1_000_000, interruptLagUs: 250, command: 'GETTIMEFULL_WITH_LAG' });
  assert.equal(host.calls.length, 1);
});

test('host time: falls back to GETTIMEFULL, then GETTIME', () => {
  const full = new ScriptedHost({ 46: () => ({ eax: BDOOR_MAGIC, ebx: 5, ecx: 7, edx: T, esi: 0 }) });
  assert.deepEqual(getHostTime(full), { seconds: T, microseconds: 5, maxTimeLagUs: 7, interruptLagUs: null, command: 'GETTIMEFULL' });
  const old = new ScriptedHost({ 23: () => ({ eax: T, ebx: 999_999, ecx: 3 }) });
  assert.deepEqual(getHostTime(old), { seconds: T, microseconds: 999_999, maxTimeLagUs: 3, interruptLagUs: null, command: 'GETTIME' });
  assert.deepEqual(old.calls.map((c) => c.ecx & 0xffff), [55, 46, 23]);
});

test('host time: 64-bit seconds come from ESI:EDX', () => {
  const host = new ScriptedHost({ 55: () => ({ ...withLag(), edx: 0x00000010, esi: 0x1 }) });
  assert.equal(getHostTime(host)?.seconds, 2 ** 32 + 16);
});

test('host time: QEMU (nothing implemented) and old QEMU (magic left in EAX) give null, never a 1970 or 2106 date', () => {
  assert.equal(getHostTime(qemuVmport()), null);
  assert.equal(getHostTime(qemuVmport(undefined, 'old-qemu')), null);
});

test('host time: implausible answers are refused', () => {
  assert.equal(getHostTime(new ScriptedHost({ 55: () => ({ ...withLag(), ebx: 1_000_000 }) })), null, 'µs ≥ 1e6');
  assert.equal(getHostTime(new ScriptedHost({ 55: () => ({ ...withLag(), edx: 0 }) })), null, 'zero seconds');
  assert.equal(getHostTime(new ScriptedHost({ 23: () => ({ eax: 0, ebx: 0 }) })), null, 'GETTIME zero');
  assert.equal(getHostTime(new ScriptedHost({ 23: () => ({ eax: 0xffffffff, ebx: 1 }) })), null, 'GETTIME 2106');
});
