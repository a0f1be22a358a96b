// Where the device commands read and write: the kernel's trees (/sys, /proc) and
// the run directory that keeps what `vmt detach` undid. Tests point them at fake
// trees (--sysfs-root, --proc-root, and XDG_RUNTIME_DIR for the run directory).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runDir } from '../run-dir.js';

export interface Roots {
  sys: string;
  proc: string;
  /** where detach records live (XDG_RUNTIME_DIR, else /run) */
  run: string;
}

export function roots(opts: { sys?: string; proc?: string } = {}): Roots {
  return { sys: opts.sys ?? '/sys', proc: opts.proc ?? '/proc', run: runDir() };
}

/** True when both trees are the kernel's own (then writing needs root). */
export const isSystem = (r: Roots): boolean => r.sys === '/sys' && r.proc === '/proc';

/** The file's text, trimmed; null when it cannot be read. */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'latin1').trim();
  } catch {
    return null;
  }
}

/** The entries of dir, sorted; none when it cannot be read. */
export function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The last component of a symlink's target (a driver's name, a device's address); null when it is no link. */
export function linkName(path: string): string | null {
  try {
    return basename(readlinkSync(path));
  } catch {
    return null;
  }
}

/** A number in hex as sysfs prints it ("0x15ad"); NaN when absent. */
export const hex = (path: string): number => Number.parseInt(readText(path) ?? '', 16);

export const sysPath = (r: Roots, ...parts: string[]): string => join(r.sys, ...parts);
export const procPath = (r: Roots, ...parts: string[]): string => join(r.proc, ...parts);
