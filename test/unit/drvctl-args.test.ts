// vmt drvctl: drvctl(8)'s argv to one action, every accepted form and every refusal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/cli/exit.js';
import { parseDrvctlArgs } from '../../src/devices/drvctl-args.js';

const refuses = (argv: string[], pattern: RegExp) =>
  assert.throws(() => parseDrvctlArgs(argv), (err: unknown) => err instanceof UsageError && err.exit === 2 && pattern.test(err.message), argv.join(' '));

test('-d DEVICE: detach', () => {
  assert.deepEqual(parseDrvctlArgs(['-d', 'vmt0']), { verb: 'detach', device: 'vmt0' });
  assert.deepEqual(parseDrvctlArgs(['-d', '--', 'vmt0']), { verb: 'detach', device: 'vmt0' });
  assert.deepEqual(parseDrvctlArgs(['-dd', 'vmt0']), { verb: 'detach', device: 'vmt0' }, 'the same action twice is one action');
});

test('-r [-a ATTR] BUS [LOCATOR ...]: rescan, the attribute attached or separate, locators as C ints', () => {
  assert.deepEqual(parseDrvctlArgs(['-r', '-a', 'cpufeaturebus', 'cpu0']), { verb: 'rescan', bus: 'cpu0', attr: 'cpufeaturebus', locators: [] });
  assert.deepEqual(parseDrvctlArgs(['-a', 'cpufeaturebus', '-r', 'cpu0']), { verb: 'rescan', bus: 'cpu0', attr: 'cpufeaturebus', locators: [] });
  assert.deepEqual(parseDrvctlArgs(['-ra', 'cpufeaturebus', 'cpu0']), { verb: 'rescan', bus: 'cpu0', attr: 'cpufeaturebus', locators: [] });
  assert.deepEqual(parseDrvctlArgs(['-racpufeaturebus', 'cpu0']), { verb: 'rescan', bus: 'cpu0', attr: 'cpufeaturebus', locators: [] });
  assert.deepEqual(parseDrvctlArgs(['-r', 'cpu0']), { verb: 'rescan', bus: 'cpu0', locators: [] });
  assert.deepEqual(parseDrvctlArgs(['-r', 'pci0', '0', '-1', '+7', '2147483647', '-2147483648']), {
    verb: 'rescan', bus: 'pci0', locators: [0, -1, 7, 2147483647, -2147483648],
  });
  const hundred = Array.from({ length: 100 }, (_, i) => String(i));
  assert.equal((parseDrvctlArgs(['-r', 'pci0', ...hundred]) as { locators: number[] }).locators.length, 100);
});

test('-l [DEVICE] with -n and -t: list (-t implies -n, as in drvctl)', () => {
  assert.deepEqual(parseDrvctlArgs(['-l']), { verb: 'list', namesOnly: false, tree: false });
  assert.deepEqual(parseDrvctlArgs(['-l', 'cpu0']), { verb: 'list', device: 'cpu0', namesOnly: false, tree: false });
  assert.deepEqual(parseDrvctlArgs(['-n', '-l', 'mainbus0']), { verb: 'list', device: 'mainbus0', namesOnly: true, tree: false });
  assert.deepEqual(parseDrvctlArgs(['-lt']), { verb: 'list', namesOnly: true, tree: true });
  assert.deepEqual(parseDrvctlArgs(['-ntl', 'cpu0']), { verb: 'list', device: 'cpu0', namesOnly: true, tree: true });
});

test('-p DEVICE [PROPERTY] with -n: properties', () => {
  assert.deepEqual(parseDrvctlArgs(['-p', 'wm0']), { verb: 'props', device: 'wm0', bare: false });
  assert.deepEqual(parseDrvctlArgs(['-n', '-p', 'wm0', 'mac-address']), { verb: 'props', device: 'wm0', property: 'mac-address', bare: true });
  assert.deepEqual(parseDrvctlArgs(['-p', 'pci0', 'a/b/0']), { verb: 'props', device: 'pci0', property: 'a/b/0', bare: false });
});

test('-Q, -R, -S DEVICE and -G: actions vmt does not perform, each with its reason', () => {
  const s = parseDrvctlArgs(['-S', 'wm0']);
  assert.equal(s.verb, 'unsupported');
  assert.deepEqual({ ...s, reason: undefined }, { verb: 'unsupported', option: '-S', device: 'wm0', reason: undefined });
  assert.match((s as { reason: string }).reason, /suspends .*power management.*run drvctl -S/);
  assert.match((parseDrvctlArgs(['-R', 'wm0']) as { reason: string }).reason, /resumes .*run drvctl -R/);
  assert.match((parseDrvctlArgs(['-Q', 'wm0']) as { reason: string }).reason, /everything below it.*run drvctl -Q/);
  const g = parseDrvctlArgs(['-G']);
  assert.equal(g.verb === 'unsupported' && g.option, '-G');
  assert.match((g as { reason: string }).reason, /graphviz.*-l -t/);
  assert.equal((parseDrvctlArgs(['-G', 'pci0']) as { device?: string }).device, 'pci0');
});

test('no action, two actions, unknown options', () => {
  refuses([], /no action given: drvctl needs one of -d DEVICE \(detach\), -r BUS \(rescan\)/);
  refuses(['vmt0'], /no action given/);
  refuses(['-n'], /no action given/);
  refuses(['-d', '-r', 'vmt0'], /-d \(detach\) and -r \(rescan\) at once: drvctl does one action a run/);
  refuses(['-dl', 'vmt0'], /-d \(detach\) and -l \(list\) at once/);
  refuses(['-S', '-R', 'wm0'], /-S \(suspend\) and -R \(resume\) at once/);
  refuses(['-x', 'vmt0'], /unknown option -x: drvctl takes -d, -r, -a/);
  refuses(['-dx', 'vmt0'], /unknown option -x/);
  refuses(['--detach', 'vmt0'], /unknown option '--detach': drvctl's options are single letters/);
});

test('missing or empty devices, and stray operands', () => {
  refuses(['-d'], /-d needs the device to detach \(drvctl -d DEVICE, e.g. drvctl -d vmt0\)/);
  refuses(['-d', ''], /the device name is empty/);
  refuses(['-d', 'vmt0', 'vmt1'], /too many operands for -d \(detach\): 'vmt1'/);
  refuses(['-r'], /-r needs the bus to rescan \(drvctl -r \[-a ATTRIBUTE\] BUS \[LOCATOR \.\.\.\], e.g. drvctl -r -a cpufeaturebus cpu0\)/);
  refuses(['-r', ''], /the bus name is empty/);
  refuses(['-l', 'cpu0', 'pci0'], /too many operands for -l \(list\): 'pci0'/);
  refuses(['-l', ''], /the device name is empty/);
  refuses(['-p'], /-p needs the device whose properties to show/);
  refuses(['-p', 'wm0', 'a', 'b'], /too many operands for -p \(properties\): 'b'.*one property path a run/);
  refuses(['-p', 'wm0', ''], /the property name is empty/);
  refuses(['-S'], /-S \(suspend\) needs a device \(drvctl -S DEVICE\)/);
  refuses(['-Q', 'a', 'b'], /too many operands for -Q/);
  refuses(['-G', 'a', 'b'], /too many operands for -G/);
});

test('locators: integers within a C int, at most 100, options before BUS', () => {
  refuses(['-r', 'pci0', 'x'], /the locator 'x' is not an integer: after BUS, drvctl -r takes locators/);
  refuses(['-r', 'pci0', '1.5'], /the locator '1.5' is not an integer/);
  refuses(['-r', 'pci0', '0x10'], /the locator '0x10' is not an integer/);
  refuses(['-r', 'cpu0', '-a', 'cpufeaturebus'], /the locator '-a' is not an integer.*options go before BUS/);
  refuses(['-r', 'pci0', '2147483648'], /the locator 2147483648 does not fit a C int/);
  refuses(['-r', 'pci0', '-2147483649'], /does not fit a C int/);
  refuses(['-r', 'pci0', ...Array.from({ length: 101 }, () => '0')], /101 locators given: the kernel takes at most 100/);
});

test('-a: only with -r, once, with a value; -n and -t only where drvctl uses them', () => {
  refuses(['-a', 'cpufeaturebus', '-d', 'vmt0'], /-a ATTRIBUTE names where a rescan attaches devices; it goes with -r only, not with -d \(detach\)/);
  refuses(['-a', 'x', '-l'], /it goes with -r only, not with -l \(list\)/);
  refuses(['-r', 'cpu0', '-a'], /the locator '-a' is not an integer/);
  refuses(['-r', '-a'], /-a needs the attribute to attach at/);
  refuses(['-r', '-a', '', 'cpu0'], /-a needs a non-empty attribute name/);
  refuses(['-r', '-a', 'x', '-a', 'y', 'cpu0'], /-a given twice/);
  refuses(['-t', '-p', 'wm0'], /-t lists the whole subtree; it goes with -l only, not with -p \(properties\)/);
  refuses(['-n', '-d', 'vmt0'], /-n \(names only, no header\) goes with -l or -p, not with -d \(detach\)/);
  refuses(['-n', '-r', 'cpu0'], /goes with -l or -p, not with -r \(rescan\)/);
});
