// The program's arguments and environment, byte for byte. The runtimes decode
// process.argv and process.env as UTF-8, lossily (and Deno hides a variable
// whose value is not UTF-8, and throws when it is read), so the bytes come from
// /proc/self/cmdline and /proc/self/environ, each checked against what the
// runtime decoded: a byte string is used only when it decodes to the same text.
import { readFileSync } from 'node:fs';

const EQ = 0x3d; // '='

function proc(name: 'cmdline' | 'environ'): Buffer | null {
  try {
    return readFileSync(`/proc/self/${name}`);
  } catch {
    return null;
  }
}

/** NUL-terminated strings (the last terminator optional). */
function strings(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let nul = raw.indexOf(0); nul >= 0; nul = raw.indexOf(0, start)) {
    out.push(raw.subarray(start, nul));
    start = nul + 1;
  }
  if (start < raw.length) out.push(raw.subarray(start));
  return out;
}

const decoded = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');

/**
 * The exact bytes of words, which are the last entries of argv (the user's
 * words after the command's own). They are the last entries of the command
 * line too, after the runtime's own words (node and its options, the script,
 * deno's `run -A`). A word whose bytes do not decode to it (the command line
 * was rewritten, say) is its UTF-8 encoding, as before.
 */
export function exactWords(words: string[], argv: string[] = process.argv, cmdline: Buffer | null = proc('cmdline')): Buffer[] {
  const utf8 = words.map((w) => Buffer.from(w, 'utf8'));
  const tail = argv.slice(argv.length - words.length);
  if (words.length === 0 || tail.length !== words.length || tail.some((w, i) => w !== words[i])) return utf8;
  const raw = cmdline ? strings(cmdline) : [];
  if (raw.length < words.length) return utf8;
  const mine = raw.slice(raw.length - words.length);
  return words.map((w, i) => (decoded(mine[i]!) === w ? Buffer.from(mine[i]!) : utf8[i]!));
}

/**
 * The environment the program gets: this process's own, in its order, with
 * the exact bytes of every variable the runtime has not changed since it
 * started — a value equal to the decoded bytes, or one it cannot decode at
 * all (Deno) — and the runtime's value for one it changed or added. A
 * variable it removed is left out.
 */
export function exactEnvironment(env: NodeJS.ProcessEnv = process.env, environ: Buffer | null = proc('environ')): Buffer[] {
  const out: Buffer[] = [];
  const kept = new Map<string, boolean>(); // name -> its first entry was passed on as it was
  for (const entry of environ ? strings(environ) : []) {
    const eq = entry.indexOf(EQ);
    const rawName = eq < 0 ? entry : entry.subarray(0, eq);
    const name = decoded(rawName);
    if (eq <= 0 || !Buffer.from(name).equals(rawName)) {
      if (!kept.has(name)) kept.set(name, true); // not the runtime's variable under its lossy name
      out.push(Buffer.from(entry)); // no NAME=VALUE a runtime could hold, or a name it cannot decode: as it came
      continue;
    }
    const previous = kept.get(name);
    if (previous !== undefined) {
      if (previous) out.push(Buffer.from(entry)); // a second entry of the name: with the first
      continue;
    }
    let value: string | undefined;
    try {
      value = env[name];
    } catch {
      kept.set(name, true); // Deno: a value that is not UTF-8 cannot be read, nor was it changed
      out.push(Buffer.from(entry));
      continue;
    }
    const same = value === decoded(entry.subarray(eq + 1));
    kept.set(name, same);
    if (same) out.push(Buffer.from(entry));
    else if (value !== undefined) out.push(Buffer.from(`${name}=${value}`, 'utf8'));
  }
  for (const [name, value] of Object.entries(env)) {
    if (!kept.has(name) && value !== undefined) out.push(Buffer.from(`${name}=${value}`, 'utf8'));
  }
  return out;
}
