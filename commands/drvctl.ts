import { VmtCommand } from '../src/cli/base.js';
import { drvctl } from '../src/cli/drvctl.js';
import { exitParagraph, type ExitStatus } from '../src/cli/exit.js';
import { parseDrvctlArgs } from '../src/devices/drvctl-args.js';

const EXIT: ExitStatus = [
  [0, 'done'],
  [1, 'nothing to do (already detached), or nothing listed'],
  [2, 'usage: drvctl(8)\'s flags, or no such device'],
  [3, 'not root; an action vmt does not perform (-Q, -R, -S, -G; -p on NetBSD); refused by a guard rail'],
  [4, 'the kernel refused part-way'],
];

export default class Drvctl extends VmtCommand {
  static summary = "NetBSD drvctl(8)'s flags, mapped onto vmt detach, attach and devices.";
  static description = `For people who know NetBSD's tool: -d DEVICE is vmt detach DEVICE (with its guard rails); -r [-a ATTR] BUS [LOCATOR ...] rescans a bus (NetBSD: DRVRESCANBUS, so -r -a cpufeaturebus cpu0 attaches vmt0 again; Linux: -r pci0 attaches every device vmt detached, as vmt attach does, or else writes /sys/bus/pci/rescan); -l [DEVICE] lists (NetBSD: the children, -t the tree, -n names only; Linux: the VMware PCI devices as "DRIVER ADDRESS"); -p DEVICE [PROPERTY] prints a device's facts as JSON (Linux; PROPERTY a path such as net/0/name). -Q, -R, -S and -G are not performed (exit 3, naming the drvctl command to use). On Linux --sysfs-root DIR and --proc-root DIR may come first, for tests.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = ['drvctl -d DEVICE', 'drvctl -r [-a ATTRIBUTE] BUS [LOCATOR ...]', 'drvctl [-nt] -l [DEVICE]', 'drvctl [-n] -p DEVICE [PROPERTY]'];
  static strict = false;
  static examples = [
    { description: 'Free TCLO for vmtoolsd on NetBSD (vmt detach vmt0)', command: '<%= config.bin %> drvctl -d vmt0' },
    { description: 'Attach vmt0 again afterwards', command: '<%= config.bin %> drvctl -r -a cpufeaturebus cpu0' },
    { description: 'Linux: the VMware PCI devices and their drivers', command: '<%= config.bin %> drvctl -l' },
  ];

  async run(): Promise<void> {
    const argv = [...this.commandLine];
    const roots: { 'sysfs-root'?: string; 'proc-root'?: string } = {};
    while (argv[0] === '--sysfs-root' || argv[0] === '--proc-root') {
      const flag = argv.shift()!.slice(2) as 'sysfs-root' | 'proc-root';
      roots[flag] = argv.shift();
    }
    const out = await drvctl(parseDrvctlArgs(argv), roots);
    for (const n of out.notes) this.note(n);
    for (const l of out.lines) this.print(l);
    this.setExit(out.exit);
  }
}
