// A persistent RPCI channel, as vmtoolsd keeps one: opened at the first
// request, used for many, closed at the end. The host may close or reset it
// at any time (its idle timeout, a checkpoint, a cookie it no longer knows);
// the session then opens a new one.
//
// The no-loss / no-duplicate rule. A request is sent again (on a new channel)
// only when the host provably did not take it: the open, the size or the
// payload send failed, so the host never had the whole message. Once the
// message is sent the host may have carried it out, so a failure while
// receiving the reply is reported (RequestFailed, mayHaveRun) and the
// request is never sent again; the next request gets a new channel.
// A checkpoint inside a transfer is not a failure: the channel restarts the
// transfer itself (backdoor-channel.ts).
import { ChannelError, type Channel } from './channel.js';
import { parseReply, type RpciReply, type RpciRequest } from './rpci.js';

/** Sends of one request (its first included) before it is reported as failed. */
export const SEND_ATTEMPTS = 3;

/** A request that got no reply. `mayHaveRun`: the host had the whole message (failed while receiving): it was not sent again. */
export class RequestFailed extends Error {
  constructor(
    readonly cause: ChannelError,
    readonly mayHaveRun: boolean,
    readonly attempts: number,
  ) {
    super(cause.message);
  }
}

export interface SessionCounts {
  /** channels opened (the first and every reopen) */
  opens: number;
  /** requests sent again on a new channel because the host provably did not take them */
  resends: number;
}

export class RpciSession {
  private channel: Channel | null = null;
  readonly counts: SessionCounts = { opens: 0, resends: 0 };

  constructor(
    /** a new, not yet opened channel */
    private readonly newChannel: () => Channel,
    private readonly attempts = SEND_ATTEMPTS,
  ) {}

  get isOpen(): boolean {
    return this.channel !== null;
  }

  /**
   * One request on the open channel (opened first when there is none). Throws
   * ChannelError('open') when the very first channel cannot be opened (the host
   * offers none), RequestFailed when the request got no reply.
   */
  request(request: RpciRequest): RpciReply {
    for (let attempt = 1; ; attempt++) {
      let ch: Channel;
      try {
        ch = this.channel ?? this.open();
        ch.send(request);
      } catch (err) {
        if (!(err instanceof ChannelError)) throw err;
        this.drop();
        if (err.stage === 'open' && this.counts.opens === 0) throw err; // no channel here at all
        if (attempt >= this.attempts) throw new RequestFailed(err, false, attempt);
        this.counts.resends++;
        continue; // the host did not take it: again, on a new channel
      }
      try {
        return { ...parseReply(ch.receive()), closed: true };
      } catch (err) {
        if (!(err instanceof ChannelError)) throw err;
        this.drop();
        throw new RequestFailed(err, true, attempt);
      }
    }
  }

  /** Closes the channel if one is open; false when the host did not acknowledge it. Never throws. */
  close(): boolean {
    const ch = this.channel;
    this.channel = null;
    if (!ch) return true;
    try {
      ch.close();
      return true;
    } catch {
      return false;
    }
  }

  private open(): Channel {
    const ch = this.newChannel();
    ch.open();
    this.counts.opens++;
    this.channel = ch;
    return ch;
  }

  /** After a failure: close what may still be open on the host (quietly) and forget it. */
  private drop(): void {
    this.close();
  }
}
