// vmt stat off VMware on every runtime: a reason, exit 3, and with --json one
// JSON document even then; bad input; --help. (Under the sim, beside
// vmware-toolbox-cmd: test/sim/stat.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertUsage, everywhere, onVmware, oneJson } from '../helpers.js';

const SUBS = ['hosttime', 'speed', 'sessionid', 'balloon', 'swap', 'memlimit', 'memres', 'cpures', 'cpulimit', 'raw'];

test('vmt stat off VMware: exit 3, a reason on stderr, nothing on stdout', { skip: onVmware && 'this machine is a VMware VM' }, () => {
  for (const sub of SUBS) {
    everywhere(['stat', sub], (r) => {
      assert.equal(r.status, 3, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^vmt stat ${sub}: not VMware`));
    });
  }
});

test('vmt stat --json off VMware: the error as one JSON document', { skip: onVmware && 'this machine is a VMware VM' }, () => {
  everywhere(['stat', 'balloon', '--json'], (r) => {
    assert.equal(r.status, 3, r.stderr);
    const j = oneJson(r, 'stat balloon --json') as { error: { message: string; exit: number } };
    assert.equal(j.error.exit, 3);
    assert.equal(r.stderr, `vmt stat balloon: ${j.error.message}\n`);
  });
});

test('bad input: exit 2 with the usage line', () => {
  everywhere(['stat', 'raw', 'text', 'vscsi', 'scsi0:0', 'extra'], (r) => assertUsage(r, /^vmt stat raw: unexpected argument 'extra'$/, 'stat raw ... extra'));
  everywhere(['stat', 'balloon', '--transport', 'carrier-pigeon'], (r) => assertUsage(r, /--transport/, 'stat balloon --transport'));
});

test('--help: the figure, the examples and the exit statuses', () => {
  everywhere(['stat', 'memlimit', '--help'], (r) => {
    assert.equal(r.status, 0);
    assert.match(r.stdout, /memLimitMB/);
    assert.match(r.stdout, /vmt stat memlimit --json/);
    assert.match(r.stdout, /Exit status: 0 the figure is on stdout; 2 usage; 3 not VMware/);
  });
});
