// Properties of the GuestRPC message channel: the guest side
// (src/guestrpc/backdoor-channel.ts) against the host model's state machine
// (src/sim/host/message.ts, channel.ts) -- any message both ways, LB and HB,
// with checkpoints at any calls -- then the guest side against a host that
// answers anything at all, and the "1 "/"0 " reply rule on both sides.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fullRegs, type Backdoor, type Regs } from '../../src/backdoor/backdoor.js';
import { MESSAGE_STATUS_CPT, MESSAGE_STATUS_DORECV, MESSAGE_STATUS_HB, MESSAGE_STATUS_SUCCESS, MESSAGE_TYPE_SENDPAYLOAD, MESSAGE_TYPE_SENDSIZE, RPCI_PROTOCOL_NUM, TCLO_PROTOCOL_NUM } from '../../src/backdoor/constants.js';
import { BackdoorChannel, MAX_HOST_MESSAGE } from '../../src/guestrpc/backdoor-channel.js';
import { ChannelError } from '../../src/guestrpc/channel.js';
import { parseReply, rpci, rpciRequest } from '../../src/guestrpc/rpci.js';
import type { Endpoint, MessageChannel } from '../../src/sim/host/channel.js';
import { defaultConfig, GuestInfoStore } from '../../src/sim/host/index.js';
import { FaultPlan, type FaultSpec } from '../../src/sim/host/faults.js';
import { MessageHost } from '../../src/sim/host/message.js';
import { RpciEndpoint } from '../../src/sim/host/rpci.js';
import { newStats } from '../../src/sim/host/stats.js';
import { onlyThrows, runs } from './prop.js';

/** A host endpoint that records what the guest sent and answers with the next prepared reply (null: none). */
class Recorder implements Endpoint {
  readonly got: Uint8Array[] = [];
  constructor(private readonly replies: (Uint8Array | null)[]) {}
  opened(): void {}
  closed(): void {}
  message(ch: MessageChannel, data: Uint8Array): void {
    this.got.push(Uint8Array.from(data));
    const reply = this.replies.shift();
    if (reply) ch.post(reply, () => {});
  }
}

/** The guest's Backdoor straight onto the host model's message calls (as the bridge would, without SimHost's port checks). */
function wire(host: MessageHost): Backdoor {
  return {
    lb: (r) => host.lb(1, fullRegs(r)).out,
    hbOut: (r, data) => host.hbCall(1, fullRegs(r), 'out', data.subarray(0, fullRegs(r).ecx)).out,
    hbIn(r, buf) {
      const m = host.hbCall(1, fullRegs(r), 'in');
      buf.set((m.data ?? new Uint8Array(0)).subarray(0, buf.length));
      return m.out;
    },
  };
}

const message = fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 5000 }) });
const exchange = fc.record({ request: message, reply: fc.option(message, { nil: null, freq: 5 }) });

test('guest and host framing: every request and reply arrives byte for byte, LB or HB, with checkpoints at any payload calls', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.boolean(), fc.array(exchange, { minLength: 1, maxLength: 4 }), fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 3 }), (hb, tclo, exchanges, cpts) => {
      const faults: FaultSpec[] = cpts.map((n) => ({ kind: 'cpt', n }));
      const recorder = new Recorder(exchanges.map((e) => e.reply));
      const host = new MessageHost({ RPCI: recorder, TCLO: recorder }, new FaultPlan(faults), hb, () => {}, newStats());
      const bd = wire(host);
      for (const { request, reply } of exchanges) {
        const ch = new BackdoorChannel(bd, tclo ? TCLO_PROTOCOL_NUM : RPCI_PROTOCOL_NUM);
        ch.open();
        ch.send(request);
        assert.deepEqual(ch.receive(), reply ?? new Uint8Array(0));
        ch.close();
      }
      assert.deepEqual(recorder.got, exchanges.map((e) => e.request));
      assert.equal(host.openChannels, 0, 'every channel closed');
    }),
    runs(150),
  );
});

/**
 * A host that answers anything: each call takes the next register set of a
 * script (cycled), with statuses, sizes and types drawn to hit the guest's
 * checks; HB reads get arbitrary bytes.
 */
const status = fc.oneof(
  fc.constantFrom(MESSAGE_STATUS_SUCCESS, MESSAGE_STATUS_SUCCESS | MESSAGE_STATUS_DORECV, MESSAGE_STATUS_SUCCESS | MESSAGE_STATUS_DORECV | MESSAGE_STATUS_HB, MESSAGE_STATUS_CPT, MESSAGE_STATUS_SUCCESS | MESSAGE_STATUS_HB, 0),
  fc.integer({ min: 0, max: 0xffff }),
);
const size = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(MAX_HOST_MESSAGE + 1, 0x7fffffff, 0x80000000, 0xffffffff));
const hostileRegs = fc.record({
  status,
  ebx: size,
  dxHi: fc.oneof(fc.constantFrom(MESSAGE_TYPE_SENDSIZE, MESSAGE_TYPE_SENDPAYLOAD), fc.integer({ min: 0, max: 0xffff })),
  other: fc.nat({ max: 0xffffffff }),
});
type Script = { status: number; ebx: number; dxHi: number; other: number }[];

function hostile(script: Script, bytes: Uint8Array): Backdoor & { calls: number } {
  let i = 0;
  const next = (r: Partial<Regs>): Regs => {
    const s = script[i++ % script.length]!;
    return { ...fullRegs(r), ecx: ((s.status << 16) | (s.other & 0xffff)) >>> 0, ebx: s.ebx >>> 0, edx: ((s.dxHi << 16) | 0x5658) >>> 0, esi: s.other, edi: s.other ^ 0x5a5a5a5a };
  };
  const hb = (r: Partial<Regs>): Regs => {
    const out = next(r);
    return { ...out, ebx: ((script[(i - 1) % script.length]!.status << 16) | 0) >>> 0 };
  };
  return {
    get calls() {
      return i;
    },
    lb: next,
    hbOut: (r) => hb(r),
    hbIn(r, buf) {
      buf.set(bytes.subarray(0, buf.length));
      return hb(r);
    },
  };
}

test('a host that answers anything: the guest channel returns at most MAX_HOST_MESSAGE bytes or throws ChannelError, in a bounded number of calls', () => {
  fc.assert(
    fc.property(fc.array(hostileRegs, { minLength: 1, maxLength: 12 }), fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (script, hbBytes, request) => {
      const bd = hostile(script, hbBytes);
      const ch = new BackdoorChannel(bd, RPCI_PROTOCOL_NUM);
      if (onlyThrows(() => ch.open(), ChannelError) instanceof ChannelError) return;
      onlyThrows(() => ch.send(request), ChannelError);
      const before = bd.calls;
      const got = onlyThrows(() => ch.receive(), ChannelError);
      if (!(got instanceof ChannelError)) {
        assert.ok(got instanceof Uint8Array && got.length <= MAX_HOST_MESSAGE);
      }
      // each of at most 17 attempts: RECVSIZE, one call per 4 bytes (sizes here are ≤ 40 when accepted), RECVSTATUS, an abort
      assert.ok(bd.calls - before <= 17 * (3 + 10), `${bd.calls - before} calls for one receive`);
      onlyThrows(() => ch.close(), ChannelError);
      assert.equal(ch.isOpen, false);
    }),
    runs(1500),
  );
});

test('a host that answers anything: one RPCI throws only ChannelError, or gives "1 "/"0 " and the rest', () => {
  fc.assert(
    fc.property(fc.array(hostileRegs, { minLength: 1, maxLength: 12 }), fc.uint8Array({ maxLength: 64 }), (script, hbBytes) => {
      const r = onlyThrows(() => rpci(new BackdoorChannel(hostile(script, hbBytes), RPCI_PROTOCOL_NUM), rpciRequest(Buffer.from('info-get guestinfo.k'))), ChannelError);
      if (r instanceof ChannelError) return;
      const { ok, reply } = r as { ok: boolean; reply: Uint8Array };
      assert.equal(typeof ok, 'boolean');
      assert.ok(reply.length <= MAX_HOST_MESSAGE);
    }),
    runs(1000),
  );
});

test('the reply rule: exactly "1 ..." and "0 ..." parse (ok, the bytes after the space); anything else is a ChannelError', () => {
  const reply = fc.oneof(
    fc.tuple(fc.constantFrom(0x30, 0x31), fc.uint8Array({ maxLength: 32 })).map(([c, rest]) => Uint8Array.from([c, 0x20, ...rest])),
    fc.uint8Array({ maxLength: 34 }),
  );
  fc.assert(
    fc.property(reply, (b) => {
      const valid = b.length >= 2 && b[1] === 0x20 && (b[0] === 0x30 || b[0] === 0x31);
      const r = onlyThrows(() => parseReply(b), ChannelError);
      if (!valid) return assert.ok(r instanceof ChannelError, 'refused');
      assert.deepEqual(r, { ok: b[0] === 0x31, reply: b.subarray(2) });
    }),
    runs(1000),
  );
});

test('the reply rule, host side: whatever the request, the sim answers "1 ..." or "0 ..."', () => {
  const command = fc.constantFrom('info-get', 'info-set', 'machine.id.get', 'guestlib.info.get', 'guestlib.stat.get', 'log', 'tools.capability.x', 'SetGuestInfo', 'nonsense', '');
  const request = fc.oneof(
    fc.tuple(command, fc.constantFrom('', ' '), fc.uint8Array({ maxLength: 48 })).map(([c, sp, rest]) => Uint8Array.from([...Buffer.from(c + sp), ...rest])),
    fc.tuple(command, fc.string({ maxLength: 40 })).map(([c, s]) => Buffer.from(`${c} ${s}`)),
    fc.uint8Array({ maxLength: 48 }),
  );
  const host = new RpciEndpoint(defaultConfig(), new GuestInfoStore(), () => {}, () => {});
  fc.assert(
    fc.property(request, (req) => {
      const r = parseReply(host.handle(req));
      assert.equal(typeof r.ok, 'boolean');
    }),
    runs(1000),
  );
});
