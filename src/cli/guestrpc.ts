// One RPCI request from a command: the VMware check, the transport, the
// channel's life cycle, and the exit statuses its failures map to.
import type { Backdoor } from '../backdoor/backdoor.js';
import { RPCI_PROTOCOL_NUM } from '../backdoor/constants.js';
import { nativePlatform, probe } from '../detect/index.js';
import { BackdoorChannel, ChannelError, RequestError, rpci, rpciRequest, type RpciReply } from '../guestrpc/index.js';
import { Exit, UsageError, VmtError } from './exit.js';
import { withSignalsDeferred } from './signals.js';

export type TransportChoice = 'auto' | 'backdoor' | 'vsock';

export interface RpcResult extends RpciReply {
  transport: 'backdoor';
}

/** The request checked (empty, over 64 KiB: usage errors) before anything is sent. */
export function checkedRequest(command: Uint8Array): Uint8Array {
  try {
    return rpciRequest(command);
  } catch (err) {
    if (err instanceof RequestError) throw new UsageError(err.message);
    throw err;
  }
}

let gate: Promise<Backdoor> | undefined;

/** The VMware check, once per process (`info get --encoding auto` makes two requests). */
function vmwareBackdoor(): Promise<Backdoor> {
  gate ??= nativePlatform().then((platform) => {
    const p = probe(platform, 'auto');
    if (!p.backdoor) throw new VmtError(p.verdict.reason, Exit.UNAVAILABLE);
    return p.backdoor;
  });
  return gate;
}

export async function sendRpc(command: Uint8Array, transport: TransportChoice = 'auto'): Promise<RpcResult> {
  const request = checkedRequest(command);
  if (transport === 'vsock') throw new VmtError('the vsock transport is not available in this version of vmt; use --transport backdoor (or auto)', Exit.UNAVAILABLE);
  const bd = await vmwareBackdoor();
  try {
    const reply = await withSignalsDeferred(() => rpci(new BackdoorChannel(bd, RPCI_PROTOCOL_NUM), request));
    return { ...reply, transport: 'backdoor' };
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    if (err.stage === 'open') throw new VmtError(`${err.message}: the backdoor answers, but offers no GuestRPC channel (QEMU's vmport has none)`, Exit.UNAVAILABLE);
    throw new VmtError(`the GuestRPC channel failed while ${err.stage === 'send' ? 'sending' : 'receiving'}: ${err.message}`, Exit.FAILED);
  }
}

/** Text for a terminal or a JSON document: UTF-8 when it is, else null. */
export function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
