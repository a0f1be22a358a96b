// What `vmt sim --help` and its man page say (commands/sim.ts): every exit
// status the sim uses, the program's own first, and flag texts that leave
// "may be given more than once" to the man page generator (scripts/man.mjs
// adds it to every flag with multiple: true).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Sim from '../../commands/sim.js';

test('the exit statuses: the program\'s own first, then 126, 127, 124, 125 and the sim\'s own 2 and 3; --help shows them', () => {
  assert.deepEqual(Sim.exitStatus.map(([code]) => code), ['N', 126, 127, 124, 125, 2, 3]);
  assert.match(Sim.exitStatus[0]![1], /^the program's own exit status \(128\+N when signal N killed it\)$/);
  assert.match(String(Sim.exitStatus.find(([c]) => c === 126)?.[1]), /not executable/);
  assert.match(String(Sim.exitStatus.find(([c]) => c === 2)?.[1]), /bad sim flags \(.*--state.*\)/);
  const shown = Sim.description.split('\n\n').find((p) => p.startsWith('Exit status:')) ?? '';
  assert.match(shown, /^Exit status: N the program's own exit status \(128\+N when signal N killed it\); 126 the program is not executable; 127 /);
});

test('flags given more than once do not say so themselves', () => {
  const multiple = Object.entries(Sim.flags).filter(([, f]) => (f as { multiple?: boolean }).multiple);
  assert.deepEqual(multiple.map(([name]) => name).sort(), ['fault', 'guestinfo', 'stat', 'tclo']);
  for (const [name, f] of multiple) assert.doesNotMatch((f as { description?: string }).description ?? '', /repeatable|more than once/i, name);
});
