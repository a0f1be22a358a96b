// The host's end of the VMware Guest API (guestlib), as the VMX answers it:
//
//   guestlib.info.get 3  ->  "1 " header (LE uint32 version 3, LE uint64 session id,
//                            LE uint32 dataSize) + XDR (big-endian): uint32 count,
//                            then count GuestLibV3Stat unions, ids 1..count in order:
//                            uint32 id, Bool valid (4 bytes), then the value
//                            (uint32 | uint64 | string<512> | opaque<>, padded to 4).
//   guestlib.info.get 2  ->  "1 " VMGuestLibDataV2: packed little-endian, 669 bytes.
//   guestlib.stat.get ENCODING STAT...  ->  "1 " the configured text.
//
// Written from open-vm-tools' guestlibV3.x and vmGuestLibInt.h (the formats),
// not from any guest code. A host without guestlib says "0 Unknown command".
import type { Figure, GuestlibConfig } from './guestlib-stats.js';
import { HOST_STATS, rawKey } from './guestlib-stats.js';

const ok = (body: Uint8Array): Uint8Array => Buffer.concat([Buffer.from('1 '), body]);
const err = (text: string): Uint8Array => Buffer.from(`0 ${text}`);

/** The reply to a guestlib RPCI (`command` is guestlib.info.get or guestlib.stat.get); null config: no guestlib here. */
export function guestlibReply(g: GuestlibConfig | null, command: string, args: Uint8Array): Uint8Array {
  if (g === null) return err('Unknown command');
  const words = Buffer.from(args).toString('latin1');
  if (command === 'guestlib.stat.get') {
    const text = g.raw.get(rawKey(words));
    return text === undefined ? err('Unknown stat') : ok(Buffer.from(text, 'utf8'));
  }
  const asked = words.trim();
  if (asked === '3' && g.version === 3) return ok(encodeV3(g));
  if (asked === '2') return ok(encodeV2(g));
  // The sim's wording: the guest library asks for 3, then falls back to 2 on any
  // failure other than "Unknown command"; for a later version a host names the
  // highest it speaks before a ':'.
  return err(`${g.version}:Unsupported version`);
}

/** XDR: big-endian 4-byte units. */
class XdrOut {
  private parts: Buffer[] = [];
  u32(n: number | bigint): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(Number(BigInt.asUintN(32, BigInt(n))));
    this.parts.push(b);
  }
  u64(n: bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt.asUintN(64, n));
    this.parts.push(b);
  }
  opaque(bytes: Uint8Array): void {
    this.u32(bytes.length);
    this.parts.push(Buffer.from(bytes), Buffer.alloc((4 - (bytes.length % 4)) % 4));
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const figure = (g: GuestlibConfig, id: number): Figure => g.figures.get(id) ?? { valid: false };

/** The V3 reply body: the little-endian header, then the XDR statistics. */
export function encodeV3(g: GuestlibConfig): Uint8Array {
  const x = new XdrOut();
  x.u32(g.count);
  for (let id = 1; id <= g.count; id++) {
    const kind = HOST_STATS[id - 1]![1];
    const f = figure(g, id);
    x.u32(id);
    x.u32(f.valid ? 1 : 0);
    const v = f.valid ? f.value : kind === 'u32' || kind === 'u64' ? 0n : new Uint8Array(0);
    if (kind === 'u32') x.u32(v as bigint);
    else if (kind === 'u64') x.u64(v as bigint);
    else x.opaque(v as Uint8Array); // string<512> and opaque<> share the wire form
  }
  const data = x.bytes();
  const head = Buffer.alloc(16);
  head.writeUInt32LE(3, 0);
  head.writeBigUInt64LE(g.sessionId, 4);
  head.writeUInt32LE(data.length, 12);
  return Buffer.concat([head, data]);
}

/**
 * VMGuestLibDataV2, #pragma pack(1): header (uint32 version, uint64 session id),
 * then StatUint32 {Bool valid; 3 bytes of alignment; uint32 value} (8 bytes, its own
 * alignment survives the packing), StatUint64 {Bool; 3 padding; uint64} (12, packed),
 * and resourcePoolPath {Bool valid; char value[512]} (513).
 */
const V2_FIELDS = ['cpuReservationMHz', 'cpuLimitMHz', 'cpuShares', 'cpuUsedMs', 'hostMHz', 'memReservationMB', 'memLimitMB', 'memShares', 'memMappedMB', 'memActiveMB', 'memOverheadMB', 'memBalloonedMB', 'memSwappedMB', 'memSharedMB', 'memSharedSavedMB', 'memUsedMB', 'elapsedMs', 'resourcePoolPath'];
export const V2_SIZE = 669;

export function encodeV2(g: GuestlibConfig): Uint8Array {
  const b = Buffer.alloc(V2_SIZE);
  b.writeUInt32LE(2, 0);
  b.writeBigUInt64LE(g.sessionId, 4);
  let off = 12;
  for (const name of V2_FIELDS) {
    const id = HOST_STATS.findIndex(([n]) => n === name) + 1;
    const kind = HOST_STATS[id - 1]![1];
    const f = figure(g, id);
    b[off] = f.valid ? 1 : 0;
    if (kind === 'u32') {
      if (f.valid) b.writeUInt32LE(Number(f.value as bigint), off + 4);
      off += 8;
    } else if (kind === 'u64') {
      if (f.valid) b.writeBigUInt64LE(f.value as bigint, off + 4);
      off += 12;
    } else {
      if (f.valid) Buffer.from(f.value as Uint8Array).subarray(0, 511).copy(b, off + 1);
      off += 513;
    }
  }
  return b;
}
