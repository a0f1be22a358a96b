// Bytes in and out: payloads from a file or standard input, and writes that
// go straight to the file descriptor (binary-safe, and without waking the
// runtime's stream machinery, which costs Bun several ms at start).
import { readFileSync, writeSync } from 'node:fs';
import { UsageError } from './exit.js';

export function readInput(file: string): Uint8Array {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (err) {
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${(err as Error).message}`);
  }
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** All of data to fd 1 or 2; a closed pipe ends the writing quietly. */
export function write(fd: 1 | 2, data: Uint8Array | string): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw err;
    }
  }
}

/** Writes bytes, then a newline unless told not to. */
export function writeOut(fd: 1 | 2, data: Uint8Array, newline = true): void {
  write(fd, data);
  if (newline) write(fd, '\n');
}
