// Commands that speak one operating system's interfaces say so elsewhere.
import { Exit, VmtError } from './exit.js';

/** Throws exit 3 off Linux. */
export function linuxOnly(command: string, platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'linux') throw new VmtError(`${command} works through Linux sysfs; on ${platform} it is not available yet`, Exit.UNAVAILABLE);
}
