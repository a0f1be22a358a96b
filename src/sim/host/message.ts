// BDOOR_CMD_MESSAGE and the HB port, register by register (protocol.md §1.3,
// §3): the channel table (ids, cookies), fault injection, and the encoding of
// each answer. LB status goes in CX.hi (CX.lo = 0); HB status in BX.hi.
import { randomBytes } from 'node:crypto';
import {
  GUESTMSG_FLAG_COOKIE, MESSAGE_STATUS_CPT, MESSAGE_STATUS_DORECV, MESSAGE_STATUS_SUCCESS, MESSAGE_STATUS_TIMEOUT, MESSAGE_TYPE_CLOSE, MESSAGE_TYPE_OPEN,
  MESSAGE_TYPE_RECVPAYLOAD, MESSAGE_TYPE_RECVSIZE, MESSAGE_TYPE_RECVSTATUS, MESSAGE_TYPE_SENDPAYLOAD, MESSAGE_TYPE_SENDSIZE, RPCI_PROTOCOL_NUM, TCLO_PROTOCOL_NUM,
} from '../../backdoor/constants.js';
import { MessageChannel, type Answer, type Endpoint, type Protocol } from './channel.js';
import { CPTLAST_MAX, type Fault, type FaultPlan, type HostileMode } from './faults.js';
import { hi16, join16, lo16, u32, type HostRegs } from './regs.js';
import type { SimStats } from './stats.js';
import type { ChannelCounts, CloseReason, TranscriptSink } from './transcript.js';

const noCounts = (): ChannelCounts => ({ opens: 0, closes: { guest: 0, exit: 0, shutdown: 0 } });

/** Channels per VM (protocol.md §3.3: 128 on current hosts; old guest_msg_def.h says 8). */
export const MAX_CHANNELS = 128;
export const SUB_NAMES = ['OPEN', 'SENDSIZE', 'SENDPAYLOAD', 'RECVSIZE', 'RECVPAYLOAD', 'RECVSTATUS', 'CLOSE'];

export interface MessageResult {
  out: HostRegs;
  sub: string;
  channel?: number;
  status: number;
  bytes?: number;
  data?: Uint8Array;
}

const FAIL: Answer = { status: 0 };

export class MessageHost {
  private readonly channels = new Map<number, MessageChannel>();
  /** opens and closes per protocol, for the transcript's summary line */
  readonly counts: Record<Protocol, ChannelCounts> = { RPCI: noCounts(), TCLO: noCounts() };

  constructor(
    private readonly endpoints: Record<Protocol, Endpoint>,
    private readonly faults: FaultPlan,
    private readonly hbEnabled: boolean,
    private readonly emit: TranscriptSink,
    private readonly stats: SimStats,
  ) {}

  get openChannels(): number {
    return this.channels.size;
  }

  /** `in eax,dx`, CX.lo = 30. */
  lb(pid: number, r: HostRegs): MessageResult {
    const sub = hi16(r.ecx);
    const name = SUB_NAMES[sub] ?? `SUB_${sub}`;
    const payload = sub === MESSAGE_TYPE_SENDPAYLOAD || sub === MESSAGE_TYPE_RECVPAYLOAD;
    const fault = this.faults.check(sub === MESSAGE_TYPE_OPEN ? 'open' : payload ? 'payload' : 'other');
    if (sub === MESSAGE_TYPE_OPEN) return this.open(pid, r, fault);
    const id = hi16(r.edx);
    const ch = this.lookup(id, r.esi, r.edi); // LB: ESI = cookie high, EDI = cookie low
    const cptLast = !fault && ch && sub === MESSAGE_TYPE_RECVPAYLOAD && (r.ebx & MESSAGE_STATUS_SUCCESS) !== 0 && this.isLastCall(ch, 4);
    const a = fault ? this.fail(fault, name, id, ch) : cptLast ? this.fail({ kind: 'cptlast', call: 0 }, name, id, ch) : ch ? this.hostile(sub, ch, this.dispatch(sub, ch, r)) : FAIL;
    const out = { ...r, ecx: join16(a.status, 0) };
    if (a.ebx !== undefined) out.ebx = u32(a.ebx);
    if (a.dxHi !== undefined) out.edx = join16(a.dxHi, lo16(r.edx));
    return { out, sub: name, channel: id, status: a.status, ...(a.bytes !== undefined ? { bytes: a.bytes } : {}) };
  }

  /** `rep outsb` (dir 'out', data = the ECX bytes at RSI) or `rep insb` (dir 'in') on the HB port, BX.lo = 0. */
  hbCall(pid: number, r: HostRegs, dir: 'out' | 'in', data?: Uint8Array): MessageResult {
    const fault = this.faults.check('payload');
    const id = hi16(r.edx);
    // HB send: EDI = cookie low, EBP = cookie high; HB receive: ESI = cookie high, EBP = cookie low
    const ch = dir === 'out' ? this.lookup(id, r.ebp, r.edi) : this.lookup(id, r.esi, r.ebp);
    let a: Answer;
    if (fault) a = this.fail(fault, dir === 'out' ? 'HB_SEND' : 'HB_RECV', id, ch);
    else if (!ch) a = FAIL;
    else if (dir === 'in' && this.isLastCall(ch, r.ecx)) a = this.fail({ kind: 'cptlast', call: 0 }, 'HB_RECV', id, ch);
    else if (dir === 'in' && this.faults.hostile.has('hbshort')) {
      a = ch.recvAll(Math.floor(r.ecx / 2)); // half of what was asked for, and SUCCESS all the same
      this.hostileEntry('hbshort', 'HB_RECV', id);
    } else if (dir === 'in') a = ch.recvAll(r.ecx);
    else if (data?.length === r.ecx) a = ch.sendAll(data);
    else {
      ch.reset(); // the bridge could not read the guest's ECX bytes
      a = FAIL;
    }
    const bytes = a.bytes ?? 0;
    const out = { ...r, ebx: join16(a.status, lo16(r.ebx)), ecx: u32(r.ecx - bytes) };
    return { out, sub: dir === 'out' ? 'HB_SEND' : 'HB_RECV', channel: id, status: a.status, bytes, ...(a.data ? { data: a.data } : {}) };
  }

  /** Close every channel of a process (it exited), or all of them (pid undefined). */
  closeChannels(pid: number | undefined, reason: CloseReason): void {
    for (const ch of [...this.channels.values()]) if (pid === undefined || ch.pid === pid) this.close(ch, reason);
  }

  private open(pid: number, r: HostRegs, fault: Fault | null): MessageResult {
    const failed = (status: number): MessageResult => ({ out: { ...r, ecx: join16(status, 0) }, sub: 'OPEN', status });
    if (fault) return failed(this.fail(fault, 'OPEN', undefined, undefined).status);
    const cookieFlag = (r.ebx & GUESTMSG_FLAG_COOKIE) !== 0;
    const proto = u32(r.ebx & ~GUESTMSG_FLAG_COOKIE);
    const protocol: Protocol | null = proto === RPCI_PROTOCOL_NUM ? 'RPCI' : proto === TCLO_PROTOCOL_NUM ? 'TCLO' : null;
    let id = 0;
    while (this.channels.has(id)) id++;
    if (!protocol || id >= MAX_CHANNELS) return failed(0);
    const c = randomBytes(8);
    const cookie = cookieFlag ? { high: c.readUInt32LE(0), low: c.readUInt32LE(4) } : null;
    const ch = new MessageChannel(id, protocol, pid, cookie, this.endpoints[protocol], this.hbEnabled);
    this.channels.set(id, ch);
    this.stats.opens++;
    this.counts[protocol].opens++;
    this.emit({ t: 'channel', event: 'open', channel: id, protocol, pid, cookie: cookieFlag });
    this.endpoints[protocol].opened(ch);
    // DX.lo = 0 on success: the BSD drivers check it
    const out = { ...r, ecx: join16(MESSAGE_STATUS_SUCCESS, 0), edx: join16(id, 0), esi: cookie?.high ?? 0, edi: cookie?.low ?? 0 };
    return { out, sub: 'OPEN', channel: id, status: MESSAGE_STATUS_SUCCESS };
  }

  private dispatch(sub: number, ch: MessageChannel, r: HostRegs): Answer {
    const success = (r.ebx & MESSAGE_STATUS_SUCCESS) !== 0; // RECVPAYLOAD / RECVSTATUS: the guest's status
    switch (sub) {
      case MESSAGE_TYPE_SENDSIZE: return ch.sendSize(r.ebx);
      case MESSAGE_TYPE_SENDPAYLOAD: return ch.sendPayload(r.ebx);
      case MESSAGE_TYPE_RECVSIZE: return ch.recvSize();
      case MESSAGE_TYPE_RECVPAYLOAD: return ch.recvPayload(success);
      case MESSAGE_TYPE_RECVSTATUS: return ch.recvStatus(success);
      case MESSAGE_TYPE_CLOSE: return this.faults.hostile.has('noclose') ? (this.hostileEntry('noclose', 'CLOSE', ch.id), FAIL) : this.close(ch, 'guest');
      default: return FAIL;
    }
  }

  /** --fault cptlast: whether a receive call moving up to `bytes` would finish the announced message (it answers CPT instead). */
  private isLastCall(ch: MessageChannel, bytes: number): boolean {
    const left = ch.outgoingLeft;
    return this.faults.hostile.has('cptlast') && left !== null && left > 0 && left <= bytes;
  }

  /** The hostile modes that bend a carried-out call's answer (--fault hugesize, sizechange, nodorecv, newcookie, cptlast). */
  private hostile(sub: number, ch: MessageChannel, a: Answer): Answer {
    const h = this.faults.hostile;
    if (h.size === 0) return a;
    if (sub === MESSAGE_TYPE_SENDSIZE && h.has('newcookie') && (a.status & MESSAGE_STATUS_SUCCESS) !== 0) {
      const c = randomBytes(8);
      ch.cookie = { high: c.readUInt32LE(0), low: c.readUInt32LE(4) };
      this.hostileEntry('newcookie', 'SENDSIZE', ch.id);
    }
    if (sub !== MESSAGE_TYPE_RECVSIZE || (a.status & MESSAGE_STATUS_DORECV) === 0 || a.ebx === undefined) return a;
    const out = { ...a };
    if (h.has('hugesize')) {
      // at least 4 more than the message has: fewer would be indistinguishable from the LB path's zero padding
      out.ebx = Math.max(h.get('hugesize') ?? 0xffffffff, Math.min(a.ebx + 4, 0xffffffff));
      this.hostileEntry('hugesize', 'RECVSIZE', ch.id);
    }
    if (h.has('cptlast')) {
      // after hugesize: the host then has every byte it announced (up to CPTLAST_MAX), and only the last call fails
      const size = Math.max(h.get('cptlast') ?? 0, out.ebx ?? 0);
      if (size <= CPTLAST_MAX && size !== a.ebx) {
        out.ebx = ch.padOutgoing(size);
        this.hostileEntry('cptlast', 'RECVSIZE', ch.id);
      }
    }
    if (h.has('sizechange')) {
      ch.shrinkOutgoing();
      this.hostileEntry('sizechange', 'RECVSIZE', ch.id);
    }
    if (h.has('nodorecv')) {
      out.status &= ~MESSAGE_STATUS_DORECV;
      this.hostileEntry('nodorecv', 'RECVSIZE', ch.id);
    }
    return out;
  }

  private hostileEntry(kind: HostileMode, sub: string, channel: number): void {
    this.stats.faults++;
    this.emit({ t: 'fault', kind, call: 0, sub, channel });
  }

  private lookup(id: number, high: number, low: number): MessageChannel | undefined {
    const ch = this.channels.get(id);
    if (ch?.cookie && (ch.cookie.high !== u32(high) || ch.cookie.low !== u32(low))) return undefined;
    return ch;
  }

  private close(ch: MessageChannel, reason: CloseReason): Answer {
    this.channels.delete(ch.id);
    this.stats.closes++;
    this.counts[ch.protocol].closes[reason]++;
    ch.close();
    this.emit({ t: 'channel', event: 'close', channel: ch.id, protocol: ch.protocol, pid: ch.pid, reason });
    return { status: MESSAGE_STATUS_SUCCESS };
  }

  /** An injected fault: the call is not carried out; CPT / TIMEOUT without SUCCESS (a failed OPEN: 0). */
  private fail(fault: Fault, sub: string, id: number | undefined, ch: MessageChannel | undefined): Answer {
    ch?.reset();
    this.stats.faults++;
    this.emit({ t: 'fault', kind: fault.kind, call: fault.call, sub, ...(id !== undefined ? { channel: id } : {}) });
    const status = fault.kind === 'timeout' ? MESSAGE_STATUS_TIMEOUT : fault.kind === 'open' ? 0 : MESSAGE_STATUS_CPT;
    return { status };
  }
}
