// The simulated VMware host (`vmt sim`), host side only: it imports nothing
// from the guest side but src/backdoor/constants.ts, so the two meet at the wire.
//
// Transcript entries: TranscriptEntry (transcript.ts), one kind per `t`:
// bdoor, hb, channel, rpci, recv, tclo, fault, vsock, refused, guestinfo.
export { GuestInfoStore, StateFileError, type StoredValue } from './store.js';
export { SimHost } from './host.js';
export { HostView, type GuestInfo } from './host-view.js';
export { defaultConfig, parseProduct, parseUuid, type SimConfig } from './config.js';
export { HOSTILE_MODES, HOSTILE_VALUE, parseFaults, type FaultSpec, type HostileMode } from './faults.js';
export type { HostRegs } from './regs.js';
export type { SimStats } from './stats.js';
export { MAX_CHANNELS } from './message.js';
export { textFields, TRANSCRIPT_TEXT_LIMIT, type TranscriptEntry } from './transcript.js';
export type { BdoorEntry, ChannelEntry, FaultEntry, GuestInfoEntry, HbEntry, RecvEntry, RpciEntry, TcloEntry } from './transcript.js';
