// The simulated VMware host (`vmt sim`), host side only: it imports nothing
// from the guest side but src/backdoor/constants.ts, so the two meet at the wire.
//
// Transcript entries (TranscriptEntry, JSON-serialisable; emitted in the order
// things happen, a call's protocol entries before its bdoor/hb entry):
//   {t:'bdoor', pid, cmd, in, out}                       every LB call; cmd = GETVERSION, GETUUID, ... |
//                                                        'UNKNOWN' (+ num: the command number) | 'INVALID' (wrong magic or port)
//   {t:'bdoor', pid, cmd:'MESSAGE', sub, channel?, in, out, status, bytes?}
//                                                        sub = OPEN SENDSIZE SENDPAYLOAD RECVSIZE RECVPAYLOAD RECVSTATUS CLOSE | SUB_<n>;
//                                                        channel = DX.hi (OPEN: the new id, absent on failure);
//                                                        status = the CX.hi returned; bytes = payload bytes moved (1..4)
//   {t:'hb', pid, dir:'out'|'in', channel, in, out, status, bytes}   status = the BX.hi returned
//   {t:'hb', pid, dir, invalid:true, in, out, bytes:0}  wrong magic/port or HB command ≠ 0
//   {t:'channel', event:'open', channel, protocol:'RPCI'|'TCLO', pid, cookie:boolean}
//   {t:'channel', event:'close', channel, protocol, pid, reason:'guest'|'exit'|'shutdown'}
//   {t:'rpci', channel, pid, request, reply, nul?:true}  one per completed request (nul: one trailing NUL was stripped);
//                                                        text fields: see textFields (…_length when cut at 4 KiB,
//                                                        …_base64 when not UTF-8)
//   {t:'recv', channel, protocol:'RPCI', outcome:'ok'|'failed'|'dropped', read, length}
//                                                        only when a reply was not collected cleanly: the guest reported
//                                                        failure, never collected it, or read only `read` of `length` bytes
//   {t:'tclo', channel, command, reply, nul?, atr?, handshake?, read?}
//                                                        a delivered command and the guest's reply; command 'reset':
//                                                        atr = app name from "OK ATR <name>" or null; handshake: the
//                                                        implicit reset of a new channel; read: bytes the guest took if fewer
//   {t:'tclo', channel, command, reply:null, recv:'failed', read}   the guest gave up receiving it (it is re-queued)
//   {t:'tclo', channel, command, reply:null, closed:true}           the channel closed before the reply
//   {t:'tclo', channel, command:null, reply, unsolicited:true}      a non-empty message with no command outstanding
//   {t:'fault', kind:'cpt'|'open'|'timeout'|'random', call, sub, channel?}
export { GuestInfoStore, type StoredValue } from './store.js';
export { SimHost } from './host.js';
export { defaultConfig, parseProduct, parseUuid, type SimConfig } from './config.js';
export { parseFaults, type FaultSpec } from './faults.js';
export type { HostRegs } from './regs.js';
export type { SimStats } from './stats.js';
export { MAX_CHANNELS } from './message.js';
export { textFields, TRANSCRIPT_TEXT_LIMIT, type TranscriptEntry } from './transcript.js';
