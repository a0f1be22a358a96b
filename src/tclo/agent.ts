// The guest end of TCLO: a poll loop over a GuestRPC channel. It knows no
// transport: its channels and the host's clock come in as an AgentHost (the
// backdoor today, vsock next). Each tick sends the previous reply (empty when
// none) and receives the next host command; idle, it backs off to 100 ms like
// vmtoolsd; busy, it answers within one tick. One sticky "broken" flag makes
// the next tick close, reopen and re-handshake (host reset, checkpoint,
// cookie invalidated).
import { hostname, networkInterfaces, uptime } from 'node:os';
import { netFacts, osFacts, uptimeText } from '../report/facts.js';
import { changed, exchangeSync, items, snapshot, type Facts, type Sent } from '../report/report.js';
import type { HostTime } from '../backdoor/commands.js';
import { ChannelError, rpci, rpciRequest, type Channel } from '../guestrpc/index.js';
import { hostMicros, stepClock, stepFailure, type ClockFacts, type ClockSetter } from '../time/clock.js';
import { ERROR_RETRY_MS, nextDelay } from './backoff.js';
import { dispatch, STATE, type HandlerContext, type PowerOp } from './handlers.js';
import { hasAction, killHooks, run, runHook, systemAction, type PowerConfig, type Ran } from './power.js';

export interface AgentOptions {
  app: string;
  /** stop after answering this many host commands (reset included) */
  exitAfter?: number;
  power: PowerConfig;
  /** step the clock from the host every this many seconds, and after OS_Resume; 0: never */
  clockSyncSeconds: number;
  reportHostname: boolean;
  reportIp: boolean;
  /** send the whole guest report (SetGuestInfo 1, 5, 6, 7, 10, 11), changes only, and all of it after every reset */
  report?: boolean;
  /** the period of reports (--report, --report-hostname, --report-ip), in seconds; default 30 */
  reportIntervalSeconds?: number;
  /** the report's facts (tests); default this machine's */
  reportFacts?: () => Facts;
}

export type AgentEvent =
  | { type: 'command'; command: string; reply: string }
  | { type: 'channel'; event: 'open' | 'error'; message?: string }
  | { type: 'power'; op: PowerOp; ok: boolean; hook: Ran | null; system?: Ran; reported: boolean }
  | { type: 'clock'; reason: string; offsetUs: number | null; stepped: boolean; message: string }
  | { type: 'report'; request: string; ok: boolean };

/** What the agent reaches the host through. */
export interface AgentHost {
  /** a new, unopened channel for TCLO (the host's commands) */
  tcloChannel(): Channel;
  /** a new, unopened channel for one RPCI request */
  rpciChannel(): Channel;
  /** the host's clock; null when the host reports no valid time */
  hostTime(): HostTime | null;
}

export interface AgentDeps {
  log(e: AgentEvent): void;
  setClock: ClockSetter;
  /** what explains a refused clock step (capabilities, tracer), asked only when one was refused */
  clockFacts(): ClockFacts;
  /** resolves after ms, or at once when the agent is told to stop */
  sleep(ms: number): Promise<void>;
}

const EMPTY = new Uint8Array(0);
const REPORT_EVERY_S = 30; // vmtoolsd's GUESTINFO_POLL_INTERVAL
const machineFacts = (): Facts => ({ os: osFacts(), net: netFacts(), uptime: uptimeText() });
const text = (b: Uint8Array) => new TextDecoder().decode(b).replace(/\0+$/, '');

export class TcloAgent {
  private channel: Channel | null = null;
  private broken = false;
  private pending: Uint8Array = EMPTY;
  private answered = 0;
  private stopping = false;
  private powerInFlight: Promise<void> | null = null;
  private nextClockSync = -Infinity;
  /** the first report waits for the host's first reset (a full report follows every reset), or one period */
  private nextReport: number;
  private reported = new Map<string, string>();
  /** what the guest report last told the host, by part */
  private sent: Sent = {};

  constructor(
    private readonly host: AgentHost,
    private readonly opts: AgentOptions,
    private readonly deps: AgentDeps,
  ) {
    this.nextReport = performance.now() + (opts.reportIntervalSeconds ?? REPORT_EVERY_S) * 1000;
  }

  /** Stops at the next tick; a running hook is ended (its failure is reported to the host). */
  stop(): void {
    this.stopping = true;
    killHooks();
  }

  async run(): Promise<void> {
    let delay = 0;
    while (!this.stopping) {
      this.periodic();
      const handled = this.tick();
      if (this.opts.exitAfter && this.answered >= this.opts.exitAfter) break;
      delay = handled ? 0 : this.broken ? ERROR_RETRY_MS : nextDelay(delay);
      await this.deps.sleep(delay);
    }
    await this.powerInFlight;
    this.finish();
  }

  /** One poll: the previous reply out, the next command in. True when a command was answered. */
  private tick(): boolean {
    try {
      if (!this.channel || this.broken) this.reopen();
      this.channel!.send(this.pending);
      this.pending = EMPTY;
      const message = this.channel!.receive();
      if (message.length === 0) return false;
      const command = text(message);
      const reply = dispatch(command, this.context);
      if (command === 'reset' || command.startsWith('reset ')) this.resetReports();
      this.pending = new TextEncoder().encode(reply);
      this.answered++;
      this.deps.log({ type: 'command', command, reply });
      return true;
    } catch (err) {
      if (!(err instanceof ChannelError)) throw err;
      this.broken = true;
      this.deps.log({ type: 'channel', event: 'error', message: `${err.message} (${err.stage}); reopening` });
      return false;
    }
  }

  private reopen(): void {
    this.closeChannel();
    const ch = this.host.tcloChannel();
    ch.open();
    this.channel = ch;
    this.broken = false;
    this.pending = EMPTY;
    this.deps.log({ type: 'channel', event: 'open' });
  }

  /** The last reply goes out (the host waits for it), then the channel closes. */
  private finish(): void {
    try {
      if (this.channel && !this.broken && this.pending.length) this.channel.send(this.pending);
    } catch {
      // closing anyway
    }
    this.closeChannel();
  }

  private closeChannel(): void {
    try {
      this.channel?.close();
    } catch {
      // a broken channel may not close; the host times it out
    }
    this.channel = null;
  }

  private get context(): HandlerContext {
    return { app: this.opts.app, rpci: (command) => this.rpci(command), guestIp: () => guestIp(), uptime, power: (op) => this.power(op) };
  }

  private rpci(command: string | Uint8Array): { ok: boolean; reply: string } | null {
    const bytes = typeof command === 'string' ? new TextEncoder().encode(command) : command;
    try {
      const r = rpci(this.host.rpciChannel(), rpciRequest(bytes));
      return { ok: r.ok, reply: new TextDecoder().decode(r.reply) };
    } catch (err) {
      if (!(err instanceof ChannelError)) throw err;
      const name = new TextDecoder().decode(bytes.subarray(0, 60)).replace(/[^\x20-\x7e]/g, '.');
      this.deps.log({ type: 'channel', event: 'error', message: `RPCI '${name}': ${err.message}` });
      return null;
    }
  }

  private power(op: PowerOp): string {
    if (this.powerInFlight) return 'ERROR State change already in progress';
    if (op === 'resume' && this.opts.clockSyncSeconds > 0) this.syncClock('OS_Resume');
    const hostCommand = `OS_${{ halt: 'Halt', reboot: 'Reboot', poweron: 'PowerOn', resume: 'Resume', suspend: 'Suspend' }[op]}`;
    if (!hasAction(op, this.opts.power)) {
      const r = this.rpci(`tools.os.statechange.status 0 ${STATE[op]}`);
      this.deps.log({ type: 'power', op, ok: false, hook: null, reported: r?.ok ?? false });
      return 'OK ';
    }
    this.powerInFlight = (async () => {
      const hook = await runHook(op, hostCommand, this.opts.power);
      const system = systemAction(op, this.opts.power);
      const ok = hook ? hook.status === 0 : system !== null;
      const r = this.rpci(`tools.os.statechange.status ${ok ? 1 : 0} ${STATE[op]}`);
      const event: AgentEvent = { type: 'power', op, ok, hook, reported: r?.ok ?? false };
      if (ok && system && !this.stopping) event.system = await run(system, op, hostCommand, this.opts.power.timeoutMs);
      this.deps.log(event);
    })().finally(() => {
      this.powerInFlight = null;
    });
    return 'OK ';
  }

  /** Clock sync and guest info reports, when they are due (on the monotonic clock: the wall clock is what gets stepped). */
  private periodic(): void {
    const now = performance.now();
    if (this.opts.clockSyncSeconds > 0 && now >= this.nextClockSync) {
      this.nextClockSync = now + this.opts.clockSyncSeconds * 1000;
      this.syncClock('period');
    }
    if ((this.opts.report || this.opts.reportHostname || this.opts.reportIp) && now >= this.nextReport) {
      this.nextReport = now + (this.opts.reportIntervalSeconds ?? REPORT_EVERY_S) * 1000;
      if (this.opts.report) this.guestReport();
      else if (this.opts.reportHostname) this.report('SetGuestInfo  1', hostname());
      const ip = this.opts.reportIp ? guestIp() : null;
      if (ip) this.report('info-set guestinfo.ip', ip);
    }
  }

  /** After a host reset everything goes again, at the next tick. */
  private resetReports(): void {
    this.reported.clear();
    this.sent = {};
    this.nextReport = -Infinity;
  }

  /** The guest report's requests that changed since the host last accepted them (the host name among them). */
  private guestReport(): void {
    let list;
    try {
      list = items(snapshot((this.opts.reportFacts ?? machineFacts)()));
    } catch (err) {
      this.deps.log({ type: 'report', request: `(no report: ${(err as Error).message})`, ok: false });
      return;
    }
    for (const r of exchangeSync(changed(list, this.sent), this.sent, (request) => this.rpci(request))) this.deps.log({ type: 'report', request: r.request, ok: r.ok ?? false });
  }

  /** Sends `prefix value` when value changed since the last report. */
  private report(prefix: string, value: string): void {
    if (this.reported.get(prefix) === value) return;
    const r = this.rpci(`${prefix} ${value}`);
    if (r?.ok) this.reported.set(prefix, value);
    this.deps.log({ type: 'report', request: `${prefix} ${value}`, ok: r?.ok ?? false });
  }

  /** Steps the clock to the host's when they differ by more than the host's max time lag. */
  private syncClock(reason: string): void {
    const host = this.host.hostTime();
    const readAt = performance.now();
    if (!host) {
      this.deps.log({ type: 'clock', reason, offsetUs: null, stepped: false, message: 'the host reports no valid time' });
      return;
    }
    const offsetUs = Date.now() * 1000 - hostMicros(host);
    if (Math.abs(offsetUs) <= host.maxTimeLagUs) {
      this.deps.log({ type: 'clock', reason, offsetUs, stepped: false, message: `within the host's max time lag (${host.maxTimeLagUs} µs)` });
      return;
    }
    const step = stepClock(host, offsetUs, readAt, () => performance.now(), this.deps.setClock);
    const size = `${(-offsetUs / 1e6).toFixed(6)} s`;
    this.deps.log({
      type: 'clock',
      reason,
      offsetUs,
      stepped: step.errno === 0,
      message: step.errno === 0 ? `stepped the clock by ${size}` : `could not step the clock by ${size}: ${stepFailure(step.errno, this.deps.clockFacts())}`,
    });
  }
}

/** The first IPv4 address of the first interface that is not a loopback (as the BSD drivers pick it). */
export function guestIp(interfaces = networkInterfaces()): string | null {
  for (const [name, addrs] of Object.entries(interfaces)) {
    if (name.startsWith('lo')) continue;
    const v4 = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  return null;
}
