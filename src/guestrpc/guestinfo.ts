// guestinfo.* conventions: the prefix scripts leave out, and the KEY.encoding
// convention cloud-init, ignition and afterburn use for large or binary data.
import { gunzipSync } from 'node:zlib';

export function guestinfoKey(key: string): string {
  return /^guestinfo\./i.test(key) ? key : `guestinfo.${key}`;
}

/** A key the RPC text can carry: not empty, no whitespace (the value starts after the first space). */
export function keyProblem(key: string): string | null {
  if (!key || /^guestinfo\.$/i.test(key)) return 'the key is empty';
  if (/[\s\0]/.test(key)) return `the key ${JSON.stringify(key)} contains whitespace or NUL`;
  return null;
}

export type Encoding = 'none' | 'base64' | 'gzip+base64';

/** The names the convention uses for KEY.encoding; null for one it does not know. */
export function parseEncoding(name: string): Encoding | null {
  const n = name.trim().toLowerCase();
  if (n === '' || n === 'none') return 'none';
  if (n === 'base64' || n === 'b64') return 'base64';
  if (n === 'gzip+base64' || n === 'gz+b64' || n === 'gz+base64' || n === 'gzip+b64') return 'gzip+base64';
  return null;
}

export class DecodeError extends Error {}

/** The most a value may inflate to with gzip+base64 (a gzip bomb is refused, not inflated). */
export const MAX_DECODED_VALUE = 64 * 1024 * 1024;

export function decodeValue(value: Uint8Array, encoding: Encoding): Uint8Array {
  if (encoding === 'none') return value;
  const text = Buffer.from(value).toString('latin1').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new DecodeError('the value is not base64');
  // a group of 4 characters cut to 1, or padding that completes no group: a damaged value, not a shorter one
  const data = text.replace(/=+$/, '').length;
  if (data % 4 === 1 || (data < text.length && text.length % 4 !== 0)) throw new DecodeError('the value is not base64 (its length is wrong: cut short?)');
  const raw = Buffer.from(text, 'base64');
  if (encoding === 'base64') return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_DECODED_VALUE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new DecodeError(`the value inflates past ${MAX_DECODED_VALUE / 1024 / 1024} MiB`);
    throw new DecodeError(`the value is not gzip data: ${(err as Error).message}`);
  }
}
