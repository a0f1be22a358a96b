// The transcript: one JSON-serialisable entry per event, handed to a callback
// (the bridge writes them as JSON lines). Shapes are listed in index.ts.
import type { HostRegs } from './regs.js';

export type TranscriptEntry = Record<string, unknown>;
export type TranscriptSink = (e: TranscriptEntry) => void;

/** Bytes longer than this are cut in the transcript (the `<name>_length` field gives the full size). */
export const TRANSCRIPT_TEXT_LIMIT = 4096;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as a string if they are valid UTF-8 (so that encoding it gives the same bytes back), else null. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * `{name: text}` for the transcript. Over the limit: cut (at a character
 * boundary) and `<name>_length` = full size. Not UTF-8: `name` holds a lossy
 * rendering and `<name>_base64` the exact (possibly cut) bytes.
 */
export function textFields(name: string, bytes: Uint8Array, limit = TRANSCRIPT_TEXT_LIMIT): TranscriptEntry {
  const out: TranscriptEntry = {};
  const valid = utf8OrNull(bytes) !== null;
  let cut = bytes;
  if (bytes.length > limit) {
    let end = limit;
    if (valid) while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // not inside a character
    cut = bytes.subarray(0, end);
    out[`${name}_length`] = bytes.length;
  }
  out[name] = Buffer.from(cut.buffer, cut.byteOffset, cut.length).toString('utf8');
  if (!valid) out[`${name}_base64`] = Buffer.from(cut.buffer, cut.byteOffset, cut.length).toString('base64');
  return out;
}

