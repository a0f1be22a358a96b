// What `vmt sim --help` and its man page say (commands/sim.ts): every exit
// status the sim uses, the program's own first, and flag texts that leave
// "may be given more than once" to the man page generator (scripts/man.mjs
// adds it to every flag with multiple: true).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Sim from '../../commands/sim.js';

const exitParagraph = (): string => Sim.description.split('\n\n').find((p) => p.startsWith('Exit status:')) ?? '';

test('the exit statuses: the program\'s own first, then 126, 127, 124, 125 and the sim\'s own 2 and 3', () => {
  const p = exitParagraph();
  assert.match(p, /^Exit status: the program's own \(128\+N when signal N killed it\), /);
  const codes = [...p.matchAll(/, (\d+) /g)].map((m) => Number(m[1]));
  assert.deepEqual(codes, [126, 127, 124, 125, 2, 3]);
  assert.match(p, /126 when the program is not executable/);
  assert.match(p, /2 for bad sim flags \(.*--state.*\)/);
});

test('flags given more than once do not say so themselves', () => {
  const multiple = Object.entries(Sim.flags).filter(([, f]) => (f as { multiple?: boolean }).multiple);
  assert.deepEqual(multiple.map(([name]) => name).sort(), ['fault', 'guestinfo', 'tclo']);
  for (const [name, f] of multiple) assert.doesNotMatch((f as { description?: string }).description ?? '', /repeatable|more than once/i, name);
});
