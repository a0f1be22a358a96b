// What the package tests (package.test.ts, package-arm64.test.ts) share: running a
// command with its output kept, asserting that it succeeded, and an ELF file's CPU.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000, ...opts });
  return { status: r.status, signal: r.signal, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

export function ok(r: ReturnType<typeof sh>, what: string) {
  assert.equal(r.status, 0, `${what}: exit ${r.status} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** ELF e_machine: 62 x86-64, 183 AArch64. */
export function elfMachine(file: string): number {
  const b = readFileSync(file);
  assert.equal(b.subarray(0, 4).toString('latin1'), '\x7fELF', `${file} is not ELF`);
  return b.readUInt16LE(18);
}

/**
 * The environment of an install test: PATH = `tools` (where the test has put its `node`), with
 * sh, cat, ls, ln, mkdir, rm, chmod and uname linked in, then prefix/bin; an empty HOME under
 * `work`. No C compiler is on that PATH (asserted), so only a prebuilt libvmt can serve.
 */
export function installEnv(work: string, tools: string, prefix: string) {
  for (const t of ['sh', 'cat', 'ls', 'ln', 'mkdir', 'rm', 'chmod', 'uname']) {
    const at = sh('sh', ['-c', `command -v ${t}`]).stdout.trim();
    if (at) symlinkSync(at, join(tools, t));
  }
  const env = { PATH: `${tools}:${join(prefix, 'bin')}`, HOME: join(work, 'home'), VMT_VSOCK_FORBID: '1', NO_COLOR: '1' };
  mkdirSync(env.HOME);
  assert.notEqual(sh(join(tools, 'sh'), ['-c', 'command -v cc || command -v gcc || command -v clang'], { env }).status, 0, 'a C compiler on the restricted PATH');
  return env;
}
