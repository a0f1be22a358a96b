// The host's TCLO commands and how the agent answers them: one small handler
// each, in a table kept sorted by name (OpenBSD vmt.c style). Reply strings
// are exactly what the real agents send: vSphere stops processing guestinfo
// when they are wrong.
export const STATE = { halt: 1, reboot: 2, poweron: 3, resume: 4, suspend: 5 } as const;
export type PowerOp = keyof typeof STATE;

/** What a handler may ask of the agent. */
export interface HandlerContext {
  app: string;
  /** one RPCI request; null when the channel failed (already logged) */
  rpci(command: string): { ok: boolean; reply: string } | null;
  /** the address to report for Set_Option broadcastIP 1, or null */
  guestIp(): string | null;
  /** starts a power operation; the reply to send */
  power(op: PowerOp): string;
  /** seconds since boot, for SetGuestInfo 7 */
  uptime(): number;
}

export type Handler = (args: string, ctx: HandlerContext) => string;

const OK = 'OK ';

function capabilitiesRegister(_args: string, ctx: HandlerContext): string {
  // as the BSD drivers do: unified loop, soft power operations, unmanaged tools version, uptime
  ctx.rpci(`vmx.capability.unified_loop ${ctx.app}`);
  ctx.rpci('tools.capability.statechange ');
  ctx.rpci('tools.set.version 2147483647');
  ctx.rpci(`SetGuestInfo  7 ${Math.floor(ctx.uptime())}00`);
  return OK;
}

function setOption(args: string, ctx: HandlerContext): string {
  const [name, value] = args.trim().split(/\s+/);
  if (!name) return 'ERROR Unknown or invalid option'; // as vmtoolsd answers
  if (name !== 'broadcastIP' || value !== '1') return OK;
  const ip = ctx.guestIp();
  if (!ip) return 'ERROR Unable to find guest IP address';
  ctx.rpci(`info-set guestinfo.ip ${ip}`);
  return OK;
}

const power = (op: PowerOp) => (_args: string, ctx: HandlerContext) => ctx.power(op);

/** Keep sorted by name. */
export const HANDLERS: readonly (readonly [string, Handler])[] = [
  ['Capabilities_Register', capabilitiesRegister],
  ['OS_Halt', power('halt')],
  ['OS_PowerOn', power('poweron')],
  ['OS_Reboot', power('reboot')],
  ['OS_Resume', power('resume')],
  ['OS_Suspend', power('suspend')],
  ['Set_Option', setOption],
  ['ping', () => OK],
  ['reset', (_args, ctx) => `OK ATR ${ctx.app}`],
];

const TABLE = new Map(HANDLERS);

/** The reply to one host command: the first word picks the handler, the rest are its arguments. */
export function dispatch(message: string, ctx: HandlerContext): string {
  const text = message.replace(/\0+$/, '');
  const space = text.indexOf(' ');
  const name = space < 0 ? text : text.slice(0, space);
  if (name === '') return 'ERROR Bad command'; // as vmtoolsd answers a command with no name
  const handler = TABLE.get(name);
  return handler ? handler(space < 0 ? '' : text.slice(space + 1), ctx) : 'ERROR Unknown command';
}
