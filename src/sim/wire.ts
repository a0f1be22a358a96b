// The pipes between native/vmt-trace and the host model, as native/vmt-trace/sim_wire.h
// defines them (test/unit/sim-wire.test.ts compiles the header and checks these numbers
// against it). Little-endian; registers in the order of REG_NAMES.
import { REG_NAMES, type HostRegs } from './host/regs.js';

export const SIM_MAGIC = 0x4d495356; // "VSIM"
export const SIM_FD_REQUEST = 3;
export const SIM_FD_REPLY = 4;
export const SIM_FD_EXEC = 5;
/** the most argument and environment bytes the tracer takes */
export const SIM_EXEC_MAX = 64 << 20;

export const SIM_OP_LB = 1;
export const SIM_OP_HB_OUT = 2;
export const SIM_OP_HB_IN = 3;
export const SIM_OP_EXIT = 4;
/** a notice: the tracer's guard refused a syscall (regs.eax = its errno; the bytes say what) */
export const SIM_OP_REFUSED = 5;

/** struct sim_exec: magic argc envc len */
export const EXEC_SIZE = 16;
/** struct sim_request: magic op pid regs[7] len */
export const REQUEST_SIZE = 44;
export const REQUEST_OP = 4;
export const REQUEST_PID = 8;
export const REQUEST_REGS = 12;
export const REQUEST_LEN = 40;
/** struct sim_reply: magic regs[7] len */
export const REPLY_SIZE = 36;
export const REPLY_REGS = 4;
export const REPLY_LEN = 32;

export interface Request {
  op: number;
  pid: number;
  regs: HostRegs;
  data: Buffer;
}

/** The program's arguments and environment entries (NAME=VALUE), exact bytes, NUL-free. */
export function execBlock(argv: Uint8Array[], env: Uint8Array[]): Buffer {
  if (argv.length === 0) throw new Error('no program');
  const strings = [...argv, ...env];
  for (const s of strings) if (s.includes(0)) throw new Error(`an argument or environment entry holds a NUL byte: ${Buffer.from(s).toString()}`);
  const body = Buffer.concat(strings.flatMap((s) => [s, Buffer.of(0)]));
  if (body.length > SIM_EXEC_MAX) throw new Error(`the arguments and environment take ${body.length} bytes, more than ${SIM_EXEC_MAX}`);
  const head = Buffer.alloc(EXEC_SIZE);
  head.writeUInt32LE(SIM_MAGIC, 0);
  head.writeUInt32LE(argv.length, 4);
  head.writeUInt32LE(env.length, 8);
  head.writeUInt32LE(body.length, 12);
  return Buffer.concat([head, body]);
}

/** The first complete request in buf and its size in bytes, or null when more bytes are needed; throws on a bad magic. */
export function readRequest(buf: Buffer): { request: Request; size: number } | null {
  if (buf.length < REQUEST_SIZE) return null;
  const len = buf.readUInt32LE(REQUEST_LEN);
  if (buf.length < REQUEST_SIZE + len) return null;
  if (buf.readUInt32LE(0) !== SIM_MAGIC) throw new Error('bad request magic from vmt-trace');
  const regs = {} as HostRegs;
  REG_NAMES.forEach((name, i) => (regs[name] = buf.readUInt32LE(REQUEST_REGS + 4 * i)));
  const request = { op: buf.readUInt32LE(REQUEST_OP), pid: buf.readUInt32LE(REQUEST_PID), regs, data: buf.subarray(REQUEST_SIZE, REQUEST_SIZE + len) };
  return { request, size: REQUEST_SIZE + len };
}

export function reply(regs: HostRegs, data?: Uint8Array): Buffer {
  const head = Buffer.alloc(REPLY_SIZE);
  head.writeUInt32LE(SIM_MAGIC, 0);
  REG_NAMES.forEach((name, i) => head.writeUInt32LE(regs[name] >>> 0, REPLY_REGS + 4 * i));
  head.writeUInt32LE(data?.length ?? 0, REPLY_LEN);
  return data?.length ? Buffer.concat([head, data]) : head;
}
