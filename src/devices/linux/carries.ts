// What a PCI device carries, from sysfs and /proc: its network interfaces (with
// their addresses and whether one holds a default route) and its SCSI hosts
// (with their disks, partitions, what is mounted from them and swap on them).
// Everything that reads is given the Roots, so tests use fake trees.
import { basename } from 'node:path';
import { list, procPath, readText, sysPath, type Roots } from '../roots.js';

export interface NetIface {
  name: string;
  addresses: string[];
  /** an IPv4 or IPv6 default route leaves through it */
  defaultRoute: boolean;
}

export interface Mount {
  source: string;
  target: string;
  type: string;
}

export interface Disk {
  name: string;
  partitions: string[];
  mounts: Mount[];
  /** swap areas on the disk or its partitions */
  swap: string[];
}

export interface ScsiHost {
  name: string;
  disks: Disk[];
}

/** The interfaces that hold a default route (/proc/net/route, /proc/net/ipv6_route). */
export function defaultRouteIfaces(r: Roots): Set<string> {
  const out = new Set<string>();
  for (const line of (readText(procPath(r, 'net/route')) ?? '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/); // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    if (f.length >= 8 && f[1] === '00000000' && f[7] === '00000000') out.add(f[0]!);
  }
  for (const line of (readText(procPath(r, 'net/ipv6_route')) ?? '').split('\n')) {
    const f = line.trim().split(/\s+/); // dest plen src splen nexthop metric refcnt use flags iface
    if (f.length >= 10 && /^0{32}$/.test(f[0]!) && f[1] === '00' && f[9] !== 'lo') out.add(f[9]!);
  }
  return out;
}

/** Mounted filesystems (/proc/mounts); octal escapes in paths decoded. */
export function mounts(r: Roots): Mount[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  return (readText(procPath(r, 'mounts')) ?? '')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length >= 3)
    .map(([source, target, type]) => ({ source: unescape(source!), target: unescape(target!), type: type! }));
}

/** Active swap areas (/proc/swaps). */
export function swaps(r: Roots): string[] {
  return (readText(procPath(r, 'swaps')) ?? '')
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0]!)
    .filter(Boolean);
}

/** The block devices built on name: its partitions and, recursively, what holds them (LVM, dm-crypt, md). */
function stack(r: Roots, name: string): { partitions: string[]; names: Set<string>; dmNames: Set<string> } {
  const partitions = list(sysPath(r, 'block', name)).filter((p) => readText(sysPath(r, 'block', name, p, 'partition')) !== null);
  const names = new Set<string>();
  const dmNames = new Set<string>();
  const visit = (n: string, dir: string) => {
    if (names.has(n)) return;
    names.add(n);
    const dm = readText(sysPath(r, 'block', n, 'dm/name'));
    if (dm) dmNames.add(dm);
    for (const h of list(`${dir}/holders`)) visit(h, sysPath(r, 'block', h));
  };
  visit(name, sysPath(r, 'block', name));
  for (const p of partitions) visit(p, sysPath(r, 'block', name, p));
  return { partitions, names, dmNames };
}

const onStack = (source: string, s: { names: Set<string>; dmNames: Set<string> }) =>
  (source.startsWith('/dev/mapper/') && s.dmNames.has(source.slice('/dev/mapper/'.length))) || (source.startsWith('/dev/') && s.names.has(basename(source)));

export function disk(r: Roots, name: string, all: { mounts: Mount[]; swaps: string[] }): Disk {
  const s = stack(r, name);
  return { name, partitions: s.partitions, mounts: all.mounts.filter((m) => onStack(m.source, s)), swap: all.swaps.filter((w) => onStack(w, s)) };
}

/** The SCSI hosts under a PCI device, with the disks on each (host*\/target*\/H:C:T:L/block/*). */
export function scsiHosts(r: Roots, deviceDir: string): ScsiHost[] {
  const all = { mounts: mounts(r), swaps: swaps(r) };
  return list(deviceDir)
    .filter((h) => /^host\d+$/.test(h))
    .map((h) => {
      const disks: Disk[] = [];
      for (const t of list(`${deviceDir}/${h}`).filter((t) => t.startsWith('target'))) {
        for (const lun of list(`${deviceDir}/${h}/${t}`).filter((l) => /^\d+:\d+:\d+:\d+$/.test(l))) {
          for (const b of list(`${deviceDir}/${h}/${t}/${lun}/block`)) disks.push(disk(r, b, all));
        }
      }
      return { name: h, disks };
    });
}

/** The network interfaces under a PCI device (net/*). */
export function netIfaces(r: Roots, deviceDir: string, addresses: (iface: string) => string[], defaults: Set<string>): NetIface[] {
  return list(`${deviceDir}/net`).map((name) => ({ name, addresses: addresses(name), defaultRoute: defaults.has(name) }));
}
