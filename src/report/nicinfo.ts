// NicInfo v3 (open-vm-tools lib/guestRpc/nicinfo.x, `GuestNicProto` with
// ver = NIC_INFO_V3) from facts about the guest's network: every NIC with its
// MAC and addresses, the routes through them, the resolver's configuration.
// Which interfaces count, the limits and where lists are cut follow vmtoolsd's
// guestInfo plugin (lib/nicInfo/nicInfoPosix.c on Linux without libdnet, as
// Debian and most distributions build it); each limit names the constant it
// mirrors. Building never throws: what does not parse is left out.
import { isIPv4, isIPv6 } from 'node:net';
import { truncateUtf8, XdrWriter } from './xdr.js';

/** SetGuestInfo types for NIC info (open-vm-tools guestInfo.h GuestInfoType). */
export const INFO_IPADDRESS_V2 = 9;
export const INFO_IPADDRESS_V3 = 10;
/** nicinfo.x NicInfoVersion */
export const NIC_INFO_V3 = 3;

/** The limits, named after the constants they mirror. */
export const LIMITS = {
  /** nicinfo.x NICINFO_MAX_NICS: NICs past the 16th are dropped (GuestInfoAddNicEntry) */
  NICINFO_MAX_NICS: 16,
  /** nicinfo.x NICINFO_MAX_IPS: addresses per NIC past this are dropped (GuestInfoAddIpAddress) */
  NICINFO_MAX_IPS: 2048,
  /** guestInfo.h INFO_IPADDRESS_V2_MAX_IPS: addresses per NIC when sent as SetGuestInfo 9 (GuestNicInfoV3ToV3_64) */
  INFO_IPADDRESS_V2_MAX_IPS: 64,
  /** nicinfo.x NICINFO_MAX_ROUTES: IPv4 routes first, then IPv6 ones while there is room (RecordRoutingInfo) */
  NICINFO_MAX_ROUTES: 100,
  /** nicinfo.x NICINFO_MAC_LEN: macAddress is string<18> */
  NICINFO_MAC_LEN: 18,
  /** nicinfo.x INET_ADDRESS_MAX_LEN: InetAddress is opaque<255> */
  INET_ADDRESS_MAX_LEN: 255,
  /** nicinfo.x DNSINFO_MAX_ADDRLEN: DnsHostname is string<255> (vmtoolsd's namebuf[DNSINFO_MAX_ADDRLEN + 1]) */
  DNSINFO_MAX_ADDRLEN: 255,
  /** nicinfo.x DNSINFO_MAX_SUFFIXES */
  DNSINFO_MAX_SUFFIXES: 10,
  /** nicinfo.x DNSINFO_MAX_SERVERS (reached only through systemd-resolved's file; glibc's resolver holds MAXNS) */
  DNSINFO_MAX_SERVERS: 16,
  /** glibc resolv.h MAXNS: the name servers res_ninit() keeps from /etc/resolv.conf */
  MAXNS: 3,
  /** glibc resolv.h MAXDNSRCH: the search domains res_ninit() keeps */
  MAXDNSRCH: 6,
} as const;

/** vmtoolsd's GUESTINFO_DEFAULT_IFACE_EXCLUDES (guestInfoServer.c, non-Windows): glob patterns of interfaces never reported. */
export const DEFAULT_EXCLUDES = ['docker*', 'veth*', 'virbr*', 'antrea-*', 'cali*'];

// nicinfo.x enums
export const ADDRESS_TYPES = { IAT_UNKNOWN: 0, IAT_IPV4: 1, IAT_IPV6: 2, IAT_IPV4Z: 3, IAT_IPV6Z: 4, IAT_DNS: 16 } as const;
export const ORIGINS = { IAO_OTHER: 1, IAO_MANUAL: 2, IAO_DHCP: 4, IAO_LINKLAYER: 5, IAO_RANDOM: 6 } as const;
export const STATUSES = { IAS_PREFERRED: 1, IAS_DEPRECATED: 2, IAS_INVALID: 3, IAS_INACCESSIBLE: 4, IAS_UNKNOWN: 5, IAS_TENTATIVE: 6, IAS_DUPLICATE: 7, IAS_OPTIMISTIC: 8 } as const;
export type Origin = keyof typeof ORIGINS;
export type Status = keyof typeof STATUSES;

// ---- facts: what the guest knows (injected; see facts.ts for this machine's)

export interface AddressFact {
  /** text form: 192.0.2.7, 2001:db8::7 (a %scope suffix is ignored) */
  address: string;
  prefixLength: number;
  /** how the address was configured, when known cheaply */
  origin?: Origin;
  status?: Status;
}

export interface InterfaceFact {
  name: string;
  /** the link-layer address as text (aa:bb:cc:dd:ee:ff), null when none */
  mac: string | null;
  up: boolean;
  loopback: boolean;
  /** an Ethernet-type link with a 6-byte address (what vmtoolsd maps a route's device through) */
  ethernet: boolean;
  /** in the order the system lists them; addresses of aliases (eth0:1) belong here */
  addresses: AddressFact[];
}

export interface NetFacts {
  /** gethostname() */
  hostname: string;
  /** in interface-index order */
  interfaces: InterfaceFact[];
  /** the text of /proc/net/route, null when there is none (not Linux) */
  routeV4: string | null;
  /** the text of /proc/net/ipv6_route, null when there is none */
  routeV6: string | null;
  /** the text of /etc/resolv.conf, null when unreadable */
  resolvConf: string | null;
  /** the text of /run/systemd/resolve/resolv.conf when /etc/resolv.conf is systemd-resolved's stub (vmtoolsd reads the servers from it) */
  resolvedConf: string | null;
  /** glob patterns of interfaces to leave out; default DEFAULT_EXCLUDES */
  excludes?: readonly string[];
}

// ---- the NicInfo v3 value, with nicinfo.x's field names (addresses as text)

export interface TypedIpAddress {
  ipAddressAddrType: 'IAT_IPV4' | 'IAT_IPV6';
  ipAddressAddr: string;
}

export interface IpAddressEntry {
  ipAddressAddr: TypedIpAddress;
  ipAddressPrefixLength: number;
  ipAddressOrigin: Origin | null;
  ipAddressStatus: Status | null;
}

export interface DnsConfigInfo {
  hostName: string | null;
  domainName: string | null;
  serverList: TypedIpAddress[];
  searchSuffixes: string[];
}

export interface DhcpConfigInfo {
  enabled: boolean;
  dhcpSettings: string;
}

export interface GuestNicV3 {
  macAddress: string;
  ips: IpAddressEntry[];
  dnsConfigInfo: DnsConfigInfo | null;
  winsConfigInfo: null;
  dhcpConfigInfov4: DhcpConfigInfo | null;
  dhcpConfigInfov6: DhcpConfigInfo | null;
}

export interface InetCidrRouteEntry {
  inetCidrRouteDest: TypedIpAddress;
  inetCidrRoutePfxLen: number;
  inetCidrRouteNextHop: TypedIpAddress | null;
  /** the index into nics */
  inetCidrRouteIfIndex: number;
  /** vmtoolsd never sets it: 0, though nicinfo.x's InetCidrRouteType starts at ICRT_OTHER = 1 */
  inetCidrRouteType: number;
  inetCidrRouteMetric: number;
}

export interface NicInfoV3 {
  nics: GuestNicV3[];
  routes: InetCidrRouteEntry[];
  dnsConfigInfo: DnsConfigInfo | null;
  winsConfigInfo: null;
  dhcpConfigInfov4: DhcpConfigInfo | null;
  dhcpConfigInfov6: DhcpConfigInfo | null;
}

/** What was left out to stay within the limits (counts), for --json and logs. */
export interface Dropped {
  nics: number;
  ips: number;
  routes: number;
  servers: number;
  searchSuffixes: number;
}

// ---- addresses

/** The 4 or 16 bytes of an address in text form; null when it is not one. */
export function ipBytes(text: string): Uint8Array | null {
  let t = text.replace(/%.*$/, '');
  if (isIPv4(t)) return Uint8Array.from(t.split('.').map(Number));
  if (!isIPv6(t)) return null;
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(t); // ::ffff:192.0.2.1: the last 32 bits as two groups
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    t = `${t.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [l, r] = t.includes('::') ? t.split('::') : [t, null];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const words = r === null ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    const n = parseInt(w, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

/** Text of 4 or 16 address bytes (IPv6 compressed as RFC 5952 says). */
export function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function typed(text: string): TypedIpAddress | null {
  const b = ipBytes(text);
  if (!b) return null;
  return { ipAddressAddrType: b.length === 4 ? 'IAT_IPV4' : 'IAT_IPV6', ipAddressAddr: ipText(b) };
}

/** aa:bb:cc:dd:ee:ff in lower case, as vmtoolsd prints it ("%02x:..."); zeros when there is none (an empty sll_addr). */
export function macText(mac: string | null): string {
  const parts = (mac ?? '').split(/[:-]/).map((p) => parseInt(p, 16));
  const six = parts.length >= 6 && parts.slice(0, 6).every((n) => n >= 0 && n <= 255) ? parts.slice(0, 6) : [0, 0, 0, 0, 0, 0];
  return six.map((n) => n.toString(16).padStart(2, '0')).join(':');
}

/** g_pattern_match_string: * and ? over the whole name. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(name);
}

// ---- building

/** NicInfo v3 from the facts, within vmtoolsd's limits; never throws. */
export function buildNicInfo(facts: NetFacts): { info: NicInfoV3; dropped: Dropped } {
  const dropped: Dropped = { nics: 0, ips: 0, routes: 0, servers: 0, searchSuffixes: 0 };
  const excludes = facts.excludes ?? DEFAULT_EXCLUDES;
  const nics: GuestNicV3[] = [];
  for (const iface of facts.interfaces) {
    // GuestInfoGetInterface: loopback and downed devices are ignored, so are excluded names
    if (iface.loopback || !iface.up || excludes.some((p) => p !== '' && globMatch(p, iface.name))) continue;
    if (nics.length === LIMITS.NICINFO_MAX_NICS) {
      dropped.nics++;
      continue;
    }
    const ips: IpAddressEntry[] = [];
    for (const a of iface.addresses) {
      const t = typed(a.address);
      if (!t) continue;
      const v4 = t.ipAddressAddrType === 'IAT_IPV4';
      // a loopback address on a NIC is a misconfiguration: left out (127/8, ::1)
      if (v4 ? t.ipAddressAddr.startsWith('127.') : t.ipAddressAddr === '::1') continue;
      if (ips.length === LIMITS.NICINFO_MAX_IPS) {
        dropped.ips++;
        continue;
      }
      const max = v4 ? 32 : 128;
      const prefix = Number.isInteger(a.prefixLength) ? Math.min(Math.max(a.prefixLength, 0), max) : max;
      // GuestInfoAddIpAddress: no origin unless known; status IAS_PREFERRED (IPv4) or IAS_UNKNOWN (IPv6) unless known
      ips.push({ ipAddressAddr: t, ipAddressPrefixLength: prefix, ipAddressOrigin: a.origin ?? null, ipAddressStatus: a.status ?? (v4 ? 'IAS_PREFERRED' : 'IAS_UNKNOWN') });
    }
    nics.push({ macAddress: macText(iface.mac), ips, dnsConfigInfo: null, winsConfigInfo: null, dhcpConfigInfov4: null, dhcpConfigInfov6: null });
  }
  const routes = buildRoutes(facts, nics, dropped);
  const dnsConfigInfo = buildDns(facts, dropped);
  return { info: { nics, routes, dnsConfigInfo, winsConfigInfo: null, dhcpConfigInfov4: null, dhcpConfigInfov6: null }, dropped };
}

const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;

interface RawRoute {
  dev: string;
  dest: Uint8Array;
  prefix: number;
  gateway: Uint8Array | null;
  metric: number;
}

/** /proc/net/route: the first `max` lines with RTF_UP (SlashProcNet_GetRoute); addresses are hex in host (little-endian) order. */
export function parseRouteV4(text: string, max = LIMITS.NICINFO_MAX_ROUTES): RawRoute[] {
  const lines = text.split('\n');
  if (!/^Iface\s+Destination\s+Gateway\s+Flags\s+RefCnt\s+Use\s+Metric\s+Mask\s+MTU\s+Window\s+IRTT\s*$/.test(lines[0] ?? '')) return [];
  const le = (hex: string) => {
    const n = parseInt(hex, 16);
    return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
  };
  const out: RawRoute[] = [];
  for (const line of lines.slice(1)) {
    if (out.length >= max) break;
    const m = /^(\S+)\s+([0-9a-fA-F]{8})\s+([0-9a-fA-F]{8})\s+([0-9a-fA-F]{4})\s+\d+\s+\d+\s+(\d+)\s+([0-9a-fA-F]{8})\s+\d+\s+\d+\s+\d+\s*$/.exec(line);
    if (!m) {
      if (line.trim() === '') continue;
      return []; // vmtoolsd gives up on the table at a line it cannot parse
    }
    const flags = parseInt(m[4]!, 16);
    if (!(flags & RTF_UP)) continue;
    const mask = parseInt(m[6]!, 16) >>> 0;
    let prefix = 0;
    for (let v = mask; v; v >>>= 1) prefix += v & 1;
    out.push({ dev: m[1]!, dest: le(m[2]!), prefix, gateway: flags & RTF_GATEWAY ? le(m[3]!) : null, metric: Math.min(Number(m[5]), 0xffffffff) });
  }
  return out;
}

/** /proc/net/ipv6_route: the first `max` lines with RTF_UP (SlashProcNet_GetRoute6). */
export function parseRouteV6(text: string, max = LIMITS.NICINFO_MAX_ROUTES): RawRoute[] {
  const out: RawRoute[] = [];
  const bytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  for (const line of text.split('\n')) {
    if (out.length >= max) break;
    const m = /^([0-9a-fA-F]{32}) ([0-9a-fA-F]{2}) [0-9a-fA-F]{32} [0-9a-fA-F]{2} ([0-9a-fA-F]{32}) ([0-9a-fA-F]{8}) [0-9a-fA-F]{8} [0-9a-fA-F]{8} ([0-9a-fA-F]{8})\s+(\S+)\s*$/.exec(line);
    if (!m) {
      if (line.trim() === '') continue;
      return [];
    }
    const flags = parseInt(m[5]!, 16);
    if (!(flags & RTF_UP)) continue;
    out.push({ dev: m[6]!, dest: bytes(m[1]!), prefix: Math.min(parseInt(m[2]!, 16), 128), gateway: flags & RTF_GATEWAY ? bytes(m[3]!) : null, metric: parseInt(m[4]!, 16) >>> 0 });
  }
  return out;
}

function buildRoutes(facts: NetFacts, nics: GuestNicV3[], dropped: Dropped): InetCidrRouteEntry[] {
  const routes: InetCidrRouteEntry[] = [];
  // GuestInfoGetNicInfoIfIndex: the route's device must be Ethernet with a 6-byte address, and a reported NIC must have that MAC
  const nicIndex = (dev: string): number => {
    const iface = facts.interfaces.find((i) => i.name === dev);
    if (!iface || !iface.ethernet || !iface.mac) return -1;
    const mac = macText(iface.mac);
    return nics.findIndex((n) => n.macAddress === mac);
  };
  const add = (raw: RawRoute[]) => {
    for (const r of raw) {
      const ifIndex = nicIndex(r.dev);
      if (ifIndex < 0) continue;
      if (routes.length === LIMITS.NICINFO_MAX_ROUTES) {
        dropped.routes++;
        continue;
      }
      const t = (b: Uint8Array): TypedIpAddress => ({ ipAddressAddrType: b.length === 4 ? 'IAT_IPV4' : 'IAT_IPV6', ipAddressAddr: ipText(b) });
      routes.push({ inetCidrRouteDest: t(r.dest), inetCidrRoutePfxLen: r.prefix, inetCidrRouteNextHop: r.gateway ? t(r.gateway) : null, inetCidrRouteIfIndex: ifIndex, inetCidrRouteType: 0, inetCidrRouteMetric: r.metric });
    }
  };
  // IPv4 first; IPv6 only while there is room (RecordRoutingInfo)
  if (facts.routeV4) add(parseRouteV4(facts.routeV4));
  if (facts.routeV6 && routes.length < LIMITS.NICINFO_MAX_ROUTES) add(parseRouteV6(facts.routeV6));
  return routes;
}

/** What res_ninit() makes of resolv.conf: the default domain, the search list, the name servers. */
export function parseResolvConf(text: string): { domain: string | null; search: string[]; servers: string[] } {
  let domain: string | null = null;
  let search: string[] | null = null;
  const servers: string[] = [];
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.trim().split(/[ \t]+/);
    if (key === 'nameserver' && rest[0]) servers.push(rest[0]);
    // the last "domain" or "search" line wins; "domain" makes a one-entry search list
    if (key === 'domain' && rest[0]) [domain, search] = [rest[0], [rest[0]]];
    if (key === 'search' && rest.length) [domain, search] = [rest[0]!, rest];
  }
  return { domain, search: search ?? (domain ? [domain] : []), servers };
}

function buildDns(facts: NetFacts, dropped: Dropped): DnsConfigInfo {
  const conf = parseResolvConf(facts.resolvConf ?? '');
  // without "domain" or "search", the resolver takes the domain from the host name
  const dot = facts.hostname.indexOf('.');
  const domain = conf.domain ?? (dot >= 0 ? facts.hostname.slice(dot + 1) : '');
  const search = conf.search.length ? conf.search : domain ? [domain] : [];
  const limitSuffixes = Math.min(LIMITS.MAXDNSRCH, LIMITS.DNSINFO_MAX_SUFFIXES);
  const searchSuffixes = search.slice(0, limitSuffixes).map((s) => truncateUtf8(s, LIMITS.DNSINFO_MAX_ADDRLEN));
  dropped.searchSuffixes += Math.max(0, search.length - limitSuffixes);
  // RecordResolverNS: systemd-resolved's own file when /etc/resolv.conf is its stub (up to DNSINFO_MAX_SERVERS), else the resolver's MAXNS
  const [servers, limitServers] = facts.resolvedConf !== null ? [parseResolvConf(facts.resolvedConf).servers, LIMITS.DNSINFO_MAX_SERVERS] : [conf.servers, LIMITS.MAXNS];
  const serverList = servers.map(typed).filter((t): t is TypedIpAddress => t !== null);
  dropped.servers += Math.max(0, serverList.length - limitServers);
  return {
    hostName: truncateUtf8(facts.hostname, LIMITS.DNSINFO_MAX_ADDRLEN),
    domainName: truncateUtf8(domain, LIMITS.DNSINFO_MAX_ADDRLEN),
    serverList: serverList.slice(0, limitServers),
    searchSuffixes,
  };
}

/** A copy with at most `max` addresses per NIC (GuestNicInfoV3ToV3_64, for SetGuestInfo 9). */
export function capAddresses(info: NicInfoV3, max: number): NicInfoV3 {
  return { ...info, nics: info.nics.map((n) => ({ ...n, ips: n.ips.slice(0, max) })) };
}

// ---- encoding

function typedIp(w: XdrWriter, t: TypedIpAddress): void {
  w.i32(ADDRESS_TYPES[t.ipAddressAddrType]);
  w.opaque(ipBytes(t.ipAddressAddr) ?? new Uint8Array(0), LIMITS.INET_ADDRESS_MAX_LEN);
}

function dnsHostname(w: XdrWriter, s: string): void {
  w.string(truncateUtf8(s, LIMITS.DNSINFO_MAX_ADDRLEN), LIMITS.DNSINFO_MAX_ADDRLEN);
}

function dns(w: XdrWriter, d: DnsConfigInfo): void {
  w.optional(d.hostName, dnsHostname);
  w.optional(d.domainName, dnsHostname);
  w.array(d.serverList, LIMITS.DNSINFO_MAX_SERVERS, typedIp);
  w.array(d.searchSuffixes, LIMITS.DNSINFO_MAX_SUFFIXES, dnsHostname);
}

/** nicinfo.x DHCP_MAX_CONFIG_SIZE */
const DHCP_MAX_CONFIG_SIZE = 16384;

function dhcp(w: XdrWriter, d: DhcpConfigInfo): void {
  w.bool(d.enabled);
  w.string(truncateUtf8(d.dhcpSettings, DHCP_MAX_CONFIG_SIZE), DHCP_MAX_CONFIG_SIZE);
}

function nic(w: XdrWriter, n: GuestNicV3): void {
  w.string(n.macAddress, LIMITS.NICINFO_MAC_LEN);
  w.array(n.ips, LIMITS.NICINFO_MAX_IPS, (w, ip) => {
    typedIp(w, ip.ipAddressAddr);
    w.u32(ip.ipAddressPrefixLength);
    w.optional(ip.ipAddressOrigin, (w, o) => w.i32(ORIGINS[o]));
    w.optional(ip.ipAddressStatus, (w, s) => w.i32(STATUSES[s]));
  });
  w.optional(n.dnsConfigInfo, dns);
  w.optional(n.winsConfigInfo, () => undefined);
  w.optional(n.dhcpConfigInfov4, dhcp);
  w.optional(n.dhcpConfigInfov6, dhcp);
}

function route(w: XdrWriter, r: InetCidrRouteEntry): void {
  typedIp(w, r.inetCidrRouteDest);
  w.u32(r.inetCidrRoutePfxLen);
  w.optional(r.inetCidrRouteNextHop, typedIp);
  w.u32(r.inetCidrRouteIfIndex);
  w.i32(r.inetCidrRouteType);
  w.u32(r.inetCidrRouteMetric);
}

/** The XDR of GuestNicProto { ver = NIC_INFO_V3, nicInfoV3 = &info } as vmtoolsd sends it after "SetGuestInfo  10 ". */
export function encodeGuestNicProto(info: NicInfoV3): Uint8Array {
  const w = new XdrWriter();
  w.union(NIC_INFO_V3, (w) =>
    w.optional(info, (w, v) => {
      w.array(v.nics, LIMITS.NICINFO_MAX_NICS, nic);
      w.array(v.routes, LIMITS.NICINFO_MAX_ROUTES, route);
      w.optional(v.dnsConfigInfo, dns);
      w.optional(v.winsConfigInfo, () => undefined);
      w.optional(v.dhcpConfigInfov4, dhcp);
      w.optional(v.dhcpConfigInfov6, dhcp);
    }),
  );
  return w.bytes();
}
