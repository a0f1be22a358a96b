// The VMware Guest API's statistics (guestlib), guest side: ids, names and
// wire types as open-vm-tools' guestlibV3.x numbers them (GuestLibV3TypeIds),
// and the unit of each figure.
export type StatType = 'u32' | 'u64' | 'string' | 'bytes';

export interface StatDef {
  /** GuestLibV3TypeIds: 1..38 */
  id: number;
  /** the field name in guestlibV3.x (memBalloonedMB, ...) */
  name: string;
  type: StatType;
  /** MHz, MB, ms, shares, cores; null for text */
  unit: string | null;
}

const TABLE = `cpuReservationMHz u32, cpuLimitMHz u32, cpuShares u32, cpuUsedMs u64, hostMHz u32, memReservationMB u32, memLimitMB u32,
memShares u32, memMappedMB u32, memActiveMB u32, memOverheadMB u32, memBalloonedMB u32, memSwappedMB u32, memSharedMB u32,
memSharedSavedMB u32, memUsedMB u32, elapsedMs u64, resourcePoolPath string, cpuStolenMs u64, memTargetSizeMB u64,
hostCpuNumCores u32, hostCpuUsedMs u64, hostMemSwappedMB u64, hostMemSharedMB u64, hostMemUsedMB u64, hostMemPhysMB u64,
hostMemPhysFreeMB u64, hostMemKernOvhdMB u64, hostMemMappedMB u64, hostMemUnmappedMB u64, memZippedMB u32, memZipSavedMB u32,
memLLSwappedMB u32, memSwapTargetMB u32, memBalloonTargetMB u32, memBalloonMaxMB u32, resourcePoolPathLong bytes, memShares64 u64`;

function unitOf(name: string): string | null {
  for (const [suffix, unit] of [['MHz', 'MHz'], ['MB', 'MB'], ['Ms', 'ms'], ['Shares', 'shares'], ['Shares64', 'shares'], ['Cores', 'cores']] as const) {
    if (name.endsWith(suffix)) return unit;
  }
  return null;
}

export const STATS: readonly StatDef[] = TABLE.split(',').map((entry, i) => {
  const [name, type] = entry.trim().split(/\s+/) as [string, StatType];
  return { id: i + 1, name, type, unit: unitOf(name) };
});

/** The highest statistic id this side knows (GUESTLIB_MAX_STATISTIC_ID - 1). */
export const MAX_STAT_ID = STATS.length;

export const statByName = (name: string): StatDef | undefined => STATS.find((s) => s.name === name);
