// Shared settings for the property tests (test/unit/prop-*.test.ts). Each
// property states its own number of runs, tuned so that all of them together
// stay well under 30 s on a 2-core machine; VMT_PROP_SCALE=N multiplies them
// for a deeper run by hand (VMT_PROP_SEED=S replays one seed). A failure is
// fast-check's own report: the seed, the path and the shrunk counterexample.
import fc from 'fast-check';

const scale = Number(process.env.VMT_PROP_SCALE ?? 1);
const seed = process.env.VMT_PROP_SEED === undefined ? undefined : Number(process.env.VMT_PROP_SEED);

/** fc.assert parameters: `numRuns` runs (times VMT_PROP_SCALE), the seed from VMT_PROP_SEED when set. */
export function runs(numRuns: number): fc.Parameters<unknown> {
  return { numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))), ...(seed !== undefined && Number.isFinite(seed) ? { seed } : {}) };
}

/** An error of exactly one of `classes` (and no other), for "never throws anything but X". */
export function onlyThrows(f: () => unknown, ...classes: (abstract new (...a: never[]) => Error)[]): unknown {
  try {
    return f();
  } catch (e) {
    if (classes.some((c) => e instanceof c)) return e;
    throw new Error(`threw ${(e as Error)?.constructor?.name ?? typeof e} (${(e as Error)?.message ?? String(e)}), not ${classes.map((c) => c.name).join(' or ')}`);
  }
}

/** 32-bit values a hostile peer likes: the edges, sizes near 0, and anything. */
export const hostileU32 = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 8, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x10000, 0xffff, 0x1000000, 0x1000001),
  fc.integer({ min: 0, max: 64 }),
  fc.nat({ max: 0xffffffff }).map((n) => n >>> 0),
);
