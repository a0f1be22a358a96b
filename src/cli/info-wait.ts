// `vmt info wait`: polling one guestinfo variable until it exists, equals a
// value or changes. The pause between polls starts at FIRST_PAUSE_MS and
// doubles up to a ceiling (--interval), so a short wait answers within a few
// ms and a long one costs one request per interval. A signal ends the pause at
// once; the poll in flight (if any) finishes first.
import { constants } from 'node:os';

export const FIRST_PAUSE_MS = 5;
export const DEFAULT_INTERVAL_MS = 1000;

export type WaitCondition = { kind: 'exists' } | { kind: 'equals'; value: Uint8Array } | { kind: 'changed'; from: Uint8Array | null };

/** Whether the value now (null: no such key) meets the condition. --changed: present and unlike the value at start. */
export function met(cond: WaitCondition, now: Uint8Array | null): now is Uint8Array {
  if (now === null) return false;
  if (cond.kind === 'exists') return true;
  if (cond.kind === 'equals') return Buffer.from(now).equals(cond.value);
  return cond.from === null || !Buffer.from(now).equals(cond.from);
}

/** The pauses: FIRST_PAUSE_MS (or the ceiling, when lower), doubling up to the ceiling. */
export function nextPause(previous: number | null, ceiling: number): number {
  return previous === null ? Math.min(FIRST_PAUSE_MS, ceiling) : Math.min(previous * 2, ceiling);
}

export type WaitResult = { kind: 'met'; value: Uint8Array } | { kind: 'timeout'; value: Uint8Array | null } | { kind: 'signal'; signal: NodeJS.Signals; status: number };

export interface WaitOptions {
  /** how long to wait in ms; Infinity: until met */
  timeoutMs: number;
  /** the ceiling of the pause in ms */
  intervalMs: number;
  /** the clock (ms), for tests */
  now?: () => number;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Polls until cond is met, the time is up or SIGINT/SIGTERM/SIGHUP comes
 * (then: status 128 + its number). `poll` answers the value now, null when
 * there is none. `first` is a value already read (--changed reads one to compare with).
 */
export async function waitFor(poll: () => Promise<Uint8Array | null>, cond: WaitCondition, opts: WaitOptions, first?: Uint8Array | null): Promise<WaitResult> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  let caught: NodeJS.Signals | null = null;
  let wake: (() => void) | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    caught ??= s;
    wake?.();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  const stopped = (): WaitResult | null => (caught ? { kind: 'signal', signal: caught, status: 128 + (constants.signals[caught] ?? 0) } : null);
  try {
    let value = first !== undefined ? first : await poll();
    let pause: number | null = null;
    for (;;) {
      if (met(cond, value)) return { kind: 'met', value };
      const stop = stopped();
      if (stop) return stop;
      const left = deadline - now();
      if (left <= 0) return { kind: 'timeout', value };
      pause = nextPause(pause, opts.intervalMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(pause!, left));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
      const stopNow = stopped();
      if (stopNow) return stopNow;
      value = await poll();
    }
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
