// vmt rpc (and its alias vmt rpc send): side by side with open-vm-tools'
// vmware-rpctool on the same simulated host, under faults, bad input, and off VMware.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { run } from '../helpers.js';
import { entries, ROOT, sim, tmp, value, type SimRun } from '../sim/sim-helpers.js';
import { autoTriesVsock } from '../../src/cli/guestrpc.js';
import { assertUsage, everywhere, onVmware, oneJson, RT, VMT } from './helpers.js';

process.env.VMT_VSOCK_FORBID = '1'; // no vsock socket on this machine, whatever a test asks for (the helpers pass process.env on)

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'open-vm-tools']);
});

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
    const r = sim([...flags, '--fault', 'random@0.03:11'], ['sh', '-c', script, 'sh', ...VMT, 'rpc'], 300_000); // 200 processes: bounded, not timed
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
  assert.equal(vsock.status, 3, vsock.stderr);
  assert.match(vsock.stderr, /^vmt rpc: cannot connect to the host over vsock: /);
});

test('--transport auto on a machine without the VMCI transport: not one AF_VSOCK socket is even attempted (the sim traces them), on every runtime', () => {
  // VMT_VSOCK_FORBID is lifted for the program only: under the sim, socket(AF_VSOCK) stops at the
  // tracer, which fails it and writes a `refused` line; it never reaches this machine's kernel
  const vmci = autoTriesVsock();
  for (const [rt, vmt] of Object.entries(RT)) {
    const lifted = ['env', '-u', 'VMT_VSOCK_FORBID', ...vmt];
    const auto = sim(['--guestinfo', 'k=v'], [...lifted, 'rpc', '--transport', 'auto', 'info-get guestinfo.k']);
    assert.equal(auto.status, 0, `${rt}: ${auto.stderr}`);
    assert.equal(auto.stdout, 'v\n');
    assert.equal(entries(auto, 'rpci').length, 1, `${rt}: answered over the backdoor`);
    assert.equal(entries(auto, 'refused').length, vmci ? 1 : 0, `${rt}: socket(AF_VSOCK) attempts with${vmci ? '' : 'out'} vmw_vsock_vmci_transport loaded: ${JSON.stringify(entries(auto, 'refused'))}`);
    // the control: the trace does see an attempt, so the zero above is not blindness
    const forced = sim([], [...lifted, 'rpc', '--transport', 'vsock', 'info-get guestinfo.k']);
    assert.equal(forced.status, 3, `${rt}: ${forced.stderr}`);
    assert.match(forced.stderr, /^vmt rpc: cannot connect to the host over vsock: this kernel has no vsock support \(EAFNOSUPPORT\)/);
    assert.deepEqual(entries(forced, 'refused').map((e) => [e.what, e.error]), [['socket(AF_VSOCK)', 'EAFNOSUPPORT']], rt);
    assert.equal(entries(forced, 'rpci').length, 0, `${rt}: --transport vsock does not fall back`);
  }
  if (vmci) return;
  const tclo = sim(['--tclo', 'ping', '--timeout', '20'], ['env', '-u', 'VMT_VSOCK_FORBID', ...VMT, 'tclo', 'listen', '--json', '--exit-after', '2', '--transport', 'auto']);
  assert.equal(tclo.status, 0, tclo.stderr);
  assert.ok(entries(tclo, 'tclo').length >= 2, 'the TCLO agent ran over the backdoor');
  assert.equal(entries(tclo, 'refused').length, 0, 'tclo listen --transport auto made no vsock attempt');
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
  assert.deepEqual(Object.keys(j.reply), ['base64'], 'not UTF-8: the shared binary shape');
  assert.deepEqual(Buffer.from(j.reply.base64, 'base64'), Buffer.from('\u0001\u0002 tab\there\u00ff', 'latin1'));
  const missing = JSON.parse(sim([], [...VMT, 'rpc', '--json', 'info-get guestinfo.nope']).stdout);
  assert.deepEqual(missing, { ok: false, reply: 'No value found', transport: 'backdoor' });
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

test('vmt rpc -f: one trailing newline is dropped (echo ... | vmt rpc -f - works); --raw sends it', () => {
  const gi = ['--guestinfo', 'k=hello'];
  for (const [rt, cmd] of Object.entries(RT)) {
    const r = sim(gi, ['sh', '-c', `echo 'info-get guestinfo.k' | "$@" rpc -f -`, 'sh', ...cmd]);
    assert.deepEqual([r.status, r.stdout], [0, 'hello\n'], `${rt}: ${r.stderr}`);
    const raw = sim(gi, ['sh', '-c', `echo 'info-get guestinfo.k' | "$@" rpc --raw -f -`, 'sh', ...cmd]);
    assert.deepEqual([raw.status, raw.stderr], [1, 'No value found\n'], `${rt}: --raw keeps the newline in the key`);
    const msg = entries(raw, 'rpci')[0] as { request?: string } | undefined;
    if (msg?.request !== undefined) assert.equal(msg.request, 'info-get guestinfo.k\n');
  }
});

test('vmt rpc -f - waits for a slow pipe on every runtime (node used to fail with EAGAIN)', () => {
  for (const [rt, cmd] of Object.entries(RT)) {
    const r = sim(['--guestinfo', 'k=slow'], ['sh', '-c', `(sleep 1; echo 'info-get guestinfo.k') | "$@" rpc -f -`, 'sh', ...cmd]);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, 'slow\n', ''], rt);
  }
});

test('vmt rpc --json off VMware: one JSON document with the error and its exit status', { skip: onVmware && 'this machine is a VMware VM' }, () => {
  everywhere(['rpc', '--json', 'info-get guestinfo.x'], (r) => {
    assert.equal(r.status, 3);
    const j = oneJson(r, 'rpc --json') as { error: { message: string; exit: number } };
    assert.match(j.error.message, /^not VMware/);
    assert.equal(j.error.exit, 3);
  });
  everywhere(['rpc', '--json'], (r) => {
    assertUsage(r, /^vmt rpc: no command/, 'rpc --json');
    assert.deepEqual(oneJson(r, 'rpc --json'), { error: { message: 'no command: give it as an argument or with -f FILE', exit: 2 } });
  });
});

test('vmt rpc send is vmt rpc', () => {
  const r = sim(['--guestinfo', 'k=v'], [...VMT, 'rpc', 'send', 'info-get guestinfo.k']);
  assert.deepEqual([r.status, r.stdout], [0, 'v\n'], r.stderr);
  everywhere(['rpc', 'send', '--help'], (h) => {
    assert.equal(h.status, 0);
    assert.match(h.stdout, /USAGE\s+\$ vmt rpc /);
  });
});

test('endless input (yes | vmt rpc -f -) is refused after 64 KiB, not read forever, on every runtime', () => {
  for (const [rt, cmd] of Object.entries(RT)) {
    const r = run(['sh', '-c', 'yes | "$@" rpc -f -', 'sh', ...cmd], []);
    assertUsage(r, /^vmt rpc: standard input holds more than the 64 KiB the host accepts from the guest$/, rt);
  }
});

test('--transport vsock on this machine: refused before any socket (VMT_VSOCK_FORBID), exit 3, on every runtime; a bad --vsock-endpoint is a usage error', () => {
  everywhere(['rpc', '--transport', 'vsock', 'info-get guestinfo.x'], (r) => {
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /^vmt rpc: cannot connect to the host over vsock: vsock is switched off here: VMT_VSOCK_FORBID is set/);
  });
  everywhere(['info', 'get', 'x', '--transport', 'vsock', '--json'], (r) => {
    assert.equal(r.status, 3, r.stderr);
    assert.equal((oneJson(r, 'info get --transport vsock --json') as { error: { exit: number } }).error.exit, 3);
  });
  everywhere(['rpc', '--transport', 'vsock', '--vsock-endpoint', '1:', 'x'], (r) => assertUsage(r, /^vmt rpc: --vsock-endpoint: "1:" is not a vsock address \(no port after the colon\)/, '--vsock-endpoint 1:'));
});
