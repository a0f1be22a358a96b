import { Args, Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { Exit, exitParagraph, UsageError, type ExitStatus } from '../../src/cli/exit.js';
import { sendRpc, type SendOptions, type TransportChoice } from '../../src/cli/guestrpc.js';
import { isatty } from 'node:tty';
import { probeFlag, transportFlags } from '../../src/cli/flags.js';
import { quoteHost } from '../../src/cli/host-text.js';
import { parseJsonPairs, parsePair, progress, setAll, setRequests, type InfoPair, type SetOutcome } from '../../src/cli/info-pairs.js';
import { bytes, readInput } from '../../src/cli/input.js';
import { jsonBytes, writeOut } from '../../src/cli/output.js';
import { openRpcSession } from '../../src/cli/rpc-session.js';
import { guestinfoKey, keyProblem } from '../../src/guestrpc/guestinfo.js';

const EXIT: ExitStatus = [
  [0, 'set (every key)'],
  [1, 'the host refused ("0 ..." reply on stderr); with several keys, the first one, so none was set'],
  [2, 'usage, or a request is over 64 KiB; nothing was sent'],
  [3, 'not on VMware'],
  [4, 'the channel failed; or, with several keys, the host refused one after others were set (stderr names which were set, which was refused, which were not sent)'],
];

/** How much --from-json reads (a document of many values up to 64 KiB each). */
const FROM_JSON_LIMIT = 16 * 1024 * 1024;

export default class InfoSet extends VmtCommand {
  static summary = 'Set guestinfo variables.';
  static description = `Sets KEY with "info-set guestinfo.KEY VALUE" (the "guestinfo." prefix is added when missing). The value comes from the argument, from -f FILE, or from standard input (-f -, or when no value is given and standard input is not a terminal). One trailing newline of a value read from a file or standard input is dropped, as hostctl(8) does, so "hostname | vmt info set hostname" stores the name alone; --raw keeps the bytes exactly. The whole request must fit in the 64 KiB the host accepts from the guest; a larger one is refused before anything is sent.

Several at once: KEY=VALUE arguments (split at the first "="; a first argument with "=" in it selects this form, so every argument is then a pair), and/or --from-json FILE (- for standard input): one JSON object {"KEY": VALUE}, each VALUE a string or {"base64": "..."} for bytes (the shape info get --json prints; anything else is refused). Every pair is checked first (its key, its request's size, no key twice): on bad input nothing is sent. Then the keys are set in order over one session; if the host refuses one, the rest are not sent, and stderr names the keys set, the one refused and those not sent.

--json prints one JSON document: for KEY [VALUE], the keys key and ok (and the host's reply when it refused); for pairs, ok, set (the keys set), and when the host refused one, refused (key, reply) and notSent. A failure is an error object with message and exit.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = ['info set KEY [VALUE | -f FILE [--raw]] [--json] [--probe] [--transport auto|backdoor|vsock] [--vsock-endpoint CID:PORT]', 'info set KEY=VALUE... [--from-json FILE] [--json] [--probe] [--transport ...]', 'info set --from-json FILE [KEY=VALUE...] [--json] [--probe] [--transport ...]'];
  static strict = false;
  static examples = [
    { description: 'Report an address', command: '<%= config.bin %> info set ip 10.0.0.5' },
    { description: 'From a command (its trailing newline is dropped)', command: 'hostname | <%= config.bin %> info set hostname' },
    { description: 'A file, byte for byte', command: '<%= config.bin %> info set blob -f blob.bin --raw' },
    { description: 'Several at once', command: '<%= config.bin %> info set ip=10.0.0.5 role=web "motd=hello world"' },
    { description: 'What info get --json printed, back', command: '<%= config.bin %> info set --from-json saved.json' },
  ];
  static args = {
    key: Args.string({ description: 'the variable, with or without "guestinfo." (or KEY=VALUE)', ignoreStdin: true }),
    value: Args.string({ description: 'the value (or use -f, or standard input)', ignoreStdin: true }),
  };
  static flags = {
    file: Flags.string({ char: 'f', description: 'read the value from FILE (- for standard input)' }),
    raw: Flags.boolean({ description: 'keep a trailing newline of a value read from a file or standard input' }),
    'from-json': Flags.string({ description: 'set every key of the JSON object in FILE (- for standard input)', exclusive: ['file', 'raw'] }),
    json: Flags.boolean({ description: 'print one JSON document (key, ok; for pairs: ok, set, refused, notSent)' }),
    ...transportFlags,
    probe: probeFlag(),
  };

  async run(): Promise<void> {
    const { argv: words, flags } = await this.parse(InfoSet);
    const argv = words as string[];
    const send: SendOptions = { probe: flags.probe, transport: flags.transport as TransportChoice, vsockEndpoint: flags['vsock-endpoint'] };
    if (flags['from-json'] !== undefined || argv[0]?.includes('=')) {
      if (flags.file !== undefined || flags.raw) throw new UsageError('-f and --raw apply to one KEY, not to KEY=VALUE pairs');
      return this.setMany(argv, flags['from-json'], flags.json, send);
    }
    if (argv.length === 0) throw new UsageError('missing KEY');
    if (argv.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(argv[2])} (to set several keys, give each as KEY=VALUE)`);
    const [given, argValue] = argv as [string, string | undefined];
    // isatty(0), not process.stdin.isTTY: creating process.stdin makes a pipe non-blocking on node
    const key = guestinfoKey(given);
    const problem = keyProblem(key);
    if (problem) throw new UsageError(problem);
    if (argValue !== undefined && flags.file !== undefined) throw new UsageError('give the value as an argument or with -f, not both');
    if (argValue !== undefined && flags.raw) throw new UsageError('--raw applies to a value read with -f or from standard input');
    if (argValue === undefined && flags.file === undefined && isatty(0)) throw new UsageError('no value: give it as an argument, with -f FILE, or on standard input');
    const value = argValue !== undefined ? bytes(argValue) : await readInput(flags.file ?? '-', { raw: flags.raw });
    const r = await sendRpc(Uint8Array.from([...bytes(`info-set ${key} `), ...value]), send);
    this.setExit(r.ok ? Exit.OK : Exit.NO);
    if (flags.json) return this.printJson({ key, ok: r.ok, ...(r.ok ? {} : { reply: jsonBytes(r.reply) }) });
    if (!r.ok) writeOut(2, r.reply);
  }

  /** KEY=VALUE... and --from-json: all checked, then set in order over one session, stopping at the first refusal. */
  private async setMany(argv: string[], fromJson: string | undefined, json: boolean, send: SendOptions): Promise<void> {
    const pairs: InfoPair[] = [];
    if (fromJson !== undefined) pairs.push(...parseJsonPairs(await readInput(fromJson, { raw: true, limit: FROM_JSON_LIMIT }), fromJson === '-' ? 'standard input' : fromJson));
    pairs.push(...argv.map(parsePair));
    const requests = setRequests(pairs);
    const session = await openRpcSession(send);
    let out: SetOutcome;
    try {
      out = await setAll(session, requests);
    } finally {
      await session.close();
    }
    if (out.refused) {
      this.setExit(out.set.length ? Exit.FAILED : Exit.NO);
      this.note(`the host refused ${out.refused.key}: ${quoteHost(out.refused.reply)}${progress(out.set, out.notSent)}`);
    }
    if (json) this.printJson({ ok: !out.refused, set: out.set, ...(out.refused ? { refused: { key: out.refused.key, reply: jsonBytes(out.refused.reply) }, notSent: out.notSent } : {}) });
  }
}
