import { Args, Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { exitParagraph, UsageError, VmtError, type ExitStatus } from '../../src/cli/exit.js';
import { numberFlag, numberFlagWithDefault } from '../../src/cli/flags.js';
import { AddressError, formatAddress, parseAddress, type VsockAddress } from '../../src/vsock/address.js';
import { catSession, type CatOptions } from '../../src/vsock/cat.js';
import { connect, listen, VsockError } from '../../src/vsock/socket.js';

const EXIT: ExitStatus = [
  [0, 'both directions finished (-l -k runs until a signal: 128+N)'],
  [2, 'usage or a bad address'],
  [3, 'vsock is not available here: no vsock support or no transport in this kernel, AF_VSOCK refused by a container or seccomp profile (or by VMT_VSOCK_FORBID), a privileged or busy port to listen on'],
  [4, 'failed part-way: nobody listens there, the connection was reset, the connect or idle timeout passed, or a transfer failed'],
  ['128+N', 'stopped by signal N (the socket is closed first)'],
];

export default class VsockCat extends VmtCommand {
  static summary = 'Connect standard input and output to a vsock stream (netcat for AF_VSOCK).';
  static description = `Connects to CID:PORT (or with -l waits for one connection at [CID:]PORT) and copies standard input to the socket and the socket to standard output, byte for byte. CIDs may be given by name: hypervisor (0), local (1), host (2), any (-1).

Half-close: at the end of standard input vmt shuts the socket for writing (the peer reads end-of-stream) and keeps reading; at the peer's end-of-stream it stops writing standard output and keeps sending. vmt ends when both directions are done, when a transfer fails, or after --idle-timeout SECONDS without a byte moving.

-l accepts one connection; -l -k keeps accepting, one client at a time (standard input is read by the first). --exec CMD connects the peer to CMD instead: the socket becomes CMD's standard input and output (CMD split on spaces, no shell; --shell runs it with sh -c); a new CMD for every client with -k.

--privileged connects from a port below 1024, counting down from 1023 past ports in use (and past up to 8 resets by the peer), as VMware Tools connect to the VMX, which trusts only privileged ports; without root it falls back to an ordinary port.

--stats prints a summary line on standard error at the end (the peer, bytes sent and received, seconds); standard output carries only the data. On a terminal, standard error shows a progress line during long transfers.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'vsock cat [--connect-timeout SECONDS] [--idle-timeout SECONDS] [--exec CMD [--shell]] [--stats] [--privileged] CID:PORT | -l [-k] [...] [CID:]PORT';
  static examples = [
    { description: 'Send a file to a listener on the host, read its answer', command: '<%= config.bin %> vsock cat host:5000 < request.bin > reply.bin' },
    { description: 'Receive one stream on port 5000', command: '<%= config.bin %> vsock cat -l 5000 > received.bin' },
    { description: 'A loopback test (vsock_loopback, CID 1)', command: '<%= config.bin %> vsock cat -l 5000 & echo hello | <%= config.bin %> vsock cat local:5000' },
    { description: 'An echo service, one client at a time', command: '<%= config.bin %> vsock cat -l -k --exec cat 5000' },
  ];
  static args = {
    address: Args.string({ description: 'CID:PORT to connect to; with -l, [CID:]PORT to listen at', ignoreStdin: true }),
  };
  static flags = {
    listen: Flags.boolean({ char: 'l', description: 'wait for a connection at [CID:]PORT instead of connecting' }),
    keep: Flags.boolean({ char: 'k', description: 'with -l: keep accepting, one client at a time' }),
    'connect-timeout': numberFlagWithDefault({ description: 'give up connecting after SECONDS', unit: 'seconds', above: 0, default: 10 }),
    'idle-timeout': numberFlag({ description: 'end after SECONDS without a byte moving (default: never)', unit: 'seconds', above: 0 }),
    exec: Flags.string({ description: "connect the peer to CMD's standard input and output (split on spaces, no shell)" }),
    shell: Flags.boolean({ description: 'with --exec: run CMD with sh -c' }),
    stats: Flags.boolean({ description: 'print the peer and the bytes each way on standard error at the end' }),
    privileged: Flags.boolean({ description: 'connect from a privileged port (1023 down; root), as VMware Tools do to reach the VMX' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(VsockCat);
    if (args.address === undefined) throw new UsageError(flags.listen ? 'missing [CID:]PORT to listen at' : 'missing CID:PORT to connect to');
    if (flags.keep && !flags.listen) throw new UsageError('-k (--keep) goes with -l (--listen)');
    if (flags.privileged && flags.listen) throw new UsageError('--privileged is for connecting, not with -l (--listen)');
    if (flags.shell && flags.exec === undefined) throw new UsageError('--shell goes with --exec CMD');
    if (flags.exec !== undefined && flags.exec.trim() === '') throw new UsageError('--exec wants a command, not an empty string');
    let address: VsockAddress;
    try {
      address = parseAddress(args.address, { listen: flags.listen });
    } catch (err) {
      if (err instanceof AddressError) throw new UsageError(err.message);
      throw err;
    }
    const opts: CatOptions = {
      idleMs: flags['idle-timeout'] === undefined ? 0 : Math.ceil(flags['idle-timeout'] * 1000),
      exec: flags.exec === undefined ? undefined : flags.shell ? ['sh', '-c', flags.exec] : flags.exec.trim().split(/\s+/),
      stats: flags.stats,
      note: (text) => this.note(text),
    };
    try {
      if (!flags.listen) {
        const socket = await connect(address, { timeoutMs: Math.ceil(flags['connect-timeout'] * 1000), privileged: flags.privileged });
        if (flags.stats) this.note(`connected from ${formatAddress(socket.local)}`);
        return this.setExit(await catSession(socket, opts));
      }
      const listener = await listen(address);
      try {
        if (flags.stats) this.note(`listening at ${formatAddress(listener.local)}`);
        do {
          const socket = await catSession.accept(listener);
          if (typeof socket === 'number') return this.setExit(socket); // a signal
          let status: number;
          try {
            status = await catSession(socket, opts);
          } catch (err) {
            if (!(err instanceof VsockError) || !flags.keep) throw err;
            this.note(`${err.message}; waiting for the next client`);
            continue;
          }
          if (status >= 128 || !flags.keep) return this.setExit(status);
        } while (flags.keep);
      } finally {
        listener.close();
      }
    } catch (err) {
      if (err instanceof VsockError) throw new VmtError(err.message, err.exit);
      throw err;
    }
  }
}
