// Many RPCI requests from one command (`info get a b c`, `info wait`,
// `rpc --batch`): the interface every such command uses. This first version
// sends each request as `vmt rpc` does (a channel opened and closed per
// request); the persistent channel (issue 13) replaces the inside, not the
// interface.
import { sendRpc, type RpcResult, type SendOptions } from './guestrpc.js';

export interface RpcSession {
  /** One request; the same result and errors (VmtError with an exit status) as sendRpc. */
  send(command: Uint8Array): Promise<RpcResult>;
  /** Closes whatever channel is open; safe to call twice, never throws. */
  close(): Promise<void>;
}

/** A session over the transport `options` choose. */
export async function openRpcSession(options: SendOptions = {}): Promise<RpcSession> {
  return {
    send: (command) => sendRpc(command, options),
    close: async () => {},
  };
}
