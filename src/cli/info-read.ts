// Reading guestinfo variables for `vmt info get` and `vmt info wait`: each
// request sent once over one RPC session (KEY.encoding too, for --encoding
// auto), and the values decoded.
import { decodeValue, DecodeError, parseEncoding, type Encoding } from '../guestrpc/guestinfo.js';
import { Exit, VmtError } from './exit.js';
import type { RpcResult } from './guestrpc.js';
import { quoteHost } from './host-text.js';
import { bytes } from './input.js';
import type { RpcSession } from './rpc-session.js';

export type EncodingChoice = Encoding | 'auto';

/** One variable as read: its decoded value, or the host's refusal (found false). */
export type ValueRead = { key: string; found: true; value: Uint8Array; encoding: Encoding } | { key: string; found: false; reply: Uint8Array };

/** `info-get KEY` over session, each KEY at most once however often it is asked for. */
export class InfoReader {
  private readonly replies = new Map<string, Promise<RpcResult>>();

  constructor(private readonly session: RpcSession) {}

  /** The host's reply to `info-get key`. */
  raw(key: string): Promise<RpcResult> {
    let r = this.replies.get(key);
    if (!r) this.replies.set(key, (r = this.session.send(bytes(`info-get ${key}`))));
    return r;
  }

  /** key, decoded as `encoding` says (auto: as KEY.encoding says, none without it). */
  async read(key: string, encoding: EncodingChoice): Promise<ValueRead> {
    const r = await this.raw(key);
    if (!r.ok) return { key, found: false, reply: r.reply };
    const used = encoding === 'auto' ? await this.declaredEncoding(key) : encoding;
    try {
      return { key, found: true, value: decodeValue(r.reply, used), encoding: used };
    } catch (err) {
      if (err instanceof DecodeError) throw new VmtError(`${key} does not decode as ${used}: ${err.message}`, Exit.FAILED);
      throw err;
    }
  }

  /** Every key in order (the requests one after another: one channel carries one at a time). */
  async readAll(keys: readonly string[], encoding: EncodingChoice): Promise<ValueRead[]> {
    const out: ValueRead[] = [];
    for (const key of keys) out.push(await this.read(key, encoding));
    return out;
  }

  /** KEY.encoding, when the host has it; none when it does not. */
  private async declaredEncoding(key: string): Promise<Encoding> {
    const r = await this.raw(`${key}.encoding`);
    if (!r.ok) return 'none';
    const encoding = parseEncoding(new TextDecoder().decode(r.reply));
    if (!encoding) throw new VmtError(`${key}.encoding is ${quoteHost(r.reply)}, which vmt does not know (base64, gzip+base64)`, Exit.FAILED);
    return encoding;
  }
}
