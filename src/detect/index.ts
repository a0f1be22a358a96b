// Detection with side effects: gather the facts, knock if they allow it,
// and (when the backdoor answered) read what the host tells about itself.
import { NativeBackdoor, BackdoorFault, type Backdoor } from '../backdoor/backdoor.js';
import { getBiosUuid, getHwVersion, getMemSizeMB, getVersion } from '../backdoor/commands.js';
import { loadLibvmt } from '../ffi/index.js';
import { decide, shouldKnock, type CpuidFacts, type Facts, type Knock, type KnockPolicy, type PortAccess, type Verdict } from './detect.js';
import { readCpuid, readDmi, readPortAccess } from './facts.js';

export * from './detect.js';

/** Where facts come from; tests pass their own. */
export interface Platform {
  cpuid(): CpuidFacts | null;
  dmi(): Record<string, string>;
  /** absent: not known */
  ports?(): PortAccess | null;
  backdoor(): Backdoor;
}

export async function nativePlatform(): Promise<Platform> {
  const lib = await loadLibvmt();
  return { cpuid: () => readCpuid(lib), dmi: () => readDmi(), ports: () => readPortAccess(), backdoor: () => new NativeBackdoor(lib) };
}

export interface HostDetails {
  hardwareVersion: number | null;
  biosUuid: string | null;
  memoryMB: number | null;
}

export interface Probe {
  facts: Facts;
  knock: Knock | null;
  verdict: Verdict;
  /** set when the backdoor answered */
  backdoor: Backdoor | null;
}

export function knock(bd: Backdoor): Knock {
  try {
    const v = getVersion(bd);
    return v ? { kind: 'answered', ...v } : { kind: 'silent' };
  } catch (err) {
    if (err instanceof BackdoorFault) return { kind: 'fault', signal: err.signal };
    throw err;
  }
}

export function probe(platform: Platform, policy: KnockPolicy): Probe {
  const facts: Facts = { cpuid: platform.cpuid(), dmi: platform.dmi(), ports: platform.ports?.() ?? null };
  let bd: Backdoor | null = null;
  let k: Knock | null = null;
  if (shouldKnock(facts, policy)) {
    bd = platform.backdoor();
    k = knock(bd);
  }
  return { facts, knock: k, verdict: decide(facts, k), backdoor: k?.kind === 'answered' ? bd : null };
}

/** The optional facts a VMware host reports; each is null when the host does not implement its command. */
export function hostDetails(bd: Backdoor): HostDetails {
  return { hardwareVersion: getHwVersion(bd), biosUuid: getBiosUuid(bd), memoryMB: getMemSizeMB(bd) };
}
