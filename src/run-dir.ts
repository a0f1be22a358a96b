// vmt's run directory ($XDG_RUNTIME_DIR, else /run), where its small state
// files live under vmt/ (report state, detach records), and the one way they
// are written: whole, through a temporary file renamed over the old one.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const runDir = (env: NodeJS.ProcessEnv = process.env): string => env.XDG_RUNTIME_DIR || '/run';

/** Writes value as JSON to file, creating its directory; never half-written. Throws on failure. */
export function writeJsonAtomically(file: string, value: unknown, mode: { dir: number; file: number }): void {
  mkdirSync(dirname(file), { recursive: true, mode: mode.dir });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: mode.file });
  renameSync(tmp, file);
}
