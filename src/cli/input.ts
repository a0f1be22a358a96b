// Payloads from a file or standard input. Standard input may be a pipe, a
// FIFO, a file or a terminal, and may have been left non-blocking by another
// process sharing it (or by a runtime's stream): reading waits for the data.
import { readFileSync, readSync } from 'node:fs';
import { isatty } from 'node:tty';
import { UsageError } from './exit.js';

export { write, writeOut } from './output.js';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

export interface InputOptions {
  /** keep the bytes exactly; else one trailing newline ("\n") is dropped, as hostctl(8) does */
  raw?: boolean;
}

/** The contents of FILE, or of standard input for "-". */
export async function readInput(file: string, opts: InputOptions = {}): Promise<Uint8Array> {
  let data: Uint8Array;
  try {
    data = file === '-' ? await readStdin() : readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${(err as Error).message}`);
  }
  return opts.raw ? data : dropNewline(data);
}

/** Without one trailing newline ("\n"). */
export function dropNewline(data: Uint8Array): Uint8Array {
  return data[data.length - 1] === 0x0a ? data.subarray(0, data.length - 1) : data;
}

/** Standard input is a terminal (asked without creating process.stdin, which makes a pipe non-blocking on node). */
export const stdinIsTerminal = (): boolean => isatty(0);

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN') throw err;
      // non-blocking: the runtime's stream waits for the rest without spinning
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      break;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}
