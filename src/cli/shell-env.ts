// `vmt info get KEY... --env`: guestinfo values as POSIX shell assignments a
// script can eval. The name comes from the key (the user's, never the host's);
// the value is the host's and is quoted so that no byte of it is shell syntax.
import { UsageError } from './exit.js';

/**
 * The shell name of a guestinfo key: PREFIX as given, then the key without
 * "guestinfo.", upper-cased, every character other than A-Z, 0-9 and _ as _
 * (and a leading _ when the name would start with a digit).
 * guestinfo.metadata.encoding → METADATA_ENCODING; with --prefix VM_, VM_METADATA_ENCODING.
 */
export function envName(key: string, prefix = ''): string {
  const bare = key.replace(/^guestinfo\./i, '').toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const name = `${prefix}${bare}`;
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** A --prefix a shell name can start with. */
export function prefixProblem(prefix: string): string | null {
  return prefix === '' || /^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix) ? null : `--prefix ${JSON.stringify(prefix)} is not the start of a shell variable name (letters, digits, _; not a digit first)`;
}

/** Each key's shell name; two keys with one name are a usage error (nothing is read). */
export function envNames(keys: readonly string[], prefix = ''): Map<string, string> {
  const names = new Map<string, string>();
  const owner = new Map<string, string>();
  for (const key of keys) {
    const name = envName(key, prefix);
    const other = owner.get(name);
    if (other !== undefined && other !== key) throw new UsageError(`${other} and ${key} would both be ${name} in the shell: read them in two calls, or use --json`);
    owner.set(name, key);
    names.set(key, name);
  }
  return names;
}

/**
 * The bytes in single quotes, each ' as '\'' : inside single quotes a POSIX
 * shell takes every byte literally ($, `, \, newlines included). NUL is the one
 * byte a shell variable cannot hold: the caller refuses it before printing.
 */
export function shellQuote(value: Uint8Array): Uint8Array {
  const out: number[] = [0x27];
  for (const b of value) {
    if (b === 0x27) out.push(0x27, 0x5c, 0x27, 0x27);
    else out.push(b);
  }
  out.push(0x27);
  return Uint8Array.from(out);
}

/** NAME='value' and a newline; or `unset NAME` for a missing key (value null). */
export function assignment(name: string, value: Uint8Array | null): Uint8Array {
  if (value === null) return new TextEncoder().encode(`unset ${name}\n`);
  const head = new TextEncoder().encode(`${name}=`);
  const quoted = shellQuote(value);
  const line = new Uint8Array(head.length + quoted.length + 1);
  line.set(head);
  line.set(quoted, head.length);
  line[line.length - 1] = 0x0a;
  return line;
}
