// Exit statuses, the same for every command and in every man page. A signal
// that stops vmt gives 128 + its number (130 for SIGINT, 143 for SIGTERM).
export const Exit = {
  OK: 0, // yes / success
  NO: 1, // a clean "no": not VMware, the host answered "0 ..."
  USAGE: 2, // usage or bad input
  UNAVAILABLE: 3, // not available here: no backdoor, no transport, no permission, channel owned elsewhere
  FAILED: 4, // failed part-way: protocol error, timeout, host reset
} as const;

/** What each exit status means for one command, in order: [status (or a word such as "N"), meaning]. */
export type ExitStatus = readonly (readonly [number | string, string])[];

/** The "Exit status: 0 ..., 1 ...." paragraph of a command's description (--help), from its exitStatus. */
export function exitParagraph(statuses: ExitStatus): string {
  return `Exit status: ${statuses.map(([code, text]) => `${code} ${text}`).join('; ')}.`;
}

/** An expected failure: its message is printed as it is, without a stack trace, and vmt exits with `exit`. */
export class VmtError extends Error {
  constructor(message: string, readonly exit: number) {
    super(message);
  }
}

/** Bad input: the message, the command's usage line, exit 2. */
export class UsageError extends VmtError {
  constructor(message: string) {
    super(message, Exit.USAGE);
  }
}
