// The standalone binaries of every flavour (scripts/binaries.mjs, built by the test runner before
// this part): their ELF facts, and what each one can be made to run on this x86-64 machine --
// vmt-linux-x64-v2 directly; vmt-linux-x64-baseline (the Node single executable) directly, under
// `vmt sim`, and under qemu-x86_64 -cpu qemu64 (x86-64-v1), where the bun x86-64-v2 build dies
// with SIGILL; vmt-linux-arm64 under qemu-aarch64 (qemu-user, installed here through
// scripts/apt-install.sh). vmt-linux-x64-musl needs musl's loader and Alpine's libstdc++, which
// Debian lacks: only its ELF facts are checked. The baseline binary in a whole guest on -cpu
// qemu64 is test/e2e/qemu.test.ts's boot B.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { repoRoot, run, type Run } from '../helpers.js';
import { noTrace, onVmware, VMT } from './helpers.js';

const root = repoRoot();
const bin = (flavour: string) => join(root, 'dist/bin', `vmt-linux-${flavour}`);
const FLAVOURS = ['x64', 'x64-v2', 'x64-baseline', 'x64-musl', 'arm64'];
const QEMU = ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'];
/** x86-64-v1: QEMU's default CPU model, no SSE4.2/POPCNT (let alone AVX) */
const QEMU64 = ['qemu-x86_64', '-cpu', 'qemu64'];
const T = { timeout: 120_000 };

before(() => {
  for (const f of FLAVOURS) {
    if (!existsSync(bin(f))) throw new Error(`${bin(f)} is missing: build the standalone binaries first with \`npm run binaries\``);
  }
  // qemu-aarch64, and the arm64 C library it loads the binary with
  const r = spawnSync('bash', [join(root, 'scripts/apt-install.sh'), 'qemu-user', 'libc6-arm64-cross'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qemu-user is needed to run vmt-linux-arm64 here: ${r.stderr.trim()}`);
});

/** run(), without blocking: for several at once. */
function runAsync(cmd: string[], args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, [...cmd.slice(1), ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

const statMode = (p: string) => statSync(p).mode & 0o777;

/** readelf's view: the machine, the program interpreter and the NEEDED libraries. */
function elf(file: string): { machine: string; interp: string | null; needed: string[] } {
  const header = execFileSync('readelf', ['-hW', file], { encoding: 'utf8' });
  const prog = execFileSync('readelf', ['-lW', file], { encoding: 'utf8' });
  const dyn = execFileSync('readelf', ['-dW', file], { encoding: 'utf8' });
  return {
    machine: /Machine:\s+(.+)/.exec(header)![1]!.trim(),
    interp: /Requesting program interpreter: ([^\]]+)\]/.exec(prog)?.[1] ?? null,
    needed: [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!).sort(),
  };
}

test('ELF facts: glibc x86-64 (x64, x64-v2, x64-baseline), musl x86-64 (only what Alpine\'s musl, libstdc++ and libgcc provide), glibc arm64', () => {
  for (const f of ['x64', 'x64-v2', 'x64-baseline']) {
    const e = elf(bin(f));
    assert.match(e.machine, /X86-64/, f);
    assert.equal(e.interp, '/lib64/ld-linux-x86-64.so.2', f);
    assert.ok(e.needed.includes('libc.so.6'), `${f}: ${e.needed}`);
  }
  // the Node single executable: node's fuse flipped by postject (":0" in a plain node binary)
  assert.ok(readFileSync(bin('x64-baseline')).includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'), 'x64-baseline is a Node single executable');
  const musl = elf(bin('x64-musl'));
  assert.match(musl.machine, /X86-64/);
  assert.equal(musl.interp, '/lib/ld-musl-x86_64.so.1');
  const alpine = ['libc.musl-x86_64.so.1', 'libgcc_s.so.1', 'libstdc++.so.6'];
  assert.ok(musl.needed.includes('libstdc++.so.6'), `needs libstdc++ (apk add libstdc++): ${musl.needed}`);
  for (const n of musl.needed) assert.ok(alpine.includes(n), `vmt-linux-x64-musl needs ${n}, which Alpine's musl/libstdc++/libgcc do not provide`);
  const arm = elf(bin('arm64'));
  assert.match(arm.machine, /AArch64/);
  assert.equal(arm.interp, '/lib/ld-linux-aarch64.so.1');
  assert.ok(arm.needed.includes('libc.so.6'), `${arm.needed}`);
});

test('the x64 flavours are different builds (each its own runtime)', () => {
  const a = execFileSync('sha256sum', [bin('x64'), bin('x64-v2'), bin('x64-baseline')], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(' ')[0]);
  assert.equal(new Set(a).size, 3, a.join(' '));
});

function notVmware(r: Run, what: string): void {
  noTrace(r, what);
  assert.equal(r.status, 1, `${what}: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^not VMware: /, what);
  assert.equal(r.stderr, '', what);
}

/** --version, checkvm (not VMware here) and the vmware-checkvm symlink of one binary, run through `through` (nothing, or qemu-user). */
function runsHere(flavour: string, runtime: RegExp, through: string[] = []): void {
  const v = run([...through, bin(flavour)], ['--version']);
  noTrace(v, '--version');
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, new RegExp(`^vmt/\\S+ linux-x64 ${runtime.source}-\\S+ \\(standalone binary\\)\n$`));
  notVmware(run([...through, bin(flavour)], ['checkvm']), 'checkvm');
  const link = join(mkdtempSync(join(tmpdir(), 'vmt-bin-')), 'vmware-checkvm');
  symlinkSync(bin(flavour), link);
  const c = run([...through, link], []);
  noTrace(c, 'vmware-checkvm');
  assert.equal(c.status, 1, c.stdout + c.stderr);
  assert.match(c.stderr, /must be run inside a virtual machine on a VMware hypervisor product/);
}

test('vmt-linux-x64-v2 (bun baseline): --version, checkvm (not VMware here), and the vmware-checkvm symlink', { ...T, skip: onVmware && 'this machine is a VMware VM' }, () => {
  runsHere('x64-v2', /bun/);
});

test('vmt-linux-x64-baseline (Node single executable): --version, checkvm (not VMware here), and the vmware-checkvm symlink', { ...T, skip: onVmware && 'this machine is a VMware VM' }, () => {
  runsHere('x64-baseline', /node/);
});

test('on an x86-64-v1 CPU (qemu-x86_64 -cpu qemu64) vmt-linux-x64-baseline runs --version, checkvm and vmware-checkvm; the bun x86-64-v2 build dies with SIGILL there', T, () => {
  runsHere('x64-baseline', /node/, QEMU64);
  const v2 = run([...QEMU64, bin('x64-v2')], ['--version']);
  assert.equal(v2.signal, 'SIGILL', `vmt-linux-x64-v2 on qemu64: exit ${v2.status} ${v2.signal}\n${v2.stderr}`);
});

test('vmt-linux-x64-baseline under vmt sim: rpc reaches the simulated host (ptrace on node, libvmt from its private directory)', T, () => {
  const r = run(VMT, ['sim', '--guestinfo', 'x=hello from the sim', '--', bin('x64-baseline'), 'rpc', 'info-get guestinfo.x']);
  noTrace(r, 'sim -- vmt rpc');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, 'hello from the sim\n');
});

test('vmt-linux-x64-baseline writes its native files once into a private directory, by content hash, also when started many at once', T, async () => {
  const xdg = mkdtempSync(join(tmpdir(), 'vmt-sea-'));
  const runs = await Promise.all(Array.from({ length: 4 }, () => runAsync([bin('x64-baseline')], ['rpc', 'info-get guestinfo.x'], { XDG_RUNTIME_DIR: xdg })));
  for (const r of runs) {
    noTrace(r, 'rpc, 4 at once');
    assert.equal(r.status, 3, r.stderr); // libvmt loaded, no VMware backdoor here: not available
  }
  const dir = join(xdg, `vmt-${process.getuid!()}`);
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 3, `no temporary files left: ${files}`);
  assert.match(files.join(' '), /^ffi-rs-[0-9a-f]{16}\.node libvmt-[0-9a-f]{16}\.so vmt-trace-[0-9a-f]{16}$/);
  assert.equal(statMode(dir), 0o700);
});

test('vmt-linux-x64-baseline refuses a private directory that is not private: one line, exit 3', T, () => {
  const xdg = mkdtempSync(join(tmpdir(), 'vmt-sea-'));
  const dir = join(xdg, `vmt-${process.getuid!()}`);
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  const r = run([bin('x64-baseline')], ['--version'], { XDG_RUNTIME_DIR: xdg });
  noTrace(r, '--version');
  assert.equal(r.status, 3);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `vmt: cannot write the native files vmt carries to its private directory: ${dir} is not a private directory of this user; remove it or set XDG_RUNTIME_DIR\n`);
});

test('vmt-linux-arm64 under qemu-aarch64: --version, checkvm knocks (mrs xzr, mdccsr_el0) and says not VMware, the vmware-checkvm symlink, sim is not available (exit 3)', T, () => {
  const arm = [...QEMU, bin('arm64')];
  const v = run(arm, ['--version']);
  noTrace(v, '--version');
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^vmt\/\S+ linux-arm64 bun-\S+ \(standalone binary\)\n$/);
  // qemu-user lets EL0 read mdccsr_el0, so the knock completes and nothing answers (a real arm64
  // kernel traps it: SIGILL, which libvmt's guard turns into "faulted"; test/unit/libvmt-arm64.test.ts)
  const j = run(arm, ['checkvm', '--json']);
  noTrace(j, 'checkvm --json');
  assert.equal(j.status, 1, j.stdout + j.stderr);
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.vmware, false);
  assert.ok(['silent', 'fault'].includes(doc.knock), `knocked: ${doc.knock}`);
  assert.equal(doc.cpuidSignature, null);
  assert.match(doc.reason, /^not VMware: /);
  const link = join(mkdtempSync(join(tmpdir(), 'vmt-bin-')), 'vmware-checkvm');
  symlinkSync(bin('arm64'), link);
  const c = run([...QEMU, link], []);
  noTrace(c, 'vmware-checkvm');
  assert.equal(c.status, 1, c.stdout + c.stderr);
  assert.match(c.stderr, /must be run inside a virtual machine on a VMware hypervisor product/);
  const s = run(arm, ['sim', '--', 'true']);
  noTrace(s, 'sim');
  assert.equal(s.status, 3, s.stdout + s.stderr);
  assert.equal(s.stderr, 'vmt sim: vmt sim needs Linux on x86-64 (ptrace)\n');
});
