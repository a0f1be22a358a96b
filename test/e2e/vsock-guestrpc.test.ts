// GuestRPC over vsock in the QEMU guest (vsock_loopback, CID 1): vmt's RPCI
// and TCLO channels against `vmt sim serve`, the sim's host model served over
// real vsock sockets. As root the channel comes from a privileged source port
// (≤ 1023); as nobody from an unprivileged one, which a secure-RPC host
// refuses. Never run on the host itself: vsock only inside the guest.
// And issue 12 over vsock: `vmt sim serve --fault` as a hostile peer, every
// mode against vmt rpc and vmt tclo listen: a bounded end, a clean exit
// status, no wrong value, bounded memory.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { VSOCK_FAULT_MODES } from '../../src/sim/host/vsock-faults.js';
import { assertClean, boot, ctx, runSetup, type Boot, type Commands } from './harness.js';

const EP = '--transport vsock --vsock-endpoint 1:976';
const serve = (flags: string, port: number) => `vmt sim serve --vsock-rpci ${port} ${flags} --timeout 120 2>/tmp/serve-${port}.err & n=0; until grep -q serving /tmp/serve-${port}.err || [ $n -ge 100 ]; do sleep 0.1; n=$((n+1)); done; cat /tmp/serve-${port}.err`;
const SIZES = [0, 1, 4095, 60000];

// The hostile peers: one server takes every mode in turn, one packet each, so the Nth vmt rpc meets the Nth mode.
// The RPCI reply bound is shortened to 2 s for the stall modes (VMT_TEST_RPCI_REPLY_MS, for tests only).
const REPLY_MS = 2000;
/** Peak RSS allowed under a hostile host, KiB (as test/sim/adversarial.test.ts: the runtime plus twice the 16 MiB reply cap). */
const RSS_LIMIT_KB = 192 * 1024;
/**
 * Runs CMD under busybox time; prints rc=, rss= (busybox's %M), seconds= (guest uptime), then "stdout:" and CMD's
 * stdout as it was. busybox 1.35's %M is ru_maxrss taken for pages (4 times the KiB): the 'rss-unit' command measures
 * a known 32 MiB buffer the same way, and the test divides by what it finds.
 */
const measured = (id: string, cmd: string) =>
  `t0=$(cut -d' ' -f1 /proc/uptime); busybox time -f %M -o /tmp/${id}.rss ${cmd} >/tmp/${id}.out; rc=$?; t1=$(cut -d' ' -f1 /proc/uptime); ` +
  `echo rc=$rc; echo rss=$(tail -n 1 /tmp/${id}.rss); echo seconds=$(awk "BEGIN { print $t1 - $t0 }"); echo stdout:; cat /tmp/${id}.out`;
const HOSTILE_TCLO = 'neglength,hugepacket,unknownfield,stallhalf';

const commands: Commands = [
  ['serve', `vmt sim serve --vsock-rpci 976 --vsock-tclo 975 --guestinfo k=hello --tclo ping --tclo Capabilities_Register --transcript /tmp/t.jsonl --timeout 120 2>/tmp/serve.err & n=0; until grep -q serving /tmp/serve.err || [ $n -ge 100 ]; do sleep 0.1; n=$((n+1)); done; cat /tmp/serve.err`],
  ['get', `vmt rpc ${EP} "info-get guestinfo.k"`],
  ['json', `vmt rpc --json ${EP} "info-get guestinfo.k"`],
  ['missing', `vmt rpc ${EP} "info-get guestinfo.missing"`],
  ['nobody', `runas vmt rpc ${EP} "info-get guestinfo.k"`],
  ...SIZES.map((n): [string, string] => [
    `size-${n}`,
    `head -c ${n} /dev/zero | tr '\\0' 'x' > /tmp/v${n} && vmt info set s${n} -f /tmp/v${n} --raw ${EP} && vmt info get s${n} -n ${EP} > /tmp/g${n} && cmp /tmp/v${n} /tmp/g${n} && echo same`,
  ]),
  ['utf8', `vmt info set u "é ✓ Ω" ${EP} && vmt info get u ${EP}`],
  ['refused', `vmt rpc --transport vsock --vsock-endpoint 1:977 "info-get guestinfo.k"`],
  ['tclo', `vmt tclo listen --transport vsock --vsock-endpoint 1:975 --timeout 3.5 --json --force`],
  ['pings', `sleep 1; grep -c '"event":"ping"' /tmp/t.jsonl; grep '"t":"tclo"' /tmp/t.jsonl`],
  ['ports', `grep '"protocol":"RPCI","event":"open"' /tmp/t.jsonl`],
  ['secure', serve('--privileged-only --guestinfo k=v', 980)],
  ['secure-root', `vmt rpc --transport vsock --vsock-endpoint 1:980 "info-get guestinfo.k"`],
  ['secure-nobody', `runas vmt rpc --transport vsock --vsock-endpoint 1:980 "info-get guestinfo.k"`],
  ['rss-unit', 'busybox time -f %M -o /tmp/unit.rss busybox dd if=/dev/zero of=/dev/null bs=32M count=1 2>/dev/null; tail -n 1 /tmp/unit.rss'],
  ['hostile', serve(`--fault ${VSOCK_FAULT_MODES.join(',')} --guestinfo k=hello --transcript /tmp/h.jsonl`, 981)],
  ...VSOCK_FAULT_MODES.map((m): [string, string] => [`hostile-${m}`, measured(m, `env VMT_TEST_RPCI_REPLY_MS=${REPLY_MS} vmt rpc --transport vsock --vsock-endpoint 1:981 "info-get guestinfo.k"`)]),
  ['hostile-tclo', `vmt sim serve --vsock-tclo 982 --tclo ping --fault ${HOSTILE_TCLO} --transcript /tmp/ht.jsonl --timeout 120 2>/tmp/serve-982.err & n=0; until grep -q serving /tmp/serve-982.err || [ $n -ge 100 ]; do sleep 0.1; n=$((n+1)); done; ${measured('tclo', 'vmt tclo listen --transport vsock --vsock-endpoint 1:982 --timeout 4 --json --force')}`],
  ['hostile-log', `sleep 0.5; grep -hE '"event":"fault"|"t":"tclo"' /tmp/h.jsonl /tmp/ht.jsonl`],
];

let guest: Boot;
before(async () => {
  runSetup();
  guest = await boot('vsock-guestrpc', {}, commands);
});

const r = (id: string) => {
  const x = guest.byId.get(id);
  assert.ok(x, `no result for ${id} ${guest.where}`);
  return x;
};

test('vmt sim serve listens on RPCI and TCLO in the guest', () => {
  assert.match(r('serve').stdout, /serving RPCI on any:976, TCLO on any:975/, guest.where);
});

test('RPCI over vsock as root: the value, --json names the transport, a missing key is exit 1', () => {
  assert.deepEqual([r('get').rc, r('get').stdout], [0, 'hello\n'], guest.where);
  assert.deepEqual(JSON.parse(r('json').stdout), { ok: true, reply: 'hello', transport: 'vsock' });
  assert.deepEqual([r('missing').rc, r('missing').stderr], [1, 'No value found\n']);
});

test('info set/get over vsock: 0, 1, 4095 and 60000 bytes and UTF-8 round-trip', () => {
  for (const n of SIZES) assert.deepEqual([r(`size-${n}`).rc, r(`size-${n}`).stdout], [0, 'same\n'], `${n} bytes ${guest.where}`);
  assert.deepEqual([r('utf8').rc, r('utf8').stdout], [0, 'é ✓ Ω\n']);
});

test('source ports: root connects from a privileged port, nobody from an unprivileged one (served by a plain host)', () => {
  const opens = r('ports').stdout.trim().split('\n').map((l) => JSON.parse(l) as { peer_port: number; privileged: boolean });
  assert.ok(opens.length >= 4);
  assert.ok(opens.some((o) => o.privileged && o.peer_port <= 1023), 'a privileged source port');
  assert.ok(opens.some((o) => !o.privileged && o.peer_port > 1023), 'an unprivileged one (runas nobody)');
  assert.deepEqual([r('nobody').rc, r('nobody').stdout], [0, 'hello\n']);
});

test('a secure-RPC host (--privileged-only): root is served, nobody is refused with a message that says why', () => {
  assert.match(r('secure').stdout, /RPCI from privileged ports only/);
  assert.deepEqual([r('secure-root').rc, r('secure-root').stdout], [0, 'v\n']);
  assert.equal(r('secure-nobody').rc, 1);
  assert.match(r('secure-nobody').stderr, /^vmt rpc: the host refused the request over vsock from port \d+: it takes GuestRPC over vsock only from a privileged port \(≤ 1023\)/);
});

test('nobody listening: exit 4 with a reason', () => {
  assert.equal(r('refused').rc, 4, r('refused').stderr);
  assert.match(r('refused').stderr, /^vmt rpc: cannot connect to the host over vsock: nobody listens at local:977/);
});

test('tclo listen over vsock: reset, ping and Capabilities_Register answered; a PING every second after the first reply', () => {
  const events = r('tclo').stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; command?: string; reply?: string });
  const commandsSeen = events.filter((e) => e.type === 'command').map((e) => [e.command, e.reply]);
  assert.deepEqual(commandsSeen, [['reset', 'OK ATR toolbox'], ['ping', 'OK '], ['Capabilities_Register', 'OK ']], guest.where);
  const [count, ...tclo] = r('pings').stdout.trim().split('\n');
  assert.ok(Number(count) >= 2, `PINGs every second for 3.5 s after the first reply: ${count}`);
  assert.deepEqual(tclo.map((l) => (JSON.parse(l) as { command: string }).command), ['reset', 'ping', 'Capabilities_Register']);
});

/** What busybox time's %M says per KiB of peak RSS in this guest: dd's 32 MiB buffer (and about 1 MiB more) measured the same way. */
function rssUnit(): number {
  const said = Number(r('rss-unit').stdout.trim());
  assert.ok(said > 0, `no peak RSS for dd${ctx(guest, r('rss-unit'))}`);
  return Math.max(1, Math.round(said / (32 * 1024)));
}

/** rc, peak RSS (KiB), seconds and stdout of a measured command. */
function measuredResult(id: string) {
  const x = r(id);
  const m = /^rc=(\d+)\nrss=(\d+)\nseconds=([\d.]+)\nstdout:\n([\s\S]*)$/.exec(x.stdout);
  assert.ok(m, `not the measured lines${ctx(guest, x)}`);
  return { rc: Number(m[1]), rssKb: Number(m[2]) / rssUnit(), seconds: Number(m[3]), stdout: m[4]!, stderr: x.stderr, x };
}

/** What vmt rpc does under each mode: exit 4 with the reason on stderr and nothing on stdout, or the value (unknown fields are skipped). */
const HOSTILE_RPC: Record<(typeof VSOCK_FAULT_MODES)[number], RegExp | null> = {
  neglength: /the host sent a malformed packet: field 2: a string length of -1/,
  hugelength: /the host sent a malformed packet: field 2: a 2147483647-byte string/,
  dupfield: /the host sent a malformed packet: field 2 appears twice/,
  unknownfield: null,
  unknowntype: /the host sent a malformed packet: field 99: unknown entry type 9/,
  hugepacket: /the peer announced a 4294967295-byte packet \(over 16777216\)/,
  lyingheader: /no reply from the host within 2 s \(\d+ bytes of a packet came, then nothing\)/,
  stallhalf: /no reply from the host within 2 s \(\d+ bytes of a packet came, then nothing\)/,
};

test('a hostile vsock peer (vmt sim serve --fault), every mode: vmt rpc ends in time, exit 4 with the reason or the right value, never a wrong one, bounded memory', () => {
  assert.match(r('hostile').stdout, /serving RPCI on any:981; hostile: neglength, hugelength/, guest.where);
  for (const mode of VSOCK_FAULT_MODES) {
    const m = measuredResult(`hostile-${mode}`);
    const where = `${mode}: ${ctx(guest, m.x)}`;
    assertClean(guest, m.x);
    const want = HOSTILE_RPC[mode];
    if (want === null) assert.deepEqual([m.rc, m.stdout, m.stderr], [0, 'hello\n', ''], where);
    else {
      assert.deepEqual([m.rc, m.stdout], [4, ''], where);
      assert.match(m.stderr, /^vmt rpc: GuestRPC over vsock failed while receiving: [^\n]+\n$/, where);
      assert.match(m.stderr, want, where);
    }
    assert.ok(m.rssKb > 0 && m.rssKb < RSS_LIMIT_KB, `peak RSS ${m.rssKb} KiB ${where}`);
    // the stall modes end at the shortened reply bound (2 s), far from the 30 s one: a generous bound on a hang
    assert.ok(m.seconds < 20, `took ${m.seconds} s ${where}`);
  }
  const log = r('hostile-log').stdout.trim().split('\n').map((l) => JSON.parse(l) as { t: string; event?: string; fault?: string; command?: string; reply?: string });
  assert.deepEqual(log.filter((e) => e.event === 'fault').slice(0, VSOCK_FAULT_MODES.length).map((e) => e.fault), [...VSOCK_FAULT_MODES], 'each vmt rpc met its mode');
});

test('a hostile vsock peer on TCLO: refused commands reopen the channel, unknown fields are skipped, a stall is waited out; exit 0 at --timeout', () => {
  const m = measuredResult('hostile-tclo');
  assertClean(guest, m.x);
  assert.equal(m.rc, 0, ctx(guest, m.x));
  assert.ok(m.rssKb > 0 && m.rssKb < RSS_LIMIT_KB, `peak RSS ${m.rssKb} KiB`);
  const events = m.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; event?: string; message?: string; command?: string });
  const errors = events.filter((e) => e.type === 'channel' && e.event === 'error').map((e) => e.message ?? '');
  assert.ok(errors.some((e) => /string length of -1/.test(e)) && errors.some((e) => /announced a 4294967295-byte packet/.test(e)), JSON.stringify(errors));
  // only the reset that came with unknown fields was a command; the ping after it stalled half-way
  assert.deepEqual(events.filter((e) => e.type === 'command').map((e) => e.command), ['reset'], m.stdout);
  const log = r('hostile-log').stdout.trim().split('\n').map((l) => JSON.parse(l) as { t: string; command?: string; reply?: string });
  assert.deepEqual(log.filter((e) => e.t === 'tclo').map((e) => [e.command, e.reply]), [['reset', 'OK ATR toolbox']]);
});
