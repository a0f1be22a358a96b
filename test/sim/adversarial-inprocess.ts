// One RPC session against a hostile simulated host, in process (no ptrace):
// the guest's BackdoorChannel and rpci() against SimHost through
// InProcessBackdoor, with a cap on backdoor calls that turns a hang into a
// failure. Shared by test/sim/adversarial.test.ts and the unit regressions.
import { callBudget, ChannelError, MAX_HOST_MESSAGE, RequestError, rpci, rpciChannel, rpciRequest } from '../../src/guestrpc/index.js';
import type { Backdoor, Regs } from '../../src/backdoor/backdoor.js';
import { BDOOR_CMD_MESSAGE, MESSAGE_TYPE_CLOSE } from '../../src/backdoor/constants.js';
import { InProcessBackdoor } from '../../src/sim/inprocess.js';
import { defaultConfig, GuestInfoStore, HOSTILE_VALUE, parseFaults, SimHost, type FaultSpec } from '../../src/sim/host/index.js';

/**
 * More backdoor calls than any session may make: the budgets of a send (at
 * most 64 KiB) and of a 16 MiB receive, plus open and close (twice each).
 */
export const CALL_CAP = callBudget(64 * 1024) + callBudget(MAX_HOST_MESSAGE) + 4;

export class Hang extends Error {}

/** Counts calls and stops a runaway loop at `cap`. */
class Counting implements Backdoor {
  calls = 0;
  largestIn = 0;
  constructor(
    private readonly inner: Backdoor,
    private readonly cap: number,
  ) {}
  private tick(): void {
    if (++this.calls > this.cap) throw new Hang(`more than ${this.cap} backdoor calls`);
  }
  /** the message type (CX.hi) of the last BDOOR_CMD_MESSAGE call */
  lastMessage = -1;
  lb(r: Partial<Regs>): Regs {
    this.tick();
    if (((r.ecx ?? 0) & 0xffff) === BDOOR_CMD_MESSAGE) this.lastMessage = (r.ecx ?? 0) >>> 16;
    return this.inner.lb(r);
  }
  hbOut(r: Partial<Regs>, data: Uint8Array): Regs {
    this.tick();
    return this.inner.hbOut(r, data);
  }
  hbIn(r: Partial<Regs>, buf: Uint8Array): Regs {
    this.tick();
    this.largestIn = Math.max(this.largestIn, buf.length);
    return this.inner.hbIn(r, buf);
  }
}

export interface Session {
  faults: FaultSpec[];
  hb: boolean;
  /** the request, and the value the host holds for it */
  request: Uint8Array;
  value: Uint8Array;
}

export type Outcome =
  | { kind: 'value'; reply: Uint8Array; closed: boolean }
  | { kind: 'no'; reply: Uint8Array }
  | { kind: 'error'; message: string };

export interface Verdict {
  outcome: Outcome;
  /** what is wrong, or null */
  wrong: string | null;
  calls: number;
  openChannels: number;
}

/** info-get of a key holding `value` (or machine.id.get), under `faults`. */
export function session(s: Session, cap = CALL_CAP): Verdict {
  const config = defaultConfig();
  config.hb = s.hb;
  config.faults = s.faults;
  config.machineId = Buffer.from(s.value).toString('latin1');
  const host = new SimHost(config, new GuestInfoStore({ 'guestinfo.k': s.value }));
  const bd = new Counting(new InProcessBackdoor(host), cap);
  const hostile = s.faults.some((f) => f.kind === 'hostile' && f.mode === 'hostile');
  const expected = hostile ? HOSTILE_VALUE : s.value;
  let outcome: Outcome;
  try {
    const r = rpci(rpciChannel(bd), rpciRequest(s.request));
    outcome = r.ok ? { kind: 'value', reply: r.reply, closed: r.closed } : { kind: 'no', reply: r.reply };
  } catch (err) {
    if (err instanceof Hang) return { outcome: { kind: 'error', message: err.message }, wrong: `a hang: ${err.message}`, calls: bd.calls, openChannels: host.openChannels };
    if (!(err instanceof ChannelError || err instanceof RequestError)) throw err; // a crash: the test reports it with the seed
    outcome = { kind: 'error', message: err.message };
  }
  let wrong: string | null = null;
  if (outcome.kind === 'value' && !Buffer.from(outcome.reply).equals(Buffer.from(expected))) {
    wrong = `a wrong value as success: ${outcome.reply.length} bytes, expected ${expected.length}`;
  } else if (outcome.kind === 'no') wrong = `a "0 " reply for a key that has a value: ${Buffer.from(outcome.reply).toString('latin1').slice(0, 80)}`;
  else if (bd.largestIn > MAX_HOST_MESSAGE) wrong = `a receive buffer of ${bd.largestIn} bytes`;
  // A channel may stay open only when the host refused the guest's CLOSE (noclose; newcookie: the guest no
  // longer has the cookie; a TIMEOUT on both tries): the guest's last call must then have been that CLOSE.
  if (!wrong && host.openChannels !== 0 && bd.lastMessage !== MESSAGE_TYPE_CLOSE) wrong = `${host.openChannels} channel(s) left open without a CLOSE`;
  if (!wrong && outcome.kind === 'value' && host.openChannels !== 0 && outcome.closed) wrong = 'the channel reported closed though the host refused CLOSE';
  return { outcome, wrong, calls: bd.calls, openChannels: host.openChannels };
}

export const faults = (spec: string): FaultSpec[] => parseFaults(spec);
