// `vmt tclo listen` under `vmt sim`: the guest end of TCLO driven by a
// scripted host, checked from both ends (the sim's transcript and vmt's
// --json events), and side by side with open-vm-tools' vmtoolsd.
//
// Safety: power operations only ever run hooks written here and, for
// --power-ops system, a fake `shutdown` first in PATH that records its
// arguments; the sim refuses reboot and clock_settime (never pass
// --allow-set-clock here). vmtoolsd gets no power operation and no time sync
// command: it would run its own scripts and the real shutdown.
//
// Runs are asynchronous so that independent ones overlap (the file stays well
// under a minute on 2 cores). Each run gets its own XDG_RUNTIME_DIR (the pid
// file vmt keeps per app). Runs that are not about conflicts pass --force: a
// vmtoolsd started at the same time by another test on this machine (ours in
// the side-by-side test, or open-vm-tools.test.ts) would otherwise make the
// agent refuse to start, as it should.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces, uptime } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CAP_SYS_TIME, hasCapability, readProcStatus } from '../../../src/detect/proc.js';
import { runtimes } from '../../helpers.js';
import { ROOT, SIM, tmp } from '../../sim/sim-helpers.js';

const RT = runtimes();
/** The vmt under test: the standalone binary (node only when it is not built). */
const VMT = RT.binary ?? RT.node!;
const NODE = RT.node!;
const RUNTIMES: [string, string[]][] = [[RT.binary ? 'binary' : 'node', VMT], ...(RT.binary ? [['node', NODE] as [string, string[]]] : [])];

type Entry = Record<string, unknown>;

interface Agent {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  transcript: Entry[];
  /** stdout as JSON lines (vmt --json) */
  events: Entry[];
  ms: number;
  dir: string;
}

interface Started {
  child: ChildProcess;
  file: string;
  dir: string;
  done: Promise<Agent>;
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function lines(text: string): Entry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as Entry;
      } catch {
        throw new Error(`not a JSON line: ${l.slice(0, 300)}`);
      }
    });
}

const readTranscript = (file: string): Entry[] => (existsSync(file) ? lines(readFileSync(file, 'utf8')) : []);

/** vmt sim --transcript FILE [simArgs] -- program, asynchronously; XDG_RUNTIME_DIR is the run's own directory unless env says otherwise. */
function start(simArgs: string[], program: string[], env: NodeJS.ProcessEnv = {}): Started {
  const dir = tmp('vmt-tclo-');
  dirs.push(dir);
  const file = join(dir, 'transcript.jsonl');
  const t0 = performance.now();
  const child = spawn(SIM[0]!, [...SIM.slice(1), 'sim', '--transcript', file, ...simArgs, '--', ...program], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', XDG_RUNTIME_DIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Agent>((resolve, reject) => {
    const guard = setTimeout(() => child.kill('SIGKILL'), 45_000); // the last resort; every run has its own --timeout
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(guard);
      let events: Entry[] = [];
      try {
        events = lines(stdout);
      } catch {
        // not --json: events stay empty
      }
      resolve({ status, signal, stdout, stderr, transcript: readTranscript(file), events, ms: performance.now() - t0, dir });
    });
  });
  return { child, file, dir, done };
}

/** vmt tclo listen ARGS under the sim. */
const listen = (simArgs: string[], args: string[], opts: { vmt?: string[]; env?: NodeJS.ProcessEnv } = {}) =>
  start(['--timeout', '20', ...simArgs], [...(opts.vmt ?? VMT), 'tclo', 'listen', ...args], opts.env).done;

const tcloFlags = (commands: string[]) => commands.flatMap((c) => ['--tclo', c]);
const of = (a: Agent, t: string) => a.transcript.filter((e) => e.t === t);
/** [command, reply] of every TCLO exchange the host saw */
const exchanges = (a: Agent) => of(a, 'tclo').map((e) => [e.command, e.reply]);
const requests = (a: Agent) => of(a, 'rpci').map((e) => e.request as string);
const statechanges = (a: Agent) => requests(a).filter((r) => r.startsWith('tools.os.statechange.status '));
const events = (a: Agent, type: string) => a.events.filter((e) => e.type === type);
const commands = (a: Agent) => events(a, 'command').map((e) => [e.command, e.reply]);
const tcloCloses = (a: Agent) => of(a, 'channel').filter((e) => e.event === 'close' && e.protocol === 'TCLO');
const tcloOpens = (a: Agent) => of(a, 'channel').filter((e) => e.event === 'open' && e.protocol === 'TCLO');
const show = (a: Agent) => `status ${a.status}; stderr: ${a.stderr.slice(0, 2000)}`;

/** This machine's non-loopback IPv4 addresses (what Set_Option broadcastIP 1 may report). */
const IPV4 = Object.entries(networkInterfaces())
  .filter(([name]) => !name.startsWith('lo'))
  .flatMap(([, addrs]) => (addrs ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));

/** Waits until the transcript file has a line matching re (the agent is up), or throws. */
async function until(s: Started, re: RegExp, what: string, ms = 15_000): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (existsSync(s.file) && re.test(readFileSync(s.file, 'utf8'))) return;
    if (s.child.exitCode !== null || s.child.signalCode !== null) throw new Error(`${what}: the sim ended first (status ${s.child.exitCode})`);
    await sleep(50);
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

/** A fake `shutdown` first in PATH: it records its arguments to DIR/shutdown.txt and logs them to the host (RPCI), so the transcript orders it. */
function fakeShutdown(): { PATH: string; record: string } {
  const dir = tmp('vmt-tclo-fake-');
  dirs.push(dir);
  const record = join(dir, 'shutdown.txt');
  writeFileSync(join(dir, 'shutdown'), `#!/bin/sh\nvmware-rpctool "log fake-shutdown $*" >/dev/null 2>&1\nprintf '%s\\n' "$*" >> '${record}'\n`);
  chmodSync(join(dir, 'shutdown'), 0o755);
  return { PATH: `${dir}:${process.env.PATH}`, record };
}

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'open-vm-tools']);
});

const OPS = [
  ['OS_Halt', 'halt', 1],
  ['OS_Reboot', 'reboot', 2],
  ['OS_PowerOn', 'poweron', 3],
  ['OS_Suspend', 'suspend', 5],
  ['OS_Resume', 'resume', 4],
] as const;

test('replies (binary and node): reset, ping, Capabilities_Register and its RPCIs, Set_Option broadcastIP 1 (guestinfo.ip), Set_Option synctime 0, an unknown command', async () => {
  const script = ['ping', 'Capabilities_Register', 'Set_Option broadcastIP 1', 'Set_Option synctime 0', 'no_such_command'];
  const runs = await Promise.all(RUNTIMES.map(([, vmt]) => listen(tcloFlags(script), ['--json', '--exit-after', '6', '--force'], { vmt })));
  for (const [i, a] of runs.entries()) {
    const rt = RUNTIMES[i]![0];
    assert.equal(a.status, 0, `${rt}: ${show(a)}`);
    const expected = [
      ['reset', 'OK ATR toolbox'],
      ['ping', 'OK '],
      ['Capabilities_Register', 'OK '],
      ['Set_Option broadcastIP 1', IPV4.length ? 'OK ' : 'ERROR Unable to find guest IP address'],
      ['Set_Option synctime 0', 'OK '],
      ['no_such_command', 'ERROR Unknown command'],
    ];
    assert.deepEqual(exchanges(a), expected, `${rt}: the host's transcript`);
    assert.deepEqual(commands(a), expected, `${rt}: vmt's --json events`);
    assert.equal(of(a, 'tclo')[0]!.handshake, true);
    assert.equal(of(a, 'tclo')[0]!.atr, 'toolbox');
    assert.deepEqual(a.events[0], { type: 'channel', event: 'open', at: a.events[0]!.at });
    for (const e of a.events) assert.ok(!Number.isNaN(Date.parse(e.at as string)), `${rt}: an ISO time in ${JSON.stringify(e)}`);

    // the registration RPCIs, in order, while Capabilities_Register is handled (before its reply reaches the host)
    const rq = requests(a);
    assert.deepEqual(rq.slice(0, 3), ['vmx.capability.unified_loop toolbox', 'tools.capability.statechange ', 'tools.set.version 2147483647'], rt);
    const up = /^SetGuestInfo {2}7 (\d+)00$/.exec(rq[3] ?? '');
    assert.ok(up, `${rt}: SetGuestInfo  7 <uptime>00, not ${rq[3]}`);
    assert.ok(Math.abs(Number(up[1]) - uptime()) < 30, `${rt}: uptime ${up[1]} s vs ${uptime()} s`);
    const order = a.transcript.filter((e) => e.t === 'tclo' || e.t === 'rpci').map((e) => (e.t === 'tclo' ? `tclo ${e.command}` : `rpci ${e.request}`));
    assert.ok(order.indexOf('rpci tools.set.version 2147483647') > order.indexOf('tclo ping'));
    assert.ok(order.indexOf('rpci tools.set.version 2147483647') < order.indexOf('tclo Capabilities_Register'));
    for (const e of of(a, 'rpci')) assert.equal(e.reply, '1 ', `${rt}: the host accepted ${e.request}`);

    // Set_Option broadcastIP 1: one info-set guestinfo.ip with an IPv4 address of this machine, sent before the reply
    const ip = rq.filter((r) => r.startsWith('info-set guestinfo.ip'));
    if (IPV4.length) {
      assert.equal(ip.length, 1, `${rt}: ${rq.join(' | ')}`);
      const addr = ip[0]!.slice('info-set guestinfo.ip '.length);
      assert.match(addr, /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
      assert.ok(IPV4.includes(addr) && !addr.startsWith('127.'), `${rt}: ${addr} is one of ${IPV4.join(', ')}`);
      assert.ok(order.indexOf(`rpci ${ip[0]}`) < order.indexOf('tclo Set_Option broadcastIP 1'));
    } else assert.deepEqual(ip, []);
    assert.equal(rq.length, 4 + ip.length, `${rt}: no other RPCI (synctime 0 and the unknown command send nothing): ${rq.join(' | ')}`);

    // --exit-after: the last reply still went out, then vmt closed the channel itself
    assert.deepEqual(tcloCloses(a).map((e) => e.reason), ['guest'], rt);
  }
});

test('power operations with a hook: it runs with VMT_POWER_OP/STATE and VMT_TCLO_COMMAND, and the host gets "1 <state>"', async () => {
  const fake = fakeShutdown();
  const hook = 'printf "%s %s %s\\n" "$VMT_POWER_OP" "$VMT_POWER_STATE" "$VMT_TCLO_COMMAND" >> "$HOOK_LOG"';
  const log = join(tmp('vmt-tclo-hook-'), 'hooks.txt');
  dirs.push(join(log, '..'));
  // --tclo-interval: each op arrives after the previous hook is done (else "State change already in progress", tested below)
  const a = await listen(
    [...tcloFlags(OPS.map(([c]) => c)), '--tclo-interval', '500'],
    ['--json', '--exit-after', '6', '--force', ...OPS.flatMap(([, op]) => [`--on-${op}`, hook])],
    { env: { PATH: fake.PATH, HOOK_LOG: log } },
  );
  assert.equal(a.status, 0, show(a));
  assert.deepEqual(exchanges(a), [['reset', 'OK ATR toolbox'], ...OPS.map(([c]) => [c, 'OK '])]);
  assert.deepEqual(readFileSync(log, 'utf8').split('\n').filter(Boolean), OPS.map(([c, op, state]) => `${op} ${state} ${c}`), 'each hook ran once, in order');
  assert.deepEqual(statechanges(a), OPS.map(([, , state]) => `tools.os.statechange.status 1 ${state}`));
  assert.deepEqual(
    events(a, 'power').map((e) => [e.op, e.ok, (e.hook as Entry | null)?.status, e.reported, 'system' in e]),
    OPS.map(([, op]) => [op, true, 0, true, false]),
  );
  assert.ok(!existsSync(fake.record), '--power-ops none: shutdown never ran');
});

test('power operations without a hook: nothing runs (not even shutdown from PATH) and the host gets "0 <state>" at once', async () => {
  const fake = fakeShutdown();
  const a = await listen(tcloFlags(OPS.map(([c]) => c)), ['--json', '--exit-after', '6', '--force'], { env: { PATH: fake.PATH } });
  assert.equal(a.status, 0, show(a));
  assert.deepEqual(exchanges(a), [['reset', 'OK ATR toolbox'], ...OPS.map(([c]) => [c, 'OK '])]);
  assert.deepEqual(statechanges(a), OPS.map(([, , state]) => `tools.os.statechange.status 0 ${state}`));
  assert.deepEqual(events(a, 'power').map((e) => [e.op, e.ok, e.hook, e.reported]), OPS.map(([, op]) => [op, false, null, true]));
  // "at once": each status precedes the reply to its command in the host's transcript
  const order = a.transcript.filter((e) => e.t === 'tclo' || e.t === 'rpci').map((e) => (e.t === 'tclo' ? `tclo ${e.command}` : `rpci ${e.request}`));
  for (const [c, , state] of OPS) assert.ok(order.indexOf(`rpci tools.os.statechange.status 0 ${state}`) < order.indexOf(`tclo ${c}`), c);
  assert.ok(!existsSync(fake.record), 'shutdown never ran');
});

test('power hooks: a failing hook is reported failed; host text never reaches the shell; a hook past --hook-timeout is killed; a second op meanwhile is refused', async () => {
  const d = tmp('vmt-tclo-inject-');
  dirs.push(d);
  const injected = `OS_Halt $(touch ${d}/pwned1); touch ${d}/pwned2 \`touch ${d}/pwned3\` && "$(touch ${d}/pwned4)"`;
  const [failing, plain, injection, slow, busy] = await Promise.all([
    listen(tcloFlags(['OS_Halt']), ['--json', '--exit-after', '2', '--force', '--on-halt', 'exit 3']),
    listen(tcloFlags(['OS_Halt']), ['--json', '--exit-after', '2', '--force', '--on-halt', `printf %s "$VMT_TCLO_COMMAND" > ${d}/plain`]),
    listen(tcloFlags([injected]), ['--json', '--exit-after', '2', '--force', '--on-halt', `printf %s "$VMT_TCLO_COMMAND" > ${d}/injected`]),
    listen(tcloFlags(['OS_Halt']), ['--json', '--exit-after', '2', '--force', '--on-halt', `sleep 30; touch ${d}/slept`, '--hook-timeout', '0.5']),
    listen(tcloFlags(['OS_Halt', 'OS_Reboot']), ['--json', '--exit-after', '3', '--force', '--on-halt', 'sleep 2', '--on-reboot', `touch ${d}/rebooted`]),
  ]);
  for (const a of [failing, plain, injection, slow, busy]) assert.equal(a.status, 0, show(a));

  assert.deepEqual(exchanges(failing).at(-1), ['OS_Halt', 'OK ']);
  assert.deepEqual(statechanges(failing), ['tools.os.statechange.status 0 1'], 'exit 3: failed');
  assert.equal((events(failing, 'power')[0]!.hook as Entry).status, 3);
  assert.equal(events(failing, 'power')[0]!.ok, false);

  assert.equal(readFileSync(join(d, 'plain'), 'utf8'), 'OS_Halt');
  assert.deepEqual(statechanges(plain), ['tools.os.statechange.status 1 1']);

  assert.deepEqual(exchanges(injection).at(-1), [injected, 'OK ']);
  assert.equal(readFileSync(join(d, 'injected'), 'utf8'), 'OS_Halt', 'the hook sees the operation, not the host text');
  assert.deepEqual(readdirSync(d).filter((f) => f.startsWith('pwned')), [], 'nothing the host sent was run');

  const ran = events(slow, 'power')[0]!;
  assert.equal(ran.ok, false);
  assert.equal((ran.hook as Entry).timedOut, true);
  assert.equal((ran.hook as Entry).signal, 'SIGTERM');
  assert.deepEqual(statechanges(slow), ['tools.os.statechange.status 0 1'], 'timed out: failed');
  assert.ok(slow.ms < 10_000, `killed after --hook-timeout 0.5, not after 30 s (${Math.round(slow.ms)} ms)`);
  assert.ok(!existsSync(join(d, 'slept')));

  assert.deepEqual(exchanges(busy), [['reset', 'OK ATR toolbox'], ['OS_Halt', 'OK '], ['OS_Reboot', 'ERROR State change already in progress']]);
  assert.deepEqual(statechanges(busy), ['tools.os.statechange.status 1 1']);
  assert.ok(!existsSync(join(d, 'rebooted')), 'the refused reboot ran nothing');
});

test('--power-ops system: halt and reboot try `shutdown -h now` / `shutdown -r now` only after the status reached the host (the sim refuses the shutdown itself); not after a failed hook', async () => {
  const [fake, fake2] = [fakeShutdown(), fakeShutdown()];
  const [a, failed] = await Promise.all([
    listen([...tcloFlags(['OS_Halt', 'OS_Reboot']), '--tclo-interval', '300'], ['--json', '--exit-after', '3', '--force', '--power-ops', 'system'], { env: { PATH: fake.PATH } }),
    listen(tcloFlags(['OS_Halt']), ['--json', '--exit-after', '2', '--force', '--power-ops', 'system', '--on-halt', 'exit 1'], { env: { PATH: fake2.PATH } }),
  ]);
  // a failing hook stops the system action: the host hears "0 1" and nothing halts
  assert.equal(failed.status, 0, show(failed));
  assert.deepEqual(statechanges(failed), ['tools.os.statechange.status 0 1']);
  assert.ok(!existsSync(fake2.record), 'no shutdown after a failed hook');
  assert.equal(events(failed, 'power')[0]!.system, undefined);
  assert.equal(a.status, 0, show(a));
  assert.deepEqual(exchanges(a), [['reset', 'OK ATR toolbox'], ['OS_Halt', 'OK '], ['OS_Reboot', 'OK ']]);
  // the sim's guard refuses to exec anything named shutdown, even the fake: vmt tried, nothing ran
  assert.ok(!existsSync(fake.record), 'the sim refused the shutdown exec');
  assert.match(a.stderr, /refused pid \d+'s exec of \S*shutdown -h/);
  assert.match(a.stderr, /refused pid \d+'s exec of \S*shutdown -r/);
  const rq = requests(a);
  assert.deepEqual(rq.filter((r) => r.startsWith('tools.os.statechange.status')), ['tools.os.statechange.status 1 1', 'tools.os.statechange.status 1 2'], 'each status reached the host');
  assert.deepEqual(
    events(a, 'power').map((e) => [e.op, e.ok, e.hook, (e.system as Entry).command, (e.system as Entry).status]),
    [['halt', true, null, 'shutdown -h now', 126], ['reboot', true, null, 'shutdown -r now', 126]],
    'the system action was tried after the status, and could not be executed (126)',
  );
});

test('a host reset in the middle: "OK ATR toolbox" again and the agent keeps going; --app other: "OK ATR other"', async () => {
  const [again, other] = await Promise.all([
    listen(tcloFlags(['ping', 'reset', 'ping']), ['--json', '--exit-after', '4', '--force']),
    listen(tcloFlags(['ping']), ['--json', '--exit-after', '2', '--app', 'other']),
  ]);
  assert.equal(again.status, 0, show(again));
  const expected = [['reset', 'OK ATR toolbox'], ['ping', 'OK '], ['reset', 'OK ATR toolbox'], ['ping', 'OK ']];
  assert.deepEqual(exchanges(again), expected);
  assert.deepEqual(commands(again), expected);
  assert.deepEqual(of(again, 'tclo').map((e) => [e.atr, e.handshake]), [['toolbox', true], [undefined, undefined], ['toolbox', undefined], [undefined, undefined]]);
  assert.equal(other.status, 0, show(other));
  assert.deepEqual(exchanges(other), [['reset', 'OK ATR other'], ['ping', 'OK ']]);
  assert.equal(of(other, 'tclo')[0]!.atr, 'other');
});

test('garbage and a 60 KiB command: "ERROR Unknown command", no power operation, no crash', async () => {
  const big = 'garbage 60KiB '.repeat(5000).slice(0, 60 * 1024);
  const garbage = ['\x01\x02\x7f garbage', '\u00ff\u00fe\u2603', ' ', '  ping', 'PING', 'ping\t', 'os_halt', 'OS_HALT', 'OS_Halt_', 'reset\x1b[31m', '%s%n%x', big];
  const a = await listen(tcloFlags([...garbage, 'ping']), ['--json', '--exit-after', String(garbage.length + 2), '--force']);
  assert.equal(a.status, 0, show(a));
  // a command with no name (leading space) is "ERROR Bad command", as vmtoolsd answers it
  const expected = [['reset', 'OK ATR toolbox'], ...garbage.map((g) => [g, g.startsWith(' ') ? 'ERROR Bad command' : 'ERROR Unknown command']), ['ping', 'OK ']];
  assert.deepEqual(exchanges(a), expected);
  assert.deepEqual(commands(a), expected);
  assert.equal(Buffer.byteLength(events(a, 'command').at(-2)!.command as string), 60 * 1024, 'the whole command arrived');
  assert.deepEqual(events(a, 'power'), []);
  assert.deepEqual(statechanges(a), []);
  assert.equal(tcloOpens(a).length, 1, 'one channel throughout: nothing broke it');
});

test('SIGTERM (binary and node): vmt closes the channel itself and exits 143 through the sim; its pid file is removed', async () => {
  const started = RUNTIMES.map(([, vmt]) => start(['--timeout', '20'], [...vmt, 'tclo', 'listen', '--json', '--app', 'term']));
  await Promise.all(started.map((s, i) => until(s, /"handshake":true/, `${RUNTIMES[i]![0]}: the reset handshake`)));
  const pids = started.map((s) => readFileSync(join(s.dir, 'vmt-tclo-term.pid'), 'utf8').trim());
  for (const s of started) s.child.kill('SIGTERM'); // the sim (by its pid); it forwards the signal to vmt
  const t0 = performance.now();
  const runs = await Promise.all(started.map((s) => s.done));
  assert.ok(performance.now() - t0 < 5000, 'ended promptly');
  for (const [i, a] of runs.entries()) {
    const rt = RUNTIMES[i]![0];
    assert.equal(a.status, 143, `${rt}: ${show(a)}`);
    assert.deepEqual(exchanges(a).slice(0, 1), [['reset', 'OK ATR term']], rt);
    assert.deepEqual(tcloCloses(a).map((e) => e.reason), ['guest'], `${rt}: vmt closed the channel, the host did not have to`);
    assert.equal(String(tcloOpens(a)[0]!.pid), pids[i], `${rt}: the pid file named the agent`);
    assert.ok(!existsSync(join(a.dir, 'vmt-tclo-term.pid')), `${rt}: pid file removed`);
    assert.deepEqual(commands(a)[0], ['reset', 'OK ATR term']);
  }
});

test('--exit-after and --timeout stop the agent with exit 0; bad input is exit 2 with the usage line', async () => {
  const bad = [['--exit-after', '0'], ['--timeout', 'x'], ['--power-ops', 'bogus'], ['--app', 'a b'], ['--hook-timeout', '0'], ['--clock-sync', '-1']];
  const [exitAfter, timeout, ...usage] = await Promise.all([
    listen(tcloFlags(['ping', 'ping', 'ping']), ['--json', '--exit-after', '2', '--force']),
    listen([], ['--json', '--timeout', '1', '--force']),
    ...bad.map((args) => listen([], ['--force', ...args])),
  ]);
  assert.equal(exitAfter.status, 0, show(exitAfter));
  assert.deepEqual(commands(exitAfter), [['reset', 'OK ATR toolbox'], ['ping', 'OK ']]);
  assert.deepEqual(exchanges(exitAfter).slice(0, 2), [['reset', 'OK ATR toolbox'], ['ping', 'OK ']], 'the last reply was sent');
  assert.equal(timeout.status, 0, show(timeout));
  assert.ok(timeout.ms >= 1000 && timeout.ms < 8000, `--timeout 1 took ${Math.round(timeout.ms)} ms`);
  assert.deepEqual(tcloCloses(timeout).map((e) => e.reason), ['guest']);
  for (const [i, a] of usage.entries()) {
    assert.equal(a.status, 2, `${bad[i]!.join(' ')}: ${show(a)}`);
    assert.match(a.stderr, /^Usage: vmt tclo listen \[--app NAME\]/m, bad[i]!.join(' '));
    assert.equal(a.stdout, '');
    assert.deepEqual(tcloOpens(a), [], `${bad[i]!.join(' ')}: refused before touching the channel`);
  }
});

test('conflicts: a process named vmtoolsd makes vmt exit 3 naming it (--force runs anyway); a second listener for the same app exits 3; a stale pid file is taken over', async () => {
  const d = tmp('vmt-tclo-fake-vmtoolsd-');
  dirs.push(d);
  copyFileSync('/bin/sleep', join(d, 'vmtoolsd'));
  chmodSync(join(d, 'vmtoolsd'), 0o755);
  const fake = spawn(join(d, 'vmtoolsd'), ['300'], { stdio: 'ignore' });
  try {
    const comm = `/proc/${fake.pid}/comm`;
    for (let i = 0; i < 100 && !(existsSync(comm) && readFileSync(comm, 'utf8').trim() === 'vmtoolsd'); i++) await sleep(20);
    const [refused, forced, otherApp] = await Promise.all([
      listen(tcloFlags(['ping']), ['--exit-after', '2']),
      listen(tcloFlags(['ping']), ['--exit-after', '2', '--force']),
      listen(tcloFlags(['ping']), ['--exit-after', '2', '--app', 'toolbox-dnd']),
    ]);
    assert.equal(refused.status, 3, show(refused));
    const named = /owned by another agent \(vmtoolsd, pid (\d+)\); stop it .*--force/.exec(refused.stderr);
    assert.ok(named, refused.stderr);
    // ours, unless another vmtoolsd runs on this machine right now (then vmt may name that one)
    assert.ok(named[1] === String(fake.pid) || readFileSync(`/proc/${named[1]}/comm`, 'utf8').trim() === 'vmtoolsd', `pid ${named[1]} (ours: ${fake.pid})`);
    assert.deepEqual(tcloOpens(refused), [], 'refused before opening TCLO');
    assert.equal(forced.status, 0, show(forced));
    assert.deepEqual(exchanges(forced), [['reset', 'OK ATR toolbox'], ['ping', 'OK ']]);
    assert.equal(otherApp.status, 0, `vmtoolsd owns app toolbox only: ${show(otherApp)}`);
    assert.deepEqual(exchanges(otherApp)[0], ['reset', 'OK ATR toolbox-dnd']);
  } finally {
    fake.kill('SIGKILL'); // by its pid
  }

  // two vmt listeners for one app, sharing a runtime directory
  const shared = tmp('vmt-tclo-run-');
  dirs.push(shared);
  const env = { XDG_RUNTIME_DIR: shared };
  const pidFile = join(shared, 'vmt-tclo-dup.pid');
  const first = start(['--timeout', '20'], [...VMT, 'tclo', 'listen', '--json', '--app', 'dup', '--timeout', '4'], env);
  await until(first, /"handshake":true/, 'the first listener');
  const second = await listen(tcloFlags(['ping']), ['--app', 'dup', '--exit-after', '2'], { env });
  const one = await first.done;
  assert.equal(second.status, 3, show(second));
  const agentPid = tcloOpens(one)[0]!.pid;
  assert.match(second.stderr, new RegExp(`owned by another agent \\(vmt tclo listen, pid ${agentPid}\\); stop it \\(kill ${agentPid}\\)`));
  assert.deepEqual(tcloOpens(second), []);
  assert.equal(one.status, 0, `the first ran on, to its --timeout: ${show(one)}`);
  assert.ok(!existsSync(pidFile), 'the first removed its pid file');

  // a pid file left by a process that is gone does not block
  const dead = spawnSync('true').pid;
  writeFileSync(pidFile, `${dead}\n`);
  const third = await listen(tcloFlags(['ping']), ['--app', 'dup', '--exit-after', '2'], { env });
  assert.equal(third.status, 0, show(third));
  assert.ok(!existsSync(pidFile));
});

// Side by side with open-vm-tools' vmtoolsd on the same simulated host: only
// commands that are safe to give it (no power operation, no time sync).
const AGREE = ['ping', 'Capabilities_Register', 'Set_Option broadcastIP 1', 'Set_Option synctime 0', 'reset', 'ping extra', ' ', 'Set_Option'];
// Where the replies differ: an unknown command. vmtoolsd says "ERROR Unknown Command"
// (GUEST_RPC_UNKNOWN_COMMAND); vmt says "ERROR Unknown command", as the BSD vmt(4)
// drivers do and as the TCLO issue asks.
const DIFFER = ['no_such_command'];

test('side by side with vmtoolsd: the same replies to reset, ping, Capabilities_Register, Set_Option broadcastIP 1 / synctime 0, a second reset', async (t) => {
  const script = [...AGREE, ...DIFFER];
  const [theirs, ours] = await Promise.all([
    start(['--timeout', '4', ...tcloFlags(script)], ['vmtoolsd']).done,
    listen(tcloFlags(script), ['--json', '--exit-after', String(script.length + 1), '--force']),
  ]);
  assert.equal(theirs.status, 124, `vmtoolsd runs until --timeout: ${show(theirs)}`);
  assert.equal(ours.status, 0, show(ours));
  const reply = (a: Agent) => new Map(of(a, 'tclo').filter((e) => !e.handshake).map((e) => [e.command as string, e.reply as string]));
  const [r, o] = [reply(theirs), reply(ours)];
  assert.equal(of(theirs, 'tclo')[0]!.reply, 'OK ATR toolbox');
  assert.equal(of(ours, 'tclo')[0]!.reply, 'OK ATR toolbox');
  for (const c of AGREE) {
    assert.ok(r.has(c), `vmtoolsd answered ${JSON.stringify(c)} within its 4 s`);
    assert.equal(o.get(c), r.get(c), `reply to ${JSON.stringify(c)}`);
  }
  for (const c of DIFFER) t.diagnostic(`differs: ${JSON.stringify(c)}: vmtoolsd ${JSON.stringify(r.get(c))}, vmt ${JSON.stringify(o.get(c))}`);

  // the RPCIs both send: the unified loop, the statechange capability, and the same guestinfo.ip
  for (const rq of ['vmx.capability.unified_loop toolbox', 'tools.capability.statechange ']) {
    assert.ok(requests(theirs).includes(rq), `vmtoolsd: ${rq}`);
    assert.ok(requests(ours).includes(rq), `vmt: ${rq}`);
  }
  const ip = (a: Agent) => requests(a).filter((q) => q.startsWith('info-set guestinfo.ip '));
  if (IPV4.length === 1) assert.deepEqual(ip(ours), ip(theirs), 'one address on this machine: both report it');
  else assert.equal(ip(ours).length, ip(theirs).length);
});

test('--clock-sync under the sim (host 1 h ahead): offsets of -3.6e9 µs, never stepped ("not permitted"), and a sync after OS_Resume', async () => {
  const wall0 = Date.now();
  const mono0 = performance.now();
  const a = await listen(['--clock-offset', '3600', ...tcloFlags(['OS_Resume']), '--tclo-interval', '300'], ['--json', '--exit-after', '2', '--force', '--clock-sync', '1']);
  assert.equal(a.status, 0, show(a));
  const clock = events(a, 'clock');
  assert.ok(clock.length >= 2, JSON.stringify(clock));
  for (const e of clock) {
    assert.ok(Math.abs((e.offsetUs as number) + 3.6e9) < 2e6, `offset ${e.offsetUs} µs`);
    assert.equal(e.stepped, false);
    assert.match(e.message as string, /not permitted/);
    // as root the refusal is the sim's, and vmt says so (the same words as gettime --set)
    if (hasCapability(readProcStatus(), CAP_SYS_TIME)) assert.match(e.message as string, /: not permitted \(vmt sim refused it; .*--allow-set-clock\)$/);
  }
  assert.equal(clock[0]!.reason, 'period');
  const resume = a.events.findIndex((e) => e.type === 'clock' && e.reason === 'OS_Resume');
  assert.ok(resume >= 0, 'a sync for OS_Resume');
  assert.ok(resume < a.events.findIndex((e) => e.type === 'power' && e.op === 'resume'), 'before the resume is reported');
  assert.deepEqual(statechanges(a), ['tools.os.statechange.status 0 4']);
  // the safety net held: this machine's clock moved with the monotonic one
  assert.ok(Math.abs(Date.now() - wall0 - (performance.now() - mono0)) < 1000, 'the clock was not stepped');
});

// Found here: on --hook-timeout vmt kills the hook's `sh` only (child.kill in
// src/tclo/power.ts), not its process group, so what the hook started keeps
// running after the host was told the operation failed.
test('a timed-out hook is killed with everything it started', async () => {
  const d = tmp('vmt-tclo-orphan-');
  dirs.push(d);
  const a = await listen(tcloFlags(['OS_Halt']), ['--json', '--timeout', '3', '--force', '--on-halt', `(sleep 1.5; touch ${d}/survived) & wait`, '--hook-timeout', '0.5']);
  assert.equal(a.status, 0, show(a));
  assert.deepEqual(statechanges(a), ['tools.os.statechange.status 0 1']);
  assert.ok(!existsSync(join(d, 'survived')), "the hook's background job ran on after the timeout");
});

test('--report-hostname and --report-ip: SetGuestInfo 1 with the hostname and guestinfo.ip with the address, once while unchanged', async () => {
  const a = await listen([], ['--json', '--timeout', '1.5', '--force', '--report-hostname', '--report-ip']);
  assert.equal(a.status, 0, show(a));
  const rq = requests(a);
  assert.deepEqual(rq.filter((r) => r.startsWith('SetGuestInfo  1 ')), [`SetGuestInfo  1 ${hostname()}`]);
  const ip = rq.filter((r) => r.startsWith('info-set guestinfo.ip '));
  assert.equal(ip.length, 1, 'reported once: the address did not change');
  assert.match(ip[0]!, /^info-set guestinfo\.ip \d+\.\d+\.\d+\.\d+$/);
  assert.deepEqual(events(a, 'report').map((e) => e.ok), [true, true]);
});

test("bad numbers are usage errors in vmt's words, on every runtime", async () => {
  const { assertUsage, everywhere } = await import('../helpers.js');
  const cases: [string[], RegExp][] = [
    [['--exit-after', '0'], /^vmt tclo listen: --exit-after wants a whole number of host commands ≥ 1, not "0"$/],
    [['--exit-after', '1.5'], /--exit-after wants a whole number/],
    [['--timeout', '-1'], /^vmt tclo listen: --timeout wants a number of seconds > 0, not "-1"$/],
    [['--clock-sync', 'soon'], /--clock-sync wants a number of seconds ≥ 0, not "soon"/],
    [['--power-ops', 'maybe'], /--power-ops wants one of none, system, not 'maybe'/],
  ];
  for (const [args, message] of cases) everywhere(['tclo', 'listen', ...args], (r) => assertUsage(r, message, args.join(' ')));
});

test('--report: the whole report after the handshake reset, then only what changed (the uptime) each --report-interval, and all of it again after a reset from the host', async () => {
  const a = await listen(['--tclo', 'reset', '--tclo-interval', '1200'], ['--json', '--timeout', '2.5', '--force', '--report', '--report-interval', '0.4']);
  assert.equal(a.status, 0, show(a));
  const order = a.transcript
    .filter((e) => e.t === 'tclo' || (e.t === 'rpci' && String(e.request).startsWith('SetGuestInfo  ')))
    .map((e) => (e.t === 'tclo' ? `tclo ${e.command}` : String(e.request).split(' ').slice(0, 3).join(' ')));
  // a TCLO entry is written when the guest's reply reaches the host: a reset's comes after the report its handling set off
  assert.equal(order.filter((o) => o === 'tclo reset').length, 2, order.join(' | '));
  const sent = order.filter((o) => o.startsWith('SetGuestInfo'));
  const full = ['SetGuestInfo  5', 'SetGuestInfo  6', 'SetGuestInfo  11', 'SetGuestInfo  1', 'SetGuestInfo  10', 'SetGuestInfo  7'];
  const starts = sent.flatMap((o, i) => (o === 'SetGuestInfo  5' ? [i] : []));
  assert.deepEqual(starts.length, 2, `a full report per reset: ${sent.join(' | ')}`);
  for (const at of starts) assert.deepEqual(sent.slice(at, at + 6), full);
  const rest = sent.filter((_, i) => !starts.some((at) => i >= at && i < at + 6));
  assert.ok(rest.length > 0 && rest.every((o) => o === 'SetGuestInfo  7'), `in between only the uptime: ${sent.join(' | ')}`);
  assert.equal(starts[0], 0, 'nothing before the first full report');
  assert.ok(order.indexOf('tclo reset') < order.lastIndexOf('SetGuestInfo  5'), 'the second full report follows the handshake');
  assert.ok(events(a, 'report').every((e) => e.ok === true));
  for (const e of of(a, 'rpci')) assert.equal(e.reply, '1 ', `the host accepted ${e.request}`);
});
