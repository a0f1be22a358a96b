// vmt sim serve on this machine: only what needs no socket (usage errors) and
// the interlock; the server itself is proven in the QEMU guest
// (test/e2e/vsock-guestrpc.test.ts) and its loop in test/unit/sim-serve.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertUsage, everywhere } from '../helpers.js';

process.env.VMT_VSOCK_FORBID = '1'; // no vsock socket on this machine (the helpers pass process.env on)

test('vmt sim serve: nothing to serve, bad ports, bad guestinfo and a bad --fault are usage errors before any socket', () => {
  everywhere(['sim', 'serve'], (r) => assertUsage(r, /^vmt sim serve: nothing to serve: give --vsock-rpci PORT, --vsock-tclo PORT, or both$/, 'no ports'));
  everywhere(['sim', 'serve', '--vsock-rpci', '-1'], (r) => assertUsage(r, /--vsock-rpci wants a whole number/, 'a negative port'));
  everywhere(['sim', 'serve', '--vsock-rpci', '976', '--guestinfo', 'novalue'], (r) => assertUsage(r, /--guestinfo wants KEY=VALUE/, 'bad guestinfo'));
  everywhere(['sim', 'serve', '--vsock-rpci', '976', '--fault', 'neglength,hugelength:0'], (r) =>
    assertUsage(r, /^vmt sim serve: --fault: bad fault 'hugelength:0' in 'neglength,hugelength:0': expected a comma-separated list of neglength, hugelength\[:BYTES\]/, 'a bad hostile mode'),
  );
});

test('vmt sim serve under VMT_VSOCK_FORBID: exit 3, no socket', () => {
  everywhere(['sim', 'serve', '--vsock-rpci', '976', '--timeout', '1'], (r) => {
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /^vmt sim serve: vsock is switched off here: VMT_VSOCK_FORBID is set/);
  });
});
