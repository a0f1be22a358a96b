// The program's exact words and environment (src/sim/exact.ts), from given
// command lines and environment blocks: the bytes are used only where they
// decode to what the runtime holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactEnvironment, exactWords } from '../../src/sim/exact.js';

const bytes = (...parts: (string | number[] | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const nul = (...strings: Buffer[]): Buffer => Buffer.concat(strings.flatMap((s) => [s, Buffer.of(0)]));
const lossy = (b: Buffer): string => b.toString('utf8');
const texts = (bs: Buffer[]): string[] => bs.map((b) => b.toString('latin1'));

const FF = bytes('a', [0xff], 'b'); // a lone 0xFF
const CUT = bytes([0xe2, 0x82], 'c'); // a cut 3-byte sequence

test('words: the last entries of the command line, after the runtime\'s own words', () => {
  const cmdline = nul(bytes('node'), bytes('--no-warnings'), bytes('/x/bin/run.js'), bytes('sim'), bytes('--'), bytes('printf'), FF, CUT, bytes('é'));
  const argv = ['/usr/bin/node', '/x/bin/run.js', 'sim', '--', 'printf', lossy(FF), lossy(CUT), 'é'];
  const words = exactWords(['printf', lossy(FF), lossy(CUT), 'é'], argv, cmdline);
  assert.deepEqual(texts(words), texts([bytes('printf'), FF, CUT, Buffer.from('é')]));
  // deno run -A script ...; the standalone binary: argv[0..1] are the runtime's, whatever the command line says
  const deno = nul(bytes('deno'), bytes('run'), bytes('-A'), bytes('/x/bin/run.js'), bytes('sim'), FF);
  assert.deepEqual(exactWords([lossy(FF)], ['/x/deno', '/x/bin/run.js', 'sim', lossy(FF)], deno), [FF]);
});

test('words: a command line that disagrees (rewritten, too short, missing) gives the decoded words\' UTF-8', () => {
  const argv = ['node', 'run.js', 'sim', 'printf', lossy(FF)];
  const utf8 = [Buffer.from('printf'), Buffer.from(lossy(FF))];
  assert.deepEqual(exactWords(['printf', lossy(FF)], argv, nul(bytes('node'), bytes('renamed'), FF)), [utf8[0]!, FF], 'each word checked on its own');
  assert.deepEqual(exactWords(['printf', lossy(FF)], argv, nul(bytes('vmt sim printf x'))), utf8);
  assert.deepEqual(exactWords(['printf', lossy(FF)], argv, null), utf8);
  assert.deepEqual(exactWords(['printf', 'other'], argv, nul(bytes('printf'), bytes('other'))), [Buffer.from('printf'), Buffer.from('other')], 'words that are not the end of argv');
  assert.deepEqual(exactWords([], argv, nul(bytes('x'))), []);
});

test('environment: unchanged variables keep their bytes and order; changed, added and removed ones follow the runtime', () => {
  const environ = nul(bytes('A=1'), bytes('X=', FF), bytes('CHANGED=old'), bytes('GONE=1'), bytes('Y=', CUT));
  const env = { A: '1', X: lossy(FF), CHANGED: 'new', Y: lossy(CUT), ADDED: 'é' };
  assert.deepEqual(texts(exactEnvironment(env, environ)), texts([bytes('A=1'), bytes('X=', FF), bytes('CHANGED=new'), bytes('Y=', CUT), Buffer.from('ADDED=é')]));
});

test('environment: a value the runtime cannot decode (Deno throws) is passed on as it came; so are entries without NAME=', () => {
  const environ = nul(bytes('A=1'), bytes('X=', FF), bytes('NOEQUALS'), bytes('=weird'));
  const env = new Proxy({ A: '1' } as Record<string, string>, {
    get(target, name) {
      if (name === 'X') throw new Error('environment variable was not valid unicode');
      return target[name as string];
    },
  });
  assert.deepEqual(texts(exactEnvironment(env, environ)), texts([bytes('A=1'), bytes('X=', FF), bytes('NOEQUALS'), bytes('=weird')]));
});

test('environment: a name given twice keeps both entries when the first is unchanged, and only the new value when it changed', () => {
  const environ = nul(bytes('D=1'), bytes('E=1'), bytes('D=2'), bytes('E=2'));
  assert.deepEqual(texts(exactEnvironment({ D: '1', E: 'changed' }, environ)), ['D=1', 'E=changed', 'D=2']);
});

test('environment: no /proc/self/environ: the runtime\'s variables', () => {
  assert.deepEqual(texts(exactEnvironment({ A: '1', B: 'é' }, null)), ['A=1', Buffer.from('B=é').toString('latin1')]);
});
