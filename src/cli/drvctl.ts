// `vmt drvctl`: drvctl(8)'s flags mapped onto vmt's verbs. -d is vmt detach;
// -r rescans (NetBSD: DRVRESCANBUS; Linux: the PCI bus); -l lists (NetBSD: the
// device tree; Linux: the VMware PCI devices); -p prints one device's facts
// (Linux). What vmt does not do is exit 3 with the drvctl command to use.
import { writeFileSync } from 'node:fs';
import { deviceTree, listChildren, rescanBus } from '../devices/bsd/drvctl.js';
import type { DrvctlAction } from '../devices/drvctl-args.js';
import { vmwarePciDevices } from '../devices/linux/pci.js';
import { resolve } from '../devices/linux/resolve.js';
import { readRecords } from '../devices/linux/records.js';
import { isSystem, sysPath } from '../devices/roots.js';
import { loadLibvmt } from '../ffi/index.js';
import { deviceVerb, rootsOf } from './devices.js';
import type { Outcome } from './devices-bsd.js';
import { Exit, UsageError, VmtError } from './exit.js';

type Roots = { 'sysfs-root'?: string; 'proc-root'?: string };

export async function drvctl(action: DrvctlAction, flags: Roots, platform: NodeJS.Platform = process.platform): Promise<Outcome> {
  if (action.verb === 'unsupported') throw new VmtError(action.reason, Exit.UNAVAILABLE);
  if (action.verb === 'detach') return deviceVerb('detach', [action.device], flags, platform);
  if (platform === 'netbsd') return netbsd(action);
  if (platform !== 'linux') throw new VmtError(`vmt drvctl knows Linux and NetBSD, not ${platform}`, Exit.UNAVAILABLE);
  const r = rootsOf(flags);
  if (action.verb === 'rescan') {
    if (!/^pci\d*$/.test(action.bus) || action.attr || action.locators.length) {
      throw new UsageError(`on Linux vmt drvctl -r rescans the PCI bus (-r pci0); ${action.attr === 'cpufeaturebus' ? 'vmt(4) and cpufeaturebus are NetBSD\'s: Linux has no vmt driver' : `"${[action.attr ? `-a ${action.attr}` : '', action.bus, ...action.locators].filter(Boolean).join(' ')}" is a NetBSD bus`}`);
    }
    const detached = Object.keys(readRecords(r));
    if (detached.length) return deviceVerb('attach', detached, flags, platform); // a rescan alone skips devices present but unbound
    const path = sysPath(r, 'bus/pci/rescan');
    if (isSystem(r) && (process.geteuid?.() ?? 0) !== 0) throw new VmtError('rescanning writes to /sys/bus/pci/rescan and must run as root', Exit.UNAVAILABLE);
    try {
      writeFileSync(path, '1');
    } catch (err) {
      throw new VmtError(`writing 1 to ${path} failed: ${(err as NodeJS.ErrnoException).code}`, Exit.FAILED);
    }
    return { lines: [`rescanned the PCI bus (${path})`], json: { rescanned: path }, notes: [], exit: Exit.OK };
  }
  if (action.verb === 'list') {
    const devs = vmwarePciDevices(r).filter((d) => !action.device || d.address === action.device || d.driver === action.device);
    const lines = devs.map((d) => (action.namesOnly || action.tree ? d.address : `${d.driver ?? '-'} ${d.address}`));
    return { lines, json: devs.map((d) => ({ address: d.address, driver: d.driver })), notes: devs.length ? [] : [action.device ? `no VMware PCI device is ${action.device}` : 'no VMware PCI devices here'], exit: devs.length ? Exit.OK : Exit.NO };
  }
  const [n] = resolve(r, action.device, readRecords(r));
  if (!n?.dev) throw new VmtError(`${action.device} is removed from the bus (vmt detach --rescan); vmt attach brings it back`, Exit.NO);
  const props = n.dev as unknown as Record<string, unknown>;
  const value = action.property ? action.property.split('/').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), props) : props;
  if (value === undefined) throw new VmtError(`${action.device} has no property ${action.property}`, Exit.NO);
  return { lines: [typeof value === 'string' ? value : JSON.stringify(value, null, 2)], json: value, notes: [], exit: Exit.OK };
}

async function netbsd(action: Exclude<DrvctlAction, { verb: 'detach' | 'unsupported' }>): Promise<Outcome> {
  const t = { lib: await loadLibvmt() };
  if (action.verb === 'rescan') {
    rescanBus(t, action.bus, action.attr, action.locators);
    return { lines: [], json: { rescanned: action.bus }, notes: [], exit: Exit.OK };
  }
  if (action.verb === 'list') {
    if (action.tree) {
      const tree = deviceTree(t, action.device);
      return { lines: tree.map((e) => `${'  '.repeat(e.depth)}${e.name}`), json: tree, notes: [], exit: Exit.OK };
    }
    const names = listChildren(t, action.device);
    const parent = action.device ?? '(root)';
    return { lines: names.map((c) => (action.namesOnly ? c : `${parent} ${c}`)), json: names, notes: [], exit: Exit.OK };
  }
  throw new VmtError('vmt drvctl -p is not available on NetBSD (the kernel maps its answer into the process); run drvctl -p', Exit.UNAVAILABLE);
}
