// One `vmt vsock cat` session: standard input and output (or --exec's
// command) connected to a vsock stream, libvmt's pump run in steps so a
// progress line can be drawn and signals handled in between.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { formatAddress } from './address.js';
import { Pump, VsockError, type PumpCounts, type VsockListener, type VsockSocket } from './socket.js';

export interface CatOptions {
  /** 0: never */
  idleMs: number;
  /** argv of --exec (already split, or sh -c CMD) */
  exec?: string[];
  stats: boolean;
  note: (text: string) => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let caught: NodeJS.Signals | null = null;
let watching = false;

/** From now on SIGINT/SIGTERM/SIGHUP are noted, and the session in progress ends with 128+N. */
function watchSignals(): void {
  if (watching) return;
  watching = true;
  for (const s of SIGNALS) process.on(s, () => (caught ??= s));
}

const signalStatus = (): number | null => (caught ? 128 + (constants.signals[caught] ?? 0) : null);
const tick = () => new Promise((resolve) => setImmediate(resolve));
const STEP_MS = 100;

/** The next client, or the exit status of a signal that came while waiting. */
async function accept(listener: VsockListener): Promise<VsockSocket | number> {
  watchSignals();
  for (;;) {
    const socket = listener.accept(STEP_MS * 2);
    if (socket) return socket;
    await tick();
    const s = signalStatus();
    if (s !== null) return s;
  }
}

function summary(peer: string, c: PumpCounts | undefined, startedMs: number): string {
  const secs = ((Date.now() - startedMs) / 1000).toFixed(3);
  return c ? `${peer}: sent ${c.sent} bytes, received ${c.received} bytes in ${secs} s` : `${peer}: ${secs} s (bytes are not counted with --exec)`;
}

/** Runs one connection to its end; returns the exit status (VsockError for a failed transfer). Closes the socket. */
export async function catSession(socket: VsockSocket, opts: CatOptions): Promise<number> {
  watchSignals();
  const started = Date.now();
  const peer = formatAddress(socket.peer);
  try {
    if (opts.exec) {
      const status = await execSession(socket, opts.exec, opts);
      if (opts.stats) opts.note(summary(peer, undefined, started));
      return status;
    }
    const pump = new Pump(socket, 0, 1, { idleMs: opts.idleMs });
    const progress = wantsProgress(process.stderr) ? await startProgress(peer) : null;
    let counts: PumpCounts | undefined;
    try {
      for (;;) {
        counts = pump.step(STEP_MS);
        progress?.update(counts, started);
        if (counts.done) break;
        await tick();
        const s = signalStatus();
        if (s !== null) return s;
      }
    } catch (err) {
      const c = (err as { counts?: PumpCounts }).counts;
      if (opts.stats && err instanceof VsockError) opts.note(summary(peer, c, started));
      throw err;
    } finally {
      progress?.stop();
    }
    if (opts.stats) opts.note(summary(peer, counts, started));
    return 0;
  } finally {
    socket.close();
  }
}
catSession.accept = accept;

/** The socket as CMD's standard input and output (as ncat -e does); CMD's exit status is not vmt's. */
async function execSession(socket: VsockSocket, argv: string[], opts: CatOptions): Promise<number> {
  socket.lib.setBlocking(socket.fd, true); // the child reads and writes it as a plain stream
  const child = spawn(argv[0]!, argv.slice(1), { stdio: [socket.fd, socket.fd, 'inherit'] });
  const ended = new Promise<string | null>((resolve) => {
    child.on('error', (err) => resolve(`cannot run ${JSON.stringify(argv[0])}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    child.on('exit', () => resolve(null));
  });
  for (;;) {
    const r = await Promise.race([ended, new Promise<undefined>((resolve) => setTimeout(resolve, STEP_MS * 2))]);
    if (r === null) return 0;
    if (typeof r === 'string') throw new VsockError(r, 0, 'send', 4);
    const s = signalStatus();
    if (s !== null) {
      child.kill(caught!);
      await ended;
      return s;
    }
  }
}

interface Progress {
  update(c: PumpCounts, startedMs: number): void;
  stop(): void;
}

const MiB = 1024 * 1024;

/**
 * A progress line only on a terminal that knows its width: a serial console
 * reports 0 columns, and ora divides by the width to count the lines it must
 * clear (with 0 it clears forever, and the transfer stalls).
 */
export function wantsProgress(stream: { isTTY?: boolean; columns?: number }): boolean {
  return stream.isTTY === true && (stream.columns ?? 0) > 0;
}

/** A progress line on a terminal's stderr (ora, loaded only here), shown once a transfer lasts over a second. */
async function startProgress(peer: string): Promise<Progress> {
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: process.stderr, discardStdin: false, hideCursor: false });
  let shown = false;
  return {
    update(c, startedMs) {
      const secs = (Date.now() - startedMs) / 1000;
      if (secs < 1) return;
      const rate = (c.sent + c.received) / MiB / secs;
      spinner.text = `${peer}: sent ${(c.sent / MiB).toFixed(1)} MiB, received ${(c.received / MiB).toFixed(1)} MiB (${rate.toFixed(1)} MiB/s)`;
      if (!shown) {
        spinner.start();
        shown = true;
      }
    },
    stop() {
      if (shown) spinner.stop();
    },
  };
}
