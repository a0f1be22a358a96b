// Payloads from a file or standard input. Standard input may be a pipe, a
// FIFO, a file or a terminal, and may have been left non-blocking by another
// process sharing it (or by a runtime's stream): reading waits for the data.
// Nothing larger than the host accepts is read whole: reading stops past it.
import { closeSync, openSync, readSync } from 'node:fs';
import { GUESTMSG_MAX_IN_SIZE } from '../backdoor/constants.js';
import { UsageError } from './exit.js';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

export interface InputOptions {
  /** keep the bytes exactly; else one trailing newline ("\n") is dropped, as hostctl(8) does */
  raw?: boolean;
  /** the most bytes to accept (default: what one request can carry) */
  limit?: number;
}

/** Past this, input cannot fit in one request (the host takes 64 KiB from the guest; one byte more for a newline to drop). */
const READ_LIMIT = GUESTMSG_MAX_IN_SIZE + 1;

/** The contents of FILE, or of standard input for "-". */
export async function readInput(file: string, opts: InputOptions = {}): Promise<Uint8Array> {
  const what = file === '-' ? 'standard input' : file;
  const limit = opts.limit ?? READ_LIMIT;
  let data: Uint8Array;
  try {
    data = file === '-' ? await readFd(0, limit) : await readFile(file, limit);
  } catch (err) {
    throw new UsageError(`cannot read ${what}: ${(err as Error).message}`);
  }
  if (data.length > limit) throw new UsageError(opts.limit === undefined ? `${what} holds more than the 64 KiB the host accepts from the guest` : `${what} holds more than ${limit} bytes`);
  return opts.raw ? data : dropNewline(data);
}

/** Without one trailing newline ("\n"). */
export function dropNewline(data: Uint8Array): Uint8Array {
  return data[data.length - 1] === 0x0a ? data.subarray(0, data.length - 1) : data;
}

async function readFile(file: string, limit: number): Promise<Uint8Array> {
  const fd = openSync(file, 'r');
  try {
    return await readFd(fd, limit);
  } finally {
    closeSync(fd);
  }
}

/** Up to limit + 1 bytes of fd: enough to tell that it is too large. */
async function readFd(fd: number, limit: number): Promise<Uint8Array> {
  const buf = Buffer.alloc(limit + 1);
  let got = 0;
  while (got < buf.length) {
    let n: number;
    try {
      n = readSync(fd, buf, got, buf.length - got, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || fd !== 0) throw err;
      // non-blocking standard input: the runtime's stream waits for the rest without spinning
      for await (const chunk of process.stdin) {
        const c = chunk as Uint8Array;
        buf.set(c.subarray(0, buf.length - got), got);
        got = Math.min(buf.length, got + c.length);
        if (got === buf.length) break;
      }
      break;
    }
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}
