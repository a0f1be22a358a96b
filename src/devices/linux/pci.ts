// The VMware PCI devices a Linux guest has (/sys/bus/pci/devices): VMware's own
// IDs and the devices VMware emulates under another vendor's ID (subsystem
// vendor 15ad), each with its bound driver and what it carries.
import { networkInterfaces } from 'node:os';
import { hex, isSystem, linkName, list, readText, sysPath, type Roots } from '../roots.js';
import { kindOfClass, PCI_VENDOR_ID_VMWARE, VMWARE_PCI, type DeviceKind } from '../pci-ids.js';
import { defaultRouteIfaces, netIfaces, scsiHosts, type NetIface, type ScsiHost } from './carries.js';

export interface PciDevice {
  /** domain:bus:slot.function, e.g. 0000:0b:00.0 */
  address: string;
  /** "15ad:07b0" */
  id: string;
  name: string;
  kind: DeviceKind;
  driver: string | null;
  /** the driver the kernel binds it to next (driver_override), if one is set */
  driverOverride: string | null;
  /** the driver that normally binds it (VMware's table), when known */
  usualDriver: string | null;
  net: NetIface[];
  scsi: ScsiHost[];
}

export const PCI_DEVICES = 'bus/pci/devices';
export const PCI_DRIVERS = 'bus/pci/drivers';

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** The addresses of an interface, from the running kernel (only when reading the system's own trees). */
export function addressesOf(r: Roots): (iface: string) => string[] {
  if (!isSystem(r)) return () => [];
  const all = networkInterfaces();
  return (iface) => (all[iface] ?? []).map((a) => `${a.address}/${a.netmask.includes(':') ? maskBits(a.netmask, 16) : maskBits(a.netmask, 10)}`);
}

function maskBits(mask: string, radix: number): number {
  const parts = mask.split(radix === 16 ? ':' : '.').filter(Boolean);
  return parts.reduce((n, p) => n + Number.parseInt(p, radix).toString(2).replace(/0/g, '').length, 0);
}

/** One PCI device by address; null when it is not there. */
export function pciDevice(r: Roots, address: string, addresses = addressesOf(r), defaults = defaultRouteIfaces(r)): PciDevice | null {
  const dir = sysPath(r, PCI_DEVICES, address);
  const vendor = hex(`${dir}/vendor`);
  if (Number.isNaN(vendor)) return null;
  const device = hex(`${dir}/device`);
  const own = vendor === PCI_VENDOR_ID_VMWARE ? VMWARE_PCI[device] : undefined;
  const override = readText(`${dir}/driver_override`);
  return {
    address,
    id: `${hex4(vendor)}:${hex4(device)}`,
    name: own?.name ?? (readText(`${dir}/label`) || `${hex4(vendor)}:${hex4(device)}`),
    kind: own?.kind ?? kindOfClass(hex(`${dir}/class`)),
    driver: linkName(`${dir}/driver`),
    driverOverride: override && override !== '(null)' ? override : null,
    usualDriver: own?.driver ?? null,
    net: netIfaces(r, dir, addresses, defaults),
    scsi: scsiHosts(r, dir),
  };
}

/** True for VMware's own devices and those it emulates with its subsystem vendor ID. */
function isVmware(r: Roots, address: string): boolean {
  const dir = sysPath(r, PCI_DEVICES, address);
  return hex(`${dir}/vendor`) === PCI_VENDOR_ID_VMWARE || hex(`${dir}/subsystem_vendor`) === PCI_VENDOR_ID_VMWARE;
}

/** Every VMware PCI device, in address order. */
export function vmwarePciDevices(r: Roots): PciDevice[] {
  const addresses = addressesOf(r);
  const defaults = defaultRouteIfaces(r);
  return list(sysPath(r, PCI_DEVICES))
    .filter((a) => isVmware(r, a))
    .map((a) => pciDevice(r, a, addresses, defaults))
    .filter((d): d is PciDevice => d !== null);
}

/** The PCI drivers the kernel has (/sys/bus/pci/drivers). */
export const pciDrivers = (r: Roots): string[] => list(sysPath(r, PCI_DRIVERS));

/** Which of the VMware modules are loaded (/sys/module). */
export const loadedModules = (r: Roots, names: readonly string[]): string[] => names.filter((m) => readText(sysPath(r, 'module', m, 'refcnt')) !== null || list(sysPath(r, 'module', m)).length > 0);
