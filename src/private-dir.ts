// The per-user private directory where the standalone binaries put the native
// files they carry but must hand the kernel as real files (vmt sim's tracer,
// and in the Node single executable libvmt and ffi-rs's addon as well):
// $XDG_RUNTIME_DIR/vmt-<uid>, else <tmpdir>/vmt-<uid>, mode 0700. A directory
// there that is not this user's own and private is refused, never used.
import { lstatSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function privateDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = process.getuid?.() ?? 0;
  const dir = join(env.XDG_RUNTIME_DIR || tmpdir(), `vmt-${uid}`);
  // not recursive: the parent must be there already, and node's recursive mkdir spins forever
  // where the kernel refuses (XDG_RUNTIME_DIR=/proc)
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private directory of this user; remove it or set XDG_RUNTIME_DIR`);
  }
  return dir;
}

/**
 * dir/name holding bytes(), written only when it is not there yet with that
 * size (names carry a content hash): through a temporary file renamed over
 * it, so that no one ever sees it half-written and two vmt starting at once
 * both succeed. Its path.
 */
export function placeOnce(dir: string, name: string, size: number | undefined, bytes: () => Uint8Array, mode = 0o700): string {
  const file = join(dir, name);
  const st = statSync(file, { throwIfNoEntry: false });
  if (st?.isFile() && (size === undefined || st.size === size)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes(), { mode });
  renameSync(tmp, file);
  return file;
}
