// Hostile vsock peers for `vmt sim serve --fault` (issue 12 over vsock): the
// host's DATA packets (RPCI replies, TCLO commands) built wrong on purpose --
// DataMap lengths that lie, fields twice or of no known type, a packet header
// that lies, a peer that stalls half-way. Written with this file's own code,
// like the rest of the host side (src/sim/host/vsock.ts).
import { DM_INT64, DM_STRING, FIELD_PAYLOAD, FIELD_TYPE, TYPE_DATA } from './vsock-format.js';

/**
 * The modes (docs/limits.md says what the guest does under each):
 *  neglength          the PAYLOAD STRING's length is -1
 *  hugelength[:BYTES] the PAYLOAD STRING's length is BYTES (default 2147483647), only the real bytes follow
 *  dupfield           PAYLOAD twice: the real one, then another value
 *  unknownfield       two fields GuestRPC does not define (an INT64 and a STRING) before PAYLOAD: a packet to accept
 *  unknowntype        an entry of DataMap type 9, which no decoder can skip, before PAYLOAD
 *  hugepacket[:BYTES] the packet header announces BYTES (default 4294967295), then the real body; the connection stays open
 *  lyingheader        the header announces 4096 bytes more than the body; the body, then nothing more (open)
 *  stallhalf          the first half of the packet (header included), then nothing more (open)
 */
export const VSOCK_FAULT_MODES = ['neglength', 'hugelength', 'dupfield', 'unknownfield', 'unknowntype', 'hugepacket', 'lyingheader', 'stallhalf'] as const;
export type VsockFaultMode = (typeof VSOCK_FAULT_MODES)[number];

export interface VsockFault {
  mode: VsockFaultMode;
  /** hugelength, hugepacket: the length announced */
  n?: number;
}

export const DEFAULT_HUGE_LENGTH = 0x7fffffff;
export const DEFAULT_HUGE_PACKET = 0xffffffff;
/** lyingheader: how many bytes more than it sends the header announces */
export const LIE_EXTRA = 4096;
/** What dupfield's second PAYLOAD says: a plausible reply the guest must not take. */
export const DUPLICATE_VALUE = '1 the second PAYLOAD';

const FORMS = 'neglength, hugelength[:BYTES] (1..2147483647), dupfield, unknownfield, unknowntype, hugepacket[:BYTES] (1..4294967295), lyingheader, stallhalf';

/** "neglength,hugelength:70000" -> faults; throws naming the bad part. */
export function parseVsockFaults(spec: string): VsockFault[] {
  const out: VsockFault[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    const m = /^([a-z]+)(?::(\d+))?$/.exec(part);
    const mode = m?.[1] as VsockFaultMode | undefined;
    if (!m || !mode || !(VSOCK_FAULT_MODES as readonly string[]).includes(mode)) throw new Error(`bad fault '${part}' in '${spec}': expected a comma-separated list of ${FORMS}`);
    if (m[2] === undefined) {
      out.push({ mode });
      continue;
    }
    const n = Number(m[2]);
    const max = mode === 'hugelength' ? 0x7fffffff : mode === 'hugepacket' ? 0xffffffff : 0;
    if (n < 1 || n > max) throw new Error(`bad fault '${part}' in '${spec}': expected a comma-separated list of ${FORMS}`);
    out.push({ mode, n });
  }
  return out;
}

/** The faults in turn: each DATA packet the host sends (any connection) takes the next one. */
export class VsockFaultCycle {
  private i = 0;
  constructor(readonly faults: readonly VsockFault[]) {}
  next(): VsockFault | null {
    if (this.faults.length === 0) return null;
    return this.faults[this.i++ % this.faults.length]!;
  }
}

/** an entry type no DataMap decoder knows */
const DM_UNKNOWN = 9;

function int32s(...vs: number[]): Uint8Array {
  const b = new Uint8Array(4 * vs.length);
  const v = new DataView(b.buffer);
  vs.forEach((x, i) => (x < 0 ? v.setInt32(4 * i, x) : v.setUint32(4 * i, x)));
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A STRING entry whose length field says `length`, followed by `bytes` (the real ones). */
const stringEntry = (id: number, length: number, bytes: Uint8Array) => concat([int32s(DM_STRING, id, length), bytes]);
/** INT64: low word first. */
const int64Entry = (id: number, value: number) => int32s(DM_INT64, id, value, 0);

/** What the host sends for a DATA packet with `payload` under `fault`; stall: send nothing more on this connection. */
export function hostilePacket(fault: VsockFault, payload: Uint8Array): { bytes: Uint8Array; stall: boolean } {
  const type = int64Entry(FIELD_TYPE, TYPE_DATA);
  const honest = payload.length ? stringEntry(FIELD_PAYLOAD, payload.length, payload) : new Uint8Array(0); // no PAYLOAD when empty
  let entries: Uint8Array[] = [type, honest];
  if (fault.mode === 'neglength') entries = [type, stringEntry(FIELD_PAYLOAD, -1, payload)];
  else if (fault.mode === 'hugelength') entries = [type, stringEntry(FIELD_PAYLOAD, fault.n ?? DEFAULT_HUGE_LENGTH, payload)];
  else if (fault.mode === 'dupfield') {
    const other = new TextEncoder().encode(DUPLICATE_VALUE);
    entries = [type, honest, stringEntry(FIELD_PAYLOAD, other.length, other)];
  } else if (fault.mode === 'unknownfield') {
    const text = new TextEncoder().encode('a field of a later version');
    entries = [type, int64Entry(99, 7), stringEntry(100, text.length, text), honest];
  } else if (fault.mode === 'unknowntype') entries = [type, int32s(DM_UNKNOWN, 99, 0x12345678), honest];
  const body = concat(entries);
  const header = (n: number) => int32s(n);
  if (fault.mode === 'hugepacket') return { bytes: concat([header(fault.n ?? DEFAULT_HUGE_PACKET), body]), stall: true };
  if (fault.mode === 'lyingheader') return { bytes: concat([header(body.length + LIE_EXTRA), body]), stall: true };
  const whole = concat([header(body.length), body]);
  if (fault.mode === 'stallhalf') return { bytes: whole.subarray(0, whole.length >> 1), stall: true };
  return { bytes: whole, stall: false };
}
