// The GuestRPC message channel on the backdoor (BDOOR_CMD_MESSAGE), guest
// side (docs/limits.md has its bounds): open with the cookie flag and retry
// without it; send and receive on the high-bandwidth port when the host
// offers it, else 4 bytes per call; a checkpoint restarts the transfer, within
// a budget of backdoor calls per message; a failed receive tells the host
// (status 0).
import type { Backdoor, Regs } from '../backdoor/backdoor.js';
import {
  BDOOR_CMD_MESSAGE, BDOOR_MAGIC, BDOOR_PORT, BDOORHB_CMD_MESSAGE, BDOORHB_PORT, GUESTMSG_FLAG_COOKIE, GUESTMSG_MAX_IN_SIZE,
  MESSAGE_STATUS_CPT, MESSAGE_STATUS_DORECV, MESSAGE_STATUS_HB, MESSAGE_STATUS_SUCCESS, MESSAGE_TYPE_CLOSE,
  MESSAGE_TYPE_OPEN, MESSAGE_TYPE_RECVPAYLOAD, MESSAGE_TYPE_RECVSIZE, MESSAGE_TYPE_RECVSTATUS, MESSAGE_TYPE_SENDPAYLOAD,
  MESSAGE_TYPE_SENDSIZE, RPCI_PROTOCOL_NUM, TCLO_PROTOCOL_NUM,
} from '../backdoor/constants.js';
import { ChannelError, type Channel } from './channel.js';

/** Restarts after checkpoints before giving up (VMware restarts a handful of times at most). */
const MAX_RESTARTS = 16;
/** The largest host message accepted (the host sends up to about 1 MiB). */
export const MAX_HOST_MESSAGE = 16 * 1024 * 1024;

/**
 * The backdoor calls one send or receive may make, checkpoint restarts
 * included, for a message of `size` bytes (a receive: the largest size the
 * host announced in it): the LB transfer twice over (itself, and one whole
 * transfer lost to a checkpoint), plus four calls for each of the 17
 * attempts (the size, the HB transfer, the status, one to spare).
 * 16 MiB: 8,388,676 calls. docs/limits.md says why calls and not seconds.
 */
export function callBudget(size: number): number {
  return 2 * Math.ceil(size / 4) + 4 * (MAX_RESTARTS + 1);
}

const hi = (v: number) => v >>> 16;
const has = (status: number, bit: number) => (status & bit) !== 0;

/** A new (not yet opened) channel for RPCI requests, guest to host, on the backdoor. */
export function rpciChannel(bd: Backdoor): Channel {
  return new BackdoorChannel(bd, RPCI_PROTOCOL_NUM);
}

/** A new (not yet opened) channel for TCLO, the host's commands to the guest, on the backdoor. */
export function tcloChannel(bd: Backdoor): Channel {
  return new BackdoorChannel(bd, TCLO_PROTOCOL_NUM);
}

export class BackdoorChannel implements Channel {
  readonly transport = 'backdoor';
  private id = -1;
  private cookieHigh = 0; // ESI after OPEN
  private cookieLow = 0; // EDI after OPEN
  /** backdoor calls made on this channel so far */
  private calls = 0;
  /** the call count at which the current send or receive began, and at which it is given up (callBudget) */
  private budgetStart = 0;
  private budgetEnd = Infinity;

  constructor(
    private readonly bd: Backdoor,
    private readonly protocol: number,
  ) {}

  get isOpen(): boolean {
    return this.id >= 0;
  }

  open(): void {
    for (const flags of [GUESTMSG_FLAG_COOKIE, 0]) {
      const out = this.call(MESSAGE_TYPE_OPEN, { ebx: (this.protocol | flags) >>> 0 }, 0);
      if (has(hi(out.ecx), MESSAGE_STATUS_SUCCESS)) {
        this.id = hi(out.edx);
        [this.cookieHigh, this.cookieLow] = flags ? [out.esi, out.edi] : [0, 0];
        return;
      }
    }
    throw new ChannelError('open', 'the host refused to open a message channel', 0);
  }

  send(message: Uint8Array): void {
    if (message.length > GUESTMSG_MAX_IN_SIZE) throw new ChannelError('send', `a message of ${message.length} bytes is over the host's 64 KiB limit`);
    this.restarting('send', message.length, () => {
      const size = this.lb(MESSAGE_TYPE_SENDSIZE, { ebx: message.length });
      if (!has(size, MESSAGE_STATUS_SUCCESS)) throw new ChannelError('send', 'the host refused the message size', size);
      if (message.length === 0) return 'done';
      if (has(size, MESSAGE_STATUS_HB)) {
        this.calls++;
        const out = this.bd.hbOut(this.hbRegs(message.length, { edi: this.cookieLow, ebp: this.cookieHigh }), message);
        const status = hi(out.ebx);
        if (has(status, MESSAGE_STATUS_SUCCESS) && out.ecx >>> 0 !== 0) throw new ChannelError('send', `the host took ${message.length - (out.ecx >>> 0)} of the ${message.length} bytes`, status);
        return has(status, MESSAGE_STATUS_SUCCESS) ? 'done' : this.payloadOutcome('send', status);
      }
      for (let at = 0; at < message.length; at += 4) {
        if (this.calls >= this.budgetEnd) throw this.overBudget('send');
        const status = this.lb(MESSAGE_TYPE_SENDPAYLOAD, { ebx: word(message, at) });
        if (!has(status, MESSAGE_STATUS_SUCCESS)) return this.payloadOutcome('send', status);
      }
      return 'done';
    });
  }

  receive(): Uint8Array {
    let message = new Uint8Array(0);
    let largest = 0;
    this.restarting('receive', 0, () => {
      const size = this.call(MESSAGE_TYPE_RECVSIZE, {}, this.id);
      const status = hi(size.ecx);
      if (!has(status, MESSAGE_STATUS_SUCCESS)) throw new ChannelError('receive', 'the host refused to say what it has for us', status);
      if (!has(status, MESSAGE_STATUS_DORECV)) {
        message = new Uint8Array(0);
        return 'done';
      }
      if (hi(size.edx) !== MESSAGE_TYPE_SENDSIZE) throw this.abort(0, `the host announced a message of type ${hi(size.edx)}, not a size`);
      const length = size.ebx;
      if (length > MAX_HOST_MESSAGE) throw this.abort(length, `the host announced a ${length}-byte message (over ${MAX_HOST_MESSAGE})`);
      if (length > largest) {
        // a host that announces more on a later attempt gets the budget of the larger size, counted from the first call
        this.budgetEnd += callBudget(length) - callBudget(largest);
        largest = length;
      }
      message = new Uint8Array(length);
      const got = has(status, MESSAGE_STATUS_HB) ? this.receiveHb(message) : this.receiveLb(message);
      if (got !== 'done') return got;
      const ack = this.lb(MESSAGE_TYPE_RECVSTATUS, { ebx: MESSAGE_STATUS_SUCCESS });
      return has(ack, MESSAGE_STATUS_SUCCESS) ? 'done' : this.payloadOutcome('receive', ack);
    });
    return message;
  }

  /** CLOSE, tried twice: a channel left open stays taken until the host times it out. */
  close(): void {
    if (this.id < 0) return;
    let status = this.lb(MESSAGE_TYPE_CLOSE, {});
    if (!has(status, MESSAGE_STATUS_SUCCESS)) status = this.lb(MESSAGE_TYPE_CLOSE, {});
    this.id = -1;
    if (!has(status, MESSAGE_STATUS_SUCCESS)) throw new ChannelError('close', 'the host did not acknowledge closing the channel', status);
  }

  private receiveHb(into: Uint8Array): 'done' | 'restart' {
    if (into.length === 0) return 'done';
    this.calls++;
    const out = this.bd.hbIn(this.hbRegs(into.length, { esi: this.cookieHigh, ebp: this.cookieLow }), into);
    const status = hi(out.ebx);
    // ECX counts down the bytes rep insb still had to move: SUCCESS with any left is a short transfer, not a message
    if (has(status, MESSAGE_STATUS_SUCCESS) && out.ecx >>> 0 !== 0) throw this.abort(into.length, `the host moved ${into.length - (out.ecx >>> 0)} of the ${into.length} bytes it announced`, status);
    if (has(status, MESSAGE_STATUS_SUCCESS)) return 'done';
    if (has(status, MESSAGE_STATUS_CPT)) return 'restart';
    throw this.abort(into.length, 'the host failed the high-bandwidth transfer', status);
  }

  private receiveLb(into: Uint8Array): 'done' | 'restart' {
    for (let at = 0; at < into.length; at += 4) {
      if (this.calls >= this.budgetEnd) throw this.abort(into.length - at, this.overBudget('receive').message, MESSAGE_STATUS_CPT);
      const out = this.call(MESSAGE_TYPE_RECVPAYLOAD, { ebx: MESSAGE_STATUS_SUCCESS }, this.id);
      const status = hi(out.ecx);
      if (has(status, MESSAGE_STATUS_CPT) && !has(status, MESSAGE_STATUS_SUCCESS)) return 'restart';
      if (!has(status, MESSAGE_STATUS_SUCCESS)) throw this.abort(into.length - at, 'the host failed a payload transfer', status);
      if (hi(out.edx) !== MESSAGE_TYPE_SENDPAYLOAD) throw this.abort(into.length - at, `the host sent payload of type ${hi(out.edx)}`);
      for (let i = 0; i < 4 && at + i < into.length; i++) into[at + i] = (out.ebx >>> (8 * i)) & 0xff;
    }
    return 'done';
  }

  /** A payload step failed: a checkpoint restarts the transfer, anything else ends it. */
  private payloadOutcome(stage: 'send' | 'receive', status: number): 'restart' {
    if (has(status, MESSAGE_STATUS_CPT)) return 'restart';
    throw stage === 'receive' ? this.abort(0, 'the host failed the transfer', status) : new ChannelError(stage, 'the host failed the transfer', status);
  }

  /** Tell the host the reception failed (status 0), and make the error to throw. */
  private abort(remaining: number, message: string, status?: number): ChannelError {
    try {
      this.lb(remaining > 0 ? MESSAGE_TYPE_RECVPAYLOAD : MESSAGE_TYPE_RECVSTATUS, { ebx: 0 });
    } catch {
      // the channel is failing anyway
    }
    return new ChannelError('receive', message, status);
  }

  /**
   * Attempts of one transfer: up to MAX_RESTARTS restarts after checkpoints,
   * and no more backdoor calls in all than callBudget(size) (a receive raises
   * size as the host announces it).
   */
  private restarting(stage: 'send' | 'receive', size: number, attempt: () => 'done' | 'restart'): void {
    if (this.id < 0) throw new ChannelError(stage, 'the channel is not open');
    this.budgetStart = this.calls;
    this.budgetEnd = this.calls + callBudget(size);
    try {
      for (let i = 0; i <= MAX_RESTARTS; i++) if (attempt() === 'done') return;
    } finally {
      this.budgetEnd = Infinity;
    }
    throw new ChannelError(stage, `the transfer restarted ${MAX_RESTARTS} times after checkpoints; giving up`, MESSAGE_STATUS_CPT);
  }

  /** The error for a transfer that used up its call budget. */
  private overBudget(stage: 'send' | 'receive'): ChannelError {
    return new ChannelError(stage, `the transfer took ${this.calls - this.budgetStart} backdoor calls without finishing (checkpoint restarts; the budget for its size); giving up`, MESSAGE_STATUS_CPT);
  }

  /** A low-bandwidth message call on this channel: its status (CX.hi). */
  private lb(type: number, r: Partial<Regs>): number {
    return hi(this.call(type, r, this.id).ecx);
  }

  private call(type: number, r: Partial<Regs>, id: number): Regs {
    this.calls++;
    return this.bd.lb({
      ebx: 0,
      esi: this.cookieHigh,
      edi: this.cookieLow,
      ...r,
      eax: BDOOR_MAGIC,
      ecx: ((type << 16) | BDOOR_CMD_MESSAGE) >>> 0,
      edx: ((id << 16) | BDOOR_PORT) >>> 0,
    });
  }

  private hbRegs(count: number, cookies: Partial<Regs>): Partial<Regs> {
    return { eax: BDOOR_MAGIC, ebx: ((MESSAGE_STATUS_SUCCESS << 16) | BDOORHB_CMD_MESSAGE) >>> 0, ecx: count, edx: ((this.id << 16) | BDOORHB_PORT) >>> 0, ...cookies };
  }
}

/** The next 1..4 bytes at `at`, little-endian (byte 0 in bits 7..0), zero-padded. */
export function word(bytes: Uint8Array, at: number): number {
  let w = 0;
  for (let i = 3; i >= 0; i--) w = (w << 8) | (bytes[at + i] ?? 0);
  return w >>> 0;
}
