import { Args, Flags } from '@oclif/core';
import { VmtCommand } from '../../src/cli/base.js';
import { Exit, exitParagraph, UsageError, VmtError, type ExitStatus } from '../../src/cli/exit.js';
import type { TransportChoice } from '../../src/cli/guestrpc.js';
import { numberFlag, numberFlagWithDefault, probeFlag, transportFlags } from '../../src/cli/flags.js';
import { bytes } from '../../src/cli/input.js';
import { DEFAULT_INTERVAL_MS, FIRST_PAUSE_MS, waitFor, type WaitCondition } from '../../src/cli/info-wait.js';
import { jsonBytes, writeHost } from '../../src/cli/output.js';
import { openRpcSession } from '../../src/cli/rpc-session.js';
import { guestinfoKey, keyProblem } from '../../src/guestrpc/guestinfo.js';

const EXIT: ExitStatus = [
  [0, 'the key exists (equals VALUE, changed); its value printed'],
  [1, 'the time (--timeout) ran out first (what was waited for on stderr)'],
  [2, 'usage'],
  [3, 'not on VMware'],
  [4, 'the channel failed'],
  ['128+N', 'stopped by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129): the wait ends at once, a request in flight first finishes'],
];

export default class InfoWait extends VmtCommand {
  static summary = 'Wait for a guestinfo variable to exist, to equal a value, or to change.';
  static description = `Polls KEY with "info-get guestinfo.KEY" (the "guestinfo." prefix is added when missing) over one session until it exists, or with --equals until its value is exactly VALUE, or with --changed until it has a value other than the one it had when vmt started (a key that was missing and appears has changed; one that disappears has not: vmt waits on). Then it prints the value as info get does (a newline after it unless -n; --json: key, found, value, timedOut) and exits 0.

The pause between polls starts at ${FIRST_PAUSE_MS} ms and doubles up to --interval (default ${DEFAULT_INTERVAL_MS} ms), so vmt answers within a few ms of a quick change and, once the wait is long, within one interval at the cost of one request per interval. --timeout S ends the wait after S seconds (0: look once) with exit 1; without it vmt waits until the condition holds or a signal ends it. Values are compared as the host stores them (no --encoding).

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'info wait KEY [--equals VALUE | --changed] [--timeout S] [--interval MS] [-n | --json] [--probe] [--transport auto|backdoor|vsock] [--vsock-endpoint CID:PORT]';
  static examples = [
    { description: 'Wait for the host to hand over the metadata', command: '<%= config.bin %> info wait metadata --timeout 300 > metadata' },
    { description: 'Wait until the host says go', command: '<%= config.bin %> info wait deploy.state --equals ready' },
    { description: 'Wait for the next change, looking at least every 5 s', command: '<%= config.bin %> info wait config.generation --changed --interval 5000' },
  ];
  static args = { key: Args.string({ description: 'the variable, with or without "guestinfo."', required: true, ignoreStdin: true }) };
  static flags = {
    equals: Flags.string({ description: 'wait until the value is exactly VALUE', exclusive: ['changed'] }),
    changed: Flags.boolean({ description: 'wait until the value differs from the one at start', exclusive: ['equals'] }),
    timeout: numberFlag({ description: 'give up after S seconds (exit 1)', unit: 'seconds', above: 0, orEqual: true }),
    interval: numberFlagWithDefault({ description: `the longest pause between polls, in ms (they start at ${FIRST_PAUSE_MS} and double)`, unit: 'milliseconds', above: 1, orEqual: true, integer: true, default: DEFAULT_INTERVAL_MS }),
    'no-newline': Flags.boolean({ char: 'n', description: 'print the value without a newline after it' }),
    json: Flags.boolean({ description: 'print one JSON document (key, found, value, timedOut)', exclusive: ['no-newline'] }),
    ...transportFlags,
    probe: probeFlag(),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InfoWait);
    const key = guestinfoKey(args.key);
    const problem = keyProblem(key);
    if (problem) throw new UsageError(problem);
    if (flags.interval > 3_600_000) throw new UsageError(`--interval wants at most 3600000 milliseconds (an hour), not ${flags.interval}`);
    const session = await openRpcSession({ probe: flags.probe, transport: flags.transport as TransportChoice, vsockEndpoint: flags['vsock-endpoint'] });
    try {
      const poll = async () => {
        const r = await session.send(bytes(`info-get ${key}`));
        return r.ok ? r.reply : null;
      };
      let cond: WaitCondition = { kind: 'exists' };
      let first: Uint8Array | null | undefined;
      if (flags.equals !== undefined) cond = { kind: 'equals', value: bytes(flags.equals) };
      if (flags.changed) cond = { kind: 'changed', from: (first = await poll()) };
      const r = await waitFor(poll, cond, { timeoutMs: flags.timeout === undefined ? Infinity : flags.timeout * 1000, intervalMs: flags.interval }, first);
      if (r.kind === 'signal') throw new VmtError(`stopped by ${r.signal} while waiting for ${key}`, r.status);
      if (r.kind === 'timeout') {
        this.setExit(Exit.NO);
        const what = cond.kind === 'exists' ? 'did not appear' : cond.kind === 'equals' ? `was not ${JSON.stringify(flags.equals)}` : 'did not change';
        this.note(`${key} ${what} within ${flags.timeout} s`);
        if (flags.json) this.printJson({ key, found: r.value !== null, value: r.value && jsonBytes(r.value), timedOut: true });
        return;
      }
      if (flags.json) return this.printJson({ key, found: true, value: jsonBytes(r.value), timedOut: false });
      writeHost(1, r.value, !flags['no-newline']);
    } finally {
      await session.close();
    }
  }
}
