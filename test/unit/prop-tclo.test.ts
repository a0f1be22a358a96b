// Properties of TCLO command parsing (src/tclo/handlers.ts): whatever the host
// sends, the reply is one of the agents' forms, a power operation starts only
// for exactly its command name, and nothing the host sent goes into an RPCI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { dispatch, HANDLERS, type HandlerContext, type PowerOp } from '../../src/tclo/handlers.js';
import { runs } from './prop.js';

const POWER = new Map<string, PowerOp>([['OS_Halt', 'halt'], ['OS_PowerOn', 'poweron'], ['OS_Reboot', 'reboot'], ['OS_Resume', 'resume'], ['OS_Suspend', 'suspend']]);
const NAMES = HANDLERS.map(([n]) => n);

function context(ip: string | null) {
  const rpcis: string[] = [];
  const powers: PowerOp[] = [];
  const ctx: HandlerContext = {
    app: 'toolbox',
    rpci: (c) => (rpcis.push(c), { ok: true, reply: '' }),
    guestIp: () => ip,
    power: (op) => (powers.push(op), 'OK '),
    uptime: () => 1234.5,
  };
  return { ctx, rpcis, powers };
}

/** The RPCIs a handler may send: fixed text, the agent's own name, uptime and address; never the host's words. */
const ALLOWED = [/^vmx\.capability\.unified_loop toolbox$/, /^tools\.capability\.statechange $/, /^tools\.set\.version 2147483647$/, /^SetGuestInfo {2}7 123400$/, /^info-set guestinfo\.ip 192\.0\.2\.7$/];

const word = fc.oneof(fc.constantFrom(...NAMES, '__proto__', 'constructor', 'broadcastIP', '1', '0', 'OS_HALT', 'os_halt', 'OS_Halt2', ''), fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 }));
const sep = fc.constantFrom(' ', '  ', '\t', '\0', '\n', ' \0');
const message = fc.oneof(
  fc.array(fc.tuple(word, sep), { maxLength: 4 }).map((ws) => ws.map(([w, s]) => w + s).join('')),
  fc.tuple(fc.constantFrom(...NAMES), fc.string({ maxLength: 20 })).map(([n, a]) => `${n} ${a}`),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

test('TCLO: any message gets one of the agents\' replies; trailing NULs do not change it', () => {
  fc.assert(
    fc.property(message, fc.nat({ max: 3 }), fc.option(fc.constant('192.0.2.7'), { nil: null }), (m, nuls, ip) => {
      const a = context(ip);
      const reply = dispatch(m, a.ctx);
      assert.match(reply, /^(OK |OK ATR toolbox|ERROR (Bad command|Unknown command|Unknown or invalid option|Unable to find guest IP address))$/);
      const b = context(ip);
      assert.equal(dispatch(m + '\0'.repeat(nuls), b.ctx), reply);
      assert.deepEqual([b.rpcis, b.powers], [a.rpcis, a.powers]);
    }),
    runs(1500),
  );
});

test('TCLO: a power operation starts exactly when the first word is its command name, once', () => {
  fc.assert(
    fc.property(message, (m) => {
      const { ctx, powers } = context(null);
      dispatch(m, ctx);
      const text = m.replace(/\0+$/, '');
      const first = text.split(' ')[0]!;
      assert.deepEqual(powers, POWER.has(first) ? [POWER.get(first)] : []);
    }),
    runs(1500),
  );
});

test('TCLO: nothing the host sends goes into an RPCI (only fixed requests, the app name, uptime, the guest address)', () => {
  fc.assert(
    fc.property(message, fc.option(fc.constant('192.0.2.7'), { nil: null }), (m, ip) => {
      const { ctx, rpcis } = context(ip);
      const reply = dispatch(m, ctx);
      for (const r of rpcis) assert.ok(ALLOWED.some((re) => re.test(r)), `RPCI ${JSON.stringify(r)} for ${JSON.stringify(m)}`);
      if (rpcis.some((r) => r.startsWith('info-set'))) {
        assert.equal(reply, 'OK ');
        assert.match(m.replace(/\0+$/, ''), /^Set_Option [\s\S]*broadcastIP/);
      }
    }),
    runs(1500),
  );
});
