// TCLO, host side (protocol.md §5): the guest polls by sending a message (empty,
// or its reply to the previous command) and then asking for one. Every newly
// opened TCLO channel first gets `reset`; once the guest has answered it, the
// configured commands follow from one queue shared by all channels, one per
// poll that follows the reply to the previous command. Commands go out as
// their bytes, without a trailing NUL. With an interval, each queue command
// is ready only that long after the reply to the previous one, so an agent
// is idle when it arrives; its transcript entry then says how long it took
// from ready to reply (latency_ms).
import type { Endpoint, MessageChannel } from './channel.js';
import { textFields, utf8OrNull, type TcloEntry, type TranscriptSink } from './transcript.js';

interface Sent {
  command: string;
  handshake: boolean; // the implicit `reset` of a new channel, not from the queue
  storm?: true; // --fault tclo64k, tclobinary, resetstorm: not from the queue either
  read: number;
  length: number;
  availableAt: number; // ms (clock): when the host had the command ready for the guest
}
interface ChannelState {
  handshaken: boolean;
  awaiting: Sent | null; // collected by the guest, reply not yet in
}

export class TcloEndpoint implements Endpoint {
  private readonly queue: string[];
  private readonly state = new Map<MessageChannel, ChannelState>();
  private inFlight = 0; // queue commands posted or awaiting a reply
  private readyAt = 0; // ms: the next queue command is ready no earlier than this (--tclo-interval)

  /** intervalMs: a queue command becomes ready that long after the reply to the previous one. */
  constructor(
    commands: string[],
    private readonly emit: TranscriptSink,
    private readonly count: () => void,
    private readonly intervalMs = 0,
    private readonly clock: () => number = () => performance.now(),
    /** --fault tclo64k, tclobinary, resetstorm: what every poll gets once the queue is empty */
    private readonly storm: (() => Uint8Array) | null = null,
  ) {
    this.queue = [...commands];
  }

  enqueue(command: string): void {
    this.queue.push(command);
  }

  /** Queue commands not yet answered (0: everything configured was delivered and answered). */
  get remaining(): number {
    return this.queue.length + this.inFlight;
  }

  opened(ch: MessageChannel): void {
    this.state.set(ch, { handshaken: false, awaiting: null });
  }

  message(ch: MessageChannel, data: Uint8Array): void {
    const st = this.state.get(ch)!;
    const nul = data.length > 0 && data[data.length - 1] === 0;
    const reply = nul ? data.subarray(0, data.length - 1) : data;
    const sent = st.awaiting;
    st.awaiting = null;
    if (sent) {
      const entry: TcloEntry = { t: 'tclo', channel: ch.id, command: sent.command, ...textFields('reply', reply), ...(nul ? { nul: true as const } : {}) };
      if (sent.command === 'reset') {
        entry.atr = /^OK ATR (\S+)/.exec(utf8OrNull(reply) ?? '')?.[1] ?? null; // the app name, or null: not a proper handshake reply
        st.handshaken = true;
      }
      if (sent.handshake) entry.handshake = true;
      if (sent.storm) entry.storm = true;
      if (sent.read < sent.length) entry.read = sent.read;
      if (!sent.handshake && !sent.storm) {
        this.inFlight--;
        if (this.intervalMs > 0) entry.latency_ms = Math.round((this.clock() - sent.availableAt) * 10) / 10; // ready -> reply
      }
      this.readyAt = this.clock() + this.intervalMs;
      this.count();
      this.emit(entry);
    } else if (data.length > 0) {
      this.emit({ t: 'tclo', channel: ch.id, command: null, ...textFields('reply', reply), unsolicited: true });
    }
    if (ch.hasOutgoing) return;
    if (!st.handshaken) this.post(ch, st, 'reset', true);
    else if (this.queue.length > 0 && this.clock() >= this.readyAt) this.post(ch, st, this.queue.shift()!, false);
    else if (this.queue.length === 0 && this.inFlight === 0 && this.storm) this.postStorm(ch, st, this.storm());
  }

  closed(ch: MessageChannel): void {
    const st = this.state.get(ch);
    this.state.delete(ch);
    if (!st?.awaiting) return;
    if (!st.awaiting.handshake && !st.awaiting.storm) this.inFlight--;
    this.emit({ t: 'tclo', channel: ch.id, command: st.awaiting.command, reply: null, closed: true });
  }

  /** A storm command: not from the queue, never put back, not counted in `remaining`. */
  private postStorm(ch: MessageChannel, st: ChannelState, bytes: Uint8Array): void {
    const printable = bytes.length <= 64 && bytes.every((b) => b >= 0x20 && b < 0x7f);
    const command = printable ? Buffer.from(bytes).toString('latin1') : `<${bytes.length} bytes of --fault storm>`;
    ch.post(bytes, (outcome, read) => {
      if (outcome === 'ok') st.awaiting = { command, handshake: false, storm: true, read, length: bytes.length, availableAt: this.readyAt };
      else if (outcome === 'failed') this.emit({ t: 'tclo', channel: ch.id, command, reply: null, recv: 'failed', read });
    });
  }

  private post(ch: MessageChannel, st: ChannelState, command: string, handshake: boolean): void {
    const bytes = Buffer.from(command, 'utf8');
    if (!handshake) this.inFlight++;
    ch.post(bytes, (outcome, read) => {
      if (outcome === 'ok') {
        st.awaiting = { command, handshake, read, length: bytes.length, availableAt: this.readyAt };
        return;
      }
      // not collected: a queue command goes back to the front (a handshake reset is offered again anyway)
      if (outcome === 'failed') this.emit({ t: 'tclo', channel: ch.id, command, reply: null, recv: 'failed', read });
      if (!handshake) {
        this.inFlight--;
        this.queue.unshift(command);
      }
    });
  }
}
