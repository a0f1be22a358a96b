// The vmware-rpctool / vmware-checkvm stand-ins (vmt invoked through a symlink
// with those names), side by side with open-vm-tools' own tools on the same
// simulated host and off VMware.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { run, runtimes } from '../helpers.js';
import { ROOT, sim, tmp, value, type SimRun } from './sim-helpers.js';

const RT = runtimes();
const VMT = RT.binary ?? RT.node!;
const bin = tmp('vmt-compat-');

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'open-vm-tools']);
  // the stand-ins: symlinks named like the tools, to the binary and to bin/run.js
  mkdirSync(join(bin, 'binary'));
  mkdirSync(join(bin, 'node'));
  for (const tool of ['vmware-rpctool', 'vmware-checkvm']) {
    if (RT.binary) symlinkSync(RT.binary[0]!, join(bin, 'binary', tool));
    symlinkSync(join(ROOT, 'bin/run.js'), join(bin, 'node', tool));
  }
});

const standIns = () => [...(RT.binary ? [[join(bin, 'binary')]] : []), [join(bin, 'node')]].map(([dir]) => dir!);
const same = (a: SimRun, b: SimRun, what: string) => {
  assert.equal(a.stdout, b.stdout, `${what}: stdout`);
  assert.equal(a.stderr, b.stderr, `${what}: stderr`);
  assert.equal(a.status, b.status, `${what}: exit status`);
};

test('vmt rpc off VMware: exit 3, and the stand-in vmware-rpctool exits 255 like the real one', () => {
  const r = run(VMT, ['rpc', 'info-get guestinfo.x']);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /not VMware/);
  const real = run(['vmware-rpctool'], ['info-get guestinfo.x']);
  for (const dir of standIns()) {
    const ours = run([join(dir, 'vmware-rpctool')], ['info-get guestinfo.x']);
    assert.deepEqual([ours.stdout, ours.stderr, ours.status], [real.stdout, real.stderr, 255]);
    const checkvm = run([join(dir, 'vmware-checkvm')], ['-p']);
    const realCheckvm = run(['vmware-checkvm'], ['-p']);
    assert.deepEqual([checkvm.stdout, checkvm.stderr, checkvm.status], [realCheckvm.stdout, realCheckvm.stderr, realCheckvm.status]);
  }
});

test('invoked as vmware-rpctool, vmt is open-vm-tools\' vmware-rpctool: same texts and exit statuses', () => {
  const cases: [string[], string[]][] = [
    [[], []],
    [[], ['-h']],
    [[], ['--help']],
    [[], ['']],
    [[], ['a', 'b']],
    [['--guestinfo', 'a=hello'], ['info-get guestinfo.a']],
    [[], ['info-get guestinfo.missing']],
    [[], ['bogus']],
    [[], [`info-set guestinfo.a ${value(3000)}`]],
    [['--no-hb', '--guestinfo', `a=${value(777)}`], ['info-get guestinfo.a']],
    [['--fault', 'open@1,open@2'], ['info-get guestinfo.a']],
    [[], [`info-set guestinfo.k ${'x'.repeat(70000)}`]],
  ];
  for (const dir of standIns()) {
    for (const [simArgs, args] of cases) {
      same(sim(simArgs, [join(dir, 'vmware-rpctool'), ...args]), sim(simArgs, ['vmware-rpctool', ...args]), `${dir} vmware-rpctool ${args.join(' ').slice(0, 40)}`);
    }
  }
});

test('invoked as vmware-checkvm, vmt is open-vm-tools\' vmware-checkvm: same texts and exit statuses', () => {
  const cases: [string[], string[]][] = [[[], []], [[], ['-p']], [[], ['--prod']], [['--product', 'workstation'], ['-p']], [['--product', '3'], ['-p']], [[], ['-h']], [[], ['--help']], [[], ['-x']], [[], ['--bogus']], [[], ['a', 'b']]];
  for (const dir of standIns()) {
    for (const [simArgs, args] of cases) {
      same(sim(simArgs, [join(dir, 'vmware-checkvm'), ...args]), sim(simArgs, ['vmware-checkvm', ...args]), `${dir} vmware-checkvm ${args.join(' ')}`);
    }
  }
});
