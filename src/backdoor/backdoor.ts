// Registers in, registers out. The `Backdoor` interface has two
// implementations: NativeBackdoor (libvmt, real port I/O) and the in-process
// simulated host used by tests.
import { loadLibvmt, type Libvmt } from '../ffi/index.js';

/** The x86 registers the backdoor reads and writes, low 32 bits each. */
export interface Regs {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  esi: number;
  edi: number;
  ebp: number;
}

/** The backdoor instruction faulted: no VMware backdoor here, or no access to it. */
export class BackdoorFault extends Error {
  constructor(readonly signal: string) {
    super(`the backdoor access faulted (${signal}): not VMware, or no port access`);
  }
}

export interface Backdoor {
  /** `in eax,dx` on the low-bandwidth port */
  lb(regs: Partial<Regs>): Regs;
  /** `rep outsb` of data on the high-bandwidth port */
  hbOut(regs: Partial<Regs>, data: Uint8Array): Regs;
  /** `rep insb` into buf on the high-bandwidth port */
  hbIn(regs: Partial<Regs>, buf: Uint8Array): Regs;
}

const ORDER = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp'] as const;
const SIGNALS: Record<number, string> = { 4: 'SIGILL', 7: 'SIGBUS', 10: 'SIGBUS', 11: 'SIGSEGV' };

export function fullRegs(r: Partial<Regs>): Regs {
  return { eax: 0, ebx: 0, ecx: 0, edx: 0, esi: 0, edi: 0, ebp: 0, ...r };
}

/** The real thing, through libvmt's guarded port I/O. */
export class NativeBackdoor implements Backdoor {
  private readonly frame = new Uint32Array(7);

  constructor(private readonly lib: Libvmt) {}

  static async open(): Promise<NativeBackdoor> {
    return new NativeBackdoor(await loadLibvmt());
  }

  lb(regs: Partial<Regs>): Regs {
    return this.call(regs, () => this.lib.bdoorLb(this.frame));
  }

  hbOut(regs: Partial<Regs>, data: Uint8Array): Regs {
    return this.call(regs, () => this.lib.bdoorHbOut(this.frame, data));
  }

  hbIn(regs: Partial<Regs>, buf: Uint8Array): Regs {
    return this.call(regs, () => this.lib.bdoorHbIn(this.frame, buf));
  }

  private call(regs: Partial<Regs>, op: () => number): Regs {
    const r = fullRegs(regs);
    ORDER.forEach((name, i) => (this.frame[i] = r[name] >>> 0));
    const rc = op();
    if (rc > 0) throw new BackdoorFault(SIGNALS[rc] ?? `signal ${rc}`);
    if (rc < 0) throw new BackdoorFault(`errno ${-rc}`);
    const out = {} as Regs;
    ORDER.forEach((name, i) => (out[name] = this.frame[i]!));
    return out;
  }
}
