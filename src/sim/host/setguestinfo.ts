// `SetGuestInfo  <key> <value>`, host side: the key (a GuestInfoType from
// open-vm-tools' lib/include/guestInfo.h) and its value decoded. Text values
// are C strings (up to the first NUL); binary ones are decoded by their own
// format. A value that cannot be decoded gives a reason, never an exception.
import { decodeDetailedData, type OsDetailedData } from './detailed-data.js';
import { decodeGuestNicProto, type NicInfoV3 } from './nicinfo.js';

/** GuestInfoType, by number */
export const GUEST_INFO_TYPES = [
  'INFO_ERROR',
  'INFO_DNS_NAME',
  'INFO_IPADDRESS',
  'INFO_DISK_FREE_SPACE',
  'INFO_BUILD_NUMBER',
  'INFO_OS_NAME_FULL',
  'INFO_OS_NAME',
  'INFO_UPTIME',
  'INFO_MEMORY',
  'INFO_IPADDRESS_V2',
  'INFO_IPADDRESS_V3',
  'INFO_OS_DETAILED',
] as const;

/** INFO_DISK_FREE_SPACE (the binary form): one PartitionEntry per filesystem */
export interface PartitionEntry {
  name: string;
  freeBytes: number;
  totalBytes: number;
}

export type GuestInfoValue =
  | { key: 1 | 4 | 5 | 6; value: string }
  | { key: 7; value: number }
  | { key: 3; value: PartitionEntry[] }
  | { key: 9 | 10; value: NicInfoV3; trailing: number }
  | { key: 11; value: OsDetailedData };

export type Decoded = ({ ok: true } & GuestInfoValue) | { ok: false; key: number | null; reason: string };

const text = new TextDecoder('utf-8');
const cString = (b: Uint8Array): string => {
  const nul = b.indexOf(0);
  return text.decode(nul < 0 ? b : b.subarray(0, nul));
};

/**
 * The bytes after "SetGuestInfo" (as sent: " 1 myhost", with vmtoolsd's NUL
 * when it sent one) -> the decoded value. The key is one or more spaces, a
 * decimal number, one space; the value is every byte after that.
 */
export function decodeSetGuestInfo(args: Uint8Array): Decoded {
  let i = 0;
  while (i < args.length && args[i] === 0x20) i++;
  const start = i;
  while (i < args.length && i - start < 10 && args[i]! >= 0x30 && args[i]! <= 0x39) i++;
  if (i === start || args[i] !== 0x20) return { ok: false, key: null, reason: 'no "<key> <value>" after SetGuestInfo' };
  const key = Number(Buffer.from(args.subarray(start, i)).toString('latin1'));
  const value = args.subarray(i + 1);
  const fail = (reason: string): Decoded => ({ ok: false, key, reason });
  switch (key) {
    case 1:
    case 4:
    case 5:
    case 6:
      return { ok: true, key, value: cString(value) };
    case 7: {
      const s = cString(value);
      return /^\d{1,20}$/.test(s) && Number.isSafeInteger(Number(s)) ? { ok: true, key, value: Number(s) } : fail(`uptime '${s.slice(0, 40)}' is not a count of hundredths of a second`);
    }
    case 3: {
      const disks = partitions(value);
      return typeof disks === 'string' ? fail(disks) : { ok: true, key, value: disks };
    }
    case 9:
    case 10: {
      const r = decodeGuestNicProto(value);
      return r.ok ? { ok: true, key, value: r.nicInfo, trailing: r.trailing } : fail(r.reason);
    }
    case 11: {
      const r = decodeDetailedData(value);
      return r.ok ? { ok: true, key, value: r.data } : fail(r.reason);
    }
    default:
      return fail(key > 0 && key < GUEST_INFO_TYPES.length ? `${GUEST_INFO_TYPES[key]}: the sim does not decode it` : `${key} is not a GuestInfoType`);
  }
}

/** PartitionEntry, packed: uint64 freeBytes, uint64 totalBytes, char name[100] (little-endian, as x86 guests send it). */
const PARTITION_SIZE = 8 + 8 + 100;

/** uint8 count, then count packed PartitionEntry; bytes after them (vmtoolsd sends two) are ignored. */
function partitions(b: Uint8Array): PartitionEntry[] | string {
  if (b.length < 1) return 'no partition count';
  const n = b[0]!;
  if (1 + n * PARTITION_SIZE > b.length) return `${n} partitions need ${1 + n * PARTITION_SIZE} bytes, ${b.length} sent`;
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  const out: PartitionEntry[] = [];
  for (let i = 0; i < n; i++) {
    const at = 1 + i * PARTITION_SIZE;
    out.push({ name: cString(b.subarray(at + 16, at + PARTITION_SIZE)), freeBytes: Number(buf.readBigUInt64LE(at)), totalBytes: Number(buf.readBigUInt64LE(at + 8)) });
  }
  return out;
}
