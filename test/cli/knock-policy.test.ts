// The knock policy from the command line, on this machine when CPUID names
// another hypervisor: every hint vmt prints is true for the command that
// prints it (--probe exists where it is suggested; "run as root" only when
// not root).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativePlatform, shouldKnock } from '../../src/detect/index.js';
import { run, runtimes } from '../helpers.js';

const NODE = runtimes().node!;
const other = await nativePlatform().then((p) => !shouldKnock({ cpuid: p.cpuid(), dmi: p.dmi() }, 'auto'));
const root = process.geteuid?.() === 0;

test('tclo listen under another hypervisor: the hint names --probe, and tclo listen --probe knocks', { skip: !other && 'CPUID here names no other hypervisor' }, () => {
  const plain = run(NODE, ['tclo', 'listen', '--app', 'vmt-cli-test']);
  assert.equal(plain.status, 3, plain.stderr);
  assert.match(plain.stderr, /^vmt tclo listen: not VMware: CPUID names another hypervisor, .+ \(use --probe to knock anyway\)\n$/);
  // a fault (or silence) is an answer: exit 3 with the knock's verdict; an answering vmport has no TCLO, so --timeout ends it
  const probed = run(NODE, ['tclo', 'listen', '--probe', '--app', 'vmt-cli-test', '--exit-after', '1', '--timeout', '3', '--force']);
  assert.notEqual(probed.status, 2, probed.stderr);
  assert.doesNotMatch(probed.stderr, /use --probe|Nonexistent flag/);
  if (probed.status === 3) assert.match(probed.stderr, /^vmt tclo listen: not VMware: (the backdoor access faulted|nothing answered)/);
});

test('checkvm --probe under another hypervisor: "run as root" only when not root', { skip: !other && 'CPUID here names no other hypervisor' }, () => {
  const r = run(NODE, ['checkvm', '--probe']);
  if (!/faulted/.test(r.stdout)) return;
  if (root) assert.doesNotMatch(r.stdout, /run as root/);
  else assert.match(r.stdout, /run as root/);
});

test('rpc, info get and info set under another hypervisor: the hint names --probe, and --probe is their flag', { skip: !other && 'CPUID here names no other hypervisor' }, () => {
  for (const [rt, cmd] of Object.entries(runtimes())) {
    for (const args of [['rpc', 'info-get guestinfo.x'], ['info', 'get', 'x'], ['info', 'set', 'x', 'v']]) {
      const what = `${rt}: ${args.join(' ')}`;
      const plain = run(cmd, args);
      assert.equal(plain.status, 3, `${what}: ${plain.stderr}`);
      assert.match(plain.stderr, /\(use --probe to knock anyway\)\n$/, what);
      const probed = run(cmd, [...args, '--probe']);
      assert.notEqual(probed.status, 2, `${what} --probe: ${probed.stderr}`);
      assert.doesNotMatch(probed.stderr, /use --probe|unknown flag/, what);
    }
  }
});
