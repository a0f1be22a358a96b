// What `vmt detach` undid, so that `vmt attach` restores the same binding: one
// JSON file in the run directory (RUN/vmt/detached.json), written whole through
// a temporary file and a rename (never half-written).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomically } from '../../run-dir.js';
import type { Roots } from '../roots.js';

export interface DetachRecord {
  /** the driver it was bound to */
  driver: string;
  /** "15ad:07b0" */
  id: string;
  /** unbound from its driver, or removed from the bus (--rescan) */
  how: 'unbind' | 'remove';
  /** its driver_override before the detach, if one was set */
  driverOverride: string | null;
  /** its network interfaces then (so `vmt attach ens224` finds it after the interface is gone) */
  net: string[];
  at: string;
}

export type Records = Record<string, DetachRecord>;

export const recordsFile = (r: Roots): string => join(r.run, 'vmt', 'detached.json');

export function readRecords(r: Roots): Records {
  try {
    const data = JSON.parse(readFileSync(recordsFile(r), 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
    const out: Records = {};
    for (const [address, v] of Object.entries(data as Record<string, Partial<DetachRecord>>)) {
      if (typeof v?.driver === 'string' && /^[\w.+-]+$/.test(v.driver) && (v.how === 'unbind' || v.how === 'remove')) {
        out[address] = { driver: v.driver, id: String(v.id ?? ''), how: v.how, driverOverride: typeof v.driverOverride === 'string' ? v.driverOverride : null, net: Array.isArray(v.net) ? v.net.filter((n): n is string => typeof n === 'string') : [], at: String(v.at ?? '') };
      }
    }
    return out;
  } catch {
    return {}; // none yet, or unreadable: attach falls back to the usual driver
  }
}

/** Writes the records (an empty set removes nothing: it is written as {}). */
export function writeRecords(r: Roots, records: Records): void {
  writeJsonAtomically(recordsFile(r), records, { dir: 0o755, file: 0o644 });
}
