// The tracer executable: native/build/vmt-trace, or — inside the standalone
// binary, whose embedded files cannot be executed in place — a private copy.
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedPath, nativePath } from '../ffi/paths.js';

export function tracerPath(): string {
  const embedded = embeddedPath('vmt-trace');
  if (!embedded) return nativePath('vmt-trace');
  const bytes = readFileSync(embedded);
  const uid = process.getuid?.() ?? 0;
  const dir = join(process.env.XDG_RUNTIME_DIR || tmpdir(), `vmt-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private directory of this user; remove it or set XDG_RUNTIME_DIR`);
  }
  const file = join(dir, `vmt-trace-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, bytes, { mode: 0o700 });
    renameSync(tmp, file);
  }
  return file;
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
