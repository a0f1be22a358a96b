// Properties of `vmt drvctl`'s argv (src/devices/drvctl-args.ts): every action
// written in any of getopt's forms (options in any order, clustered or not,
// -a's value attached or next, `--`) reads back as that action; any argv gives
// that or a UsageError (exit 2), nothing else, and never an empty name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../src/cli/exit.js';
import { MAX_LOCATORS, parseDrvctlArgs, type DrvctlAction } from '../../src/devices/drvctl-args.js';
import { onlyThrows, runs } from './prop.js';

const name = fc.oneof(fc.constantFrom('vmt0', 'cpu0', 'pci0', 'mainbus0', '-x', '-', '--', '0'), fc.string({ minLength: 1, maxLength: 6 }));
const locator = fc.oneof(fc.integer({ min: -1, max: 16 }), fc.integer({ min: -0x80000000, max: 0x7fffffff }));

interface Written {
  action: DrvctlAction;
  letters: string[]; // option letters besides -a
  attr?: string;
  operands: string[];
}

const written: fc.Arbitrary<Written> = fc.oneof(
  name.map((device) => ({ action: { verb: 'detach', device }, letters: ['d'], operands: [device] }) as Written),
  fc.tuple(name, fc.option(name, { nil: undefined }), fc.array(locator, { maxLength: 5 }), fc.boolean()).map(([bus, attr, locators, plus]) => ({
    action: { verb: 'rescan', bus, ...(attr !== undefined ? { attr } : {}), locators },
    letters: ['r'],
    ...(attr !== undefined ? { attr } : {}),
    operands: [bus, ...locators.map((l) => (plus && l >= 0 ? `+${l}` : String(l)))],
  }) as Written),
  fc.tuple(fc.option(name, { nil: undefined }), fc.boolean(), fc.boolean()).map(([device, n, t]) => ({
    action: { verb: 'list', ...(device !== undefined ? { device } : {}), namesOnly: n || t, tree: t },
    letters: ['l', ...(n ? ['n'] : []), ...(t ? ['t'] : [])],
    operands: device === undefined ? [] : [device],
  }) as Written),
  fc.tuple(name, fc.option(name, { nil: undefined }), fc.boolean()).map(([device, property, n]) => ({
    action: { verb: 'props', device, ...(property !== undefined ? { property } : {}), bare: n },
    letters: ['p', ...(n ? ['n'] : [])],
    operands: property === undefined ? [device] : [device, property],
  }) as Written),
  fc.option(name, { nil: undefined }).map((device) => ({ action: { verb: 'unsupported', option: '-G', ...(device !== undefined ? { device } : {}) } as unknown as DrvctlAction, letters: ['G'], operands: device === undefined ? [] : [device] })),
  fc.tuple(fc.constantFrom('Q', 'R', 'S'), name).map(([o, device]) => ({ action: { verb: 'unsupported', option: `-${o}`, device } as unknown as DrvctlAction, letters: [o], operands: [device] })),
);

/** argv for w: its option items shuffled, cut into clusters, -a last in its cluster (value attached or next), `--` when needed or by choice. */
const argvOf = (w: Written) =>
  fc.tuple(fc.shuffledSubarray([...w.letters, ...(w.attr !== undefined ? ['a'] : [])], { minLength: w.letters.length + (w.attr !== undefined ? 1 : 0) }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.boolean(), fc.boolean(), fc.boolean()).map(([items, cuts, attached, dashdash, repeat]) => {
    const clusters: string[][] = [[]];
    items.forEach((it, i) => {
      if (i > 0 && cuts[i - 1]) clusters.push([]);
      clusters.at(-1)!.push(it);
    });
    if (repeat) clusters.push([w.letters[0]!]); // the same action twice is one action
    const argv: string[] = [];
    for (const c of clusters) {
      const letters = c.filter((x) => x !== 'a');
      if (c.includes('a')) {
        if (attached && w.attr !== '') argv.push(`-${letters.join('')}a${w.attr}`);
        else argv.push(`-${letters.join('')}a`, w.attr!);
      } else argv.push(`-${letters.join('')}`);
    }
    const first = w.operands[0];
    if (dashdash || (first !== undefined && first.startsWith('-') && first !== '-')) argv.push('--');
    return [...argv, ...w.operands];
  });

test('drvctl argv: every way of writing an action reads back as that action', () => {
  fc.assert(fc.property(written.chain((w) => fc.tuple(fc.constant(w), argvOf(w))), ([w, argv]) => {
    const got = parseDrvctlArgs(argv);
    if (got.verb === 'unsupported') {
      const { reason, ...rest } = got;
      assert.ok(reason.length > 0);
      return assert.deepEqual(rest, w.action);
    }
    assert.deepEqual(got, w.action);
  }), runs(1500));
});

test('drvctl argv: anything else gives a UsageError (exit 2) or an action with no empty name and locators that fit a C int (regression: -G \'\' named the empty device)', () => {
  const arg = fc.oneof(fc.constantFrom('-d', '-r', '-l', '-p', '-Q', '-R', '-S', '-G', '-a', '-n', '-t', '-nt', '-ra', '-x', '--', '-', '--help', '', 'vmt0', '0', '-1', '2147483648', '+-1'), fc.string({ maxLength: 5 }));
  fc.assert(
    fc.property(fc.array(arg, { maxLength: 7 }), (argv) => {
      const r = onlyThrows(() => parseDrvctlArgs(argv), UsageError);
      if (r instanceof UsageError) return assert.equal(r.exit, 2);
      const a = r as DrvctlAction;
      for (const k of ['device', 'bus', 'attr', 'property'] as const) {
        const v = (a as Record<string, unknown>)[k];
        if (v !== undefined) assert.ok(typeof v === 'string' && v !== '', `${k} ${JSON.stringify(v)} from ${JSON.stringify(argv)}`);
      }
      if (a.verb === 'rescan') {
        assert.ok(a.locators.length <= MAX_LOCATORS);
        for (const l of a.locators) assert.ok(Number.isInteger(l) && l >= -0x80000000 && l <= 0x7fffffff);
      }
    }),
    { ...runs(2000), examples: [[['-G', '']]] },
  );
});
