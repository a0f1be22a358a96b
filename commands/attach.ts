import { Args } from '@oclif/core';
import { VmtCommand } from '../src/cli/base.js';
import { deviceVerb, verbFlags } from '../src/cli/devices.js';
import { exitParagraph, type ExitStatus } from '../src/cli/exit.js';

const EXIT: ExitStatus = [
  [0, 'attached (or, with --dry-run, would attach)'],
  [1, 'nothing to do: already attached'],
  [2, 'usage, or no such device (the message lists the VMware devices here)'],
  [3, 'not root; the driver is not loaded; no /dev/drvctl or /dev/devctl2 (BSD); another operating system'],
  [4, 'the kernel refused, or the device did not come back bound'],
];

export default class Attach extends VmtCommand {
  static summary = 'Attach a VMware device to its driver again (drvctl -r style).';
  static description = `DEVICE is a PCI address (0000:0b:00.0 or 0b:00.0), an interface, or a driver name (every VMware device it bound before vmt detach, and every unbound VMware device it normally binds). On Linux the device is bound to the driver vmt detach recorded (/run/vmt/detached.json), else to the one VMware's PCI ID calls for: through /sys/bus/pci/drivers/DRIVER/bind, or driver_override and drivers_probe when a plain probe could pick another driver. A device vmt detach --rescan removed comes back through a bus rescan (/sys/bus/pci/rescan); --rescan also removes and rescans a present device for a fresh probe. vmt checks that the device is bound afterwards. On NetBSD the device's parent bus is rescanned (/dev/drvctl, DRVRESCANBUS; vmt0 at cpu0's cpufeaturebus, as drvctl -r -a cpufeaturebus cpu0 does); on FreeBSD /dev/devctl2 (DEV_ATTACH). The BSD paths have not run on a real BSD.

It must run as root (except --dry-run).

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'attach DEVICE... [--rescan] [--dry-run] [--json]';
  static strict = false;
  static examples = [
    { description: 'Bring back what vmt detach ens224 unbound', command: '<%= config.bin %> attach 0000:0b:00.0' },
    { description: 'Every device vmxnet3 had', command: '<%= config.bin %> attach vmxnet3' },
    { description: 'A fresh probe', command: '<%= config.bin %> attach 0000:03:00.0 --rescan' },
  ];
  static args = { device: Args.string({ description: 'PCI address, interface or driver name', required: true }) };
  static flags = verbFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Attach);
    const out = await deviceVerb('attach', argv as string[], flags);
    for (const n of out.notes) this.note(n);
    if (flags.json) this.printJson(out.json);
    else for (const l of out.lines) this.print(l);
    this.setExit(out.exit);
  }
}
