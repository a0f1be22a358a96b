import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decide, dmiSaysVmware, probe, shouldKnock, type Facts, type Knock, type KnockPolicy } from '../../src/detect/index.js';
import { BackdoorFault } from '../../src/backdoor/backdoor.js';
import { readPortAccess } from '../../src/detect/facts.js';
import { qemuVmport, ScriptedHost } from './fake-host.js';

const cpu = (signature: string | null, hypercallBackdoor = false): Facts['cpuid'] => ({ hypervisorBit: signature !== null, signature, hypercallBackdoor });
const facts = (signature: string | null, dmi: Record<string, string> = {}, hypercall = false): Facts => ({ cpuid: cpu(signature, hypercall), dmi });
const answered: Knock = { kind: 'answered', version: 6, vmxType: 2, product: 'ESX Server' };
const fault: Knock = { kind: 'fault', signal: 'SIGSEGV' };

// [name, facts, policy, knocks?, knock result, expected exit, vmware, hypervisor]
const table: [string, Facts, KnockPolicy, boolean, Knock | null, number, boolean | null, string | null][] = [
  ['VMware, backdoor answers', facts('VMwareVMware'), 'auto', true, answered, 0, true, 'VMware'],
  ['VMware, backdoor faults (restricted)', facts('VMwareVMware'), 'auto', true, fault, 3, null, 'VMware'],
  ['VMware, backdoor silent', facts('VMwareVMware'), 'auto', true, { kind: 'silent' }, 3, null, 'VMware'],
  ['KVM: no knock', facts('KVMKVMKVM\0\0\0'), 'auto', false, null, 1, false, 'KVM'],
  ['QEMU TCG: no knock', facts('TCGTCGTCGTCG'), 'auto', false, null, 1, false, 'QEMU (TCG)'],
  ['QEMU TCG vmport=on, --probe', facts('TCGTCGTCGTCG'), 'always', true, answered, 0, true, 'QEMU (TCG)'],
  ['QEMU TCG vmport=off, --probe, root', facts('TCGTCGTCGTCG'), 'always', true, { kind: 'silent' }, 1, false, 'QEMU (TCG)'],
  ['KVM, --probe, fault', facts('KVMKVMKVM\0\0\0'), 'always', true, fault, 1, false, 'KVM'],
  ['Xen: no knock', facts('XenVMMXenVMM'), 'auto', false, null, 1, false, 'Xen'],
  ['Hyper-V: no knock', facts('Microsoft Hv'), 'auto', false, null, 1, false, 'Hyper-V'],
  ['bhyve: no knock', facts('bhyve bhyve '), 'auto', false, null, 1, false, 'bhyve'],
  ['OpenBSD vmm: no knock', facts('OpenBSDVMM58'), 'auto', false, null, 1, false, 'OpenBSD vmm'],
  ['unknown signature: knock', facts('NewHyperVis0'), 'auto', true, fault, 1, false, 'unknown ("NewHyperVis0")'],
  ['bare metal: knock, fault', facts(null), 'auto', true, fault, 1, false, null],
  ['bare metal, DMI VMware (hidden hypervisor bit), answers', facts(null, { sys_vendor: 'VMware, Inc.' }), 'auto', true, answered, 0, true, 'VMware'],
  ['--no-knock, VMware CPUID: cannot tell', facts('VMwareVMware'), 'never', false, null, 3, null, 'VMware'],
  ['--no-knock, DMI VMW: cannot tell', facts(null, { product_name: 'VMW-Something' }), 'never', false, null, 3, null, 'VMware'],
  ['--no-knock, nothing says VMware', facts(null, { sys_vendor: 'Dell Inc.' }), 'never', false, null, 1, false, null],
  ['--no-knock, KVM', facts('KVMKVMKVM\0\0\0'), 'never', false, null, 1, false, 'KVM'],
  ['not x86 (no CPUID)', { cpuid: null, dmi: {} }, 'auto', true, fault, 1, false, null],
];

for (const [name, f, policy, knocks, k, exit, vmware, hypervisor] of table) {
  test(`detect: ${name}`, () => {
    assert.equal(shouldKnock(f, policy), knocks);
    const v = decide(f, k);
    assert.equal(v.exit, exit, v.reason);
    assert.equal(v.vmware, vmware);
    assert.equal(v.hypervisor, hypervisor);
    assert.ok(v.reason.length > 10);
  });
}

test('detect: a VMware VM that offers only the hypercall backdoor says so when the port faults', () => {
  const v = decide(facts('VMwareVMware', {}, true), fault);
  assert.equal(v.exit, 3);
  assert.match(v.reason, /hypercall/);
});

test('detect: DMI strings as systemd-detect-virt matches them (prefix VMware or VMW)', () => {
  assert.ok(dmiSaysVmware({ sys_vendor: 'VMware, Inc.' }));
  assert.ok(dmiSaysVmware({ bios_vendor: 'VMW' }));
  assert.ok(!dmiSaysVmware({ sys_vendor: 'QEMU', product_name: 'Standard PC (i440FX + PIIX, 1996)' }));
  assert.ok(!dmiSaysVmware({ product_name: 'not VMware' }));
});

const platform = (f: Facts, bd: () => ReturnType<typeof qemuVmport> | ScriptedHost) => ({ cpuid: () => f.cpuid, dmi: () => f.dmi, backdoor: bd });

test('probe: knocks with GETVERSION and keeps the backdoor only when it answered', () => {
  const host = qemuVmport();
  const p = probe(platform(facts('TCGTCGTCGTCG'), () => host), 'always');
  assert.equal(p.verdict.exit, 0);
  assert.deepEqual(p.knock, { kind: 'answered', version: 6, vmxType: 2, product: 'ESX Server' });
  assert.equal(p.backdoor, host);
});

test('probe: does not even open the backdoor under another hypervisor', () => {
  let opened = false;
  const p = probe(platform(facts('KVMKVMKVM\0\0\0'), () => ((opened = true), qemuVmport())), 'auto');
  assert.equal(opened, false);
  assert.equal(p.knock, null);
  assert.equal(p.backdoor, null);
});

test('probe: a fault during the knock is an answer, not an exception', () => {
  const faulting = new ScriptedHost({});
  faulting.lb = () => {
    throw new BackdoorFault('SIGSEGV');
  };
  const p = probe(platform(facts(null), () => faulting), 'auto');
  assert.deepEqual(p.knock, { kind: 'fault', signal: 'SIGSEGV' });
  assert.equal(p.verdict.exit, 1);
  assert.equal(p.backdoor, null);
});

// A fault under another hypervisor: the hint must be true for this process.
const kvm = (ports: Facts['ports']): Facts => ({ ...facts('KVMKVMKVM\0\0\0'), ports });

test('detect: a fault under another hypervisor asks for root only when not root', () => {
  assert.match(decide(kvm({ root: false, rawio: false }), fault).reason, /needs port access \(run as root\)$/);
});

test('detect: as root with CAP_SYS_RAWIO a fault means the hypervisor offers no backdoor, not "run as root"', () => {
  const v = decide(kvm({ root: true, rawio: true }), fault);
  assert.equal(v.exit, 1);
  assert.doesNotMatch(v.reason, /run as root/);
  assert.match(v.reason, /KVM offers no backdoor here \(QEMU\/KVM has one only with -machine vmport=on\)$/);
});

test('detect: as root without CAP_SYS_RAWIO (a container) the hint names the capability', () => {
  const v = decide(kvm({ root: true, rawio: false }), fault);
  assert.doesNotMatch(v.reason, /run as root/);
  assert.match(v.reason, /CAP_SYS_RAWIO/);
});

test('detect: with port access not known, no hint about it', () => {
  assert.equal(decide(kvm(null), fault).reason, 'not VMware: the backdoor access faulted (SIGSEGV) (CPUID: KVM)');
});

test('probe: the port-access facts reach the decision', () => {
  const faulting = new ScriptedHost({});
  faulting.lb = () => {
    throw new BackdoorFault('SIGSEGV');
  };
  const p = probe({ ...platform(facts('KVMKVMKVM\0\0\0'), () => faulting), ports: () => ({ root: true, rawio: true }) }, 'always');
  assert.deepEqual(p.facts.ports, { root: true, rawio: true });
  assert.match(p.verdict.reason, /offers no backdoor/);
});

test('readPortAccess: root and CAP_SYS_RAWIO (bit 17 of CapEff) from /proc; not known off Linux', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmt-proc-'));
  try {
    mkdirSync(join(dir, 'self'));
    const root = process.geteuid?.() === 0;
    writeFileSync(join(dir, 'self/status'), 'Name:\tvmt\nTracerPid:\t0\nCapEff:\t0000000000020000\n');
    assert.deepEqual(readPortAccess('linux', dir), { root, rawio: true });
    writeFileSync(join(dir, 'self/status'), 'Name:\tvmt\nCapEff:\t000001fffffdffff\n');
    assert.deepEqual(readPortAccess('linux', dir), { root, rawio: false });
    rmSync(join(dir, 'self/status'));
    assert.deepEqual(readPortAccess('linux', dir), { root, rawio: null });
    assert.equal(readPortAccess('openbsd', dir), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
