import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { repoRoot } from '../helpers.js';

// The arm64 backdoor (native/libvmt/bdoor_aarch64.S) and its fault guard, cross-compiled and run
// under qemu-aarch64 (native/test/bdoor_arm64_test.c). The positive path against a real
// ESXi-Arm or Fusion host is untested: no such host here.
const root = repoRoot();
const QEMU = ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'];
const CC = 'aarch64-linux-gnu-gcc';
const SRC = ['native/test/bdoor_arm64_test.c', 'native/libvmt/vmt.c', 'native/libvmt/bdoor_aarch64.S'].map((f) => join(root, f));
const dir = mkdtempSync(join(tmpdir(), 'vmt-arm64-'));

before(() => {
  const r = spawnSync('bash', [join(root, 'scripts/apt-install.sh'), 'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'qemu-user'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the arm64 cross compiler and qemu-user are needed: ${r.stderr.trim()}`);
});

function runArm64(exe: string, args: string[] = []) {
  const r = spawnSync(QEMU[0]!, [...QEMU.slice(1), exe, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /^not ok/m, r.stdout);
  return r.stdout;
}

test('arm64 register packing: X0-X6 = the x86 frame, X7 = 0x86 << 32 | the pretend instruction, the host\'s X0-X6 come back; the guard turns the trap into SIGILL and restores the handler', () => {
  const exe = join(dir, 'trap');
  execFileSync(CC, ['-O2', '-Wall', '-Wextra', '-DVMT_BDOOR_TRAP=udf #0', '-o', exe, ...SRC, '-lpthread']);
  const out = runArm64(exe);
  for (const what of ['in eax,dx: X7 = 0x86 << 32 | 0x0e', 'rep insb: X7 = 0x86 << 32 | 0x1c', 'rep outsb: X7 = 0x86 << 32 | 0x18',
    'in eax,dx: the host\'s X0-X6 come back in the frame', 'the guard: vmt_bdoor_lb off VMware returns SIGILL',
    'the guard: the application\'s handler did not see our fault', 'the guard: the application\'s SIGILL handler is back']) {
    assert.ok(out.includes(`ok ${what}\n`), `${what}\n${out}`);
  }
});

test('arm64 libvmt as built: the stubs carry mrs xzr, mdccsr_el0, and under qemu-user (no trap) the knock completes with the frame untouched', () => {
  const exe = join(dir, 'silent');
  execFileSync(CC, ['-O2', '-Wall', '-Wextra', '-o', exe, ...SRC, '-lpthread']);
  assert.match(runArm64(exe, ['silent']), /^ok completed: nobody answered, the frame is untouched$/m);
  const so = join(dir, 'libvmt.so');
  execFileSync(CC, ['-O2', '-fPIC', '-shared', '-o', so, ...['vmt.c', 'vsock.c', 'pump.c', 'ioctl.c', 'bdoor_aarch64.S'].map((f) => join(root, 'native/libvmt', f))]);
  const words = readFileSync(so);
  let mrs = 0;
  for (let i = 0; i + 4 <= words.length; i += 4) if (words.readUInt32LE(i) === 0xd533011f) mrs++; // mrs xzr, mdccsr_el0
  assert.equal(mrs, 3, 'one mrs xzr, mdccsr_el0 in each of the three stubs');
});
