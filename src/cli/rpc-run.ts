// `vmt rpc` after parsing: send, print, exit status. Shared by the oclif
// command and the fast path, so both print the same bytes.
import { Exit } from './exit.js';
import { sendRpc, type SendOptions } from './guestrpc.js';
import { jsonBytes, write, writeHost, writeJson } from './output.js';

/** The usage line of `vmt rpc` (`vmt rpc send` is an alias). */
export const RPC_USAGE = 'rpc [COMMAND | -f FILE [--raw] | --batch [-0]] [--json] [--probe] [--transport auto|backdoor|vsock] [--vsock-endpoint CID:PORT]';

export async function runRpc(command: Uint8Array, opts: { json: boolean } & SendOptions): Promise<number> {
  const r = await sendRpc(command, opts);
  if (!r.closed) write(2, `vmt rpc: the host did not acknowledge closing the channel\n`);
  if (opts.json) writeJson({ ok: r.ok, reply: jsonBytes(r.reply), transport: r.transport });
  else writeHost(r.ok ? 1 : 2, r.reply);
  return r.ok ? Exit.OK : Exit.NO;
}
