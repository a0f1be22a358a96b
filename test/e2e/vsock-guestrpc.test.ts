// GuestRPC over vsock in the QEMU guest (vsock_loopback, CID 1): vmt's RPCI
// and TCLO channels against `vmt sim serve`, the sim's host model served over
// real vsock sockets. As root the channel comes from a privileged source port
// (≤ 1023); as nobody from an unprivileged one, which a secure-RPC host
// refuses. Never run on the host itself: vsock only inside the guest.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { boot, runSetup, type Boot, type Commands } from './harness.js';

const EP = '--transport vsock --vsock-endpoint 1:976';
const serve = (flags: string, port: number) => `vmt sim serve --vsock-rpci ${port} ${flags} --timeout 120 2>/tmp/serve-${port}.err & n=0; until grep -q serving /tmp/serve-${port}.err || [ $n -ge 100 ]; do sleep 0.1; n=$((n+1)); done; cat /tmp/serve-${port}.err`;
const SIZES = [0, 1, 4095, 60000];

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
