// VM detection as a pure function over facts, table-testable (the style of
// vmw-guestinfo's vmcheck): CPUID hypervisor signature, DMI strings, and the
// result of a GETVERSION knock, if one was allowed.
import { hypervisorName, isKnownSignature, VMWARE } from './signatures.js';

export interface CpuidFacts {
  /** CPUID.1:ECX[31] */
  hypervisorBit: boolean;
  /** leaf 0x40000000 EBX ECX EDX as text, null when the bit is clear */
  signature: string | null;
  /** leaf 0x40000010 ECX bits 0/1: VMware offers vmcall/vmmcall instead of port I/O */
  hypercallBackdoor: boolean;
}

/** Whether vmt can reach I/O ports: libvmt calls ioperm as root on Linux, which needs CAP_SYS_RAWIO. */
export interface PortAccess {
  root: boolean;
  /** CAP_SYS_RAWIO is in the effective set; null when not known */
  rawio: boolean | null;
}

export interface Facts {
  cpuid: CpuidFacts | null; // null off x86
  dmi: Record<string, string>; // sys_vendor, product_name, ... (Linux /sys/class/dmi/id)
  /** null or absent: not known (not Linux), and no hint about port access is given */
  ports?: PortAccess | null;
}

export type KnockPolicy = 'auto' | 'always' | 'never';

export type Knock =
  | { kind: 'answered'; version: number; vmxType: number | null; product: string }
  | { kind: 'silent' } // no fault, but nothing answered (EAX=0xFFFFFFFF or EBX not the magic)
  | { kind: 'fault'; signal: string };

export interface Verdict {
  /** true: the backdoor answered; false: not VMware; null: cannot tell */
  vmware: boolean | null;
  /** the hypervisor CPUID (or, failing that, DMI) names; null on bare metal or when nothing says */
  hypervisor: string | null;
  /** one sentence for humans */
  reason: string;
  exit: 0 | 1 | 3;
}

const DMI_VMWARE = /^(VMware|VMW)/;
const DMI_KEYS = ['sys_vendor', 'product_name', 'board_vendor', 'bios_vendor', 'product_version'];

export function dmiSaysVmware(dmi: Record<string, string>): boolean {
  return DMI_KEYS.some((k) => DMI_VMWARE.test(dmi[k] ?? ''));
}

export function cpuidHypervisor(facts: Facts): string | null {
  const sig = facts.cpuid?.signature;
  return sig ? hypervisorName(sig) : null;
}

function otherHypervisor(facts: Facts): boolean {
  const sig = facts.cpuid?.signature;
  return !!sig && isKnownSignature(sig) && cpuidHypervisor(facts) !== VMWARE;
}

/** Knock only when the facts allow it: a VMware signature, or no or an unknown one. */
export function shouldKnock(facts: Facts, policy: KnockPolicy): boolean {
  if (policy !== 'auto') return policy === 'always';
  return !otherHypervisor(facts);
}

/** Under another hypervisor a fault means no port access, or no backdoor there: say which is true. */
function portHint(ports: PortAccess | null | undefined, hypervisor: string): string {
  if (!ports) return '';
  if (!ports.root) return '; a vmport backdoor under QEMU/KVM needs port access (run as root)';
  if (ports.rawio === false) return '; a vmport backdoor under QEMU/KVM needs port access, which needs CAP_SYS_RAWIO (this process lacks it)';
  return `; vmt had port access (root), so ${hypervisor} offers no backdoor here (QEMU/KVM has one only with -machine vmport=on)`;
}

export function decide(facts: Facts, knock: Knock | null): Verdict {
  const hypervisor = cpuidHypervisor(facts) ?? (dmiSaysVmware(facts.dmi) ? VMWARE : null);
  const vmwareHints = hypervisor === VMWARE;
  const named = hypervisor ? ` (CPUID: ${hypervisor})` : '';
  if (knock?.kind === 'answered') {
    return { vmware: true, hypervisor, reason: `the VMware backdoor answered${named}`, exit: 0 };
  }
  if (knock?.kind === 'fault') {
    if (vmwareHints) {
      const why = facts.cpuid?.hypercallBackdoor ? 'this VM offers the backdoor by hypercall only, which vmt does not speak' : 'the backdoor may be restricted';
      return { vmware: null, hypervisor, reason: `VMware hardware, but the backdoor access faulted (${knock.signal}); ${why}`, exit: 3 };
    }
    const hint = otherHypervisor(facts) ? portHint(facts.ports, hypervisor!) : '';
    return { vmware: false, hypervisor, reason: `not VMware: the backdoor access faulted (${knock.signal})${named}${hint}`, exit: 1 };
  }
  if (knock?.kind === 'silent') {
    if (vmwareHints) return { vmware: null, hypervisor, reason: 'VMware hardware, but the backdoor did not answer', exit: 3 };
    return { vmware: false, hypervisor, reason: `not VMware: nothing answered on the backdoor port${named}`, exit: 1 };
  }
  // no knock
  if (otherHypervisor(facts)) {
    return { vmware: false, hypervisor, reason: `not VMware: CPUID names another hypervisor, ${hypervisor} (use --probe to knock anyway)`, exit: 1 };
  }
  if (vmwareHints) {
    return { vmware: null, hypervisor, reason: 'cannot tell: CPUID/DMI say VMware, but knocking on the backdoor was not allowed', exit: 3 };
  }
  return { vmware: false, hypervisor, reason: 'not VMware: neither CPUID nor DMI says VMware (the backdoor was not knocked)', exit: 1 };
}
