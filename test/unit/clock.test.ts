import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostTime } from '../../src/backdoor/commands.js';
import { formatTime, stepClock } from '../../src/time/clock.js';

const T = 1_763_724_231; // 2025-11-21T11:23:51Z

test('formatTime: ISO-8601 UTC with microseconds, epoch, local with its offset', () => {
  assert.equal(formatTime(T, 7, 'iso'), '2025-11-21T11:23:51.000007Z');
  assert.equal(formatTime(T, 123456, 'epoch'), `${T}.123456`);
  const local = formatTime(T, 5, 'local');
  assert.match(local, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000005[+-]\d\d:\d\d$/);
  // the local text names the same instant
  assert.equal(Date.parse(local.replace('.000005', '.000')), T * 1000);
});

const host: HostTime = { seconds: T, microseconds: 500_000, maxTimeLagUs: 1_000_000, interruptLagUs: 0, command: 'GETTIMEFULL_WITH_LAG' };

test('stepClock: sets the host time plus the time elapsed since it was read, through the injected setter', () => {
  const calls: [number, number][] = [];
  const step = stepClock(host, -2_000_000, 1000, () => 1000 + 750.25, (s, us) => (calls.push([s, us]), 0));
  assert.deepEqual(calls, [[T + 1, 250_250]]); // 0.5 s + 0.75025 s
  assert.equal(step.errno, 0);
  assert.equal(step.offsetUs, -2_000_000);
  assert.equal(step.setToUs, (T + 1) * 1e6 + 250_250);
});

test('stepClock: reports the setter\'s errno (EPERM without root)', () => {
  const step = stepClock(host, 0, 0, () => 0, () => -1);
  assert.equal(step.errno, 1);
});
