// Fault injection: which message calls fail, and how. Calls are counted
// globally (all channels, all processes) from 1, in the order the host sees them.

export type FaultSpec =
  | { kind: 'cpt'; n: number } // the Nth payload call answers CPT
  | { kind: 'open'; n: number } // the Nth OPEN fails
  | { kind: 'timeout'; n: number } // the Nth message call answers TIMEOUT
  | { kind: 'nohb' } // no high-bandwidth path
  | { kind: 'random'; p: number; seed: number }; // each payload call answers CPT with probability p

const FORMS = 'cpt@N, open@N, timeout@N, nohb, random@P[:SEED] (N an integer ≥ 1, 0 ≤ P ≤ 1, SEED an integer 0..4294967295)';

/** "cpt@3,timeout@7,random@0.1:42" -> specs; throws naming the bad part (an empty spec or part is one). */
export function parseFaults(spec: string): FaultSpec[] {
  if (spec.trim() === '') throw new Error(`an empty fault spec: expected a comma-separated list of ${FORMS}`);
  const out: FaultSpec[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') throw new Error(`an empty fault in '${spec}': expected a comma-separated list of ${FORMS}`);
    const f = parseOne(part);
    if (!f) throw new Error(`bad fault '${part}' in '${spec}': expected a comma-separated list of ${FORMS}`);
    out.push(f);
  }
  return out;
}

function parseOne(part: string): FaultSpec | null {
  if (part === 'nohb') return { kind: 'nohb' };
  let m = /^(cpt|open|timeout)@([1-9]\d*)$/.exec(part);
  if (m) {
    const n = Number(m[2]);
    return Number.isSafeInteger(n) ? { kind: m[1] as 'cpt' | 'open' | 'timeout', n } : null;
  }
  m = /^random@([0-9.eE+-]+)(?::(\d+))?$/.exec(part);
  if (!m) return null;
  const p = Number(m[1]);
  const seed = m[2] === undefined ? 1 : Number(m[2]);
  if (!Number.isFinite(p) || p < 0 || p > 1 || seed > 0xffffffff) return null;
  return { kind: 'random', p, seed };
}

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type CallKind = 'open' | 'payload' | 'other';
export interface Fault {
  kind: 'cpt' | 'open' | 'timeout' | 'random';
  /** the counter that matched: message calls (timeout), OPENs (open), payload calls (cpt, random) */
  call: number;
}

/** Counts every message call and decides whether it fails. */
export class FaultPlan {
  readonly noHb: boolean;
  private messages = 0;
  private opens = 0;
  private payloads = 0;
  private readonly at: Record<'cpt' | 'open' | 'timeout', Set<number>> = { cpt: new Set(), open: new Set(), timeout: new Set() };
  private readonly random: { p: number; next: () => number }[] = [];

  constructor(specs: FaultSpec[]) {
    this.noHb = specs.some((f) => f.kind === 'nohb');
    for (const f of specs) {
      if (f.kind === 'random') this.random.push({ p: f.p, next: prng(f.seed) });
      else if (f.kind !== 'nohb') this.at[f.kind].add(f.n);
    }
  }

  /**
   * Called once per message call, before it is carried out. Every payload call
   * draws from each random generator, whether or not it fails for another
   * reason, so a seed gives the same sequence whatever else is configured.
   */
  check(kind: CallKind): Fault | null {
    const m = ++this.messages;
    const o = kind === 'open' ? ++this.opens : 0;
    const pl = kind === 'payload' ? ++this.payloads : 0;
    const drawn = kind === 'payload' ? this.random.map((r) => r.next() < r.p) : [];
    if (this.at.timeout.has(m)) return { kind: 'timeout', call: m };
    if (o && this.at.open.has(o)) return { kind: 'open', call: o };
    if (pl && this.at.cpt.has(pl)) return { kind: 'cpt', call: pl };
    if (drawn.includes(true)) return { kind: 'random', call: pl };
    return null;
  }
}
