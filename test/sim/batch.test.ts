// `vmt rpc --batch` under `vmt sim`: the same replies as one `vmt rpc` per
// command, on one channel; under injected faults every reply right or
// reported as failed, none lost or carried out twice, a new channel after
// each fault that broke one; -0; a signal closes the channel.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonBytes } from '../../src/cli/output.js';
import { rpci, rpciChannel, rpciRequest } from '../../src/guestrpc/index.js';
import { defaultConfig, GuestInfoStore, SimHost } from '../../src/sim/host/index.js';
import { InProcessBackdoor } from '../../src/sim/inprocess.js';
import { entries, ROOT, sim, SIM, tmp, value, VMT, type SimRun } from './sim-helpers.js';

const BINARY = join(ROOT, 'dist/bin/vmt-linux-x64');
/** The program under the sim: the binary starts in ~20 ms, node in ~150; on node the equivalence runs fewer commands. */
const PROGRAM = existsSync(BINARY) ? [BINARY] : VMT;
const N = 1000;
/**
 * Single `vmt rpc` processes for the first SINGLES commands: each is a process
 * under ptrace (~40 ms for the binary on an idle machine, 250 on a loaded one),
 * so CI compares a prefix; VMT_BATCH_SINGLES=1000 runs all of them. All N are
 * compared with one-shot requests (a channel each, as `vmt rpc` sends) in process.
 */
const SINGLES = Number(process.env.VMT_BATCH_SINGLES ?? (existsSync(BINARY) ? 100 : 30));

/** The replies one-shot requests get, as `vmt rpc --json` prints them, from a fresh simulated host in process. */
function oneShot(commands: string[]): Record<string, unknown>[] {
  const host = new SimHost(defaultConfig(), new GuestInfoStore());
  const bd = new InProcessBackdoor(host);
  return commands.map((c) => {
    const r = rpci(rpciChannel(bd), rpciRequest(Buffer.from(c)));
    return { ok: r.ok, reply: jsonBytes(r.reply), transport: 'backdoor' };
  });
}

/** n mixed commands: sets (a few of 60 KiB), gets of set and missing keys, unknown commands; deterministic. */
function mixed(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const k = i % 37;
    switch (i % 7) {
      case 0: out.push(`info-set guestinfo.k${k} ${i % 50 === 0 ? value(61440) : `v${i} ${value(i % 300)}`}`); break;
      case 1: case 2: out.push(`info-get guestinfo.k${(k * 5) % 37}`); break;
      case 3: out.push(`info-get guestinfo.missing${i}`); break;
      case 4: out.push(`no.such.command${i % 3 ? ` arg${i}` : ''}`); break;
      case 5: out.push(i % 2 ? 'machine.id.get' : `info-set guestinfo.k${k}`); break; // a set without a value: "0 ..."
      default: out.push(`log batch ${i}`);
    }
  }
  return out;
}

const lines = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const sh = (script: string, ...args: string[]) => ['sh', '-c', script, 'sh', ...args];

function batch(commands: string[], simArgs: string[] = [], flags: string[] = []): SimRun & { replies: Record<string, unknown>[] } {
  const file = join(tmp(), 'commands');
  writeFileSync(file, flags.includes('-0') ? commands.join('\0') : `${commands.join('\n')}\n`);
  const r = sim(simArgs, sh('f=$1; shift; exec "$@" < "$f"', file, ...PROGRAM, 'rpc', '--batch', ...flags), 120_000);
  return { ...r, replies: lines(r.stdout) };
}

const summary = (r: SimRun) => entries(r, 'summary')[0] as { channels: { RPCI: { opens: number; closes: Record<string, number> } }; requests: { rpci: number } };

test(`${N} commands in one batch: the same replies as one-shot requests (and as ${SINGLES} single vmt rpc runs), on one channel`, () => {
  const commands = mixed(N);
  const b = batch(commands);
  assert.equal(b.status, 1, `some "0 " replies: exit 1\n${b.stderr}`);
  assert.equal(b.replies.length, N);
  assert.deepEqual(b.replies, oneShot(commands));

  const file = join(tmp(), 'commands');
  writeFileSync(file, commands.slice(0, SINGLES).join('\n') + '\n');
  // one process per command, all under one sim (each single prints one pretty JSON document)
  const s = sim([], sh('f=$1; shift; while IFS= read -r c; do "$@" rpc --json "$c"; done < "$f"', file, ...PROGRAM), 300_000);
  const singles = s.stdout.split(/\n(?=\{)/).filter((d) => d.trim()).map((d) => JSON.parse(d));
  assert.equal(singles.length, SINGLES);
  assert.deepEqual(b.replies.slice(0, SINGLES), singles);

  assert.equal(summary(s).channels.RPCI.opens, SINGLES, 'the singles open a channel each');
  assert.deepEqual(summary(b).channels.RPCI, { opens: 1, closes: { guest: 1, exit: 0, shutdown: 0 } }, 'the batch: one channel, closed by vmt');
  assert.equal(summary(b).requests.rpci, N);
});

test('under random checkpoints and timeouts: every reply right or reported failed, none lost or run twice, a new channel after each fault that broke one', () => {
  // every command unique, and no reply depends on another command having run
  const seeds: Record<string, string> = {};
  const commands: string[] = [];
  for (let i = 0; i < 600; i++) {
    if (i % 3 === 0) commands.push(`info-set guestinfo.s${i} ${i % 100 === 0 ? value(61440) : value(i)}`);
    else if (i % 3 === 1) {
      seeds[`guestinfo.g${i}`] = `seed ${i}`;
      commands.push(`info-get guestinfo.g${i}`);
    } else commands.push(i % 2 ? `info-get guestinfo.missing${i}` : `unknown.command${i}`);
  }
  const seedFile = join(tmp(), 'seeds.json');
  writeFileSync(seedFile, JSON.stringify(seeds));
  const reference = batch(commands, ['--guestinfo-file', seedFile]);
  assert.equal(reference.replies.length, commands.length);
  assert.ok(reference.replies.every((r) => 'reply' in r), 'no failures without faults');

  // HB: a request is about 5 message calls; the timeouts land on sizes, payloads, receives, opens
  const timeouts = [40, 503, 904, 1201, 1602, 2005, 2403, 2799];
  const r = batch(commands, ['--guestinfo-file', seedFile, '--fault', `random@0.05:7,${timeouts.map((n) => `timeout@${n}`).join(',')}`]);
  assert.equal(r.replies.length, commands.length, 'one line per command, none lost');
  const ran = new Map<string, number>();
  const id = (request: string) => request.slice(0, 40); // unique per command (the transcript cuts long requests)
  for (const e of entries(r, 'rpci')) ran.set(id(String(e.request)), (ran.get(id(String(e.request))) ?? 0) + 1);
  let failed = 0;
  r.replies.forEach((line, i) => {
    const sent = id(commands[i]!.includes(' ') ? commands[i]! : `${commands[i]} `);
    if ('reply' in line) {
      assert.deepEqual(line, reference.replies[i], `command ${i}`);
      assert.equal(ran.get(sent), 1, `command ${i} ran once`);
    } else {
      failed++;
      assert.equal(line.exit, 4, JSON.stringify(line));
      assert.equal(ran.get(sent) ?? 0, line.may_have_run ? 1 : 0, `command ${i}: ${JSON.stringify(line)}`);
    }
  });
  assert.ok([...ran.values()].every((n) => n === 1), 'no command carried out twice');
  assert.equal(r.status, failed ? 4 : 1, r.stderr);

  const faults = entries(r, 'fault');
  assert.ok(faults.some((f) => f.kind === 'random'), 'random checkpoints fired');
  const breaking = faults.filter((f) => f.kind === 'timeout' && f.sub !== 'OPEN' && f.sub !== 'CLOSE');
  assert.ok(breaking.length >= 5, `timeouts fired: ${JSON.stringify(faults.filter((f) => f.kind === 'timeout'))}`);
  const opens = summary(r).channels.RPCI.opens;
  assert.equal(opens, 1 + breaking.length, 'a new channel after each timeout, none after a checkpoint (the transfer restarts)');
  assert.ok(opens * 10 < commands.length, 'the channel reused');
  // after each breaking fault, the next request starts on a newly opened channel
  const t = r.transcript;
  for (const f of breaking) {
    const at = t.indexOf(f);
    const nextSize = t.findIndex((e, j) => j > at + 1 && e.t === 'bdoor' && e.sub === 'SENDSIZE');
    if (nextSize < 0) continue; // the fault hit the last request
    assert.ok(t.slice(at + 1, nextSize).some((e) => e.t === 'channel' && e.event === 'open'), `reopened after the fault at call ${String(f.call)}`);
  }
});

test('a cookie the host invalidates after every SENDSIZE (--fault newcookie): each request sent at most 3 times on new channels, reported failed and never carried out', () => {
  const commands = ['info-set guestinfo.c1 one', 'info-get guestinfo.c1', 'machine.id.get'];
  const r = batch(commands, ['--fault', 'newcookie']);
  assert.equal(r.status, 4, r.stderr);
  assert.equal(r.replies.length, commands.length, 'one line per command');
  for (const line of r.replies) {
    assert.equal(line.ok, false, JSON.stringify(line));
    assert.equal(line.exit, 4, JSON.stringify(line));
    assert.equal(line.may_have_run, false, `the host never had the whole message: ${JSON.stringify(line)}`);
  }
  assert.equal(entries(r, 'rpci').length, 0, 'nothing carried out');
  assert.equal(summary(r).channels.RPCI.opens, 3 * commands.length, 'three channels per request, then it is reported');
});

test('-0: NUL-separated commands may contain newlines; bad lines give an error line and the batch goes on', () => {
  const commands = ['info-set guestinfo.ml line one\nline two\n', 'info-get guestinfo.ml', '', `info-set guestinfo.big ${'x'.repeat(65536)}`, 'info-get guestinfo.big'];
  const r = batch(commands, [], ['-0']);
  assert.equal(r.status, 2, r.stderr);
  assert.deepEqual(r.replies, [
    { ok: true, reply: '', transport: 'backdoor' },
    { ok: true, reply: 'line one\nline two\n', transport: 'backdoor' },
    { ok: false, error: 'the RPC command is empty', exit: 2 },
    { ok: false, error: 'the RPC is 65559 bytes; the host accepts at most 65536 (64 KiB) from the guest', exit: 2 },
    { ok: false, reply: 'No value found', transport: 'backdoor' },
  ]);
  assert.match(r.stderr, /^vmt rpc: request 3: the RPC command is empty$/m);
  assert.equal(summary(r).channels.RPCI.opens, 1);
});

for (const [sig, status] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${sig} while the batch waits for input: the channel is closed by vmt, exit ${status}, every line whole`, async () => {
    const file = join(tmp(), 'transcript.jsonl');
    const child = spawn(SIM[0]!, [...SIM.slice(1), 'sim', '--transcript', file, '--', ...sh('echo $$ >&2; exec "$@" rpc --batch', ...PROGRAM)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const got = (what: () => boolean) => new Promise<void>((resolve) => {
      const check = () => what() && resolve();
      child.stdout.on('data', (d) => ((out += d), check()));
      child.stderr.on('data', (d) => ((err += d), check()));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const bound = setTimeout(() => child.kill('SIGKILL'), 60_000); // a hang fails, it does not stall the run
    child.stdin.write('info-get guestinfo.none\nmachine.id.get\n');
    await got(() => out.split('\n').length > 2 && /^\d+$/m.test(err));
    process.kill(Number(/^(\d+)$/m.exec(err)![1]), sig); // the shell exec'd vmt: its pid
    const code = await exited;
    clearTimeout(bound);
    assert.equal(code, status, err);
    assert.deepEqual(lines(out).map((l) => l.ok), [false, true]);
    assert.ok(out.endsWith('\n'));
    const t = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(t.filter((e) => e.t === 'channel').map((e) => [e.event, e.reason]), [['open', undefined], ['close', 'guest']]);
  });
}
