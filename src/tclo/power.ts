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

export function run(argv: string[], op: PowerOp, hostCommand: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 2, 2], // never on our stdout, which may carry --json
      env: { ...process.env, VMT_TCLO_COMMAND: hostCommand, VMT_POWER_OP: op, VMT_POWER_STATE: String(STATE[op]) },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }, timeoutMs);
    const done = (status: number | null, signal: string | null) => {
      clearTimeout(timer);
      resolve({ command: argv.join(' '), status, signal, timedOut });
    };
    child.on('error', () => done(127, null));
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
