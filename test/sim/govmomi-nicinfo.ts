// NicInfo v3 (`SetGuestInfo  10 <xdr>`) decoded by a decoder that shares no
// code with vmt: test/tools/nicinfo-decode, Go, built offline from Debian's
// golang-go and golang-github-davecgh-go-xdr-dev (the XDR package govmomi's
// toolbox is written against) by scripts/govmomi-nicinfo.sh. Its types follow
// open-vm-tools' nicinfo.x: Debian's govmomi 0.24.2 ships without the
// toolbox package (see that script).
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './sim-helpers.js';

/** What `SetGuestInfo  10 ` carries (INFO_IPADDRESS_V3). */
export const NICINFO_V3_PREFIX = 'SetGuestInfo  10 ';

/** An address: type is ipv4, ipv6, ipv4z, ipv6z, dns, unknown or the number; ipv4/ipv6 as text, anything else in hex. */
export interface NicInfoAddr {
  type: string;
  address: string;
}
/** origin: other manual dhcp linklayer random; status: preferred deprecated ... (RFC 4293), null when absent */
export interface NicInfoIp extends NicInfoAddr {
  prefixLength: number;
  origin: string | null;
  status: string | null;
}
export interface NicInfoDns {
  hostName: string | null;
  domainName: string | null;
  servers: NicInfoAddr[];
  searchSuffixes: string[];
}
export interface NicInfoWins {
  primary: NicInfoAddr;
  secondary: NicInfoAddr;
}
export interface NicInfoDhcp {
  enabled: boolean;
  settings: string;
}
export interface NicInfoNic {
  macAddress: string;
  ips: NicInfoIp[];
  dns: NicInfoDns | null;
  wins: NicInfoWins | null;
  dhcpv4: NicInfoDhcp | null;
  dhcpv6: NicInfoDhcp | null;
}
/** type: other reject local remote, or the number (vmtoolsd sends 0) */
export interface NicInfoRoute {
  dest: NicInfoAddr;
  prefixLength: number;
  nextHop: NicInfoAddr | null;
  ifIndex: number;
  type: string;
  metric: number;
}
export interface NicInfoV3 {
  version: 3;
  nics: NicInfoNic[];
  routes: NicInfoRoute[];
  dns: NicInfoDns | null;
  wins: NicInfoWins | null;
  dhcpv4: NicInfoDhcp | null;
  dhcpv6: NicInfoDhcp | null;
}

let decoder: string | undefined;

/**
 * The decoder's path: built on first use (apt packages installed as needed,
 * then cached under test/tools/.cache, so later runs take well under a second).
 */
export function govmomiNicInfoDecoder(): string {
  decoder ??= execFileSync('bash', [join(ROOT, 'scripts/govmomi-nicinfo.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return decoder;
}

/**
 * Decodes NicInfo v3 XDR (the bytes after "SetGuestInfo  10 ", or the whole
 * request) with the independent decoder. Rejects with the decoder's one-line
 * reason when the bytes are not NicInfo v3 within nicinfo.x's bounds
 * (trailing bytes included).
 */
export function decodeNicInfoWithGovmomi(bytes: Uint8Array): Promise<NicInfoV3> {
  const bin = govmomiNicInfoDecoder();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code === 0) resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as NicInfoV3);
      else reject(new Error(stderr || `nicinfo-decode exited ${code ?? signal}`));
    });
    child.stdin.on('error', () => {}); // it may exit before reading everything; 'close' says why
    child.stdin.end(Buffer.from(bytes));
  });
}

/**
 * The exact bytes of a transcript rpci entry's request: request_base64 when
 * they are not UTF-8, the one trailing NUL the sim strips (nul: true) put back
 * (binary XDR often ends in a zero byte). Throws when the transcript cut it.
 */
export function rpciRequestBytes(e: Record<string, unknown>): Buffer {
  if (typeof e.request_length === 'number') throw new Error(`the transcript holds only part of this request (${e.request_length} bytes)`);
  const b = typeof e.request_base64 === 'string' ? Buffer.from(e.request_base64, 'base64') : Buffer.from(String(e.request), 'utf8');
  return e.nul === true ? Buffer.concat([b, Buffer.of(0)]) : b;
}

/** The NicInfo v3 payloads (after the prefix) of a transcript's rpci entries, in order. */
export function nicInfoV3Payloads(transcript: Record<string, unknown>[]): Buffer[] {
  const prefix = Buffer.from(NICINFO_V3_PREFIX);
  return transcript
    .filter((e) => e.t === 'rpci' && typeof e.request === 'string' && e.request.startsWith(NICINFO_V3_PREFIX))
    .map((e) => rpciRequestBytes(e).subarray(prefix.length));
}
