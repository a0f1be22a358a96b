// Many RPCI requests from one command (`info get a b c`, `info wait`,
// `rpc --batch`): the interface every such command uses. On the backdoor one
// channel is kept open across the session, as vmtoolsd keeps its RPCI channel
// (src/guestrpc/session.ts: when it is reopened, and when a request is sent
// again or reported as failed). Over vsock each request stays one connection:
// the host closes it after the reply (FAST_CLOSE), so there is nothing to keep.
import { ChannelError, rpciChannel } from '../guestrpc/index.js';
import { RequestFailed, RpciSession } from '../guestrpc/session.js';
import { RPCI_ENDPOINT } from '../guestrpc/vsock-transport.js';
import { Exit, VmtError } from './exit.js';
import { autoTriesVsock, checkedRequest, knockPolicy, noChannel, sendOverVsock, vmwareBackdoor, type RpcResult, type SendOptions } from './guestrpc.js';
import { onSignals, signalExit } from './signals.js';

export interface RpcSession {
  /** One request; the same result and errors (VmtError with an exit status) as sendRpc. */
  send(command: Uint8Array): Promise<RpcResult>;
  /** Closes whatever channel is open; safe to call twice, never throws. */
  close(): Promise<void>;
  /** Closes the channel at once, synchronously (from a signal handler that exits next); never throws. */
  abort?(): void;
  /** after close(): false when the host did not acknowledge closing the channel */
  readonly closedCleanly?: boolean;
  /** backdoor channels opened so far, requests sent again after the host provably did not take them */
  readonly counts?: { opens: number; resends: number };
}

/** A request that got no reply; `mayHaveRun`: the host had the whole message, so it was not sent again. */
export class RpcFailed extends VmtError {
  constructor(message: string, readonly mayHaveRun: boolean) {
    super(message, Exit.FAILED);
  }
}

/** A session over the transport `options` choose. */
export async function openRpcSession(options: SendOptions = {}): Promise<RpcSession> {
  return new PersistentSession(options);
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

class PersistentSession implements RpcSession {
  closedCleanly = true;
  private via: 'vsock' | 'backdoor' | null = null;
  private session: RpciSession | null = null;
  private releaseSignals: (() => Promise<void>) | null = null;
  private closed = false;

  constructor(private readonly options: SendOptions) {}

  get counts() {
    return { opens: this.session?.counts.opens ?? 0, resends: this.session?.counts.resends ?? 0 };
  }

  async send(command: Uint8Array): Promise<RpcResult> {
    if (this.closed) throw new Error('RpcSession.send after close');
    const request = checkedRequest(command);
    const { transport = 'auto', probe = false, vsockEndpoint } = this.options;
    if (this.via !== 'backdoor' && (transport === 'vsock' || (transport === 'auto' && autoTriesVsock()))) {
      const viaVsock = await sendOverVsock(request, vsockEndpoint ?? RPCI_ENDPOINT, transport === 'vsock');
      if (viaVsock) {
        this.via = 'vsock';
        return viaVsock;
      }
    }
    this.via = 'backdoor';
    if (!this.session) {
      const bd = await vmwareBackdoor(knockPolicy(probe));
      this.session = new RpciSession(() => rpciChannel(bd));
      // a signal between requests closes the channel, then vmt exits with 128 + N
      this.releaseSignals = onSignals((sig) => {
        this.abort();
        process.exit(signalExit(sig));
      });
    }
    try {
      return { ...this.session.request(request), transport: 'backdoor' };
    } catch (err) {
      throw failure(err);
    } finally {
      await tick(); // a signal that came during the request is handled here
    }
  }

  abort(): void {
    this.closed = true;
    if (this.session) this.closedCleanly = this.session.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.releaseSignals?.();
    if (this.session) this.closedCleanly = this.session.close();
  }
}

function failure(err: unknown): unknown {
  if (err instanceof RequestFailed) {
    const { stage, message } = err.cause;
    if (err.mayHaveRun) return new RpcFailed(`the GuestRPC channel failed while receiving the reply: ${message}; the host may have carried the request out, so it was not sent again`, true);
    const tries = err.attempts === 1 ? 'once' : `${err.attempts} times`;
    return new RpcFailed(`the GuestRPC channel failed while ${stage === 'open' ? 'opening' : 'sending'} (tried ${tries}; the host took none): ${message}`, false);
  }
  if (err instanceof ChannelError) return noChannel(err);
  return err;
}
