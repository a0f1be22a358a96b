// `vmt sim` hands the program its arguments and its environment byte for byte,
// on every runtime and in the standalone binary: bytes that are not UTF-8
// (which the runtimes decode lossily into process.argv and process.env) and
// no variable of the sim's own (VMT_SIM_CACHE once leaked). Each program runs
// once directly and once under the sim, from the same shell, and the outputs
// must be the same bytes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { runtimes } from '../helpers.js';

// dash (Debian's sh; it adds no variable of its own, unlike bash's `_`) makes the
// bytes — a lone 0xFF, a cut 2-byte and a cut 3-byte sequence — puts them in
// place of every word @B@ and in $VMT_TEST_BYTES, and execs the words: nothing
// decodes them on the way in.
const WRAP = [
  `B="$(printf 'a\\377b\\303(\\342\\202c')"`,
  'VMT_TEST_BYTES="$B"; export VMT_TEST_BYTES',
  'for w; do shift; if [ "$w" = @B@ ]; then set -- "$@" "$B"; else set -- "$@" "$w"; fi; done',
  'exec "$@"',
].join('\n');
const BYTES = Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x28, 0xe2, 0x82, 0x63]);

function wrapped(words: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('sh', ['-c', WRAP, 'sh', ...words], { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

const PROGRAMS: [string, string[]][] = [
  ['printf: the bytes in argv', ['printf', '%s|%s|%s\\n', '@B@', 'plain', '@B@']],
  ['cat /proc/self/environ: the whole environment', ['cat', '/proc/self/environ']],
  ['env: the whole environment', ['env']],
];

test('the shell wrapper really makes the bytes (no runtime involved)', () => {
  const r = wrapped(['printf', '%s', '@B@']);
  assert.deepEqual(r.stdout, BYTES);
  const env = Buffer.concat([Buffer.of(0), wrapped(['cat', '/proc/self/environ']).stdout]);
  assert.ok(env.includes(Buffer.concat([Buffer.from('\0VMT_TEST_BYTES='), BYTES, Buffer.of(0)])));
});

for (const [runtime, cmd] of Object.entries(runtimes())) {
  for (const [what, program] of PROGRAMS) {
    test(`${runtime}: ${what} reach the program byte for byte`, () => {
      const direct = wrapped(program);
      assert.equal(direct.status, 0, direct.stderr);
      const simmed = wrapped([...cmd, 'sim', '--', ...program]);
      assert.equal(simmed.status, 0, simmed.stderr);
      assert.deepEqual(simmed.stdout, direct.stdout, `under the sim:\n${simmed.stdout.toString('latin1')}\ndirect:\n${direct.stdout.toString('latin1')}`);
      assert.ok(simmed.stdout.includes(BYTES), 'the bytes themselves, unchanged');
      assert.ok(!simmed.stdout.includes('VMT_SIM'), 'no variable of the sim');
    });
  }
}
