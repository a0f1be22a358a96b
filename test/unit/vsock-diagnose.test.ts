// What a failed vsock call tells the user: cause, fix, and exit status 3 (not
// available here) or 4 (failed part-way), for every errno vmt words itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnose, ERRNO, type DiagnoseContext } from '../../src/vsock/diagnose.js';

const at = (cid: number, port: number) => ({ cid, port });

const cases: [string, number, DiagnoseContext, 3 | 4, RegExp][] = [
  ['the interlock', ERRNO.EPERM, { step: 'connect', forbidden: true }, 3, /VMT_VSOCK_FORBID is set/],
  ['the interlock, listening', ERRNO.EPERM, { step: 'listen', forbidden: true }, 3, /VMT_VSOCK_FORBID is set/],
  ['the interlock, the CID', ERRNO.EPERM, { step: 'cid', forbidden: true }, 3, /VMT_VSOCK_FORBID is set/],
  ['no vsock in the kernel', ERRNO.EAFNOSUPPORT, { step: 'connect', address: at(2, 5) }, 3, /^this kernel has no vsock support \(EAFNOSUPPORT\): load the vsock module/],
  ['no transport, CID 1', ERRNO.ENODEV, { step: 'connect', address: at(1, 5), loaded: [] }, 3, /^no vsock transport reaches local:5 \(ENODEV\): load vsock_loopback .*\(transports loaded: none\)$/],
  ['no transport, the host', ERRNO.ENODEV, { step: 'connect', address: at(2, 5), loaded: ['vsock_loopback'] }, 3, /vmw_vsock_vmci_transport on VMware, vmw_vsock_virtio_transport on KVM.*\(transports loaded: vsock_loopback\)$/],
  ['no transport (ESOCKTNOSUPPORT)', ERRNO.ESOCKTNOSUPPORT, { step: 'connect', address: at(0, 976) }, 3, /no vsock transport reaches hypervisor:976 \(ESOCKTNOSUPPORT\)/],
  ['a policy refuses AF_VSOCK (EPERM)', ERRNO.EPERM, { step: 'connect', address: at(2, 5) }, 3, /refused here \(EPERM\): a container runtime or seccomp profile/],
  ['a policy refuses AF_VSOCK (EACCES)', ERRNO.EACCES, { step: 'connect', address: at(2, 5) }, 3, /refused here \(EACCES\)/],
  ['a privileged port', ERRNO.EACCES, { step: 'listen', address: at(-1 >>> 0, 976) }, 3, /^port 976 is privileged \(EACCES\): .*root or CAP_NET_BIND_SERVICE/],
  ['EACCES on a high port is a policy', ERRNO.EACCES, { step: 'listen', address: at(-1 >>> 0, 5000) }, 3, /a container runtime or seccomp profile/],
  ['a busy port', ERRNO.EADDRINUSE, { step: 'listen', address: at(-1 >>> 0, 5000) }, 3, /^any:5000 is in use \(EADDRINUSE\)/],
  ['a CID not ours', ERRNO.EADDRNOTAVAIL, { step: 'listen', address: at(7, 5000) }, 3, /^cannot bind 7:5000 \(EADDRNOTAVAIL\)/],
  ['refused', ERRNO.ECONNREFUSED, { step: 'connect', address: at(2, 5000) }, 4, /^nobody listens at host:5000 \(ECONNREFUSED\)$/],
  ['reset at connect (loopback, virtio)', ERRNO.ECONNRESET, { step: 'connect', address: at(1, 5000) }, 4, /^nobody listens at local:5000 \(the connection was reset: ECONNRESET\)$/],
  ['reset part-way', ERRNO.ECONNRESET, { step: 'send', address: at(1, 5000) }, 4, /^local:5000 reset the connection \(ECONNRESET\)$/],
  ['connect timeout', ERRNO.ETIMEDOUT, { step: 'connect', address: at(2, 5000), connectTimeout: 10 }, 4, /^host:5000 did not answer within 10 s \(ETIMEDOUT\): .*--connect-timeout$/],
  ['idle timeout', ERRNO.ETIMEDOUT, { step: 'idle', address: at(2, 5000), idleTimeout: 3 }, 4, /^nothing moved for 3 s \(--idle-timeout\)/],
  ['the peer went away', ERRNO.EPIPE, { step: 'send', address: at(2, 5000) }, 4, /closed the connection before all input was sent \(EPIPE\)/],
  ['stdout closed', ERRNO.EPIPE, { step: 'write-output', address: at(2, 5000) }, 4, /^standard output was closed \(EPIPE\)/],
  ['no /dev/vsock', ERRNO.ENOENT, { step: 'cid' }, 3, /^there is no \/dev\/vsock/],
  ['anything else', 5, { step: 'recv', address: at(2, 5000) }, 4, /^receiving from host:5000 failed \(errno 5\)$/],
];

for (const [what, errno, ctx, exit, message] of cases) {
  test(`diagnose: ${what}`, () => {
    const d = diagnose(errno, ctx);
    assert.equal(d.exit, exit, d.message);
    assert.match(d.message, message);
  });
}

test('diagnose: EPERM names the interlock only when it is set', () => {
  assert.doesNotMatch(diagnose(ERRNO.EPERM, { step: 'connect' }).message, /VMT_VSOCK_FORBID/);
});
