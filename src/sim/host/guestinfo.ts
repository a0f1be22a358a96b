// The VM's guestinfo variables as `vmt sim` is given them, as a VMX
// configuration would hold them: --guestinfo KEY=VALUE (any number) over
// --guestinfo-file (a JSON object of strings). The "guestinfo." prefix is
// optional on the command line; keys are case-insensitive and come out
// lowercased, as the store keeps them (so the last of "a=1 A=2" wins).
import { readFileSync } from 'node:fs';
import { errnoText } from './store.js';

/** "metadata" -> "guestinfo.metadata"; a key that has the prefix (in any case) keeps it. */
export const guestinfoKey = (key: string): string => (/^guestinfo\./i.test(key) ? key : `guestinfo.${key}`);

/** --guestinfo KEY=VALUE...: the value is everything after the first '='; throws on a word without KEY=. */
export function parseGuestInfoPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of pairs) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--guestinfo wants KEY=VALUE, not '${kv}'`);
    out[guestinfoKey(kv.slice(0, eq)).toLowerCase()] = kv.slice(eq + 1);
  }
  return out;
}

/** The text of a --guestinfo-file: one JSON object whose values are strings; throws saying what is wrong. */
export function parseGuestInfoJson(text: string): Record<string, string> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string') throw new Error(`the value of "${k}" is not a string`);
    out[guestinfoKey(k).toLowerCase()] = v;
  }
  return out;
}

/** The starting guestinfo: the file's variables, then the pairs over them. Throws naming the flag. */
export function initialGuestInfo(opts: { file?: string; pairs?: string[] }): Record<string, string> {
  let fromFile: Record<string, string> = {};
  if (opts.file !== undefined) {
    try {
      fromFile = parseGuestInfoJson(readFileSync(opts.file, 'utf8'));
    } catch (err) {
      throw new Error(`--guestinfo-file ${opts.file}: ${errnoText(err)}`);
    }
  }
  return { ...fromFile, ...parseGuestInfoPairs(opts.pairs ?? []) };
}
