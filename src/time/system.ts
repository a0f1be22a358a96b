// The system's clock: the setter (libvmt's clock_settime) and the facts that
// explain a refusal. Commands get both from here, never from src/ffi.
import { CAP_SYS_TIME, hasCapability, processName, readProcStatus } from '../detect/proc.js';
import { loadLibvmt } from '../ffi/index.js';
import type { ClockFacts, ClockSetter } from './clock.js';

/** Sets CLOCK_REALTIME through libvmt: 0 or -errno. */
export async function systemClockSetter(): Promise<ClockSetter> {
  const lib = await loadLibvmt();
  return (seconds, microseconds) => lib.settime(seconds, microseconds);
}

/** This process's ClockFacts, from /proc (Linux); unknown elsewhere. */
export function readClockFacts(procDir = '/proc'): ClockFacts {
  const status = readProcStatus(procDir);
  const tracerPid = status?.tracerPid ?? 0;
  return { capSysTime: hasCapability(status, CAP_SYS_TIME), tracer: tracerPid > 0 ? processName(tracerPid, procDir) : null };
}
