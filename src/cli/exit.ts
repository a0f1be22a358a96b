// Exit statuses, the same for every command and in every man page.
export const Exit = {
  OK: 0, // yes / success
  NO: 1, // a clean "no": not VMware, the host answered "0 ..."
  USAGE: 2, // usage or bad input
  UNAVAILABLE: 3, // not available here: no backdoor, no transport, no permission, channel owned elsewhere
  FAILED: 4, // failed part-way: protocol error, timeout, host reset
  INTERRUPTED: 130,
} as const;


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
