// vmt vsock cid on this machine: usage, and the interlock (VMT_VSOCK_FORBID=1
// keeps even /dev/vsock closed here). The real CID is read in the QEMU guest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertUsage, everywhere, oneJson } from '../helpers.js';

process.env.VMT_VSOCK_FORBID = '1';

test('VMT_VSOCK_FORBID=1: vmt vsock cid exits 3 naming the interlock; with --json one error document', () => {
  everywhere(['vsock', 'cid'], (r) => {
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^vmt vsock cid: vsock is switched off here: VMT_VSOCK_FORBID is set/);
  });
  everywhere(['vsock', 'cid', '--json'], (r) => {
    assert.equal(r.status, 3, r.stderr);
    const j = oneJson(r, 'vsock cid --json') as { error: { message: string; exit: number } };
    assert.equal(j.error.exit, 3);
    assert.match(j.error.message, /VMT_VSOCK_FORBID/);
  });
});

test('vmt vsock cid with an argument or an unknown flag: exit 2', () => {
  everywhere(['vsock', 'cid', '5'], (r) => assertUsage(r, /unexpected argument '5'/, 'vsock cid 5'));
  everywhere(['vsock', 'cid', '--port', '5'], (r) => assertUsage(r, /unknown flag '--port'/, 'vsock cid --port'));
});
