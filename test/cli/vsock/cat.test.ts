// vmt vsock cat on this machine: argument parsing and option handling only.
// Every run here has VMT_VSOCK_FORBID=1, so libvmt refuses before socket():
// vsock itself runs only inside the QEMU guest (test/e2e).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run } from '../../helpers.js';
import { assertUsage, everywhere, noTrace, VMT } from '../helpers.js';

process.env.VMT_VSOCK_FORBID = '1'; // before any run: the helpers pass process.env on

const usageCases: [string[], RegExp][] = [
  [['vsock', 'cat', 'foo'], /^vmt vsock cat: "foo" is not a vsock address \(no port\): expected CID:PORT /],
  [['vsock', 'cat', '1:'], /"1:" is not a vsock address \(no port after the colon\): expected CID:PORT/],
  [['vsock', 'cat', ':5'], /":5" is not a vsock address \(no CID before the colon\)/],
  [['vsock', 'cat', '1:99999999999'], /"1:99999999999" is not a vsock address \(the port "99999999999" is not a number from 0 to 4294967295\)/],
  [['vsock', 'cat', '-3:5'], /"-3:5" is not a vsock address \(the CID "-3" is not a number/],
  [['vsock', 'cat', '1:5:6'], /"1:5:6" is not a vsock address \(more than one colon\)/],
  [['vsock', 'cat', ''], /"" is not a vsock address \(empty\)/],
  [['vsock', 'cat', '-l', 'x:5'], /"x:5" is not a vsock address .*expected \[CID:\]PORT/],
  [['vsock', 'cat'], /^vmt vsock cat: missing CID:PORT to connect to$/],
  [['vsock', 'cat', '-l'], /^vmt vsock cat: missing \[CID:\]PORT to listen at$/],
  [['vsock', 'cat', '-k', '1:5'], /-k \(--keep\) goes with -l \(--listen\)/],
  [['vsock', 'cat', '--shell', '1:5'], /--shell goes with --exec CMD/],
  [['vsock', 'cat', '--exec', ' ', '-l', '5'], /--exec wants a command/],
  [['vsock', 'cat', '--connect-timeout', '0', '1:5'], /--connect-timeout wants a number of seconds > 0, not "0"/],
  [['vsock', 'cat', '--idle-timeout', 'soon', '1:5'], /--idle-timeout wants a number of seconds > 0, not "soon"/],
  [['vsock', 'cat', '--json', '1:5'], /unknown flag '--json'/],
  [['vsock', 'cat', '--privileged', '-l', '5'], /--privileged is for connecting, not with -l/],
  [['vsock', 'cat', '1:5', '2:6'], /unexpected argument '2:6'/],
];

for (const [args, message] of usageCases) {
  test(`vmt ${args.join(' ')}: exit 2 naming the form, on every runtime`, () => {
    everywhere(args, (r, rt) => {
      assertUsage(r, message, `${rt} vmt ${args.join(' ')}`);
      assert.equal(r.stdout, '');
    });
  });
}

const FORBID = /^vmt vsock cat: vsock is switched off here: VMT_VSOCK_FORBID is set .*; unset it to use vsock\n$/;

test('VMT_VSOCK_FORBID=1: vmt vsock cat 1:5000 exits 3 with a clear message, on every runtime', () => {
  everywhere(['vsock', 'cat', '1:5000'], (r) => {
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, FORBID);
  });
});

test('VMT_VSOCK_FORBID=1: -l, -l -k, --exec and a privileged port are refused the same way', () => {
  for (const args of [['-l', '5000'], ['-l', '-k', 'any:5000'], ['-l', '--exec', 'cat', '5000'], ['-l', '976'], ['hypervisor:976'], ['--privileged', 'hypervisor:976']]) {
    everywhere(['vsock', 'cat', ...args], (r) => {
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, FORBID);
    });
  }
});

test('VMT_VSOCK_FORBID=1 under vmt sim (which refuses AF_VSOCK with EAFNOSUPPORT): the refusal is libvmt\'s, so socket() was never reached', () => {
  const r = run(VMT, ['sim', '--', ...VMT, 'vsock', 'cat', '1:5000'], { VMT_VSOCK_FORBID: '1' });
  noTrace(r, 'vmt sim -- vmt vsock cat 1:5000');
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, FORBID);
  assert.doesNotMatch(r.stderr, /EAFNOSUPPORT|no vsock support/);
});

test('vmt vsock cat --help: the half-close rule, --exec, --stats and the exit statuses', () => {
  everywhere(['vsock', 'cat', '--help'], (r) => {
    assert.equal(r.status, 0, r.stderr);
    for (const want of [/Half-close/, /--exec CMD/, /--stats/, /--connect-timeout/, /Exit status: 0 /, /128\+N\s+stopped by signal N/]) assert.match(r.stdout, want);
  });
});
