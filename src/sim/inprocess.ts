// The in-process backend: a Backdoor (the guest side's interface) whose
// instructions go straight to the simulated host model, without ptrace. Unit
// tests use it to drive guest-side code against the same host `vmt sim` runs.
// It lives beside the host model, not in it: src/sim/host imports nothing of
// the guest side but its constants.
import { fullRegs, type Backdoor, type Regs } from '../backdoor/backdoor.js';
import type { SimHost } from './host/index.js';

export class InProcessBackdoor implements Backdoor {
  constructor(
    private readonly host: SimHost,
    private readonly pid = process.pid,
  ) {}

  lb(regs: Partial<Regs>): Regs {
    return this.host.lb(this.pid, fullRegs(regs));
  }

  /** rep outsb: RSI would point at data; the host sees the bytes and not the pointer. */
  hbOut(regs: Partial<Regs>, data: Uint8Array): Regs {
    return this.host.hbOut(this.pid, { ...fullRegs(regs), esi: 0 }, data.subarray(0, fullRegs(regs).ecx));
  }

  /** rep insb: the host's bytes land in buf, as at RDI. */
  hbIn(regs: Partial<Regs>, buf: Uint8Array): Regs {
    const { regs: out, data } = this.host.hbIn(this.pid, { ...fullRegs(regs), edi: 0 });
    buf.set(data.subarray(0, buf.length));
    return out;
  }
}
