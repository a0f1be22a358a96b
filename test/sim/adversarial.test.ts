// Issue 12, part (a): a hostile host cannot hurt the guest. Every hostile
// host of `vmt sim --fault` (docs/limits.md) against the guest side, in
// process (every mode, then 10,000 random sessions under a random mix of
// faults, seeded), and against the commands themselves under the sim, on
// the binary and on node: each ends within its bound, with a clean,
// documented exit status, bounded memory, no wrong value printed as
// success, and its channels closed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { callBudget, MAX_HOST_MESSAGE } from '../../src/guestrpc/index.js';
import { prng } from '../../src/sim/host/faults.js';
import { HOSTILE_MODES, HOSTILE_VALUE, parseFaults, type FaultSpec } from '../../src/sim/host/index.js';
import { runtimes } from '../helpers.js';
import { faults, session, type Session } from './adversarial-inprocess.js';
import { ROOT, sim, tmp, type SimRun } from './sim-helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);
const GET = enc('info-get guestinfo.k');
const VALUE = enc('a value of 32 bytes, 0123456789.');

for (const hb of [true, false]) {
  test(`every hostile host, in process, ${hb ? 'HB' : 'LB'}: the right value or a clean error, never a wrong value, a hang or a crash`, () => {
    for (const mode of [...HOSTILE_MODES, 'hugesize:100', 'hugesize:16777216', 'hugesize:20', 'cptlast:1000', 'cptlast:16777217']) {
      const v = session({ faults: faults(mode), hb, request: GET, value: VALUE });
      assert.equal(v.wrong, null, mode);
      // the modes that lie about the reply end in an error, never in a value
      if (/^(hugesize|sizechange|nodorecv|cptforever|cptlast|newcookie)/.test(mode) || (hb && mode === 'hbshort')) assert.equal(v.outcome.kind, 'error', mode);
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

// The hole issue 12's review found: each loop of a receive was bounded, but a
// host that moved a whole LB transfer and answered CPT on its last word made
// one receive 17 whole transfers (17 x 4 Mi calls for 16 MiB). A receive now
// has a budget of callBudget(size) backdoor calls, restarts included.
test('a host that checkpoints every attempt at its last word: the receive ends within its call budget (cptlast:BYTES, LB)', () => {
  for (const bytes of [1 << 20, 4096, 40]) {
    const v = session({ faults: faults(`cptlast:${bytes}`), hb: false, request: GET, value: VALUE });
    assert.equal(v.wrong, null, `${bytes}`);
    assert.equal(v.outcome.kind, 'error', `${bytes}`);
    assert.match((v.outcome as { message: string }).message, /^the transfer took \d+ backdoor calls without finishing/, `${bytes}`);
    // open, the request (SENDSIZE, 6 words, no restarts), the receive's budget, the failure told to the host, CLOSE
    assert.ok(v.calls <= 1 + 1 + Math.ceil(GET.length / 4) + callBudget(bytes) + 1 + 2, `${bytes}: ${v.calls} calls, budget ${callBudget(bytes)}`);
    assert.ok(v.calls >= callBudget(bytes), `${bytes}: ${v.calls} calls: the budget was used, not the restart count`);
  }
  // a reply that fits: one checkpoint late in the transfer is within the budget, the value comes through
  const value = Uint8Array.from({ length: 60_000 }, (_, i) => i & 0xff);
  const v = session({ faults: faults(`cpt@${3 + Math.ceil(60_003 / 4)}`), hb: false, request: GET, value });
  assert.deepEqual([v.wrong, v.outcome.kind], [null, 'value']);
});

test('callBudget: twice the LB transfer, plus 4 calls for each of the 17 attempts', () => {
  assert.equal(callBudget(0), 68);
  assert.equal(callBudget(5), 72);
  assert.equal(callBudget(MAX_HOST_MESSAGE), 8_388_676);
});

test('parseFaults: the hostile modes, their numbers, and what is refused', () => {
  assert.deepEqual(parseFaults('cptlast,cptlast:67108864'), [
    { kind: 'hostile', mode: 'cptlast' },
    { kind: 'hostile', mode: 'cptlast', n: 67108864 },
  ]);
  assert.throws(() => parseFaults('cptlast:67108865'), /'cptlast:67108865'/);
  assert.deepEqual(parseFaults('hugesize,hugesize:0,hugesize:4294967295,tclobinary:7,resetstorm,cpt@2'), [
    { kind: 'hostile', mode: 'hugesize' },
    { kind: 'hostile', mode: 'hugesize', n: 0 },
    { kind: 'hostile', mode: 'hugesize', n: 4294967295 },
    { kind: 'hostile', mode: 'tclobinary', n: 7 },
    { kind: 'hostile', mode: 'resetstorm' },
    { kind: 'cpt', n: 2 },
  ]);
  for (const bad of ['hugesize:4294967296', 'hugesize:-1', 'hugesize:', 'sizechange:3', 'noclose@1', 'Hostile', 'tclo64k:1']) {
    assert.throws(() => parseFaults(`nohb,${bad}`), (e: Error) => e.message.includes(`'${bad}'`) && e.message.includes('hugesize[:BYTES]'), bad);
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
    () => `cptlast${next() < 0.5 ? '' : `:${int(70_000)}`}`,
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

// ---- the commands under `vmt sim --fault MODE`, on the binary and on node ----

/** The peak RSS (VmHWM) any command may reach under any hostile host, KiB: the runtime (~40 MiB binary, ~60 MiB node) plus the 16 MiB reply limit twice over. */
const RSS_LIMIT_KB = 192 * 1024;
/** Modes whose RPC reply is a lie the guest must refuse: the RPC commands fail (vmt 4, the stand-in 1) and print nothing. */
const REFUSED = new Set(['hugesize', 'sizechange', 'nodorecv', 'cptforever', 'cptlast', 'hbshort', 'newcookie']);
const VALUE_TEXT = 'hello, world';
const standIns = tmp('vmt-adversarial-');
const RT = runtimes();
const RUNTIMES: Record<string, string[]> = { ...(RT.binary ? { binary: RT.binary } : {}), node: RT.node! };

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'time']);
  for (const [rt, cmd] of Object.entries(RUNTIMES)) {
    mkdirSync(join(standIns, rt));
    for (const tool of ['vmware-rpctool', 'vmware-checkvm']) symlinkSync(rt === 'binary' ? cmd[0]! : join(ROOT, 'bin/run.js'), join(standIns, rt, tool));
  }
});


interface Ran {
  status: number;
  stdout: Buffer;
  stderr: string;
  rssKb: number;
}

/** Every command, one after another, in one `vmt sim` run (the sim starts once); each under /usr/bin/time for its peak RSS. */
function runAll(mode: string, rt: string): { ran: Record<string, Ran>; transcript: Record<string, unknown>[]; sim: SimRun } {
  const vmt = RUNTIMES[rt]!;
  const dir = tmp('vmt-adversarial-run-');
  const commands: Record<string, string[]> = {
    rpc: [...vmt, 'rpc', 'info-get guestinfo.k'],
    info: [...vmt, 'info', 'get', 'guestinfo.k'],
    listen: [...vmt, 'tclo', 'listen', '--exit-after', '3', '--timeout', '2', '--force'],
    checkvm: [...vmt, 'checkvm'],
    gettime: [...vmt, 'gettime'],
    rpctool: [join(standIns, rt, 'vmware-rpctool'), 'info-get guestinfo.k'],
    vmcheck: [join(standIns, rt, 'vmware-checkvm')],
  };
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = Object.entries(commands)
    .map(([name, argv]) => `/usr/bin/time -f %M -o ${dir}/${name}.rss ${argv.map(q).join(' ')} >${dir}/${name}.out 2>${dir}/${name}.err; echo $? >${dir}/${name}.status`)
    .join('\n');
  const r = sim(['--timeout', '120', '--guestinfo', `k=${VALUE_TEXT}`, '--fault', mode], ['sh', '-c', script]);
  const ran: Record<string, Ran> = {};
  for (const name of Object.keys(commands)) {
    const read = (ext: string) => readFileSync(join(dir, `${name}.${ext}`));
    ran[name] = { status: Number(read('status').toString()), stdout: read('out'), stderr: read('err').toString(), rssKb: Number(read('rss').toString().trim().split('\n').at(-1)) };
  }
  return { ran, transcript: r.transcript, sim: r };
}

for (const mode of HOSTILE_MODES) {
  for (const rt of Object.keys(RUNTIMES)) {
    test(`--fault ${mode} (${rt}): rpc, info get, tclo listen, checkvm, gettime and the stand-ins end cleanly, in bounded memory, no wrong value, channels closed`, () => {
      const { ran, transcript, sim: s } = runAll(mode, rt);
      assert.equal(s.status, 0, `the sim: ${s.stderr}`);
      const value = mode === 'hostile' ? Buffer.concat([Buffer.from(HOSTILE_VALUE), Buffer.from('\n')]) : Buffer.from(`${VALUE_TEXT}\n`);
      for (const [name, r] of Object.entries(ran)) {
        const what = `${mode} ${rt} ${name}: ${r.stderr}`;
        assert.ok(r.rssKb > 0 && r.rssKb <= RSS_LIMIT_KB, `${what}: peak RSS ${r.rssKb} KiB`);
        assert.doesNotMatch(r.stderr, /\x1b|^\s+at |Error:/m, `${what}: no host bytes or stack traces on stderr`);
        if (name === 'rpc' || name === 'info' || name === 'rpctool') {
          if (REFUSED.has(mode)) {
            assert.equal(r.status, name === 'rpctool' ? 1 : 4, what);
            assert.equal(r.stdout.length, 0, `${what}: nothing printed as the value`);
            if (name !== 'rpctool') assert.match(r.stderr, new RegExp(`^vmt ${name === 'rpc' ? 'rpc' : 'info get'}: [^\\n]+\\n$`), what);
          } else if (mode === 'noclose' && name === 'rpctool') {
            assert.deepEqual([r.status, r.stdout.toString()], [1, ''], `${what}: vmware-rpctool's "NULL" when the channel does not close`);
          } else {
            assert.equal(r.status, 0, what);
            assert.deepEqual(r.stdout, value, `${what}: the value, byte for byte`);
          }
        } else if (name === 'listen') {
          assert.equal(r.status, 0, `${what}: --exit-after or --timeout`);
        } else {
          assert.equal(r.status, 0, what);
          assert.match(r.stdout.toString(), name === 'gettime' ? /^\d{4}-\d\d-\d\dT/ : /^VMware/, what); // no RPC: the hostile message channel does not reach them
        }
      }
      // the channels: every one opened was closed; by the guest unless the host refused its CLOSE
      const opened = transcript.filter((e) => e.t === 'channel' && e.event === 'open').length;
      const closes = transcript.filter((e) => e.t === 'channel' && e.event === 'close');
      assert.equal(closes.length, opened, 'every channel opened is closed');
      if (mode !== 'noclose' && mode !== 'newcookie') assert.deepEqual(closes.filter((e) => e.reason !== 'guest'), [], 'closed by the guest');
      assert.ok(opened > 0);
    });
  }
}
