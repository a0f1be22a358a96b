// vmt rpc / vmt info and the vmware-rpctool / vmware-checkvm stand-ins,
// side by side with open-vm-tools' own tools on the same simulated host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { run, runtimes } from '../helpers.js';
import { entries, ROOT, sim, tmp, value, type SimRun } from './sim-helpers.js';

const RT = runtimes();
const VMT = RT.binary ?? RT.node!;
const bin = tmp('vmt-compat-');

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'open-vm-tools']);
  // the stand-ins: symlinks named like the tools, to the binary and to bin/run.js
  mkdirSync(join(bin, 'binary'));
  mkdirSync(join(bin, 'node'));
  for (const tool of ['vmware-rpctool', 'vmware-checkvm']) {
    if (RT.binary) symlinkSync(RT.binary[0]!, join(bin, 'binary', tool));
    symlinkSync(join(ROOT, 'bin/run.js'), join(bin, 'node', tool));
  }
});

const standIns = () => [...(RT.binary ? [[join(bin, 'binary')]] : []), [join(bin, 'node')]].map(([dir]) => dir!);
const same = (a: SimRun, b: SimRun, what: string) => {
  assert.equal(a.stdout, b.stdout, `${what}: stdout`);
  assert.equal(a.stderr, b.stderr, `${what}: stderr`);
  assert.equal(a.status, b.status, `${what}: exit status`);
};

for (const hb of [true, false]) {
  const flags = hb ? [] : ['--no-hb'];
  test(`vmt rpc and vmware-rpctool agree byte for byte, ${hb ? 'high-bandwidth' : '--no-hb'}: round trips, a missing key, an unknown command`, () => {
    for (const n of [0, 1, 3, 4, 5, 4095, 60000]) {
      for (const v of [value(n), `${value(Math.max(0, n - 1))}\n`.slice(-Math.max(n, 1))]) {
        const state = join(tmp(), 's.json');
        const ours = sim([...flags, '--state', state], [...VMT, 'rpc', `info-set guestinfo.k ${v}`]);
        const theirs = sim([...flags, '--state', `${state}.ref`], ['vmware-rpctool', `info-set guestinfo.k ${v}`]);
        same(ours, theirs, `info-set of ${n} bytes`);
        // each reads what the other wrote
        same(sim([...flags, '--state', state], ['vmware-rpctool', 'info-get guestinfo.k']), sim([...flags, '--state', `${state}.ref`], [...VMT, 'rpc', 'info-get guestinfo.k']), `info-get of ${n} bytes`);
        assert.equal(sim([...flags, '--state', state], [...VMT, 'rpc', 'info-get guestinfo.k']).stdout, `${v}\n`);
      }
    }
    for (const cmd of ['info-get guestinfo.missing', 'no.such.command', 'machine.id.get', 'log hello from vmt']) {
      same(sim(flags, [...VMT, 'rpc', cmd]), sim(flags, ['vmware-rpctool', cmd]), cmd);
    }
  });
}

test('under injected checkpoints, vmt rpc and vmware-rpctool both return the right value', () => {
  for (const [fault, flags] of [['cpt@1', []], ['cpt@2', []], ['cpt@1', ['--no-hb']], ['cpt@4', ['--no-hb']], ['cpt@9', ['--no-hb']]] as const) {
    const args = [...flags, '--fault', fault, '--guestinfo', `k=${value(50)}`];
    const ours = sim(args, [...VMT, 'rpc', 'info-get guestinfo.k']);
    same(ours, sim(args, ['vmware-rpctool', 'info-get guestinfo.k']), `${fault} ${flags.join(' ')}`);
    assert.equal(ours.stdout, `${value(50)}\n`);
    assert.ok(entries(ours, 'fault').length > 0, `${fault} fired`);
  }
});

test('the transcript shows the channel closed after every request, success or not', () => {
  for (const cmd of ['info-get guestinfo.k', 'info-get guestinfo.missing', 'bogus', `info-set guestinfo.k ${value(5000)}`]) {
    for (const flags of [[], ['--no-hb'], ['--fault', 'cpt@2']]) {
      const r = sim([...flags, '--guestinfo', 'k=v'], [...VMT, 'rpc', cmd]);
      const opened = entries(r, 'channel').filter((e) => e.event === 'open');
      const closed = entries(r, 'channel').filter((e) => e.event === 'close' && e.reason === 'guest');
      assert.ok(opened.length >= 1, cmd);
      assert.equal(closed.length, opened.length, `${cmd} ${flags.join(' ')}: every channel closed by vmt`);
    }
  }
});

test('100 RPCs under random injected faults in one sim run: the right value or a clean non-zero exit, never a wrong value', () => {
  const script = `for i in $(seq 1 100); do v="value-$i-$(printf '%*s' $((i * 37 % 200)) '' | tr ' ' x)"; if "$@" "info-set guestinfo.k$i $v" >/dev/null 2>&1; then got=$("$@" "info-get guestinfo.k$i" 2>/dev/null); rc=$?; if [ $rc -eq 0 ]; then [ "$got" = "$v" ] && echo right || echo WRONG; else echo "failed $rc"; fi; else echo "failed-set $?"; fi; done`;
  for (const flags of [[], ['--no-hb']]) {
    const r = sim([...flags, '--fault', 'random@0.03:11'], ['sh', '-c', script, 'sh', ...VMT, 'rpc']);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 100, r.stderr);
    assert.ok(!lines.includes('WRONG'), 'never a wrong value');
    for (const l of lines) assert.match(l, /^(right|failed(-set)? (1|4))$/, l);
    assert.ok(lines.filter((l) => l === 'right').length >= 50, `most got through: ${lines.filter((l) => l === 'right').length}`);
    assert.ok(entries(r, 'fault').length > 0, 'faults were injected');
  }
});

test('vmt rpc: bad input is exit 2 and nothing reaches the host', () => {
  const big = `info-set guestinfo.k ${'x'.repeat(65536)}`;
  const cases: [string[], RegExp][] = [
    [['rpc', ''], /empty/],
    [['rpc', big], /64 KiB/],
    [['rpc', 'x', '-f', '/etc/hostname'], /not both/],
    [['rpc', '-f', '/nonexistent/request'], /cannot read/],
    [['rpc', '--transport', 'carrier-pigeon', 'x'], /carrier-pigeon/],
    [['info', 'set', 'bad key', 'v'], /whitespace/],
  ];
  for (const [args, message] of cases) {
    const r = sim([], [...VMT, ...args]);
    assert.equal(r.status, 2, `${args.join(' ').slice(0, 60)}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(entries(r, 'bdoor').filter((e) => e.cmd === 'MESSAGE').length, 0, 'no message call');
  }
  const vsock = sim([], [...VMT, 'rpc', '--transport', 'vsock', 'x']);
  assert.equal(vsock.status, 3);
  assert.match(vsock.stderr, /vsock transport is not available/);
});

test('vmt rpc: -f FILE and -f - carry binary payloads; --json has ok, reply, transport', () => {
  const dir = tmp();
  const f = join(dir, 'req');
  writeFileSync(f, Buffer.from('info-set guestinfo.bin \u0001\u0002 tab\there\u00ff', 'latin1'));
  const state = join(dir, 's.json');
  assert.equal(sim(['--state', state], [...VMT, 'rpc', '-f', f]).status, 0);
  const got = sim(['--state', state], ['sh', '-c', `printf 'info-get guestinfo.bin' | "$@" rpc --json -f -`, 'sh', ...VMT]);
  const j = JSON.parse(got.stdout);
  assert.equal(j.ok, true);
  assert.equal(j.transport, 'backdoor');
  assert.deepEqual(Buffer.from(j.reply_base64, 'base64'), Buffer.from('\u0001\u0002 tab\there\u00ff', 'latin1'));
  const missing = JSON.parse(sim([], [...VMT, 'rpc', '--json', 'info-get guestinfo.nope']).stdout);
  assert.deepEqual(missing, { ok: false, reply: 'No value found', transport: 'backdoor' });
});

test('vmt rpc off VMware: exit 3, and the stand-in vmware-rpctool exits 255 like the real one', () => {
  const r = run(VMT, ['rpc', 'info-get guestinfo.x']);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /not VMware/);
  const real = run(['vmware-rpctool'], ['info-get guestinfo.x']);
  for (const dir of standIns()) {
    const ours = run([join(dir, 'vmware-rpctool')], ['info-get guestinfo.x']);
    assert.deepEqual([ours.stdout, ours.stderr, ours.status], [real.stdout, real.stderr, 255]);
    const checkvm = run([join(dir, 'vmware-checkvm')], ['-p']);
    const realCheckvm = run(['vmware-checkvm'], ['-p']);
    assert.deepEqual([checkvm.stdout, checkvm.stderr, checkvm.status], [realCheckvm.stdout, realCheckvm.stderr, realCheckvm.status]);
  }
});

test('invoked as vmware-rpctool, vmt is open-vm-tools\' vmware-rpctool: same texts and exit statuses', () => {
  const cases: [string[], string[]][] = [
    [[], []],
    [[], ['-h']],
    [[], ['--help']],
    [[], ['']],
    [[], ['a', 'b']],
    [['--guestinfo', 'a=hello'], ['info-get guestinfo.a']],
    [[], ['info-get guestinfo.missing']],
    [[], ['bogus']],
    [[], [`info-set guestinfo.a ${value(3000)}`]],
    [['--no-hb', '--guestinfo', `a=${value(777)}`], ['info-get guestinfo.a']],
    [['--fault', 'open@1,open@2'], ['info-get guestinfo.a']],
    [[], [`info-set guestinfo.k ${'x'.repeat(70000)}`]],
  ];
  for (const dir of standIns()) {
    for (const [simArgs, args] of cases) {
      same(sim(simArgs, [join(dir, 'vmware-rpctool'), ...args]), sim(simArgs, ['vmware-rpctool', ...args]), `${dir} vmware-rpctool ${args.join(' ').slice(0, 40)}`);
    }
  }
});

test('invoked as vmware-checkvm, vmt is open-vm-tools\' vmware-checkvm: same texts and exit statuses', () => {
  const cases: [string[], string[]][] = [[[], []], [[], ['-p']], [[], ['--prod']], [['--product', 'workstation'], ['-p']], [['--product', '3'], ['-p']], [[], ['-h']], [[], ['--help']], [[], ['-x']], [[], ['--bogus']], [[], ['a', 'b']]];
  for (const dir of standIns()) {
    for (const [simArgs, args] of cases) {
      same(sim(simArgs, [join(dir, 'vmware-checkvm'), ...args]), sim(simArgs, ['vmware-checkvm', ...args]), `${dir} vmware-checkvm ${args.join(' ')}`);
    }
  }
});

test('vmt info get/set: the guestinfo. prefix, standard input, -n, and the KEY.encoding convention', () => {
  const dir = tmp();
  const state = join(dir, 's.json');
  const payload = 'user data: é ✓\n';
  const gz = gzipSync(Buffer.from(payload)).toString('base64');
  const r1 = sim(['--state', state], ['sh', '-c', 'printf "%s" "$1" | "$2" info set guestinfo.plain && "$2" info set zipped "$3" && "$2" info set zipped.encoding gzip+base64', 'sh', payload, ...VMT, gz]);
  assert.equal(r1.status, 0, r1.stderr);
  assert.equal(sim(['--state', state], [...VMT, 'info', 'get', 'plain', '-n']).stdout, payload);
  assert.equal(sim(['--state', state], [...VMT, 'info', 'get', 'guestinfo.plain']).stdout, `${payload}\n`);
  assert.equal(sim(['--state', state], [...VMT, 'info', 'get', 'zipped', '--encoding', 'auto', '-n']).stdout, payload);
  assert.equal(sim(['--state', state], [...VMT, 'info', 'get', 'zipped', '--encoding', 'gzip+base64', '-n']).stdout, payload);
  const b64 = sim(['--guestinfo', `v=${Buffer.from('hello').toString('base64')}`], [...VMT, 'info', 'get', 'v', '-e', 'base64', '-n']);
  assert.equal(b64.stdout, 'hello');
  const notB64 = sim(['--guestinfo', 'v=not base64!'], [...VMT, 'info', 'get', 'v', '-e', 'base64']);
  assert.equal(notB64.status, 4);
  const missing = sim([], [...VMT, 'info', 'get', 'nope']);
  assert.deepEqual([missing.status, missing.stdout, missing.stderr], [1, '', 'No value found\n']);
});

test('backdoor calls per RPC: vmt rpc needs no more than vmware-rpctool, and a constant number on an HB host', () => {
  const traps = (r: SimRun) => r.transcript.filter((e) => e.t === 'bdoor' || e.t === 'hb').length;
  const hbCounts = new Set<number>();
  for (const size of [10, 4096, 61440]) {
    for (const flags of [[], ['--no-hb']]) {
      const cmd = `info-set guestinfo.k ${'x'.repeat(size)}`;
      const ours = traps(sim(flags, [...VMT, 'rpc', cmd]));
      const theirs = traps(sim(flags, ['vmware-rpctool', cmd]));
      assert.ok(ours <= theirs, `${size} B ${flags.join(' ')}: vmt ${ours} calls, vmware-rpctool ${theirs}`);
      if (flags.length === 0) hbCounts.add(ours);
    }
  }
  assert.equal(hbCounts.size, 1, `HB: the same number of calls for every size (${[...hbCounts]})`);
});
