// `vmt rpc --batch`: RPCI commands from standard input, one per line (-0:
// NUL-separated), one JSON line per request on stdout, in order, each written
// as soon as its reply is in. One channel serves the whole batch (rpc-session.ts).
//
// A line is one of
//   {"ok":true|false,"reply":...,"transport":...}  the host answered "1 " / "0 "
//   {"ok":false,"error":MESSAGE,"exit":2}           a bad line (empty, over 64 KiB): nothing sent
//   {"ok":false,"error":MESSAGE,"exit":4,"may_have_run":BOOL}
//        no reply: may_have_run false, the host took none of the sends (it was
//        tried up to three times); true, it failed while receiving the reply and
//        was not sent again (the host may have carried it out).
// Exit status: 4 if any request got no reply, else 2 if any line was bad, else 1
// if the host answered "0 " to any, else 0. 3 (not on VMware, no channel) stops
// the batch before its first reply. A signal closes the channel and exits 128 + N
// after the last whole line.
import { GUESTMSG_MAX_IN_SIZE } from '../backdoor/constants.js';
import { LibvmtUnavailable } from '../ffi/index.js';
import { tooLong } from '../guestrpc/rpci.js';
import { Exit, UsageError, VmtError } from './exit.js';
import type { SendOptions } from './guestrpc.js';
import { jsonBytes, jsonText, write } from './output.js';
import { openRpcSession, RpcFailed } from './rpc-session.js';
import { onSignals, signalExit } from './signals.js';

export interface BatchOptions extends SendOptions {
  /** commands are NUL-separated (they may contain newlines) */
  nul: boolean;
}

type Line = { bytes: Uint8Array; tooLong: false } | { bytes: null; tooLong: true; length: number };

/** The commands in a byte stream, separated by `sep`; a last one without a separator counts. Lines past the host's limit are not kept whole. */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>, sep: number, limit = GUESTMSG_MAX_IN_SIZE): AsyncGenerator<Line> {
  let parts: Uint8Array[] = [];
  let size = 0;
  const take = (): Line => {
    const line: Line = size > limit ? { bytes: null, tooLong: true, length: size } : { bytes: Buffer.concat(parts, size), tooLong: false };
    parts = [];
    size = 0;
    return line;
  };
  const keep = (b: Uint8Array) => {
    if (size <= limit) parts.push(b); // past the limit only the count is kept
    size += b.length;
  };
  for await (const chunk of chunks) {
    let from = 0;
    for (let at = chunk.indexOf(sep); at >= 0; at = chunk.indexOf(sep, from)) {
      keep(chunk.subarray(from, at));
      from = at + 1;
      yield take();
    }
    if (from < chunk.length) keep(chunk.subarray(from));
  }
  if (size > 0) yield take();
}

const line = (value: unknown) => write(1, `${jsonText(value)}\n`);

export async function runRpcBatch(opts: BatchOptions, input: AsyncIterable<Uint8Array> = process.stdin): Promise<number> {
  const session = await openRpcSession(opts);
  // between requests (waiting for input): close the channel, exit 128 + N
  const release = onSignals((sig) => {
    session.abort?.();
    process.exit(signalExit(sig));
  });
  let failed = false;
  let bad = false;
  let no = false;
  let n = 0;
  const note = (message: string) => write(2, `vmt rpc: request ${n}: ${message}\n`);
  try {
    for await (const l of splitLines(input, opts.nul ? 0 : 0x0a)) {
      n++;
      try {
        if (l.tooLong) throw new UsageError(tooLong(l.length));
        const r = await session.send(l.bytes);
        no ||= !r.ok;
        line({ ok: r.ok, reply: jsonBytes(r.reply), transport: r.transport });
      } catch (err) {
        if (err instanceof RpcFailed) {
          failed = true;
          note(err.message);
          line({ ok: false, error: err.message, exit: err.exit, may_have_run: err.mayHaveRun });
        } else if (err instanceof UsageError) {
          bad = true;
          note(err.message);
          line({ ok: false, error: err.message, exit: err.exit });
        } else if (err instanceof VmtError && err.exit !== Exit.UNAVAILABLE) {
          failed = true; // vsock failures part-way and the like
          note(err.message);
          line({ ok: false, error: err.message, exit: err.exit });
        } else if (err instanceof VmtError || err instanceof LibvmtUnavailable) {
          // not available here (exit 3): nothing can be sent, the batch stops
          const exit = err instanceof VmtError ? err.exit : Exit.UNAVAILABLE;
          note(err.message);
          line({ ok: false, error: err.message, exit });
          return exit;
        } else throw err;
      }
    }
  } finally {
    await release();
    await session.close();
  }
  if (session.closedCleanly === false) write(2, 'vmt rpc: the host did not acknowledge closing the channel\n');
  return failed ? Exit.FAILED : bad ? Exit.USAGE : no ? Exit.NO : Exit.OK;
}
