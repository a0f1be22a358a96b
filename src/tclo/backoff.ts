// How long to wait before polling TCLO again: at once after a command (the
// host may have queued several), then 10, 20, 40, 80 ms and 100 ms from then
// on while idle, as vmtoolsd does (RPCIN_MAX_DELAY); 1 s after a channel error.
export const MAX_IDLE_MS = 100;
export const ERROR_RETRY_MS = 1000;

export function nextDelay(previousMs: number): number {
  return previousMs <= 0 ? 10 : Math.min(previousMs * 2, MAX_IDLE_MS);
}
