import { Args, Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { Exit, exitParagraph, UsageError, type ExitStatus } from '../../src/cli/exit.js';
import { sendRpc, type TransportChoice } from '../../src/cli/guestrpc.js';
import { isatty } from 'node:tty';
import { probeFlag, transportFlags } from '../../src/cli/flags.js';
import { bytes, readInput } from '../../src/cli/input.js';
import { jsonBytes, writeOut } from '../../src/cli/output.js';
import { guestinfoKey, keyProblem } from '../../src/guestrpc/guestinfo.js';

const EXIT: ExitStatus = [
  [0, 'set'],
  [1, 'the host refused ("0 ..." reply on stderr)'],
  [2, 'usage, or the request is over 64 KiB'],
  [3, 'not on VMware'],
  [4, 'the channel failed'],
];

export default class InfoSet extends VmtCommand {
  static summary = 'Set a guestinfo variable.';
  static description = `Sets KEY with "info-set guestinfo.KEY VALUE" (the "guestinfo." prefix is added when missing). The value comes from the argument, from -f FILE, or from standard input (-f -, or when no value is given and standard input is not a terminal). One trailing newline of a value read from a file or standard input is dropped, as hostctl(8) does, so "hostname | vmt info set hostname" stores the name alone; --raw keeps the bytes exactly. The whole request must fit in the 64 KiB the host accepts from the guest; a larger one is refused before anything is sent.

--json prints one JSON document with the keys key and ok (and the host's reply when it refused); a failure as an error object with message and exit.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'info set KEY [VALUE | -f FILE [--raw]] [--json] [--probe] [--transport auto|backdoor|vsock] [--vsock-endpoint CID:PORT]';
  static examples = [
    { description: 'Report an address', command: '<%= config.bin %> info set ip 10.0.0.5' },
    { description: 'From a command (its trailing newline is dropped)', command: 'hostname | <%= config.bin %> info set hostname' },
    { description: 'A file, byte for byte', command: '<%= config.bin %> info set blob -f blob.bin --raw' },
  ];
  static args = {
    key: Args.string({ description: 'the variable, with or without "guestinfo."', required: true, ignoreStdin: true }),
    value: Args.string({ description: 'the value (or use -f, or standard input)', ignoreStdin: true }),
  };
  static flags = {
    file: Flags.string({ char: 'f', description: 'read the value from FILE (- for standard input)' }),
    raw: Flags.boolean({ description: 'keep a trailing newline of a value read from a file or standard input' }),
    json: Flags.boolean({ description: 'print one JSON document (key, ok)' }),
    ...transportFlags,
    probe: probeFlag(),

  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InfoSet);
    // isatty(0), not process.stdin.isTTY: creating process.stdin makes a pipe non-blocking on node
    const key = guestinfoKey(args.key);
    const problem = keyProblem(key);
    if (problem) throw new UsageError(problem);
    if (args.value !== undefined && flags.file !== undefined) throw new UsageError('give the value as an argument or with -f, not both');
    if (args.value !== undefined && flags.raw) throw new UsageError('--raw applies to a value read with -f or from standard input');
    if (args.value === undefined && flags.file === undefined && isatty(0)) throw new UsageError('no value: give it as an argument, with -f FILE, or on standard input');
    const value = args.value !== undefined ? bytes(args.value) : await readInput(flags.file ?? '-', { raw: flags.raw });
    const r = await sendRpc(Uint8Array.from([...bytes(`info-set ${key} `), ...value]), { probe: flags.probe, transport: flags.transport as TransportChoice, vsockEndpoint: flags['vsock-endpoint'] });
    this.setExit(r.ok ? Exit.OK : Exit.NO);
    if (flags.json) return this.printJson({ key, ok: r.ok, ...(r.ok ? {} : { reply: jsonBytes(r.reply) }) });
    if (!r.ok) writeOut(2, r.reply);
  }
}
