// One report: the SetGuestInfo RPCIs for a snapshot of the guest, and which of
// them changed since the last one that reached the host. vmtoolsd sends, in
// this order, the OS names and detailed data, the host name, the NIC info and
// the uptime; each only when it changed (the uptime always has). vmt sends the
// OS full and short names (5, 6) as well as the detailed data (11), where
// vmtoolsd >= 11.2 sends 5 and 6 only when the host refuses 11: a host too old
// for 11 learns the names either way.
//
// NIC info goes as SetGuestInfo 10 (NicInfo v3, up to NICINFO_MAX_IPS
// addresses per NIC); when the host refuses that, or it is over the 64 KiB a
// request may be, as SetGuestInfo 9 with at most 64 addresses per NIC, vmtoolsd's
// next method (GuestInfoSendNicInfo). Its older NicInfo v2/v1 methods are not
// used: hosts older than that predate vSphere 5.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUESTMSG_MAX_IN_SIZE } from '../backdoor/constants.js';
import { detailedPayload, dnsName, osIdentity, uptimeHundredths, type OsFacts, type OsIdentity } from './identity.js';
import { buildNicInfo, capAddresses, encodeGuestNicProto, INFO_IPADDRESS_V2, INFO_IPADDRESS_V3, LIMITS, type Dropped, type NetFacts, type NicInfoV3 } from './nicinfo.js';
import { quoteHost } from '../cli/host-text.js';
import { runDir, writeJsonAtomically } from '../run-dir.js';

/** open-vm-tools guestInfo.h GuestInfoType */
export const INFO = { INFO_DNS_NAME: 1, INFO_OS_NAME_FULL: 5, INFO_OS_NAME: 6, INFO_UPTIME: 7, INFO_IPADDRESS_V2: 9, INFO_IPADDRESS_V3: 10, INFO_OS_DETAILED: 11 } as const;
export type InfoName = keyof typeof INFO;

/** The parts of a report, in the order they are sent. */
export const PARTS = ['osNameFull', 'osName', 'osDetailed', 'dnsName', 'nicInfo', 'uptime'] as const;
export type Part = (typeof PARTS)[number];

export interface Facts {
  os: OsFacts;
  net: NetFacts;
  /** /proc/uptime's text */
  uptime: string;
}

export interface Snapshot {
  hostname: string;
  os: OsIdentity;
  /** hundredths of a second, null when unknown */
  uptime: string | null;
  nicInfo: NicInfoV3;
  dropped: Dropped;
}

export function snapshot(f: Facts): Snapshot {
  let built: { info: NicInfoV3; dropped: Dropped };
  try {
    built = buildNicInfo(f.net);
  } catch {
    // vmtoolsd sends an empty NicInfo when it cannot gather one
    built = { info: { nics: [], routes: [], dnsConfigInfo: null, winsConfigInfo: null, dhcpConfigInfov4: null, dhcpConfigInfov6: null }, dropped: { nics: 0, ips: 0, routes: 0, servers: 0, searchSuffixes: 0 } };
  }
  return { hostname: dnsName(f.net.hostname), os: osIdentity(f.os), uptime: uptimeHundredths(f.uptime), nicInfo: built.info, dropped: built.dropped };
}

/** One SetGuestInfo request of a report. */
export interface Item {
  part: Part;
  type: number;
  name: InfoName;
  /** the bytes after "SetGuestInfo  TYPE " */
  payload: Uint8Array;
  /** what the host is told, decoded (for --json and logs) */
  value: unknown;
  /** sent instead when the host refuses this one or it is too large (NIC info as SetGuestInfo 9) */
  fallback?: { type: number; name: InfoName; payload: Uint8Array; value: unknown };
}

const text = (s: string) => new TextEncoder().encode(s);
export const PREFIX = (type: number) => `SetGuestInfo  ${type} `;

/** The whole request: "SetGuestInfo  TYPE " and the payload. */
export function request(type: number, payload: Uint8Array): Uint8Array {
  const head = text(PREFIX(type));
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** The request as one line for people: text as it is, binary as its size. */
export function requestText(type: number, payload: Uint8Array): string {
  const binary = type === INFO.INFO_IPADDRESS_V3 || type === INFO.INFO_IPADDRESS_V2 || type === INFO.INFO_OS_DETAILED;
  return `${PREFIX(type)}${binary ? `<${payload.length} bytes>` : new TextDecoder().decode(payload)}`;
}

/** One request's outcome as `vmt report` prints it. */
export function resultLine(r: { request: string; ok: boolean | null; reply: string }): string {
  return `${r.request} -> ${r.ok ? 'ok' : `refused${r.reply ? `: ${quoteHost(r.reply)}` : ''}`}`;
}

/** The report's requests, in sending order. */
export function items(s: Snapshot): Item[] {
  const out: Item[] = [
    { part: 'osNameFull', type: INFO.INFO_OS_NAME_FULL, name: 'INFO_OS_NAME_FULL', payload: text(s.os.fullName), value: s.os.fullName },
    { part: 'osName', type: INFO.INFO_OS_NAME, name: 'INFO_OS_NAME', payload: text(s.os.shortName), value: s.os.shortName },
  ];
  const detailed = detailedPayload(s.os);
  if (detailed) out.push({ part: 'osDetailed', type: INFO.INFO_OS_DETAILED, name: 'INFO_OS_DETAILED', payload: detailed, value: { version: 1, shortName: s.os.shortName, fullName: s.os.fullName, detailedData: s.os.detailed } });
  out.push({ part: 'dnsName', type: INFO.INFO_DNS_NAME, name: 'INFO_DNS_NAME', payload: text(s.hostname), value: s.hostname });
  const v3 = encodeGuestNicProto(s.nicInfo);
  const v2info = capAddresses(s.nicInfo, LIMITS.INFO_IPADDRESS_V2_MAX_IPS);
  const fallback = { type: INFO_IPADDRESS_V2, name: 'INFO_IPADDRESS_V2' as const, payload: encodeGuestNicProto(v2info), value: v2info };
  out.push({ part: 'nicInfo', type: INFO_IPADDRESS_V3, name: 'INFO_IPADDRESS_V3', payload: v3, value: s.nicInfo, fallback });
  if (s.uptime !== null) out.push({ part: 'uptime', type: INFO.INFO_UPTIME, name: 'INFO_UPTIME', payload: text(s.uptime), value: s.uptime });
  return out;
}

/** Whether a request fits the 64 KiB the host accepts from the guest (GUESTMSG_MAX_IN_SIZE). */
export const fits = (type: number, payload: Uint8Array) => PREFIX(type).length + payload.length <= GUESTMSG_MAX_IN_SIZE;

/** What each part last told the host: a digest of the request, by part. */
export type Sent = Partial<Record<Part, string>>;

const digest = (it: Item) => createHash('sha256').update(it.payload).digest('hex');

/** The items to send: all with `all`, else those whose request differs from what the host last accepted. */
export function changed(list: Item[], sent: Sent, all = false): Item[] {
  return all ? list : list.filter((it) => sent[it.part] !== digest(it));
}

/** The host's answer to one request; null when the channel failed. */
export type Outcome = { ok: boolean; reply: string } | null;

export interface Result {
  part: Part;
  type: number;
  name: InfoName;
  request: string;
  /** null: the channel failed */
  ok: boolean | null;
  reply: string;
}

/**
 * Sends the items one by one, yielding each request and taking the host's
 * outcome (sync or async drivers below share it); records what the host
 * accepted in `sent`. A refused or too large NIC info goes again as its fallback.
 */
export function* exchange(list: Item[], sent: Sent): Generator<Uint8Array, Result[], Outcome> {
  const results: Result[] = [];
  for (const it of list) {
    let { type, name, payload } = it;
    let outcome: Outcome = null;
    let tried = false;
    if (fits(type, payload)) {
      outcome = yield request(type, payload);
      tried = true;
    }
    if (it.fallback && (!tried || outcome?.ok === false)) {
      if (tried) results.push({ part: it.part, type, name, request: requestText(type, payload), ok: outcome?.ok ?? null, reply: outcome?.reply ?? '' });
      ({ type, name, payload } = it.fallback);
      outcome = fits(type, payload) ? yield request(type, payload) : { ok: false, reply: 'too large to send' };
    }
    results.push({ part: it.part, type, name, request: requestText(type, payload), ok: outcome ? outcome.ok : null, reply: outcome?.reply ?? '' });
    if (outcome?.ok) sent[it.part] = digest(it);
    else delete sent[it.part];
  }
  return results;
}

/** Runs exchange() with a synchronous sender (the TCLO agent's RPCI). */
export function exchangeSync(list: Item[], sent: Sent, send: (request: Uint8Array) => Outcome): Result[] {
  const g = exchange(list, sent);
  let r = g.next(null);
  while (!r.done) r = g.next(send(r.value));
  return r.value;
}

/** Runs exchange() with an asynchronous sender (vmt report's sendRpc). */
export async function exchangeAsync(list: Item[], sent: Sent, send: (request: Uint8Array) => Promise<Outcome>): Promise<Result[]> {
  const g = exchange(list, sent);
  let r = g.next(null);
  while (!r.done) r = g.next(await send(r.value));
  return r.value;
}

// ---- one-shot state (vmt report): RUN/vmt/report.json

/** RUN/vmt/report.json, RUN being $XDG_RUNTIME_DIR or /run. */
export const stateFile = (env: NodeJS.ProcessEnv = process.env): string => join(runDir(env), 'vmt', 'report.json');

/** What the last report told the host; empty when there is no (readable, valid) state. */
export function loadState(file: string): Sent {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; sent?: Record<string, unknown> };
    if (v.version !== 1 || typeof v.sent !== 'object' || v.sent === null) return {};
    const out: Sent = {};
    for (const p of PARTS) if (typeof v.sent[p] === 'string') out[p] = v.sent[p] as string;
    return out;
  } catch {
    return {};
  }
}

/** Writes the state atomically (a temporary file renamed over it). Throws on failure. */
export function saveState(file: string, sent: Sent): void {
  writeJsonAtomically(file, { version: 1, sent }, { dir: 0o700, file: 0o600 });
}
