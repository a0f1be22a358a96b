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
    await new Promise((resolve) => setImmediate(resolve)); // a signal that came during fn is dispatched now
    for (const s of SIGNALS) process.off(s, note);
    if (caught) process.exit(128 + (constants.signals[caught] ?? 0));
  }
}
