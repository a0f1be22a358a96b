// Guest-side typed calls against the simulated host, in process: both sides
// written independently from protocol.md, meeting only at the registers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InProcessBackdoor } from '../../src/sim/inprocess.js';
import { getBiosUuid, getHostTime, getHwVersion, getHz, getMemSizeMB, getVersion } from '../../src/backdoor/commands.js';
import { defaultConfig, GuestInfoStore, SimHost } from '../../src/sim/host/index.js';
import { decide, probe } from '../../src/detect/index.js';

function backdoor(edit: (c: ReturnType<typeof defaultConfig>) => void = () => {}, nowUs?: number) {
  const config = defaultConfig();
  edit(config);
  const host = new SimHost(config, new GuestInfoStore(), undefined, nowUs === undefined ? undefined : () => nowUs);
  return new InProcessBackdoor(host);
}

test('in process: GETVERSION, GETHWVERSION, GETBIOSUUID, GETMEMSIZE and GETHZ as the sim host answers them', () => {
  const bd = backdoor((c) => {
    c.vmxType = 4;
    c.biosUuid = '12345678-9abc-def0-1122-334455667788';
    c.memoryMB = 2048;
    c.hwVersion = 21;
  });
  assert.deepEqual(getVersion(bd), { version: 6, vmxType: 4, product: 'Workstation' });
  assert.equal(getHwVersion(bd), 21);
  assert.equal(getBiosUuid(bd), '12345678-9abc-def0-1122-334455667788');
  assert.equal(getMemSizeMB(bd), 2048);
  assert.deepEqual(getHz(bd), { tscHz: 2_500_000_000, apicHz: 66_000_000 });
});

test('in process: host time through GETTIMEFULL_WITH_LAG, with the host clock injected', () => {
  const t = getHostTime(backdoor((c) => (c.interruptLagUs = 250), 1_763_724_231_123_456));
  assert.deepEqual(t, { seconds: 1_763_724_231, microseconds: 123_456, maxTimeLagUs: 1_000_000, interruptLagUs: 250, command: 'GETTIMEFULL_WITH_LAG' });
});

test('in process: detection with a VMware CPUID and the sim host says VMware', () => {
  const bd = backdoor();
  const p = probe({ cpuid: () => ({ hypervisorBit: true, signature: 'VMwareVMware', hypercallBackdoor: false }), dmi: () => ({}), backdoor: () => bd }, 'auto');
  assert.equal(p.verdict.exit, 0);
  assert.equal(p.verdict.vmware, true);
  assert.equal(decide(p.facts, p.knock).reason, 'the VMware backdoor answered (CPUID: VMware)');
});
