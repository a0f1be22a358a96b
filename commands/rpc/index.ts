import { Args, Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { exitParagraph, UsageError, type ExitStatus } from '../../src/cli/exit.js';
import type { TransportChoice } from '../../src/cli/guestrpc.js';
import { probeFlag, transportFlags } from '../../src/cli/flags.js';
import { bytes, readInput } from '../../src/cli/input.js';
import { runRpcBatch } from '../../src/cli/rpc-batch.js';
import { RPC_USAGE, runRpc } from '../../src/cli/rpc-run.js';

const EXIT: ExitStatus = [
  [0, 'the host answered "1 " (success; the reply on stdout)'],
  [1, 'the host answered "0 " (the reply, e.g. "No value found", on stderr)'],
  [2, 'usage or bad input (empty command, over 64 KiB)'],
  [3, 'not on VMware, or no GuestRPC channel here'],
  [4, 'the channel failed part-way'],
];

export default class Rpc extends VmtCommand {
  static summary = 'Send one GuestRPC (RPCI) command to the VMware host and print its reply.';
  static description = `Sends COMMAND -- for example "info-get guestinfo.metadata" or "info-set guestinfo.ip 10.0.0.5" -- over the backdoor message channel (high-bandwidth when the host offers it) or over vsock (--transport vsock, and by default where VMware's VMCI vsock transport is loaded, falling back to the backdoor as vmtoolsd does; from a privileged source port when vmt may bind one, as secure-RPC hosts require), and prints the host's reply. The channel is opened for this request and always closed again, also on errors and signals. Replies are binary-safe. A command without arguments gets the trailing space old hosts want. The host accepts at most 64 KiB from the guest; a longer request is refused before anything is sent.

Give the command as one argument, or with -f FILE (-f - reads standard input) for large or binary payloads. One trailing newline of a command read with -f is dropped (as hostctl(8) does), so "echo 'info-get guestinfo.x' | vmt rpc -f -" works; --raw keeps the bytes exactly.

--json prints one JSON document with the keys ok, reply and transport; a reply that is not UTF-8 comes as an object whose base64 key holds it; a failure as an error object with message and exit.

--batch reads commands from standard input, one per line (-0: separated by NUL bytes, for commands that contain newlines), and prints one JSON line per command, in order, each as soon as its reply is in: {"ok", "reply", "transport"} as above, or {"ok": false, "error", "exit"} for a command that got no reply (exit 4) or a bad line (exit 2: empty, over 64 KiB; nothing sent). A failing command does not stop the batch. On the backdoor one channel serves the whole batch, as vmtoolsd keeps its channel; when the host closes or resets it (timeout, checkpoint, a cookie it no longer knows) a new one is opened. No command is lost or carried out twice: one is sent again only when the host provably did not take it (opening the channel or sending its size or bytes failed; up to three sends), and a failure while receiving the reply is reported with "may_have_run": true and never sent again -- the host may have carried it out. Over vsock every command is its own connection (the host closes it after each reply). SIGINT, SIGTERM and SIGHUP close the channel after the current command and exit 128 + N with every line printed whole.

${exitParagraph(EXIT)} With --batch: 4 if any command got no reply, else 2 if any line was bad, else 1 if the host answered "0 " to any, else 0; 3 stops the batch.`;
  static exitStatus = EXIT;
  static usage = RPC_USAGE;
  static aliases = ['rpc:send'];
  static examples = [
    { description: 'Read a guestinfo variable', command: '<%= config.bin %> rpc "info-get guestinfo.metadata"' },
    { description: 'Report an address to vSphere', command: '<%= config.bin %> rpc "info-set guestinfo.ip 10.0.0.5"' },
    { description: 'A large payload from a file', command: '<%= config.bin %> rpc -f request.txt' },
    { description: 'For scripts', command: '<%= config.bin %> rpc --json "info-get guestinfo.userdata"' },
    { description: 'Many commands on one channel, one JSON line each', command: 'printf \'info-get guestinfo.a\\ninfo-get guestinfo.b\\n\' | <%= config.bin %> rpc --batch' },
    { description: 'Over vsock only', command: '<%= config.bin %> rpc --transport vsock "info-get guestinfo.metadata"' },
  ];
  static args = {
    command: Args.string({ description: 'the RPCI command, as one argument (quote it)', ignoreStdin: true }),
  };
  static flags = {
    file: Flags.string({ char: 'f', description: 'read the command from FILE (- for standard input), as bytes' }),
    raw: Flags.boolean({ description: 'with -f: keep a trailing newline (it is dropped by default)', dependsOn: ['file'] }),
    json: Flags.boolean({ description: 'print one JSON document (ok, reply, transport); implied by --batch' }),
    batch: Flags.boolean({ description: 'read commands from standard input, one per line; one JSON line per reply, on one channel', exclusive: ['file', 'raw'] }),
    null: Flags.boolean({ description: 'with --batch: commands are separated by NUL bytes, not newlines (also -0)', dependsOn: ['batch'] }),
    probe: probeFlag(),
    ...transportFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Rpc, this.argv.map((a) => (a === '-0' ? '--null' : a)));
    const send = { transport: flags.transport as TransportChoice, probe: flags.probe, vsockEndpoint: flags['vsock-endpoint'] };
    if (flags.batch) {
      if (args.command !== undefined) throw new UsageError('--batch reads the commands from standard input: give none as an argument');
      return this.setExit(await runRpcBatch({ nul: flags.null, ...send }));
    }
    if (args.command !== undefined && flags.file !== undefined) throw new UsageError('give the command as an argument or with -f, not both');
    if (args.command === undefined && flags.file === undefined) throw new UsageError('no command: give it as an argument or with -f FILE');
    const command = flags.file !== undefined ? await readInput(flags.file, { raw: flags.raw }) : bytes(args.command!);
    this.setExit(await runRpc(command, { json: flags.json, transport: flags.transport as TransportChoice, probe: flags.probe, vsockEndpoint: flags['vsock-endpoint'] }));
  }
}
