import { Flags } from '@oclif/core';
import { getHostTime, type HostTime } from '../src/backdoor/commands.js';
import { VmtCommand } from '../src/cli/base.js';
import { Exit, exitParagraph, type ExitStatus } from '../src/cli/exit.js';
import { findBackdoor, knockPolicy } from '../src/cli/guestrpc.js';
import { EPERM, formatTime, hostMicros, stepClock, stepFailure, type TimeFormat } from '../src/time/clock.js';
import { readClockFacts, systemClockSetter } from '../src/time/system.js';

const EXIT: ExitStatus = [
  [0, 'success'],
  [2, 'usage'],
  [3, 'not VMware, the host has no time calls, or stepping the clock is not permitted'],
  [4, 'stepping the clock failed otherwise'],
];

export default class GetTime extends VmtCommand {
  static summary = "Read the VMware host's clock.";
  static description = `Asks the host for its time with GETTIMEFULL_WITH_LAG, falling back to GETTIMEFULL and GETTIME (the order open-vm-tools' timeSync uses), and checks that the answer is a time: a host that does not implement these calls (QEMU's vmport) gets a clear message and exit 3, never a 1970 or 2106 date.

--set steps the system clock to the host's once (root, CAP_SYS_TIME): the one-shot form of the clock synchronization of the BSD vmt(4) driver. It refuses when the host reports no valid time.

--json prints one JSON document; a failure as an error object with message and exit.

${exitParagraph(EXIT)}`;
  static exitStatus = EXIT;
  static usage = 'gettime [-f iso|epoch|local | --json] [--set] [--probe]';
  static examples = [
    { description: 'Host time, UTC', command: '<%= config.bin %> gettime' },
    { description: 'Seconds since the epoch, for arithmetic', command: '<%= config.bin %> gettime --format epoch' },
    { description: 'Guest-host offset and the host lag figures', command: '<%= config.bin %> gettime --json' },
    { description: 'Step the guest clock to the host (root)', command: 'sudo <%= config.bin %> gettime --set' },
  ];
  static flags = {
    format: Flags.string({ char: 'f', description: 'how to print the time', options: ['iso', 'epoch', 'local'], default: 'iso', exclusive: ['json'] }),
    json: Flags.boolean({ description: 'print one JSON document: seconds, microseconds, lags, guest-host offset' }),
    set: Flags.boolean({ description: "step the system clock to the host's (root)" }),
    probe: Flags.boolean({ description: 'knock on the backdoor even when CPUID names another hypervisor' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(GetTime);
    const { backdoor } = await findBackdoor(knockPolicy(flags.probe));
    const host = getHostTime(backdoor);
    const readAt = performance.now();
    const guestUs = Date.now() * 1000;
    if (!host) {
      this.fail('the host answers none of the time calls (GETTIMEFULL_WITH_LAG, GETTIMEFULL, GETTIME); QEMU vmport, for one, implements none of them', Exit.UNAVAILABLE);
    }
    const offsetUs = guestUs - hostMicros(host);
    const step = flags.set ? await this.step(host, offsetUs, readAt) : null;
    if (flags.json) {
      this.printJson({
        seconds: host.seconds,
        microseconds: host.microseconds,
        iso: formatTime(host.seconds, host.microseconds, 'iso'),
        maxTimeLagUs: host.maxTimeLagUs,
        interruptLagUs: host.interruptLagUs,
        offsetUs,
        command: host.command,
        ...(step ? { stepped: { fromOffsetUs: step.offsetUs, setTo: formatTime(Math.floor(step.setToUs / 1e6), step.setToUs % 1e6, 'iso') } } : {}),
      });
    } else {
      this.print(formatTime(host.seconds, host.microseconds, flags.format as TimeFormat));
      if (step) this.note(`stepped the clock by ${(-step.offsetUs / 1e6).toFixed(6)} s to the host's time`);
    }
  }

  private async step(host: HostTime, offsetUs: number, readAt: number) {
    const step = stepClock(host, offsetUs, readAt, () => performance.now(), await systemClockSetter());
    if (step.errno) this.fail(`cannot step the clock: ${stepFailure(step.errno, readClockFacts())}`, step.errno === EPERM ? Exit.UNAVAILABLE : Exit.FAILED);
    return step;
  }
}
