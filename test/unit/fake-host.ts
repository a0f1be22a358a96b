// Scripted register-level hosts for unit tests: what QEMU's vmport, old QEMU
// (machine types ≤ 5.0) and a VMware host put in the registers. The full
// simulated VMware host (src/sim) replaces these for protocol tests.
import { fullRegs, type Backdoor, type Regs } from '../../src/backdoor/backdoor.js';
import { BDOOR_MAGIC } from '../../src/backdoor/constants.js';

type Answer = (r: Regs) => Partial<Regs> | 'unsupported';

export class ScriptedHost implements Backdoor {
  readonly calls: Regs[] = [];
  constructor(
    private readonly answers: Record<number, Answer>,
    private readonly unsupported: 'qemu' | 'old-qemu' = 'qemu',
  ) {}

  lb(regs: Partial<Regs>): Regs {
    const r = fullRegs(regs);
    this.calls.push(r);
    if (r.eax !== BDOOR_MAGIC) return { ...r, eax: 0xffffffff };
    const a = this.answers[r.ecx & 0xffff]?.(r) ?? 'unsupported';
    if (a === 'unsupported') return this.unsupported === 'qemu' ? { ...r, eax: 0xffffffff } : { ...r };
    return { ...r, ...a };
  }

  hbOut(): Regs {
    throw new Error('no HB port');
  }

  hbIn(): Regs {
    throw new Error('no HB port');
  }
}

/** QEMU 7.2 vmport as environment.md measured it: GETVERSION, GETBIOSUUID, GETRAMSIZE, GETHZ (unknown TSC). */
export function qemuVmport(uuidWords = [0x78563412, 0xf0debc9a, 0x44332211, 0x88776655], unsupported: 'qemu' | 'old-qemu' = 'qemu') {
  return new ScriptedHost(
    {
      10: () => ({ eax: 6, ebx: BDOOR_MAGIC, ecx: 2 }),
      19: () => ({ eax: uuidWords[0], ebx: uuidWords[1], ecx: uuidWords[2], edx: uuidWords[3] }),
      20: () => ({ eax: 512 * 1024 * 1024, ebx: 0x1177 }),
      45: () => ({ ebx: 0xffffffff }),
    },
    unsupported,
  );
}
