// Power operations. Safe by default: with nothing configured nothing runs and
// the host is told the operation failed. A hook is a user command run with
// `sh -c`; what the host sent reaches it only through the environment, never
// in the command text. --power-ops system adds the system's own halt/reboot,
// run after the host has been told (as the BSD drivers do).
import { spawn } from 'node:child_process';
import { STATE, type PowerOp } from './handlers.js';

export interface PowerConfig {
  hooks: Partial<Record<PowerOp, string>>;
  /** halt/reboot run `shutdown -h now` / `shutdown -r now` after a successful hook (or with none) */
  system: boolean;
  timeoutMs: number;
}

export interface Ran {
  command: string;
  status: number | null;
  signal: string | null;
  timedOut: boolean;
}

const SYSTEM: Partial<Record<PowerOp, string[]>> = { halt: ['shutdown', '-h', 'now'], reboot: ['shutdown', '-r', 'now'] };

export const systemAction = (op: PowerOp, config: PowerConfig): string[] | null => (config.system ? (SYSTEM[op] ?? null) : null);

/** Whether anything would run for op: with nothing, the agent reports failure at once. */
export const hasAction = (op: PowerOp, config: PowerConfig): boolean => Boolean(config.hooks[op] || systemAction(op, config));

/** The hooks running now, by process group, so a stop can end them. */
const running = new Set<number>();

/** Ends every running hook and what it started (SIGTERM to its process group, SIGKILL 2 s later). */
export function killHooks(): void {
  for (const pgid of running) killGroup(pgid);
}

function killGroup(pgid: number): void {
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  setTimeout(() => kill('SIGKILL'), 2000).unref();
}

export function run(argv: string[], op: PowerOp, hostCommand: string, timeoutMs: number): Promise<Ran> {
  // a command that cannot be executed: 127 not found, 126 anything else, as a shell reports it
  const notRun = (err: NodeJS.ErrnoException): Ran => ({ command: argv.join(' '), status: err.code === 'ENOENT' ? 127 : 126, signal: null, timedOut: false });
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        stdio: ['ignore', 2, 2], // never on our stdout, which may carry --json
        detached: true, // its own process group: a timeout ends everything it started
        env: { ...process.env, VMT_TCLO_COMMAND: hostCommand, VMT_POWER_OP: op, VMT_POWER_STATE: String(STATE[op]) },
      });
    } catch (err) {
      return resolve(notRun(err as NodeJS.ErrnoException)); // Bun throws where node emits 'error'
    }
    let timedOut = false;
    if (child.pid) running.add(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) killGroup(child.pid);
    }, timeoutMs);
    const done = (status: number | null, signal: string | null) => {
      clearTimeout(timer);
      if (child.pid) running.delete(child.pid);
      resolve({ command: argv.join(' '), status, signal, timedOut });
    };
    child.on('error', (err: NodeJS.ErrnoException) => done(notRun(err).status, null));
    child.on('exit', (code, signal) => done(code, signal));
  });
}

/** The hook of op, if one is configured: how it ended. */
export async function runHook(op: PowerOp, hostCommand: string, config: PowerConfig): Promise<Ran | null> {
  const hook = config.hooks[op];
  if (!hook) return null;
  const r = await run(['sh', '-c', hook], op, hostCommand, config.timeoutMs);
  return { ...r, command: hook };
}
