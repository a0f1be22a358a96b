// End-to-end vsock, only inside QEMU guests (vsock_loopback: CID 1); nothing
// here opens an AF_VSOCK socket on this machine. The guests boot with the host
// share (HOST_SHARE=1): `onhost CMD` runs this machine's programs (socat,
// ncat, node, bun, deno) on the guest's kernel, and so on the guest's vsock.
//
// Boots, run at the same time:
//   share         the infrastructure, without vmt's vsock command: the share is
//                 mounted read-only; socat <-> ncat move 8 MiB each way with
//                 matching sha256; node, bun and deno start in the guest;
//                 vmt checkvm on node answers as the standalone binary does.
//   cat-binary    `vmt vsock cat` on the standalone binary (/opt/bin/vmt):
//                 transfers against socat and ncat (one of 64 MiB each way),
//                 an empty stream, half-close both ways, -l -k, --exec,
//                 --idle-timeout, a refused connection, every bad address.
//   cat-runtimes  the same transfers and stream ends on node, bun and deno
//                 (1 MiB where the binary moves 8: see bulk()).
// The cat boots run only when the command is built (the string "vsock:cat",
// the command's id, in the binary or in dist/vmt.js); otherwise their tests
// are skipped, saying so.
//
// Guest-side helpers: test/e2e/guest-lib.sh (read through the share).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BINARY, type Boot, type Commands, ROOT, type Result, assertClean, boot, ctx, get, json, runSetup } from './harness.js';

if (!/^[\w./+-]+$/.test(ROOT)) throw new Error(`vsock e2e: the checkout's path ${JSON.stringify(ROOT)} must not need shell quoting (the guest runs it in command lines)`);

const NODE = process.execPath;
const BUN = join(ROOT, 'node_modules/.bin/bun');
const DENO = join(ROOT, 'node_modules/.bin/deno');
const BUNDLE = join(ROOT, 'dist/vmt.js');
const LIB = `. /host${join(ROOT, 'test/e2e/guest-lib.sh')}`;
const MiB = 1024 * 1024;

/** How each runtime runs vmt in the guest, and the file that holds its commands. */
const RUNTIMES = {
  binary: { prefix: '/opt/bin/vmt', file: BINARY },
  node: { prefix: `onhost ${NODE} ${ROOT}/bin/run.js`, file: BUNDLE },
  bun: { prefix: `onhost ${BUN} ${ROOT}/bin/run.js`, file: BUNDLE },
  deno: { prefix: `onhost ${DENO} run -A ${ROOT}/bin/run.js`, file: BUNDLE },
} as const;
type Runtime = keyof typeof RUNTIMES;
const JS_RUNTIMES: Runtime[] = ['node', 'bun', 'deno'];

/** Whether FILE holds the vsock cat command (its id as a quoted object key). */
function hasVsockCat(file: string): boolean {
  try {
    const b = readFileSync(file);
    return b.includes('"vsock:cat"') || b.includes("'vsock:cat'");
  } catch {
    return false;
  }
}
const BUILT = { binary: hasVsockCat(BINARY), bundle: hasVsockCat(BUNDLE) };
/** E2E_VSOCK_CAT=force runs the vsock cat boots and tests whatever the files say (they fail where the command is missing). */
const FORCE = process.env.E2E_VSOCK_CAT === 'force';
const built = (rt: Runtime) => FORCE || (rt === 'binary' ? BUILT.binary : BUILT.bundle);
/** node:test's skip for a runtime's vsock cat tests: false, or the reason. */
function skipFor(rt: Runtime): string | false {
  return built(rt) ? false : `vmt vsock is not built yet (no "vsock:cat" command in ${RUNTIMES[rt].file}; E2E_VSOCK_CAT=force runs it anyway)`;
}

// ---- commands ----------------------------------------------------------------

const commandsShare: Commands = [
  ['mounts', "awk '$2 ~ \"^/host\" { print $1, $2, $3, $4 }' /proc/mounts; cat /host-share-failed 2>/dev/null"],
  ['readonly', 'onhost touch /usr/.vmt-e2e-share-probe'],
  ['modules', "awk '{ print $1 }' /proc/modules | grep -E '^(vsock|vsock_loopback|9p)$' | sort"],
  ['node-version', `onhost ${NODE} -e 'console.log(process.version)'`],
  ['bun-version', `onhost ${BUN} --version`],
  ['deno-version', `onhost ${DENO} --version`],
  ['checkvm-node', `onhost ${NODE} ${ROOT}/bin/run.js checkvm --probe --json`],
  ['checkvm-binary', '/opt/bin/vmt checkvm --probe --json'],
  ['socat-ncat', pairLine('sn', 8 * MiB, socatListen(5000), 'onhost ncat --vsock 1 5000')],
  ['ncat-socat', pairLine('ns', 8 * MiB, ncatListen(5001), 'onhost socat -t 60 - VSOCK-CONNECT:1:5001')],
  ['has-vsock-cat', '/opt/bin/vmt vsock cat --help'],
  ['has-vsock-cat-node', `onhost ${NODE} ${ROOT}/bin/run.js vsock cat --help`],
];

const BAD_ADDRESSES = ['foo', '1:', ':5', '1:99999999999', '-3:5', '1:5:6', ''];

/** socat and ncat listening, with what they say on stderr once they listen (guest-lib.sh's pair waits for it). */
function socatListen(port: number): string {
  return `onhost socat -d -d -t 60 - VSOCK-LISTEN:${port}' 'listening on`;
}
function ncatListen(port: number): string {
  return `onhost ncat -v --vsock -l ${port}' 'Listening on`;
}

/**
 * The transfers every runtime makes: [id, listener, connector, bytes each way]
 * (a listener that is not vmt carries its READY pattern for pair).
 */
function transfers(rt: Runtime, port: number, big: boolean): [string, string, string, number][] {
  const P = RUNTIMES[rt].prefix;
  const size = bulk(rt);
  return [
    ['socat-listens', socatListen(port), `${P} vsock cat 1:${port}`, big ? 64 * MiB : size],
    ['socat-connects', `${P} vsock cat -l ${port + 1}`, `onhost socat -t 60 - VSOCK-CONNECT:1:${port + 1}`, size],
    ['ncat-listens', ncatListen(port + 2), `${P} vsock cat 1:${port + 2}`, size],
    ['ncat-connects', `${P} vsock cat -l ${port + 3}`, `onhost ncat --vsock 1 ${port + 3}`, size],
    ['empty', socatListen(port + 4), `${P} vsock cat 1:${port + 4}`, 0],
    ['empty-listening', `${P} vsock cat -l ${port + 5}`, `onhost socat -t 60 - VSOCK-CONNECT:1:${port + 5}`, 0],
  ];
}

/** pair's command line: LISTENER may end in `' 'READY` (see socatListen), which becomes pair's sixth argument. */
function pairLine(name: string, bytes: number, listener: string, connector: string): string {
  const [l, ready] = listener.split(`' '`);
  return `${LIB}; pair ${name} ${bytes} ${bytes} '${l}' '${connector}'${ready ? ` '${ready}'` : ''}`;
}

/**
 * The bulk of a transfer: 8 MiB for the binary; 1 MiB for node, bun and deno, whose
 * bytes move in the same libvmt pump (their part is the FFI around it), so that the
 * guest's emulated CPU spends its time on what differs between them, not on copying.
 */
const bulk = (rt: Runtime) => (rt === 'binary' ? 8 * MiB : MiB);

/** Commands for one runtime's cat tests, ids prefixed with the runtime. */
function catCommands(rt: Runtime, port: number): Commands {
  const P = RUNTIMES[rt].prefix;
  const c: Commands = [[`${rt}:help`, `${P} vsock cat --help`]];
  for (const [id, l, k, bytes] of transfers(rt, port, rt === 'binary')) {
    c.push([`${rt}:${id}`, pairLine(`${rt}-${id}`, bytes, l, k)]);
  }
  c.push(
    [`${rt}:halfclose-peer-waits`, `${LIB}; halfclose_peer_waits ${rt}-hc1 ${port + 10} ${bulk(rt)} '${P} vsock cat'`],
    [`${rt}:halfclose-vmt-sends-after`, `${LIB}; halfclose_vmt_sends_after ${rt}-hc2 ${port + 11} ${MiB} '${P} vsock cat'`],
    [`${rt}:keep`, `${LIB}; keep_serving ${rt}-keep ${port + 12} '${P} vsock cat'`],
    [`${rt}:exec`, `${LIB}; exec_serve ${rt}-exec ${port + 13} ${bulk(rt)} '${P} vsock cat -l ${port + 13} --exec sha256sum'`],
    [`${rt}:refused`, `${P} vsock cat 1:${port + 19} </dev/null`],
    [`${rt}:bad-foo`, `${P} vsock cat foo </dev/null`],
  );
  if (rt === 'binary') {
    c.push(
      ['binary:cid', `${P} vsock cid --json`],
      ['binary:exec-no-shell', `${LIB}; exec_serve bx1 ${port + 14} 0 '${P} vsock cat -l ${port + 14} --exec "echo one | tr"'`],
      ['binary:exec-shell', `${LIB}; exec_serve bx2 ${port + 15} 0 '${P} vsock cat -l ${port + 15} --shell --exec "echo one two | tr a-z A-Z"'`],
      ['binary:idle-timeout', `${LIB}; idle_case bidle ${port + 16} '${P} vsock cat --idle-timeout 2 1:${port + 16}'`],
      ['binary:named-cid', pairLine('bnamed', 65536, socatListen(port + 17), `${P} vsock cat local:${port + 17}`)],
      ['binary:listen-named-cid', pairLine('bnamed2', 65536, `${P} vsock cat -l any:${port + 18}`, `onhost socat -t 60 - VSOCK-CONNECT:1:${port + 18}`)],
      ['binary:bad-flaglike', `${P} vsock cat -3:5 </dev/null`],
      ['binary:bad-listen', `${P} vsock cat -l foo </dev/null`],
    );
    BAD_ADDRESSES.forEach((a, i) => c.push([`binary:bad-${i}`, `${P} vsock cat -- '${a}' </dev/null`]));
  }
  return c;
}

const PORTS: Record<Runtime, number> = { binary: 6000, node: 6100, bun: 6200, deno: 6300 };

// ---- boots ---------------------------------------------------------------------

interface Boots {
  share: Boot;
  catBinary?: Boot;
  catRuntimes?: Boot;
}
let booted: Promise<Boots> | undefined;
/** Set-up and the boots, once, shared by every test. */
function boots(): Promise<Boots> {
  booted ??= (async () => {
    if (!existsSync(BINARY)) {
      throw new Error(`${BINARY} is missing: build the standalone binary first with \`npm run binaries\``);
    }
    runSetup();
    const share = { HOST_SHARE: '1', MEM: '1024', CMD_TIMEOUT: '120' };
    const cat = { HOST_SHARE: '1', MEM: '2048', CMD_TIMEOUT: '300', TIMEOUT: '900' };
    const [s, b, r] = await Promise.all([
      boot('vsock-share', share, commandsShare),
      built('binary') ? boot('vsock-cat-binary', cat, catCommands('binary', PORTS.binary)) : undefined,
      built('node') ? boot('vsock-cat-runtimes', cat, JS_RUNTIMES.flatMap((rt) => catCommands(rt, PORTS[rt]))) : undefined,
    ]);
    return { share: s, catBinary: b, catRuntimes: r };
  })();
  return booted;
}

async function catBoot(rt: Runtime): Promise<Boot> {
  const b = await boots();
  const boot = rt === 'binary' ? b.catBinary : b.catRuntimes;
  assert.ok(boot, `no vsock cat boot for ${rt}`);
  return boot;
}

/** key=value lines (the guest helpers' output). */
function fields(r: Result): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

function field(b: Boot, r: Result, f: Map<string, string>, key: string): string {
  const v = f.get(key);
  assert.ok(v !== undefined, `no ${key}= line${ctx(b, r)}`);
  return v;
}

/** One connection both ways: both ends exit 0 and each got what the other sent (sha256 and size). */
function assertPair(b: Boot, r: Result, bytes: number): void {
  const c = ctx(b, r);
  const f = fields(r);
  assert.equal(field(b, r, f, 'listener.rc'), '0', `listener's exit status${c}`);
  assert.equal(field(b, r, f, 'connector.rc'), '0', `connector's exit status${c}`);
  const [lin, cin, lout, cout] = ['l.in', 'c.in', 'l.out', 'c.out'].map((k) => field(b, r, f, k));
  assert.equal(lin!.split(' ')[1], String(bytes), `the listener's input is ${bytes} bytes${c}`);
  assert.equal(cin!.split(' ')[1], String(bytes), `the connector's input is ${bytes} bytes${c}`);
  assert.equal(lout, cin, `what the listener received (sha256 size) = what the connector sent${c}`);
  assert.equal(cout, lin, `what the connector received (sha256 size) = what the listener sent${c}`);
}

const T = { timeout: 1_200_000 };

// ---- the share -------------------------------------------------------------------

test('share: the root file system is mounted read-only at /host, the guest\'s /proc /sys /dev /tmp inside it', T, async () => {
  const { share } = await boots();
  const r = get(share, 'mounts');
  const c = ctx(share, r);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /^hostroot \/host 9p ro[,\s]/, `the 9p share, read-only${c}`);
  for (const d of ['proc', 'sys', 'dev', 'tmp']) {
    assert.ok(lines.some((l) => l.split(' ')[1] === `/host/${d}`), `/host/${d} is mounted${c}`);
  }
  assert.doesNotMatch(r.stdout, /failed/, `/init could mount the share${c}`);
  const w = get(share, 'readonly');
  assert.notEqual(w.rc, 0, `onhost cannot write to this machine's files${ctx(share, w)}`);
  assert.match(w.stderr, /Read-only file system/, `the share refuses writes${ctx(share, w)}`);
});

test('share: the guest loaded vsock, vsock_loopback and 9p', T, async () => {
  const { share } = await boots();
  const r = get(share, 'modules');
  assert.deepEqual(r.stdout.trim().split('\n'), ['9p', 'vsock', 'vsock_loopback'], `modules${ctx(share, r)}`);
});

test('share: onhost runs this machine\'s node, bun and deno in the guest', T, async () => {
  const { share } = await boots();
  const n = get(share, 'node-version');
  assert.equal(n.rc, 0, `exit status${ctx(share, n)}`);
  assert.equal(n.stdout.trim(), process.version, `node's version${ctx(share, n)}`);
  for (const [id, exe] of [['bun-version', BUN], ['deno-version', DENO]] as const) {
    const r = get(share, id);
    assert.equal(r.rc, 0, `exit status${ctx(share, r)}`);
    const here = spawnSync(exe, ['--version'], { encoding: 'utf8' });
    assert.equal(here.status, 0, `${exe} --version on this machine: ${here.stderr}`);
    assert.equal(r.stdout.trim(), here.stdout.trim(), `${id}: the guest runs this machine's program${ctx(share, r)}`);
  }
});

test('share: vmt checkvm on node in the guest answers as the standalone binary does (QEMU vmport)', T, async () => {
  const { share } = await boots();
  const n = get(share, 'checkvm-node');
  const s = get(share, 'checkvm-binary');
  assertClean(share, n);
  assert.equal(n.rc, 0, `exit status${ctx(share, n)}`);
  assert.equal(s.rc, 0, `exit status${ctx(share, s)}`);
  const jn = json(share, n);
  assert.equal(jn.knock, 'answered', `knock${ctx(share, n)}`);
  assert.equal(jn.version, 6, `version${ctx(share, n)}`);
  assert.deepEqual(jn, json(share, s), `node's answer = the binary's${ctx(share, n)}${ctx(share, s)}`);
});

test('share: socat VSOCK-LISTEN <-> ncat --vsock move 8 MiB each way, sha256 matching', T, async () => {
  const { share } = await boots();
  assertPair(share, get(share, 'socat-ncat'), 8 * MiB);
});

test('share: ncat --vsock -l <-> socat VSOCK-CONNECT move 8 MiB each way, sha256 matching', T, async () => {
  const { share } = await boots();
  assertPair(share, get(share, 'ncat-socat'), 8 * MiB);
});

test('share: the binary and the bundle have "vsock cat" exactly when their files hold the command (the skips below are right)', T, async () => {
  const { share } = await boots();
  for (const [id, has, file] of [['has-vsock-cat', BUILT.binary, BINARY], ['has-vsock-cat-node', BUILT.bundle, BUNDLE]] as const) {
    const r = get(share, id);
    if (has) assert.equal(r.rc, 0, `vmt vsock cat --help in the guest${ctx(share, r)}`);
    else assert.notEqual(r.rc, 0, `vmt vsock cat --help in the guest answers, but "vsock:cat" is not found in ${file}${ctx(share, r)}`);
  }
});

// ---- vmt vsock cat -----------------------------------------------------------------

for (const rt of ['binary', ...JS_RUNTIMES] as Runtime[]) {
  const skip = skipFor(rt);
  const O = { ...T, skip };
  const on = `vsock cat on ${rt}`;

  test(`${on}: --help answers in the guest`, O, async () => {
    const b = await catBoot(rt);
    const r = get(b, `${rt}:help`);
    assertClean(b, r);
    assert.equal(r.rc, 0, `exit status${ctx(b, r)}`);
  });

  for (const [id, , , bytes] of transfers(rt, 0, rt === 'binary')) {
    const what = bytes ? `${bytes / MiB} MiB each way, sha256 matching` : 'an empty stream both ways: both ends exit 0, nothing received';
    test(`${on}: ${id.replace('-', ' ')}: ${what}`, O, async () => {
      const b = await catBoot(rt);
      const r = get(b, `${rt}:${id}`);
      assertClean(b, r);
      assertPair(b, r, bytes);
    });
  }

  test(`${on}: stdin's end half-closes: the peer reads to EOF, then sends ${bulk(rt) / MiB} MiB, which still arrive`, O, async () => {
    const b = await catBoot(rt);
    const r = get(b, `${rt}:halfclose-peer-waits`);
    const f = fields(r);
    const c = ctx(b, r);
    assert.equal(field(b, r, f, 'connector.rc'), '0', `vmt's exit status${c}`);
    assert.equal(field(b, r, f, 'listener.rc'), '0', `socat's exit status${c}`);
    assert.equal(f.get('l.out'), f.get('c.in'), `the peer got vmt's 1 KiB, then EOF${c}`);
    assert.equal(f.get('c.out'), f.get('l.in'), `vmt delivered the ${bulk(rt) / MiB} MiB sent after its half-close${c}`);
    assert.equal(f.get('c.out')?.split(' ')[1], String(bulk(rt)), `size${c}`);
  });

  test(`${on}: the peer's end does not end the other direction: stdin sent after it still arrives`, O, async () => {
    const b = await catBoot(rt);
    const r = get(b, `${rt}:halfclose-vmt-sends-after`);
    const f = fields(r);
    const c = ctx(b, r);
    assert.equal(field(b, r, f, 'connector.rc'), '0', `vmt's exit status${c}`);
    assert.equal(field(b, r, f, 'listener.rc'), '0', `socat's exit status${c}`);
    assert.equal(f.get('c.out'), f.get('l.in'), `vmt got the peer's 1 KiB${c}`);
    assert.equal(f.get('l.out'), f.get('c.in'), `the peer got the 1 MiB vmt read after the peer's EOF${c}`);
    assert.equal(f.get('l.out')?.split(' ')[1], String(MiB), `size${c}`);
  });

  test(`${on}: -l -k serves three clients in turn and keeps listening`, O, async () => {
    const b = await catBoot(rt);
    const r = get(b, `${rt}:keep`);
    const c = ctx(b, r);
    for (const i of [1, 2, 3]) assert.match(r.stdout, new RegExp(`^client${i}\\.rc=0 `, 'm'), `client ${i}'s exit status${c}`);
    const out = r.stdout.split('\n').filter((l) => l.startsWith('out=')).map((l) => l.slice(4));
    assert.deepEqual(out, ['client 1', 'client 2', 'client 3'], `what the server wrote, in order${c}`);
    assert.match(r.stdout, /^alive=yes$/m, `still listening after the third client${c}`);
    assert.match(r.stdout, /^server\.rc=143$/m, `SIGTERM ends it (128+15)${c}`);
  });

  test(`${on}: -l --exec sha256sum: the client's ${bulk(rt) / MiB} MiB go to the command, its output comes back`, O, async () => {
    const b = await catBoot(rt);
    const r = get(b, `${rt}:exec`);
    const f = fields(r);
    const c = ctx(b, r);
    assert.equal(field(b, r, f, 'listener.rc'), '0', `vmt's exit status${c}`);
    assert.equal(field(b, r, f, 'connector.rc'), '0', `socat's exit status${c}`);
    const reply = r.stdout.split('reply:\n')[1] ?? '';
    assert.match(reply, /^[0-9a-f]{64}\s+-\n$/, `sha256sum's output${c}`);
    assert.equal(reply.slice(0, 64), field(b, r, f, 'c.in').split(' ')[0], `the digest of what the client sent${c}`);
  });

  test(`${on}: a port nobody listens on: exit 4, one line on stderr`, O, async () => {
    const b = await catBoot(rt);
    const r = get(b, `${rt}:refused`);
    const c = ctx(b, r);
    assertClean(b, r);
    assert.equal(r.rc, 4, `exit status${c}`);
    assert.equal(r.stdout, '', `nothing on stdout${c}`);
    assert.match(r.stderr, /^vmt vsock cat: .+/, `"vmt vsock cat: ..." on stderr${c}`);
  });

  test(`${on}: a bad address (foo): exit 2, naming the form CID:PORT`, O, async () => {
    const b = await catBoot(rt);
    const r = get(b, `${rt}:bad-foo`);
    assertClean(b, r);
    assert.equal(r.rc, 2, `exit status${ctx(b, r)}`);
    assert.match(r.stderr, /CID:PORT/, `names the form${ctx(b, r)}`);
  });
}

const B = { ...T, skip: skipFor('binary') };

test('vsock cat on binary: every bad address: exit 2, naming the form CID:PORT', B, async () => {
  const b = await catBoot('binary');
  BAD_ADDRESSES.forEach((a, i) => {
    const r = get(b, `binary:bad-${i}`);
    const c = `\n  address: ${JSON.stringify(a)}${ctx(b, r)}`;
    assertClean(b, r);
    assert.equal(r.rc, 2, `exit status${c}`);
    assert.equal(r.stdout, '', `nothing on stdout${c}`);
    assert.match(r.stderr, /CID:PORT/, `names the form${c}`);
  });
  const l = get(b, 'binary:bad-listen');
  assert.equal(l.rc, 2, `-l foo: exit status${ctx(b, l)}`);
  assert.match(l.stderr, /PORT/, `-l foo: names the form${ctx(b, l)}`);
  const f = get(b, 'binary:bad-flaglike');
  assertClean(b, f);
  assert.equal(f.rc, 2, `-3:5 without --: exit status${ctx(b, f)}`);
});

test('vsock cat on binary: --exec splits on whitespace, no shell; --shell runs sh -c', B, async () => {
  const b = await catBoot('binary');
  const n = get(b, 'binary:exec-no-shell');
  assert.match(n.stdout, /^listener\.rc=0$/m, `exit status${ctx(b, n)}`);
  assert.equal(n.stdout.split('reply:\n')[1], 'one | tr\n', `echo got "one" "|" "tr" as arguments${ctx(b, n)}`);
  const s = get(b, 'binary:exec-shell');
  assert.match(s.stdout, /^listener\.rc=0$/m, `exit status${ctx(b, s)}`);
  assert.equal(s.stdout.split('reply:\n')[1], 'ONE TWO\n', `sh -c ran the pipeline${ctx(b, s)}`);
});

test('vsock cat on binary: CIDs by name: connects to local:PORT, listens on any:PORT', B, async () => {
  const b = await catBoot('binary');
  assertPair(b, get(b, 'binary:named-cid'), 65536);
  assertPair(b, get(b, 'binary:listen-named-cid'), 65536);
});

test('vsock cat on binary: --idle-timeout 2 with a silent peer: exit 4', B, async () => {
  const b = await catBoot('binary');
  const r = get(b, 'binary:idle-timeout');
  const c = ctx(b, r);
  assert.match(r.stdout, /^rc=4$/m, `exit status${c}`);
  assert.match(r.stderr, /^vmt vsock cat: .+/m, `"vmt vsock cat: ..." on stderr${c}`);
});

test('vsock cid --json on binary: the local CID and the loaded transports (loopback)', B, async () => {
  const b = await catBoot('binary');
  const r = get(b, 'binary:cid');
  assertClean(b, r);
  assert.equal(r.rc, 0, `exit status${ctx(b, r)}`);
  const j = json(b, r);
  assert.match(JSON.stringify(j), /loopback/, `names the loopback transport${ctx(b, r)}`);
});
