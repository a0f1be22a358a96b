// This machine's facts for a report, read cheaply and without privileges:
// uname through node:os, /etc/os-release, /proc/uptime, the interfaces from
// /sys/class/net (so that a NIC without an address is seen too) with their
// addresses from the system's getifaddrs() (node:os), IPv6 address flags from
// /proc/net/if_inet6, routes from /proc/net/route and /proc/net/ipv6_route,
// the resolver's configuration from /etc/resolv.conf. Nothing here throws:
// what cannot be read is null or empty.
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { hostname, machine, networkInterfaces, release, type as ostype, uptime } from 'node:os';
import { join } from 'node:path';
import { ipBytes, type AddressFact, type InterfaceFact, type NetFacts, type Origin, type Status } from './nicinfo.js';
import type { OsFacts } from './identity.js';

const read = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

export function osFacts(): OsFacts {
  return { sysname: ostype(), release: release(), machine: machine(), osRelease: read('/etc/os-release') ?? read('/usr/lib/os-release') };
}

/** /proc/uptime's text, or the system's uptime in seconds where there is no /proc. */
export const uptimeText = (): string => read('/proc/uptime') ?? String(uptime());

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
// include/uapi/linux/if_addr.h
const IFA_F_TEMPORARY = 0x01;
const IFA_F_DADFAILED = 0x08;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;
const IFA_F_PERMANENT = 0x80;

/** What the kernel's IPv6 address flags say cheaply: status, and origin where it is certain (privacy: random; link-local: link layer; configured by hand: manual). */
export function ipv6Flags(address: Uint8Array | null, flags: number): { status: Status; origin?: Origin } {
  const status: Status = flags & IFA_F_DADFAILED ? 'IAS_DUPLICATE' : flags & IFA_F_TENTATIVE ? 'IAS_TENTATIVE' : flags & IFA_F_DEPRECATED ? 'IAS_DEPRECATED' : 'IAS_PREFERRED';
  const linkLocal = address !== null && address[0] === 0xfe && (address[1]! & 0xc0) === 0x80;
  const origin: Origin | undefined = flags & IFA_F_TEMPORARY ? 'IAO_RANDOM' : linkLocal ? 'IAO_LINKLAYER' : flags & IFA_F_PERMANENT ? 'IAO_MANUAL' : undefined;
  return origin ? { status, origin } : { status };
}

/** /proc/net/if_inet6: "address(32 hex) ifindex prefix scope flags name" -> flags by address (32 hex digits, lower case). */
function inet6Flags(text: string | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 6 && /^[0-9a-f]{32}$/i.test(f[0]!)) out.set(f[0]!.toLowerCase(), parseInt(f[4]!, 16));
  }
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The interfaces in index order, with their addresses; from sysfs where there is one, else from getifaddrs() alone. */
export function interfaceFacts(sys = '/sys/class/net', ifaddrs = networkInterfaces(), ifInet6 = read('/proc/net/if_inet6')): InterfaceFact[] {
  const flags6 = inet6Flags(ifInet6);
  // getifaddrs() names alias addresses by label (eth0:1): they belong to eth0
  const byDevice = new Map<string, AddressFact[]>();
  for (const [label, addrs] of Object.entries(ifaddrs)) {
    const dev = label.split(':')[0]!;
    const list = byDevice.get(dev) ?? [];
    for (const a of addrs ?? []) {
      const prefix = Number(a.cidr?.split('/')[1]);
      const fact: AddressFact = { address: a.address, prefixLength: Number.isInteger(prefix) ? prefix : a.family === 'IPv4' ? 32 : 128 };
      if (a.family === 'IPv6') {
        const bytes = ipBytes(a.address);
        const f = bytes ? flags6.get(hex(bytes)) : undefined;
        if (f !== undefined) Object.assign(fact, ipv6Flags(bytes, f));
      }
      list.push(fact);
    }
    byDevice.set(dev, list);
  }
  let names: string[] | null = null;
  try {
    names = readdirSync(sys);
  } catch {
    names = null;
  }
  if (names === null) {
    // no sysfs (BSD): what getifaddrs() shows, up by definition of having an address
    return [...byDevice.entries()].map(([name, addresses]) => {
      const any = ifaddrs[name]?.[0];
      const mac = any && any.mac !== '00:00:00:00:00:00' ? any.mac : null;
      return { name, mac, up: true, loopback: !!any?.internal || name.startsWith('lo'), ethernet: mac !== null, addresses };
    });
  }
  const rows = names.map((name) => {
    const attr = (a: string) => read(join(sys, name, a))?.trim() ?? '';
    const flags = parseInt(attr('flags'), 16) || 0;
    const type = Number(attr('type'));
    const mac = attr('address') || null;
    const iface: InterfaceFact = {
      name,
      mac,
      up: (flags & IFF_UP) !== 0,
      loopback: (flags & IFF_LOOPBACK) !== 0 || type === ARPHRD_LOOPBACK,
      ethernet: type === ARPHRD_ETHER && mac !== null && Number(attr('addr_len') || 6) === 6,
      addresses: byDevice.get(name) ?? [],
    };
    return { index: Number(attr('ifindex')) || Number.MAX_SAFE_INTEGER, iface };
  });
  return rows.sort((a, b) => a.index - b.index).map((r) => r.iface);
}

/** The resolver's file and, when it is systemd-resolved's stub, the file with the real servers (as vmtoolsd's RecordResolverNS looks). */
function resolver(): { resolvConf: string | null; resolvedConf: string | null } {
  const resolvConf = read('/etc/resolv.conf');
  let resolvedConf: string | null = null;
  try {
    if (realpathSync('/etc/resolv.conf') === '/run/systemd/resolve/stub-resolv.conf') resolvedConf = read('/run/systemd/resolve/resolv.conf');
  } catch {
    // no /etc/resolv.conf
  }
  return { resolvConf, resolvedConf };
}

export function netFacts(): NetFacts {
  return { hostname: hostname(), interfaces: interfaceFacts(), routeV4: read('/proc/net/route'), routeV6: read('/proc/net/ipv6_route'), ...resolver() };
}
