import { Args, Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { Exit, exitParagraph, UsageError, VmtError, type ExitStatus } from '../../src/cli/exit.js';
import type { SendOptions, TransportChoice } from '../../src/cli/guestrpc.js';
import { probeFlag, transportFlags } from '../../src/cli/flags.js';
import { InfoReader, type EncodingChoice, type ValueRead } from '../../src/cli/info-read.js';
import { bytes } from '../../src/cli/input.js';
import { quoteHost } from '../../src/cli/host-text.js';
import { jsonBytes, writeHost, type JsonBytes } from '../../src/cli/output.js';
import { openRpcSession } from '../../src/cli/rpc-session.js';
import { assignment, envNames, prefixProblem } from '../../src/cli/shell-env.js';
import { guestinfoKey, keyProblem } from '../../src/guestrpc/guestinfo.js';

const EXIT: ExitStatus = [
  [0, 'printed (every key found, or --default stood in)'],
  [1, 'a key has no value and there is no --default ("No value found" on stderr; with several keys the others are still printed)'],
  [2, 'usage: also several keys without --json or --env, or two keys with one --env name'],
  [3, 'not on VMware'],
  [4, 'the channel failed, a value does not decode, or (--env) a value holds a NUL byte, which no shell variable can'],
];

export default class InfoGet extends VmtCommand {
  static summary = 'Print guestinfo variables.';
  static description = `Reads each KEY with "info-get guestinfo.KEY" (the "guestinfo." prefix is added when missing), each once, over one session, and prints the value followed by a newline (-n: without it). Several keys need --json or --env (a value may hold newlines, so one per line would be ambiguous).

--encoding decodes every value: base64, or gzip+base64, the convention cloud-init, ignition and afterburn use for large or binary data; --encoding auto reads KEY.encoding for each key to decide, as they do. --default VALUE stands in (as it is, not decoded) for every key that has no value.

--json, one key: one JSON document with the keys key, found, value and encoding; a value that is not UTF-8 comes as an object whose base64 key holds it, a missing one as null (with the host's reply). Several keys: one object from each full key name (guestinfo.KEY) to its value, null when missing. A failure is an error object with message and exit.

--env prints POSIX shell assignments for eval: NAME='VALUE' per key, in the order given. NAME is --prefix (default none) then the key without "guestinfo.", upper-cased, every character but A-Z, 0-9 and _ as _, and _ first if it would start with a digit (guestinfo.metadata.encoding is METADATA_ENCODING); two keys with one name are a usage error, before anything is read. Choose a prefix that keeps clear of PATH, IFS and the like. The value is in single quotes with each ' as '\\'', so eval sets exactly its bytes and runs nothing of it; a missing key without --default prints "unset NAME". A NUL byte cannot be in a shell variable: such a value is refused (exit 4, nothing printed, the key named); read it with --json or -e base64.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'info get KEY... [--encoding none|base64|gzip+base64|auto] [--default VALUE] [-n | --json | --env [--prefix NAME]] [--probe] [--transport auto|backdoor|vsock] [--vsock-endpoint CID:PORT]';
  static strict = false;
  static examples = [
    { description: 'Read the metadata cloud-init would', command: '<%= config.bin %> info get metadata --encoding auto' },
    { description: 'Into a file, exactly', command: '<%= config.bin %> info get userdata --encoding gzip+base64 -n > user-data' },
    { description: 'Several into the shell', command: 'eval "$(<%= config.bin %> info get ip hostname role --env --prefix VM_ --default \'\')"' },
    { description: 'Several as one JSON object', command: '<%= config.bin %> info get ip hostname --json' },
  ];
  static args = { key: Args.string({ description: 'the variable, with or without "guestinfo." (several: --json or --env)', required: true, ignoreStdin: true }) };
  static flags = {
    encoding: Flags.string({ char: 'e', description: 'decode the values', options: ['none', 'base64', 'gzip+base64', 'auto'], default: 'none' }),
    default: Flags.string({ description: 'the value of a key that has none (then exit 0)' }),
    'no-newline': Flags.boolean({ char: 'n', description: 'print the value without a newline after it', exclusive: ['json', 'env'] }),
    json: Flags.boolean({ description: 'print one JSON document (one key: key, found, value, encoding; several: {KEY: value | null})', exclusive: ['no-newline', 'env'] }),
    env: Flags.boolean({ description: 'print shell assignments NAME=\'VALUE\' for eval', exclusive: ['no-newline', 'json'] }),
    prefix: Flags.string({ description: 'with --env: the start of every name' }),
    ...transportFlags,
    probe: probeFlag(),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(InfoGet);
    const keys = [...new Set((argv as string[]).map(guestinfoKey))];
    for (const key of keys) {
      const problem = keyProblem(key);
      if (problem) throw new UsageError(problem);
    }
    if (keys.length > 1 && !flags.json && !flags.env) throw new UsageError('several keys need --json or --env (a value may hold newlines)');
    if (flags.prefix !== undefined && !flags.env) throw new UsageError('--prefix applies to --env');
    const prefix = flags.prefix ?? '';
    const prefixWrong = prefixProblem(prefix);
    if (prefixWrong) throw new UsageError(prefixWrong);
    const names = flags.env ? envNames(keys, prefix) : null;
    const send: SendOptions = { probe: flags.probe, transport: flags.transport as TransportChoice, vsockEndpoint: flags['vsock-endpoint'] };
    const session = await openRpcSession(send);
    let values: ValueRead[];
    try {
      values = await new InfoReader(session).readAll(keys, flags.encoding as EncodingChoice);
    } finally {
      await session.close();
    }
    const dflt = flags.default === undefined ? null : bytes(flags.default);
    const missing = values.filter((v) => !v.found);
    if (missing.length && !dflt) this.setExit(Exit.NO);
    if (names) return this.printEnv(values, names, dflt);
    if (keys.length > 1) {
      for (const v of missing) if (!dflt) this.note(`${v.key}: ${quoteHost(v.reply)}`);
      const doc: Record<string, JsonBytes | null> = {};
      for (const v of values) doc[v.key] = v.found ? jsonBytes(v.value) : dflt && jsonBytes(dflt);
      return this.printJson(doc);
    }
    const v = values[0]!;
    if (!v.found && !dflt) {
      if (flags.json) return this.printJson({ key: v.key, found: false, value: null, reply: jsonBytes(v.reply) });
      return writeHost(2, v.reply);
    }
    if (flags.json) return this.printJson(v.found ? { key: v.key, found: true, value: jsonBytes(v.value), encoding: v.encoding } : { key: v.key, found: false, value: jsonBytes(dflt!), default: true });
    writeHost(1, v.found ? v.value : dflt!, !flags['no-newline']);
  }

  /** NAME='VALUE' per key (unset NAME when missing), all or nothing: a NUL anywhere prints none. */
  private printEnv(values: ValueRead[], names: Map<string, string>, dflt: Uint8Array | null): void {
    const nul = values.find((v) => v.found && v.value.includes(0));
    if (nul) throw new VmtError(`${nul.key} holds a NUL byte, which a shell variable cannot: nothing printed (--json shows it, as base64)`, Exit.FAILED);
    const lines: Uint8Array[] = [];
    for (const v of values) {
      if (!v.found && !dflt) this.note(`${v.key}: ${quoteHost(v.reply)}`);
      lines.push(assignment(names.get(v.key)!, v.found ? v.value : dflt));
    }
    writeHost(1, Buffer.concat(lines), false);
  }
}
