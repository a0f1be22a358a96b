// Flags shared by several commands. Numbers are parsed by oclif through
// Flags.custom, with an error in vmt's words.
import { Flags } from '@oclif/core';
import { parseAddress, type VsockAddress } from '../vsock/address.js';
import { UsageError } from './exit.js';

interface NumberSpec {
  description: string;
  /** what the number counts, for the error: "seconds" */
  unit: string;
  /** the value must be greater than this (or equal, with orEqual) */
  above?: number;
  orEqual?: boolean;
  integer?: boolean;
}

/** The number in text, or a UsageError naming the flag. */
export function parseNumber(text: string, flag: string, spec: Omit<NumberSpec, 'description'>): number {
  const v = Number(text);
  const { above = -Infinity, orEqual = false, integer = false, unit } = spec;
  const ok = text.trim() !== '' && Number.isFinite(v) && (!integer || Number.isInteger(v)) && (v > above || (orEqual && v === above));
  if (ok) return v;
  const bound = above > -Infinity ? ` ${orEqual ? '≥' : '>'} ${above}` : '';
  throw new UsageError(`--${flag} wants ${integer ? 'a whole number' : 'a number'} of ${unit}${bound}, not ${JSON.stringify(text)}`);
}

const numberParser = (spec: NumberSpec) => Flags.custom<number>({ description: spec.description, parse: async (input, _ctx, flag) => parseNumber(input, flag.name, spec) });

/** A numeric flag: `numberFlag({ description, unit: 'seconds', above: 0 })`. */
export const numberFlag = (spec: NumberSpec) => numberParser(spec)();

/** A numeric flag with a default (its value is always a number). */
export const numberFlagWithDefault = (spec: NumberSpec & { default: number }) => numberParser(spec)({ default: spec.default });

/** --vsock-endpoint CID:PORT, with what it overrides in the description. */
export const vsockEndpointFlag = (description: string) =>
  Flags.custom<VsockAddress>({
    description,
    parse: async (input) => {
      try {
        return parseAddress(input);
      } catch (err) {
        throw new UsageError(`--vsock-endpoint: ${(err as Error).message}`);
      }
    },
  })();

/** --probe: the knock policy of checkvm's flag, for every command that needs the backdoor. */
export const probeFlag = () => Flags.boolean({ description: 'knock on the backdoor even when CPUID names another hypervisor (QEMU -machine vmport=on)' });

/** --transport and --vsock-endpoint, for the commands that send GuestRPC. */
export const transportFlags = {
  transport: Flags.string({ description: 'how to reach the host: auto (vsock where VMware\'s VMCI transport is loaded, else the backdoor), backdoor, or vsock', options: ['auto', 'backdoor', 'vsock'], default: 'auto' }),
  'vsock-endpoint': vsockEndpointFlag('CID:PORT the vsock transport connects to (default: the VMX, hypervisor:976); for tests'),
};
