// The bridge between native/vmt-trace and the host model: the tracer sends
// one request per backdoor instruction on fd 3 and waits for the reply on fd 4
// (native/vmt-trace/sim_wire.h). Host side only.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { HostRegs, SimHost } from './host/index.js';

const SIM_MAGIC = 0x4d495356;
const REQUEST_SIZE = 44; // magic op pid regs[7] len
const REPLY_SIZE = 36; // magic regs[7] len
const OP_LB = 1;
const OP_HB_OUT = 2;
const OP_HB_IN = 3;
const OP_EXIT = 4;
const ORDER = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp'] as const;

export interface TraceOptions {
  tracer: string;
  program: string[];
  timeoutSeconds?: number;
  /** let the program set the clock (refused by default) */
  allowSetClock?: boolean;
  /** where the tracer keeps its cpuid scan results between runs (VMT_SIM_CACHE) */
  cacheDir?: string;
}

function readRegs(b: Buffer, at: number): HostRegs {
  const r = {} as HostRegs;
  ORDER.forEach((name, i) => (r[name] = b.readUInt32LE(at + 4 * i)));
  return r;
}

function reply(regs: HostRegs, data?: Uint8Array): Buffer {
  const head = Buffer.alloc(REPLY_SIZE);
  head.writeUInt32LE(SIM_MAGIC, 0);
  ORDER.forEach((name, i) => head.writeUInt32LE(regs[name] >>> 0, 4 + 4 * i));
  head.writeUInt32LE(data?.length ?? 0, 32);
  return data?.length ? Buffer.concat([head, data]) : head;
}

/** Answers one request; throws on a malformed one. */
function answer(host: SimHost, op: number, pid: number, regs: HostRegs, data: Buffer): Buffer {
  if (op === OP_LB) return reply(host.lb(pid, regs));
  if (op === OP_HB_OUT) return reply(host.hbOut(pid, regs, data));
  if (op === OP_HB_IN) {
    const r = host.hbIn(pid, regs);
    if (r.data.length > regs.ecx) throw new Error(`the host model answered ${r.data.length} bytes to a ${regs.ecx}-byte rep insb`);
    return reply(r.regs, r.data);
  }
  if (op === OP_EXIT) {
    host.processExited(pid);
    return reply(regs);
  }
  throw new Error(`unknown request op ${op}`);
}

/** Runs the program under the tracer; resolves with its exit status (the tracer passes it through). */
export function runTraced(host: SimHost, opts: TraceOptions): Promise<number> {
  const args = [...(opts.timeoutSeconds ? ['--timeout', String(opts.timeoutSeconds)] : []), ...(opts.allowSetClock ? ['--allow-set-clock'] : []), '--', ...opts.program];
  const env = { ...process.env, ...(opts.cacheDir ? { VMT_SIM_CACHE: opts.cacheDir } : {}) };
  const child = spawn(opts.tracer, args, { stdio: ['inherit', 'inherit', 'inherit', 'pipe', 'pipe'], env });
  const requests = child.stdio[3] as Readable;
  const replies = child.stdio[4] as Writable;
  const onTerm = () => child.kill('SIGTERM'); // the tracer passes it on to the program
  const onInt = () => {}; // the terminal sent SIGINT to the program too; outlive it to report its status
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onTerm);

  let pending: Buffer = Buffer.alloc(0);
  let failed: Error | null = null;
  requests.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (!failed && pending.length >= REQUEST_SIZE) {
      const len = pending.readUInt32LE(40);
      if (pending.length < REQUEST_SIZE + len) break;
      try {
        if (pending.readUInt32LE(0) !== SIM_MAGIC) throw new Error('bad request magic from vmt-trace');
        const op = pending.readUInt32LE(4);
        const pid = pending.readUInt32LE(8);
        const data = pending.subarray(REQUEST_SIZE, REQUEST_SIZE + len);
        replies.write(answer(host, op, pid, readRegs(pending, 12), data));
      } catch (err) {
        failed = err as Error;
        child.kill('SIGKILL'); // the tracer's tracees die with it (PTRACE_O_EXITKILL)
      }
      pending = pending.subarray(REQUEST_SIZE + len);
    }
  });
  replies.on('error', () => {}); // the tracer exited: its status says why

  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGHUP', onTerm);
      if (failed) reject(failed);
      else resolve(code ?? 128 + (signal ? (({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2 }) as Record<string, number>)[signal] ?? 1 : 1));
    });
  });
}
