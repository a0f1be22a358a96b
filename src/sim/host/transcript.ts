// The transcript: one JSON-serialisable entry per event, handed to a callback
// (`vmt sim --transcript` writes them as JSON lines), emitted in the order
// things happen, a call's protocol entries before its bdoor/hb entry. One
// kind of entry per `t`.
import type { Outcome, Protocol } from './channel.js';
import type { HostileMode } from './faults.js';
import type { HostRegs } from './regs.js';

/** Every LB call (`in eax,dx`). */
export interface BdoorEntry {
  t: 'bdoor';
  pid: number;
  /** GETVERSION, GETUUID, ...; MESSAGE; UNKNOWN (num: the command number); INVALID (wrong magic or port) */
  cmd: string;
  num?: number;
  /** MESSAGE: OPEN SENDSIZE SENDPAYLOAD RECVSIZE RECVPAYLOAD RECVSTATUS CLOSE | SUB_<n> */
  sub?: string;
  /** MESSAGE: DX.hi (OPEN: the new id, absent on failure) */
  channel?: number;
  in: HostRegs;
  out: HostRegs;
  /** MESSAGE: the CX.hi returned */
  status?: number;
  /** MESSAGE: payload bytes moved (1..4) */
  bytes?: number;
}

/** Every HB call (`rep outsb` out, `rep insb` in). */
export interface HbEntry {
  t: 'hb';
  pid: number;
  dir: 'out' | 'in';
  channel?: number;
  /** wrong magic/port or an HB command other than 0 */
  invalid?: true;
  in: HostRegs;
  out: HostRegs;
  /** the BX.hi returned */
  status?: number;
  bytes: number;
}

export interface ChannelEntry {
  t: 'channel';
  event: 'open' | 'close';
  channel: number;
  protocol: Protocol;
  pid: number;
  /** open: whether the guest asked for cookies */
  cookie?: boolean;
  /** close: who closed it */
  reason?: CloseReason;
}
export type CloseReason = 'guest' | 'exit' | 'shutdown';

/**
 * Text fields (see textFields): `name` holds the text, `<name>_length` the full
 * size when it was cut at TRANSCRIPT_TEXT_LIMIT, `<name>_base64` the exact bytes
 * when they are not UTF-8.
 */
export type TextFields<N extends string> = { [K in N]: string } & { [K in `${N}_length`]?: number } & { [K in `${N}_base64`]?: string };

/** One per completed request; nul: one trailing NUL was stripped; over vsock (vmt sim serve), channel is the connection's number and pid 0. */
export type RpciEntry = { t: 'rpci'; channel: number; pid: number; nul?: true; transport?: 'vsock' } & TextFields<'request'> & TextFields<'reply'>;

/** Only when a reply was not collected cleanly: the guest reported failure, never collected it, or read only `read` of `length` bytes. */
export interface RecvEntry {
  t: 'recv';
  channel: number;
  protocol: 'RPCI';
  outcome: Outcome;
  read: number;
  length: number;
}

/**
 * A delivered command and the guest's reply (command 'reset': atr = the app
 * name from "OK ATR <name>", or null; handshake: the implicit reset of a new
 * channel; read: bytes the guest took if fewer; latency_ms: ready -> reply,
 * with --tclo-interval). reply null: recv 'failed' (the guest gave up
 * receiving it; it is re-queued) or closed (the channel closed before the
 * reply). command null: unsolicited, a non-empty message with no command
 * outstanding.
 */
export interface TcloEntry {
  t: 'tclo';
  channel: number;
  /** over vsock (vmt sim serve): channel is the connection's number */
  transport?: 'vsock';
  command: string | null;
  reply: string | null;
  reply_length?: number;
  reply_base64?: string;
  nul?: true;
  atr?: string | null;
  handshake?: true;
  /** a --fault storm command (tclo64k, tclobinary, resetstorm), not from the queue */
  storm?: true;
  read?: number;
  latency_ms?: number;
  recv?: 'failed';
  closed?: true;
  unsolicited?: true;
}

/** An injected fault (--fault). */
export interface FaultEntry {
  t: 'fault';
  kind: 'cpt' | 'open' | 'timeout' | 'random' | HostileMode;
  /** the counter that matched (0 for the hostile modes other than cptforever, which are on for every call) */
  call: number;
  sub: string;
  channel?: number;
}

/** A GuestRPC connection over vsock (vmt sim serve): opened, a packet the host refused, a packet sent under --fault, closed. */
export interface VsockEntry {
  t: 'vsock';
  conn: number;
  protocol: 'RPCI' | 'TCLO';
  event: 'open' | 'ping' | 'refused' | 'fault' | 'close';
  /** the --fault mode the next packet the host sends is built under (fault) */
  fault?: string;
  /** the guest's source port (open), whether it is privileged (≤ 1023) */
  peer_port?: number;
  privileged?: boolean;
  /** why a packet or the connection was refused */
  reason?: string;
}

/**
 * A syscall the sim's guard refused (vmt-trace's guard.c): an AF_VSOCK socket
 * (this machine's vsock never leads to the simulated host), a shutdown command,
 * a connection to the system bus. The syscall returned `error`.
 */
export interface RefusedEntry {
  t: 'refused';
  pid: number;
  /** "socket(AF_VSOCK)", "exec of /sbin/shutdown -h now", ... */
  what: string;
  error: string;
}

/** One `SetGuestInfo` as the host decoded it (host-view.ts); before the request's rpci entry. */
export interface GuestInfoEntry {
  t: 'guestinfo';
  /** the GuestInfoType number, null when there was none */
  key: number | null;
  /** its name in guestInfo.h, INFO_DNS_NAME ... */
  name?: string;
  value?: unknown;
  /** why the value was not decoded (the view is unchanged) */
  error?: string;
  /** NicInfo: bytes after the XDR union (ignored) */
  trailing?: number;
}

/** Message channels of one protocol in a run: opened, and closed by the guest (CLOSE), at its process's exit, or at the end of the run. */
export interface ChannelCounts {
  opens: number;
  closes: Record<CloseReason, number>;
}

/**
 * The last line of a run (`vmt sim -- PROGRAM`): its channels per protocol, and
 * the requests answered (RPCI) and host commands the guest answered (TCLO). A
 * program that keeps its RPCI channel shows far fewer opens than requests.
 */
export interface SummaryEntry {
  t: 'summary';
  channels: Record<Protocol, ChannelCounts>;
  requests: { rpci: number; tclo: number };
}

export type TranscriptEntry = BdoorEntry | HbEntry | ChannelEntry | RpciEntry | RecvEntry | TcloEntry | FaultEntry | VsockEntry | RefusedEntry | GuestInfoEntry | SummaryEntry;
export type TranscriptSink = (e: TranscriptEntry) => void;

/** Bytes longer than this are cut in the transcript (the `<name>_length` field gives the full size). */
export const TRANSCRIPT_TEXT_LIMIT = 4096;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as a string if they are valid UTF-8 (so that encoding it gives the same bytes back), else null. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * `{name: text}` for the transcript. Over the limit: cut (at a character
 * boundary) and `<name>_length` = full size. Not UTF-8: `name` holds a lossy
 * rendering and `<name>_base64` the exact (possibly cut) bytes.
 */
export function textFields<N extends string>(name: N, bytes: Uint8Array, limit = TRANSCRIPT_TEXT_LIMIT): TextFields<N> {
  const out: Record<string, string | number> = {};
  const valid = utf8OrNull(bytes) !== null;
  let cut = bytes;
  if (bytes.length > limit) {
    let end = limit;
    if (valid) while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // not inside a character
    cut = bytes.subarray(0, end);
    out[`${name}_length`] = bytes.length;
  }
  out[name] = Buffer.from(cut.buffer, cut.byteOffset, cut.length).toString('utf8');
  if (!valid) out[`${name}_base64`] = Buffer.from(cut.buffer, cut.byteOffset, cut.length).toString('base64');
  return out as TextFields<N>;
}

