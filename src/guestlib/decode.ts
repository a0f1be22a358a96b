// The host's guestlib reply (the body after "1 "), decoded with every length
// and count checked against the bytes that came: a hostile or broken reply is
// a GuestlibFormatError, never an over-read, a huge allocation or a crash.
//
//   V3: little-endian header {uint32 version = 3, uint64 sessionId, uint32 dataSize},
//       then dataSize bytes of XDR (big-endian): uint32 count, then count
//       GuestLibV3Stat unions with ids 1, 2, 3, ... in order, each
//       {uint32 id; Bool valid (XDR char: 4 bytes, its low byte counts); value}
//       where value is uint32, uint64, string<512> or opaque<> (length, bytes, padding to 4).
//   V2: VMGuestLibDataV2, exactly 669 bytes, packed little-endian (see V2_LAYOUT).
import { MAX_STAT_ID, STATS, statByName, type StatDef } from './stats.js';

export class GuestlibFormatError extends Error {}

export type StatValue = { valid: false } | { valid: true; value: bigint | Uint8Array };

export interface GuestlibData {
  version: 2 | 3;
  /** 0 means the host has no data for this VM (guestlib treats every figure as missing) */
  sessionId: bigint;
  /** the statistics the host sent, by id; an id absent here is one the host does not support */
  stats: Map<number, StatValue>;
}

const V3_HEADER = 16;
const STRING_MAX = 512; // GUESTLIBV3_STRING_SIZE

class Reader {
  private off = 0;
  constructor(private readonly b: Buffer, private readonly what: string) {}
  private need(n: number, field: string): number {
    if (n > this.b.length - this.off) throw new GuestlibFormatError(`${this.what} ends inside ${field} (at byte ${this.off} of ${this.b.length})`);
    const at = this.off;
    this.off += n;
    return at;
  }
  u32(field: string): number {
    return this.b.readUInt32BE(this.need(4, field));
  }
  u64(field: string): bigint {
    return this.b.readBigUInt64BE(this.need(8, field));
  }
  opaque(field: string, max: number): Uint8Array {
    const n = this.u32(`${field}'s length`);
    if (n > max) throw new GuestlibFormatError(`${field} is ${n} bytes, over its limit of ${max}`);
    const at = this.need(n, field);
    this.need((4 - (n % 4)) % 4, `${field}'s padding`);
    return Uint8Array.from(this.b.subarray(at, at + n));
  }
}

function decodeV3(b: Buffer): GuestlibData {
  if (b.length < V3_HEADER) throw new GuestlibFormatError(`a version 3 reply is at least ${V3_HEADER} bytes, this one ${b.length}`);
  const sessionId = b.readBigUInt64LE(4);
  const dataSize = b.readUInt32LE(12);
  if (dataSize > b.length - V3_HEADER) throw new GuestlibFormatError(`the header announces ${dataSize} bytes of statistics, ${b.length - V3_HEADER} came`);
  const x = new Reader(b.subarray(V3_HEADER, V3_HEADER + dataSize), 'the statistics');
  // a host with more statistics than this side knows: read those it knows (as guestlib does)
  const count = Math.min(x.u32('the count'), MAX_STAT_ID);
  const stats = new Map<number, StatValue>();
  for (let id = 1; id <= count; id++) {
    const def = STATS[id - 1]!;
    const got = x.u32(`statistic ${id}'s id`);
    if (got !== id) throw new GuestlibFormatError(`statistic ${id} came with id ${got}: the host must send them in order`);
    const valid = (x.u32(`${def.name}'s valid flag`) & 0xff) !== 0;
    const value = readValue(x, def);
    stats.set(id, valid ? { valid, value } : { valid });
  }
  return { version: 3, sessionId, stats };
}

function readValue(x: Reader, def: StatDef): bigint | Uint8Array {
  if (def.type === 'u32') return BigInt(x.u32(def.name));
  if (def.type === 'u64') return x.u64(def.name);
  return x.opaque(def.name, def.type === 'string' ? STRING_MAX : Number.MAX_SAFE_INTEGER);
}

/**
 * VMGuestLibDataV2 under #pragma pack(1): the 12-byte header, then its
 * fields in this order. StatUint32 keeps its own alignment (Bool, 3 bytes, uint32:
 * 8 bytes); StatUint64 is packed (Bool, 3 bytes of padding, uint64: 12);
 * resourcePoolPath is {Bool valid; char value[512]} (513).
 */
const V2_LAYOUT = ['cpuReservationMHz', 'cpuLimitMHz', 'cpuShares', 'cpuUsedMs', 'hostMHz', 'memReservationMB', 'memLimitMB', 'memShares', 'memMappedMB', 'memActiveMB', 'memOverheadMB', 'memBalloonedMB', 'memSwappedMB', 'memSharedMB', 'memSharedSavedMB', 'memUsedMB', 'elapsedMs', 'resourcePoolPath'];
export const V2_SIZE = 669;

function decodeV2(b: Buffer): GuestlibData {
  if (b.length !== V2_SIZE) throw new GuestlibFormatError(`a version 2 reply is ${V2_SIZE} bytes, this one ${b.length}`);
  const stats = new Map<number, StatValue>();
  let off = 12;
  for (const name of V2_LAYOUT) {
    const def = statByName(name)!;
    const valid = b[off] !== 0;
    let value: bigint | Uint8Array;
    if (def.type === 'u32') (value = BigInt(b.readUInt32LE(off + 4))), (off += 8);
    else if (def.type === 'u64') (value = b.readBigUInt64LE(off + 4)), (off += 12);
    else {
      const text = b.subarray(off + 1, off + 512); // the last byte is always taken as NUL
      const nul = text.indexOf(0);
      value = Uint8Array.from(nul < 0 ? text : text.subarray(0, nul));
      off += 513;
    }
    stats.set(def.id, valid ? { valid, value } : { valid });
  }
  return { version: 2, sessionId: b.readBigUInt64LE(4), stats };
}

/** A reply to "guestlib.info.get VERSION" (the bytes after "1 "). Throws GuestlibFormatError. */
export function decodeGuestlib(reply: Uint8Array, asked: 2 | 3): GuestlibData {
  const b = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  if (b.length < 4) throw new GuestlibFormatError(`the reply is ${b.length} bytes, too short for a version`);
  const version = b.readUInt32LE(0);
  if (version !== asked) throw new GuestlibFormatError(`asked for version ${asked}, the reply says version ${version}`);
  return asked === 3 ? decodeV3(b) : decodeV2(b);
}
