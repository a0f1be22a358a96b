import Rpc from './index.js';

export default class RpcSend extends Rpc {
  static summary = 'Send one GuestRPC (RPCI) command to the VMware host (the same as vmt rpc).';
  static args = Rpc.args;
  static flags = Rpc.flags;
  static usage = 'rpc send [COMMAND | -f FILE] [--json] [--transport auto|backdoor|vsock]';
  static examples = [{ description: 'Read a guestinfo variable', command: '<%= config.bin %> rpc send "info-get guestinfo.metadata"' }];
}
