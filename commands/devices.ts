import { Flags } from '@oclif/core';
import { isatty } from 'node:tty';
import { VmtCommand } from '../src/cli/base.js';
import { rootFlags, rootsOf } from '../src/cli/devices.js';
import { devicesReport, reportLines, reportTable } from '../src/cli/devices-report.js';
import { Exit, exitParagraph, VmtError, type ExitStatus } from '../src/cli/exit.js';
import { loadLibvmt } from '../src/ffi/index.js';

const EXIT: ExitStatus = [
  [0, 'VMware devices or modules found'],
  [1, 'none: no VMware PCI device and no VMware module'],
  [2, 'usage'],
  [3, 'neither Linux nor NetBSD; on NetBSD, /dev/drvctl cannot be read'],
];

export default class Devices extends VmtCommand {
  static summary = 'List the VMware devices, their drivers and what they carry, the VMware modules, and who owns the TCLO channel.';
  static description = `The VMware PCI devices (vendor 15ad, and devices VMware emulates under its subsystem vendor such as the e1000): address, ID, name, the driver bound (or none, after vmt detach), and what each carries: network interfaces with their addresses and whether one holds the default route; SCSI hosts with their disks, partitions, mounted filesystems and swap. Then the VMware kernel modules loaded (vmw_vmci, vmw_vsock_vmci_transport, vmw_balloon, vmwgfx, vmw_pvscsi, vmxnet3, vmw_pvrdma), and who owns the TCLO channel (vmtoolsd by pid, the kernel's vmt(4), each vmt tclo listen by its pid file) -- the same look-up vmt tclo listen does before it starts.

On NetBSD the VMware devices come from drvctl's device tree (vmt0, vmx0, vmci0, pvscsi0) instead of PCI sysfs, with the TCLO owner; not yet run on a real NetBSD. On a terminal this is a table. In a pipe every line is one record, tab-separated, its kind first: "pci ADDRESS ID NAME DRIVER CARRIES", "module NAME", "tclo AGENT PID APP" (- where there is nothing). --json prints one document.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'devices [--json]';
  static examples = [
    { description: 'What this guest has', command: '<%= config.bin %> devices' },
    { description: 'The driver of every vmxnet3', command: "<%= config.bin %> devices | awk -F'\\t' '$1 == \"pci\" && $4 == \"vmxnet3\" {print $2, $5}'" },
    { description: 'Who holds TCLO', command: '<%= config.bin %> devices --json | jq .tclo' },
  ];
  static flags = {
    json: Flags.boolean({ description: 'print one JSON document (devices, modules, tclo)' }),
    ...rootFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Devices);
    const platform = process.platform;
    if (platform !== 'linux' && platform !== 'netbsd') throw new VmtError(`vmt devices reads Linux sysfs and NetBSD's drvctl tree, not ${platform}'s`, Exit.UNAVAILABLE);
    const report = devicesReport(rootsOf(flags), platform, platform === 'netbsd' ? { lib: await loadLibvmt() } : undefined);
    const found = report.devices.length + report.removed.length + report.modules.length > 0;
    if (flags.json) this.printJson(report);
    else if (isatty(1)) this.print(await reportTable(report));
    else if (found || report.tclo.length) this.print(reportLines(report).join('\n'));
    if (!found && !flags.json) this.note('no VMware PCI devices and no VMware modules here');
    this.setExit(found ? 0 : 1);
  }
}
