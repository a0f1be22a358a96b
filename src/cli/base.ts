// The base of every vmt command: output helpers, exit statuses, and error
// handling that never shows a stack trace for an expected failure. With
// --json, a failure is also one JSON document on stdout.
import { Command, Flags } from '@oclif/core';
import { LibvmtUnavailable } from '../ffi/index.js';
import { spaced, usageMessage, usageText } from './argv.js';
import { Exit, UsageError, VmtError, type ExitStatus } from './exit.js';
import { errorJson, jsonText, wantsJson, write, writeJson } from './output.js';

export abstract class VmtCommand extends Command {
  static baseFlags = {
    debug: Flags.boolean({ description: 'show stack traces of unexpected errors', hidden: true }),
  };

  /** The command line as given (oclif's parse() consumes this.argv). */
  protected readonly commandLine: readonly string[] = [...this.argv];

  /** --json prints JSON lines (a streaming command): a failure is one line too, not an indented document. */
  static jsonLines = false;

  /** What each exit status means for this command (the man page and --help show it). */
  static exitStatus: ExitStatus = [];

  /** The result, on stdout. */
  protected print(text: string): void {
    write(1, text.endsWith('\n') ? text : `${text}\n`);
  }

  protected printJson(value: unknown): void {
    writeJson(value);
  }

  /** A diagnostic, on stderr. */
  protected note(text: string): void {
    write(2, `vmt ${this.name()}: ${text}\n`);
  }

  protected setExit(code: number): void {
    process.exitCode = code;
  }

  protected fail(message: string, exit: number): never {
    throw new VmtError(message, exit);
  }

  async catch(err: Error & { oclif?: { exit?: number }; code?: string }): Promise<void> {
    if (err.code === 'EEXIT') throw err; // oclif's own exit (--help)
    if (err instanceof UsageError && !err.message.startsWith('Parsing --')) return this.usageError(err.message);
    if (err instanceof UsageError || err.oclif?.exit === 2) return this.usageError(usageMessage(err));
    if (err instanceof VmtError) return this.failure(err.message, err.exit);
    if (err instanceof LibvmtUnavailable) return this.failure(err.message, Exit.UNAVAILABLE);
    const debug = this.commandLine.includes('--debug');
    this.failure(`internal error: ${err.message}${debug ? `\n${err.stack}` : ' (run with --debug for details)'}`, Exit.FAILED);
  }

  /** The command as users type it: "rpc send", not oclif's "rpc:send". */
  protected name(): string {
    return spaced(this.id ?? '');
  }

  /** A failure: the message on stderr (and as {"error"} on stdout with --json), the exit status. */
  protected failure(message: string, exit: number): void {
    this.note(message);
    if (this.json()) this.errorDocument(message, exit);
    this.setExit(exit);
  }

  /** Bad input: one line saying what is wrong, the usage line, exit 2. */
  protected usageError(message: string): void {
    const ctor = this.constructor as typeof Command;
    const usage = ctor.usage ?? this.name();
    write(2, usageText(this.name(), usage, message));
    if (this.json()) this.errorDocument(message, Exit.USAGE);
    this.setExit(Exit.USAGE);
  }

  /** {"error": ...} on stdout: indented as every document, or one line from a command that prints JSON lines. */
  private errorDocument(message: string, exit: number): void {
    if ((this.constructor as typeof VmtCommand).jsonLines) write(1, `${jsonText(errorJson(message, exit))}\n`);
    else writeJson(errorJson(message, exit));
  }

  /** --json was asked for (read from the command line: a parse error comes before the flags). */
  protected json(): boolean {
    const ctor = this.constructor as typeof Command;
    return 'json' in (ctor.flags ?? {}) && wantsJson(this.commandLine);
  }
}
