// The sim as vCenter sees the guest: every `SetGuestInfo` decoded into a view
// shaped like the vSphere API's VirtualMachine.guest (GuestInfo), with its
// field names, plus uptimeSeconds (vSphere keeps it in quickStats). A field is
// absent until the guest reports it, as in vSphere. Each report is a
// transcript entry `{"t":"guestinfo"}` with the decoded value, or the reason
// it could not be decoded (the view is then unchanged).
//
// The sim's choices where vSphere's are not written down: ipAddress is the
// first IPv4 address of the first NIC that has one (NICs in the order the
// guest sent them), else the first IPv6 address that is not link-local;
// deviceConfigId is -1 (the sim has no virtual NICs to match MACs against);
// connected is true; network (a port group) is absent.
import { vimGuestId } from './guest-ids.js';
import { IAT, type DhcpConfigInfo, type DnsConfigInfo, type NicInfoV3, type TypedIpAddress } from './nicinfo.js';
import { decodeSetGuestInfo, GUEST_INFO_TYPES, type Decoded } from './setguestinfo.js';
import type { TranscriptSink } from './transcript.js';

export interface NetIpConfigInfoIpAddress {
  ipAddress: string;
  prefixLength: number;
  /** other, manual, dhcp, linklayer, random */
  origin?: string;
  /** preferred, deprecated, invalid, inaccessible, unknown, tentative, duplicate */
  state?: string;
}
export interface NetDhcpConfigInfo {
  ipv4?: { enable: boolean };
  ipv6?: { enable: boolean };
}
export interface NetDnsConfigInfo {
  dhcp: boolean;
  hostName: string;
  domainName: string;
  ipAddress: string[];
  searchDomain: string[];
}
export interface GuestNicInfo {
  ipAddress: string[];
  macAddress: string;
  connected: boolean;
  deviceConfigId: number;
  dnsConfig?: NetDnsConfigInfo;
  ipConfig: { ipAddress: NetIpConfigInfoIpAddress[]; dhcp?: NetDhcpConfigInfo };
}
export interface NetIpRouteConfigInfoIpRoute {
  network: string;
  prefixLength: number;
  /** device: the index of the NIC in net, as text */
  gateway: { ipAddress?: string; device: string };
}
export interface GuestStackInfo {
  dnsConfig?: NetDnsConfigInfo;
  ipRouteConfig: { ipRoute: NetIpRouteConfigInfoIpRoute[] };
  dhcpConfig?: NetDhcpConfigInfo;
}
export interface GuestDiskInfo {
  diskPath: string;
  capacity: number;
  freeSpace: number;
}
export interface GuestInfo {
  guestId?: string;
  guestFullName?: string;
  hostName?: string;
  ipAddress?: string;
  net?: GuestNicInfo[];
  ipStack?: GuestStackInfo[];
  disk?: GuestDiskInfo[];
  guestDetailedData?: string;
  uptimeSeconds?: number;
}

const ORIGINS: Record<number, string> = { 1: 'other', 2: 'manual', 4: 'dhcp', 5: 'linklayer', 6: 'random' };
const STATES: Record<number, string> = { 1: 'preferred', 2: 'deprecated', 3: 'invalid', 4: 'inaccessible', 5: 'unknown', 6: 'tentative', 7: 'duplicate' };
const FIELDS: (keyof GuestInfo)[] = ['guestId', 'guestFullName', 'hostName', 'ipAddress', 'net', 'ipStack', 'disk', 'guestDetailedData', 'uptimeSeconds'];

export class HostView {
  private info: GuestInfo = {};
  /** called with the view after a report changed it */
  onChange?: (view: GuestInfo) => void;

  constructor(private readonly emit: TranscriptSink) {}

  /** The bytes after "SetGuestInfo", as the guest sent them (a trailing NUL included). */
  report(args: Uint8Array): void {
    const d = decodeSetGuestInfo(args);
    const name = d.key !== null && d.key >= 0 && d.key < GUEST_INFO_TYPES.length ? GUEST_INFO_TYPES[d.key] : undefined;
    const head = { t: 'guestinfo' as const, key: d.key, ...(name ? { name } : {}) };
    if (!d.ok) {
      this.emit({ ...head, error: d.reason });
      return;
    }
    this.emit({ ...head, value: d.value, ...('trailing' in d && d.trailing > 0 ? { trailing: d.trailing } : {}) });
    const before = JSON.stringify(this.toJSON());
    this.apply(d);
    if (JSON.stringify(this.toJSON()) !== before) this.onChange?.(this.toJSON());
  }

  /** The view, fields in a fixed order. */
  toJSON(): GuestInfo {
    const out: Record<string, unknown> = {};
    for (const f of FIELDS) if (this.info[f] !== undefined) out[f] = this.info[f];
    return structuredClone(out) as GuestInfo;
  }

  private apply(d: Decoded & { ok: true }): void {
    const info = this.info;
    switch (d.key) {
      case 1:
        info.hostName = d.value;
        break;
      case 5:
        info.guestFullName = d.value;
        break;
      case 6:
        info.guestId = vimGuestId(d.value);
        break;
      case 7:
        info.uptimeSeconds = Math.floor(d.value / 100);
        break;
      case 3:
        info.disk = d.value.map((p) => ({ diskPath: p.name, capacity: p.totalBytes, freeSpace: p.freeBytes }));
        break;
      case 9:
      case 10:
        Object.assign(info, network(d.value));
        break;
      case 11:
        info.guestId = vimGuestId(d.value.shortName);
        info.guestFullName = d.value.fullName;
        info.guestDetailedData = d.value.detailedData;
        break;
      default: // 4, the tools' build number: not part of GuestInfo
    }
  }
}

const isV4 = (a: TypedIpAddress) => a.ipAddressAddrType === IAT.IPV4;
const isV6 = (a: TypedIpAddress) => a.ipAddressAddrType === IAT.IPV6;

/** net, ipStack and ipAddress from a NicInfoV3. */
function network(n: NicInfoV3): Pick<GuestInfo, 'net' | 'ipStack' | 'ipAddress'> {
  const net: GuestNicInfo[] = n.nics.map((nic) => {
    const dhcp = dhcpConfig(nic.dhcpConfigInfov4, nic.dhcpConfigInfov6);
    return {
      ipAddress: nic.ips.map((ip) => ip.ipAddressAddr.ipAddressAddr),
      macAddress: nic.macAddress,
      connected: true,
      deviceConfigId: -1,
      ...(nic.dnsConfigInfo ? { dnsConfig: dnsConfig(nic.dnsConfigInfo) } : {}),
      ipConfig: {
        ipAddress: nic.ips.map((ip) => ({
          ipAddress: ip.ipAddressAddr.ipAddressAddr,
          prefixLength: ip.ipAddressPrefixLength,
          ...(ip.ipAddressOrigin !== null && ORIGINS[ip.ipAddressOrigin] ? { origin: ORIGINS[ip.ipAddressOrigin] } : {}),
          ...(ip.ipAddressStatus !== null && STATES[ip.ipAddressStatus] ? { state: STATES[ip.ipAddressStatus] } : {}),
        })),
        ...(dhcp ? { dhcp } : {}),
      },
    };
  });
  const stackDhcp = dhcpConfig(n.dhcpConfigInfov4, n.dhcpConfigInfov6);
  const stack: GuestStackInfo = {
    ...(n.dnsConfigInfo ? { dnsConfig: dnsConfig(n.dnsConfigInfo) } : {}),
    ipRouteConfig: {
      ipRoute: n.routes.map((r) => ({
        network: r.inetCidrRouteDest.ipAddressAddr,
        prefixLength: r.inetCidrRoutePfxLen,
        gateway: { ...(r.inetCidrRouteNextHop ? { ipAddress: r.inetCidrRouteNextHop.ipAddressAddr } : {}), device: String(r.inetCidrRouteIfIndex) },
      })),
    },
    ...(stackDhcp ? { dhcpConfig: stackDhcp } : {}),
  };
  const all = n.nics.flatMap((nic) => nic.ips.map((ip) => ip.ipAddressAddr));
  const primary = all.find(isV4) ?? all.find((a) => isV6(a) && !/^fe[89ab]/i.test(a.ipAddressAddr));
  return { net, ipStack: [stack], ipAddress: primary?.ipAddressAddr };
}

function dnsConfig(d: DnsConfigInfo): NetDnsConfigInfo {
  return { dhcp: false, hostName: d.hostName ?? '', domainName: d.domainName ?? '', ipAddress: d.serverList.map((s) => s.ipAddressAddr), searchDomain: d.searchSuffixes };
}

function dhcpConfig(v4: DhcpConfigInfo | null, v6: DhcpConfigInfo | null): NetDhcpConfigInfo | undefined {
  if (!v4 && !v6) return undefined;
  return { ...(v4 ? { ipv4: { enable: v4.enabled } } : {}), ...(v6 ? { ipv6: { enable: v6.enabled } } : {}) };
}
