// --transport auto tries vsock only where VMware's VMCI vsock transport is
// loaded: never under KVM, Hyper-V or on a machine with only vsock_loopback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoTriesVsock } from '../../src/cli/guestrpc.js';

test('auto tries vsock only with vmw_vsock_vmci_transport', () => {
  assert.equal(autoTriesVsock([]), false);
  assert.equal(autoTriesVsock(['vmw_vsock_virtio_transport']), false, 'KVM/QEMU: the backdoor only');
  assert.equal(autoTriesVsock(['vsock_loopback', 'hv_sock']), false);
  assert.equal(autoTriesVsock(['vmw_vsock_vmci_transport']), true);
  assert.equal(autoTriesVsock(['vsock_loopback', 'vmw_vsock_vmci_transport']), true);
});
