// The base of every vmt command: output helpers, exit statuses, and error
// handling that never shows a stack trace for an expected failure.
import { Command, Flags } from '@oclif/core';
import { LibvmtUnavailable } from '../ffi/index.js';
import { parseErrorText } from './argv.js';
import { Exit, UsageError, VmtError } from './exit.js';

export abstract class VmtCommand extends Command {
  static baseFlags = {
    debug: Flags.boolean({ description: 'show stack traces of unexpected errors', hidden: true }),
  };

  /** The result, on stdout. */
  protected print(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  protected printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A diagnostic, on stderr. */
  protected note(text: string): void {
    process.stderr.write(`vmt ${this.name()}: ${text}\n`.replace(' : ', ': '));
  }

  protected setExit(code: number): void {
    process.exitCode = code;
  }

  protected fail(message: string, exit: number): never {
    throw new VmtError(message, exit);
  }

  async catch(err: Error & { oclif?: { exit?: number }; code?: string }): Promise<void> {
    if (err instanceof UsageError || err.oclif?.exit === 2) {
      this.usageError(err.message);
      return;
    }
    if (err instanceof VmtError) {
      this.note(err.message);
      this.setExit(err.exit);
      return;
    }
    if (err instanceof LibvmtUnavailable) {
      this.note(err.message);
      this.setExit(Exit.UNAVAILABLE);
      return;
    }
    if (err.code === 'EEXIT') throw err; // oclif's own exit (--help, --version)
    this.note(`internal error: ${err.message}${process.argv.includes('--debug') ? `\n${err.stack}` : ' (run with --debug for details)'}`);
    this.setExit(Exit.FAILED);
  }

  /** The command as users type it: "rpc send", not oclif's "rpc:send". */
  protected name(): string {
    return (this.id ?? '').replaceAll(':', ' ');
  }

  /** Bad input: one line saying what is wrong, the usage line, exit 2. */
  protected usageError(message: string): void {
    const ctor = this.constructor as typeof Command;
    const usage = [ctor.usage].flat()[0] ?? this.name();
    process.stderr.write(`vmt ${this.name()}: ${parseErrorText(message)}\nUsage: vmt ${usage}\nSee 'vmt ${this.name()} --help'.\n`);
    this.setExit(Exit.USAGE);
  }
}
