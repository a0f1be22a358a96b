import { Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { exitParagraph, UsageError, type ExitStatus } from '../../src/cli/exit.js';
import { numberFlag } from '../../src/cli/flags.js';
import { write } from '../../src/cli/output.js';
import { SimInputError } from '../../src/sim/run.js';
import { runServe } from '../../src/sim/serve-run.js';
import { VsockError } from '../../src/vsock/socket.js';

const EXIT: ExitStatus = [
  [0, 'stopped by --timeout'],
  [2, 'usage (bad flags, a --state or --transcript file that cannot be written)'],
  [3, 'no vsock here, or the port cannot be bound (a port ≤ 1023 needs root)'],
  ['128+N', 'stopped by signal N'],
];

export default class SimServe extends VmtCommand {
  static summary = 'Serve the simulated VMware host over vsock: GuestRPC (RPCI, TCLO) for guest code under test.';
  static description = `Runs the same host model as vmt sim -- its guestinfo store, RPCI commands and TCLO queue -- as a vsock server, the VMX's end of GuestRPC over vsock: every packet a DataMap; RPCI requests answered one per packet (FAST_CLOSE honoured); each TCLO connection gets reset, then the --tclo commands one per reply, and the guest's PINGs are counted in the transcript. It listens on any CID; guest code reaches it with vmt rpc --transport vsock --vsock-endpoint 1:PORT over vsock_loopback.

Run it only inside a VM or a test guest: the vsock of a development machine may lead to its infrastructure host.

--privileged-only answers every RPCI from a source port over 1023 with "0 Permission denied", as hosts with secure RPC refuse unprivileged channels (the wording is the sim's).

--fault makes the host a hostile vsock peer (docs/limits.md says what vmt does under each mode): every DATA packet it sends -- RPCI replies and TCLO commands alike -- is built wrong. neglength: the PAYLOAD's DataMap length is -1; hugelength[:BYTES]: it is BYTES (default 2147483647) and only the real bytes follow; dupfield: PAYLOAD twice, the second a different value; unknownfield: two fields GuestRPC does not define come first (a packet a guest should accept); unknowntype: an entry of DataMap type 9 comes first; hugepacket[:BYTES]: the packet header announces BYTES (default 4294967295); lyingheader: the header announces 4096 bytes more than are sent; stallhalf: only the first half of the packet is sent. After hugepacket, lyingheader and stallhalf the host sends nothing more on that connection and keeps it open until the guest closes it. With several modes, each packet the host sends (on any connection) takes the next one in turn, the first packet the first mode; the transcript says which ("event":"fault").

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'sim serve [--vsock-rpci PORT] [--vsock-tclo PORT] [--privileged-only] [--guestinfo KEY=VALUE]... [--guestinfo-file FILE] [--state FILE] [--tclo COMMAND]... [--fault MODE[,MODE]...] [--transcript FILE] [--timeout SECONDS]';
  static examples = [
    { description: 'In a test guest: serve RPCI, then read guestinfo over vsock', command: '<%= config.bin %> sim serve --vsock-rpci 976 --guestinfo k=v & <%= config.bin %> rpc --transport vsock --vsock-endpoint 1:976 "info-get guestinfo.k"' },
    { description: 'A hostile peer: every reply carries a DataMap string length of -1', command: '<%= config.bin %> sim serve --vsock-rpci 976 --fault neglength --timeout 30' },
    { description: 'Drive a TCLO agent over vsock and record it', command: '<%= config.bin %> sim serve --vsock-tclo 975 --vsock-rpci 976 --tclo ping --transcript t.jsonl --timeout 30' },
  ];
  static flags = {
    'vsock-rpci': numberFlag({ description: 'serve RPCI on PORT (the VMX uses 976)', unit: 'port', above: 0, orEqual: true, integer: true }),
    'vsock-tclo': numberFlag({ description: 'serve TCLO on PORT (the VMX uses 975)', unit: 'port', above: 0, orEqual: true, integer: true }),
    'privileged-only': Flags.boolean({ description: 'refuse RPCI from unprivileged source ports (> 1023), as secure-RPC hosts do' }),
    guestinfo: Flags.string({ description: 'a guestinfo variable, KEY=VALUE (the "guestinfo." prefix is optional)', multiple: true }),
    'guestinfo-file': Flags.string({ description: 'guestinfo variables from a JSON object of strings (--guestinfo wins over it)' }),
    state: Flags.string({ description: 'keep guestinfo in FILE (JSON) across runs' }),
    tclo: Flags.string({ description: 'a host command for each TCLO connection after its reset; several go in the order given', multiple: true }),
    fault: Flags.string({
      description:
        'a hostile vsock peer: a comma-separated list of neglength, hugelength[:BYTES], dupfield, unknownfield, unknowntype, hugepacket[:BYTES], lyingheader, stallhalf (see above; several: each packet the host sends takes the next in turn)',
      multiple: true,
    }),
    transcript: Flags.string({ description: 'write one JSON line per connection event, RPC and TCLO message to FILE' }),
    timeout: numberFlag({ description: 'stop after SECONDS', unit: 'seconds', above: 0 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SimServe);
    try {
      this.setExit(
        await runServe({
          rpciPort: flags['vsock-rpci'],
          tcloPort: flags['vsock-tclo'],
          privilegedOnly: flags['privileged-only'],
          guestinfo: flags.guestinfo,
          guestinfoFile: flags['guestinfo-file'],
          state: flags.state,
          tclo: flags.tclo,
          transcript: flags.transcript,
          vsockFaults: flags.fault,
          timeoutSeconds: flags.timeout,
          ready: (text) => write(2, `vmt sim serve: ${text}\n`),
        }),
      );
    } catch (err) {
      if (err instanceof SimInputError) throw new UsageError(err.message);
      if (err instanceof VsockError) this.fail(err.message, err.exit);
      throw err;
    }
  }
}
