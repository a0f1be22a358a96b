import { Flags } from '@oclif/core';
import { constants } from 'node:os';
import { VmtCommand } from '../../src/cli/base.js';
import { Exit, exitParagraph, UsageError, VmtError, type ExitStatus } from '../../src/cli/exit.js';
import type { TransportChoice } from '../../src/cli/guestrpc.js';
import { tcloHost } from '../../src/cli/tclo-host.js';
import { numberFlag, numberFlagWithDefault, probeFlag, transportFlags, vsockEndpointFlag } from '../../src/cli/flags.js';
import { TCLO_ENDPOINT } from '../../src/guestrpc/vsock-transport.js';
import { jsonText, write } from '../../src/cli/output.js';
import type { AgentEvent } from '../../src/tclo/agent.js';
import { ownerText } from '../../src/tclo/conflict.js';
import type { PowerOp } from '../../src/tclo/handlers.js';
import { listen } from '../../src/tclo/listen.js';
import { quoteHost } from '../../src/cli/host-text.js';

const EXIT: ExitStatus = [
  [0, 'stopped by --exit-after or --timeout'],
  [2, 'usage'],
  [3, 'not VMware, no channel, or the channel is owned by another agent'],
  ['128+N', 'stopped by signal N (the channel is closed first)'],
];

export default class TcloListen extends VmtCommand {
  static summary = "Be the guest end of the host's command channel (TCLO), as vmtoolsd and vmt(4) are.";
  static description = `Polls TCLO and answers the host: reset ("OK ATR toolbox"), ping, Capabilities_Register (registers over RPCI as the BSD drivers do), Set_Option (broadcastIP 1 reports the first non-loopback IPv4 address as guestinfo.ip), and the power operations OS_Halt, OS_Reboot, OS_PowerOn, OS_Suspend and OS_Resume; anything else gets "ERROR Unknown command". Idle, it polls every 100 ms; after a host reset, a checkpoint or a broken channel it reopens and handshakes again.

Power operations are safe by default: with no hook nothing is halted or rebooted and the host is told the operation failed. --on-halt CMD (and --on-reboot, --on-poweron, --on-suspend, --on-resume) runs CMD with sh -c; what the host sent reaches it only as environment variables (VMT_TCLO_COMMAND, VMT_POWER_OP, VMT_POWER_STATE), never inside the command. --power-ops system also runs shutdown -h now / shutdown -r now for halt and reboot. The host learns the outcome through tools.os.statechange.status.

--report sends what vmt report sends (host name, OS names and detailed data, NIC info with addresses, routes and DNS, uptime) after the host's first reset and then every --report-interval seconds (30 by default, as vmtoolsd), each request only when it changed since the host accepted it, and all of it again after every reset the host sends. --report-hostname (SetGuestInfo 1 alone) and --report-ip (guestinfo.ip) keep the same period.

--clock-sync SECONDS steps the clock to the host's every SECONDS and after every OS_Resume, when they differ by more than the host's max time lag, and logs each step.

Only one agent may own TCLO: vmt refuses to start (exit 3) while vmtoolsd, the BSD kernel's vmt(4) driver or another vmt listens for the same app, and says how to free the channel; --force starts anyway.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static jsonLines = true;
  static usage = 'tclo listen [--app NAME] [--json] [--exit-after N] [--timeout SECONDS] [--on-halt CMD] [--on-reboot CMD] [--on-poweron CMD] [--on-suspend CMD] [--on-resume CMD] [--power-ops none|system] [--hook-timeout SECONDS] [--clock-sync SECONDS] [--report] [--report-interval SECONDS] [--report-hostname] [--report-ip] [--force] [--probe] [--transport auto|backdoor|vsock] [--vsock-endpoint CID:PORT]';
  static examples = [
    { description: 'Answer the host; halt and reboot stay refused', command: '<%= config.bin %> tclo listen' },
    { description: 'Let vSphere shut the guest down cleanly', command: '<%= config.bin %> tclo listen --power-ops system' },
    { description: 'Run your own script on halt (the host data is in $VMT_POWER_OP)', command: '<%= config.bin %> tclo listen --on-halt /usr/local/sbin/save-and-halt' },
    { description: 'Keep the clock in step, and report the hostname and address', command: '<%= config.bin %> tclo listen --clock-sync 60 --report-hostname --report-ip' },
    { description: 'Show vCenter the OS, uptime and every NIC, as vmtoolsd does', command: '<%= config.bin %> tclo listen --report' },
    { description: 'In a test: answer five host commands as JSON lines, then stop', command: '<%= config.bin %> tclo listen --json --exit-after 5 --timeout 30' },
  ];
  static flags = {
    app: Flags.string({ description: 'the name in the reset reply, "OK ATR NAME"', default: 'toolbox' }),
    json: Flags.boolean({ description: 'one JSON line per host command and reply (and per power operation, clock step, report)' }),
    'exit-after': numberFlag({ description: 'stop after answering N host commands (reset included)', unit: 'host commands', above: 1, orEqual: true, integer: true }),
    timeout: numberFlag({ description: 'stop after SECONDS', unit: 'seconds', above: 0 }),
    'on-halt': Flags.string({ description: 'run CMD (sh -c) for OS_Halt' }),
    'on-reboot': Flags.string({ description: 'run CMD (sh -c) for OS_Reboot' }),
    'on-poweron': Flags.string({ description: 'run CMD (sh -c) for OS_PowerOn' }),
    'on-suspend': Flags.string({ description: 'run CMD (sh -c) for OS_Suspend' }),
    'on-resume': Flags.string({ description: 'run CMD (sh -c) for OS_Resume' }),
    'power-ops': Flags.string({ description: 'system: halt and reboot also run shutdown -h/-r now', options: ['none', 'system'], default: 'none' }),
    'hook-timeout': numberFlagWithDefault({ description: 'kill a hook after SECONDS', unit: 'seconds', above: 0, default: 60 }),
    'clock-sync': numberFlagWithDefault({ description: "step the clock to the host's every SECONDS and after OS_Resume (0: never)", unit: 'seconds', above: 0, orEqual: true, default: 0 }),
    report: Flags.boolean({ description: 'report the guest as vmt report does (host name, OS, NICs, uptime): after every host reset, then what changed every --report-interval' }),
    'report-interval': numberFlagWithDefault({ description: 'send reports every SECONDS', unit: 'seconds', above: 0, default: 30 }),
    'report-hostname': Flags.boolean({ description: 'report the hostname to the host (SetGuestInfo 1) after every host reset and when it changes' }),
    'report-ip': Flags.boolean({ description: 'report the first non-loopback IPv4 address as guestinfo.ip after every host reset and when it changes' }),
    force: Flags.boolean({ description: 'start even when another agent owns TCLO' }),
    probe: probeFlag(),
    transport: transportFlags.transport,
    'vsock-endpoint': vsockEndpointFlag('CID:PORT of TCLO over vsock (default: the VMX, hypervisor:975; RPCI goes to port 976 of the same CID); for tests'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TcloListen);
    if (!/^[\w.-]+$/.test(flags.app)) throw new UsageError(`--app wants a name (letters, digits, . _ -), not '${flags.app}'`);

    const host = await tcloHost(flags.transport as TransportChoice, flags['vsock-endpoint'] ?? TCLO_ENDPOINT, flags.probe);
    const hooks: Partial<Record<PowerOp, string>> = {};
    for (const op of ['halt', 'reboot', 'poweron', 'suspend', 'resume'] as const) {
      const cmd = flags[`on-${op}`];
      if (cmd !== undefined) hooks[op] = cmd;
    }
    const r = await listen(
      host,
      { app: flags.app, exitAfter: flags['exit-after'], power: { hooks, system: flags['power-ops'] === 'system', timeoutMs: flags['hook-timeout'] * 1000 }, clockSyncSeconds: flags['clock-sync'], report: flags.report, reportIntervalSeconds: flags['report-interval'], reportHostname: flags['report-hostname'], reportIp: flags['report-ip'], force: flags.force, timeoutSeconds: flags.timeout },
      (e) => this.event(e, flags.json),
    );
    if (r.owner) throw new VmtError(`${ownerText(r.owner)}, or use --force`, Exit.UNAVAILABLE);
    this.setExit(r.signal ? 128 + (constants.signals[r.signal] ?? 0) : Exit.OK);
  }

  /** --json: one JSON line per event; else a line of text (host commands on stdout, trouble on stderr). */
  private event(e: AgentEvent, json: boolean): void {
    if (json) return write(1, `${jsonText({ ...e, at: new Date().toISOString() })}\n`);
    if (e.type === 'command') return write(1, `${quoteHost(e.command)} -> ${JSON.stringify(e.reply)}\n`);
    if (e.type === 'channel') return e.event === 'error' ? write(2, `vmt tclo listen: ${e.message}\n`) : undefined;
    if (e.type === 'power') {
      const what = e.hook ? `hook '${e.hook.command}' ${e.hook.timedOut ? 'timed out' : `exited ${e.hook.status ?? e.hook.signal}`}` : e.ok ? 'the system action' : 'nothing configured';
      return write(1, `power ${e.op}: ${what}; told the host it ${e.ok ? 'succeeded' : 'failed'}${e.system ? `; ran ${e.system.command}` : ''}\n`);
    }
    if (e.type === 'clock') return write(1, `clock (${e.reason}): ${e.message}\n`);
    write(1, `report: ${e.request} (${e.ok ? 'ok' : 'refused'})\n`);
  }
}

