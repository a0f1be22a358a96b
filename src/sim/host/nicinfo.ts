// NicInfo, host side: the GuestNicProto union a guest sends as the value of
// `SetGuestInfo  10` (INFO_IPADDRESS_V3; `9`, INFO_IPADDRESS_V2, carries the
// same union with at most 64 addresses per NIC). Decoded from the XDR as
// open-vm-tools' lib/guestRpc/nicinfo.x defines it, with its limits; field
// names are nicinfo.x's, addresses rendered as text. Only NIC_INFO_V3 is
// decoded: a NIC_INFO_V2 union (GuestNicList) is refused with a reason.
import { XdrError, XdrReader } from './xdr.js';

export const NIC_INFO_V2 = 2;
export const NIC_INFO_V3 = 3;
export const NICINFO_MAX_NICS = 16;
export const NICINFO_MAX_IPS = 2048;
export const NICINFO_MAC_LEN = 18;
export const NICINFO_MAX_ROUTES = 100;
export const INET_ADDRESS_MAX_LEN = 255;
export const DNSINFO_MAX_ADDRLEN = 255;
export const DNSINFO_MAX_SUFFIXES = 10;
export const DNSINFO_MAX_SERVERS = 16;
export const DHCP_MAX_CONFIG_SIZE = 16384;

/** InetAddressType */
export const IAT = { UNKNOWN: 0, IPV4: 1, IPV6: 2, IPV4Z: 3, IPV6Z: 4, DNS: 16 } as const;

export interface TypedIpAddress {
  ipAddressAddrType: number;
  /** dotted quad, RFC 5952 IPv6, "addr%zone" for the Z types, the name for IAT_DNS, "" for IAT_UNKNOWN */
  ipAddressAddr: string;
}
export interface IpAddressEntry {
  ipAddressAddr: TypedIpAddress;
  ipAddressPrefixLength: number;
  ipAddressOrigin: number | null;
  ipAddressStatus: number | null;
}
export interface DnsConfigInfo {
  hostName: string | null;
  domainName: string | null;
  serverList: TypedIpAddress[];
  searchSuffixes: string[];
}
export interface WinsConfigInfo {
  primary: TypedIpAddress;
  secondary: TypedIpAddress;
}
export interface DhcpConfigInfo {
  enabled: boolean;
  dhcpSettings: string;
}
export interface GuestNicV3 {
  macAddress: string;
  ips: IpAddressEntry[];
  dnsConfigInfo: DnsConfigInfo | null;
  winsConfigInfo: WinsConfigInfo | null;
  dhcpConfigInfov4: DhcpConfigInfo | null;
  dhcpConfigInfov6: DhcpConfigInfo | null;
}
export interface InetCidrRouteEntry {
  inetCidrRouteDest: TypedIpAddress;
  inetCidrRoutePfxLen: number;
  inetCidrRouteNextHop: TypedIpAddress | null;
  /** an index into nics */
  inetCidrRouteIfIndex: number;
  inetCidrRouteType: number;
  /** 0xFFFFFFFF = unused */
  inetCidrRouteMetric: number;
}
export interface NicInfoV3 {
  nics: GuestNicV3[];
  routes: InetCidrRouteEntry[];
  dnsConfigInfo: DnsConfigInfo | null;
  winsConfigInfo: WinsConfigInfo | null;
  dhcpConfigInfov4: DhcpConfigInfo | null;
  dhcpConfigInfov6: DhcpConfigInfo | null;
}

/** The bytes after "SetGuestInfo  10 " -> NicInfoV3, or a reason. `trailing`: bytes left after the union (the sim ignores them). */
export function decodeGuestNicProto(bytes: Uint8Array): { ok: true; nicInfo: NicInfoV3; trailing: number } | { ok: false; reason: string } {
  const r = new XdrReader(bytes);
  try {
    const ver = r.enum('ver');
    if (ver === NIC_INFO_V2) return { ok: false, reason: 'NIC_INFO_V2 (GuestNicList): the sim decodes NIC_INFO_V3 only' };
    if (ver !== NIC_INFO_V3) return { ok: false, reason: `ver: ${ver} is not a NicInfoVersion the union has (2, 3)` };
    const nicInfo = r.optional('nicInfoV3', nicInfoV3);
    if (nicInfo === null) return { ok: false, reason: 'nicInfoV3: absent (a NULL pointer)' };
    return { ok: true, nicInfo, trailing: r.remaining };
  } catch (e) {
    if (e instanceof XdrError) return { ok: false, reason: e.message };
    throw e;
  }
}

function nicInfoV3(r: XdrReader, what: string): NicInfoV3 {
  const nics = r.array(NICINFO_MAX_NICS, `${what}.nics`, guestNicV3);
  const routes = r.array(NICINFO_MAX_ROUTES, `${what}.routes`, route);
  const out: NicInfoV3 = { nics, routes, ...configs(r, what) };
  for (const [i, rt] of routes.entries()) {
    if (rt.inetCidrRouteIfIndex >= nics.length) throw new XdrError(`${what}.routes[${i}].inetCidrRouteIfIndex: ${rt.inetCidrRouteIfIndex} names no NIC (${nics.length} sent)`);
  }
  return out;
}

function guestNicV3(r: XdrReader, what: string): GuestNicV3 {
  const macAddress = r.string(NICINFO_MAC_LEN, `${what}.macAddress`);
  const ips = r.array(NICINFO_MAX_IPS, `${what}.ips`, ipAddressEntry);
  return { macAddress, ips, ...configs(r, what) };
}

/** The four optional configurations GuestNicV3 and NicInfoV3 both end with. */
function configs(r: XdrReader, what: string) {
  return {
    dnsConfigInfo: r.optional(`${what}.dnsConfigInfo`, dnsConfigInfo),
    winsConfigInfo: r.optional(`${what}.winsConfigInfo`, (x, w) => ({ primary: typedIpAddress(x, `${w}.primary`), secondary: typedIpAddress(x, `${w}.secondary`) })),
    dhcpConfigInfov4: r.optional(`${what}.dhcpConfigInfov4`, dhcpConfigInfo),
    dhcpConfigInfov6: r.optional(`${what}.dhcpConfigInfov6`, dhcpConfigInfo),
  };
}

function ipAddressEntry(r: XdrReader, what: string): IpAddressEntry {
  return {
    ipAddressAddr: typedIpAddress(r, `${what}.ipAddressAddr`),
    ipAddressPrefixLength: r.uint32(`${what}.ipAddressPrefixLength`),
    ipAddressOrigin: r.optional(`${what}.ipAddressOrigin`, (x, w) => x.enum(w)),
    ipAddressStatus: r.optional(`${what}.ipAddressStatus`, (x, w) => x.enum(w)),
  };
}

function route(r: XdrReader, what: string): InetCidrRouteEntry {
  return {
    inetCidrRouteDest: typedIpAddress(r, `${what}.inetCidrRouteDest`),
    inetCidrRoutePfxLen: r.uint32(`${what}.inetCidrRoutePfxLen`),
    inetCidrRouteNextHop: r.optional(`${what}.inetCidrRouteNextHop`, typedIpAddress),
    inetCidrRouteIfIndex: r.uint32(`${what}.inetCidrRouteIfIndex`),
    inetCidrRouteType: r.enum(`${what}.inetCidrRouteType`),
    inetCidrRouteMetric: r.uint32(`${what}.inetCidrRouteMetric`),
  };
}

function dnsConfigInfo(r: XdrReader, what: string): DnsConfigInfo {
  return {
    hostName: r.optional(`${what}.hostName`, (x, w) => x.string(DNSINFO_MAX_ADDRLEN, w)),
    domainName: r.optional(`${what}.domainName`, (x, w) => x.string(DNSINFO_MAX_ADDRLEN, w)),
    serverList: r.array(DNSINFO_MAX_SERVERS, `${what}.serverList`, typedIpAddress),
    searchSuffixes: r.array(DNSINFO_MAX_SUFFIXES, `${what}.searchSuffixes`, (x, w) => x.string(DNSINFO_MAX_ADDRLEN, w)),
  };
}

function dhcpConfigInfo(r: XdrReader, what: string): DhcpConfigInfo {
  return { enabled: r.bool(`${what}.enabled`), dhcpSettings: r.string(DHCP_MAX_CONFIG_SIZE, `${what}.dhcpSettings`) };
}

/** The address's size for each type (IAT_DNS: any; IAT_UNKNOWN: none). */
const SIZES: Record<number, number> = { [IAT.IPV4]: 4, [IAT.IPV6]: 16, [IAT.IPV4Z]: 8, [IAT.IPV6Z]: 20 };

function typedIpAddress(r: XdrReader, what: string): TypedIpAddress {
  const type = r.enum(`${what}.ipAddressAddrType`);
  const at = r.offset;
  const addr = r.opaque(INET_ADDRESS_MAX_LEN, `${what}.ipAddressAddr`);
  const bad = (problem: string): never => {
    throw new XdrError(`${what}.ipAddressAddr: ${problem} at byte ${at}`);
  };
  if (type === IAT.DNS) return { ipAddressAddrType: type, ipAddressAddr: new TextDecoder().decode(addr) };
  if (type === IAT.UNKNOWN) return addr.length === 0 ? { ipAddressAddrType: type, ipAddressAddr: '' } : bad(`${addr.length} bytes for IAT_UNKNOWN`);
  const size = SIZES[type];
  if (size === undefined) bad(`type ${type} is not an InetAddressType`);
  if (addr.length !== size) bad(`${addr.length} bytes for a type ${type} address (${size} expected)`);
  const v4 = type === IAT.IPV4 || type === IAT.IPV4Z;
  const text = v4 ? formatIpv4(addr.subarray(0, 4)) : formatIpv6(addr.subarray(0, 16));
  const zone = size === 8 || size === 20 ? `%${Buffer.from(addr).readUInt32BE(size - 4)}` : '';
  return { ipAddressAddrType: type, ipAddressAddr: text + zone };
}

export const formatIpv4 = (b: Uint8Array): string => [...b].join('.');

/** RFC 5952: lowercase, no leading zeros, the first longest run of two or more zero groups as "::". */
export function formatIpv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}
