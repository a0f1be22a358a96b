// RPCI, host side (protocol.md §3.9, §4): a complete request in, "1 result" or
// "0 error" out. Requests and values are bytes; a key is text.
import type { Endpoint, MessageChannel } from './channel.js';
import type { SimConfig } from './config.js';
import { HOSTILE_VALUE } from './faults.js';
import { guestlibReply } from './guestlib.js';
import type { GuestInfoStore } from './store.js';
import { textFields, type TranscriptSink } from './transcript.js';

const SPACE = 0x20;
const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const ok = (body: string | Uint8Array = ''): Uint8Array => Buffer.concat([Buffer.from('1 '), typeof body === 'string' ? enc(body) : body]);
const err = (text: string): Uint8Array => enc(`0 ${text}`);

/** Commands the sim accepts and ignores (the host just says yes). */
const ACCEPTED = new Set(['log', 'tools.set.version', 'tools.set.versiontype', 'tools.os.statechange.status', 'vmx.capability.unified_loop', 'SetGuestInfo']);

/** The guestinfo key an RPCI names, or null outside guestinfo.* (a bare "guestinfo." is not a key). */
function guestinfoKey(raw: Uint8Array): string | null {
  const key = Buffer.from(raw).toString('utf8').toLowerCase();
  return key.startsWith('guestinfo.') && key.length > 'guestinfo.'.length ? key : null;
}

export class RpciEndpoint implements Endpoint {
  /** --fault hostile */
  private readonly hostile: boolean;

  constructor(
    private readonly config: SimConfig,
    private readonly store: GuestInfoStore,
    private readonly emit: TranscriptSink,
    private readonly count: () => void,
    /** the bytes after "SetGuestInfo ", as sent (a trailing NUL kept: XDR may end in one) */
    private readonly guestInfo?: (args: Uint8Array) => void,
  ) {
    this.hostile = config.faults.some((f) => f.kind === 'hostile' && f.mode === 'hostile');
  }

  opened(): void {}
  closed(): void {}

  message(ch: MessageChannel, data: Uint8Array): void {
    // vmtoolsd sends strlen + 1 bytes: one trailing NUL is not part of the request
    const nul = data.length > 0 && data[data.length - 1] === 0;
    const request = nul ? data.subarray(0, data.length - 1) : data;
    const reply = this.handle(request, data);
    this.count();
    this.emit({ t: 'rpci', channel: ch.id, pid: ch.pid, ...textFields('request', request), ...(nul ? { nul: true } : {}), ...textFields('reply', reply) });
    ch.post(reply, (outcome, read) => {
      if (outcome !== 'ok' || read < reply.length) this.emit({ t: 'recv', channel: ch.id, protocol: 'RPCI', outcome, read, length: reply.length });
    });
  }

  /** One request (without its NUL) -> the reply bytes; sent: the request as sent, NUL and all. */
  handle(request: Uint8Array, sent: Uint8Array = request): Uint8Array {
    const sp = request.indexOf(SPACE);
    const command = Buffer.from(sp < 0 ? request : request.subarray(0, sp)).toString('latin1');
    const args = sp < 0 ? new Uint8Array(0) : request.subarray(sp + 1);
    if (this.hostile && (command === 'info-get' || command === 'machine.id.get')) return ok(HOSTILE_VALUE);
    if (command === 'info-get') return this.infoGet(args);
    if (command === 'info-set') return this.infoSet(args, sp >= 0);
    if (command === 'SetGuestInfo') this.guestInfo?.(sp < 0 ? new Uint8Array(0) : sent.subarray(sp + 1));
    if (command === 'machine.id.get') return ok(this.config.machineId ?? '');
    if (command === 'guestlib.info.get' || command === 'guestlib.stat.get') return guestlibReply(this.config.guestlib, command, args);
    if (ACCEPTED.has(command) || command.startsWith('tools.capability.')) return ok();
    return err('Unknown command');
  }

  private infoGet(args: Uint8Array): Uint8Array {
    const key = guestinfoKey(args);
    const value = key === null ? undefined : this.store.getBytes(key);
    return value === undefined ? err('No value found') : ok(value);
  }

  /** "info-set KEY VALUE": the value is every byte after the first space that follows the key. */
  private infoSet(args: Uint8Array, hadArgs: boolean): Uint8Array {
    const sp = args.indexOf(SPACE);
    if (!hadArgs || sp < 0) return err('Two and exactly two arguments expected');
    const key = guestinfoKey(args.subarray(0, sp));
    // The sim's choice (the VMX's wording is not documented): only guestinfo.* is writable.
    if (key === null) return err('Permission denied');
    try {
      this.store.set(key, args.subarray(sp + 1));
    } catch (e) {
      return err((e as Error).message);
    }
    return ok();
  }
}
