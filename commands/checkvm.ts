import { Flags } from '@oclif/core';
import { VmtCommand } from '../src/cli/base.js';
import { exitParagraph, type ExitStatus } from '../src/cli/exit.js';
import { checkvm, renderCheckvm } from '../src/detect/checkvm.js';

const EXIT: ExitStatus = [
  [0, 'the VMware backdoor answered'],
  [1, 'not VMware'],
  [2, 'usage'],
  [3, 'cannot tell (knocking was not allowed, or VMware hardware whose backdoor does not answer)'],
];

export default class CheckVm extends VmtCommand {
  static summary = 'Tell whether this machine is a VMware VM, and what the host says about itself.';
  static description = `Decides in two stages, as systemd-detect-virt and open-vm-tools do: first the CPUID hypervisor signature and the DMI strings, then -- only when those allow it (a VMware signature, or none, or one vmt does not know) -- a GETVERSION knock on the backdoor port, guarded so that a fault off VMware is an answer, not a crash.

The "backdoor protocol version" is the version of the backdoor interface (6 on every VMware product), not the virtual hardware version; vmt reports the hardware version separately when the host tells it.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
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
    const r = await checkvm(flags.probe ? 'always' : flags.knock ? 'auto' : 'never');
    this.setExit(r.probe.verdict.exit);
    if (!flags.quiet) this.print(renderCheckvm(r, flags.json));
  }
}
