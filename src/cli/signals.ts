// Keeping SIGINT/SIGTERM/SIGHUP from killing vmt in the middle of a channel
// transfer: the (synchronous) RPC finishes and closes its channel, then vmt
// exits with 128 + the signal's number.
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function withSignalsDeferred<T>(fn: () => T): Promise<T> {
  let caught: NodeJS.Signals | null = null;
  const note = (sig: NodeJS.Signals) => {
    caught ??= sig;
  };
  for (const s of SIGNALS) process.on(s, note);
  try {
    return fn();
  } finally {
    // a signal that came during fn is dispatched by the event loop; right after start-up the
    // runtimes take up to three iterations for it (measured on node, bun and deno)
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    for (const s of SIGNALS) process.off(s, note);
    if (caught) process.exit(128 + (constants.signals[caught] ?? 0));
  }
}

/** The exit status for a signal: 128 + its number. */
export const signalExit = (sig: NodeJS.Signals): number => 128 + (constants.signals[sig] ?? 0);

/**
 * `handler` for SIGINT/SIGTERM/SIGHUP until the returned function is called
 * (for a channel kept open across many requests: the handler closes it and
 * exits). Handlers run only between synchronous channel operations.
 */
export function onSignals(handler: (sig: NodeJS.Signals) => void): () => Promise<void> {
  for (const s of SIGNALS) process.on(s, handler);
  return async () => {
    // a signal already received is dispatched within three iterations (see above)
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    for (const s of SIGNALS) process.off(s, handler);
  };
}
