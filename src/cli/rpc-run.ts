// `vmt rpc` after parsing: send, print, exit status. Shared by the oclif
// command and the fast path, so both print the same bytes.
import { Exit } from './exit.js';
import { sendRpc, utf8, type SendOptions } from './guestrpc.js';
import { write, writeOut } from './input.js';

export async function runRpc(command: Uint8Array, opts: { json: boolean } & SendOptions, name = 'rpc'): Promise<number> {
  const r = await sendRpc(command, opts);
  if (!r.closed) write(2, `vmt ${name}: the host did not acknowledge closing the channel\n`);
  if (opts.json) {
    // a reply that is not UTF-8 comes lossy in "reply" and exact in "reply_base64"
    const exact = utf8(r.reply) !== null;
    const doc = { ok: r.ok, reply: new TextDecoder().decode(r.reply), ...(exact ? {} : { reply_base64: Buffer.from(r.reply).toString('base64') }), transport: r.transport };
    write(1, `${JSON.stringify(doc, null, 2)}\n`);
  } else {
    writeOut(r.ok ? 1 : 2, r.reply);
  }
  return r.ok ? Exit.OK : Exit.NO;
}
