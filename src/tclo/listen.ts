// `vmt tclo listen` without the CLI around it: make sure no other agent owns
// TCLO (and keep the pid file that tells the next vmt), run the agent until
// --exit-after, --timeout or a signal, and always give the channel and the
// pid file back.
import type { Backdoor } from '../backdoor/backdoor.js';
import { getHostTime } from '../backdoor/commands.js';
import type { Libvmt } from '../ffi/types.js';
import { rpciChannel, tcloChannel } from '../guestrpc/index.js';
import { VsockRpciChannel, VsockTcloChannel } from '../guestrpc/vsock-channel.js';
import { vsockConnector } from '../guestrpc/vsock-transport.js';
import type { VsockAddress } from '../vsock/address.js';
import { GUESTRPC_RPCI_VSOCK_LISTEN_PORT } from '../vsock/constants.js';
import { readClockFacts, systemClockSetter } from '../time/system.js';
import { TcloAgent, type AgentEvent, type AgentHost, type AgentOptions } from './agent.js';
import { claim, otherOwner, pidFile, release, type Owner } from './conflict.js';

export interface ListenOptions extends AgentOptions {
  /** start even when another agent owns TCLO (and keep no pid file) */
  force: boolean;
  /** stop after this many seconds */
  timeoutSeconds?: number;
}

/** Refused: another agent owns TCLO; else how the agent stopped (the signal, or null for --exit-after/--timeout). */
export type ListenResult = { owner: Owner } | { owner: null; signal: NodeJS.Signals | null };

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The agent's host on the backdoor: TCLO and RPCI channels, and the host's clock. */
export function backdoorHost(bd: Backdoor): AgentHost {
  return { tcloChannel: () => tcloChannel(bd), rpciChannel: () => rpciChannel(bd), hostTime: () => getHostTime(bd) };
}

/**
 * The agent's host over vsock: TCLO from `tclo` (the VMX: CID 0 port 975), RPCI
 * to port 976 at the same CID; the clock from the backdoor when there is one.
 */
export function vsockHost(lib: Libvmt, tclo: VsockAddress, bd: Backdoor | null): AgentHost {
  const rpciAt = { cid: tclo.cid, port: GUESTRPC_RPCI_VSOCK_LISTEN_PORT };
  return {
    tcloChannel: () => new VsockTcloChannel(vsockConnector(lib, tclo)),
    rpciChannel: () => new VsockRpciChannel(vsockConnector(lib, rpciAt)),
    hostTime: () => (bd ? getHostTime(bd) : null),
  };
}

export async function listen(host: AgentHost, opts: ListenOptions, log: (e: AgentEvent) => void): Promise<ListenResult> {
  const owner = opts.force ? null : otherOwner(opts.app);
  if (owner) return { owner };
  const setClock = await systemClockSetter();
  const pid = pidFile(opts.app);
  const running = opts.force ? null : claim(pid);
  if (running) return { owner: running };

  let wake: (() => void) | null = null;
  let signal: NodeJS.Signals | null = null;
  const agent = new TcloAgent(host, opts, {
    log,
    setClock,
    clockFacts: () => readClockFacts(),
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        wake = () => (clearTimeout(t), resolve());
      }),
  });
  const stop = () => {
    agent.stop();
    wake?.();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    signal ??= sig;
    stop();
  };
  const timer = opts.timeoutSeconds ? setTimeout(stop, opts.timeoutSeconds * 1000) : null;
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    await agent.run();
  } finally {
    if (timer) clearTimeout(timer);
    for (const s of SIGNALS) process.off(s, onSignal);
    if (!opts.force) release(pid);
  }
  return { owner: null, signal };
}
