// The backdoor a command may use (the one VMware check), and one RPCI request
// from a command: the transport, the channel's life cycle, and the exit
// statuses its failures map to.
import type { Backdoor } from '../backdoor/backdoor.js';
import { nativePlatform, probe, type Knock, type KnockPolicy, type Platform } from '../detect/index.js';
import { ChannelError, RequestError, rpci, rpciChannel, rpciRequest, type RpciReply, type RpciRequest } from '../guestrpc/index.js';
import { Exit, UsageError, VmtError } from './exit.js';
import { withSignalsDeferred } from './signals.js';

export type TransportChoice = 'auto' | 'backdoor' | 'vsock';

export interface RpcResult extends RpciReply {
  transport: 'backdoor';
}

export interface FoundBackdoor {
  backdoor: Backdoor;
  /** what GETVERSION answered */
  version: Extract<Knock, { kind: 'answered' }>;
}

/**
 * The one "find a working backdoor" step of every command: the facts, a knock
 * when `policy` allows it ('auto': not under another hypervisor; 'always':
 * --probe), and the backdoor that answered. None: VmtError with the verdict's
 * reason, exit 3.
 */
export async function findBackdoor(policy: KnockPolicy, platform?: Platform): Promise<FoundBackdoor> {
  const p = probe(platform ?? (await nativePlatform()), policy);
  if (!p.backdoor || p.knock?.kind !== 'answered') throw new VmtError(p.verdict.reason, Exit.UNAVAILABLE);
  return { backdoor: p.backdoor, version: p.knock };
}

/** The knock policy of a command's --probe flag. */
export const knockPolicy = (probe: boolean): KnockPolicy => (probe ? 'always' : 'auto');

/** The request checked (empty, over 64 KiB: usage errors) before anything is sent. */
export function checkedRequest(command: Uint8Array): RpciRequest {
  try {
    return rpciRequest(command);
  } catch (err) {
    if (err instanceof RequestError) throw new UsageError(err.message);
    throw err;
  }
}

const found = new Map<KnockPolicy, Promise<Backdoor>>();

/** The VMware check, once per process and policy (`info get --encoding auto` makes two requests). */
function vmwareBackdoor(policy: KnockPolicy): Promise<Backdoor> {
  let gate = found.get(policy);
  if (!gate) found.set(policy, (gate = findBackdoor(policy).then((f) => f.backdoor)));
  return gate;
}

export interface SendOptions {
  /** how to reach the host; default 'auto' */
  transport?: TransportChoice;
  /** knock even when CPUID names another hypervisor (QEMU's vmport): a command's --probe */
  probe?: boolean;
}

export async function sendRpc(command: Uint8Array, { transport = 'auto', probe = false }: SendOptions = {}): Promise<RpcResult> {
  const request = checkedRequest(command);
  if (transport === 'vsock') throw new VmtError('the vsock transport is not available in this version of vmt; use --transport backdoor (or auto)', Exit.UNAVAILABLE);
  const bd = await vmwareBackdoor(knockPolicy(probe));
  try {
    const reply = await withSignalsDeferred(() => rpci(rpciChannel(bd), request));
    return { ...reply, transport: 'backdoor' };
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    if (err.stage === 'open') throw new VmtError(`${err.message}: the backdoor answers, but offers no GuestRPC channel (QEMU's vmport has none)`, Exit.UNAVAILABLE);
    throw new VmtError(`the GuestRPC channel failed while ${err.stage === 'send' ? 'sending' : 'receiving'}: ${err.message}`, Exit.FAILED);
  }
}
