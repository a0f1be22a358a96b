// Gathering the facts detect.ts decides on: CPUID through libvmt, DMI from
// sysfs, port access from /proc.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Libvmt } from '../ffi/types.js';
import { CPUID_LEAF_HYPERVISOR, CPUID_LEAF_VMWARE_FEATURES } from '../backdoor/constants.js';
import type { CpuidFacts, PortAccess } from './detect.js';
import { CAP_SYS_RAWIO, hasCapability, readProcStatus } from './proc.js';

export const DMI_DIR = '/sys/class/dmi/id';
const DMI_FILES = ['sys_vendor', 'product_name', 'product_version', 'board_vendor', 'bios_vendor'];

export function readDmi(dir = DMI_DIR): Record<string, string> {
  const dmi: Record<string, string> = {};
  for (const name of DMI_FILES) {
    try {
      dmi[name] = readFileSync(join(dir, name), 'latin1').trim();
    } catch {
      // absent off Linux, in containers, or unreadable: not a fact
    }
  }
  return dmi;
}

function text(...words: number[]): string {
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, i * 4));
  return b.toString('latin1');
}

export function readCpuid(lib: Libvmt, arch = process.arch): CpuidFacts | null {
  if (arch !== 'x64') return null;
  const hypervisorBit = ((lib.cpuid(1, 0)[2]! >>> 31) & 1) === 1;
  if (!hypervisorBit) return { hypervisorBit, signature: null, hypercallBackdoor: false };
  const [max, b, c, d] = lib.cpuid(CPUID_LEAF_HYPERVISOR, 0);
  const signature = text(b!, c!, d!);
  const hypercallBackdoor = signature === 'VMwareVMware' && max! >= CPUID_LEAF_VMWARE_FEATURES && (lib.cpuid(CPUID_LEAF_VMWARE_FEATURES, 0)[2]! & 3) !== 0;
  return { hypervisorBit, signature, hypercallBackdoor };
}

/** As libvmt decides: it raises port access (ioperm) as root on Linux only. null elsewhere. */
export function readPortAccess(platform = process.platform, procDir = '/proc'): PortAccess | null {
  if (platform !== 'linux') return null;
  return { root: process.geteuid?.() === 0, rawio: hasCapability(readProcStatus(procDir), CAP_SYS_RAWIO) };
}
