// The one way vmt writes: bytes straight to fd 1 or 2 (binary-safe, and
// without waking the runtime's stream machinery, which costs Bun several ms
// at start), and the shapes every --json document shares.
import { writeSync } from 'node:fs';
import { escapeHost } from './host-text.js';

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

/** Whether fd is a terminal (tests pass their own answer). */
export type IsTerminal = (fd: number) => boolean;

/**
 * node:tty's isatty, with the module fetched at the first question rather than
 * imported: Bun evaluates node:tty, and net and stream behind it, at start-up
 * for any module that imports it, about 0.3x an empty binary's start-up
 * (bench/SIZE.md), which `vmt --version` and `vmt checkvm` never need.
 * process.getBuiltinModule: Node >= 20.16, Bun, Deno.
 */
export const isatty: IsTerminal = (fd) => (process.getBuiltinModule('node:tty') as typeof import('node:tty')).isatty(fd);

/**
 * A result made of the host's bytes (a reply, a guestinfo value) on fd 1 or 2:
 * on a terminal with its controls escaped (newlines and tabs kept; see
 * host-text.ts), in a pipe or a file byte for byte; then a newline unless told not to.
 */
export function writeHost(fd: 1 | 2, data: Uint8Array, newline = true, isTerminal: IsTerminal = isatty): void {
  write(fd, isTerminal(fd) ? escapeHost(data, { keepLines: true }) : data);
  if (newline) write(fd, '\n');
}

/**
 * JSON text that is also safe on a terminal: JSON.stringify escapes C0, and
 * this escapes what it leaves raw that a terminal acts on (DEL, C1 such as
 * U+009B CSI, bidi and invisible format controls, U+2028/9) as \uXXXX. The
 * same document for a parser; these only ever occur inside strings.
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One JSON document on stdout. */
export function writeJson(value: unknown): void {
  write(1, `${jsonText(value, 2)}\n`);
}

/** Bytes in a JSON document: a string when they are UTF-8, else {"base64": "..."} (as vmt sim's --state file keeps them). */
export type JsonBytes = string | { base64: string };

export function jsonBytes(bytes: Uint8Array): JsonBytes {
  const text = utf8(bytes);
  return text ?? { base64: Buffer.from(bytes).toString('base64') };
}

/** Text for a terminal or a JSON document: UTF-8 when it is, else null. */
export function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** What every --json invocation prints when it fails: {"error": {"message", "exit"}}. */
export function errorJson(message: string, exit: number): { error: { message: string; exit: number } } {
  return { error: { message, exit } };
}

/** Whether the command line asks for JSON (--json before any "--"). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}
