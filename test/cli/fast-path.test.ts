// The cold-start fast path (src/fast.ts) answers some command lines without
// loading oclif. Every line it answers must print the same stdout and stderr
// and exit with the same status as the oclif path (VMT_FAST_PATH=0), off
// VMware and under the sim, on node and the standalone binary.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../helpers.js';
import { sim, tmp } from '../sim/sim-helpers.js';
import { RT } from './helpers.js';

const dir = tmp('vmt-fast-');
const request = join(dir, 'request');
writeFileSync(request, 'info-get guestinfo.k\n');

const LINES: string[][] = [
  ['--version'],
  ['-v'],
  ['version'],
  ['checkvm'],
  ['checkvm', '--json'],
  ['checkvm', '-q'],
  ['checkvm', '--quiet'],
  ['checkvm', '--probe'],
  ['checkvm', '--no-knock'],
  ['checkvm', '--knock', '--json'],
  ['checkvm', '--json', '--probe'],
  ['rpc', 'info-get guestinfo.k'],
  ['rpc', 'info-get guestinfo.missing'],
  ['rpc', '--json', 'info-get guestinfo.k'],
  ['rpc', '--json', 'info-get guestinfo.missing'],
  ['rpc', 'send', 'info-get guestinfo.k'],
  ['rpc', '-f', request],
  ['rpc', '--raw', '-f', request],
  ['rpc', '--transport', 'backdoor', 'info-get guestinfo.k'],
  ['rpc', '--transport', 'auto', '--json', 'bogus'],
  ['rpc', ''],
  ['rpc', '--json', ''],
  ['rpc', '-f', join(dir, 'nonexistent')],
  ['rpc', `info-set guestinfo.k ${'x'.repeat(70000)}`],
];

const runtimes = Object.entries(RT).filter(([rt]) => rt === 'node' || rt === 'binary');

function same(fast: { stdout: string; stderr: string; status: number | null }, slow: typeof fast, what: string) {
  assert.equal(fast.stdout, slow.stdout, `${what}: stdout`);
  assert.equal(fast.stderr, slow.stderr, `${what}: stderr`);
  assert.equal(fast.status, slow.status, `${what}: exit status`);
}

test('off VMware: the fast path and oclif print the same bytes and exit alike', () => {
  for (const [rt, cmd] of runtimes) {
    for (const args of LINES) same(run(cmd, args), run(cmd, args, { VMT_FAST_PATH: '0' }), `${rt} vmt ${args.join(' ').slice(0, 60)}`);
  }
});

test('under the sim: the fast path and oclif print the same bytes and exit alike', () => {
  for (const [rt, cmd] of runtimes) {
    for (const args of LINES) {
      const what = `${rt} vmt ${args.join(' ').slice(0, 60)}`;
      const fast = sim(['--guestinfo', 'k=v'], [...cmd, ...args]);
      const slow = sim(['--guestinfo', 'k=v'], ['env', 'VMT_FAST_PATH=0', ...cmd, ...args]);
      same(fast, slow, what);
      if (args[0] === 'rpc' && args.includes('info-get guestinfo.k') && !args.includes('--json')) assert.equal(fast.stdout, 'v\n', what);
    }
  }
});
