// End-to-end: the standalone binary in a QEMU/TCG guest, against QEMU's own
// implementation of the VMware backdoor (vmport), side by side with
// open-vm-tools' vmware-checkvm as the reference.
//
// Two boots, run at the same time:
//   A  -machine pc,vmport=on  -uuid ...  -m 1024   (the backdoor answers)
//   B  -machine pc,vmport=off                      (no backdoor: reads 0xFFFFFFFF)
// Each boot runs a list of commands; results.txt is parsed into
// {cmd, stdout, stderr, output, rc} per command and every test below reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { BINARY, type Boot, type Commands, assertClean, boot, ctx, get, json, runSetup } from './harness.js';

const UUID = '12345678-9abc-def0-1122-334455667788';

const commandsA: Commands = [
  ['probe-json', 'vmt checkvm --probe --json'],
  ['probe-text', 'vmt checkvm --probe'],
  ['auto-text', 'vmt checkvm'],
  ['auto-json', 'vmt checkvm --json'],
  ['probe-quiet', 'vmt checkvm -q --probe'],
  ['gettime-probe', 'vmt gettime --probe'],
  ['gettime', 'vmt gettime'],
  ['date-before', 'date +%s'],
  ['gettime-set', 'vmt gettime --probe --set'],
  ['date-after', 'date +%s'],
  ['nonroot-probe-json', 'runas vmt checkvm --probe --json'],
  ['ref-checkvm', 'withio vmware-checkvm'],
  ['ref-checkvm-p', 'withio vmware-checkvm -p'],
  ['ref-checkvm-noio', 'vmware-checkvm'],
  // last: steps the guest clock a day ahead (the simulated host's clock), in the guest only
  ['sim-date-before', 'date +%s'],
  ['sim-gettime-set', 'vmt sim --allow-set-clock --clock-offset 86400 -- vmt gettime --set --json'],
  ['sim-date-after', 'date +%s'],
  ['tclo-date-before', 'date +%s'],
  ['tclo-clock', 'vmt sim --allow-set-clock --clock-offset 7200 --tclo OS_Resume -- vmt tclo listen --clock-sync 3600 --json --exit-after 2 --timeout 30'],
  ['tclo-date-after', 'date +%s'],
];
// boot B runs vmt-linux-x64-baseline, the Node single executable, on TCG's default -cpu qemu64
// (x86-64-v1: no SSE4.2, POPCNT or AVX), where every bun binary dies with SIGILL (even an empty
// bun baseline one; test/cli/binaries.test.ts checks the v2 build's SIGILL under qemu-x86_64)
const BASELINE = BINARY.replace(/vmt-linux-x64$/, 'vmt-linux-x64-baseline');
const commandsB: Commands = [
  ['version', 'vmt --version'],
  ['cpu-flags', "grep -m1 '^flags' /proc/cpuinfo"],
  ['probe-json', 'vmt checkvm --probe --json'],
  ['nonroot-probe-json', 'runas vmt checkvm --probe --json'],
  ['gettime-probe', 'vmt gettime --probe'],
  ['ref-checkvm', 'withio vmware-checkvm'],
];

let booted: Promise<{ A: Boot; B: Boot }> | undefined;
/** Set-up and both boots, once, shared by every test. */
function boots(): Promise<{ A: Boot; B: Boot }> {
  booted ??= (async () => {
    for (const b of [BINARY, BASELINE]) {
      if (!existsSync(b)) throw new Error(`${b} is missing: build the standalone binaries first with \`npm run binaries\``);
    }
    runSetup();
    const [A, B] = await Promise.all([
      boot('checkvm-vmport-on', { MACHINE: 'pc,vmport=on', MEM: '1024', QEMU_EXTRA: `-uuid ${UUID}` }, commandsA),
      boot('checkvm-vmport-off', { MACHINE: 'pc,vmport=off', MEM: '1024', QEMU_EXTRA: '', CPU: 'qemu64' }, commandsB, BASELINE),
    ]);
    return { A, B };
  })();
  return booted;
}

const T = { timeout: 300_000 };

// ---- boot A: -machine pc,vmport=on -------------------------------------------

test('A: checkvm --probe --json reports what QEMU vmport answers', T, async () => {
  const { A } = await boots();
  const r = get(A, 'probe-json');
  assertClean(A, r);
  assert.equal(r.rc, 0, `exit status${ctx(A, r)}`);
  const j = json(A, r);
  const c = ctx(A, r);
  assert.equal(j.vmware, true, `vmware${c}`);
  assert.equal(j.knock, 'answered', `knock${c}`);
  assert.equal(j.version, 6, `version${c}`);
  assert.equal(j.product, 'ESX Server', `product${c}`);
  assert.equal(j.vmxType, 2, `vmxType${c}`);
  assert.equal(j.biosUuid, UUID, `biosUuid (QEMU -uuid ${UUID})${c}`);
  assert.equal(j.memoryMB, 1024, `memoryMB (QEMU -m 1024)${c}`);
  assert.equal(j.hypervisor, 'QEMU (TCG)', `hypervisor${c}`);
  assert.equal(j.cpuidSignature, 'TCGTCGTCGTCG', `cpuidSignature${c}`);
});

test('A: checkvm --probe prints the product and the backdoor protocol version (not the hardware version)', T, async () => {
  const { A } = await boots();
  const r = get(A, 'probe-text');
  const c = ctx(A, r);
  assertClean(A, r);
  assert.equal(r.rc, 0, `exit status${c}`);
  assert.match(r.stdout, /ESX Server/, `product${c}`);
  assert.match(r.stdout, /protocol version\s+6\b/, `"protocol version 6"${c}`);
  assert.doesNotMatch(r.stdout, /hardware version\s+6\b/, `6 must not be called the hardware version${c}`);
  assert.match(r.stdout, /QEMU \(TCG\)/, `hypervisor${c}`);
});

test('A: checkvm without --probe does not knock under QEMU (TCG) and says not VMware', T, async () => {
  const { A } = await boots();
  const t = get(A, 'auto-text');
  assertClean(A, t);
  assert.equal(t.rc, 1, `exit status${ctx(A, t)}`);
  assert.match(t.output, /QEMU \(TCG\)/, `names the hypervisor${ctx(A, t)}`);
  const r = get(A, 'auto-json');
  assert.equal(r.rc, 1, `exit status${ctx(A, r)}`);
  const j = json(A, r);
  assert.equal(j.knock, 'skipped', `no knock under a known non-VMware signature${ctx(A, r)}`);
  assert.equal(j.vmware, false, `vmware${ctx(A, r)}`);
  assert.equal(j.hypervisor, 'QEMU (TCG)', `hypervisor${ctx(A, r)}`);
});

test('A: checkvm -q --probe: exit 0 and no output', T, async () => {
  const { A } = await boots();
  const r = get(A, 'probe-quiet');
  assert.equal(r.rc, 0, `exit status${ctx(A, r)}`);
  assert.equal(r.output, '', `no output${ctx(A, r)}`);
});

test('A: gettime --probe: exit 3, names the time calls, prints no date', T, async () => {
  const { A } = await boots();
  const r = get(A, 'gettime-probe');
  const c = ctx(A, r);
  assertClean(A, r);
  assert.equal(r.rc, 3, `exit status${c}`);
  assert.equal(r.stdout, '', `nothing on stdout (no 1970/2106 date)${c}`);
  assert.match(r.stderr, /GETTIME/, `stderr names the time calls${c}`);
  assert.match(r.stderr, /time calls?/i, `stderr says the host has no time calls${c}`);
});

test('A: gettime without --probe: exit 3 (no knock under QEMU)', T, async () => {
  const { A } = await boots();
  const r = get(A, 'gettime');
  assertClean(A, r);
  assert.equal(r.rc, 3, `exit status${ctx(A, r)}`);
  assert.equal(r.stdout, '', `nothing on stdout${ctx(A, r)}`);
  assert.notEqual(r.stderr.trim(), '', `a message on stderr${ctx(A, r)}`);
});

test('A: gettime --probe --set: exit 3 and the guest clock is not stepped', T, async () => {
  const { A } = await boots();
  const r = get(A, 'gettime-set');
  const c = ctx(A, r);
  assertClean(A, r);
  assert.equal(r.rc, 3, `exit status${c}`);
  assert.equal(r.stdout, '', `nothing on stdout${c}`);
  const before = Number(get(A, 'date-before').stdout.trim());
  const after = Number(get(A, 'date-after').stdout.trim());
  assert.ok(Number.isInteger(before) && Number.isInteger(after), `date +%s printed integers: ${before}, ${after} ${A.where}`);
  assert.ok(after >= before && after - before <= 10, `clock moved from ${before} to ${after} (${after - before} s) across the command${c}`);
});

test('A: under vmt sim in the guest, gettime --set steps the guest clock to the simulated host (a day ahead)', T, async () => {
  const { A } = await boots();
  const r = get(A, 'sim-gettime-set');
  const c = ctx(A, r);
  assertClean(A, r);
  assert.equal(r.rc, 0, `exit status${c}`);
  const j = JSON.parse(r.stdout);
  assert.equal(j.command, 'GETTIMEFULL_WITH_LAG', `the sim answered, not QEMU's vmport${c}`);
  assert.ok(Math.abs(j.offsetUs / 1e6 + 86400) < 60, `guest-host offset before the step: ${j.offsetUs} µs${c}`);
  assert.ok(j.stepped, `the JSON reports the step${c}`);
  const before = Number(get(A, 'sim-date-before').stdout.trim());
  const after = Number(get(A, 'sim-date-after').stdout.trim());
  assert.ok(Math.abs(after - before - 86400) < 60, `the guest clock moved by ${after - before} s, expected a day${c}`);
});

test('A: under vmt sim in the guest, tclo listen --clock-sync steps the guest clock to the host, and syncs again after OS_Resume', T, async () => {
  const { A } = await boots();
  const r = get(A, 'tclo-clock');
  const c = ctx(A, r);
  assertClean(A, r);
  assert.equal(r.rc, 0, `exit status${c}`);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const clock = events.filter((e) => e.type === 'clock');
  assert.deepEqual(clock.map((e) => e.reason), ['period', 'OS_Resume'], `clock events${c}`);
  assert.equal(clock[0].stepped, true, `the first sync stepped the clock${c}`);
  assert.ok(Math.abs(clock[0].offsetUs / 1e6 + 7200) < 60, `offset before the step: ${clock[0].offsetUs} µs${c}`);
  assert.equal(clock[1].stepped, false, `after the step the clocks agree${c}`);
  assert.deepEqual(events.filter((e) => e.type === 'command').map((e) => [e.command, e.reply]), [['reset', 'OK ATR toolbox'], ['OS_Resume', 'OK ']]);
  const before = Number(get(A, 'tclo-date-before').stdout.trim());
  const after = Number(get(A, 'tclo-date-after').stdout.trim());
  assert.ok(Math.abs(after - before - 7200) < 60, `the guest clock moved by ${after - before} s, expected two hours${c}`);
});

test('A: as non-root the knock faults and vmt answers cleanly (exit 1, knock "fault")', T, async () => {
  const { A } = await boots();
  const r = get(A, 'nonroot-probe-json');
  const c = ctx(A, r);
  assertClean(A, r);
  assert.equal(r.rc, 1, `exit status${c}`);
  const j = json(A, r);
  assert.equal(j.knock, 'fault', `knock${c}`);
  assert.equal(j.vmware, false, `vmware${c}`);
});

test('A: the reference (open-vm-tools vmware-checkvm under ioperm) agrees with vmt', T, async () => {
  const { A } = await boots();
  const v = get(A, 'ref-checkvm');
  const p = get(A, 'ref-checkvm-p');
  assert.equal(v.rc, 0, `exit status${ctx(A, v)}`);
  assert.equal(v.stdout.trim(), 'VMware software version 6 (good)', `text${ctx(A, v)}`);
  assert.equal(p.rc, 0, `exit status${ctx(A, p)}`);
  assert.equal(p.stdout.trim(), 'ESX Server', `product${ctx(A, p)}`);
  const ours = json(A, get(A, 'probe-json'));
  const refVersion = Number(/version (\d+)/.exec(v.stdout)?.[1]);
  assert.equal(ours.version, refVersion, `vmt's version agrees with vmware-checkvm's${ctx(A, v)}`);
  assert.equal(ours.product, p.stdout.trim(), `vmt's product agrees with vmware-checkvm -p${ctx(A, p)}`);
  // Without ioperm the reference faults too, and says not VMware.
  const n = get(A, 'ref-checkvm-noio');
  assert.equal(n.rc, 1, `exit status${ctx(A, n)}`);
});

// ---- boot B: -machine pc,vmport=off, -cpu qemu64, vmt-linux-x64-baseline -----

test('B: the baseline binary (Node single executable) runs on -cpu qemu64 (x86-64-v1)', T, async () => {
  const { B } = await boots();
  const r = get(B, 'version');
  assertClean(B, r);
  assert.equal(r.rc, 0, `exit status${ctx(B, r)}`);
  assert.match(r.stdout, /^vmt\/\S+ linux-x64 node-\S+ \(standalone binary\)\n$/, `stdout${ctx(B, r)}`);
  const cpu = get(B, 'cpu-flags');
  assert.equal(cpu.rc, 0, `exit status${ctx(B, cpu)}`);
  assert.doesNotMatch(cpu.stdout, /\b(sse4_2|popcnt|avx|avx2)\b/, `the guest's CPU is x86-64-v1${ctx(B, cpu)}`);
});

test('B: vmport=off: checkvm --probe --json as root: exit 1, knock "silent"', T, async () => {
  const { B } = await boots();
  const r = get(B, 'probe-json');
  const c = ctx(B, r);
  assertClean(B, r);
  assert.equal(r.rc, 1, `exit status${c}`);
  const j = json(B, r);
  assert.equal(j.knock, 'silent', `knock: the port reads 0xFFFFFFFF, no fault${c}`);
  assert.equal(j.vmware, false, `vmware${c}`);
  assert.equal(j.version, null, `version${c}`);
});

test('B: vmport=off: as non-root the knock faults: exit 1, knock "fault"', T, async () => {
  const { B } = await boots();
  const r = get(B, 'nonroot-probe-json');
  const c = ctx(B, r);
  assertClean(B, r);
  assert.equal(r.rc, 1, `exit status${c}`);
  const j = json(B, r);
  assert.equal(j.knock, 'fault', `knock${c}`);
  assert.equal(j.vmware, false, `vmware${c}`);
});

test('B: vmport=off: gettime --probe exits 3', T, async () => {
  const { B } = await boots();
  const r = get(B, 'gettime-probe');
  assertClean(B, r);
  assert.equal(r.rc, 3, `exit status${ctx(B, r)}`);
  // for the right reason: libvmt loaded (the guest has every library the binary's native files need)
  assert.doesNotMatch(r.stderr, /cannot load libvmt/, `stderr${ctx(B, r)}`);
  assert.equal(r.stdout, '', `nothing on stdout${ctx(B, r)}`);
});

test('B: vmport=off: the reference agrees: vmware-checkvm under ioperm exits 1', T, async () => {
  const { B } = await boots();
  const r = get(B, 'ref-checkvm');
  assert.equal(r.rc, 1, `exit status${ctx(B, r)}`);
});
