import { Args, Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { UsageError } from '../../src/cli/exit.js';
import type { TransportChoice } from '../../src/cli/guestrpc.js';
import { bytes, readInput } from '../../src/cli/input.js';
import { runRpc } from '../../src/cli/rpc-run.js';

export default class Rpc extends VmtCommand {
  static summary = 'Send one GuestRPC (RPCI) command to the VMware host and print its reply.';
  static description = `Sends COMMAND -- for example "info-get guestinfo.metadata" or "info-set guestinfo.ip 10.0.0.5" -- over the backdoor message channel (high-bandwidth when the host offers it), and prints the host's reply. The channel is opened for this request and always closed again, also on errors and signals. Replies are binary-safe. A command without arguments gets the trailing space old hosts want. The host accepts at most 64 KiB from the guest; a longer request is refused before anything is sent.

Give the command as one argument, or with -f FILE (-f - reads standard input) for large or binary payloads.

Exit status: 0 the host answered "1 " (success; the reply on stdout), 1 the host answered "0 " (the reply, e.g. "No value found", on stderr), 2 usage or bad input (empty command, over 64 KiB), 3 not on VMware or no GuestRPC channel here, 4 the channel failed part-way.`;
  static usage = 'rpc [COMMAND | -f FILE] [--json] [--transport auto|backdoor|vsock]';
  static examples = [
    { description: 'Read a guestinfo variable', command: '<%= config.bin %> rpc "info-get guestinfo.metadata"' },
    { description: 'Report an address to vSphere', command: '<%= config.bin %> rpc "info-set guestinfo.ip 10.0.0.5"' },
    { description: 'A large payload from a file', command: '<%= config.bin %> rpc -f request.txt' },
    { description: 'For scripts', command: '<%= config.bin %> rpc --json "info-get guestinfo.userdata"' },
  ];
  static args = {
    command: Args.string({ description: 'the RPCI command, as one argument (quote it)', ignoreStdin: true }),
  };
  static flags = {
    file: Flags.string({ char: 'f', description: 'read the command from FILE (- for standard input), as bytes' }),
    json: Flags.boolean({ description: 'print one JSON document: {"ok", "reply", "transport"} (and "reply_base64" when the reply is not UTF-8)' }),
    transport: Flags.string({ description: 'how to reach the host (vsock is not available yet)', options: ['auto', 'backdoor', 'vsock'], default: 'auto' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(this.constructor as typeof Rpc);
    if (args.command !== undefined && flags.file !== undefined) throw new UsageError('give the command as an argument or with -f, not both');
    if (args.command === undefined && flags.file === undefined) throw new UsageError('no command: give it as an argument or with -f FILE');
    const command = flags.file !== undefined ? readInput(flags.file) : bytes(args.command!);
    this.setExit(await runRpc(command, { json: flags.json, transport: flags.transport as TransportChoice }, this.name()));
  }
}
