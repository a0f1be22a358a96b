// vmt gettime off VMware on every runtime: a reason, exit 3, and with --json
// one JSON document even then. (Under the sim: test/sim/vmt-under-sim.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertUsage, everywhere, onVmware, oneJson } from './helpers.js';

test('vmt gettime off VMware: exit 3, a reason on stderr, nothing on stdout', { skip: onVmware && 'this machine is a VMware VM' }, () => {
  for (const args of [['gettime'], ['gettime', '--probe'], ['gettime', '--format', 'epoch']]) {
    everywhere(args, (r) => {
      assert.equal(r.status, 3, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^vmt gettime: not VMware/);
    });
  }
});

test('vmt gettime --json off VMware: the error as one JSON document, with the exit status', { skip: onVmware && 'this machine is a VMware VM' }, () => {
  everywhere(['gettime', '--json'], (r) => {
    assert.equal(r.status, 3, r.stderr);
    const j = oneJson(r, 'gettime --json') as { error: { message: string; exit: number } };
    assert.deepEqual(Object.keys(j), ['error']);
    assert.match(j.error.message, /^not VMware/);
    assert.equal(j.error.exit, 3);
    assert.equal(r.stderr, `vmt gettime: ${j.error.message}\n`);
  });
});

const usageCases: [string[], RegExp][] = [
  [['gettime', '--format', 'year'], /^vmt gettime: --format wants one of iso, epoch, local, not 'year'$/],
  [['gettime', '--format'], /^vmt gettime: --format wants a value(: one of iso, epoch, local)?$/],
  [['gettime', '--json', '--format', 'epoch'], /cannot be used together/],
];

for (const [args, message] of usageCases) {
  test(`bad input: vmt ${args.join(' ')} → exit 2 with the usage line`, () => {
    everywhere(args, (r) => assertUsage(r, message, args.join(' ')));
  });
}

test('--help shows the exit statuses', () => {
  everywhere(['gettime', '--help'], (r) => {
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--format/);
    assert.match(r.stdout, /Exit status: 0 success; 2 usage; 3 /);
  });
});
