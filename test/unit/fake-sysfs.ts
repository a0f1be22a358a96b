// Fake /sys and /proc trees for the device commands, laid out as the kernel
// lays them out (bus/pci/devices/ADDRESS with vendor, device, class, a driver
// symlink, net/IFACE, hostN/targetN:0:0/N:0:0:0/block/DISK; class/net/IFACE/device;
// block/DISK/PART/partition; bus/pci/drivers/DRIVER), and a fake kernel that
// answers the writes of unbind, bind, driver_override, drivers_probe, remove and
// rescan by changing the tree as Linux would.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Roots } from '../../src/devices/roots.js';

export interface FakeDisk {
  name: string;
  partitions?: string[];
}

export interface FakePci {
  address: string;
  vendor: number;
  device: number;
  subsystemVendor?: number;
  pciClass?: number;
  driver?: string | null;
  override?: string | null;
  net?: string[];
  scsi?: { host: string; disks: FakeDisk[] }[];
}

export interface FakeOptions {
  /** interfaces with an IPv4 default route */
  routes?: string[];
  /** interfaces with an IPv6 default route */
  routes6?: string[];
  /** /proc/mounts lines: [source, target, type] */
  mounts?: [string, string, string][];
  swaps?: string[];
  modules?: string[];
  /** drivers registered besides those the devices use */
  drivers?: string[];
}

const hex = (n: number, w = 4) => `0x${n.toString(16).padStart(w, '0')}`;

export function fakeTree(devs: FakePci[], opts: FakeOptions = {}): Roots & { devs: Map<string, FakePci> } {
  const base = mkdtempSync(join(tmpdir(), 'vmt-sysfs-'));
  const r = { sys: join(base, 'sys'), proc: join(base, 'proc'), run: join(base, 'run'), devs: new Map<string, FakePci>() };
  for (const d of ['bus/pci/devices', 'bus/pci/drivers', 'class/net', 'block', 'module']) mkdirSync(join(r.sys, d), { recursive: true });
  for (const f of ['bus/pci/rescan', 'bus/pci/drivers_probe']) writeFileSync(join(r.sys, f), '');
  mkdirSync(join(r.proc, 'net'), { recursive: true });
  mkdirSync(r.run);
  const drivers = new Set([...(opts.drivers ?? []), ...devs.map((d) => d.driver).filter((d): d is string => !!d)]);
  for (const drv of drivers) addDriver(r, drv);
  for (const d of devs) addDevice(r, d);
  for (const m of opts.modules ?? []) mkdirSync(join(r.sys, 'module', m, 'parameters'), { recursive: true });
  const route = ['Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT', ...(opts.routes ?? []).map((i) => `${i}\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0`), 'lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0'];
  writeFileSync(join(r.proc, 'net/route'), `${route.join('\n')}\n`);
  const z = '0'.repeat(32);
  writeFileSync(join(r.proc, 'net/ipv6_route'), (opts.routes6 ?? []).map((i) => `${z} 00 ${z} 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 ${i}\n`).join(''));
  writeFileSync(join(r.proc, 'mounts'), ['sysfs /sys sysfs rw 0 0', ...(opts.mounts ?? []).map(([s, t, ty]) => `${s} ${t.replace(/ /g, '\\040')} ${ty} rw 0 0`)].join('\n') + '\n');
  writeFileSync(join(r.proc, 'swaps'), ['Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority', ...(opts.swaps ?? []).map((s) => `${s}                               partition\t1048572\t\t0\t\t-2`)].join('\n') + '\n');
  return r;
}

function addDriver(r: Roots, drv: string): void {
  const dir = join(r.sys, 'bus/pci/drivers', drv);
  mkdirSync(dir, { recursive: true });
  for (const f of ['bind', 'unbind', 'new_id']) writeFileSync(join(dir, f), '');
}

function addDevice(r: Roots & { devs: Map<string, FakePci> }, d: FakePci): void {
  r.devs.set(d.address, d);
  const dir = join(r.sys, 'bus/pci/devices', d.address);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vendor'), `${hex(d.vendor)}\n`);
  writeFileSync(join(dir, 'device'), `${hex(d.device)}\n`);
  writeFileSync(join(dir, 'subsystem_vendor'), `${hex(d.subsystemVendor ?? d.vendor)}\n`);
  writeFileSync(join(dir, 'class'), `${hex(d.pciClass ?? 0x020000, 6)}\n`);
  writeFileSync(join(dir, 'driver_override'), `${d.override ?? '(null)'}\n`);
  writeFileSync(join(dir, 'remove'), '');
  if (d.driver) bindTo(r, d.address, d.driver);
}

/** What the driver creates when it binds: the driver link, its interfaces, SCSI hosts and disks. */
function bindTo(r: Roots & { devs: Map<string, FakePci> }, address: string, drv: string): void {
  const d = r.devs.get(address)!;
  const dir = join(r.sys, 'bus/pci/devices', address);
  symlinkSync(`../../drivers/${drv}`, join(dir, 'driver'));
  for (const n of d.net ?? []) {
    mkdirSync(join(dir, 'net', n), { recursive: true });
    mkdirSync(join(r.sys, 'class/net', n), { recursive: true });
    symlinkSync(`../../../bus/pci/devices/${address}`, join(r.sys, 'class/net', n, 'device'));
  }
  (d.scsi ?? []).forEach((h, hi) => {
    for (const [i, k] of h.disks.entries()) {
      const lun = `${hi}:0:${i}:0`;
      mkdirSync(join(dir, h.host, `target${hi}:0:${i}`, lun, 'block', k.name), { recursive: true });
      mkdirSync(join(r.sys, 'block', k.name, 'holders'), { recursive: true });
      for (const p of k.partitions ?? []) {
        mkdirSync(join(r.sys, 'block', k.name, p, 'holders'), { recursive: true });
        writeFileSync(join(r.sys, 'block', k.name, p, 'partition'), `${p.replace(/^\D+/, '')}\n`);
      }
    }
  });
}

function unbind(r: Roots & { devs: Map<string, FakePci> }, address: string): void {
  const d = r.devs.get(address)!;
  const dir = join(r.sys, 'bus/pci/devices', address);
  unlinkSync(join(dir, 'driver'));
  for (const n of d.net ?? []) {
    rmSync(join(dir, 'net', n), { recursive: true, force: true });
    rmSync(join(r.sys, 'class/net', n), { recursive: true, force: true });
  }
  for (const h of d.scsi ?? []) {
    rmSync(join(dir, h.host), { recursive: true, force: true });
    for (const k of h.disks) rmSync(join(r.sys, 'block', k.name), { recursive: true, force: true });
  }
}

const boundTo = (r: Roots, address: string): string | null => {
  try {
    return basename(readlinkSync(join(r.sys, 'bus/pci/devices', address, 'driver')));
  } catch {
    return null;
  }
};

/** A kernel for the fake tree: errors as Linux gives them (ENODEV, EBUSY, ENOENT); `refuse` makes chosen writes fail. */
export function fakeKernel(r: Roots & { devs: Map<string, FakePci> }, refuse: (path: string, value: string) => string | null = () => null): (path: string, value: string) => void {
  const removed = new Map<string, FakePci>();
  const fail = (code: string) => {
    throw Object.assign(new Error(code), { code });
  };
  const usual = (d: FakePci) => (d.device === 0x07b0 ? 'vmxnet3' : d.device === 0x07c0 ? 'vmw_pvscsi' : d.device === 0x0740 ? 'vmw_vmci' : null);
  const override = (a: string) => {
    const o = readFileSync(join(r.sys, 'bus/pci/devices', a, 'driver_override'), 'utf8').trim();
    return o && o !== '(null)' ? o : null;
  };
  const probe = (a: string) => {
    const d = r.devs.get(a)!;
    const drv = override(a) ?? usual(d);
    if (drv && existsSync(join(r.sys, 'bus/pci/drivers', drv)) && !boundTo(r, a)) bindTo(r, a, drv);
  };
  return (path, value) => {
    const why = refuse(path, value);
    if (why) fail(why);
    const rel = path.slice(r.sys.length + 1);
    let m: RegExpExecArray | null;
    if ((m = /^bus\/pci\/drivers\/([^/]+)\/(bind|unbind)$/.exec(rel))) {
      const a = value.trim();
      if (!r.devs.has(a) || removed.has(a)) fail('ENODEV');
      if (m[2] === 'unbind') return boundTo(r, a) === m[1] ? unbind(r, a) : fail('ENODEV');
      if (boundTo(r, a)) fail('EBUSY');
      return bindTo(r, a, m[1]!);
    }
    if ((m = /^bus\/pci\/devices\/([^/]+)\/(remove|driver_override)$/.exec(rel))) {
      if (m[2] === 'driver_override') return writeFileSync(path, `${value.trim() || '(null)'}\n`);
      if (boundTo(r, m[1]!)) unbind(r, m[1]!);
      removed.set(m[1]!, r.devs.get(m[1]!)!);
      return rmSync(dirname(path), { recursive: true });
    }
    if (rel === 'bus/pci/drivers_probe') return probe(value.trim());
    if (rel === 'bus/pci/rescan') {
      for (const [a, d] of removed) {
        removed.delete(a);
        addDevice(r, { ...d, driver: null, override: null });
        probe(a);
      }
      return;
    }
    fail('ENOENT');
  };
}
