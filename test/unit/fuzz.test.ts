// Coverage-guided fuzzing of the native parsers (scripts/fuzz.sh, harnesses in native/fuzz/): every
// target is built with libFuzzer, ASan and UBSan, replays its seed corpus (native/fuzz/corpus/, which
// also holds every input that once crashed a target) and is fuzzed for FUZZ_SECONDS seconds
// (default here 30: four targets, about two and a half minutes in all on CI's 2 cores;
// FUZZ_SECONDS=0 only replays the corpora). A crash fails the test with libFuzzer's report.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';

const root = repoRoot();
const script = join(root, 'scripts/fuzz.sh');
const TARGETS = ['x86len', 'ehframe', 'elfscan', 'patch'];

test('scripts/fuzz.sh: an unknown target or a bad FUZZ_SECONDS is a usage error (exit 2, one line, then Usage)', () => {
  for (const [args, env, line] of [
    [['nosuch'], {}, "fuzz: unknown target 'nosuch'"],
    [[], { FUZZ_SECONDS: '1m' }, "fuzz: FUZZ_SECONDS must be a whole number of seconds, not '1m'"],
  ] as const) {
    const r = spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines[0], line);
    assert.match(lines[1]!, /^Usage: scripts\/fuzz\.sh \[TARGET\.\.\.\]/);
    assert.equal(lines.length, 2);
  }
});

test('every native parser survives its seed corpus and FUZZ_SECONDS of fuzzing under ASan and UBSan', () => {
  const secs = process.env.FUZZ_SECONDS ?? '30';
  const r = spawnSync('bash', [script], {
    encoding: 'utf8',
    env: { ...process.env, FUZZ_SECONDS: secs },
    timeout: (TARGETS.length * Number(secs) + 900) * 1000, // only against a hang: builds, apt, and the runs
  });
  assert.equal(r.signal, null, `scripts/fuzz.sh was killed by ${r.signal}\n${r.stderr.slice(-8000)}`);
  assert.equal(r.status, 0, r.stderr.slice(-8000));
  for (const t of TARGETS) assert.match(r.stderr, new RegExp(`^fuzz: ${t}: ${secs} s, \\d+ runs, no crash`, 'm'), r.stderr);
  console.log(r.stderr.split('\n').filter((l) => l.startsWith('fuzz: ')).join('\n'));
});
