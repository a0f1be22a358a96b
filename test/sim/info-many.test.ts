// Issue 13 (1, 2) under the sim, on node and the standalone binary:
// `vmt info get a b c --json | --env` with missing keys, binary values and
// values full of quotes, $(), backticks and newlines (eval of --env sets
// exactly those bytes and runs nothing); `info set` many, checked before
// anything is sent; `info wait` answering a second process under the same sim,
// its timeout, and SIGTERM.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run, runtimes } from '../helpers.js';
import { entries, sim, SIM, tmp } from './sim-helpers.js';

const rt = runtimes();
const CLIS = Object.entries({ node: rt.node!, ...(rt.binary ? { binary: rt.binary } : {}) });

const HOSTILE = 'it\'s "$(touch ran-dollar)" `touch ran-backtick` \\ $HOME ;| &\n\'\'second line\n';
const BINARY = Buffer.from([0xff, 0xfe, 0x27, 0x0a, 0x24, 0x28, 0x01, 0x80]); // not UTF-8, with ' \n $( in it; no NUL
const STATE = { 'guestinfo.plain': 'hello', 'guestinfo.hostile': HOSTILE, 'guestinfo.bin': { base64: BINARY.toString('base64') } };

/** A state file with the values above, in a fresh directory (also the cwd of the shell). */
function stateDir(): { dir: string; state: string } {
  const dir = tmp('vmt-info-many-');
  const state = join(dir, 'state.json');
  writeFileSync(state, JSON.stringify(STATE));
  return { dir, state };
}

for (const [name, cli] of CLIS) {
  const V = cli.join(' ');
  assert.ok(!/\s/.test(cli.join('')), 'the CLI path has no spaces (the shell scripts below split it)');

  test(`vmt info get a b c --json (${name}): one object, null for a missing key, {"base64"} for binary, exit 1; --default fills in, exit 0`, () => {
    const { state } = stateDir();
    const r = sim(['--state', state], [...cli, 'info', 'get', 'plain', 'hostile', 'bin', 'missing', 'guestinfo.plain', '--json']);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { 'guestinfo.plain': 'hello', 'guestinfo.hostile': HOSTILE, 'guestinfo.bin': { base64: BINARY.toString('base64') }, 'guestinfo.missing': null });
    assert.equal(r.stderr, 'vmt info get: guestinfo.missing: "No value found"\n');
    // every key read once, over the session
    assert.deepEqual(entries(r, 'rpci').map((e) => e.request), ['info-get guestinfo.plain', 'info-get guestinfo.hostile', 'info-get guestinfo.bin', 'info-get guestinfo.missing']);
    const d = sim(['--state', state], [...cli, 'info', 'get', 'plain', 'missing', '--json', '--default', 'none here']);
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(JSON.parse(d.stdout), { 'guestinfo.plain': 'hello', 'guestinfo.missing': 'none here' });
  });

  test(`vmt info get --env (${name}): eval sets exactly the bytes, runs nothing, and unsets a missing key`, () => {
    const { dir, state } = stateDir();
    const r = sim(['--state', state], [...cli, 'info', 'get', 'plain', 'hostile', 'bin', 'missing', '--env', '--prefix', 'VM_']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout.split('\n')[0], "VM_PLAIN='hello'");
    assert.match(r.stdout, /\nunset VM_MISSING\n$/);
    const script = `VM_MISSING=stale; eval "$(${V} info get plain hostile bin missing --env --prefix VM_)"
      printf %s "$VM_PLAIN" > plain.out; printf %s "$VM_HOSTILE" > hostile.out; printf %s "$VM_BIN" > bin.out
      echo "\${VM_MISSING-unset}" > missing.out`;
    for (const shell of ['sh', 'bash']) {
      const e = run(SIM, ['sim', '--state', state, '--', shell, '-c', `cd ${dir} && ${script}`]);
      assert.equal(e.status, 0, `${shell}: ${e.stderr}`);
      assert.equal(readFileSync(join(dir, 'plain.out'), 'utf8'), 'hello');
      assert.equal(readFileSync(join(dir, 'hostile.out'), 'utf8'), HOSTILE, shell);
      assert.deepEqual(readFileSync(join(dir, 'bin.out')), BINARY, shell);
      assert.equal(readFileSync(join(dir, 'missing.out'), 'utf8'), 'unset\n');
      assert.ok(!existsSync(join(dir, 'ran-dollar')) && !existsSync(join(dir, 'ran-backtick')), `${shell}: eval ran part of a value`);
    }
  });

  test(`vmt info get --env (${name}): a value with NUL is refused (exit 4, nothing printed, the key named); two keys with one name are a usage error`, () => {
    const r = sim(['--fault', 'hostile'], [...cli, 'info', 'get', 'a', 'b', '--env']);
    assert.equal(r.status, 4, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^vmt info get: guestinfo\.a holds a NUL byte, which a shell variable cannot/);
    const c = sim([], [...cli, 'info', 'get', 'a.b', 'a-b', '--env']);
    assert.equal(c.status, 2);
    assert.match(c.stderr, /^vmt info get: guestinfo\.a\.b and guestinfo\.a-b would both be A_B in the shell/);
    assert.equal(entries(c, 'rpci').length, 0, 'nothing read');
    const plain = sim([], [...cli, 'info', 'get', 'a', 'b']);
    assert.equal(plain.status, 2);
    assert.match(plain.stderr, /several keys need --json or --env/);
  });

  test(`vmt info set KEY=VALUE... --from-json (${name}): set in order over one session; bad input sends nothing; a refusal of the first sets nothing (exit 1)`, () => {
    const { dir, state } = stateDir();
    const json = join(dir, 'in.json');
    writeFileSync(json, JSON.stringify({ fromjson: 'j', binary: { base64: BINARY.toString('base64') } }));
    const r = sim(['--state', state], [...cli, 'info', 'set', 'a=1', 'b=two words=2', `c=${HOSTILE}`, '--from-json', json, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, set: ['guestinfo.fromjson', 'guestinfo.binary', 'guestinfo.a', 'guestinfo.b', 'guestinfo.c'] });
    const stored = JSON.parse(readFileSync(state, 'utf8'));
    assert.deepEqual([stored['guestinfo.a'], stored['guestinfo.b'], stored['guestinfo.c'], stored['guestinfo.fromjson'], stored['guestinfo.binary']], ['1', 'two words=2', HOSTILE, 'j', { base64: BINARY.toString('base64') }]);
    // the checks are the same code on every runtime (and unit-tested): every case on one, one case on the other
    const bads = [['a=1', `big=${'x'.repeat(70_000)}`], ['a=1', 'b c=2'], ['a=1', 'a=2'], ['a=1', 'novalue']];
    for (const bad of name === CLIS[CLIS.length - 1]![0] ? bads : bads.slice(0, 1)) {
      const b = sim([], [...cli, 'info', 'set', ...bad]);
      assert.equal(b.status, 2, `${bad[1]!.slice(0, 20)}: ${b.stderr}`);
      assert.equal(entries(b, 'rpci').length, 0, 'nothing sent on bad input');
    }
    // the sim's store cannot be written (its directory is gone): the host refuses the first key
    const gone = join(tmp('vmt-info-gone-'), 'sub');
    run(['mkdir'], [gone]);
    const f = run(SIM, ['sim', '--state', join(gone, 's.json'), '--', 'sh', '-c', `rm -r ${gone} && ${V} info set x=1 y=2`]);
    assert.equal(f.status, 1, f.stderr);
    assert.match(f.stderr, /^vmt info set: the host refused guestinfo\.x: "guestinfo state file .*; set: none; not sent: guestinfo\.y\n/);
  });

  test(`vmt info wait (${name}): returns as soon as a second process under the same sim sets the key; --equals, --changed`, () => {
    const dir = tmp('vmt-info-wait-');
    const t = join(dir, 't.jsonl');
    // the setter waits until the waiter has polled at least once (the transcript says so)
    const until = (what: string) => `until grep -q '${what}' ${t}; do sleep 0.05; done`;
    const script = `${V} info wait k1 --interval 100 > ${dir}/w1 & w=$!
      ${until('"info-get guestinfo.k1"')}; ${V} info set k1 first; wait $w; echo "exists:$?" >> ${dir}/w1
      ${V} info wait k2 --equals second --json > ${dir}/w2 & w=$!
      ${V} info set k2 other; ${V} info set k2 second; wait $w; echo "equals:$?" >> ${dir}/w2
      ${V} info set k3 before; ${V} info wait k3 --changed -n > ${dir}/w3 & w=$!
      ${until('"info-get guestinfo.k3"')}; ${V} info set k3 before; ${V} info set k3 third; wait $w; echo "changed:$?" >> ${dir}/w3`;
    const r = run(SIM, ['sim', '--transcript', t, '--', 'sh', '-c', script], {}, 120_000);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'w1'), 'utf8'), 'first\nexists:0\n');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'w2'), 'utf8').replace(/equals:0\n$/, '')), { key: 'guestinfo.k2', found: true, value: 'second', timedOut: false });
    assert.match(readFileSync(join(dir, 'w2'), 'utf8'), /equals:0\n$/);
    assert.equal(readFileSync(join(dir, 'w3'), 'utf8'), 'thirdchanged:0\n');
    // the first wait polled before the set and stopped at the first poll that found the key
    const lines = readFileSync(t, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.t === 'rpci');
    const setAt = lines.findIndex((e) => e.request === 'info-set guestinfo.k1 first');
    const waiter = lines.find((e) => e.request === 'info-get guestinfo.k1')!.pid;
    const after = lines.slice(setAt).filter((e) => e.pid === waiter);
    assert.deepEqual(after.map((e) => e.reply), ['1 first']);
  });

  test(`vmt info wait (${name}): --timeout ends with exit 1 (and --json says timedOut); SIGTERM ends it cleanly with 143`, () => {
    const to = sim([], [...cli, 'info', 'wait', 'never', '--timeout', '0.3', '--json']);
    assert.equal(to.status, 1, to.stderr);
    assert.deepEqual(JSON.parse(to.stdout), { key: 'guestinfo.never', found: false, value: null, timedOut: true });
    assert.equal(to.stderr, 'vmt info wait: guestinfo.never did not appear within 0.3 s\n');
    const dir = tmp('vmt-info-term-');
    const t = join(dir, 't.jsonl');
    const script = `${V} info wait never 2> ${dir}/err & w=$!
      until grep -q '"info-get guestinfo.never"' ${t}; do sleep 0.05; done
      kill -TERM $w; wait $w; echo $? > ${dir}/status`;
    const r = run(SIM, ['sim', '--transcript', t, '--', 'sh', '-c', script], {}, 120_000);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'status'), 'utf8'), '143\n');
    // in a pause: vmt's line; during a poll the request finishes and vmt exits 143 at once (src/cli/signals.ts), silently
    assert.match(readFileSync(join(dir, 'err'), 'utf8'), /^(vmt info wait: stopped by SIGTERM while waiting for guestinfo\.never\n)?$/);
  });
}
