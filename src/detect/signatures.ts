// CPUID leaf 0x40000000 vendor signatures (EBX ECX EDX as 12 ASCII bytes),
// as systemd-detect-virt, OpenBSD pvbus(4) and open-vm-tools' vmcheck know them.
export const SIGNATURES: Record<string, string> = {
  VMwareVMware: 'VMware',
  'KVMKVMKVM\0\0\0': 'KVM',
  'Linux KVM Hv': 'KVM',
  TCGTCGTCGTCG: 'QEMU (TCG)',
  XenVMMXenVMM: 'Xen',
  'Microsoft Hv': 'Hyper-V',
  'bhyve bhyve ': 'bhyve',
  OpenBSDVMM58: 'OpenBSD vmm',
  ' lrpepyh  vr': 'Parallels',
  VBoxVBoxVBox: 'VirtualBox',
  ACRNACRNACRN: 'ACRN',
  'QNXQVMBSQG\0\0': 'QNX',
  'Jailhouse\0\0\0': 'Jailhouse',
  SRESRESRESRE: 'SRE',
  'Apple VZ\0\0\0\0': 'Apple Virtualization',
  HAXMHAXMHAXM: 'HAXM',
};

export const VMWARE = 'VMware';

/** The hypervisor a signature names; `unknown (…)` for one not in the table. */
export function hypervisorName(signature: string): string {
  return SIGNATURES[signature] ?? `unknown (${JSON.stringify(signature.replace(/\0+$/, ''))})`;
}

export function isKnownSignature(signature: string): boolean {
  return signature in SIGNATURES;
}
