import { Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { exitParagraph, VmtError, type ExitStatus } from '../../src/cli/exit.js';
import { localCid, VsockError } from '../../src/vsock/socket.js';
import { loadedTransports, TRANSPORTS } from '../../src/vsock/transports.js';

const EXIT: ExitStatus = [
  [0, 'the CID is on stdout'],
  [2, 'usage'],
  [3, 'no /dev/vsock (no vsock support loaded), no permission to open it, or vsock switched off by VMT_VSOCK_FORBID'],
];

export default class VsockCid extends VmtCommand {
  static summary = "Print this machine's vsock context ID (CID) and the vsock transports loaded.";
  static description = `Reads the local CID with the IOCTL_VM_SOCKETS_GET_LOCAL_CID ioctl on /dev/vsock (no socket is opened) and lists the transports loaded, from /sys/module: vmw_vsock_vmci_transport (VMware), vmw_vsock_virtio_transport (KVM/QEMU), vsock_loopback (CID 1, this machine), hv_sock (Hyper-V). A guest with no transport for its hypervisor answers with the CID 4294967295 (any).

Without --json the CID alone is on stdout, and the transports on stderr. --json prints one JSON document: cid, devVsock, vsock (the core module is loaded) and transports.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'vsock cid [--json]';
  static examples = [
    { description: "This guest's CID", command: '<%= config.bin %> vsock cid' },
    { description: 'For scripts', command: '<%= config.bin %> vsock cid --json' },
  ];
  static flags = {
    json: Flags.boolean({ description: 'print one JSON document (cid, vsock, transports)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VsockCid);
    const facts = loadedTransports();
    let cid: number;
    try {
      cid = await localCid();
    } catch (err) {
      if (err instanceof VsockError) throw new VmtError(err.message, err.exit);
      throw err;
    }
    if (flags.json) return this.printJson({ cid, devVsock: '/dev/vsock', vsock: facts.vsock, transports: facts.loaded });
    this.print(String(cid));
    const leads = (m: string) => TRANSPORTS.find((t) => t.module === m)?.leads;
    this.note(`transports: ${facts.loaded.length ? facts.loaded.map((m) => `${m} (${leads(m)})`).join(', ') : 'none loaded'}`);
  }
}
