// Where `vmt tclo listen` gets its channels (kept apart from guestrpc.ts, so
// that the RPC commands and the fast path do not load the TCLO agent).
import { loadLibvmt } from '../ffi/index.js';
import { vsockConnector } from '../guestrpc/vsock-transport.js';
import type { AgentHost } from '../tclo/agent.js';
import { backdoorHost, vsockHost } from '../tclo/listen.js';
import type { VsockAddress } from '../vsock/address.js';
import { autoTriesVsock, findBackdoor, knockPolicy, type TransportChoice } from './guestrpc.js';

/**
 * TCLO over the backdoor, or over vsock: --transport vsock, or auto where
 * VMware's VMCI transport is loaded and the host takes the connection (else
 * the backdoor, as vmtoolsd falls back). The clock comes from the backdoor
 * when there is one.
 */
export async function tcloHost(transport: TransportChoice, endpoint: VsockAddress, probe: boolean): Promise<AgentHost> {
  if (transport === 'backdoor' || (transport === 'auto' && !autoTriesVsock())) return backdoorHost((await findBackdoor(knockPolicy(probe))).backdoor);
  const lib = await loadLibvmt();
  if (transport === 'auto') {
    try {
      vsockConnector(lib, endpoint)({ privileged: false }).close();
    } catch {
      return backdoorHost((await findBackdoor(knockPolicy(probe))).backdoor);
    }
  }
  const bd = await findBackdoor(knockPolicy(probe)).then(
    (f) => f.backdoor,
    () => null,
  );
  return vsockHost(lib, endpoint, bd);
}
