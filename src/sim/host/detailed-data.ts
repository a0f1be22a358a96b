// The value of `SetGuestInfo  11` (INFO_OS_DETAILED), host side: open-vm-tools'
// HostinfoDetailedDataHeader (uint32 version, then shortName and fullName as
// NUL-terminated text in fixed fields of 129 and 513 bytes; 648 bytes with the
// struct's padding on x86), then the detailed data, a NUL-terminated string of
// name='value' fields separated by spaces (' and \ escaped with \).
export const HOSTINFO_STRUCT_HEADER_VERSION = 1;
export const MAX_OS_NAME_LEN = 128;
export const MAX_OS_FULLNAME_LEN = 512;
const SHORT_AT = 4;
const FULL_AT = SHORT_AT + MAX_OS_NAME_LEN + 1;
const END_OF_NAMES = FULL_AT + MAX_OS_FULLNAME_LEN + 1;
/** sizeof(HostinfoDetailedDataHeader): the fields, padded to the uint32's alignment */
export const DETAILED_HEADER_SIZE = (END_OF_NAMES + 3) & ~3;
/** the detailed data's longest string (hostinfoInt.h: 10 fields of 1024) */
export const MAX_DETAILED_STRING_LEN = 10 * 1024;

export interface OsDetailedData {
  version: number;
  shortName: string;
  fullName: string;
  /** the string as sent */
  detailedData: string;
  /** its fields: architecture, bitness, distroName, kernelVersion, prettyName, ... */
  fields: Record<string, string>;
}

const text = new TextDecoder('utf-8');

/** The bytes after "SetGuestInfo  11 " -> the header and fields, or a reason. */
export function decodeDetailedData(bytes: Uint8Array): { ok: true; data: OsDetailedData } | { ok: false; reason: string } {
  if (bytes.length < END_OF_NAMES) return { ok: false, reason: `${bytes.length} bytes: shorter than the ${DETAILED_HEADER_SIZE}-byte HostinfoDetailedDataHeader` };
  const version = Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32LE(0);
  if (version !== HOSTINFO_STRUCT_HEADER_VERSION) return { ok: false, reason: `header version ${version}: the sim knows version ${HOSTINFO_STRUCT_HEADER_VERSION}` };
  const shortName = cString(bytes.subarray(SHORT_AT, FULL_AT));
  const fullName = cString(bytes.subarray(FULL_AT, END_OF_NAMES));
  if (shortName === null) return { ok: false, reason: 'shortName: no NUL within its 129 bytes' };
  if (fullName === null) return { ok: false, reason: 'fullName: no NUL within its 513 bytes' };
  const rest = bytes.subarray(Math.min(DETAILED_HEADER_SIZE, bytes.length));
  const nul = rest.indexOf(0);
  const raw = nul < 0 ? rest : rest.subarray(0, nul);
  if (raw.length > MAX_DETAILED_STRING_LEN) return { ok: false, reason: `detailed data: ${raw.length} bytes, over its limit ${MAX_DETAILED_STRING_LEN}` };
  const detailedData = text.decode(raw);
  const fields = parseFields(detailedData);
  if (typeof fields === 'string') return { ok: false, reason: `detailed data: ${fields}` };
  return { ok: true, data: { version, shortName, fullName, detailedData, fields } };
}

/** Text up to the first NUL, or null when the field has none. */
function cString(field: Uint8Array): string | null {
  const nul = field.indexOf(0);
  return nul < 0 ? null : text.decode(field.subarray(0, nul));
}

/** "a='x' b='it\'s'" -> {a: "x", b: "it's"}; a problem as text. */
export function parseFields(s: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    if (s[i] === ' ') {
      i++;
      continue;
    }
    const eq = s.indexOf("='", i);
    if (eq < 0 || !/^[A-Za-z][A-Za-z0-9]*$/.test(s.slice(i, eq))) return `no name='value' at character ${i}`;
    const name = s.slice(i, eq);
    let value = '';
    let j = eq + 2;
    for (; j < s.length && s[j] !== "'"; j++) {
      if (s[j] === '\\' && j + 1 < s.length) j++;
      value += s[j];
    }
    if (j >= s.length) return `the value of ${name} has no closing quote`;
    out[name] = value;
    i = j + 1;
  }
  return out;
}
