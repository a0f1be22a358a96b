// Running programs under `vmt sim` (the sim itself on node), with a transcript.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run, type Run } from '../helpers.js';

export const ROOT = repoRoot();
export const VMT = [process.execPath, join(ROOT, 'bin/run.js')];
/** The sim itself: the standalone binary when it is built (it starts in ~20 ms, node in ~150), else node. */
const BINARY = join(ROOT, 'dist/bin/vmt-linux-x64');
export const SIM = existsSync(BINARY) ? [BINARY] : VMT;

export function tmp(prefix = 'vmt-sim-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface SimRun extends Run {
  transcript: Record<string, unknown>[];
}

/** vmt sim [simArgs] -- program..., with a transcript read back. */
export function sim(simArgs: string[], program: string[], timeoutMs?: number): SimRun {
  const file = join(tmp(), 'transcript.jsonl');
  const r = run(SIM, ['sim', '--transcript', file, ...simArgs, '--', ...program], {}, timeoutMs);
  let transcript: Record<string, unknown>[] = [];
  try {
    transcript = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    // no transcript: the sim did not start
  }
  return { ...r, transcript };
}

export const entries = (r: SimRun, t: string) => r.transcript.filter((e) => e.t === t);

/** A value of exactly n UTF-8 bytes with spaces and multi-byte characters. */
export function value(n: number): string {
  const unit = 'ab c é ✓ Ω_';
  let s = '';
  while (Buffer.byteLength(s) < n) s += unit;
  while (Buffer.byteLength(s) > n) s = s.slice(0, -1);
  return s.padEnd(s.length + (n - Buffer.byteLength(s)), '.');
}
