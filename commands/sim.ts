import { Flags } from '@oclif/core';
import { VmtCommand } from '../src/cli/base.js';
import { Exit, exitParagraph, UsageError, type ExitStatus } from '../src/cli/exit.js';
import { numberFlag } from '../src/cli/flags.js';
import { runSim, SimInputError } from '../src/sim/run.js';

const EXIT: ExitStatus = [
  ['N', "the program's own exit status (128+N when signal N killed it)"],
  [126, 'the program is not executable'],
  [127, 'the program was not found'],
  [124, '--timeout killed the program'],
  [125, 'the sim itself failed'],
  [2, 'bad sim flags (among them a --guestinfo-file or --stat-file that cannot be read, a --state, --transcript or --host-view file that cannot be written), said before the program starts'],
  [3, 'this machine cannot run the sim (Linux x86-64 with ptrace needed)'],
];

export default class Sim extends VmtCommand {
  static summary = 'Run a program against a simulated VMware host.';
  static description = `Runs PROGRAM, and everything it forks and execs, as if inside a VMware VM: its backdoor instructions (in eax,dx on port 0x5658, rep insb/outsb on 0x5659) are caught with ptrace and answered by a simulated host -- GETVERSION, the time calls, GETBIOSUUID, GETMEMSIZE, GETHZ, GETMHZ, and the GuestRPC message channel with RPCI (info-get/info-set guestinfo.*, the guestlib figures of guestlib.info.get and guestlib.stat.get, log, tools.*) and TCLO. CPUID says VMware too. Unmodified programs work: open-vm-tools' vmware-checkvm, vmware-rpctool and vmtoolsd, cloud-init, your own scripts.

The program gets socket(AF_VSOCK) failing with EAFNOSUPPORT and no /dev/vsock, so a guest agent that tries vsock first falls back to the backdoor and never reaches the machine's real vsock; each attempt is in the transcript as a {"t":"refused","what":"socket(AF_VSOCK)"} line, as are the refusals below. It cannot reach a real backdoor (ioperm and iopl fail) or set the clock (unless --allow-set-clock), and what a guest agent does when the host says OS_Halt or OS_Reboot is refused: reboot(2) and kexec, signals to init or to every process, running shutdown, poweroff, halt, reboot, telinit, init or kexec (also as busybox applets), systemctl/loginctl power verbs, open-vm-tools' scripts under /etc/vmware-tools, and connecting to the system D-Bus or systemd. Other things a program under the sim does are not contained: run only what you would run on this machine.

What the program reports with SetGuestInfo (as vmtoolsd's guestInfo plugin does: host name, OS names and detailed data, uptime, NICs as NicInfo XDR, disks) is decoded by the simulated host as vCenter would and kept as a view shaped like the vSphere API's VirtualMachine.guest (hostName, ipAddress, net[] with macAddress and ipConfig.ipAddress[] {ipAddress, prefixLength, origin, state}, ipStack[] with routes and DNS, guestId, guestFullName, guestDetailedData, disk[], plus uptimeSeconds); --host-view FILE writes it as JSON, at start, after every change and at the end (each time atomically), and each report is a {"t":"guestinfo"} transcript line with the decoded value or why it could not be decoded.

The program gets its arguments and environment byte for byte, as if it were run directly: nothing of the sim's own is added.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'sim [--guestinfo KEY=VALUE]... [--guestinfo-file FILE] [--stat NAME=VALUE | none]... [--stat-file FILE] [--state FILE] [--tclo COMMAND]... [--tclo-interval MS] [--product NAME] [--no-hb] [--fault SPEC] [--clock-offset SECONDS] [--timeout SECONDS] [--allow-set-clock] [--transcript FILE] [--host-view FILE] -- PROGRAM [ARGS...]';
  static strict = false;
  static examples = [
    { description: 'The reference tool, convinced', command: '<%= config.bin %> sim -- vmware-checkvm' },
    { description: 'Test a script that reads guestinfo', command: '<%= config.bin %> sim --guestinfo metadata=hello -- sh -c \'vmware-rpctool "info-get guestinfo.metadata"\'' },
    { description: 'Keep guestinfo across runs: one run sets, the next reads', command: '<%= config.bin %> sim --state gi.json -- vmware-rpctool "info-set guestinfo.ip 10.0.0.5"' },
    { description: 'Drive a guest agent over TCLO and record every call', command: '<%= config.bin %> sim --tclo ping --timeout 5 --transcript t.jsonl -- vmtoolsd' },
    { description: "See a guest agent's reports as vCenter would (host name, OS, NICs, uptime)", command: '<%= config.bin %> sim --timeout 40 --host-view guest.json -- vmtoolsd' },
    { description: 'Compare guestlib figures: a ballooned VM with a memory limit', command: '<%= config.bin %> sim --stat balloon=512 --stat memlimit=2048 -- vmware-toolbox-cmd stat balloon' },
    { description: 'Inject a checkpoint on the 3rd payload call, no high-bandwidth path', command: '<%= config.bin %> sim --fault cpt@3 --no-hb -- vmware-rpctool "info-get guestinfo.x"' },
  ];
  static flags = {
    guestinfo: Flags.string({ description: 'a guestinfo variable, KEY=VALUE (the "guestinfo." prefix is optional)', multiple: true }),
    'guestinfo-file': Flags.string({ description: 'guestinfo variables from a JSON object of strings (--guestinfo wins over it)' }),
    stat: Flags.string({
      description:
        'a guestlib figure the host reports (what vmware-toolbox-cmd stat and vmt stat read), NAME=VALUE: balloon, swap, memlimit, memres, cpures, cpulimit, sessionid, speed (GETMHZ), or a guestlib name (memSharedMB, hostMemPhysMB, resourcePoolPath, ...); VALUE a number (0x hex too) or invalid (the host does not provide it); version=2|3 and count=N (V3: only the first N statistics) shape the reply; none: the host does not answer guestlib at all',
      multiple: true,
    }),
    'stat-file': Flags.string({ description: 'guestlib figures from a JSON object: NAME to a number, text or null (not provided), and its raw key to an object of guestlib.stat.get replies by request words, such as text session (--stat wins over it)' }),
    state: Flags.string({
      description: 'keep guestinfo in FILE (JSON) across runs: read at start (a missing or empty FILE is an empty store), written back at once and after every info-set; a FILE that cannot be written is refused before PROGRAM starts',
    }),
    tclo: Flags.string({ description: 'a host command to deliver over TCLO after the reset handshake; several are delivered in the order given', multiple: true }),
    'tclo-interval': numberFlag({ description: 'make each --tclo command ready only MS milliseconds after the reply to the previous one (the transcript then has latency_ms)', unit: 'milliseconds', above: 0, orEqual: true }),
    product: Flags.string({ description: 'what GETVERSION reports: esx, workstation, or a VMX type number', default: 'esx' }),
    hb: Flags.boolean({ description: 'offer the high-bandwidth message path (--no-hb: 4 bytes per call)', allowNo: true, default: true }),
    fault: Flags.string({
      description:
        'inject faults: a comma-separated list of cpt@N, open@N, timeout@N, nohb, random@P[:SEED], and the hostile hosts (docs/limits.md): hugesize[:BYTES] (RECVSIZE announces BYTES, default 4294967295), sizechange (the reply shrinks after RECVSIZE), nodorecv (SUCCESS without DORECV), cptforever (every payload call answers CPT), cptlast[:BYTES] (the reply, padded to BYTES, is moved whole and its last payload call answers CPT, every attempt), hbshort (an HB receive moves half and says SUCCESS), hostile (info-get and machine.id.get answer NUL, newlines, ANSI escapes and shell metacharacters), newcookie (the cookie changes after SENDSIZE), noclose (CLOSE fails, the channel stays open), tclo64k, tclobinary[:SEED], resetstorm (once its queue is empty, TCLO sends a 64 KiB command, 1..4096 random bytes, or reset on every poll)',
      multiple: true,
    }),
    'clock-offset': numberFlag({ description: "the host clock's offset from this machine's, in seconds (may be negative or fractional)", unit: 'seconds' }),
    timeout: numberFlag({ description: 'kill the program and everything it started after SECONDS', unit: 'seconds', above: 0 }),
    'allow-set-clock': Flags.boolean({ description: "let the program set this machine's clock (to the simulated host's, say); refused by default" }),
    transcript: Flags.string({ description: 'write one JSON line per backdoor call, per RPC/TCLO message, per SetGuestInfo report and per refused syscall to FILE, and a last {"t":"summary"} line counting the channels opened and closed per protocol' }),
    'host-view': Flags.string({ description: "write the host's view of the guest, from its SetGuestInfo reports, to FILE as JSON shaped like vSphere's VirtualMachine.guest (hostName, ipAddress, net, ipStack, guestId, guestFullName, ...): at start, after every change and at the end" }),
  };

  async run(): Promise<void> {
    // The program's words are taken from the raw argv, untouched: oclif reorders repeated words.
    const raw = [...this.commandLine];
    const dashdash = raw.indexOf('--');
    const { flags, argv } = await this.parse(Sim, dashdash >= 0 ? raw.slice(0, dashdash) : raw);
    const first = (argv as string[])[0];
    const program = dashdash >= 0 ? raw.slice(dashdash + 1) : first === undefined ? [] : raw.slice(raw.indexOf(first));
    if (program.length === 0) throw new UsageError('no PROGRAM to run (put it after --)');
    if (process.platform !== 'linux' || process.arch !== 'x64') this.fail('vmt sim needs Linux on x86-64 (ptrace)', Exit.UNAVAILABLE);

    try {
      process.exitCode = await runSim({
        program,
        product: flags.product,
        hb: flags.hb,
        faults: flags.fault,
        tclo: flags.tclo,
        tcloIntervalMs: flags['tclo-interval'],
        clockOffsetSeconds: flags['clock-offset'],
        guestinfo: flags.guestinfo,
        guestinfoFile: flags['guestinfo-file'],
        stat: flags.stat,
        statFile: flags['stat-file'],
        state: flags.state,
        transcript: flags.transcript,
        hostView: flags['host-view'],
        timeoutSeconds: flags.timeout,
        allowSetClock: flags['allow-set-clock'],
      });
    } catch (err) {
      if (err instanceof SimInputError || err instanceof UsageError) throw new UsageError(err.message);
      this.fail(`the simulated host failed: ${(err as Error).message}`, 125);
    }
  }
}
