// The QEMU e2e harness shared by the test files: set-up (setup.sh), one boot
// (qemu-run.sh) with a list of commands, and the parsed results.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';

export const ROOT = repoRoot();
export const E2E = join(ROOT, 'test/e2e');
export const BINARY = process.env.VMT_BINARY ?? join(ROOT, 'dist/bin/vmt-linux-x64');
export const OUT = process.env.E2E_OUT ?? join(E2E, '.cache/out');

export interface Result {
  n: number;
  cmd: string;
  stdout: string;
  stderr: string;
  /** stdout then stderr */
  output: string;
  rc: number;
}

/** Parses the @@BEGIN/@@STDERR/@@END/@@DONE stream written by qemu-run.sh. */
export function parseResults(text: string): { results: Result[]; done: boolean } {
  const t = text.replace(/\r\n/g, '\n');
  // qemu-run.sh writes "@@BEGIN n CMD\n" STDOUT "\n@@STDERR n\n" STDERR "\n@@END n rc=N\n".
  const re = /^@@BEGIN (\d+) (.*)\n([\s\S]*?)\n@@STDERR \1\n([\s\S]*?)\n@@END \1 rc=(\d+)$/gm;
  const results: Result[] = [];
  for (const m of t.matchAll(re)) {
    const stdout = m[3] ?? '';
    const stderr = m[4] ?? '';
    results.push({ n: Number(m[1]), cmd: m[2] ?? '', stdout, stderr, output: stdout + stderr, rc: Number(m[5]) });
  }
  return { results, done: /^@@DONE \d+$/m.test(t) };
}

export interface Boot {
  name: string;
  dir: string;
  seconds: number;
  byId: Map<string, Result>;
  where: string;
}

export type Commands = [id: string, line: string][];

/** Runs test/e2e/setup.sh (cached after the first time); throws when it fails. */
export function runSetup(): void {
  const t0 = Date.now();
  const r = spawnSync('bash', [join(E2E, 'setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  process.stderr.write(r.stderr ?? '');
  if (r.status !== 0) {
    throw new Error(`test/e2e/setup.sh failed (status ${r.status}, signal ${r.signal}):\n${r.stderr}${r.stdout}`);
  }
  process.stderr.write(`e2e: setup.sh took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

/**
 * Boots the guest (qemu-run.sh with `binary`, by default BINARY, as
 * /opt/bin/vmt, or none for '-'; `env` added to the environment), runs
 * `commands` and resolves with each one's result by id. Rejects when the
 * guest did not finish or a command is missing.
 */
export function boot(name: string, env: Record<string, string>, commands: Commands, binary: string = BINARY): Promise<Boot> {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  const cmdFile = join(dir, 'cmds.txt');
  writeFileSync(cmdFile, commands.map(([, line]) => line).join('\n') + '\n');
  const where = `(boot ${name}: ${join(dir, 'results.txt')}, console ${join(dir, 'console.log')})`;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(E2E, 'qemu-run.sh'), binary, cmdFile, dir], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - t0) / 1000;
      process.stderr.write(`e2e: boot ${name} took ${seconds.toFixed(1)} s ${where}\n`);
      let text = '';
      try {
        text = readFileSync(join(dir, 'results.txt'), 'utf8');
      } catch {
        /* reported below */
      }
      const { results, done } = parseResults(text);
      if (code !== 0 || !done) {
        reject(new Error(`qemu-run.sh ${name} exited ${code ?? signal}; guest finished: ${done}; ${results.length}/${commands.length} commands ran ${where}\n${log}`));
        return;
      }
      if (results.length !== commands.length) {
        reject(new Error(`boot ${name}: ${results.length} results for ${commands.length} commands ${where}`));
        return;
      }
      const byId = new Map<string, Result>();
      commands.forEach(([id], i) => byId.set(id, results[i]!));
      writeTimes(name, dir, commands, seconds);
      resolve({ name, dir, seconds, byId, where });
    });
  });
}

/**
 * From the "@@TIME n START END" lines qemu-run.sh puts on the console: each
 * command's seconds (by the guest's uptime) into DIR/times.txt, and a summary
 * line on stderr.
 */
function writeTimes(name: string, dir: string, commands: Commands, seconds: number): void {
  let text = '';
  try {
    text = readFileSync(join(dir, 'console.log'), 'latin1');
  } catch {
    return;
  }
  const rows: string[] = [];
  let first = NaN;
  let total = 0;
  for (const m of text.matchAll(/@@TIME (\d+) ([\d.]+) ([\d.]+)/g)) {
    const [n, t0, t1] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (Number.isNaN(first)) first = t0;
    total += t1 - t0;
    rows.push(`${(t1 - t0).toFixed(1).padStart(6)}  ${commands[n - 1]?.[0] ?? `#${n}`}`);
  }
  if (!rows.length) return;
  writeFileSync(join(dir, 'times.txt'), rows.join('\n') + '\n');
  process.stderr.write(`e2e: boot ${name}: ${seconds.toFixed(1)} s in all, first command at ${first.toFixed(1)} s of guest uptime, commands ${total.toFixed(1)} s (${join(dir, 'times.txt')})\n`);
}

export function get(b: Boot, id: string): Result {
  const r = b.byId.get(id);
  assert.ok(r, `no result for ${id} ${b.where}`);
  return r;
}

/** Everything about one command, for assertion messages. */
export function ctx(b: Boot, r: Result): string {
  return `\n  command: ${r.cmd}\n  rc: ${r.rc}\n  stdout: ${JSON.stringify(r.stdout)}\n  stderr: ${JSON.stringify(r.stderr)}\n  ${b.where}`;
}

export function json(b: Boot, r: Result): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(r.stdout);
    assert.ok(v && typeof v === 'object' && !Array.isArray(v), 'not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    assert.fail(`stdout is not one JSON object (${(err as Error).message})${ctx(b, r)}`);
  }
}

/** A clean answer: no crash text, no stack trace, no signal death. */
export function assertClean(b: Boot, r: Result): void {
  assert.doesNotMatch(r.output, /Segmentation fault|Illegal instruction|core dumped/i, `crash text in the output${ctx(b, r)}`);
  assert.doesNotMatch(r.output, /^\s+at .+(:\d+:\d+\)?|native code\)?)$/m, `stack trace in the output${ctx(b, r)}`);
  assert.ok(r.rc < 128, `killed by a signal (rc ${r.rc})${ctx(b, r)}`);
}
