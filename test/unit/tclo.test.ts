// The TCLO agent in process, against the simulated host: the loop, the
// dispatch table, the sticky broken flag, clock sync with an injected setter.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostTime } from '../../src/backdoor/commands.js';
import type { Channel } from '../../src/guestrpc/index.js';
import { InProcessBackdoor } from '../../src/sim/inprocess.js';
import { defaultConfig, GuestInfoStore, parseFaults, SimHost, type TranscriptEntry } from '../../src/sim/host/index.js';
import { TcloAgent, guestIp, type AgentEvent, type AgentHost } from '../../src/tclo/agent.js';
import { otherOwner, ownerText } from '../../src/tclo/conflict.js';
import { backdoorHost, listen } from '../../src/tclo/listen.js';
import { nextDelay } from '../../src/tclo/backoff.js';
import { dispatch, HANDLERS, type HandlerContext } from '../../src/tclo/handlers.js';

function agentOn(tclo: string[], opts: { faults?: string; clockOffsetUs?: number; clockSyncSeconds?: number; exitAfter?: number } = {}) {
  const config = defaultConfig();
  config.tclo = tclo;
  if (opts.faults) config.faults = parseFaults(opts.faults);
  config.clockOffsetUs = opts.clockOffsetUs ?? 0;
  const transcript: TranscriptEntry[] = [];
  const events: AgentEvent[] = [];
  const steps: [number, number][] = [];
  const host = new SimHost(config, new GuestInfoStore(), (e) => transcript.push(e));
  let sleeps = 0;
  const agent = new TcloAgent(
    backdoorHost(new InProcessBackdoor(host)),
    { app: 'toolbox', exitAfter: opts.exitAfter ?? tclo.length + 1, power: { hooks: {}, system: false, timeoutMs: 1000 }, clockSyncSeconds: opts.clockSyncSeconds ?? 0, reportHostname: false, reportIp: false },
    {
      log: (e) => events.push(e),
      setClock: (s, us) => (steps.push([s, us]), 0),
      clockFacts: () => ({ capSysTime: false, tracer: null }),
      sleep: async () => {
        if (++sleeps > 500) agent.stop(); // a test must not spin forever
      },
    },
  );
  return { agent, transcript, events, steps };
}

test('backoff: 0 after a command, then 10, 20, 40, 80 and 100 ms while idle (vmtoolsd)', () => {
  const seq = [0];
  for (let i = 0; i < 6; i++) seq.push(nextDelay(seq.at(-1)!));
  assert.deepEqual(seq, [0, 10, 20, 40, 80, 100, 100]);
});

test('the dispatch table is sorted by name and answers as the real agents do', () => {
  const names = HANDLERS.map(([n]) => n);
  assert.deepEqual(names, [...names].sort());
  const rpcis: string[] = [];
  const ctx: HandlerContext = { app: 'toolbox', rpci: (c) => (rpcis.push(c), { ok: true, reply: '' }), guestIp: () => '192.0.2.7', power: () => 'OK ', uptime: () => 12.7 };
  assert.equal(dispatch('reset', ctx), 'OK ATR toolbox');
  assert.equal(dispatch('reset\0', ctx), 'OK ATR toolbox', 'a trailing NUL is not part of the command');
  assert.equal(dispatch('ping', ctx), 'OK ');
  assert.equal(dispatch('Set_Option synctime 0', ctx), 'OK ');
  assert.equal(dispatch('Set_Option broadcastIP 1', ctx), 'OK ');
  assert.equal(dispatch('Capabilities_Register', ctx), 'OK ');
  assert.deepEqual(rpcis, ['info-set guestinfo.ip 192.0.2.7', 'vmx.capability.unified_loop toolbox', 'tools.capability.statechange ', 'tools.set.version 2147483647', 'SetGuestInfo  7 1200']);
  assert.equal(dispatch('Set_Option broadcastIP 1', { ...ctx, guestIp: () => null }), 'ERROR Unable to find guest IP address');
  assert.equal(dispatch('Set_Option', ctx), 'ERROR Unknown or invalid option');
  assert.equal(dispatch(' ', ctx), 'ERROR Bad command');
  for (const junk of ['pingpong', 'PING', 'OS_Halt_now', '\u00ff\u0001', 'x'.repeat(60000)]) assert.equal(dispatch(junk, ctx), 'ERROR Unknown command');
});

test('guestIp: the first IPv4 of the first interface that is not a loopback', () => {
  const a = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal, netmask: '', mac: '', cidr: null }) as never;
  assert.equal(guestIp({ lo: [a('127.0.0.1', 'IPv4', true)], eth0: [a('fe80::1', 'IPv6'), a('192.0.2.5', 'IPv4')], eth1: [a('198.51.100.1', 'IPv4')] }), '192.0.2.5');
  assert.equal(guestIp({ lo: [a('127.0.0.1', 'IPv4', true)] }), null);
});

test('the agent in process: handshake, then the host commands in order, replies reach the host', async () => {
  const { agent, transcript, events } = agentOn(['ping', 'Set_Option synctime 1', 'nonsense', 'OS_Halt']);
  await agent.run();
  const tclo = transcript.filter((e) => e.t === 'tclo').map((e) => [e.command, e.reply]);
  assert.deepEqual(tclo, [['reset', 'OK ATR toolbox'], ['ping', 'OK '], ['Set_Option synctime 1', 'OK '], ['nonsense', 'ERROR Unknown command'], ['OS_Halt', 'OK ']]);
  assert.ok(transcript.some((e) => e.t === 'rpci' && e.request === 'tools.os.statechange.status 0 1'), 'no hook: the host is told the halt failed');
  assert.deepEqual(events.filter((e) => e.type === 'power').map((e) => [e.type === 'power' && e.op, e.type === 'power' && e.ok]), [['halt', false]]);
  const closes = transcript.filter((e) => e.t === 'channel').filter((e) => e.event === 'close' && e.protocol === 'TCLO');
  assert.equal(closes.length, 1, 'the TCLO channel is closed at the end');
  assert.equal(closes[0]!.reason, 'guest');
});

test('a broken channel (host timeout) is reopened and the agent handshakes again', async () => {
  const { agent, transcript, events } = agentOn(['ping', 'ping', 'ping'], { faults: 'timeout@6,timeout@14', exitAfter: 6 });
  await agent.run();
  assert.ok(events.some((e) => e.type === 'channel' && e.event === 'error'), 'the failure was seen');
  const opens = transcript.filter((e) => e.t === 'channel' && e.event === 'open' && e.protocol === 'TCLO').length;
  assert.ok(opens >= 2, `reopened (${opens} opens)`);
  // every new channel got its reset; the ones whose reply was cut by the fault are recorded as closed
  const resets = transcript.filter((e) => e.t === 'tclo').filter((e) => e.command === 'reset');
  assert.equal(resets.length, opens, 'a reset for every channel');
  assert.ok(resets.every((e) => e.reply === 'OK ATR toolbox' || e.closed === true));
  assert.equal(resets.at(-1)!.reply, 'OK ATR toolbox');
  assert.equal(transcript.filter((e) => e.t === 'tclo' && e.command === 'ping' && e.reply === 'OK ').length, 3, `every ping answered: ${JSON.stringify(transcript.filter((e) => e.t === 'tclo'))}`);
});

test('clock sync: steps to the host (through the injected setter) when beyond the max time lag, and after OS_Resume', async () => {
  const { agent, steps, events } = agentOn(['OS_Resume'], { clockOffsetUs: 3_600_000_000, clockSyncSeconds: 3600 });
  const before = Date.now() / 1000;
  await agent.run();
  const clock = events.filter((e) => e.type === 'clock');
  assert.deepEqual(clock.map((e) => e.type === 'clock' && e.reason), ['period', 'OS_Resume']);
  assert.equal(steps.length, 2);
  for (const [s] of steps) assert.ok(Math.abs(s - (before + 3600)) < 30, `stepped to ${s}`);
  assert.ok(clock.every((e) => e.type === 'clock' && e.stepped && Math.abs(e.offsetUs! + 3.6e9) < 30e6));
});

test('clock sync: within the max time lag nothing is stepped', async () => {
  const { agent, steps, events } = agentOn([], { clockOffsetUs: 200_000, clockSyncSeconds: 60, exitAfter: 1 });
  await agent.run();
  assert.equal(steps.length, 0);
  assert.match((events.find((e) => e.type === 'clock') as { message: string }).message, /within the host's max time lag/);
});

/** A host that is not the backdoor: TCLO hands out `commands` in turn, every RPCI gets "1 ". */
function memoryHost(commands: string[], hostTime: () => HostTime | null = () => null) {
  const replies: string[] = [];
  const rpcis: string[] = [];
  const enc = (t: string) => new TextEncoder().encode(t);
  const dec = (b: Uint8Array) => new TextDecoder().decode(b);
  const channel = (send: (m: Uint8Array) => void, receive: () => Uint8Array): Channel => ({ transport: 'vsock', open() {}, send, receive, close() {} });
  const host: AgentHost = {
    tcloChannel: () => channel((m) => void (m.length && replies.push(dec(m))), () => enc(commands.shift() ?? '')),
    rpciChannel: () => {
      let reply = '';
      return channel((m) => ((reply = '1 '), rpcis.push(dec(m))), () => enc(reply));
    },
    hostTime,
  };
  return { host, replies, rpcis };
}

const quiet = { log: () => {}, setClock: () => 0, clockFacts: () => ({ capSysTime: false, tracer: null }), sleep: async () => {} };
const opts = (exitAfter: number, clockSyncSeconds = 0) => ({ app: 'toolbox', exitAfter, power: { hooks: {}, system: false, timeoutMs: 1000 }, clockSyncSeconds, reportHostname: false, reportIp: false });

test('the agent knows no transport: channels from its AgentHost, whatever carries them', async () => {
  const { host, replies, rpcis } = memoryHost(['reset', 'ping', 'OS_Halt']);
  await new TcloAgent(host, opts(3), quiet).run();
  assert.deepEqual(replies, ['OK ATR toolbox', 'OK ', 'OK ']);
  assert.deepEqual(rpcis, ['tools.os.statechange.status 0 1'], 'the refused halt reported over an RPCI channel of the host');
});

test('clock sync: a refused step says why, from the clock facts (vmt sim\'s guard, not "needs root")', async () => {
  const events: AgentEvent[] = [];
  const ahead = (): HostTime => ({ seconds: Math.floor(Date.now() / 1000) + 3600, microseconds: 0, maxTimeLagUs: 1_000_000, interruptLagUs: 0, command: 'GETTIMEFULL_WITH_LAG' });
  const { host } = memoryHost(['reset'], ahead);
  const deps = { ...quiet, log: (e: AgentEvent) => events.push(e), setClock: () => -1, clockFacts: () => ({ capSysTime: true, tracer: 'vmt-trace' }) };
  await new TcloAgent(host, opts(1, 3600), deps).run();
  const clock = events.find((e) => e.type === 'clock');
  assert.ok(clock?.type === 'clock' && !clock.stepped);
  assert.match(clock.message, /^could not step the clock by 3\d{3}\.\d{6} s: not permitted \(vmt sim refused it; .*--allow-set-clock\)$/);
});

test('conflicts: the NetBSD kernel driver is freed with drvctl (vmt has no detach command)', () => {
  const look = (platform: NodeJS.Platform) => ({ platform, vmtoolsd: () => null, kernelVmt: () => true });
  const netbsd = otherOwner('toolbox', look('netbsd'));
  assert.equal(netbsd?.advice, 'detach it: drvctl -d vmt0');
  assert.equal(ownerText(netbsd!), 'the TCLO channel is owned by another agent (the kernel vmt(4) driver); detach it: drvctl -d vmt0');
  assert.equal(otherOwner('toolbox', look('openbsd'))?.advice, 'boot with vmt disabled (OpenBSD has no drvctl)');
  assert.equal(otherOwner('other-app', look('netbsd')), null, 'only the toolbox app has other agents');
  assert.deepEqual(otherOwner('toolbox', { platform: 'linux', vmtoolsd: () => 77, kernelVmt: () => false }), { agent: 'vmtoolsd', pid: 77, advice: 'stop it (systemctl stop open-vm-tools, or kill it)' });
});

test('listen: keeps the pid file while it runs and removes it after; a live owner of the pid file is returned, not overridden', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmt-listen-'));
  const saved = process.env.XDG_RUNTIME_DIR;
  process.env.XDG_RUNTIME_DIR = dir;
  try {
    const file = join(dir, 'vmt-tclo-unit.pid');
    const seen: string[] = [];
    const { host, replies } = memoryHost(['reset', 'ping']);
    const r = await listen(host, { ...opts(2), app: 'unit', force: false }, (e) => {
      if (e.type === 'command') seen.push(readFileSync(file, 'utf8'));
    });
    assert.deepEqual(r, { owner: null, signal: null });
    assert.deepEqual(replies, ['OK ATR unit', 'OK ']);
    assert.deepEqual(seen, [`${process.pid}\n`, `${process.pid}\n`], 'the pid file named this process while it listened');
    assert.ok(!existsSync(file), 'removed after');

    writeFileSync(file, `${process.ppid}\n`); // a live process (the test runner) holds it
    const other = memoryHost(['reset']);
    const refused = await listen(other.host, { ...opts(1), app: 'unit', force: false }, () => {});
    assert.deepEqual(refused, { owner: { agent: 'vmt tclo listen', pid: process.ppid, advice: `stop it (kill ${process.ppid})` } });
    assert.deepEqual(other.replies, [], 'nothing answered');
    assert.equal(readFileSync(file, 'utf8'), `${process.ppid}\n`, "the owner's pid file is left alone");

    const forced = memoryHost(['reset']);
    assert.deepEqual(await listen(forced.host, { ...opts(1), app: 'unit', force: true }, () => {}), { owner: null, signal: null });
    assert.deepEqual(forced.replies, ['OK ATR unit']);
    assert.equal(readFileSync(file, 'utf8'), `${process.ppid}\n`, '--force keeps no pid file and leaves the other one');
  } finally {
    if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
    else process.env.XDG_RUNTIME_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
