// The numbers the tracer (C) and the host model (TypeScript) must agree on, written
// once on each side: native/vmt-trace/sim_wire.h against src/sim/wire.ts (the pipes),
// native/vmt-trace/vmware.h against src/backdoor/constants.ts (the backdoor's magic and
// ports, the CPUID leaves). The headers are compiled, so sizes and offsets are the C
// compiler's. And the two sides stay apart: src/sim/host imports nothing of the guest
// side but its constants.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as constants from '../../src/backdoor/constants.js';
import { REG_NAMES } from '../../src/sim/host/regs.js';
import * as wire from '../../src/sim/wire.js';
import { repoRoot } from '../helpers.js';

const root = repoRoot();
const native = join(root, 'native/vmt-trace');

const PROBE = `#include <stddef.h>
#include <stdio.h>
#include "sim_wire.h"
#include "vmware.h"
#define N(x) printf("\\"%s\\": %llu,\\n", #x, (unsigned long long)(x))
int main(void)
{
	printf("{\\n");
	N(SIM_MAGIC); N(SIM_FD_REQUEST); N(SIM_FD_REPLY); N(SIM_FD_EXEC); N(SIM_EXEC_MAX);
	N(SIM_OP_LB); N(SIM_OP_HB_OUT); N(SIM_OP_HB_IN); N(SIM_OP_EXIT); N(SIM_OP_REFUSED);
	N(sizeof(struct sim_exec)); N(offsetof(struct sim_exec, argc)); N(offsetof(struct sim_exec, envc)); N(offsetof(struct sim_exec, len));
	N(sizeof(struct sim_request)); N(offsetof(struct sim_request, op)); N(offsetof(struct sim_request, pid));
	N(offsetof(struct sim_request, regs)); N(sizeof(((struct sim_request *)0)->regs) / 4); N(offsetof(struct sim_request, len));
	N(sizeof(struct sim_reply)); N(offsetof(struct sim_reply, regs)); N(sizeof(((struct sim_reply *)0)->regs) / 4); N(offsetof(struct sim_reply, len));
	N(BDOOR_MAGIC); N(BDOOR_PORT); N(BDOORHB_PORT); N(CPUID_LEAF_HYPERVISOR); N(CPUID_LEAF_VMWARE_FEATURES);
	printf("\\"end\\": 0\\n}\\n");
	return 0;
}
`;

function probe(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'vmt-sim-wire-'));
  writeFileSync(join(dir, 'probe.c'), PROBE);
  const exe = join(dir, 'probe');
  const cc = spawnSync(process.env.CC || 'cc', ['-std=c11', '-Wall', '-Wextra', '-I', native, '-o', exe, join(dir, 'probe.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const r = spawnSync(exe, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, number>;
}

test('sim_wire.h and src/sim/wire.ts: the same magic, fds, ops, sizes and offsets', () => {
  const c = probe();
  assert.deepEqual(
    {
      magic: c.SIM_MAGIC, fds: [c.SIM_FD_REQUEST, c.SIM_FD_REPLY, c.SIM_FD_EXEC], execMax: c.SIM_EXEC_MAX,
      ops: [c.SIM_OP_LB, c.SIM_OP_HB_OUT, c.SIM_OP_HB_IN, c.SIM_OP_EXIT, c.SIM_OP_REFUSED],
      exec: c['sizeof(struct sim_exec)'],
      request: [c['sizeof(struct sim_request)'], c['offsetof(struct sim_request, op)'], c['offsetof(struct sim_request, pid)'], c['offsetof(struct sim_request, regs)'], c['offsetof(struct sim_request, len)']],
      reply: [c['sizeof(struct sim_reply)'], c['offsetof(struct sim_reply, regs)'], c['offsetof(struct sim_reply, len)']],
      regs: [c['sizeof(((struct sim_request *)0)->regs) / 4'], c['sizeof(((struct sim_reply *)0)->regs) / 4']],
    },
    {
      magic: wire.SIM_MAGIC, fds: [wire.SIM_FD_REQUEST, wire.SIM_FD_REPLY, wire.SIM_FD_EXEC], execMax: wire.SIM_EXEC_MAX,
      ops: [wire.SIM_OP_LB, wire.SIM_OP_HB_OUT, wire.SIM_OP_HB_IN, wire.SIM_OP_EXIT, wire.SIM_OP_REFUSED],
      exec: wire.EXEC_SIZE,
      request: [wire.REQUEST_SIZE, wire.REQUEST_OP, wire.REQUEST_PID, wire.REQUEST_REGS, wire.REQUEST_LEN],
      reply: [wire.REPLY_SIZE, wire.REPLY_REGS, wire.REPLY_LEN],
      regs: [REG_NAMES.length, REG_NAMES.length],
    },
  );
  // struct sim_exec: magic argc envc len, as execBlock writes them
  assert.deepEqual([c['offsetof(struct sim_exec, argc)'], c['offsetof(struct sim_exec, envc)'], c['offsetof(struct sim_exec, len)']], [4, 8, 12]);
});

test('the tracer puts the registers on the wire in the order of REG_NAMES', () => {
  const source = readFileSync(join(native, 'vmt-trace.c'), 'utf8');
  const body = /static void regs_to_frame\([^)]*\)\s*\{([^}]*)\}/.exec(source)?.[1];
  assert.ok(body, 'regs_to_frame is in vmt-trace.c');
  const order = [...body.matchAll(/f\[(\d)\] = r->r(\w\w);/g)].sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => `e${m[2]}`);
  assert.deepEqual(order, [...REG_NAMES]);
});

test('vmware.h and src/backdoor/constants.ts: the same backdoor magic, ports and CPUID leaves; no other copies in the C', () => {
  const c = probe();
  assert.deepEqual(
    [c.BDOOR_MAGIC, c.BDOOR_PORT, c.BDOORHB_PORT, c.CPUID_LEAF_HYPERVISOR, c.CPUID_LEAF_VMWARE_FEATURES],
    [constants.BDOOR_MAGIC, constants.BDOOR_PORT, constants.BDOORHB_PORT, constants.CPUID_LEAF_HYPERVISOR, constants.CPUID_LEAF_VMWARE_FEATURES],
  );
  for (const f of readdirSync(native).filter((n) => n.endsWith('.c'))) {
    const code = readFileSync(join(native, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments may name them
    assert.doesNotMatch(code, /0x564d5868|0x565[89]\b|0x4d495356|0x40000010/i, `${f} spells out a number that vmware.h or sim_wire.h holds`);
  }
});

test('execBlock: counts, then NUL-terminated strings; a NUL inside one is refused', () => {
  const block = wire.execBlock([Buffer.from('printf'), Buffer.from([0x61, 0xff])], [Buffer.from('A=1')]);
  assert.deepEqual([block.readUInt32LE(0), block.readUInt32LE(4), block.readUInt32LE(8), block.readUInt32LE(12)], [wire.SIM_MAGIC, 2, 1, 14]);
  assert.deepEqual(block.subarray(wire.EXEC_SIZE), Buffer.from('printf\0a\xff\0A=1\0', 'latin1'));
  assert.throws(() => wire.execBlock([Buffer.from('a\0b')], []), /NUL/);
  assert.throws(() => wire.execBlock([], []), /no program/);
});

test('src/sim/host imports nothing of the guest side but src/backdoor/constants.ts', () => {
  const dir = join(root, 'src/sim/host');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
      const spec = m[1]!;
      assert.ok(spec.startsWith('./') || spec.startsWith('node:') || spec === '../../backdoor/constants.js', `${f} imports ${spec}`);
    }
  }
});
