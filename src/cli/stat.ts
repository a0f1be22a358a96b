// `vmt stat SUBCOMMAND`: the figures of open-vm-tools' `vmware-toolbox-cmd stat`,
// printed the same way ("512 MB"), with --json (every figure with its unit) and
// vmt's exit statuses. hosttime and speed come from the backdoor; the rest
// from the host's guestlib (src/guestlib). Each subcommand is a small class
// made here; commands/stat/*.ts only name them.
import { Args, Flags } from '@oclif/core';
import { getHostTime, getMHz } from '../backdoor/commands.js';
import { GuestlibFormatError, type GuestlibData } from '../guestlib/decode.js';
import { figure, NotProvided, readGuestlib, statGetRequest, type Send } from '../guestlib/client.js';
import { statByName, type StatDef } from '../guestlib/stats.js';
import type { VsockAddress } from '../vsock/address.js';
import { formatTime, toolboxTime } from '../time/clock.js';
import { VmtCommand } from './base.js';
import { Exit, exitParagraph, VmtError, type ExitStatus } from './exit.js';
import { probeFlag, transportFlags } from './flags.js';
import { findBackdoor, knockPolicy, sendRpc, type TransportChoice } from './guestrpc.js';
import { jsonBytes, write, writeHost } from './output.js';
import { quoteHost } from './host-text.js';

const EXIT: ExitStatus = [
  [0, 'the figure is on stdout'],
  [2, 'usage'],
  [3, "not VMware, no GuestRPC channel, or the host does not provide this figure (no guestlib, not valid on this host, or the host's guestlib is too old for it)"],
  [4, "the channel failed part-way, or the host's guestlib reply is malformed"],
];

/** One figure as --json prints it. */
export interface StatJson {
  stat: string;
  /** the guestlib statistic (memBalloonedMB, ...), or the backdoor call (GETMHZ, GETTIMEFULL, ...) */
  name: string;
  value: number | string | { base64: string };
  /** MB, MHz, s; null for an identifier */
  unit: string | null;
  source: string;
  [more: string]: unknown;
}

/** The guestlib figures vmware-toolbox-cmd prints: subcommand -> statistic, what it is, the unit it prints. */
export const GUESTLIB_FIGURES: Record<string, { stat: string; what: string }> = {
  balloon: { stat: 'memBalloonedMB', what: 'the memory the balloon driver has reclaimed from this VM' },
  swap: { stat: 'memSwappedMB', what: "this VM's memory the host has swapped out" },
  memlimit: { stat: 'memLimitMB', what: "this VM's memory limit (4294967295: unlimited)" },
  memres: { stat: 'memReservationMB', what: "this VM's memory reservation" },
  cpures: { stat: 'cpuReservationMHz', what: "this VM's CPU reservation" },
  cpulimit: { stat: 'cpuLimitMHz', what: "this VM's CPU limit (4294967295: unlimited)" },
};

abstract class StatCommand extends VmtCommand {
  static exitStatus = EXIT;
  static flags = {
    json: Flags.boolean({ description: 'print one JSON document: stat, name, value, unit, source' }),
    probe: probeFlag(),
  };

  protected emit(json: boolean, plain: string, doc: StatJson): void {
    if (json) this.printJson(doc);
    else this.print(plain);
  }
}

/** How a guestlib subcommand reaches the host (its --probe and --transport flags). */
function sender(flags: { probe: boolean; transport: string; 'vsock-endpoint'?: VsockAddress }): Send {
  return (command) => sendRpc(command, { probe: flags.probe, transport: flags.transport as TransportChoice, vsockEndpoint: flags['vsock-endpoint'] });
}

/** The host's guestlib data, or a VmtError: exit 3 when it does not provide it, 4 when its reply is malformed. */
async function guestlib(send: Send): Promise<GuestlibData> {
  try {
    return await readGuestlib(send);
  } catch (err) {
    if (err instanceof NotProvided) throw new VmtError(err.message, Exit.UNAVAILABLE);
    if (err instanceof GuestlibFormatError) throw new VmtError(`the host's guestlib reply is malformed: ${err.message}`, Exit.FAILED);
    throw err;
  }
}

/** One statistic's value, or a VmtError (exit 3) saying why the host does not provide it. */
function value(data: GuestlibData, def: StatDef): bigint | Uint8Array {
  try {
    return figure(data, def);
  } catch (err) {
    if (err instanceof NotProvided) throw new VmtError(err.message, Exit.UNAVAILABLE);
    throw err;
  }
}

const desc = (text: string) => `${text}\n\n${exitParagraph(EXIT)}`;
const u64 = (v: bigint): number | string => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

/** vmt stat balloon | swap | memlimit | memres | cpures | cpulimit. */
export function figureCommand(sub: string) {
  const { stat, what } = GUESTLIB_FIGURES[sub]!;
  const def = statByName(stat)!;
  class FigureCommand extends StatCommand {
    static summary = `Print ${what}, in ${def.unit}, from the host's guestlib.`;
    static description = desc(`Asks the host for its guestlib figures (the VMware Guest API: RPCI guestlib.info.get 3, or 2 on older hosts) and prints ${def.name} as vmware-toolbox-cmd stat ${sub} does ("512 ${def.unit}"). ESXi provides it; other VMware products, and hosts that mark it not valid, do not: vmt then says why and exits 3.`);
    static usage = `stat ${sub} [--json] [--probe] [--transport auto|backdoor|vsock]`;
    static examples = [
      { description: `${def.name}, as vmware-toolbox-cmd stat ${sub} prints it`, command: `<%= config.bin %> stat ${sub}` },
      { description: 'The number alone, for arithmetic', command: `<%= config.bin %> stat ${sub} | cut -d' ' -f1` },
      { description: 'With its unit and source, for scripts', command: `<%= config.bin %> stat ${sub} --json` },
    ];
    static flags = { ...StatCommand.flags, ...transportFlags };

    async run(): Promise<void> {
      const { flags } = await this.parse(this.constructor as typeof FigureCommand);
      const data = await guestlib(sender(flags));
      const n = value(data, def) as bigint;
      this.emit(flags.json, `${n} ${def.unit}`, { stat: sub, name: def.name, value: u64(n), unit: def.unit, source: `guestlib v${data.version}` });
    }
  }
  return FigureCommand;
}

export class SessionIdCommand extends StatCommand {
  static summary = "Print the host's guestlib session id.";
  static description = desc('Asks the host for its guestlib figures (RPCI guestlib.info.get) and prints the session id in their header in hex, as vmware-toolbox-cmd stat sessionid does ("0x..."). It changes when the VM is migrated or restored, so guestlib users know their figures restarted. A session id of 0 means the host has no figures (exit 3).');
  static usage = 'stat sessionid [--json] [--probe] [--transport auto|backdoor|vsock]';
  static examples = [
    { description: 'The session id', command: '<%= config.bin %> stat sessionid' },
    { description: 'Has the VM moved since last time?', command: '[ "$(<%= config.bin %> stat sessionid)" = "$(cat last-session)" ] || echo moved' },
  ];
  static flags = { ...StatCommand.flags, ...transportFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(SessionIdCommand);
    const data = await guestlib(sender(flags));
    if (data.sessionId === 0n) this.fail('the host has no guestlib data for this VM (its session id is 0)', Exit.UNAVAILABLE);
    const hex = `0x${data.sessionId.toString(16)}`;
    this.emit(flags.json, hex, { stat: 'sessionid', name: 'sessionId', value: hex, unit: null, source: `guestlib v${data.version}` });
  }
}

export class SpeedCommand extends StatCommand {
  static summary = 'Print the processor speed in MHz (GETMHZ).';
  static description = desc('Asks the host with the backdoor call GETMHZ and prints the answer as vmware-toolbox-cmd stat speed does ("2500 MHz"). A host that does not answer, or answers 0, gets exit 3.');
  static usage = 'stat speed [--json] [--probe]';
  static examples = [
    { description: 'The processor speed', command: '<%= config.bin %> stat speed' },
    { description: 'For scripts', command: '<%= config.bin %> stat speed --json' },
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(SpeedCommand);
    const { backdoor } = await findBackdoor(knockPolicy(flags.probe));
    const mhz = getMHz(backdoor);
    if (mhz === null) this.fail('the host does not report the processor speed (GETMHZ answered nothing or 0)', Exit.UNAVAILABLE);
    this.emit(flags.json, `${mhz} MHz`, { stat: 'speed', name: 'GETMHZ', value: mhz, unit: 'MHz', source: 'backdoor' });
  }
}

export class HostTimeCommand extends StatCommand {
  static summary = "Print the host's time, as vmware-toolbox-cmd stat hosttime does.";
  static description = desc(`Asks the host for its time (GETTIMEFULL_WITH_LAG, GETTIMEFULL, GETTIME, as vmt gettime does) and prints it in local time like vmware-toolbox-cmd stat hosttime ("05 Mar 2026 14:07:09"; TZ applies). --json gives seconds since the epoch with the microseconds and an ISO 8601 form; vmt gettime has more formats and can set the clock.`);
  static usage = 'stat hosttime [--json] [--probe]';
  static examples = [
    { description: "The host's time, local", command: '<%= config.bin %> stat hosttime' },
    { description: 'In UTC', command: 'TZ=UTC <%= config.bin %> stat hosttime' },
    { description: 'For scripts', command: '<%= config.bin %> stat hosttime --json' },
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(HostTimeCommand);
    const { backdoor } = await findBackdoor(knockPolicy(flags.probe));
    const t = getHostTime(backdoor);
    if (!t) this.fail('the host answers none of the time calls (GETTIMEFULL_WITH_LAG, GETTIMEFULL, GETTIME)', Exit.UNAVAILABLE);
    this.emit(flags.json, toolboxTime(t.seconds), {
      stat: 'hosttime', name: t.command, value: t.seconds, unit: 's', microseconds: t.microseconds, iso: formatTime(t.seconds, t.microseconds, 'iso'), source: 'backdoor',
    });
  }
}

/** Why stat raw prints nothing: the host's refusal, quoted. */
export function rawRefusal(reply: Uint8Array): string {
  return `the host does not provide this statistic (it answered ${quoteHost(reply)})`;
}

export class RawCommand extends StatCommand {
  static summary = "Print one of the host's raw guestlib statistics (guestlib.stat.get).";
  static description = desc(`Sends "guestlib.stat.get ENCODING STAT PARAM" (worded as vmware-toolbox-cmd stat raw sends it) and prints the host's reply as it is. ENCODING is one of text, json, xml, yaml; STAT is session, host, resources, vscsi or vnet (vscsi and vnet take a PARAM, e.g. vscsi scsi0:0); without arguments the host lists what it has. A host that refuses gets exit 3 with its words.`);
  static usage = 'stat raw [ENCODING [STAT [PARAM]]] [--json] [--probe] [--transport auto|backdoor|vsock]';
  static examples = [
    { description: 'What the host offers', command: '<%= config.bin %> stat raw' },
    { description: 'The session statistics as JSON text', command: '<%= config.bin %> stat raw json session' },
    { description: 'A virtual disk', command: '<%= config.bin %> stat raw text vscsi scsi0:0' },
  ];
  static args = {
    encoding: Args.string({ description: 'text, json, xml or yaml' }),
    stat: Args.string({ description: 'session, host, resources, vscsi, vnet' }),
    param: Args.string({ description: "the statistic's parameter (vscsi scsi0:0)" }),
  };
  static flags = { ...StatCommand.flags, ...transportFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RawCommand);
    const [encoding, stat, param] = [args.encoding ?? '', args.stat ?? '', args.param ?? ''];
    const r = await sender(flags)(statGetRequest(encoding, stat, param));
    if (!r.ok) this.fail(rawRefusal(r.reply), Exit.UNAVAILABLE);
    if (flags.json) {
      this.printJson({ stat: 'raw', encoding, name: stat, param, reply: jsonBytes(r.reply), source: 'guestlib.stat.get' });
    } else {
      writeHost(1, r.reply, r.reply.length > 0 && r.reply[r.reply.length - 1] !== 0x0a);
    }
  }
}
