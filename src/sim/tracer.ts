// The tracer executable: native/build/vmt-trace, or — inside the bun
// binary, whose embedded files cannot be executed in place — a private copy
// (the Node single executable has written its own already, bin/sea.ts).
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { embeddedPath, nativePath } from '../ffi/paths.js';
import { placeOnce, privateDir } from '../private-dir.js';

export function tracerPath(): string {
  const embedded = embeddedPath('vmt-trace');
  if (!embedded) return nativePath('vmt-trace');
  if (!embedded.startsWith('/$bunfs/')) return embedded;
  const bytes = readFileSync(embedded);
  const name = `vmt-trace-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
  return placeOnce(privateDir(), name, bytes.length, () => bytes);
}

/** $XDG_CACHE_HOME/vmt/cpuid-sites (or ~/.cache/...), created private; undefined when it cannot be. */
export function scanCacheDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  if (!base) return undefined;
  const dir = join(base, 'vmt', 'cpuid-sites');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === (process.getuid?.() ?? st.uid) ? dir : undefined;
  } catch {
    return undefined; // no cache: every run scans again
  }
}
