// Numbers given as flag values: a clear usage error for anything else.
import { UsageError } from './exit.js';

/** The value of `flag` (undefined when absent); `above`: it must be greater than this. */
export function numberFlag(text: string | undefined, flag: string, unit: string, above = -Infinity, orEqual = false): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(v) && (v > above || (orEqual && v === above));
  if (!ok) throw new UsageError(`${flag} wants a number of ${unit}${above > -Infinity ? ` ${orEqual ? '≥' : '>'} ${above}` : ''}, not '${text}'`);
  return v;
}
