// The VM's guestinfo.* variables. Values are bytes (info-set can carry any
// byte but NUL-free text is the norm); keys are case-insensitive, as VMX keys
// are, and kept lowercased.
//
// --state FILE: one JSON object, keys sorted; a value whose bytes are valid
// UTF-8 is a JSON string, any other value is {"base64": "..."}. Loaded at
// start (a missing or empty file is an empty store) and written back at once,
// so that a file that cannot be written is refused before the program runs;
// then rewritten after every set. Each write goes to a temporary file next
// to it, renamed over the old one.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { utf8OrNull } from './transcript.js';

export type StoredValue = string | { base64: string };

/** A --state file that cannot be read, parsed or written: `problem` says what, without the file's name. */
export class StateFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`guestinfo state file ${file}: ${problem}`);
  }
}

export class GuestInfoStore {
  private values = new Map<string, Buffer>();
  private tmpSeq = 0;

  /** `initial` (e.g. from the command line) is applied over the file's contents; with a file, the result is written at once. Throws StateFileError. */
  constructor(initial: Record<string, string | Uint8Array> = {}, private readonly persistFile?: string) {
    if (persistFile) this.values = load(persistFile);
    const next = new Map(this.values);
    for (const [k, v] of Object.entries(initial)) next.set(k.toLowerCase(), toBuffer(v));
    this.commit(next);
  }

  /** The value as UTF-8 text (lossy for binary values: use getBytes). */
  get(key: string): string | undefined {
    return this.values.get(key.toLowerCase())?.toString('utf8');
  }

  getBytes(key: string): Uint8Array | undefined {
    const v = this.values.get(key.toLowerCase());
    return v && Uint8Array.from(v);
  }

  has(key: string): boolean {
    return this.values.has(key.toLowerCase());
  }

  /** Sets and, with a state file, persists; on a write error throws StateFileError and the store is unchanged. */
  set(key: string, value: string | Uint8Array): void {
    const next = new Map(this.values);
    next.set(key.toLowerCase(), toBuffer(value));
    this.commit(next);
  }

  keys(): string[] {
    return [...this.values.keys()].sort();
  }

  toJSON(): Record<string, StoredValue> {
    const out: Record<string, StoredValue> = {};
    for (const k of this.keys()) {
      const bytes = this.values.get(k)!;
      out[k] = utf8OrNull(bytes) ?? { base64: bytes.toString('base64') };
    }
    return out;
  }

  private commit(next: Map<string, Buffer>): void {
    const old = this.values;
    this.values = next;
    if (!this.persistFile) return;
    try {
      writeAtomically(this.persistFile, `${JSON.stringify(this.toJSON(), null, 2)}\n`, ++this.tmpSeq);
    } catch (e) {
      this.values = old;
      throw e;
    }
  }
}

const toBuffer = (v: string | Uint8Array): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v));

/** A file error as "ENOENT: no such file or directory", without node's ", open '/the/path'" (the caller names the file). */
export const errnoText = (e: unknown): string => (e as Error).message.replace(/^(E[A-Z0-9]+: [^,]*), \w+(?: '.*')?$/s, '$1');

function load(file: string): Map<string, Buffer> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new StateFileError(file, `cannot read it: ${errnoText(e)}`);
  }
  if (text.trim() === '') return new Map(); // `touch state.json`
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(file, `not valid JSON (${(e as Error).message}); fix or remove it`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new StateFileError(file, 'it must hold one JSON object of key -> value');
  }
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'string') out.set(k.toLowerCase(), Buffer.from(v, 'utf8'));
    else if (typeof v === 'object' && v !== null && typeof (v as { base64?: unknown }).base64 === 'string') {
      out.set(k.toLowerCase(), Buffer.from((v as { base64: string }).base64, 'base64'));
    } else throw new StateFileError(file, `the value of '${k}' must be a string or {"base64": "..."}`);
  }
  return out;
}

/** FILE's new contents, through a temporary file next to it renamed over it; throws StateFileError. */
export function writeAtomically(file: string, text: string, seq: number): void {
  const tmp = `${file}.${process.pid}.${seq}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new StateFileError(file, `cannot write it: ${errnoText(e)}`);
  }
}
