// Device names as the BSD kernels take them: fixed char arrays, NUL-terminated.
import { UsageError } from '../../cli/exit.js';

/** A name that cannot go into the kernel's array: empty, too long, or holding a NUL. */
export class DeviceNameError extends UsageError {}

/**
 * name as `size` bytes: its UTF-8 bytes, then NULs (at least one). `what` says
 * what the name is ("device", "bus", "attribute") in the error.
 */
export function encodeName(name: string, size: number, what: string): Uint8Array {
  if (name === '') throw new DeviceNameError(`the ${what} name is empty`);
  if (name.includes('\0')) throw new DeviceNameError(`the ${what} name ${JSON.stringify(name)} holds a NUL character`);
  const bytes = new TextEncoder().encode(name);
  if (bytes.length > size - 1) {
    throw new DeviceNameError(`the ${what} name ${JSON.stringify(name)} is ${bytes.length} bytes long; the kernel takes at most ${size - 1}`);
  }
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

/** The NUL-terminated name in bytes (all of them when there is no NUL). */
export function decodeName(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}
