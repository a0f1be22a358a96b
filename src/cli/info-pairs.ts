// `vmt info set KEY=VALUE... | --from-json FILE`: every pair read and checked
// (key, value, the whole request's size, no key twice) before anything is sent,
// so bad input writes nothing.
import { guestinfoKey, keyProblem } from '../guestrpc/guestinfo.js';
import { UsageError, VmtError } from './exit.js';
import { checkedRequest } from './guestrpc.js';
import { bytes } from './input.js';
import type { RpcSession } from './rpc-session.js';

export interface InfoPair {
  key: string;
  value: Uint8Array;
}

/** KEY=VALUE, split at the first "=". */
export function parsePair(arg: string): InfoPair {
  const eq = arg.indexOf('=');
  if (eq < 0) throw new UsageError(`${JSON.stringify(arg)} is not KEY=VALUE (with several keys every argument is one)`);
  return { key: arg.slice(0, eq), value: bytes(arg.slice(eq + 1)) };
}

/** A --from-json document: one object, each value a string or {"base64": "..."} (the shape --json prints). */
export function parseJsonPairs(text: Uint8Array, what: string): InfoPair[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch (err) {
    throw new UsageError(`${what} is not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError(`${what} is not one JSON object {"KEY": "VALUE", ...}`);
  return Object.entries(doc as Record<string, unknown>).map(([key, v]) => ({ key, value: jsonValue(key, v, what) }));
}

function jsonValue(key: string, v: unknown, what: string): Uint8Array {
  if (typeof v === 'string') return bytes(v);
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { base64?: unknown }).base64 === 'string') {
    const b64 = (v as { base64: string }).base64;
    const raw = Buffer.from(b64, 'base64');
    if (raw.toString('base64') !== b64) throw new UsageError(`${what}: the value of ${JSON.stringify(key)} is not standard padded base64`);
    return raw;
  }
  throw new UsageError(`${what}: the value of ${JSON.stringify(key)} is not a string or {"base64": "..."}`);
}

/** The info-set requests, in order, each checked; a bad key, a key given twice or a request over 64 KiB is a usage error. */
export function setRequests(pairs: readonly InfoPair[]): { key: string; request: Uint8Array }[] {
  if (pairs.length === 0) throw new UsageError('no KEY=VALUE to set');
  const seen = new Set<string>();
  return pairs.map(({ key: given, value }) => {
    const key = guestinfoKey(given);
    const problem = keyProblem(key);
    if (problem) throw new UsageError(problem);
    if (seen.has(key)) throw new UsageError(`${key} is given twice`);
    seen.add(key);
    const head = bytes(`info-set ${key} `);
    const request = new Uint8Array(head.length + value.length);
    request.set(head);
    request.set(value, head.length);
    try {
      checkedRequest(request);
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`${key}: ${err.message}`);
      throw err;
    }
    return { key, request };
  });
}

/** What setting several keys came to: the keys set, the one the host refused (and its reply), those not sent after it. */
export interface SetOutcome {
  set: string[];
  refused?: { key: string; reply: Uint8Array };
  notSent: string[];
}

/**
 * The requests in order over session, stopping at the first the host refuses.
 * A channel failure after some were set is rethrown with what was set and what was not.
 */
export async function setAll(session: RpcSession, requests: readonly { key: string; request: Uint8Array }[]): Promise<SetOutcome> {
  const set: string[] = [];
  for (const [i, { key, request }] of requests.entries()) {
    let r;
    try {
      r = await session.send(request);
    } catch (err) {
      if (err instanceof VmtError && set.length) throw new VmtError(`${err.message}${progress(set, requests.slice(i).map((q) => q.key), 'not set')}`, err.exit);
      throw err;
    }
    if (!r.ok) return { set, refused: { key, reply: r.reply }, notSent: requests.slice(i + 1).map((q) => q.key) };
    set.push(key);
  }
  return { set, notSent: [] };
}

/** "; set: a, b; not sent: d" for a message. */
export function progress(set: readonly string[], rest: readonly string[], restWord = 'not sent'): string {
  return `; set: ${set.length ? set.join(', ') : 'none'}; ${restWord}: ${rest.length ? rest.join(', ') : 'none'}`;
}
