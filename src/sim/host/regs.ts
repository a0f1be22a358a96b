// The seven x86 registers a backdoor call reads and writes, as the host
// model sees them: the low 32 bits of each, as unsigned numbers.

export interface HostRegs {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  esi: number;
  edi: number;
  ebp: number;
}

export const REG_NAMES = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp'] as const;

/** Unsigned 32-bit (anything else, such as NaN, becomes 0). */
export const u32 = (n: number): number => n >>> 0;
export const hi16 = (n: number): number => (n >>> 16) & 0xffff;
export const lo16 = (n: number): number => n & 0xffff;
/** hi16 << 16 | lo16, unsigned. */
export const join16 = (hi: number, lo: number): number => (((hi & 0xffff) << 16) | (lo & 0xffff)) >>> 0;

/** A masked copy: the host never keeps (or hands back) the caller's object. */
export function maskRegs(r: HostRegs): HostRegs {
  return { eax: u32(r.eax), ebx: u32(r.ebx), ecx: u32(r.ecx), edx: u32(r.edx), esi: u32(r.esi), edi: u32(r.edi), ebp: u32(r.ebp) };
}
