// Detach and attach on Linux: what to write where in sysfs (the plan, which
// --dry-run prints), the guard rails, and carrying a plan out with a check of
// the result. A detach that fails part-way puts back what it had already done.
import { existsSync, writeFileSync } from 'node:fs';
import { nameOfId } from '../pci-ids.js';
import { sysPath, type Roots } from '../roots.js';
import { PCI_DEVICES, PCI_DRIVERS, pciDevice, type PciDevice } from './pci.js';
import type { DetachRecord, Records } from './records.js';
import type { Named } from './resolve.js';

export interface Write {
  path: string;
  value: string;
}

export interface Action {
  address: string;
  id: string;
  name: string;
  /** the driver it leaves (detach) or is bound to (attach) */
  driver: string;
  how: 'unbind' | 'remove' | 'bind' | 'rescan';
  writes: Write[];
  /** the record a detach leaves for attach */
  record?: DetachRecord;
}

export interface Plan {
  actions: Action[];
  /** already in the state asked for */
  already: string[];
  /** refused by a guard rail (--force overrides) */
  refused: string[];
}

/** Why detaching dev would cut this machine off: its default route, mounted filesystems, swap. */
export function inUse(dev: PciDevice): string[] {
  const why: string[] = [];
  for (const n of dev.net) if (n.defaultRoute) why.push(`${n.name} holds the default route`);
  for (const d of dev.scsi.flatMap((h) => h.disks)) {
    for (const m of d.mounts) why.push(`${m.source} is mounted on ${m.target}`);
    for (const s of d.swap) why.push(`${s} is in use as swap`);
  }
  return why;
}

const describe = (dev: PciDevice) => `${dev.address} (${dev.name}${dev.net.length ? `; ${dev.net.map((n) => n.name).join(', ')}` : ''})`;

export function planDetach(r: Roots, named: Named[], opts: { rescan: boolean; force: boolean }): Plan {
  const plan: Plan = { actions: [], already: [], refused: [] };
  for (const { address, dev } of named) {
    if (!dev) {
      plan.already.push(`${address} is already detached (removed from the bus)`);
      continue;
    }
    if (!dev.driver && !opts.rescan) {
      plan.already.push(`${describe(dev)} is already detached (no driver bound)`);
      continue;
    }
    const why = inUse(dev);
    if (why.length && !opts.force) {
      plan.refused.push(`${describe(dev)}: ${why.join('; ')}`);
      continue;
    }
    const driver = dev.driver ?? dev.driverOverride ?? dev.usualDriver ?? '';
    const record: DetachRecord = { driver, id: dev.id, how: opts.rescan ? 'remove' : 'unbind', driverOverride: dev.driverOverride, net: dev.net.map((n) => n.name), at: new Date().toISOString() };
    const writes = opts.rescan ? [{ path: sysPath(r, PCI_DEVICES, address, 'remove'), value: '1' }] : [{ path: sysPath(r, PCI_DRIVERS, dev.driver!, 'unbind'), value: address }];
    plan.actions.push({ address, id: dev.id, name: dev.name, driver, how: record.how, writes, record });
  }
  return plan;
}

/** The writes that bind a present, unbound device to driver (driver_override when a plain probe could pick another). */
function bindWrites(r: Roots, dev: PciDevice, driver: string): Write[] {
  if (dev.driverOverride === driver || (!dev.driverOverride && driver === dev.usualDriver)) {
    return existsSync(sysPath(r, PCI_DRIVERS, driver)) ? [{ path: sysPath(r, PCI_DRIVERS, driver, 'bind'), value: dev.address }] : [];
  }
  const override = sysPath(r, PCI_DEVICES, dev.address, 'driver_override');
  return [
    { path: override, value: driver },
    { path: sysPath(r, 'bus/pci/drivers_probe'), value: dev.address },
    ...(dev.driverOverride ? [] : [{ path: override, value: '\n' }]), // as it was: no override
  ];
}

export class DriverMissing extends Error {}

export function planAttach(r: Roots, named: Named[], records: Records, opts: { rescan: boolean }): Plan {
  const plan: Plan = { actions: [], already: [], refused: [] };
  const rescan = { path: sysPath(r, 'bus/pci/rescan'), value: '1' };
  for (const { address, dev } of named) {
    const rec = records[address];
    if (dev?.driver && !opts.rescan) {
      plan.already.push(`${describe(dev)} is already attached (${dev.driver})`);
      continue;
    }
    const driver = rec?.driver || dev?.driverOverride || dev?.usualDriver || '';
    if (!dev || opts.rescan) {
      const writes = dev ? [{ path: sysPath(r, PCI_DEVICES, address, 'remove'), value: '1' }, rescan] : [rescan];
      plan.actions.push({ address, id: dev?.id ?? rec?.id ?? '', name: dev?.name ?? (rec ? nameOfId(rec.id) : address), driver, how: 'rescan', writes });
      continue;
    }
    if (driver && !existsSync(sysPath(r, PCI_DRIVERS, driver))) throw new DriverMissing(`the driver ${driver} is not loaded (no ${sysPath(r, PCI_DRIVERS, driver)}): load it first (modprobe ${driver})`);
    const writes = driver ? bindWrites(r, dev, driver) : [{ path: sysPath(r, 'bus/pci/drivers_probe'), value: address }];
    plan.actions.push({ address, id: dev.id, name: dev.name, driver, how: 'bind', writes });
  }
  return plan;
}

export class WriteFailed extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Writes one value to one sysfs file; the kernel acts on it (tests pass a fake kernel). */
export type KernelWrite = (path: string, value: string) => void;
const sysfsWrite: KernelWrite = (path, value) => writeFileSync(path, value);

function write(w: Write, kernel: KernelWrite): void {
  try {
    kernel(w.path, w.value);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new WriteFailed(`writing "${w.value}" to ${w.path} failed: ${code}${ERRNO_TEXT[code] ? ` (${ERRNO_TEXT[code]})` : ''}`, code);
  }
}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied: run as root',
  EPERM: 'not permitted: run as root',
  ENODEV: 'the driver does not take this device',
  EBUSY: 'the device is busy',
  EEXIST: 'already bound',
  ENOENT: 'no such sysfs file: the device or driver is gone',
  EINVAL: 'the kernel did not accept the value',
  EROFS: 'sysfs is read-only here (a container?)',
};

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Waits (up to ms) until the device at address is in the state done() wants; the device as last seen. */
function settle(r: Roots, address: string, done: (d: PciDevice | null) => boolean, ms = 5000): PciDevice | null {
  const end = Date.now() + ms;
  for (;;) {
    const d = pciDevice(r, address);
    if (done(d) || Date.now() >= end) return d;
    sleep(50);
  }
}

/** Whether action left the device where it should be. */
export function reached(a: Action, d: PciDevice | null): boolean {
  if (a.how === 'remove') return d === null;
  if (a.how === 'unbind') return d !== null && d.driver === null;
  return d !== null && d.driver !== null && (!a.driver || d.driver === a.driver);
}

/** The writes that undo a done detach. */
const undo = (r: Roots, a: Action): Write[] => (a.how === 'remove' ? [{ path: sysPath(r, 'bus/pci/rescan'), value: '1' }] : [{ path: sysPath(r, PCI_DRIVERS, a.driver, 'bind'), value: a.address }]);

/**
 * Carries the actions out in order, each checked. On a failure a detach puts the
 * devices it had already detached back (best effort) and throws WriteFailed
 * saying what happened and what was restored.
 */
export function apply(r: Roots, actions: Action[], detaching: boolean, kernel: KernelWrite = sysfsWrite): void {
  const done: Action[] = [];
  for (const a of actions) {
    try {
      for (const w of a.writes) write(w, kernel);
      const d = settle(r, a.address, (x) => reached(a, x));
      if (!reached(a, d)) {
        const now = d === null ? 'gone from the bus' : d.driver ? `bound to ${d.driver}` : 'bound to no driver';
        throw new WriteFailed(`the kernel accepted the writes but ${a.address} is ${now}`, 'ESTATE');
      }
      done.push(a);
    } catch (err) {
      if (!(err instanceof WriteFailed)) throw err;
      if (detaching && done.length) {
        const restored: string[] = [];
        for (const b of done.reverse()) {
          try {
            for (const w of undo(r, b)) write(w, kernel);
            restored.push(b.address);
          } catch {
            // reported below by what is missing from restored
          }
        }
        throw new WriteFailed(`${err.message}; ${restored.length ? `put back ${restored.join(', ')}` : 'could not put back what was detached before it'}`, err.code);
      }
      throw new WriteFailed(`${err.message}${done.length ? ` (done before it: ${done.map((b) => b.address).join(', ')})` : ''}`, err.code);
    }
  }
}
