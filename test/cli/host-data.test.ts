// Where the host's data goes (README "What vmt does with the host's data"):
// a guestinfo value full of terminal controls and bytes that are not UTF-8,
// set in the sim's store, read back by vmt rpc, vmt info get and the
// vmware-rpctool stand-in: byte for byte in a pipe, escaped on a terminal
// (script(1) gives the run a pty), a valid JSON document with --json; host
// text inside vmt's own lines (info get's KEY.encoding, tclo listen's command
// lines) escaped wherever they go.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, SIM, tmp } from '../sim/sim-helpers.js';
import { VMT } from './helpers.js';

/** ESC sequences (clear screen, set title), CR, BEL, C1 CSI, a bidi override, bytes that are not UTF-8, then ordinary text and a tab. */
const HOSTILE = Buffer.concat([Buffer.from('a\x1b[2J\x1b]0;owned\x07\rb\u009b31m\u202ec'), Buffer.from([0xff, 0xc3]), Buffer.from('\tok é')]);
/** What a terminal acts on (a tab is kept; a pty turns \n into \r\n, so CR is checked apart). */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]/u;

const dir = tmp('vmt-host-data-');
const state = join(dir, 'state.json');
/** Text with controls and NUL that is valid UTF-8 (a JSON string with --json). */
const TEXT = '\x1b[2J\u009b\u202e\x00 é';
writeFileSync(state, JSON.stringify({ 'guestinfo.k': { base64: HOSTILE.toString('base64') }, 'guestinfo.t': TEXT }));

/** The program under the sim with stdout and stderr as bytes. */
function simRun(program: string[], simArgs: string[] = ['--state', state], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(SIM[0]!, [...SIM.slice(1), 'sim', '--timeout', '30', ...simArgs, '--', ...program], { env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same with a terminal on stdout and stderr (script(1) runs it on a pty). */
function onTerminal(program: string[]) {
  const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
  const line = [...SIM, 'sim', '--timeout', '30', '--state', state, '--', ...program].map(quote).join(' ');
  const r = spawnSync('script', ['-qec', line, '/dev/null'], { timeout: 60_000 });
  return { status: r.status, out: r.stdout.toString('utf8') };
}

const scriptHere = spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0;

test('a pipe gets the host\'s bytes exactly: vmt rpc, vmt info get, vmware-rpctool', () => {
  const rpc = simRun([...VMT, 'rpc', 'info-get guestinfo.k']);
  assert.equal(rpc.status, 0, String(rpc.stderr));
  assert.deepEqual(rpc.stdout, Buffer.concat([HOSTILE, Buffer.from('\n')]));
  const get = simRun([...VMT, 'info', 'get', 'k', '-n']);
  assert.deepEqual(get.stdout, HOSTILE);
  const bin = join(dir, 'bin');
  if (!existsSync(bin)) mkdirSync(bin), symlinkSync(join(ROOT, 'bin/run.js'), join(bin, 'vmware-rpctool'));
  const tool = simRun([process.execPath, join(bin, 'vmware-rpctool'), 'info-get guestinfo.k']);
  assert.equal(tool.status, 0, String(tool.stderr));
  assert.deepEqual(tool.stdout, Buffer.concat([HOSTILE, Buffer.from('\n')]));
});

test('a terminal gets them escaped: no ESC, CR, C1 or bidi control reaches it, the text and the tab do', { skip: !scriptHere && 'no script(1) here' }, () => {
  for (const program of [[...VMT, 'rpc', 'info-get guestinfo.k'], [...VMT, 'info', 'get', 'k']]) {
    const r = onTerminal(program);
    assert.equal(r.status, 0, r.out);
    const text = r.out.replace(/\r\n/g, '\n');
    assert.doesNotMatch(text, CONTROL, program.join(' '));
    assert.doesNotMatch(text, /\r/);
    assert.equal(text, 'a\\e[2J\\e]0;owned\\x07\\rb\\u{9b}31m\\u{202e}c\\xff\\xc3\tok é\n');
  }
});

test('--json: one valid document whatever the bytes; not UTF-8 comes as {"base64"} that decodes to them exactly', () => {
  const r = simRun([...VMT, 'rpc', '--json', 'info-get guestinfo.k']);
  const doc = JSON.parse(r.stdout.toString('utf8')) as { ok: boolean; reply: { base64: string } };
  assert.equal(doc.ok, true);
  assert.deepEqual(Buffer.from(doc.reply.base64, 'base64'), HOSTILE);
  const get = simRun([...VMT, 'info', 'get', 't', '--json']);
  assert.equal((JSON.parse(get.stdout.toString('utf8')) as { value: string }).value, TEXT);
  assert.doesNotMatch(get.stdout.toString('utf8'), CONTROL);
});

test('host text in vmt\'s own lines: an unknown KEY.encoding on stderr, a TCLO command on tclo listen\'s stdout', () => {
  const bad = 'x\x1b[2J\u009b31m\u202e\r\nforged';
  const enc = simRun([...VMT, 'info', 'get', 'k', '--encoding', 'auto'], ['--guestinfo', 'k=aGk=', '--guestinfo', `k.encoding=${bad}`]);
  assert.equal(enc.status, 4, String(enc.stderr));
  const err = enc.stderr.toString('utf8');
  assert.doesNotMatch(err, CONTROL);
  assert.equal(err.split('\n').length, 2, `one line: ${err}`);
  assert.match(err, /^vmt info get: guestinfo\.k\.encoding is "x\\e\[2J\\u\{9b\}31m\\u\{202e\}\\r\\nforged", which vmt does not know/);

  const run = join(dir, 'run');
  mkdirSync(run, { recursive: true });
  const tclo = simRun([...VMT, 'tclo', 'listen', '--exit-after', '2', '--force', '--app', 'hostdata'], ['--tclo', bad], { XDG_RUNTIME_DIR: run });
  assert.equal(tclo.status, 0, String(tclo.stderr));
  const out = tclo.stdout.toString('utf8');
  assert.doesNotMatch(out, CONTROL);
  assert.match(out, /^"x\\e\[2J\\u\{9b\}31m\\u\{202e\}\\r\\nforged" -> "ERROR Unknown command"$/m);
  const json = simRun([...VMT, 'tclo', 'listen', '--json', '--exit-after', '2', '--force', '--app', 'hostdata'], ['--tclo', bad], { XDG_RUNTIME_DIR: run });
  assert.equal(json.status, 0, String(json.stderr));
  assert.doesNotMatch(json.stdout.toString('utf8'), CONTROL);
  const lines = json.stdout.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; command?: string });
  assert.deepEqual(lines.filter((e) => e.type === 'command').map((e) => e.command), ['reset', bad]);
});
