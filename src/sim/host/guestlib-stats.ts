// The host's guestlib figures (what `vmware-toolbox-cmd stat` and the VMware
// Guest API read): the statistics a VMX hands out through the RPCI
// `guestlib.info.get`, by the ids and names of open-vm-tools' guestlibV3.x
// (GuestLibV3TypeIds), and how `vmt sim --stat NAME=VALUE` / `--stat-file`
// set them. Host side: written from the format, sharing nothing with the guest.
import { readFileSync } from 'node:fs';

export type StatKind = 'u32' | 'u64' | 'string' | 'bytes';

/** GuestLibV3TypeIds 1..38, in order: [name, XDR kind]. Index + 1 is the id. */
export const HOST_STATS: readonly (readonly [string, StatKind])[] = [
  ['cpuReservationMHz', 'u32'], ['cpuLimitMHz', 'u32'], ['cpuShares', 'u32'], ['cpuUsedMs', 'u64'], ['hostMHz', 'u32'],
  ['memReservationMB', 'u32'], ['memLimitMB', 'u32'], ['memShares', 'u32'], ['memMappedMB', 'u32'], ['memActiveMB', 'u32'],
  ['memOverheadMB', 'u32'], ['memBalloonedMB', 'u32'], ['memSwappedMB', 'u32'], ['memSharedMB', 'u32'], ['memSharedSavedMB', 'u32'],
  ['memUsedMB', 'u32'], ['elapsedMs', 'u64'], ['resourcePoolPath', 'string'], ['cpuStolenMs', 'u64'], ['memTargetSizeMB', 'u64'],
  ['hostCpuNumCores', 'u32'], ['hostCpuUsedMs', 'u64'], ['hostMemSwappedMB', 'u64'], ['hostMemSharedMB', 'u64'], ['hostMemUsedMB', 'u64'],
  ['hostMemPhysMB', 'u64'], ['hostMemPhysFreeMB', 'u64'], ['hostMemKernOvhdMB', 'u64'], ['hostMemMappedMB', 'u64'], ['hostMemUnmappedMB', 'u64'],
  ['memZippedMB', 'u32'], ['memZipSavedMB', 'u32'], ['memLLSwappedMB', 'u32'], ['memSwapTargetMB', 'u32'], ['memBalloonTargetMB', 'u32'],
  ['memBalloonMaxMB', 'u32'], ['resourcePoolPathLong', 'bytes'], ['memShares64', 'u64'],
];
export const HOST_STAT_COUNT = HOST_STATS.length; // 38

/** vmware-toolbox-cmd's subcommand names for the figures it prints. */
const ALIASES: Record<string, string> = {
  balloon: 'memBalloonedMB', swap: 'memSwappedMB', memlimit: 'memLimitMB', memres: 'memReservationMB', cpures: 'cpuReservationMHz', cpulimit: 'cpuLimitMHz',
};

/** A figure: a value the host vouches for, or one it marks not valid (the guest gets "not available"). */
export type Figure = { valid: true; value: bigint | Uint8Array } | { valid: false };

export interface GuestlibConfig {
  /** the highest guestlib data version the host speaks: 3 (XDR) or 2 (the fixed V2 struct) */
  version: 2 | 3;
  /** the session id in every reply header (0 makes guestlib say it has no data) */
  sessionId: bigint;
  /** V3: how many statistics the host sends (ids 1..count), as an older host sends fewer */
  count: number;
  /** by id; an id not here is sent as not valid */
  figures: Map<number, Figure>;
  /** `guestlib.stat.get ENCODING STAT...` replies, by the request's words joined with one space */
  raw: Map<string, string>;
}

/** What the host vouches for unless told otherwise: an ESXi VM without reservations or limits. hostMHz comes from the TSC rate. */
export function defaultGuestlib(hostMHz: number): GuestlibConfig {
  const u = (n: number | bigint): Figure => ({ valid: true, value: BigInt(n) });
  const figures = new Map<number, Figure>([
    [idOf('cpuReservationMHz'), u(0)], [idOf('cpuLimitMHz'), u(0xffffffff)], [idOf('hostMHz'), u(hostMHz)], [idOf('memReservationMB'), u(0)],
    [idOf('memLimitMB'), u(0xffffffff)], [idOf('memBalloonedMB'), u(0)], [idOf('memSwappedMB'), u(0)],
  ]);
  return { version: 3, sessionId: 0x564d7674_73696d01n, count: HOST_STAT_COUNT, figures, raw: new Map() };
}

function idOf(name: string): number {
  const key = name.toLowerCase();
  const i = HOST_STATS.findIndex(([n]) => n.toLowerCase() === (ALIASES[key] ?? name).toLowerCase());
  if (i < 0) throw new Error(`unknown figure '${name}': use sessionid, version, count, speed, ${Object.keys(ALIASES).join(', ')}, or a guestlib name such as ${HOST_STATS.slice(0, 3).map(([n]) => n).join(', ')}`);
  return i + 1;
}

const MAX64 = (1n << 64n) - 1n;

/** "512", "0x200" (or a JSON number) -> a whole number in 0..max; throws saying what is wrong. */
function whole(name: string, value: string | number, max: bigint): bigint {
  const text = String(value).trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new Error(`${name} wants a whole number (decimal or 0x hex), not '${value}'`);
  const n = BigInt(text);
  if (n > max) throw new Error(`${name} is at most ${max}, not ${n}`);
  return n;
}

/** What a NAME=VALUE sets: the guestlib config and, for speed, the host's MHz (GETMHZ). */
export interface StatSettings {
  guestlib: GuestlibConfig | null;
  /** `speed`: GETMHZ (and the TSC rate GETHZ reports) */
  speedMHz?: number;
}

/** One figure into `s` (value null or "invalid": the host marks it not valid). Throws naming what is wrong. */
export function setStat(s: StatSettings & { guestlib: GuestlibConfig }, name: string, value: string | number | null): void {
  const g = s.guestlib;
  const key = name.trim().toLowerCase();
  if (key === 'speed') s.speedMHz = Number(whole(name, value ?? '', 0xffffffffn));
  else if (key === 'sessionid') g.sessionId = whole(name, value ?? '', MAX64);
  else if (key === 'version') {
    const v = whole(name, value ?? '', 3n);
    if (v < 2n) throw new Error(`version is 2 or 3, not ${v}`);
    g.version = Number(v) as 2 | 3;
  } else if (key === 'count') g.count = Number(whole(name, value ?? '', BigInt(HOST_STAT_COUNT)));
  else {
    const id = idOf(name);
    const [stat, kind] = HOST_STATS[id - 1]!;
    if (value === null || String(value).trim().toLowerCase() === 'invalid') g.figures.set(id, { valid: false });
    else if (kind === 'u32' || kind === 'u64') g.figures.set(id, { valid: true, value: whole(stat, value, kind === 'u32' ? 0xffffffffn : MAX64) });
    else {
      const bytes = Buffer.from(String(value), 'utf8');
      if (kind === 'string' && bytes.length > 511) throw new Error(`${stat} is at most 511 bytes`);
      g.figures.set(id, { valid: true, value: Uint8Array.from(bytes) });
    }
  }
}

/**
 * The host's guestlib from --stat-file (a JSON object: NAME: number, text or
 * null, and "raw": {"ENCODING STAT": "reply"}) and --stat NAME=VALUE over it;
 * `--stat none`: the host does not answer guestlib at all. Throws naming the flag.
 */
export function statSettings(o: { pairs?: string[]; file?: string; hostMHz: number }): StatSettings {
  const pairs = o.pairs ?? [];
  if (pairs.some((p) => p.trim().toLowerCase() === 'none')) {
    if (pairs.length > 1 || o.file !== undefined) throw new Error('--stat none (no guestlib at all) goes alone, without other --stat figures or --stat-file');
    return { guestlib: null };
  }
  const s = { guestlib: defaultGuestlib(o.hostMHz) } as StatSettings & { guestlib: GuestlibConfig };
  const hostMHz = idOf('hostMHz');
  const defaultHostMHz = s.guestlib.figures.get(hostMHz);
  if (o.file !== undefined) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(o.file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      for (const [k, v] of Object.entries(parsed)) {
        if (k === 'raw') setRaw(s.guestlib, v);
        else if (v === null || typeof v === 'string' || typeof v === 'number') setStat(s, k, v);
        else throw new Error(`the value of "${k}" is not a number, a string or null`);
      }
    } catch (err) {
      throw new Error(`--stat-file ${o.file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new Error(`--stat wants NAME=VALUE (or none), not '${p}'`);
    try {
      setStat(s, p.slice(0, eq), p.slice(eq + 1));
    } catch (err) {
      throw new Error(`--stat: ${(err as Error).message}`);
    }
  }
  // guestlib's hostMHz follows speed unless it was set itself
  if (s.speedMHz !== undefined && s.guestlib.figures.get(hostMHz) === defaultHostMHz) {
    s.guestlib.figures.set(hostMHz, s.speedMHz > 0 ? { valid: true, value: BigInt(s.speedMHz) } : { valid: false });
  }
  return s;
}

/** The request's words, normalised: `guestlib.stat.get  text   session` and `... text session` are the same. */
export const rawKey = (words: string): string => words.trim().split(/\s+/).filter(Boolean).join(' ');

function setRaw(g: GuestlibConfig, v: unknown): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('"raw" is not an object of ENCODING STAT: reply');
  for (const [k, reply] of Object.entries(v)) {
    if (typeof reply !== 'string') throw new Error(`the raw reply for "${k}" is not a string`);
    g.raw.set(rawKey(k), reply);
  }
}
