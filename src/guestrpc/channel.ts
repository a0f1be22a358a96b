// A GuestRPC channel, in the style of govmomi's toolbox: open, send one
// message, receive one, close. The backdoor message channel implements it
// (backdoor-channel.ts); the vsock transport will plug in beside it.

export type Transport = 'backdoor' | 'vsock';

export interface Channel {
  readonly transport: Transport;
  open(): void;
  send(message: Uint8Array): void;
  /** The host's message; empty when it has none. */
  receive(): Uint8Array;
  close(): void;
}

export type Stage = 'open' | 'send' | 'receive' | 'close';

/** The channel failed; `stage` says where, `status` is the last status the host returned. */
export class ChannelError extends Error {
  constructor(
    readonly stage: Stage,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
