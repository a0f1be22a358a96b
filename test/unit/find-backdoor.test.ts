// The one "find a working backdoor" step every command takes, and the knock
// policy (--probe) reaching it from the RPC path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Exit, UsageError, VmtError } from '../../src/cli/exit.js';
import { findBackdoor, knockPolicy, sendRpc } from '../../src/cli/guestrpc.js';
import { nativePlatform, shouldKnock, type Platform } from '../../src/detect/index.js';
import { qemuVmport } from './fake-host.js';

const tcg = (bd = qemuVmport()): Platform => ({ cpuid: () => ({ hypervisorBit: true, signature: 'TCGTCGTCGTCG', hypercallBackdoor: false }), dmi: () => ({}), backdoor: () => bd });
const unavailable = (pattern: RegExp) => (err: unknown) => err instanceof VmtError && err.exit === Exit.UNAVAILABLE && pattern.test(err.message);

test('findBackdoor: under another hypervisor only with the "always" policy (--probe), and then what GETVERSION said', async () => {
  const bd = qemuVmport();
  const found = await findBackdoor('always', tcg(bd));
  assert.equal(found.backdoor, bd);
  assert.deepEqual(found.version, { kind: 'answered', version: 6, vmxType: 2, product: 'ESX Server' });
  await assert.rejects(findBackdoor('auto', tcg()), unavailable(/^not VMware: CPUID names another hypervisor, QEMU \(TCG\) \(use --probe to knock anyway\)$/));
  await assert.rejects(findBackdoor('never', tcg()), unavailable(/use --probe/));
});

test('knockPolicy: --probe knocks always, else as the facts allow', () => {
  assert.equal(knockPolicy(true), 'always');
  assert.equal(knockPolicy(false), 'auto');
});

test('sendRpc: a bad request is a usage error before any knock', async () => {
  await assert.rejects(sendRpc(new Uint8Array(0), { probe: true }), UsageError);
  await assert.rejects(sendRpc(new Uint8Array(65537).fill(0x41)), UsageError);
});

test('sendRpc({ probe }): off VMware under another hypervisor, --probe knocks and the hint to use it is gone', async (t) => {
  const p = await nativePlatform();
  const f = { cpuid: p.cpuid(), dmi: p.dmi() };
  if (shouldKnock(f, 'auto')) return t.skip('CPUID here names no other hypervisor');
  const command = new TextEncoder().encode('info-get guestinfo.vmt-unit-test');
  await assert.rejects(sendRpc(command), unavailable(/\(use --probe to knock anyway\)$/));
  // knocks here (safe: a fault is an answer); a host that answers would get one harmless info-get
  await assert.rejects(sendRpc(command, { transport: 'backdoor', probe: true }), (err) => err instanceof VmtError && !/use --probe/.test(err.message));
});
