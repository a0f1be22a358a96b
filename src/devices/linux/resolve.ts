// DEVICE on the command line → the PCI devices it names: a PCI address (full
// 0000:0b:00.0 or short 0b:00.0), a network interface (ens192 → its device), or
// a driver name (all the VMware devices it binds, or bound before a detach).
import { linkName, readText, sysPath, type Roots } from '../roots.js';
import { PCI_DEVICES, pciDevice, vmwarePciDevices, type PciDevice } from './pci.js';
import type { Records } from './records.js';

/** A device DEVICE names: present (dev), or removed from the bus by a detach --rescan (only its record). */
export interface Named {
  address: string;
  dev: PciDevice | null;
}

export class UnknownDevice extends Error {}

const FULL = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const SHORT = /^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const BSD = /^(vmt|vmci|vmx|pvscsi|vmwpvs)\d+$/;

export function candidates(r: Roots, records: Records): string {
  const devs = vmwarePciDevices(r);
  const items = [
    ...devs.map((d) => `${d.address} (${d.name}${d.driver ? `, ${d.driver}` : ', no driver'}${d.net.length ? `; ${d.net.map((n) => n.name).join(', ')}` : ''})`),
    ...Object.keys(records)
      .filter((a) => !devs.some((d) => d.address === a))
      .map((a) => `${a} (removed by vmt detach --rescan, ${records[a]!.driver})`),
  ];
  const drivers = [...new Set([...devs.map((d) => d.driver ?? d.usualDriver), ...Object.values(records).map((x) => x.driver)].filter(Boolean))];
  if (!items.length) return 'this machine has no VMware PCI devices';
  return `the VMware devices here: ${items.join('; ')}${drivers.length ? `; drivers: ${drivers.join(', ')}` : ''}`;
}

/** The devices `name` stands for; throws UnknownDevice (with the candidates) when none. */
export function resolve(r: Roots, name: string, records: Records): Named[] {
  const lower = name.toLowerCase();
  const address = FULL.test(lower) ? lower : SHORT.test(lower) ? `0000:${lower}` : null;
  if (address) {
    const dev = pciDevice(r, address);
    if (dev || records[address]) return [{ address, dev }];
    throw new UnknownDevice(`there is no PCI device ${address}; ${candidates(r, records)}`);
  }
  if (!/^[\w.:+-]{1,64}$/.test(name)) throw new UnknownDevice(`"${name}" is not a PCI address, an interface or a driver name; ${candidates(r, records)}`);
  const viaIface = linkName(sysPath(r, 'class/net', name, 'device'));
  if (viaIface && readText(sysPath(r, PCI_DEVICES, viaIface, 'vendor')) !== null) return [{ address: viaIface, dev: pciDevice(r, viaIface) }];
  const wasIface = Object.entries(records).find(([, rec]) => rec.net.includes(name))?.[0];
  if (wasIface) return [{ address: wasIface, dev: pciDevice(r, wasIface) }]; // its interface went with the driver
  const devs = vmwarePciDevices(r);
  const byDriver: Named[] = devs.filter((d) => d.driver === name || (!d.driver && (records[d.address]?.driver ?? d.driverOverride ?? d.usualDriver) === name)).map((d) => ({ address: d.address, dev: d }));
  for (const [a, rec] of Object.entries(records)) if (rec.driver === name && !devs.some((d) => d.address === a)) byDriver.push({ address: a, dev: null });
  if (byDriver.length) return byDriver;
  if (BSD.test(name)) throw new UnknownDevice(`${name} is a BSD device name; on Linux the VMware devices are PCI devices (vmt(4) has no Linux driver: the TCLO agent is vmtoolsd or vmt tclo listen); ${candidates(r, records)}`);
  throw new UnknownDevice(`no VMware device, interface or driver is called "${name}"; ${candidates(r, records)}`);
}
