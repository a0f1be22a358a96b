// The simulated VMware host: the three ways a guest reaches it (LB `in`, HB
// `rep outsb`, HB `rep insb`), with defensive checks, counters and the
// per-call transcript. Used by the vmt-trace bridge and in-process by tests.
import { BDOOR_CMD_MESSAGE, BDOOR_MAGIC, BDOOR_PORT, BDOORHB_CMD_MESSAGE, BDOORHB_PORT, BDOOR_UNSUPPORTED } from '../../backdoor/constants.js';
import { COMMANDS, type CommandContext } from './commands.js';
import { parseUuid, type SimConfig } from './config.js';
import { FaultPlan, prng } from './faults.js';
import { MessageHost, type MessageResult } from './message.js';
import { lo16, maskRegs, type HostRegs } from './regs.js';
import { HostView } from './host-view.js';
import { RpciEndpoint } from './rpci.js';
import { newStats, type SimStats } from './stats.js';
import type { GuestInfoStore } from './store.js';
import { TcloEndpoint } from './tclo.js';
import type { TranscriptEntry, TranscriptSink } from './transcript.js';

/** Real time in µs since the epoch, with µs resolution (the wall clock at start + the monotonic clock since). */
function realClock(): () => number {
  const start = process.hrtime.bigint();
  const epochUs = Date.now() * 1000;
  return () => epochUs + Number((process.hrtime.bigint() - start) / 1000n);
}

/** --fault tclo64k, tclobinary[:SEED], resetstorm: what TCLO sends on every poll once its queue is empty (the first mode given wins). */
function tcloStorm(faults: FaultPlan): (() => Uint8Array) | null {
  for (const [mode, n] of faults.hostile) {
    if (mode === 'resetstorm') return () => Buffer.from('reset');
    if (mode === 'tclo64k') return () => Buffer.from('Capabilities_Register '.padEnd(65536, 'x'));
    if (mode === 'tclobinary') {
      const next = prng(n ?? 1);
      return () => Uint8Array.from({ length: 1 + Math.floor(next() * 4096) }, () => Math.floor(next() * 256));
    }
  }
  return null;
}

export class SimHost {
  readonly stats: SimStats = newStats();
  /** what the guest reported with SetGuestInfo, as vSphere's VirtualMachine.guest */
  readonly guest: HostView;
  private readonly emit: TranscriptSink;
  private readonly ctx: CommandContext;
  private readonly message: MessageHost;
  private readonly tclo: TcloEndpoint;

  constructor(config: SimConfig, store: GuestInfoStore, transcript?: (e: TranscriptEntry) => void, now: () => number = realClock()) {
    this.emit = transcript ?? (() => {});
    this.ctx = { config, uuid: config.biosUuid === null ? new Uint8Array(16) : parseUuid(config.biosUuid), nowUs: now };
    const faults = new FaultPlan(config.faults);
    this.guest = new HostView(this.emit);
    const rpci = new RpciEndpoint(config, store, this.emit, () => this.stats.rpci++, (args) => this.guest.report(args));
    this.tclo = new TcloEndpoint(config.tclo, this.emit, () => this.stats.tclo++, config.tcloIntervalMs, undefined, tcloStorm(faults));
    this.message = new MessageHost({ RPCI: rpci, TCLO: this.tclo }, faults, config.hb && !faults.noHb, this.emit, this.stats);
  }

  /** `in eax,dx`: all seven registers after the instruction. */
  lb(pid: number, regs: HostRegs): HostRegs {
    this.stats.calls++;
    this.stats.lb++;
    const r = maskRegs(regs);
    if (r.eax !== BDOOR_MAGIC || lo16(r.edx) !== BDOOR_PORT) return this.invalid(pid, r);
    const num = lo16(r.ecx);
    if (num === BDOOR_CMD_MESSAGE) {
      const m = this.message.lb(pid, r);
      this.count(m, 'bytesIn', m.sub === 'SENDPAYLOAD');
      this.count(m, 'bytesOut', m.sub === 'RECVPAYLOAD');
      this.emit({ t: 'bdoor', pid, cmd: 'MESSAGE', sub: m.sub, ...(m.channel !== undefined ? { channel: m.channel } : {}), in: r, out: m.out, status: m.status, ...(m.bytes !== undefined ? { bytes: m.bytes } : {}) });
      return m.out;
    }
    const command = COMMANDS[num];
    if (!command) {
      this.stats.unknown++;
      const out = { ...r, eax: BDOOR_UNSUPPORTED };
      this.emit({ t: 'bdoor', pid, cmd: 'UNKNOWN', num, in: r, out });
      return out;
    }
    const out = { ...r, ...command.run(r, this.ctx) };
    this.emit({ t: 'bdoor', pid, cmd: command.name, in: r, out });
    return out;
  }

  /** `rep outsb`: data = the ECX bytes the guest wrote. The pointer register (RSI) is the tracer's to advance. */
  hbOut(pid: number, regs: HostRegs, data: Uint8Array): HostRegs {
    this.stats.calls++;
    this.stats.hbOut++;
    const r = maskRegs(regs);
    if (!this.hbValid(r)) return this.invalid(pid, r, 'out');
    const m = this.message.hbCall(pid, r, 'out', data);
    this.count(m, 'bytesIn', true);
    this.emit({ t: 'hb', pid, dir: 'out', channel: m.channel, in: r, out: m.out, status: m.status, bytes: m.bytes ?? 0 });
    return m.out;
  }

  /** `rep insb`: data (≤ ECX bytes) to write at the guest's RDI, which is the tracer's to advance. */
  hbIn(pid: number, regs: HostRegs): { regs: HostRegs; data: Uint8Array } {
    this.stats.calls++;
    this.stats.hbIn++;
    const r = maskRegs(regs);
    if (!this.hbValid(r)) return { regs: this.invalid(pid, r, 'in'), data: new Uint8Array(0) };
    const m = this.message.hbCall(pid, r, 'in');
    this.count(m, 'bytesOut', true);
    this.emit({ t: 'hb', pid, dir: 'in', channel: m.channel, in: r, out: m.out, status: m.status, bytes: m.bytes ?? 0 });
    return { regs: m.out, data: m.data ?? new Uint8Array(0) };
  }

  /** Add a host -> guest TCLO command at the end of the queue. */
  enqueueTclo(command: string): void {
    this.tclo.enqueue(command);
  }

  /** Queued TCLO commands not yet answered by the guest. */
  get tcloRemaining(): number {
    return this.tclo.remaining;
  }

  get openChannels(): number {
    return this.message.openChannels;
  }

  /** A traced process exited: close the channels it opened (as the host would after its idle timeout). */
  processExited(pid: number): void {
    this.message.closeChannels(pid, 'exit');
  }

  /** The tracer's guard refused a syscall of process pid with errno (the only ones it returns are named). */
  refused(pid: number, errno: number, what: Uint8Array): void {
    const error = ({ 1: 'EPERM', 13: 'EACCES', 97: 'EAFNOSUPPORT' } as Record<number, string>)[errno] ?? `errno ${errno}`;
    this.emit({ t: 'refused', pid, what: Buffer.from(what).toString('utf8'), error });
  }

  /** End of the run: close every channel, so unanswered TCLO commands reach the transcript, then the summary line. */
  shutdown(): void {
    this.message.closeChannels(undefined, 'shutdown');
    this.emit({ t: 'summary', channels: structuredClone(this.message.counts), requests: { rpci: this.stats.rpci, tclo: this.stats.tclo } });
  }

  private hbValid(r: HostRegs): boolean {
    return r.eax === BDOOR_MAGIC && lo16(r.edx) === BDOORHB_PORT && lo16(r.ebx) === BDOORHB_CMD_MESSAGE;
  }

  /** Wrong magic, wrong port or an unknown HB command: an unanswered port, EAX = 0xFFFFFFFF, nothing else changed. */
  private invalid(pid: number, r: HostRegs, dir?: 'out' | 'in'): HostRegs {
    this.stats.invalid++;
    const out = { ...r, eax: BDOOR_UNSUPPORTED };
    this.emit(dir ? { t: 'hb', pid, dir, invalid: true, in: r, out, bytes: 0 } : { t: 'bdoor', pid, cmd: 'INVALID', in: r, out });
    return out;
  }

  private count(m: MessageResult, field: 'bytesIn' | 'bytesOut', applies: boolean): void {
    if (applies) this.stats[field] += m.bytes ?? 0;
  }
}
