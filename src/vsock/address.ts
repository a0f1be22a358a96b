// vsock addresses as users write them (CID:PORT, with the well-known CIDs by
// name) and as the kernel takes them (struct sockaddr_vm).
import { AF_VSOCK, SOCKADDR_VM_SIZE, VMADDR_CID_ANY, VMADDR_CID_HOST, VMADDR_CID_HYPERVISOR, VMADDR_CID_LOCAL } from './constants.js';

export interface VsockAddress {
  cid: number;
  port: number;
}

/** The names a CID may be given by; -1 is any, as socat and the kernel write it. */
export const CID_NAMES: Readonly<Record<string, number>> = {
  hypervisor: VMADDR_CID_HYPERVISOR,
  local: VMADDR_CID_LOCAL,
  host: VMADDR_CID_HOST,
  any: VMADDR_CID_ANY,
};

export class AddressError extends Error {}

const U32_MAX = 0xffffffff;

/** A decimal (or 0x hex) number within 0..max; null for anything else. */
function number(text: string, max: number): number | null {
  if (!/^(0|[1-9][0-9]*|0x[0-9a-f]+)$/i.test(text)) return null;
  const v = Number(text);
  return Number.isSafeInteger(v) && v <= max ? v : null;
}

function cid(text: string): number | null {
  const name = CID_NAMES[text.toLowerCase()];
  if (name !== undefined) return name;
  if (text === '-1') return VMADDR_CID_ANY;
  return number(text, U32_MAX);
}

const FORM = 'CID:PORT (CID a number or hypervisor, local, host, any; PORT 0..4294967295)';
const LISTEN_FORM = '[CID:]PORT (CID a number or hypervisor, local, host, any; PORT 0..4294967295)';

/**
 * CID:PORT to connect to; with `listen`, [CID:]PORT to bind (the CID defaults
 * to any). Throws AddressError naming the expected form.
 */
export function parseAddress(text: string, opts: { listen?: boolean } = {}): VsockAddress {
  const form = opts.listen ? LISTEN_FORM : FORM;
  const bad = (why: string) => new AddressError(`${JSON.stringify(text)} is not a vsock address (${why}): expected ${form}`);
  const parts = text.trim().split(':');
  if (text.trim() === '') throw bad('empty');
  if (parts.length > 2) throw bad('more than one colon');
  if (parts.length === 1 && !opts.listen) throw bad('no port');
  const [cidText, portText] = parts.length === 2 ? parts : [undefined, parts[0]!];
  if (cidText !== undefined && cidText === '') throw bad('no CID before the colon');
  if (portText === '') throw bad('no port after the colon');
  const port = number(portText!, U32_MAX);
  if (port === null) throw bad(`the port ${JSON.stringify(portText)} is not a number from 0 to 4294967295`);
  const c = cidText === undefined ? VMADDR_CID_ANY : cid(cidText);
  if (c === null) throw bad(`the CID ${JSON.stringify(cidText)} is not a number from 0 to 4294967295 nor a CID name`);
  return { cid: c, port };
}

/** How an address is shown: names for the well-known CIDs. */
export function formatAddress({ cid: c, port }: VsockAddress): string {
  const name = Object.entries(CID_NAMES).find(([, v]) => v === c)?.[0];
  return `${name ?? c}:${port}`;
}

/** struct sockaddr_vm (Linux, host byte order): family, reserved, port, cid, flags, zero. */
export function sockaddrVm({ cid: c, port }: VsockAddress, family = AF_VSOCK): Uint8Array {
  const b = new Uint8Array(SOCKADDR_VM_SIZE);
  const v = new DataView(b.buffer);
  v.setUint16(0, family, true);
  v.setUint32(4, port >>> 0, true);
  v.setUint32(8, c >>> 0, true);
  return b;
}

/** The address in a struct sockaddr_vm the kernel filled in (accept, getsockname). */
export function parseSockaddrVm(b: Uint8Array): VsockAddress {
  if (b.length < SOCKADDR_VM_SIZE) throw new AddressError(`a sockaddr_vm is ${SOCKADDR_VM_SIZE} bytes, not ${b.length}`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { port: v.getUint32(4, true), cid: v.getUint32(8, true) };
}
