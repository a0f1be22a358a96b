// Host time as text, the one-shot clock step (vmt(4)'s clock sync), and why
// a step was refused. Pure: the system's setter and facts are in system.ts.
import type { HostTime } from '../backdoor/commands.js';

export type TimeFormat = 'iso' | 'epoch' | 'local';

const pad = (n: number, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, '0');

/** µs since the epoch, as an integer that stays exact (< 2^53). */
export function hostMicros(t: Pick<HostTime, 'seconds' | 'microseconds'>): number {
  return t.seconds * 1_000_000 + t.microseconds;
}

export function formatTime(seconds: number, microseconds: number, format: TimeFormat): string {
  const frac = pad(microseconds, 6);
  if (format === 'epoch') return `${seconds}.${frac}`;
  const d = new Date(seconds * 1000);
  if (format === 'iso') return `${d.toISOString().slice(0, 19)}.${frac}Z`;
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? '-' : '+'}${pad(off / 60)}:${pad(off % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${frac}${zone}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "05 Mar 2026 14:07:09": local time, as vmware-toolbox-cmd stat hosttime prints it (strftime "%d %b %Y %H:%M:%S", C locale). */
export function toolboxTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Sets CLOCK_REALTIME; returns 0 or -errno (libvmt's vmt_settime, or a test's fake). */
export type ClockSetter = (seconds: number, microseconds: number) => number;

export interface Step {
  /** guest − host before the step, µs */
  offsetUs: number;
  /** what the clock was set to, µs since the epoch */
  setToUs: number;
  errno: number;
}

/**
 * Step the guest clock to the host's. `host` was read when the monotonic clock
 * said `readAtMs`; the time elapsed since is added so the step lands on "now".
 */
export function stepClock(host: HostTime, offsetUs: number, readAtMs: number, nowMs: () => number, set: ClockSetter): Step {
  const setToUs = hostMicros(host) + Math.round((nowMs() - readAtMs) * 1000);
  const rc = set(Math.floor(setToUs / 1e6), setToUs % 1e6);
  return { offsetUs, setToUs, errno: rc < 0 ? -rc : 0 };
}

export const EPERM = 1;

/** What tells apart the reasons clock_settime says EPERM. */
export interface ClockFacts {
  /** CAP_SYS_TIME is in this process's effective set; null when not known */
  capSysTime: boolean | null;
  /** the name (comm) of the process tracing this one; null when none or not known */
  tracer: string | null;
}

/**
 * Why stepping the clock failed with `errno`, as words to follow "cannot step
 * the clock: ". EPERM without CAP_SYS_TIME means "not root"; with it,
 * something else refused: vmt sim's clock guard (its tracer, vmt-trace, is
 * tracing us) or a seccomp/container policy.
 */
export function stepFailure(errno: number, facts: ClockFacts): string {
  if (errno !== EPERM) return `clock_settime failed (errno ${errno})`;
  if (facts.capSysTime !== true) return 'not permitted (it needs root: CAP_SYS_TIME)';
  if (facts.tracer?.startsWith('vmt-trace')) return 'not permitted (vmt sim refused it; the sim lets a program set the clock only with --allow-set-clock)';
  return 'not permitted (vmt has CAP_SYS_TIME, so a seccomp or container policy refused it)';
}
