// vmt detach / attach / devices on NetBSD (/dev/drvctl) and FreeBSD
// (/dev/devctl2), over src/devices/bsd. Written from the kernels' sources;
// exercised here only against stand-in kernels (no BSD runs in CI).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { devctlAttach, devctlDetach, type DevctlTarget } from '../devices/bsd/devctl.js';
import { deviceTree, detachDevice, reattachment, rescanBus, type DrvctlTarget } from '../devices/bsd/drvctl.js';
import { writeJsonAtomically } from '../run-dir.js';
import { Exit, UsageError, VmtError } from './exit.js';


export type Verb = 'detach' | 'attach';

/** The VMware devices' names on the BSDs: vmt(4), vmci, vmx(4) (vmxnet3), pvscsi / vmwpvs. */
export const BSD_VMWARE = /^(vmt|vmci|vmx|pvscsi|vmwpvs)\d+$/;

/** What a verb did: lines for stdout, the --json document, notes for stderr, the exit status. */
export interface Outcome {
  lines: string[];
  json: unknown;
  notes: string[];
  exit: number;
}

/** Where a NetBSD detach remembers each device's parent, for attach (RUN/vmt/detached-bsd.json). */
const parentsFile = (run: string) => join(run, 'vmt', 'detached-bsd.json');

function readParents(run: string): Record<string, string | null> {
  try {
    const data = JSON.parse(readFileSync(parentsFile(run), 'utf8')) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(data).filter(([, v]) => v === null || typeof v === 'string')) as Record<string, string | null>;
  } catch {
    return {};
  }
}

function writeParents(run: string, parents: Record<string, string | null>): void {
  try {
    writeJsonAtomically(parentsFile(run), parents, { dir: 0o755, file: 0o644 });
  } catch {
    // not fatal: attach then uses the usual attachment point
  }
}

/** detach/attach on NetBSD: each name checked against the device tree first (exit 2 with the candidates, 1 when nothing is to do). */
export function netbsdVerb(verb: Verb, names: string[], opts: { dryRun: boolean; run: string }, t: DrvctlTarget): Outcome {
  const tree = deviceTree(t);
  const parents = readParents(opts.run);
  const lines: string[] = [];
  const done: string[] = [];
  const already: string[] = [];
  const candidates = () => {
    const vmw = tree.filter((e) => BSD_VMWARE.test(e.name)).map((e) => e.name);
    return vmw.length ? `the VMware devices here: ${vmw.join(', ')}` : 'no VMware device is attached here';
  };
  for (const name of names) {
    const entry = tree.find((e) => e.name === name);
    if (verb === 'detach') {
      if (!entry) {
        if (name in parents) already.push(`${name} is already detached`);
        else throw new UsageError(`there is no device ${name}; ${candidates()}`);
        continue;
      }
      if (opts.dryRun) lines.push(`would detach ${name} through /dev/drvctl (DRVDETACHDEV)`);
      else {
        detachDevice(t, name);
        parents[name] = entry.parent;
        writeParents(opts.run, parents);
        lines.push(`detached ${name}`);
      }
      done.push(name);
      continue;
    }
    if (entry) {
      already.push(`${name} is already attached (at ${entry.parent ?? 'the root'})`);
      continue;
    }
    const at = reattachment(name, parents[name]);
    if (!at) throw new UsageError(`vmt does not know where ${name} attaches (it did not detach it); rescan its bus with vmt drvctl -r BUS; ${candidates()}`);
    const how = `${at.attr ? `-a ${at.attr} ` : ''}${at.bus}`;
    if (opts.dryRun) lines.push(`would rescan ${how} through /dev/drvctl (DRVRESCANBUS)`);
    else {
      rescanBus(t, at.bus, at.attr);
      if (!deviceTree(t).some((e) => e.name === name)) throw new VmtError(`rescanning ${how} did not attach ${name}`, Exit.FAILED);
      delete parents[name];
      writeParents(opts.run, parents);
      lines.push(`attached ${name} (rescan ${how})`);
    }
    done.push(name);
  }
  return { lines, json: { [verb === 'detach' ? 'detached' : 'attached']: done, already, dryRun: opts.dryRun }, notes: already, exit: done.length ? Exit.OK : Exit.NO };
}

/** detach/attach on FreeBSD: devctl's own requests; the kernel names what is wrong. */
export function freebsdVerb(verb: Verb, names: string[], opts: { dryRun: boolean; force: boolean }, t: DevctlTarget): Outcome {
  const lines: string[] = [];
  for (const name of names) {
    if (opts.dryRun) lines.push(`would ${verb} ${name} through /dev/devctl2 (DEV_${verb.toUpperCase()})`);
    else {
      if (verb === 'detach') devctlDetach(t, name, { force: opts.force });
      else devctlAttach(t, name);
      lines.push(`${verb === 'detach' ? 'detached' : 'attached'} ${name}`);
    }
  }
  return { lines, json: { [verb === 'detach' ? 'detached' : 'attached']: names, already: [], dryRun: opts.dryRun }, notes: [], exit: Exit.OK };
}
