// Issue 12, part (a): a hostile host cannot hurt the guest. Every hostile
// host of `vmt sim --fault` (docs/limits.md) against the guest side, in
// process (every mode, then 10,000 random sessions under a random mix of
// faults, seeded), and against the commands themselves under the sim, on
// the binary and on node: each ends within its bound, with a clean,
// documented exit status, bounded memory, no wrong value printed as
// success, and its channels closed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../src/sim/host/faults.js';
import { HOSTILE_MODES, parseFaults, type FaultSpec } from '../../src/sim/host/index.js';
import { faults, session, type Session } from './adversarial-inprocess.js';

const enc = (s: string) => new TextEncoder().encode(s);
const GET = enc('info-get guestinfo.k');
const VALUE = enc('a value of 32 bytes, 0123456789.');

for (const hb of [true, false]) {
  test(`every hostile host, in process, ${hb ? 'HB' : 'LB'}: the right value or a clean error, never a wrong value, a hang or a crash`, () => {
    for (const mode of [...HOSTILE_MODES, 'hugesize:100', 'hugesize:16777216', 'hugesize:20']) {
      const v = session({ faults: faults(mode), hb, request: GET, value: VALUE });
      assert.equal(v.wrong, null, mode);
      // the modes that lie about the reply end in an error, never in a value
      if (/^(hugesize|sizechange|nodorecv|cptforever|newcookie)/.test(mode) || (hb && mode === 'hbshort')) assert.equal(v.outcome.kind, 'error', mode);
      else assert.equal(v.outcome.kind, 'value', mode);
    }
  });
}

// The regression of the bug these modes found: BackdoorChannel's HB receive
// took SUCCESS as "all of it" and ignored ECX (the bytes rep insb still had
// to move), so a host that moved fewer bytes than it announced got a
// zero-padded value reported as success.
test('an HB receive that moves fewer bytes than announced is an error, not a zero-padded value (hbshort, sizechange, hugesize:BYTES)', () => {
  for (const mode of ['hbshort', 'sizechange', 'hugesize:100', 'hugesize:40']) {
    const v = session({ faults: faults(mode), hb: true, request: GET, value: VALUE });
    assert.equal(v.wrong, null, mode);
    assert.equal(v.outcome.kind, 'error', mode);
    assert.match((v.outcome as { message: string }).message, /^the host moved \d+ of the \d+ bytes it announced$/, mode);
  }
});

const SESSIONS = 10_000;

/** A random mix of faults: one to three, hostile or polite. */
function randomFaults(next: () => number): FaultSpec[] {
  const int = (n: number) => Math.floor(next() * n);
  const pool = [
    () => `hugesize:${next() < 0.5 ? 0xffffffff - int(1000) : int(70_000)}`,
    () => 'sizechange',
    () => 'nodorecv',
    () => 'cptforever',
    () => 'hbshort',
    () => 'hostile',
    () => 'newcookie',
    () => 'noclose',
    () => 'resetstorm',
    () => `cpt@${1 + int(40)}`,
    () => `open@${1 + int(2)}`,
    () => `timeout@${1 + int(40)}`,
    () => `random@${(next() * 0.3).toFixed(3)}:${int(2 ** 32)}`,
    () => 'nohb',
  ];
  return parseFaults(Array.from({ length: 1 + int(3) }, () => pool[int(pool.length)]!()).join(','));
}

function randomSession(next: () => number): Session {
  const n = next() < 0.02 ? 60_000 + Math.floor(next() * 5_000) : Math.floor(next() * 400);
  const value = Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
  return { faults: randomFaults(next), hb: next() < 0.5, request: GET, value };
}

test(`${SESSIONS} random RPC sessions under a random mix of hostile and polite faults (seeded; VMT_ADVERSARIAL_SEED repeats a run)`, () => {
  const seed = process.env.VMT_ADVERSARIAL_SEED ? Number(process.env.VMT_ADVERSARIAL_SEED) : Math.floor(Math.random() * 2 ** 32);
  const next = prng(seed);
  const outcomes = { value: 0, no: 0, error: 0 };
  for (let i = 0; i < SESSIONS; i++) {
    const s = randomSession(next);
    const where = () => `session ${i} of seed ${seed} (VMT_ADVERSARIAL_SEED=${seed}): --fault ${JSON.stringify(s.faults)}, ${s.hb ? 'HB' : 'LB'}, a ${s.value.length}-byte value`;
    let v;
    try {
      v = session(s);
    } catch (err) {
      assert.fail(`a crash in ${where()}: ${(err as Error).stack}`);
    }
    if (v.wrong !== null) assert.fail(`${v.wrong} in ${where()}`);
    outcomes[v.outcome.kind]++;
  }
  // the mix reaches both ends: values through and clean errors
  assert.ok(outcomes.value > SESSIONS / 10 && outcomes.error > SESSIONS / 10, `seed ${seed}: ${JSON.stringify(outcomes)}`);
});
