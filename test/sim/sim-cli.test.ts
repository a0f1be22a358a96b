// `vmt sim` as a command: exit statuses pass through, bad input is exit 2,
// --timeout leaves nothing behind, and the traced program cannot use vsock.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../helpers.js';
import { sim, tmp, VMT } from './sim-helpers.js';

test('the program\'s exit status passes through, including death by a signal', () => {
  assert.equal(sim([], ['sh', '-c', 'exit 7']).status, 7);
  assert.equal(sim([], ['true']).status, 0);
  const killed = sim([], ['sh', '-c', 'kill -SEGV $$']);
  assert.equal(killed.status, 128 + 11);
});

test('a program that is not found: 127 and the shell\'s wording', () => {
  const r = sim([], ['no-such-program-vmt']);
  assert.equal(r.status, 127);
  assert.match(r.stderr, /no-such-program-vmt: command not found/);
});

test('--timeout kills the program and what it started, by pid, and exits 124', () => {
  const marker = `${30 + Math.random()}`;
  const t0 = Date.now();
  const r = sim(['--timeout', '1'], ['sh', '-c', `sleep ${marker} & sleep ${marker}; wait`]);
  assert.equal(r.status, 124);
  assert.ok(Date.now() - t0 < 15_000, 'it did not wait for the sleeps');
  assert.match(r.stderr, /timed out after 1 s/);
  const left = run(['pgrep', '-f'], [`sleep ${marker}`]);
  assert.equal(left.stdout, '', 'no process left behind');
});

test('the traced program gets socket(AF_VSOCK) refused with EAFNOSUPPORT, and no /dev/vsock', () => {
  const py = "import socket\ntry:\n    socket.socket(40, socket.SOCK_STREAM)\n    print('created')\nexcept OSError as e:\n    print(e.errno)";
  const r = sim([], ['python3', '-c', py]);
  assert.equal(r.stdout.trim(), '97');
  if (existsSync('/dev/vsock') && process.getuid?.() === 0) {
    const dev = sim([], ['stat', '-L', '-c', '%t:%T', '/dev/vsock']);
    assert.equal(dev.stdout.trim(), '1:3', '/dev/vsock is /dev/null inside the sim');
  }
});

test('the traced program cannot set the clock (unless --allow-set-clock) nor reboot the machine', () => {
  // both probes are harmless even without the sim: the clock is "set" to its own value, and
  // reboot(2) with a wrong magic number only ever returns EINVAL
  const py = [
    'import ctypes, time',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'try:',
    '    time.clock_settime(time.CLOCK_REALTIME, time.clock_gettime(time.CLOCK_REALTIME))',
    '    print("set")',
    'except OSError as e:',
    '    print(e.errno)',
    'print(libc.syscall(169, 0, 0, 0, 0), ctypes.get_errno())',
  ].join('\n');
  const r = sim([], ['python3', '-c', py]);
  assert.equal(r.stdout, '1\n-1 1\n', 'EPERM for clock_settime and for reboot');
});

const bad: [string[], RegExp][] = [
  [['--guestinfo', 'novalue'], /--guestinfo wants KEY=VALUE/],
  [['--guestinfo-file', '/nonexistent/gi.json'], /--guestinfo-file \/nonexistent\/gi.json/],
  [['--fault', 'bogus@1'], /bogus/],
  [['--timeout', 'soon'], /--timeout wants a number of seconds/],
  [['--clock-offset', 'x'], /--clock-offset wants a number/],
  [['--product', 'mainframe'], /mainframe/],
];

for (const [args, message] of bad) {
  test(`bad input: vmt sim ${args.join(' ')} → exit 2, nothing run`, () => {
    const r = run(VMT, ['sim', ...args, '--', 'sh', '-c', 'echo ran']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^Usage: vmt sim /m);
  });
}

test('bad input: a --guestinfo-file that is not a JSON object of strings, and no program at all', () => {
  const dir = tmp();
  for (const body of ['[1,2]', '{"a": 1}', 'not json']) {
    const f = join(dir, 'gi.json');
    writeFileSync(f, body);
    const r = run(VMT, ['sim', '--guestinfo-file', f, '--', 'true']);
    assert.equal(r.status, 2, `${body}: ${r.stderr}`);
  }
  const none = run(VMT, ['sim']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no PROGRAM/);
});
