// Our own commands under the simulated host, on every runtime and the
// standalone binary: the positive answers that this KVM machine cannot give.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAP_SYS_TIME, hasCapability, readProcStatus } from '../../src/detect/proc.js';
import { runtimes } from '../helpers.js';
import { entries, sim } from './sim-helpers.js';

/** This process may set the clock (root, CAP_SYS_TIME), and so may what it runs under the sim. */
const mayStepClock = hasCapability(readProcStatus(), CAP_SYS_TIME) === true;

for (const [rt, cmd] of Object.entries(runtimes())) {
  test(`vmt checkvm under the sim (${rt}): VMware ESX Server, protocol version 6, the host's details`, () => {
    const r = sim([], [...cmd, 'checkvm', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.vmware, true);
    assert.equal(j.hypervisor, 'VMware');
    assert.equal(j.version, 6);
    assert.equal(j.product, 'ESX Server');
    assert.equal(j.hardwareVersion, 19);
    assert.match(j.biosUuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(j.knock, 'answered');
  });

  test(`vmt gettime under the sim (${rt}): the host clock, via GETTIMEFULL_WITH_LAG, with the configured offset`, () => {
    const r = sim(['--clock-offset', '3600'], [...cmd, 'gettime', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.command, 'GETTIMEFULL_WITH_LAG');
    assert.ok(Math.abs(j.seconds - (Date.now() / 1000 + 3600)) < 30, `host time ${j.seconds}`);
    assert.ok(Math.abs(j.offsetUs / 1e6 + 3600) < 30, `guest-host offset ${j.offsetUs} µs`);
    assert.equal(typeof j.maxTimeLagUs, 'number');
    assert.ok(entries(r, 'bdoor').some((e) => e.cmd === 'GETTIMEFULL_WITH_LAG'));
  });
}

// The sim's clock guard refuses clock_settime (no --allow-set-clock here, and
// no --clock-offset: the guard is what keeps this machine's clock, as in test/cli/tclo/listen.test.ts).
test('vmt gettime --set under the sim: refused by the sim, and said so (not "needs root" when vmt has CAP_SYS_TIME)', () => {
  const rt = runtimes();
  const r = sim([], [...(rt.binary ?? rt.node!), 'gettime', '--set']);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stdout, '');
  if (mayStepClock) assert.equal(r.stderr, 'vmt gettime: cannot step the clock: not permitted (vmt sim refused it; the sim lets a program set the clock only with --allow-set-clock)\n');
  else assert.equal(r.stderr, 'vmt gettime: cannot step the clock: not permitted (it needs root: CAP_SYS_TIME)\n');
});
