// `vmt devices`: the report (also --json), a table for a terminal (cli-table3),
// and tab-separated records for pipes.
import { loadedModules, vmwarePciDevices, type PciDevice } from '../devices/linux/pci.js';
import { VMWARE_MODULES } from '../devices/pci-ids.js';
import { readRecords } from '../devices/linux/records.js';
import type { Roots } from '../devices/roots.js';
import { deviceTree, type DrvctlTarget } from '../devices/bsd/drvctl.js';
import { BSD_VMWARE } from './devices-bsd.js';
import { lookout, tcloOwners, type TcloOwner } from '../tclo/conflict.js';

export interface DevicesReport {
  devices: (PciDevice & { detachedBy?: string })[];
  /** VMware devices vmt detach --rescan removed from the bus */
  removed: { address: string; id: string; driver: string }[];
  modules: string[];
  tclo: TcloOwner[];
}

/** NetBSD: the VMware devices in drvctl's tree (vmt0, vmx0, ...), each with where it attaches. */
export function netbsdDevices(t: DrvctlTarget): PciDevice[] {
  return deviceTree(t)
    .filter((e) => BSD_VMWARE.test(e.name))
    .map((e) => ({ address: e.name, id: '-', name: e.name.replace(/\d+$/, ''), kind: 'other', driver: e.name.replace(/\d+$/, ''), driverOverride: null, usualDriver: null, net: [], scsi: [] }));
}

export function devicesReport(r: Roots, platform: NodeJS.Platform = process.platform, t?: DrvctlTarget): DevicesReport {
  if (platform === 'netbsd' && t) return { devices: netbsdDevices(t), removed: [], modules: [], tclo: tcloOwners(lookout()) };
  const records = readRecords(r);
  const devices = vmwarePciDevices(r).map((d) => (!d.driver && records[d.address] ? { ...d, detachedBy: `vmt detach (was ${records[d.address]!.driver})` } : d));
  const removed = Object.entries(records)
    .filter(([a, rec]) => rec.how === 'remove' && !devices.some((d) => d.address === a))
    .map(([address, rec]) => ({ address, id: rec.id, driver: rec.driver }));
  return { devices, removed, modules: loadedModules(r, VMWARE_MODULES), tclo: tcloOwners(lookout(r.proc)) };
}

/** What a device carries, in one line: "ens192 10.0.0.5/24 (default route)", "host0: sda (sda1 on /)". */
export function carries(d: PciDevice): string {
  const net = d.net.map((n) => [n.name, ...n.addresses, ...(n.defaultRoute ? ['(default route)'] : [])].join(' '));
  const scsi = d.scsi.map((h) => {
    const disks = h.disks.map((k) => {
      const uses = [...k.mounts.map((m) => `${m.source.replace('/dev/', '')} on ${m.target}`), ...k.swap.map((s) => `${s.replace('/dev/', '')} swap`)];
      return `${k.name}${uses.length ? ` (${uses.join(', ')})` : ''}`;
    });
    return `${h.name}${disks.length ? `: ${disks.join(', ')}` : ''}`;
  });
  return [...net, ...scsi].join('; ');
}

const owner = (o: TcloOwner) => `${o.agent}${o.pid ? ` (pid ${o.pid}${o.app && o.agent.startsWith('vmt') ? `, app ${o.app}` : ''})` : ''}`;

export function reportLines(rep: DevicesReport): string[] {
  const dash = (s: string | null | undefined) => (s ? s.replace(/[\t\n]/g, ' ') : '-');
  return [
    ...rep.devices.map((d) => ['pci', d.address, d.id, d.name, dash(d.driver), dash(carries(d))].map(dash).join('\t')),
    ...rep.removed.map((d) => ['pci', d.address, d.id, '-', '-', `removed by vmt detach --rescan (was ${d.driver})`].join('\t')),
    ...rep.modules.map((m) => `module\t${m}`),
    ...rep.tclo.map((o) => ['tclo', o.agent, o.pid ? String(o.pid) : '-', o.app ?? '-'].join('\t')),
  ];
}

/** The terminal's table (cli-table3, loaded only here: every other command starts without it). */
export async function reportTable(rep: DevicesReport): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const t = new Table({ head: ['Address', 'ID', 'Device', 'Driver', 'Carries'], style: { head: [], border: [] }, wordWrap: true, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  for (const d of rep.devices) t.push([d.address, d.id, d.name, d.driver ?? `none${d.detachedBy ? `: ${d.detachedBy}` : ''}`, carries(d)]);
  for (const d of rep.removed) t.push([d.address, d.id, '', '', `removed by vmt detach --rescan (was ${d.driver})`]);
  const lines = [rep.devices.length || rep.removed.length ? t.toString() : 'No VMware PCI devices.'];
  lines.push(`Modules loaded: ${rep.modules.length ? rep.modules.join(', ') : 'none of the VMware ones'}`);
  lines.push(`TCLO channel: ${rep.tclo.length ? rep.tclo.map(owner).join('; ') : 'no agent holds it'}`);
  return lines.join('\n');
}
