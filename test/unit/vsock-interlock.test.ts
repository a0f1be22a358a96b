// The interlock that keeps tests off this machine's vsock: with
// VMT_VSOCK_FORBID set, every libvmt entry that would create a vsock socket or
// open /dev/vsock returns -EPERM before any system call, on this runtime's FFI.
import assert from 'node:assert/strict';
import { test } from 'node:test';

process.env.VMT_VSOCK_FORBID = '1'; // before libvmt is loaded; the test runner sets it too

const EPERM = 1;

test('libvmt with VMT_VSOCK_FORBID=1: family, CID, connect and listen all refuse with -EPERM', async () => {
  const { loadLibvmt } = await import('../../src/ffi/index.js');
  const lib = await loadLibvmt();
  const out = new Uint32Array(2);
  assert.equal(lib.vsockFamily(), -EPERM);
  assert.equal(lib.vsockLocalCid(out), -EPERM);
  assert.equal(lib.vsockConnect(1, 5000, 1000, 0, out), -EPERM);
  assert.equal(lib.vsockConnect(0, 976, 1000, 1, out), -EPERM);
  assert.equal(lib.vsockListen(0xffffffff, 5000, 1, out), -EPERM);
});

test('the socket wrapper turns the refusal into exit 3 naming the interlock', async () => {
  const { connect, listen, localCid, VsockError } = await import('../../src/vsock/socket.js');
  for (const attempt of [() => connect({ cid: 1, port: 5000 }, { timeoutMs: 1000 }), () => listen({ cid: 0xffffffff, port: 5000 }), () => localCid()]) {
    await assert.rejects(attempt, (err: unknown) => err instanceof VsockError && err.exit === 3 && /VMT_VSOCK_FORBID is set/.test(err.message));
  }
});
