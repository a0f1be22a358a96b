// Fault injection: which message calls fail, and how. Calls are counted
// globally (all channels, all processes) from 1, in the order the host sees them.

export type FaultSpec =
  | { kind: 'cpt'; n: number } // the Nth payload call answers CPT
  | { kind: 'open'; n: number } // the Nth OPEN fails
  | { kind: 'timeout'; n: number } // the Nth message call answers TIMEOUT
  | { kind: 'nohb' } // no high-bandwidth path
  | { kind: 'random'; p: number; seed: number } // each payload call answers CPT with probability p
  | { kind: 'hostile'; mode: HostileMode; n?: number }; // a host that lies or misbehaves (docs/limits.md)

/**
 * The hostile hosts (issue 12): every one is on for the whole run.
 *  hugesize[:BYTES]  RECVSIZE announces BYTES (default 4294967295; at least 4 more than the message has)
 *  sizechange        the message shrinks to half (by 4 bytes at least) between RECVSIZE and the payload calls
 *  nodorecv          RECVSIZE answers SUCCESS and a size, without the DORECV ("more data") bit
 *  cptforever        every payload call answers CPT
 *  cptlast[:BYTES]   RECVSIZE announces BYTES (default: the message's size; the message is padded with
 *                    zeros to it) and the host moves all of it but answers CPT on the last payload call
 *                    (LB: the last RECVPAYLOAD; HB: the transfer): every attempt is a whole transfer lost
 *  hbshort           an HB receive moves half the bytes asked for and still answers SUCCESS
 *  hostile           every info-get and machine.id.get answers HOSTILE_VALUE (NUL, newlines, ANSI escapes, shell metacharacters)
 *  newcookie         a channel's cookie changes after its first SENDSIZE
 *  noclose           CLOSE answers failure and the channel stays open
 *  tclo64k           once its queue is empty, TCLO sends a 65536-byte command on every poll
 *  tclobinary[:SEED] once its queue is empty, TCLO sends 1..4096 random bytes on every poll
 *  resetstorm        once its queue is empty, TCLO sends `reset` on every poll
 */
export const HOSTILE_MODES = ['hugesize', 'sizechange', 'nodorecv', 'cptforever', 'cptlast', 'hbshort', 'hostile', 'newcookie', 'noclose', 'tclo64k', 'tclobinary', 'resetstorm'] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

/** What `hostile` answers every info-get / machine.id.get with: bytes a careless guest would mangle, show or run. */
export const HOSTILE_VALUE = Uint8Array.from(Buffer.from('a\0b\nc\r\x1b[2J\x1b]0;owned\x07$(reboot)`halt`;rm -rf /|&><*?\'"\\\n\0', 'latin1'));

/** The largest BYTES of cptlast: the sim pads the message to it (64 MiB: past the guest's 16 MiB limit, to see it refused). */
export const CPTLAST_MAX = 64 * 1024 * 1024;

const FORMS =
  'cpt@N, open@N, timeout@N, nohb, random@P[:SEED], hugesize[:BYTES], sizechange, nodorecv, cptforever, cptlast[:BYTES], hbshort, hostile, newcookie, noclose, tclo64k, tclobinary[:SEED], resetstorm' +
  ' (N an integer ≥ 1, 0 ≤ P ≤ 1, SEED and BYTES integers 0..4294967295, cptlast\'s BYTES at most 67108864)';

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
  const h = /^([a-z0-9]+)(?::(\d+))?$/.exec(part);
  if (h && (HOSTILE_MODES as readonly string[]).includes(h[1]!)) {
    const mode = h[1] as HostileMode;
    if (h[2] === undefined) return { kind: 'hostile', mode };
    const n = Number(h[2]);
    if (mode === 'cptlast') return n <= CPTLAST_MAX ? { kind: 'hostile', mode, n } : null; // the sim holds that many bytes
    return (mode === 'hugesize' || mode === 'tclobinary') && n <= 0xffffffff ? { kind: 'hostile', mode, n } : null;
  }
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
export function prng(seed: number): () => number {
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
  kind: 'cpt' | 'open' | 'timeout' | 'random' | 'cptforever' | 'cptlast';
  /** the counter that matched: message calls (timeout), OPENs (open), payload calls (cpt, random) */
  call: number;
}

/** Counts every message call and decides whether it fails. */
export class FaultPlan {
  readonly noHb: boolean;
  /** the hostile modes on, with their number (hugesize: BYTES, tclobinary: SEED) or undefined */
  readonly hostile = new Map<HostileMode, number | undefined>();
  private messages = 0;
  private opens = 0;
  private payloads = 0;
  private readonly at: Record<'cpt' | 'open' | 'timeout', Set<number>> = { cpt: new Set(), open: new Set(), timeout: new Set() };
  private readonly random: { p: number; next: () => number }[] = [];

  constructor(specs: FaultSpec[]) {
    this.noHb = specs.some((f) => f.kind === 'nohb');
    for (const f of specs) {
      if (f.kind === 'random') this.random.push({ p: f.p, next: prng(f.seed) });
      else if (f.kind === 'hostile') this.hostile.set(f.mode, f.n);
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
    if (pl && this.hostile.has('cptforever')) return { kind: 'cptforever', call: pl };
    return null;
  }
}
