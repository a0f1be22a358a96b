import { Args, Flags } from '@oclif/core';
import { VmtCommand } from '../src/cli/base.js';
import { deviceVerb, verbFlags } from '../src/cli/devices.js';
import { exitParagraph, type ExitStatus } from '../src/cli/exit.js';

const EXIT: ExitStatus = [
  [0, 'detached (or, with --dry-run, would detach)'],
  [1, 'nothing to do: already detached'],
  [2, 'usage, or no such device (the message lists the VMware devices here)'],
  [3, 'not root; refused by a guard rail (the default route, a mounted filesystem, swap; --force overrides); no /dev/drvctl or /dev/devctl2 (BSD); another operating system'],
  [4, 'the kernel refused part-way; what was detached before it was put back'],
];

export default class Detach extends VmtCommand {
  static summary = 'Detach a VMware device from its driver (drvctl -d style).';
  static description = `DEVICE is a PCI address (0000:0b:00.0 or 0b:00.0), a network interface (ens192: its device), or a driver name (vmxnet3: every VMware device it binds). On Linux the device is unbound from its driver through sysfs (/sys/bus/pci/drivers/DRIVER/unbind); with --rescan it is removed from the bus instead (/sys/bus/pci/devices/ADDRESS/remove), so that vmt attach --rescan probes it afresh. What was bound is kept in /run/vmt/detached.json (XDG_RUNTIME_DIR if set), so vmt attach restores the same binding. On NetBSD DEVICE is a device name (vmt0: frees the TCLO channel for vmtoolsd) and the detach goes through /dev/drvctl (DRVDETACHDEV), its parent remembered for attach; on FreeBSD through /dev/devctl2 (DEV_DETACH, --force for a forced detach). The BSD paths are written from the kernels' sources and have not run on a real BSD.

Guard rails (Linux): vmt detach refuses, unless --force, to detach the network device that holds the default route, or a storage adapter with a mounted filesystem or active swap on its disks; nothing is changed then. It must run as root (except --dry-run). If the kernel refuses part-way, the devices already detached are bound again.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'detach DEVICE... [--rescan] [--force] [--dry-run] [--json]';
  static strict = false;
  static examples = [
    { description: 'Free the second NIC', command: '<%= config.bin %> detach ens224' },
    { description: 'What would be written, without root', command: '<%= config.bin %> detach vmxnet3 --dry-run' },
    { description: 'Remove a PVSCSI adapter from the bus (attach --rescan brings it back)', command: '<%= config.bin %> detach 0000:03:00.0 --rescan' },
  ];
  static args = { device: Args.string({ description: 'PCI address, interface or driver name', required: true }) };
  static flags = {
    ...verbFlags,
    force: Flags.boolean({ description: 'detach even the device of the default route, or of a mounted filesystem or swap' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Detach);
    const out = await deviceVerb('detach', argv as string[], flags);
    for (const n of out.notes) this.note(n);
    if (flags.json) this.printJson(out.json);
    else for (const l of out.lines) this.print(l);
    this.setExit(out.exit);
  }
}
