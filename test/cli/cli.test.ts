// The CLI as users run it, on node, bun, deno and the standalone binary:
// identical answers everywhere, clean exits off VMware, exit 2 with a usage
// line for bad input, never a stack trace.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { run, runtimes, type Run } from '../helpers.js';

const RT = runtimes();
const onVmware = (() => {
  try {
    return /^VMware/.test(readFileSync('/sys/class/dmi/id/sys_vendor', 'latin1'));
  } catch {
    return false;
  }
})();

function noTrace(r: Run, what: string) {
  const all = r.stdout + r.stderr;
  assert.doesNotMatch(all, /^\s+at .+\(.*:\d+:\d+\)$/m, `${what}: a stack trace\n${all}`);
  assert.doesNotMatch(all, /Segmentation fault|core dumped|panic|Unhandled/i, `${what}\n${all}`);
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}`);
}

/** Runs args on every runtime, checks the common expectations, and that all runtimes agree on status and stdout. */
function everywhere(args: string[], check: (r: Run, rt: string) => void) {
  const results = Object.entries(RT).map(([rt, cmd]) => [rt, run(cmd, args)] as const);
  for (const [rt, r] of results) {
    noTrace(r, `${rt} vmt ${args.join(' ')}`);
    check(r, rt);
  }
  const [first, ...rest] = results;
  for (const [rt, r] of rest) {
    assert.equal(r.status, first![1].status, `${rt} vs ${first![0]}: exit status of vmt ${args.join(' ')}`);
    if (!args.includes('--version')) assert.equal(r.stdout, first![1].stdout, `${rt} vs ${first![0]}: stdout of vmt ${args.join(' ')}`);
  }
}

test('runtimes under test', () => {
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

test('vmt gettime off VMware: exit 3, a reason on stderr, nothing on stdout', () => {
  if (onVmware) return;
  for (const args of [['gettime'], ['gettime', '--probe'], ['gettime', '--json'], ['gettime', '--format', 'epoch']]) {
    everywhere(args, (r) => {
      assert.equal(r.status, 3, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^vmt gettime: not VMware/);
    });
  }
});

const usageCases: [string[], RegExp][] = [
  [['checkvm', '--bogus'], /Nonexistent flag: --bogus/],
  [['checkvm', 'extra'], /unexpected argument 'extra'/],
  [['checkvm', '--json', '-q'], /cannot also be provided/],
  [['checkvm', '--probe', '--no-knock'], /cannot also be provided/],
  [['gettime', '--format', 'year'], /--format=year to be one of: iso, epoch, local|expects one of/],
  [['gettime', '--format'], /--format expects a value|expects one of/],
  [['nosuchcommand'], /'nosuchcommand' is not a vmt command/],
];

for (const [args, message] of usageCases) {
  test(`bad input: vmt ${args.join(' ')} → exit 2 with the usage line`, () => {
    everywhere(args, (r) => {
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.match(r.stderr, /^Usage: vmt /m);
    });
  });
}

test('--help and --version answer with exit 0', () => {
  everywhere(['checkvm', '--help'], (r) => {
    assert.equal(r.status, 0);
    assert.match(r.stdout, /USAGE[\s\S]*vmt checkvm[\s\S]*EXAMPLES/);
  });
  everywhere(['gettime', '--help'], (r) => {
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--format/);
  });
  everywhere(['--version'], (r) => {
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^vmt\/\d+\.\d+\.\d+ /);
  });
});
