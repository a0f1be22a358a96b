// Payloads from a file or standard input, as bytes (binary-safe).
import { readFileSync } from 'node:fs';
import { UsageError } from './exit.js';

export function readInput(file: string): Uint8Array {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (err) {
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${(err as Error).message}`);
  }
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Writes bytes, then a newline unless told not to. */
export function writeOut(fd: 1 | 2, data: Uint8Array, newline = true): void {
  const stream = fd === 1 ? process.stdout : process.stderr;
  stream.write(data);
  if (newline) stream.write('\n');
}
