// `vmt sim` as a command: exit statuses pass through, bad input is exit 2,
// --timeout leaves nothing behind, and the traced program cannot use vsock.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../helpers.js';
import { entries, sim, SIM, tmp, VMT } from './sim-helpers.js';

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

test('the traced program gets socket(AF_VSOCK) refused with EAFNOSUPPORT, in the transcript, and no /dev/vsock', () => {
  const py = "import socket\ntry:\n    socket.socket(40, socket.SOCK_STREAM)\n    print('created')\nexcept OSError as e:\n    print(e.errno)";
  const r = sim([], ['python3', '-c', py]);
  assert.equal(r.stdout.trim(), '97');
  const refused = entries(r, 'refused');
  assert.equal(refused.length, 1, JSON.stringify(r.transcript));
  assert.equal(refused[0]!.what, 'socket(AF_VSOCK)');
  assert.equal(refused[0]!.error, 'EAFNOSUPPORT');
  assert.equal(typeof refused[0]!.pid, 'number');
  assert.equal(r.stderr, '', 'silent: an agent that tries vsock first is not an incident');
  // other families pass the filter untouched and leave no line
  const unix = sim([], ['python3', '-c', 'import socket\nsocket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\nprint("ok")']);
  assert.equal(unix.stdout, 'ok\n');
  assert.equal(entries(unix, 'refused').length, 0);
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

test('the guard: a program under the sim cannot run shutdown commands, signal init, or reach the system bus', () => {
  // every probe is harmless even if the guard failed: the "shutdown" commands are fake
  // scripts that only write a file, kill(1, 0) only asks whether init exists, and the
  // connect goes to a socket path that need not exist
  const dir = tmp();
  const ran = join(dir, 'ran');
  for (const name of ['shutdown', 'poweroff', 'reboot', 'systemctl', 'busybox', 'telinit']) {
    writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >> ${ran}\n`, { mode: 0o755 });
  }
  const script = [
    'shutdown -h now; echo "shutdown $?"',
    'poweroff; echo "poweroff $?"',
    'reboot -f; echo "reboot $?"',
    'telinit 0; echo "telinit $?"',
    'systemctl poweroff; echo "systemctl-poweroff $?"',
    'busybox halt; echo "busybox-halt $?"',
    'systemctl status; echo "systemctl-status $?"',
    'busybox true; echo "busybox-true $?"',
  ].join('\n');
  const r = sim([], ['env', `PATH=${dir}:/usr/bin:/bin`, 'sh', '-c', script]);
  const statuses = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(' ')));
  for (const refused of ['shutdown', 'poweroff', 'reboot', 'telinit', 'systemctl-poweroff', 'busybox-halt']) {
    assert.equal(statuses[refused], '126', `${refused} was refused (exec failed: permission denied)`);
  }
  assert.equal(statuses['systemctl-status'], '0', 'systemctl without a power verb runs');
  assert.equal(statuses['busybox-true'], '0', 'other busybox applets run');
  assert.equal(readFileSync(ran, 'utf8'), 'systemctl status\nbusybox true\n', 'only the harmless ones ran');
  assert.match(r.stderr, /refused pid \d+'s exec of .*shutdown/);

  const py = [
    'import os, socket',
    'try:',
    '    os.kill(1, 0); print("kill ok")',
    'except OSError as e:',
    '    print("kill", e.errno)',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
    'try:',
    '    s.connect("/run/dbus/system_bus_socket"); print("connect ok")',
    'except OSError as e:',
    '    print("connect", e.errno)',
  ].join('\n');
  const p = sim([], ['python3', '-c', py]);
  assert.equal(p.stdout, 'kill 1\nconnect 13\n', 'EPERM for signalling init, EACCES for the system bus');
});

test('a program that is not executable: 126', () => {
  const file = join(tmp(), 'not-a-program');
  writeFileSync(file, 'just text\n', { mode: 0o644 });
  const r = sim([], [file]);
  assert.equal(r.status, 126);
  assert.match(r.stderr, /^vmt sim: .*not-a-program: Permission denied$/m);
});

test('bad input: empty or garbage --fault specs are refused (exit 2), nothing run', () => {
  for (const spec of ['', ' ', ',', 'cpt@1,', 'cpt@1,,open@2', 'cpt@']) {
    const r = run(VMT, ['sim', '--fault', spec, '--', 'sh', '-c', 'echo ran']);
    assert.equal(r.status, 2, `--fault '${spec}': ${r.stderr}`);
    assert.equal(r.stdout, '', `--fault '${spec}' ran the program`);
    assert.match(r.stderr, /^vmt sim: .*fault/m);
    assert.match(r.stderr, /^Usage: vmt sim /m);
  }
});

test('--state: a file that cannot be written is refused before the program starts (exit 2, in vmt sim\'s voice)', () => {
  const dir = tmp();
  const ran = join(dir, 'ran');
  for (const state of ['/nonexistent/dir/s.json', dir]) {
    const r = run(VMT, ['sim', '--state', state, '--', 'sh', '-c', `echo ran > ${ran}`]);
    assert.equal(r.status, 2, `${state}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^vmt sim: --state ${state}: `, 'm'));
    assert.match(r.stderr, /^Usage: vmt sim /m);
    assert.equal(existsSync(ran), false, `${state}: the program did not run`);
  }
});

test('--state: an empty (zero-byte) file is an empty store, and is then kept as JSON', () => {
  const state = join(tmp(), 'state.json');
  writeFileSync(state, '');
  const set = sim(['--state', state], ['vmware-rpctool', 'info-set guestinfo.a b']);
  assert.equal(set.status, 0, set.stderr);
  assert.deepEqual(JSON.parse(readFileSync(state, 'utf8')), { 'guestinfo.a': 'b' });
});

test('--timeout ends a program that makes no system calls at all (exit 124)', () => {
  const r = sim(['--timeout', '1'], ['sh', '-c', 'while :; do :; done']);
  assert.equal(r.status, 124, r.stderr);
  assert.match(r.stderr, /timed out after 1 s/);
});

// A tracer may be slow to reach its wait, preempted or busy: a signal that
// arrives between its last look at its signals and the moment it blocks must
// not be lost. This library, preloaded into vmt-trace only, makes that gap
// last 1.5 s whenever the tracer is about to block with nothing to report —
// the --timeout of 1 s falls into it while the program spins without a
// single system call (so no later tracee event would wake the tracer).
const GAP_C = `#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int tracer(void) { return strncmp(program_invocation_short_name, "vmt-trace", 9) == 0; }

/* 1.5 s of nothing, unless a tracee event is already waiting; signals may arrive meanwhile */
static void gap(void)
{
	int saved = errno;
	for (int i = 0; tracer() && i < 1500; i++) {
		siginfo_t si = { 0 };
		if (syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL, NULL) != 0 || si.si_pid != 0)
			break;
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	errno = saved;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))
pid_t waitpid(pid_t pid, int *st, int options)
{
	if (!(options & WNOHANG))
		gap();
	return NEXT(waitpid)(pid, st, options);
}
pid_t wait4(pid_t pid, int *st, int options, struct rusage *ru)
{
	if (!(options & WNOHANG))
		gap();
	return NEXT(wait4)(pid, st, options, ru);
}
int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *t)
{
	if (!t || t->tv_sec || t->tv_nsec)
		gap();
	return NEXT(sigtimedwait)(set, info, t);
}
int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	gap();
	return NEXT(sigwaitinfo)(set, info);
}
int sigsuspend(const sigset_t *mask)
{
	gap();
	return NEXT(sigsuspend)(mask);
}
`;

test('--timeout is not lost when the signal comes just before the tracer blocks (exit 124, not a hang)', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'gap.c'), GAP_C);
  const cc = spawnSync(process.env.CC || 'cc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', join(dir, 'gap.so'), join(dir, 'gap.c'), '-ldl'], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const r = spawnSync(SIM[0]!, [...SIM.slice(1), 'sim', '--timeout', '1', '--', 'sh', '-c', 'while :; do :; done'], {
    encoding: 'utf8',
    env: { ...process.env, LD_PRELOAD: join(dir, 'gap.so') },
    timeout: 60_000,
  });
  assert.equal(r.error, undefined, 'the sim ended by itself, it did not hang until the test stopped it after 60 s');
  assert.equal(r.status, 124, r.stderr);
  assert.match(r.stderr, /timed out after 1 s/);
});
