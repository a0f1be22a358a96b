// The RPCI client: one request, one reply, on a fresh channel that is always
// closed again (the host closes idle channels, so one-shot is the norm).
import { GUESTMSG_MAX_IN_SIZE } from '../backdoor/constants.js';
import { ChannelError, type Channel } from './channel.js';

export interface RpciReply {
  /** the host answered "1 " (true) or "0 " (false) */
  ok: boolean;
  /** the bytes after the "1 " / "0 " (binary-safe) */
  reply: Uint8Array;
  /** the channel was closed cleanly after the reply */
  closed: boolean;
}

export class RequestError extends Error {}

declare const checked: unique symbol;
/** A request as rpciRequest() made it: checked once, sent as it is. */
export type RpciRequest = Uint8Array & { readonly [checked]: true };

const SPACE = 0x20;

/**
 * The request as sent: old VMX versions want a space even after a command
 * without arguments, so one is appended when there is none (as open-vm-tools'
 * RpcOut_sendOne does). Checked against the 64 KiB limit before anything is sent.
 */
export function rpciRequest(command: Uint8Array): RpciRequest {
  if (command.length === 0) throw new RequestError('the RPC command is empty');
  const request = command.includes(SPACE) ? command : Uint8Array.from([...command, SPACE]);
  if (request.length > GUESTMSG_MAX_IN_SIZE) {
    throw new RequestError(tooLong(request.length));
  }
  return request as RpciRequest;
}

/** Why a request of `length` bytes is refused before anything is sent. */
export const tooLong = (length: number): string => `the RPC is ${length} bytes; the host accepts at most ${GUESTMSG_MAX_IN_SIZE} (64 KiB) from the guest`;

/** "1 ..." or "0 ..."; anything else is a protocol error. */
export function parseReply(bytes: Uint8Array): { ok: boolean; reply: Uint8Array } {
  if (bytes.length < 2 || bytes[1] !== SPACE || (bytes[0] !== 0x31 && bytes[0] !== 0x30)) {
    throw new ChannelError('receive', 'the host answered the RPC in an invalid format (not "1 ..." or "0 ...")');
  }
  return { ok: bytes[0] === 0x31, reply: bytes.subarray(2) };
}

/** One request on `channel` (a new one: it is opened here and always closed again). */
export function rpci(channel: Channel, request: RpciRequest): RpciReply {
  channel.open();
  let result: { ok: boolean; reply: Uint8Array };
  try {
    channel.send(request);
    result = parseReply(channel.receive());
  } catch (err) {
    try {
      channel.close();
    } catch {
      // the first failure is the one to report
    }
    throw err;
  }
  let closed = true;
  try {
    channel.close();
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    closed = false;
  }
  return { ...result, closed };
}
