// vmt checkvm as users run it, on node, bun, deno and the standalone binary:
// identical answers everywhere, clean exits off VMware, usage errors in vmt's words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run } from '../helpers.js';
import { assertUsage, everywhere, onVmware, oneJson, RT } from './helpers.js';

test('runtimes under test', async () => {
  const { RT } = await import('./helpers.js');
  assert.deepEqual(Object.keys(RT).slice(0, 3), ['node', 'bun', 'deno']);
});

test('vmt checkvm: the answer for this machine, the same on every runtime', () => {
  everywhere(['checkvm'], (r) => {
    if (onVmware) return assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^not VMware/);
  });
});

test('vmt checkvm --json: the documented keys with their types', () => {
  everywhere(['checkvm', '--json'], (r) => {
    const j = JSON.parse(r.stdout);
    assert.equal(typeof j.vmware === 'boolean' || j.vmware === null, true);
    assert.ok(j.hypervisor === null || typeof j.hypervisor === 'string');
    assert.ok(j.version === null || typeof j.version === 'number');
    assert.ok(j.product === null || typeof j.product === 'string');
    assert.ok(['answered', 'fault', 'silent', 'skipped'].includes(j.knock));
    if (!onVmware) assert.equal(j.vmware, false);
  });
});

test('vmt checkvm --probe: knocking off VMware is an answer, not a crash, on every runtime', () => {
  everywhere(['checkvm', '--probe', '--json'], (r) => {
    const j = JSON.parse(r.stdout);
    if (onVmware) return assert.equal(j.knock, 'answered');
    assert.equal(r.status, 1);
    assert.ok(['fault', 'silent'].includes(j.knock), j.knock);
  });
});

test('vmt checkvm -q: nothing on stdout, the status is the answer', () => {
  everywhere(['checkvm', '-q'], (r) => {
    assert.equal(r.stdout, '');
    assert.equal(r.status, onVmware ? 0 : 1);
  });
});

test('vmt checkvm --no-knock: decides from CPUID and DMI alone', () => {
  everywhere(['checkvm', '--no-knock', '--json'], (r) => {
    assert.equal(JSON.parse(r.stdout).knock, 'skipped');
  });
});

const usageCases: [string[], RegExp][] = [
  [['checkvm', '--bogus'], /^vmt checkvm: unknown flag '--bogus'$/],
  [['checkvm', 'extra'], /^vmt checkvm: unexpected argument 'extra'$/],
  [['checkvm', '--', 'extra'], /^vmt checkvm: unexpected argument 'extra'$/],
  [['checkvm', '-q', 'extra'], /^vmt checkvm: unexpected argument 'extra'$/],
  [['checkvm', '--json', '-q'], /^vmt checkvm: --(json|quiet) and --(json|quiet) cannot be used together$/],
  [['checkvm', '--probe', '--no-knock'], /cannot be used together/],
];

for (const [args, message] of usageCases) {
  test(`bad input: vmt ${args.join(' ')} → one line in vmt's words, the usage line, exit 2`, () => {
    everywhere(args, (r) => {
      assertUsage(r, message, args.join(' '));
      if (!args.includes('--json')) assert.equal(r.stdout, '');
    });
  });
}

test('without libvmt: exit 3 and a reason, and with --json one JSON document (fast path and oclif alike)', () => {
  for (const [rt, cmd] of Object.entries(RT)) {
    for (const env of [{}, { VMT_FAST_PATH: '0' }]) {
      const r = run(cmd, ['checkvm', '--json'], { VMT_LIBVMT: '/nonexistent/libvmt.so', ...env });
      assert.equal(r.status, 3, `${rt}: ${r.stderr}`);
      assert.match(r.stderr, /^vmt checkvm: libvmt is missing \(\/nonexistent\/libvmt\.so\)/);
      assert.deepEqual(Object.keys(oneJson(r, rt)), ['error']);
    }
  }
});
