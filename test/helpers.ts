// Shared by the tests: where the repository is, and how to run the CLI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: tests run compiled from build/test/... (tsc copies package.json into build/), so walk up to native/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'native/libvmt'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('the repository root (with native/libvmt) is not above the tests');
    dir = up;
  }
  return dir;
}

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How each runtime (and the standalone binary) runs the CLI. */
export function runtimes(): Record<string, string[]> {
  const root = repoRoot();
  const bin = (name: string) => join(root, 'node_modules/.bin', name);
  const all: Record<string, string[]> = {
    node: [process.execPath, join(root, 'bin/run.js')],
    bun: [bin('bun'), join(root, 'bin/run.js')],
    deno: [bin('deno'), 'run', '-A', join(root, 'bin/run.js')],
  };
  const binary = join(root, 'dist/bin/vmt-linux-x64');
  if (existsSync(binary)) all.binary = [binary];
  return all;
}

/** Runs cmd args to its end; a hang is bounded by timeoutMs (60 s; longer for runs of many processes on a busy machine). */
export function run(cmd: string[], args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Run {
  const r = spawnSync(cmd[0]!, [...cmd.slice(1), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: timeoutMs });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
