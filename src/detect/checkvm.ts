// `vmt checkvm` without the CLI around it: probe, read the host details, and
// render the answer. Shared by commands/checkvm.ts (oclif) and src/fast.ts
// (the cold-start path that never loads oclif), so both print the same bytes.
import { hostDetails, nativePlatform, probe, type HostDetails, type KnockPolicy, type Probe } from './index.js';

export interface CheckvmResult {
  probe: Probe;
  details: HostDetails | null;
}

export async function checkvm(policy: KnockPolicy): Promise<CheckvmResult> {
  const p = probe(await nativePlatform(), policy);
  return { probe: p, details: p.backdoor ? hostDetails(p.backdoor) : null };
}

/** What `vmt checkvm` prints on stdout (text, or the --json document), newline-terminated. */
export function renderCheckvm({ probe: p, details }: CheckvmResult, json: boolean): string {
  const answered = p.knock?.kind === 'answered' ? p.knock : null;
  if (json) {
    const doc = {
      vmware: p.verdict.vmware,
      hypervisor: p.verdict.hypervisor,
      version: answered?.version ?? null,
      product: answered?.product ?? null,
      vmxType: answered?.vmxType ?? null,
      hardwareVersion: details?.hardwareVersion ?? null,
      biosUuid: details?.biosUuid ?? null,
      memoryMB: details?.memoryMB ?? null,
      knock: p.knock?.kind ?? 'skipped',
      reason: p.verdict.reason,
      cpuidSignature: p.facts.cpuid?.signature?.replace(/\0+$/, '') ?? null,
      dmi: p.facts.dmi,
    };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  if (!answered) return `${p.verdict.reason}\n`;
  const rows: [string, string | number | null | undefined][] = [
    ['backdoor protocol version', `${answered.version} (the backdoor interface's version, not the virtual hardware version)`],
    ['virtual hardware version', details?.hardwareVersion],
    ['BIOS UUID', details?.biosUuid],
    ['memory', details?.memoryMB != null ? `${details.memoryMB} MiB` : null],
    ['hypervisor (CPUID)', p.verdict.hypervisor],
  ];
  const lines = [`VMware ${answered.product === 'Unknown' ? 'product (type unknown)' : answered.product}: ${p.verdict.reason}`];
  for (const [k, v] of rows) if (v != null) lines.push(`  ${k.padEnd(26)} ${v}`);
  return `${lines.join('\n')}\n`;
}
