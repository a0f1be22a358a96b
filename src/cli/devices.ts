// What `vmt detach` and `vmt attach` share: their flags, the root check, and
// running a plan (resolve DEVICE, guard rails, --dry-run, apply, records).
import { Flags } from '@oclif/core';
import { apply, DriverMissing, planAttach, planDetach, WriteFailed, type Action, type KernelWrite, type Plan } from '../devices/linux/bind.js';
import { readRecords, writeRecords, type Records } from '../devices/linux/records.js';
import { resolve, UnknownDevice, type Named } from '../devices/linux/resolve.js';
import { isSystem, roots, type Roots } from '../devices/roots.js';
import { loadLibvmt } from '../ffi/index.js';
import { freebsdVerb, netbsdVerb, type Outcome, type Verb } from './devices-bsd.js';
import { Exit, UsageError, VmtError } from './exit.js';

export type { Verb };

export const rootFlags = {
  'sysfs-root': Flags.string({ description: 'read and write the sysfs tree under DIR instead of /sys (tests)', helpValue: 'DIR' }),
  'proc-root': Flags.string({ description: 'read /proc from DIR instead (tests)', helpValue: 'DIR' }),
};

export const verbFlags = {
  ...rootFlags,
  json: Flags.boolean({ description: 'print one JSON document' }),
  'dry-run': Flags.boolean({ description: 'print what would be written where, and change nothing' }),
  rescan: Flags.boolean({ description: 'remove the device from the bus and rescan it (a fresh probe) instead of unbinding/binding its driver' }),
};

export const rootsOf = (flags: { 'sysfs-root'?: string; 'proc-root'?: string }): Roots => roots({ sys: flags['sysfs-root'], proc: flags['proc-root'] });


export interface VerbResult {
  plan: Plan;
  dryRun: boolean;
  /** the exit status: 0 something done (or would be), 1 nothing to do */
  exit: number;
}

const euid = () => process.geteuid?.() ?? 0;

function devicesOf(r: Roots, names: string[], records: Records): Named[] {
  const seen = new Map<string, Named>();
  for (const name of names) {
    try {
      for (const n of resolve(r, name, records)) seen.set(n.address, n);
    } catch (err) {
      if (err instanceof UnknownDevice) throw new UsageError(err.message);
      throw err;
    }
  }
  return [...seen.values()];
}

/** Resolves, plans, checks and (unless dry-run) carries out one verb on Linux. */
export function runVerb(
  verb: Verb,
  names: string[],
  flags: { 'sysfs-root'?: string; 'proc-root'?: string; 'dry-run'?: boolean; rescan?: boolean; force?: boolean },
  kernel?: KernelWrite,
): VerbResult {
  const r = rootsOf(flags);
  const records = readRecords(r);
  const named = devicesOf(r, names, records);
  let plan: Plan;
  try {
    plan = verb === 'detach' ? planDetach(r, named, { rescan: !!flags.rescan, force: !!flags.force }) : planAttach(r, named, records, { rescan: !!flags.rescan });
  } catch (err) {
    if (err instanceof DriverMissing) throw new VmtError(err.message, Exit.UNAVAILABLE);
    throw err;
  }
  if (plan.refused.length) {
    throw new VmtError(`refusing to detach ${plan.refused.join('; and ')} (--force detaches it anyway; nothing was changed)`, Exit.UNAVAILABLE);
  }
  const dryRun = !!flags['dry-run'];
  if (!dryRun && plan.actions.length && isSystem(r) && euid() !== 0) {
    throw new VmtError(`${verb} writes to /sys/bus/pci and must run as root (sudo vmt ${verb} ...); --dry-run shows what it would write`, Exit.UNAVAILABLE);
  }
  if (!dryRun && plan.actions.length) {
    try {
      apply(r, plan.actions, verb === 'detach', kernel);
    } catch (err) {
      if (!(err instanceof WriteFailed)) throw err;
      throw new VmtError(`${verb} failed: ${err.message}`, err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? Exit.UNAVAILABLE : Exit.FAILED);
    } finally {
      keepRecords(r, records, plan.actions, verb);
    }
  }
  return { plan, dryRun, exit: plan.actions.length ? Exit.OK : Exit.NO };
}

/** Records what a detach did (for attach) and forgets what an attach restored, by the devices' state now. */
function keepRecords(r: Roots, records: Records, actions: Action[], verb: Verb): void {
  const next = { ...records };
  for (const a of actions) {
    if (verb === 'detach' && a.record) next[a.address] = a.record;
    if (verb === 'attach') delete next[a.address];
  }
  if (JSON.stringify(next) === JSON.stringify(records)) return;
  try {
    writeRecords(r, next);
  } catch {
    // not fatal: attach then binds the usual driver
  }
}

type VerbFlags = { 'sysfs-root'?: string; 'proc-root'?: string; 'dry-run'?: boolean; rescan?: boolean; force?: boolean; json?: boolean };

/** detach/attach on this system: Linux sysfs, NetBSD drvctl, FreeBSD devctl; exit 3 elsewhere. */
export async function deviceVerb(verb: Verb, names: string[], flags: VerbFlags, platform: NodeJS.Platform = process.platform): Promise<Outcome> {
  const dryRun = !!flags['dry-run'];
  if (platform === 'netbsd') return netbsdVerb(verb, names, { dryRun, run: rootsOf(flags).run }, { lib: await loadLibvmt() });
  if (platform === 'freebsd') return freebsdVerb(verb, names, { dryRun, force: !!flags.force }, { lib: await loadLibvmt() });
  if (platform !== 'linux') throw new VmtError(`${verb} knows Linux (sysfs), NetBSD (drvctl) and FreeBSD (devctl), not ${platform}`, Exit.UNAVAILABLE);
  const res = runVerb(verb, names, flags);
  return { lines: verbLines(verb, res), json: verbJson(verb, res), notes: res.plan.already, exit: res.exit };
}

/** One line per device for people: "detached 0000:0b:00.0 (vmxnet3, vmxnet3)". */
export function verbLines(verb: Verb, res: VerbResult): string[] {
  const past = verb === 'detach' ? 'detached' : 'attached';
  if (res.dryRun) return res.plan.actions.flatMap((a) => a.writes.map((w) => `would write ${JSON.stringify(w.value)} to ${w.path}`));
  return res.plan.actions.map((a) => `${past} ${a.address} (${a.name}${a.driver ? `, ${a.driver}` : ''}${a.how === 'remove' || a.how === 'rescan' ? `, ${a.how === 'remove' ? 'removed from the bus' : 'bus rescanned'}` : ''})`);
}

export function verbJson(verb: Verb, res: VerbResult): unknown {
  return {
    [verb === 'detach' ? 'detached' : 'attached']: res.plan.actions.map((a) => ({ address: a.address, id: a.id, name: a.name, driver: a.driver || null, how: a.how, writes: a.writes })),
    already: res.plan.already,
    dryRun: res.dryRun,
  };
}
