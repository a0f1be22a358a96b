import { Args, Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { Exit, exitParagraph, UsageError, VmtError, type ExitStatus } from '../../src/cli/exit.js';
import { sendRpc, type SendOptions, type TransportChoice } from '../../src/cli/guestrpc.js';
import { probeFlag, transportFlags } from '../../src/cli/flags.js';
import { bytes } from '../../src/cli/input.js';
import { quoteHost } from '../../src/cli/host-text.js';
import { jsonBytes, writeHost } from '../../src/cli/output.js';
import { decodeValue, DecodeError, guestinfoKey, keyProblem, parseEncoding, type Encoding } from '../../src/guestrpc/guestinfo.js';

const EXIT: ExitStatus = [
  [0, 'printed'],
  [1, 'no such variable ("No value found" on stderr)'],
  [2, 'usage'],
  [3, 'not on VMware'],
  [4, 'the channel failed, or the value does not decode'],
];

export default class InfoGet extends VmtCommand {
  static summary = 'Print a guestinfo variable.';
  static description = `Reads KEY with "info-get guestinfo.KEY" (the "guestinfo." prefix is added when missing) and prints its value followed by a newline (-n: without it).

--encoding decodes the value: base64, or gzip+base64, the convention cloud-init, ignition and afterburn use for large or binary data; --encoding auto reads KEY.encoding to decide, as they do.

--json prints one JSON document with the keys key, found, value and encoding; a value that is not UTF-8 comes as an object whose base64 key holds it, a missing one as null (with the host's reply); a failure as an error object with message and exit.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'info get KEY [--encoding none|base64|gzip+base64|auto] [-n | --json] [--probe] [--transport auto|backdoor|vsock] [--vsock-endpoint CID:PORT]';
  static examples = [
    { description: 'Read the metadata cloud-init would', command: '<%= config.bin %> info get metadata --encoding auto' },
    { description: 'Into a file, exactly', command: '<%= config.bin %> info get userdata --encoding gzip+base64 -n > user-data' },
  ];
  static args = { key: Args.string({ description: 'the variable, with or without "guestinfo."', required: true, ignoreStdin: true }) };
  static flags = {
    encoding: Flags.string({ char: 'e', description: 'decode the value', options: ['none', 'base64', 'gzip+base64', 'auto'], default: 'none' }),
    'no-newline': Flags.boolean({ char: 'n', description: 'print the value without a newline after it' }),
    json: Flags.boolean({ description: 'print one JSON document (key, found, value, encoding)', exclusive: ['no-newline'] }),
    ...transportFlags,
    probe: probeFlag(),

  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InfoGet);
    const key = guestinfoKey(args.key);
    const problem = keyProblem(key);
    if (problem) throw new UsageError(problem);
    const send: SendOptions = { probe: flags.probe, transport: flags.transport as TransportChoice, vsockEndpoint: flags['vsock-endpoint'] };
    const r = await sendRpc(bytes(`info-get ${key}`), send);
    if (!r.ok) {
      this.setExit(Exit.NO);
      if (flags.json) return this.printJson({ key, found: false, value: null, reply: jsonBytes(r.reply) });
      return writeHost(2, r.reply);
    }
    const encoding = flags.encoding === 'auto' ? await this.declaredEncoding(key, send) : (flags.encoding as Encoding);
    let value: Uint8Array;
    try {
      value = decodeValue(r.reply, encoding);
    } catch (err) {
      if (err instanceof DecodeError) throw new VmtError(`${key} does not decode as ${encoding}: ${err.message}`, Exit.FAILED);
      throw err;
    }
    if (flags.json) return this.printJson({ key, found: true, value: jsonBytes(value), encoding });
    writeHost(1, value, !flags['no-newline']);
  }

  /** KEY.encoding, when the host has it; none when it does not. */
  private async declaredEncoding(key: string, send: SendOptions): Promise<Encoding> {
    const r = await sendRpc(bytes(`info-get ${key}.encoding`), send);
    if (!r.ok) return 'none';
    const name = new TextDecoder().decode(r.reply);
    const encoding = parseEncoding(name);
    if (!encoding) throw new VmtError(`${key}.encoding is ${quoteHost(r.reply)}, which vmt does not know (base64, gzip+base64)`, Exit.FAILED);
    return encoding;
  }
}
