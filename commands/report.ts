import { Flags } from '@oclif/core';
import { VmtCommand } from '../src/cli/base.js';
import { Exit, exitParagraph, VmtError, type ExitStatus } from '../src/cli/exit.js';
import { sendRpc, type TransportChoice } from '../src/cli/guestrpc.js';
import { probeFlag, transportFlags } from '../src/cli/flags.js';
import { netFacts, osFacts, uptimeText } from '../src/report/facts.js';
import { changed, exchangeAsync, items, loadState, requestText, resultLine, saveState, snapshot, stateFile, type Item, type Outcome, type Result } from '../src/report/report.js';

const EXIT: ExitStatus = [
  [0, 'sent (or nothing changed, or --dry-run)'],
  [1, 'the host refused a request'],
  [2, 'usage'],
  [3, 'not on VMware'],
  [4, 'the channel failed part-way (what reached the host is remembered)'],
];

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export default class Report extends VmtCommand {
  static summary = 'Tell the host who the guest is, as vmtoolsd does: host name, OS, uptime, and every NIC with its addresses, routes and DNS.';
  static description = `Sends the SetGuestInfo requests vmtoolsd's guest info plugin sends, so that vCenter shows the guest's DNS name, OS, uptime and network: INFO_OS_NAME_FULL (5) and INFO_OS_NAME (6, the guest-OS short name vmtoolsd would choose, such as debian12-64 or other5xlinux-64), INFO_OS_DETAILED (11, the detailed OS data of vmtoolsd 11.2 and later), INFO_DNS_NAME (1), INFO_IPADDRESS_V3 (10: NicInfo v3 in XDR with every NIC's MAC, IPv4 and IPv6 addresses with prefix lengths, the routes and the DNS configuration) and INFO_UPTIME (7, in hundredths of a second). Lists are cut where vmtoolsd cuts them: 16 NICs, 2048 addresses per NIC, 100 routes; loopback, downed and container interfaces (docker*, veth*, virbr*, antrea-*, cali*) are left out. When the host refuses the NIC info, or it is over 64 KiB, it goes as INFO_IPADDRESS_V2 (9) with 64 addresses per NIC.

Only what changed since the last report is sent: what reached the host is kept in $XDG_RUNTIME_DIR/vmt/report.json (/run/vmt/report.json without XDG_RUNTIME_DIR). --all sends everything. --dry-run sends nothing and prints the requests; with --json, each as its field names and values, binary ones also as base64. For a report every 30 seconds, use vmt tclo listen --report.

--json prints one JSON document: sent (type, name, request, ok, reply) and unchanged; a failure as an error object with message and exit.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'report [--all] [--dry-run] [--json] [--probe] [--transport auto|backdoor|vsock] [--vsock-endpoint CID:PORT]';
  static examples = [
    { description: 'Report what changed since the last time', command: '<%= config.bin %> report' },
    { description: 'Report everything again', command: '<%= config.bin %> report --all' },
    { description: 'See what vCenter would be told, decoded, without sending', command: '<%= config.bin %> report --all --dry-run --json' },
  ];
  static flags = {
    all: Flags.boolean({ description: 'send every request, changed or not' }),
    'dry-run': Flags.boolean({ description: 'send nothing: print the requests that would be sent' }),
    json: Flags.boolean({ description: 'print one JSON document' }),
    ...transportFlags,
    probe: probeFlag(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Report);
    const snap = snapshot({ os: osFacts(), net: netFacts(), uptime: uptimeText() });
    const file = stateFile();
    const sent = flags['dry-run'] && flags.all ? {} : loadState(file);
    const list = items(snap);
    const due = changed(list, sent, flags.all);
    const unchanged = list.filter((it) => !due.includes(it)).map((it) => it.name);
    if (flags['dry-run']) return this.dryRun(due, unchanged, snap.dropped, flags.json);

    const options = { probe: flags.probe, transport: flags.transport as TransportChoice, vsockEndpoint: flags['vsock-endpoint'] };
    const send = async (request: Uint8Array): Promise<Outcome> => {
      const r = await sendRpc(request, options);
      return { ok: r.ok, reply: new TextDecoder().decode(r.reply) };
    };
    let results: Result[];
    try {
      results = await exchangeAsync(due, sent, send);
    } catch (err) {
      if (err instanceof VmtError && err.exit === Exit.FAILED) this.keep(file, sent);
      throw err;
    }
    this.keep(file, sent);
    // a part is refused when its last request was (a refused SetGuestInfo 10 followed by an accepted 9 is not)
    const last = new Map(results.map((r) => [r.part, r]));
    const refused = [...last.values()].some((r) => r.ok === false);
    this.setExit(refused ? Exit.NO : Exit.OK);
    if (flags.json) return this.printJson({ sent: results, unchanged });
    for (const r of results) this.print(resultLine(r));
  }

  /** Saves what reached the host; a state that cannot be written only means the next report sends everything. */
  private keep(file: string, sent: Parameters<typeof saveState>[1]): void {
    try {
      saveState(file, sent);
    } catch (err) {
      this.note(`cannot keep what was sent in ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the next report sends everything`);
    }
  }

  private dryRun(due: Item[], unchanged: string[], dropped: object, json: boolean): void {
    if (json) {
      const binary = (type: number) => type === 9 || type === 10 || type === 11;
      const requests = due.map((it) => ({
        type: it.type,
        name: it.name,
        request: requestText(it.type, it.payload),
        value: it.value,
        ...(binary(it.type) ? { length: it.payload.length, base64: b64(it.payload) } : {}),
        ...(it.fallback ? { fallback: { type: it.fallback.type, name: it.fallback.name, length: it.fallback.payload.length, base64: b64(it.fallback.payload) } } : {}),
      }));
      return this.printJson({ dryRun: true, requests, unchanged, dropped });
    }
    for (const it of due) this.print(requestText(it.type, it.payload));
  }
}
