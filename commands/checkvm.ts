import { Flags } from '@oclif/core';
import { VmtCommand } from '../src/cli/base.js';
import { hostDetails, nativePlatform, probe, type KnockPolicy } from '../src/detect/index.js';

export default class CheckVm extends VmtCommand {
  static summary = 'Tell whether this machine is a VMware VM, and what the host says about itself.';
  static description = `Decides in two stages, as systemd-detect-virt and open-vm-tools do: first the CPUID hypervisor signature and the DMI strings, then -- only when those allow it (a VMware signature, or none, or one vmt does not know) -- a GETVERSION knock on the backdoor port, guarded so that a fault off VMware is an answer, not a crash.

The "backdoor protocol version" is the version of the backdoor interface (6 on every VMware product), not the virtual hardware version; vmt reports the hardware version separately when the host tells it.

Exit status: 0 the VMware backdoor answered, 1 not VMware, 2 usage, 3 cannot tell (knocking was not allowed, or VMware hardware whose backdoor does not answer).`;
  static usage = 'checkvm [--json | -q] [--probe | --no-knock]';
  static examples = [
    { description: 'Ask, and read the answer', command: '<%= config.bin %> checkvm' },
    { description: 'In a script', command: 'if <%= config.bin %> checkvm -q; then echo "on VMware"; fi' },
    { description: 'Knock even under another hypervisor (QEMU -machine vmport=on)', command: '<%= config.bin %> checkvm --probe --json' },
  ];
  static flags = {
    json: Flags.boolean({ description: 'print one JSON document: vmware, hypervisor, version, product, ...', exclusive: ['quiet'] }),
    quiet: Flags.boolean({ char: 'q', description: 'print nothing; the exit status is the answer' }),
    probe: Flags.boolean({ description: 'knock on the backdoor even when CPUID names another hypervisor', exclusive: ['knock'] }),
    knock: Flags.boolean({ description: 'knock on the backdoor when CPUID and DMI allow it (--no-knock: never knock)', allowNo: true, default: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CheckVm);
    const policy: KnockPolicy = flags.probe ? 'always' : flags.knock ? 'auto' : 'never';
    const p = probe(await nativePlatform(), policy);
    const answered = p.knock?.kind === 'answered' ? p.knock : null;
    const details = p.backdoor ? hostDetails(p.backdoor) : null;
    this.setExit(p.verdict.exit);
    if (flags.quiet) return;
    if (flags.json) {
      this.printJson({
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
      });
      return;
    }
    if (!answered) {
      this.print(p.verdict.reason);
      return;
    }
    const rows: [string, string | number | null | undefined][] = [
      ['backdoor protocol version', `${answered.version} (the backdoor interface's version, not the virtual hardware version)`],
      ['virtual hardware version', details?.hardwareVersion],
      ['BIOS UUID', details?.biosUuid],
      ['memory', details?.memoryMB != null ? `${details.memoryMB} MiB` : null],
      ['hypervisor (CPUID)', p.verdict.hypervisor],
    ];
    this.print(`VMware ${answered.product === 'Unknown' ? 'product (type unknown)' : answered.product}: ${p.verdict.reason}`);
    for (const [k, v] of rows) if (v != null) this.print(`  ${k.padEnd(26)} ${v}`);
  }
}
