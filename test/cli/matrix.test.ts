// The cross-runtime matrix: the same command lines through every flavour of vmt -- node, bun and
// deno running the package, the x64 and x64-v2 standalone binaries (bun), the x64-baseline one
// (a Node single executable), and the arm64 binary
// under qemu-aarch64 -- must give identical stdout, stderr and exit status. Cases that need a
// host run under `vmt sim` in the sim's own tests (x64 only); these need none. The version line
// names the runtime, so it is compared with the runtime part masked.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { repoRoot, runtimes, type Run } from '../helpers.js';
import { noTrace, onVmware } from './helpers.js';

const root = repoRoot();
const binary = (flavour: string) => join(root, 'dist/bin', `vmt-linux-${flavour}`);
const rt = runtimes();
const FLAVOURS: Record<string, string[]> = {
  node: rt.node!,
  bun: rt.bun!,
  deno: rt.deno!,
  x64: [binary('x64')],
  'x64-v2': [binary('x64-v2')],
  'x64-baseline': [binary('x64-baseline')],
  arm64: ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu', binary('arm64')],
};
const X64 = Object.keys(FLAVOURS).filter((f) => f !== 'arm64');

before(() => {
  for (const f of ['x64', 'x64-v2', 'x64-baseline', 'arm64']) {
    if (!existsSync(binary(f))) throw new Error(`${binary(f)} is missing: build the standalone binaries first with \`npm run binaries\``);
  }
  const r = spawnSync('bash', [join(root, 'scripts/apt-install.sh'), 'qemu-user', 'libc6-arm64-cross'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qemu-user is needed to run vmt-linux-arm64 here: ${r.stderr.trim()}`);
});

const empty = mkdtempSync(join(tmpdir(), 'vmt-matrix-'));

interface Case {
  args: string[];
  /** the exit status every flavour must give */
  status: number;
  /** flavours whose answer depends on the CPU (the backdoor's knock): compared among the x64 ones only */
  x64Only?: boolean;
  stdin?: string;
}

const CASES: Case[] = [
  { args: ['--version'], status: 0 },
  { args: ['--help'], status: 0 },
  { args: ['rpc', '--help'], status: 0 },
  { args: ['nonsense'], status: 2 },
  { args: ['rpc'], status: 2 },
  { args: ['rpc', '-f', '-'], status: 2, stdin: '' },
  { args: ['info', 'get'], status: 2 },
  { args: ['info', 'get', 'k', '--encoding', 'rot13'], status: 2 },
  { args: ['info', 'set', 'bad key', 'v'], status: 2 },
  { args: ['vsock', 'cat', 'nope'], status: 2 },
  { args: ['drvctl', '-Q'], status: 2 },
  { args: ['devices', '--json', '--sysfs-root', empty, '--proc-root', empty], status: 1 },
  { args: ['stat', 'nope'], status: 2 },
  { args: ['tclo', 'listen', '--exit-after', '0'], status: 2 },
  { args: ['checkvm'], status: 1, x64Only: true },
  { args: ['checkvm', '--json'], status: 1, x64Only: true },
  { args: ['rpc', 'info-get guestinfo.x'], status: 3, x64Only: true },
];

/** The version line (alone, and in the help's VERSION section) names runtime and platform: masked so that the rest is compared. */
const masked = (r: Run): Run => ({ ...r, stdout: r.stdout.replace(/^(\s*vmt\/\S+) \S+ \S+( \(standalone binary\))?$/m, '$1 PLATFORM RUNTIME') });

/** One flavour's run of a case; the flavours of a case run at the same time (arm64 under qemu-user is the slow one). */
function runCase(flavour: string, c: Case): Promise<Run> {
  const cmd = FLAVOURS[flavour]!;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, [...cmd.slice(1), ...c.args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve(masked({ status, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })));
    child.stdin.end(c.stdin ?? '');
  });
}

for (const c of CASES) {
  const flavours = c.x64Only ? X64 : Object.keys(FLAVOURS);
  test(`vmt ${c.args.join(' ')}: ${flavours.join(', ')} agree (exit ${c.status})`, { timeout: 600_000, skip: c.x64Only && onVmware && 'this machine is a VMware VM' }, async () => {
    const results = await Promise.all(flavours.map(async (f) => [f, await runCase(f, c)] as const));
    const [first, firstRun] = results[0]!;
    for (const [f, r] of results) {
      noTrace(r, `${f}: vmt ${c.args.join(' ')}`);
      assert.equal(r.status, c.status, `${f}: exit status of vmt ${c.args.join(' ')}\n${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, firstRun.stdout, `${f} vs ${first}: stdout of vmt ${c.args.join(' ')}`);
      assert.equal(r.stderr, firstRun.stderr, `${f} vs ${first}: stderr of vmt ${c.args.join(' ')}`);
    }
  });
}
