// vmt info set under the sim: where the value comes from (argument, -f, standard
// input on every runtime, slow pipes included), the newline rule, --json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sim, tmp } from '../../sim/sim-helpers.js';
import { assertUsage, everywhere, oneJson, RT, VMT } from '../helpers.js';

const stored = (state: string) => JSON.parse(readFileSync(state, 'utf8')) as Record<string, unknown>;

test('hostname | vmt info set hostname: standard input without its trailing newline, on every runtime, also from a slow pipe', () => {
  for (const [rt, cmd] of Object.entries(RT)) {
    const state = join(tmp(), 's.json');
    const r = sim(['--state', state], ['sh', '-c', '(sleep 1; echo vm) | "$@" info set hostname && printf "a\\n\\n" | "$@" info set two && printf "x\\n" | "$@" info set -f - dash', 'sh', ...cmd]);
    assert.equal(r.status, 0, `${rt}: ${r.stderr}`);
    assert.deepEqual(stored(state), { 'guestinfo.dash': 'x', 'guestinfo.hostname': 'vm', 'guestinfo.two': 'a\n' }, rt);
  }
});

test('--raw keeps the bytes exactly, from standard input and from a file; an argument is always exact', () => {
  const dir = tmp();
  const state = join(dir, 's.json');
  const r = sim(['--state', state], ['sh', '-c', 'printf "line\\n" | "$@" info set --raw piped && printf "f\\n" > "$0.f" && "$@" info set file -f "$0.f" && "$@" info set fileraw -f "$0.f" --raw && "$@" info set arg "v\n"', join(dir, 'x'), ...VMT]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(stored(state), { 'guestinfo.arg': 'v\n', 'guestinfo.file': 'f', 'guestinfo.fileraw': 'f\n', 'guestinfo.piped': 'line\n' });
});

test('vmt info set --json: {"key", "ok"}; usage errors are one line (a key with a newline shown escaped)', () => {
  const ok = sim([], [...VMT, 'info', 'set', 'k', 'v', '--json']);
  assert.deepEqual(oneJson(ok, 'info set --json'), { key: 'guestinfo.k', ok: true });
  everywhere(['info', 'set', 'x\ny', 'v'], (r) => assertUsage(r, /^vmt info set: the key "guestinfo\.x\\ny" contains whitespace or NUL$/, 'key with a newline'));
  everywhere(['info', 'set', 'k', 'v', '--raw'], (r) => assertUsage(r, /--raw applies to a value read with -f or from standard input/, '--raw with an argument'));
  everywhere(['info', 'set'], (r) => assertUsage(r, /^vmt info set: missing KEY$/, 'no key'));
});
