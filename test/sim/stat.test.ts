// `vmt stat` beside open-vm-tools' `vmware-toolbox-cmd stat` under the same
// simulated host: the same figures, for several sets of guestlib figures
// (V3 and V2 hosts, an older host that sends fewer statistics, figures the
// host marks not valid, a session id of 0) and for a host without guestlib.
// Exit statuses differ by design: where vmware-toolbox-cmd exits 75
// (EX_TEMPFAIL: the figure is not available), vmt exits 3 (not available here).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runtimes } from '../helpers.js';
import { entries, ROOT, sim, tmp } from './sim-helpers.js';

const RT = runtimes();
const VMT = RT.binary ?? RT.node!;
const SUBS = ['speed', 'sessionid', 'balloon', 'swap', 'memlimit', 'memres', 'cpures', 'cpulimit'];
/** vmware-toolbox-cmd's exit status -> vmt's */
const HOUSE: Record<number, number> = { 0: 0, 75: 3 };

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'open-vm-tools']);
});

interface Outcome {
  stdout: string;
  stderr: string;
  status: number;
}

const sh = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Every subcommand, one after another, in one run of the sim: the tool's
 * stdout, stderr and exit status per subcommand, and the RPCI requests made.
 */
function runAll(simArgs: string[], tool: string[], subs: string[][]): { out: Outcome[]; requests: string[] } {
  const dir = tmp('vmt-stat-');
  const script = subs.map((args, i) => `${tool.map(sh).join(' ')} stat ${args.map(sh).join(' ')} >${dir}/${i}.out 2>${dir}/${i}.err; echo $? >${dir}/${i}.rc`).join('\n');
  const r = sim(['--timeout', '120', ...simArgs], ['sh', '-c', script]);
  assert.equal(r.status, 0, `the sim: ${r.stderr}`);
  const out = subs.map((_, i) => ({
    stdout: readFileSync(join(dir, `${i}.out`), 'utf8'),
    stderr: readFileSync(join(dir, `${i}.err`), 'utf8'),
    status: Number(readFileSync(join(dir, `${i}.rc`), 'utf8')),
  }));
  return { out, requests: entries(r, 'rpci').map((e) => String(e.request)) };
}

function compare(simArgs: string[], subs: string[][] = SUBS.map((s) => [s])): { toolbox: Outcome[]; vmt: Outcome[] } {
  const toolbox = runAll(simArgs, ['vmware-toolbox-cmd'], subs);
  const vmt = runAll(simArgs, VMT, subs);
  subs.forEach((args, i) => {
    const [t, v] = [toolbox.out[i]!, vmt.out[i]!];
    const what = `${simArgs.join(' ') || 'defaults'}: stat ${args.join(' ')}`;
    assert.equal(v.stdout, t.stdout, `${what}: stdout (vmware-toolbox-cmd said ${JSON.stringify(t.stderr)})`);
    assert.equal(v.status, HOUSE[t.status], `${what}: vmware-toolbox-cmd exited ${t.status}, vmt ${v.status} (${v.stderr})`);
    if (v.status !== 0) assert.match(v.stderr, new RegExp(`^vmt stat ${args[0]}: \\S`), what);
  });
  // the same conversation with the host: guestlib.info.get 3 (then 2) for each guestlib figure
  assert.deepEqual(vmt.requests.filter((q) => q.startsWith('guestlib.')), toolbox.requests.filter((q) => q.startsWith('guestlib.')), 'the RPCI requests');
  return { toolbox: toolbox.out, vmt: vmt.out };
}

test('the default figures: an ESXi VM without reservations or limits', () => {
  const { vmt } = compare([]);
  assert.deepEqual(vmt.map((o) => o.stdout.trim()), ['2500 MHz', '0x564d767473696d01', '0 MB', '0 MB', '4294967295 MB', '0 MB', '0 MHz', '4294967295 MHz']);
});

test('a configured VM: every figure as set, 64-bit session id, another processor speed', () => {
  const set = ['balloon=512', 'swap=64', 'memlimit=2048', 'memres=1024', 'cpures=500', 'cpulimit=3000', 'sessionid=0xdeadbeef12345678', 'speed=3100'];
  const { vmt } = compare(set.flatMap((s) => ['--stat', s]));
  assert.deepEqual(vmt.map((o) => o.stdout.trim()), ['3100 MHz', '0xdeadbeef12345678', '512 MB', '64 MB', '2048 MB', '1024 MB', '500 MHz', '3000 MHz']);
});

test('a --stat-file, and --stat over it', () => {
  const file = join(tmp('vmt-stat-file-'), 'stats.json');
  writeFileSync(file, JSON.stringify({ balloon: 7, memLimitMB: 8192, cpuLimitMHz: '0x100', swap: null }));
  const { toolbox } = compare(['--stat-file', file, '--stat', 'balloon=9']);
  assert.deepEqual(toolbox.map((o) => o.stdout.trim()).slice(2, 5), ['9 MB', '', '8192 MB']);
  assert.equal(toolbox[3]!.status, 75);
});

test('a version 2 host (the fixed V2 struct): both fall back from 3 to 2', () => {
  compare(['--stat', 'version=2', '--stat', 'balloon=33', '--stat', 'cpures=77']);
});

test('an older V3 host with 6 statistics, a figure marked not valid, and no GETMHZ answer', () => {
  const { toolbox, vmt } = compare(['--stat', 'count=6', '--stat', 'cpulimit=invalid', '--stat', 'speed=0']);
  assert.deepEqual(toolbox.map((o) => o.status), [75, 0, 75, 75, 75, 0, 0, 75]);
  assert.match(vmt[2]!.stderr, /version 3, 6 statistics\) does not have memBalloonedMB/);
  assert.match(vmt[7]!.stderr, /does not provide cpuLimitMHz/);
});

test('a session id of 0: guestlib takes it as no data', () => {
  const { toolbox } = compare(['--stat', 'sessionid=0']);
  assert.ok(toolbox.slice(1).every((o) => o.status === 75));
});

test('a host that does not answer guestlib at all (--stat none)', () => {
  const { toolbox, vmt } = compare(['--stat', 'none']);
  assert.match(toolbox[2]!.stderr, /VMware Guest API is not enabled on the host/);
  assert.match(vmt[2]!.stderr, /does not offer guestlib/);
  assert.equal(vmt[0]!.status, 0); // speed is the backdoor's, not guestlib's
});

test('raw: the host\'s reply as it is, and a refusal', () => {
  const file = join(tmp('vmt-stat-raw-'), 'stats.json');
  writeFileSync(file, JSON.stringify({ raw: { 'text session': 'session.id = 42\nsession.uptime = 7\n' } }));
  compare(['--stat-file', file], [['raw', 'text', 'session'], ['raw', 'json', 'host']]);
});

test('hosttime: the host\'s clock (here a year behind this machine\'s), printed alike in the same zone', () => {
  const offset = String(-366 * 86400);
  const parse = (s: string) => Date.parse(`${s.trim()} UTC`) / 1000;
  const dir = tmp('vmt-stat-time-');
  const script = `TZ=UTC vmware-toolbox-cmd stat hosttime >${dir}/t; TZ=UTC ${VMT.map(sh).join(' ')} stat hosttime >${dir}/v; TZ=UTC ${VMT.map(sh).join(' ')} stat hosttime --json >${dir}/j`;
  const r = sim(['--clock-offset', offset], ['sh', '-c', script]);
  assert.equal(r.status, 0, r.stderr);
  const [t, v] = [readFileSync(join(dir, 't'), 'utf8'), readFileSync(join(dir, 'v'), 'utf8')];
  assert.match(v, /^\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\n$/);
  assert.match(t, /^\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\n$/);
  // vmt ran after vmware-toolbox-cmd: its time is not earlier, and both are the host's, a year back
  assert.ok(parse(v) >= parse(t), `${v} before ${t}`);
  assert.ok(parse(t) < Date.now() / 1000 - 360 * 86400, t);
  const json = JSON.parse(readFileSync(join(dir, 'j'), 'utf8'));
  assert.equal(json.unit, 's');
  assert.ok(json.value >= parse(v));
});

test('--json: every figure with its unit, the same numbers vmware-toolbox-cmd prints', () => {
  const args = ['--stat', 'balloon=512', '--stat', 'memShares64=1'];
  const toolbox = runAll(args, ['vmware-toolbox-cmd'], SUBS.map((s) => [s])).out;
  const vmt = runAll(args, VMT, SUBS.map((s) => [s, '--json'])).out;
  SUBS.forEach((sub, i) => {
    const doc = JSON.parse(vmt[i]!.stdout);
    assert.equal(doc.stat, sub);
    const printed = toolbox[i]!.stdout.trim();
    if (sub === 'sessionid') assert.deepEqual([doc.value, doc.unit], [printed, null]);
    else assert.equal(`${doc.value} ${doc.unit}`, printed);
  });
});
