// The bridge between native/vmt-trace and the host model (native/vmt-trace/sim_wire.h,
// src/sim/wire.ts): before the program starts, the tracer reads its exact arguments and
// environment on fd 5; then it sends one request per backdoor instruction on fd 3 and
// waits for the reply on fd 4. Host side only.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { SimHost } from './host/index.js';
import { execBlock, readRequest, reply, SIM_FD_EXEC, SIM_FD_REPLY, SIM_FD_REQUEST, SIM_OP_EXIT, SIM_OP_HB_IN, SIM_OP_HB_OUT, SIM_OP_LB, SIM_OP_REFUSED, type Request } from './wire.js';

export interface TraceOptions {
  tracer: string;
  /** the program and its arguments, exact bytes */
  program: Uint8Array[];
  /** its whole environment, NAME=VALUE entries, exact bytes */
  env: Uint8Array[];
  timeoutSeconds?: number;
  /** let the program set the clock (refused by default) */
  allowSetClock?: boolean;
  /** where the tracer keeps its cpuid scan results between runs */
  cacheDir?: string;
}

/** Answers one request; throws on a malformed one. */
function answer(host: SimHost, { op, pid, regs, data }: Request): Buffer {
  if (op === SIM_OP_LB) return reply(host.lb(pid, regs));
  if (op === SIM_OP_HB_OUT) return reply(host.hbOut(pid, regs, data));
  if (op === SIM_OP_HB_IN) {
    const r = host.hbIn(pid, regs);
    if (r.data.length > regs.ecx) throw new Error(`the host model answered ${r.data.length} bytes to a ${regs.ecx}-byte rep insb`);
    return reply(r.regs, r.data);
  }
  if (op === SIM_OP_EXIT) {
    host.processExited(pid);
    return reply(regs);
  }
  if (op === SIM_OP_REFUSED) {
    host.refused(pid, regs.eax, data);
    return reply(regs);
  }
  throw new Error(`unknown request op ${op}`);
}

/** Runs the program under the tracer; resolves with its exit status (the tracer passes it through). */
export function runTraced(host: SimHost, opts: TraceOptions): Promise<number> {
  const block = execBlock(opts.program, opts.env); // before anything starts: it throws on a NUL
  const args = [
    ...(opts.timeoutSeconds ? ['--timeout', String(opts.timeoutSeconds)] : []),
    ...(opts.allowSetClock ? ['--allow-set-clock'] : []),
    ...(opts.cacheDir ? ['--cache-dir', opts.cacheDir] : []),
  ];
  const child = spawn(opts.tracer, args, { stdio: ['inherit', 'inherit', 'inherit', 'pipe', 'pipe', 'pipe'] });
  const pipes = child.stdio as unknown as (Readable | Writable)[];
  const requests = pipes[SIM_FD_REQUEST] as Readable;
  const replies = pipes[SIM_FD_REPLY] as Writable;
  const exec = pipes[SIM_FD_EXEC] as Writable;
  exec.on('error', () => {}); // the tracer exited before reading it: its status says why
  exec.end(block);
  const onTerm = () => child.kill('SIGTERM'); // the tracer passes it on to the program
  const onInt = () => {}; // the terminal sent SIGINT to the program too; outlive it to report its status
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onTerm);

  let pending: Buffer = Buffer.alloc(0);
  let failed: Error | null = null;
  requests.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (!failed) {
      try {
        const next = readRequest(pending);
        if (!next) break;
        replies.write(answer(host, next.request));
        pending = pending.subarray(next.size);
      } catch (err) {
        failed = err as Error;
        child.kill('SIGKILL'); // the tracer's tracees die with it (PTRACE_O_EXITKILL)
      }
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
      else resolve(code ?? 128 + (signal ? constants.signals[signal] : 1));
    });
  });
}
