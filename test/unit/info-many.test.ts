// The pieces of `vmt info get KEY... --env`, `info set KEY=VALUE...` and
// `info wait`: shell names and quoting, the pairs checked before anything is
// sent, the host refusing part-way, and the wait's pauses and ending.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { UsageError, VmtError } from '../../src/cli/exit.js';
import { parseJsonPairs, parsePair, setAll, setRequests } from '../../src/cli/info-pairs.js';
import { met, nextPause, waitFor } from '../../src/cli/info-wait.js';
import type { RpcSession } from '../../src/cli/rpc-session.js';
import { assignment, envName, envNames, prefixProblem, shellQuote } from '../../src/cli/shell-env.js';

const te = new TextEncoder();
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

test('--env names: the key without guestinfo., upper-cased, other characters as _, a prefix as given, _ before a digit', () => {
  assert.equal(envName('guestinfo.metadata.encoding'), 'METADATA_ENCODING');
  assert.equal(envName('GuestInfo.a-b.c'), 'A_B_C');
  assert.equal(envName('guestinfo.1st'), '_1ST');
  assert.equal(envName('guestinfo.ip', 'vm_'), 'vm_IP');
  assert.equal(envName('guestinfo.é$'), '__');
  assert.equal(prefixProblem('VM_'), null);
  assert.match(prefixProblem('1x')!, /not the start of a shell variable name/);
  assert.match(prefixProblem('a-b')!, /not the start/);
  assert.throws(() => envNames(['guestinfo.a.b', 'guestinfo.a_b']), (e: Error) => e instanceof UsageError && /guestinfo\.a\.b and guestinfo\.a_b would both be A_B/.test(e.message));
  assert.deepEqual([...envNames(['guestinfo.a', 'guestinfo.b'], 'P_')], [['guestinfo.a', 'P_A'], ['guestinfo.b', 'P_B']]);
});

test("--env values: single quotes, each ' as '\\'' (every byte of a hostile value reaches the variable, none runs)", () => {
  assert.equal(text(shellQuote(te.encode("it's"))), "'it'\\''s'");
  assert.equal(text(shellQuote(new Uint8Array())), "''");
  assert.equal(text(assignment('A', te.encode('$(x)\n`y`'))), "A='$(x)\n`y`'\n");
  assert.equal(text(assignment('A', null)), 'unset A\n');
  const hostile = Uint8Array.from([...te.encode("'\"$(touch p)`touch q`\\\n'' ;|&"), 0xff, 0x01, 0x1b, 0x0a]);
  const r = spawnSync('sh', ['-c', 'eval "$(cat)"; printf %s "$A"'], { input: assignment('A', hostile) });
  assert.equal(r.status, 0, String(r.stderr));
  assert.deepEqual([...r.stdout], [...hostile]);
});

test('info set pairs: split at the first =, JSON strings and {"base64"}, everything checked before a request exists', () => {
  assert.deepEqual(parsePair('a=b=c'), { key: 'a', value: te.encode('b=c') });
  assert.deepEqual(parsePair('a='), { key: 'a', value: te.encode('') });
  assert.throws(() => parsePair('novalue'), /is not KEY=VALUE/);
  assert.deepEqual(parseJsonPairs(te.encode('{"a":"x","b":{"base64":"/wBB"}}'), 'f'), [
    { key: 'a', value: te.encode('x') },
    { key: 'b', value: Buffer.from([0xff, 0, 0x41]) },
  ]);
  for (const bad of ['[1]', 'null', '"x"', '{"a":1}', '{"a":null}', '{"a":{"base64":"@@"}}', '{"a":{"base64":"QQ=="," x":1}}', '{']) {
    assert.throws(() => parseJsonPairs(te.encode(bad), 'f'), UsageError, bad);
  }
  assert.deepEqual(setRequests([{ key: 'a', value: te.encode('1') }]).map((r) => [r.key, text(r.request)]), [['guestinfo.a', 'info-set guestinfo.a 1']]);
  assert.throws(() => setRequests([{ key: 'a', value: te.encode('1') }, { key: 'guestinfo.a', value: te.encode('2') }]), /guestinfo\.a is given twice/);
  assert.throws(() => setRequests([{ key: 'a b', value: te.encode('1') }]), /whitespace/);
  assert.throws(() => setRequests([{ key: 'big', value: new Uint8Array(70_000) }]), (e: Error) => e instanceof UsageError && /^guestinfo\.big: the RPC is/.test(e.message));
  assert.throws(() => setRequests([]), /no KEY=VALUE/);
});

/** A host that refuses the keys in `refuse` and fails the channel at `failAt` (request number from 1). */
function fakeSession(refuse: string[], failAt = 0): RpcSession & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    send: async (command) => {
      const t = text(command);
      sent.push(t);
      if (sent.length === failAt) throw new VmtError('the GuestRPC channel failed while receiving: gone', 4);
      const refused = refuse.some((k) => t.startsWith(`info-set guestinfo.${k} `));
      return { ok: !refused, reply: te.encode(refused ? 'Permission denied' : ''), transport: 'backdoor', closed: true };
    },
    close: async () => {},
  };
}

test('info set many: the host refusing the 3rd of 5 stops there; the keys set, the one refused and those not sent are known', async () => {
  const reqs = setRequests(['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, value: te.encode('v') })));
  const s = fakeSession(['c']);
  const out = await setAll(s, reqs);
  assert.deepEqual(out.set, ['guestinfo.a', 'guestinfo.b']);
  assert.equal(out.refused?.key, 'guestinfo.c');
  assert.equal(text(out.refused!.reply), 'Permission denied');
  assert.deepEqual(out.notSent, ['guestinfo.d', 'guestinfo.e']);
  assert.equal(s.sent.length, 3);
  const all = await setAll(fakeSession([]), reqs);
  assert.deepEqual([all.set.length, all.refused, all.notSent], [5, undefined, []]);
  await assert.rejects(setAll(fakeSession([], 4), reqs), (e: Error) => e instanceof VmtError && e.exit === 4 && /gone; set: guestinfo\.a, guestinfo\.b, guestinfo\.c; not set: guestinfo\.d, guestinfo\.e$/.test(e.message));
});

test('info wait: the pause starts at 5 ms and doubles to the ceiling; --changed counts an appearance, not a disappearance', () => {
  const pauses: number[] = [];
  let p: number | null = null;
  for (let i = 0; i < 10; i++) pauses.push((p = nextPause(p, 200)));
  assert.deepEqual(pauses, [5, 10, 20, 40, 80, 160, 200, 200, 200, 200]);
  assert.equal(nextPause(null, 2), 2);
  const v = te.encode('v');
  assert.equal(met({ kind: 'exists' }, null), false);
  assert.equal(met({ kind: 'exists' }, new Uint8Array()), true);
  assert.equal(met({ kind: 'equals', value: v }, te.encode('w')), false);
  assert.equal(met({ kind: 'equals', value: v }, te.encode('v')), true);
  assert.equal(met({ kind: 'changed', from: null }, v), true);
  assert.equal(met({ kind: 'changed', from: v }, te.encode('v')), false);
  assert.equal(met({ kind: 'changed', from: v }, null), false);
  assert.equal(met({ kind: 'changed', from: v }, te.encode('w')), true);
});

test('info wait: met after some polls; the time running out ends it with the value then; a signal ends the pause at once', async () => {
  let polls = 0;
  const appearsAt = (n: number) => async () => (++polls >= n ? te.encode('here') : null);
  const got = await waitFor(appearsAt(4), { kind: 'exists' }, { timeoutMs: Infinity, intervalMs: 2 });
  assert.deepEqual([got.kind, polls], ['met', 4]);
  let clock = 0;
  polls = 0;
  const timedOut = await waitFor(async () => ((clock += 100), ++polls, te.encode('old')), { kind: 'equals', value: te.encode('new') }, { timeoutMs: 250, intervalMs: 1, now: () => clock });
  assert.deepEqual(timedOut, { kind: 'timeout', value: te.encode('old') });
  assert.equal(polls, 3);
  const once = await waitFor(async () => null, { kind: 'exists' }, { timeoutMs: 0, intervalMs: 1000 });
  assert.deepEqual(once, { kind: 'timeout', value: null });
  // a long pause, cut short by SIGTERM: this process is not killed, waitFor answers 143
  const waiting = waitFor(async () => null, { kind: 'exists' }, { timeoutMs: Infinity, intervalMs: 3_600_000 });
  setTimeout(() => process.kill(process.pid, 'SIGTERM'), 20);
  assert.deepEqual(await waiting, { kind: 'signal', signal: 'SIGTERM', status: 143 });
  assert.equal(process.listenerCount('SIGTERM'), 0);
});
