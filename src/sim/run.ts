// `vmt sim` from its options to the program's exit status: the simulated host
// (its configuration, guestinfo and transcript), the program's exact words and
// environment, and the tracer. Everything that can be wrong with the options
// is found before the program starts.
import { closeSync, openSync, writeSync } from 'node:fs';
import { runTraced } from './bridge.js';
import { exactEnvironment, exactWords } from './exact.js';
import { defaultConfig, GuestInfoStore, parseFaults, parseProduct, SimHost, type SimConfig } from './host/index.js';
import { initialGuestInfo } from './host/guestinfo.js';
import { statSettings } from './host/guestlib-stats.js';
import { errnoText, StateFileError, writeAtomically } from './host/store.js';
import { scanCacheDir, tracerPath } from './tracer.js';

/** Bad input, found before the program starts (`vmt sim` exits 2). */
export class SimInputError extends Error {}

export interface SimOptions {
  /** the program and its arguments: the last words of process.argv (their exact bytes are used) */
  program: string[];
  /** esx, workstation or a VMX type number */
  product?: string;
  hb?: boolean;
  faults?: string[];
  tclo?: string[];
  tcloIntervalMs?: number;
  clockOffsetSeconds?: number;
  /** KEY=VALUE */
  guestinfo?: string[];
  guestinfoFile?: string;
  /** guestlib figures, NAME=VALUE, or "none" (no guestlib) */
  stat?: string[];
  /** guestlib figures from a JSON object */
  statFile?: string;
  state?: string;
  transcript?: string;
  /** write the host's view of the guest (vSphere's VirtualMachine.guest) to FILE, JSON */
  hostView?: string;
  timeoutSeconds?: number;
  allowSetClock?: boolean;
}

const input = <T>(what: () => T, prefix = ''): T => {
  try {
    return what();
  } catch (err) {
    throw new SimInputError(`${prefix}${errnoText(err)}`);
  }
};

/** The host's configuration from the options; throws SimInputError. */
export function simConfig(o: SimOptions): SimConfig {
  const config = defaultConfig();
  config.vmxType = input(() => parseProduct(o.product ?? 'esx'));
  config.faults = input(() => (o.faults ?? []).flatMap((f) => parseFaults(f)), '--fault: ');
  config.hb = o.hb ?? true;
  config.tclo = o.tclo ?? [];
  if (config.tclo.some((c) => c === '')) throw new SimInputError('--tclo wants a command: an empty message is what a TCLO poll carries');
  config.tcloIntervalMs = o.tcloIntervalMs ?? 0;
  config.clockOffsetUs = Math.round((o.clockOffsetSeconds ?? 0) * 1e6);
  const stats = input(() => statSettings({ pairs: o.stat, file: o.statFile, hostMHz: config.tscHz / 1e6 }));
  config.guestlib = stats.guestlib;
  if (stats.speedMHz !== undefined) config.tscHz = stats.speedMHz * 1e6;
  return config;
}

/** The guestinfo store: --guestinfo-file, --guestinfo over it, kept in --state (written at once); throws SimInputError. */
export function simStore(o: SimOptions): GuestInfoStore {
  const initial = input(() => initialGuestInfo({ file: o.guestinfoFile, pairs: o.guestinfo }));
  try {
    return new GuestInfoStore(initial, o.state);
  } catch (err) {
    throw new SimInputError(err instanceof StateFileError ? `--state ${err.file}: ${err.problem}` : `--state ${o.state}: ${(err as Error).message}`);
  }
}

/** Runs the program against a simulated host; resolves with its exit status. Throws SimInputError for bad options, anything else when the sim fails. */
export async function runSim(o: SimOptions): Promise<number> {
  const config = simConfig(o);
  const store = simStore(o);
  const view = hostViewWriter(o.hostView);
  view?.write({}, true); // nothing reported yet
  const fd = o.transcript === undefined ? null : input(() => openSync(o.transcript!, 'w'), `--transcript ${o.transcript}: `);
  const host = new SimHost(config, store, fd === null ? undefined : (e) => writeSync(fd, `${JSON.stringify(e)}\n`));
  if (view) host.guest.onChange = (info) => view.write(info, false);
  try {
    return await runTraced(host, {
      tracer: tracerPath(),
      program: exactWords(o.program),
      env: exactEnvironment(),
      timeoutSeconds: o.timeoutSeconds,
      allowSetClock: o.allowSetClock,
      cacheDir: scanCacheDir(),
    });
  } finally {
    host.shutdown();
    if (fd !== null) closeSync(fd);
    view?.write(host.guest.toJSON(), true);
  }
}

/**
 * --host-view FILE: written at once (a FILE that cannot be written is bad
 * input, refused before the program starts), after every report that changes
 * the view, and at the end; each time atomically. A failure while the program
 * runs is left for the final write to report.
 */
function hostViewWriter(file: string | undefined) {
  if (file === undefined) return null;
  let seq = 0;
  let first = true;
  return {
    write(info: unknown, strict: boolean): void {
      try {
        writeAtomically(file, `${JSON.stringify(info, null, 2)}\n`, ++seq);
      } catch (err) {
        const problem = err instanceof StateFileError ? err.problem : errnoText(err);
        if (first) throw new SimInputError(`--host-view ${file}: ${problem}`);
        if (strict) throw new Error(`--host-view ${file}: ${problem}`);
      } finally {
        first = false;
      }
    },
  };
}
