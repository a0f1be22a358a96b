// `vmt sim serve` from its options: the host model's RPCI endpoint and
// guestinfo store (the same as `vmt sim`'s), the server loop, and a stop on
// --timeout or a signal. Resolves with the exit status.
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { RpciEndpoint } from './host/rpci.js';
import type { TranscriptEntry } from './host/transcript.js';
import { simConfig, simStore, SimInputError, type SimOptions } from './run.js';
import { VsockServer } from './serve.js';
import { vsockServeIo } from './serve-io.js';
import { parseVsockFaults } from './host/vsock-faults.js';

export interface ServeRunOptions extends Omit<SimOptions, 'program' | 'allowSetClock' | 'hb' | 'faults' | 'tcloIntervalMs' | 'clockOffsetSeconds'> {
  rpciPort?: number;
  tcloPort?: number;
  privilegedOnly: boolean;
  /** --fault: the hostile vsock peers (src/sim/host/vsock-faults.ts) */
  vsockFaults?: string[];
  /** said on stderr once the sockets listen */
  ready(text: string): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const IDLE_SLEEP_MS = 2;

export async function runServe(o: ServeRunOptions): Promise<number> {
  if (o.rpciPort === undefined && o.tcloPort === undefined) throw new SimInputError('nothing to serve: give --vsock-rpci PORT, --vsock-tclo PORT, or both');
  const config = simConfig({ ...o, program: [] });
  let faults;
  try {
    faults = (o.vsockFaults ?? []).flatMap((f) => parseVsockFaults(f));
  } catch (err) {
    throw new SimInputError(`--fault: ${(err as Error).message}`);
  }
  const store = simStore({ ...o, program: [] });
  let fd: number | null = null;
  if (o.transcript !== undefined) {
    try {
      fd = openSync(o.transcript, 'w');
    } catch (err) {
      throw new SimInputError(`--transcript ${o.transcript}: ${(err as Error).message}`);
    }
  }
  const emit = (e: TranscriptEntry) => fd !== null && writeSync(fd, `${JSON.stringify(e)}\n`);
  const rpci = new RpciEndpoint(config, store, emit, () => {});
  const server = new VsockServer(await vsockServeIo(), rpci, emit, { rpciPort: o.rpciPort, tcloPort: o.tcloPort, privilegedOnly: o.privilegedOnly, tclo: config.tclo, faults });
  let stopped: NodeJS.Signals | 'timeout' | null = null;
  const stop = (why: NodeJS.Signals | 'timeout') => (stopped ??= why);
  for (const s of SIGNALS) process.on(s, stop);
  const timer = o.timeoutSeconds ? setTimeout(() => stop('timeout'), o.timeoutSeconds * 1000) : null;
  const where = [o.rpciPort !== undefined ? `RPCI on any:${o.rpciPort}` : '', o.tcloPort !== undefined ? `TCLO on any:${o.tcloPort}` : ''].filter(Boolean).join(', ');
  const hostile = faults.length ? `; hostile: ${faults.map((f) => (f.n === undefined ? f.mode : `${f.mode}:${f.n}`)).join(', ')}` : '';
  o.ready(`serving ${where}${o.privilegedOnly ? ' (RPCI from privileged ports only)' : ''}${hostile}`);
  try {
    while (stopped === null) {
      if (!server.step()) await new Promise((r) => setTimeout(r, IDLE_SLEEP_MS));
      else await new Promise((r) => setImmediate(r));
    }
  } finally {
    server.close();
    if (timer) clearTimeout(timer);
    for (const s of SIGNALS) process.off(s, stop);
    if (fd !== null) closeSync(fd);
  }
  return stopped === 'timeout' ? 0 : 128 + (constants.signals[stopped as NodeJS.Signals] ?? 0);
}
