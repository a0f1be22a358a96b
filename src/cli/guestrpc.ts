// The backdoor a command may use (the one VMware check), and one RPCI request
// from a command: the transport, the channel's life cycle, and the exit
// statuses its failures map to.
import type { Backdoor } from '../backdoor/backdoor.js';
import { nativePlatform, probe, type Knock, type KnockPolicy, type Platform } from '../detect/index.js';
import { ChannelError, RequestError, rpci, rpciChannel, rpciRequest, type RpciReply, type RpciRequest } from '../guestrpc/index.js';
import { VsockRpciChannel } from '../guestrpc/vsock-channel.js';
import { RPCI_ENDPOINT, vsockConnector } from '../guestrpc/vsock-transport.js';
import { loadLibvmt } from '../ffi/index.js';
import type { VsockAddress } from '../vsock/address.js';
import { LAST_RESERVED_PORT } from '../vsock/constants.js';
import { VsockError } from '../vsock/socket.js';
import { loadedTransports } from '../vsock/transports.js';
import { Exit, UsageError, VmtError } from './exit.js';
import { withSignalsDeferred } from './signals.js';

export type TransportChoice = 'auto' | 'backdoor' | 'vsock';

export interface RpcResult extends RpciReply {
  transport: 'backdoor' | 'vsock';
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
export function vmwareBackdoor(policy: KnockPolicy): Promise<Backdoor> {
  let gate = found.get(policy);
  if (!gate) found.set(policy, (gate = findBackdoor(policy).then((f) => f.backdoor)));
  return gate;
}

export interface SendOptions {
  /** how to reach the host; default 'auto' (vsock when VMware's VMCI transport is loaded, else the backdoor) */
  transport?: TransportChoice;
  /** knock even when CPUID names another hypervisor (QEMU's vmport): a command's --probe */
  probe?: boolean;
  /** where the vsock transport connects (default: the VMX, CID 0 port 976); for tests */
  vsockEndpoint?: VsockAddress;
}

/** Whether --transport auto tries vsock first: only where VMware's VMCI transport is loaded (never on another hypervisor). */
export const autoTriesVsock = (loaded: readonly string[] = loadedTransports().loaded): boolean => loaded.includes('vmw_vsock_vmci_transport');

export async function sendRpc(command: Uint8Array, { transport = 'auto', probe = false, vsockEndpoint }: SendOptions = {}): Promise<RpcResult> {
  const request = checkedRequest(command);
  if (transport === 'vsock' || (transport === 'auto' && autoTriesVsock())) {
    const viaVsock = await sendOverVsock(request, vsockEndpoint ?? RPCI_ENDPOINT, transport === 'vsock');
    if (viaVsock) return viaVsock;
  }
  const bd = await vmwareBackdoor(knockPolicy(probe));
  try {
    const reply = await withSignalsDeferred(() => rpci(rpciChannel(bd), request));
    return { ...reply, transport: 'backdoor' };
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    if (err.stage === 'open') throw noChannel(err);
    throw new VmtError(`the GuestRPC channel failed while ${err.stage === 'send' ? 'sending' : 'receiving'}: ${err.message}`, Exit.FAILED);
  }
}

/** The first backdoor channel could not be opened: the host offers none (exit 3). */
export const noChannel = (err: ChannelError): VmtError =>
  new VmtError(`${err.message}: the backdoor answers, but offers no GuestRPC channel (QEMU's vmport has none)`, Exit.UNAVAILABLE);

/**
 * One RPCI over vsock, from a privileged source port when allowed. null: the
 * connection could not be made and the caller may fall back to the backdoor
 * (not `required`); a failure after it was made is an error either way.
 */
export async function sendOverVsock(request: RpciRequest, endpoint: VsockAddress, required: boolean): Promise<RpcResult | null> {
  const lib = await loadLibvmt();
  let localPort = -1;
  const connect = vsockConnector(lib, endpoint);
  const channel = new VsockRpciChannel((o) => {
    const c = connect(o);
    localPort = c.localPort;
    return c;
  });
  try {
    const reply = await withSignalsDeferred(() => rpci(channel, request));
    if (!reply.ok && localPort > LAST_RESERVED_PORT && new TextDecoder().decode(reply.reply) === 'Permission denied') {
      throw new VmtError(`the host refused the request over vsock from port ${localPort}: it takes GuestRPC over vsock only from a privileged port (≤ ${LAST_RESERVED_PORT}), which needs root or CAP_NET_BIND_SERVICE; or use --transport backdoor`, Exit.NO);
    }
    return { ...reply, transport: 'vsock' };
  } catch (err) {
    if (err instanceof ChannelError && err.stage === 'open') {
      if (!required) return null;
      const cause = err.cause instanceof VsockError ? err.cause : null;
      throw new VmtError(`${err.message}`, cause?.exit ?? Exit.UNAVAILABLE);
    }
    if (err instanceof ChannelError) throw new VmtError(`GuestRPC over vsock failed while ${err.stage === 'send' ? 'sending' : 'receiving'}: ${err.message}`, Exit.FAILED);
    throw err;
  }
}
