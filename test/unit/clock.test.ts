import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostTime } from '../../src/backdoor/commands.js';
import { formatTime, stepClock, stepFailure } from '../../src/time/clock.js';
import { readClockFacts } from '../../src/time/system.js';

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

test('stepFailure: EPERM blames root only without CAP_SYS_TIME; with it, vmt sim (when vmt-trace traces us) or a policy', () => {
  assert.equal(stepFailure(1, { capSysTime: false, tracer: null }), 'not permitted (it needs root: CAP_SYS_TIME)');
  assert.equal(stepFailure(1, { capSysTime: null, tracer: 'vmt-trace' }), 'not permitted (it needs root: CAP_SYS_TIME)', 'not known: the usual cause');
  const sim = stepFailure(1, { capSysTime: true, tracer: 'vmt-trace' });
  assert.match(sim, /^not permitted \(vmt sim refused it; .*--allow-set-clock\)$/);
  assert.doesNotMatch(sim, /needs root/);
  assert.match(stepFailure(1, { capSysTime: true, tracer: 'vmt-trace-linux' }), /vmt sim refused it/, 'a comm that starts with vmt-trace');
  for (const tracer of [null, 'strace', 'gdb']) {
    const other = stepFailure(1, { capSysTime: true, tracer });
    assert.match(other, /seccomp or container policy/, String(tracer));
    assert.doesNotMatch(other, /needs root|vmt sim/);
  }
  assert.equal(stepFailure(22, { capSysTime: true, tracer: null }), 'clock_settime failed (errno 22)');
});

test('readClockFacts: CAP_SYS_TIME (bit 25 of CapEff) and the name of the TracerPid process, from /proc', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmt-proc-'));
  try {
    mkdirSync(join(dir, 'self'));
    mkdirSync(join(dir, '4242'));
    writeFileSync(join(dir, '4242/comm'), 'vmt-trace\n');
    writeFileSync(join(dir, 'self/status'), 'Name:\tvmt\nTracerPid:\t4242\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n');
    assert.deepEqual(readClockFacts(dir), { capSysTime: true, tracer: 'vmt-trace' });
    writeFileSync(join(dir, 'self/status'), 'Name:\tvmt\nTracerPid:\t0\nCapEff:\t0000000000000000\n');
    assert.deepEqual(readClockFacts(dir), { capSysTime: false, tracer: null });
    writeFileSync(join(dir, 'self/status'), 'Name:\tvmt\nTracerPid:\t4243\nCapEff:\t0000000002000000\n');
    assert.deepEqual(readClockFacts(dir), { capSysTime: true, tracer: null }, 'a tracer that is gone');
    rmSync(join(dir, 'self/status'));
    assert.deepEqual(readClockFacts(dir), { capSysTime: null, tracer: null });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
