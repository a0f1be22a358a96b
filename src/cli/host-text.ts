// What the host sends, on its way out of vmt. Host bytes (RPCI replies,
// guestinfo values, guestlib strings, TCLO commands) are anyone's who can
// write guestinfo.* from outside, so they never reach a terminal as terminal
// controls: a result on a TTY is printed with its controls escaped (in a pipe
// or a file it stays byte for byte, as open-vm-tools' tools print it), and
// host text quoted inside one of vmt's own messages is always escaped, quoted
// and cut to a bound, so it stays one line whatever the host put in it.
// README "What vmt does with the host's data" is the table of every path.
// A leaf: src/guestlib and src/tclo quote host text with it too; the writer
// of results (writeHost) is in output.ts.

/** How much host text one of vmt's messages quotes (characters); the rest is counted. */
export const QUOTE_MAX = 200;

/** Code points that change how a terminal shows text: C0 (but \n, \t), DEL, C1, and the bidirectional and invisible format controls. */
function isControl(cp: number, keepLines: boolean): boolean {
  if (cp < 0x20) return !(keepLines && (cp === 0x0a || cp === 0x09));
  if (cp >= 0x7f && cp <= 0x9f) return true;
  return cp === 0x061c || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp === 0xfeff || (cp >= 0xd800 && cp <= 0xdfff);
}

const NAMED: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x1b: '\\e' };
const hex2 = (n: number) => n.toString(16).padStart(2, '0');

function escapeCodePoint(cp: number): string {
  if (NAMED[cp]) return NAMED[cp]!;
  return cp < 0x80 ? `\\x${hex2(cp)}` : `\\u{${cp.toString(16)}}`;
}

/**
 * One UTF-8 sequence at b[i]: its code point and length, or null when the
 * byte at i does not start a well-formed sequence (overlong, surrogate, over
 * U+10FFFF, truncated), which is then shown as \xNN.
 */
function sequenceAt(b: Uint8Array, i: number): { cp: number; len: number } | null {
  const c = b[i]!;
  if (c < 0x80) return { cp: c, len: 1 };
  const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > b.length) return null;
  let cp = c & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const d = b[i + k]!;
    if ((d & 0xc0) !== 0x80) return null;
    cp = (cp << 6) | (d & 0x3f);
  }
  const min = [0, 0, 0x80, 0x800, 0x10000][len]!;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
  return { cp, len };
}

export interface EscapeOptions {
  /** keep newlines and tabs (a result printed on a terminal); else they are escaped too (one line) */
  keepLines?: boolean;
  /** also escape `"` and `\`, so the text can stand between double quotes unambiguously */
  quoted?: boolean;
}

/** Host bytes or text as a terminal may show them: every control escaped (\e, \r, \xNN, \u{NNNN}), bytes that are not UTF-8 as \xNN. */
export function escapeHost(data: Uint8Array | string, opts: EscapeOptions = {}): string {
  let out = '';
  const add = (cp: number) => {
    if (isControl(cp, opts.keepLines ?? false)) out += escapeCodePoint(cp);
    else if (opts.quoted && (cp === 0x22 || cp === 0x5c)) out += `\\${String.fromCodePoint(cp)}`;
    else out += String.fromCodePoint(cp);
  };
  if (typeof data === 'string') {
    for (let i = 0; i < data.length; ) {
      const cp = data.codePointAt(i)!;
      add(cp);
      i += cp > 0xffff ? 2 : 1;
    }
    return out;
  }
  for (let i = 0; i < data.length; ) {
    const s = sequenceAt(data, i);
    if (s) {
      add(s.cp);
      i += s.len;
    } else out += `\\x${hex2(data[i++]!)}`;
  }
  return out;
}

/** Host text inside one of vmt's messages: escaped, between double quotes, at most QUOTE_MAX characters of it (then how long it was). */
export function quoteHost(data: Uint8Array | string, max = QUOTE_MAX): string {
  const chars = typeof data === 'string' ? [...data] : null;
  const size = chars ? chars.length : data.length;
  let shown: Uint8Array | string = data;
  if (size > max) shown = chars ? chars.slice(0, max).join('') : cutUtf8(data as Uint8Array, max);
  const unit = chars ? 'characters' : 'bytes';
  return `"${escapeHost(shown, { quoted: true })}"${size > max ? `… (${size} ${unit})` : ''}`;
}

/** The first max bytes, not ending inside a UTF-8 sequence. */
function cutUtf8(b: Uint8Array, max: number): Uint8Array {
  let end = max;
  while (end > 0 && end > max - 3 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}
