// open-vm-tools' own programs, unmodified, under `vmt sim`: the proof that
// the simulated host speaks the protocol as VMware's tools expect it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { entries, ROOT, sim, tmp, value } from './sim-helpers.js';

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'open-vm-tools']);
});

test('vmware-checkvm: "VMware software version 6 (good)", exit 0; -p names the product', () => {
  const r = sim([], ['vmware-checkvm']);
  assert.equal(r.stdout, 'VMware software version 6 (good)\n', r.stderr);
  assert.equal(r.status, 0);
  assert.ok(entries(r, 'bdoor').some((e) => e.cmd === 'GETVERSION'), 'the transcript shows the GETVERSION calls');
  assert.equal(sim([], ['vmware-checkvm', '-p']).stdout, 'ESX Server\n');
  assert.equal(sim(['--product', 'workstation'], ['vmware-checkvm', '-p']).stdout, 'Workstation\n');
});

test('vmware-rpctool info-get: the value and exit 0; a missing key: "No value found" on stderr and exit 1', () => {
  const ok = sim(['--guestinfo', 'a=hello'], ['vmware-rpctool', 'info-get guestinfo.a']);
  assert.equal(ok.stdout, 'hello\n', ok.stderr);
  assert.equal(ok.status, 0);
  const missing = sim([], ['vmware-rpctool', 'info-get guestinfo.nope']);
  assert.equal(missing.stdout, '');
  assert.equal(missing.stderr, 'No value found\n');
  assert.equal(missing.status, 1);
});

const SIZES = [0, 1, 4095, 4096, 60000];

for (const hb of [true, false]) {
  const path = hb ? 'high-bandwidth' : '--no-hb';
  const flags = hb ? [] : ['--no-hb'];
  test(`vmware-rpctool info-set then info-get in one sim run, ${path}: ${SIZES.join(', ')} bytes round-trip`, () => {
    for (const n of SIZES) {
      const v = value(n);
      const r = sim(flags, ['sh', '-c', 'vmware-rpctool "$1" && vmware-rpctool "$2"', 'sh', `info-set guestinfo.k ${v}`, 'info-get guestinfo.k']);
      assert.equal(r.status, 0, `${n} bytes: ${r.stderr}`);
      assert.equal(r.stdout, `\n${v}\n`, `${n} bytes: info-set prints its empty reply body, info-get the value`);
      const moved = entries(r, 'hb').length;
      if (hb && n > 0) assert.ok(moved > 0, `${n} bytes: the high-bandwidth path was used`);
      if (!hb) assert.equal(moved, 0, `${n} bytes: no high-bandwidth call with --no-hb`);
    }
  });

  test(`vmware-rpctool across sim runs with --state, ${path}: ${SIZES.join(', ')} bytes round-trip`, () => {
    const state = join(tmp(), 'state.json');
    for (const n of SIZES) {
      const v = value(n);
      const set = sim([...flags, '--state', state], ['vmware-rpctool', `info-set guestinfo.k${n} ${v}`]);
      assert.equal(set.status, 0, set.stderr);
      const get = sim([...flags, '--state', state], ['vmware-rpctool', `info-get guestinfo.k${n}`]);
      assert.equal(get.stdout, `${v}\n`, `${n} bytes`);
      assert.equal(get.status, 0);
    }
  });
}

test('vmware-rpctool survives injected checkpoints and a refused cookie open (it retries as on VMware)', () => {
  // HB: one payload call each way; --no-hb: one per 4 bytes
  const cases: [string, string[]][] = [['cpt@1', []], ['cpt@2', []], ['open@1', []], ['cpt@1', ['--no-hb']], ['cpt@9', ['--no-hb']], ['cpt@30', ['--no-hb']], ['open@1', ['--no-hb']]];
  for (const [fault, flags] of cases) {
    {
      const r = sim([...flags, '--fault', fault, '--guestinfo', `k=${value(100)}`], ['vmware-rpctool', 'info-get guestinfo.k']);
      assert.equal(r.stdout, `${value(100)}\n`, `${fault} ${flags}: ${r.stderr}`);
      assert.ok(entries(r, 'fault').length > 0, `${fault}: the fault was injected`);
    }
  }
  const refused = sim(['--fault', 'open@1,open@2'], ['vmware-rpctool', 'info-get guestinfo.k']);
  assert.equal(refused.status, 1);
  assert.equal(refused.stdout, '');
});

test('vmtoolsd under the sim: opens TCLO, answers reset with "OK ATR toolbox" and ping with "OK "', () => {
  const r = sim(['--tclo', 'ping', '--timeout', '3'], ['vmtoolsd']);
  assert.equal(r.status, 124, 'stopped by --timeout');
  const tclo = entries(r, 'tclo');
  assert.deepEqual(tclo.slice(0, 2).map((e) => [e.command, e.reply]), [['reset', 'OK ATR toolbox'], ['ping', 'OK ']]);
  assert.ok(entries(r, 'channel').some((e) => e.event === 'open' && e.protocol === 'TCLO'));
  assert.ok(entries(r, 'rpci').some((e) => e.request === 'vmx.capability.unified_loop toolbox'));
});
