// Only one agent may own TCLO. Before vmt starts listening it looks for the
// others: vmtoolsd (Linux, by process), the BSD kernel's vmt(4) driver, and
// another vmt listening for the same app (its pid file). `vmt devices` reports
// the owners with the same look-ups (tcloOwners).
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Owner {
  agent: string;
  pid?: number;
  /** how to free the channel */
  advice: string;
}

export function findVmtoolsd(procDir = '/proc'): number | null {
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return null;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(join(procDir, e, 'comm'), 'utf8').trim() === 'vmtoolsd') return Number(e);
    } catch {
      // gone, or not ours to read
    }
  }
  return null;
}

/** The kernel's vmt(4) driver, attached (OpenBSD, NetBSD). */
export function kernelVmt(platform = process.platform): boolean {
  const probe = platform === 'openbsd' ? 'hw.sensors.vmt0' : platform === 'netbsd' ? 'machdep.vmt0' : null;
  if (!probe) return false;
  try {
    execFileSync('sysctl', ['-n', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const pidDir = () => process.env.XDG_RUNTIME_DIR || (process.getuid?.() === 0 ? '/run' : tmpdir());
const PID_FILE = /^vmt-tclo-(.+)\.pid$/;

export function pidFile(app: string): string {
  return join(pidDir(), `vmt-tclo-${app}.pid`);
}

/** The live pid a vmt pid file names, or null (absent, unreadable, stale, or this process). */
function livePid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the pid file for app; the owner when another live vmt has it. */
export function claim(file: string): Owner | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return null; // cannot keep a pid file here: go on without
      const pid = livePid(file);
      if (pid !== null) return { agent: 'vmt tclo listen', pid, advice: `stop it (kill ${pid})` };
      try {
        unlinkSync(file); // stale
      } catch {
        // another vmt took it away first
      }
    }
  }
  return null;
}

export function release(file: string): void {
  try {
    if (Number.parseInt(readFileSync(file, 'utf8'), 10) === process.pid) unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Where otherOwner looks; tests pass their own. */
export interface Lookout {
  platform: NodeJS.Platform;
  vmtoolsd(): number | null;
  kernelVmt(): boolean;
}

/** This machine, its processes read from procDir. */
export const lookout = (procDir = '/proc'): Lookout => ({ platform: process.platform, vmtoolsd: () => findVmtoolsd(procDir), kernelVmt: () => kernelVmt() });
const system = lookout();

/** An agent other than vmt that owns TCLO for app (only the toolbox app has them). */
export function otherOwner(app: string, look: Lookout = system): Owner | null {
  if (app === 'toolbox') {
    const pid = look.vmtoolsd();
    if (pid !== null) return { agent: 'vmtoolsd', pid, advice: 'stop it (systemctl stop open-vm-tools, or kill it)' };
    if (look.kernelVmt()) {
      return { agent: 'the kernel vmt(4) driver', advice: look.platform === 'netbsd' ? 'detach it: drvctl -d vmt0' : 'boot with vmt disabled (OpenBSD has no drvctl)' };
    }
  }
  return null;
}

export interface TcloOwner extends Owner {
  /** the TCLO app a vmt listener serves */
  app?: string;
}

/**
 * Everything that holds a TCLO channel now: vmtoolsd, the kernel's vmt(4), and
 * each `vmt tclo listen` by its pid file (looked for where root's and a user's
 * listeners keep them).
 */
export function tcloOwners(look: Lookout = system, pidDirs: string[] = [...new Set([pidDir(), '/run', tmpdir()])]): TcloOwner[] {
  const owners: TcloOwner[] = [];
  const other = otherOwner('toolbox', look);
  if (other) owners.push({ ...other, app: 'toolbox' });
  for (const dir of pidDirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const app = PID_FILE.exec(name)?.[1];
      const pid = app ? livePid(join(dir, name)) : null;
      if (app && pid !== null && !owners.some((o) => o.pid === pid)) owners.push({ agent: 'vmt tclo listen', pid, app, advice: `stop it (kill ${pid})` });
    }
  }
  return owners;
}

/** "the TCLO channel is owned by another agent (...); how to free it" */
export function ownerText(owner: Owner): string {
  return `the TCLO channel is owned by another agent (${owner.agent}${owner.pid ? `, pid ${owner.pid}` : ''}); ${owner.advice}`;
}
