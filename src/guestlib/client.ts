// Asking the host for its guestlib figures, as the VMware Guest API does:
// "guestlib.info.get 3"; a host that answers anything but "Unknown command"
// with a failure gets "guestlib.info.get 2"; "Unknown command" (or a failed
// version 2) means the host does not offer guestlib. Then one figure out of
// the decoded reply, or why the host does not provide it.
import { decodeGuestlib, type GuestlibData } from './decode.js';
import type { StatDef } from './stats.js';
import { quoteHost } from '../cli/host-text.js';

/** One RPCI request -> the host's verdict and reply body (vmt's sendRpc, or a test's fake). */
export type Send = (command: Uint8Array) => Promise<{ ok: boolean; reply: Uint8Array }>;

/** The host does not provide what was asked (vmt exits 3). */
export class NotProvided extends Error {}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8').replace(/\0+$/, '');

/** The host's guestlib data (version 3, else 2). Throws NotProvided, GuestlibFormatError, or what `send` throws. */
export async function readGuestlib(send: Send): Promise<GuestlibData> {
  for (const version of [3, 2] as const) {
    const r = await send(Buffer.from(`guestlib.info.get ${version}`));
    if (r.ok) return decodeGuestlib(r.reply, version);
    const why = text(r.reply);
    if (version === 2 || why.startsWith('Unknown command')) {
      throw new NotProvided(`the host does not offer guestlib, the VMware Guest API (it answered guestlib.info.get ${version} with ${quoteHost(why)})`);
    }
  }
  throw new Error('not reached');
}

/** The value of one statistic. Throws NotProvided saying why it is missing. */
export function figure(data: GuestlibData, def: StatDef): bigint | Uint8Array {
  if (data.sessionId === 0n) throw new NotProvided('the host has no guestlib data for this VM (its session id is 0)');
  const s = data.stats.get(def.id);
  if (s === undefined) throw new NotProvided(`the host's guestlib (version ${data.version}${data.version === 3 ? `, ${data.stats.size} statistics` : ''}) does not have ${def.name}`);
  if (!s.valid) throw new NotProvided(`the host does not provide ${def.name} (not valid on this host)`);
  return s.value;
}

/** "guestlib.stat.get ENCODING STAT PARAM", worded as open-vm-tools' vmware-toolbox-cmd stat raw sends it. */
export function statGetRequest(encoding: string, stat: string, param: string): Uint8Array {
  return Buffer.from(`guestlib.stat.get ${encoding} ${stat} ${param}`);
}
