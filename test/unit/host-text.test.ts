// Host text on its way out (src/cli/host-text.ts, writeHost in output.ts):
// no terminal control survives the escaping, bytes that are not UTF-8 show as
// \xNN, a quote stays one line and bounded, and a pipe gets the bytes exactly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { escapeHost, quoteHost, QUOTE_MAX } from '../../src/cli/host-text.js';
import { jsonBytes, jsonText } from '../../src/cli/output.js';
import { readGuestlib } from '../../src/guestlib/client.js';
import { resultLine } from '../../src/report/report.js';
import { rawRefusal } from '../../src/cli/stat.js';
import { repoRoot } from '../helpers.js';

/** Anything a terminal acts on: C0 but \n and \t, DEL, C1 (as UTF-8 or as raw bytes), bidi and invisible format controls. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/u;
const HOSTILE = Buffer.concat([
  Buffer.from('a\x1b[2J\x1b]0;owned\x07b\rc\x00d\x7f'),
  Buffer.from('\u009b31m\u202eevil\u2066'),
  Buffer.from([0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xe2, 0x82]), // not UTF-8: a stray byte, an overlong, a surrogate, a cut sequence
  Buffer.from('\tok é ✓\n'),
]);

test('escapeHost: every control escaped, printable text (any script) as it is, bytes that are not UTF-8 as \\xNN', () => {
  const line = escapeHost(HOSTILE);
  assert.doesNotMatch(line, CONTROL);
  assert.doesNotMatch(line, /\n|\t/);
  assert.equal(line, 'a\\e[2J\\e]0;owned\\x07b\\rc\\x00d\\x7f\\u{9b}31m\\u{202e}evil\\u{2066}\\xff\\xc0\\x80\\xed\\xa0\\x80\\xe2\\x82\\tok é ✓\\n');
  assert.equal(escapeHost(HOSTILE, { keepLines: true }).slice(-8), '\tok é ✓\n');
  assert.equal(escapeHost('plain text, "quotes" and \\ backslashes'), 'plain text, "quotes" and \\ backslashes');
  assert.equal(escapeHost('lone \ud800 surrogate'), 'lone \\u{d800} surrogate');
  for (let b = 0; b < 256; b++) assert.doesNotMatch(escapeHost(Uint8Array.of(b)), CONTROL, `byte ${b}`);
  for (let cp = 0; cp < 0x3000; cp++) assert.doesNotMatch(escapeHost(String.fromCodePoint(cp)), CONTROL, `U+${cp.toString(16)}`);
});

test('quoteHost: one line between double quotes, " and \\ escaped, at most QUOTE_MAX characters then the size', () => {
  assert.equal(quoteHost(Buffer.from('say "hi"\\\n')), '"say \\"hi\\"\\\\\\n"');
  const long = quoteHost(Buffer.alloc(100_000, 'é'));
  assert.match(long, /^"é{100}"… \(100000 bytes\)$/); // cut on a character boundary
  assert.match(quoteHost('x'.repeat(QUOTE_MAX + 1)), /^"x{200}"… \(201 characters\)$/);
  assert.doesNotMatch(quoteHost(HOSTILE), /[\n\r]|\x1b/);
});

test('--json: any bytes give a valid document; UTF-8 a string, anything else {"base64"} that decodes back to the same bytes', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const doc = JSON.parse(JSON.stringify({ v: jsonBytes(all) })) as { v: { base64: string } };
  assert.deepEqual(Object.keys(doc.v), ['base64']);
  assert.deepEqual(Buffer.from(doc.v.base64, 'base64'), Buffer.from(all));
  assert.match(doc.v.base64, /^[A-Za-z0-9+/]*={0,2}$/);
  const controls = Buffer.from('\x00\x1b[2J\u009b\u202e\ud7ff\u{10ffff}');
  assert.equal(JSON.parse(JSON.stringify(jsonBytes(controls))), controls.toString('utf8'));
  assert.doesNotMatch(jsonText(jsonBytes(controls)), CONTROL);
  assert.equal(JSON.parse(jsonText({ v: jsonBytes(controls) }, 2)).v, controls.toString('utf8'));
  const every = Array.from({ length: 0x3000 }, (_, i) => String.fromCodePoint(i)).join('') + '\ud800 \u{1f600}';
  assert.equal(JSON.parse(jsonText(every)), every);
  assert.doesNotMatch(jsonText(every), CONTROL);
});

test('writeHost: a pipe gets the bytes exactly; a terminal gets them escaped (newlines kept)', () => {
  // in a child, so that its fd 1 is a pipe this test reads; whether it is a terminal is the test's answer
  const output = pathToFileURL(join(repoRoot(), 'build/src/cli/output.js')).href;
  const script = `import('${output}').then(({ writeHost }) => writeHost(1, Buffer.from(process.argv[1], 'base64'), true, () => process.argv[2] === 'tty'))`;
  for (const mode of ['pipe', 'tty']) {
    const r = spawnSync(process.execPath, ['-e', script, HOSTILE.toString('base64'), mode]);
    assert.equal(r.status, 0, String(r.stderr));
    if (mode === 'pipe') assert.deepEqual(r.stdout, Buffer.concat([HOSTILE, Buffer.from('\n')]));
    else {
      assert.doesNotMatch(r.stdout.toString('utf8'), CONTROL);
      assert.equal(r.stdout.toString('utf8'), `${escapeHost(HOSTILE, { keepLines: true })}\n`);
    }
  }
});

test('host text quoted in vmt\'s messages: guestlib\'s refusal, stat raw\'s refusal, report\'s refused line', async () => {
  const hostile = Buffer.from('Unknown command\x1b[2J\u009b\r\nforged line');
  await assert.rejects(
    readGuestlib(async () => ({ ok: false, reply: hostile })),
    (err: Error) => (assert.doesNotMatch(err.message, CONTROL), assert.doesNotMatch(err.message, /\n/), assert.match(err.message, /\\e\[2J\\u\{9b\}\\r\\nforged line/), true),
  );
  const raw = rawRefusal(hostile);
  assert.doesNotMatch(raw, CONTROL);
  assert.doesNotMatch(raw, /\n/);
  assert.match(rawRefusal(Buffer.from([0xff])), /"\\xff"/);
  const line = resultLine({ request: 'SetGuestInfo  7 1', ok: false, reply: hostile.toString('utf8') });
  assert.doesNotMatch(line, CONTROL);
  assert.doesNotMatch(line, /\n/);
  assert.equal(resultLine({ request: 'SetGuestInfo  7 1', ok: true, reply: '' }), 'SetGuestInfo  7 1 -> ok');
});
