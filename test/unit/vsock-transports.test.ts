// Which vsock transports are loaded, from /sys/module (an injected fs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadedTransports } from '../../src/vsock/transports.js';

const fs = (paths: string[]) => (p: string) => paths.includes(p);

test('transports: none loaded, no vsock', () => {
  assert.deepEqual(loadedTransports(fs([])), { vsock: false, loaded: [] });
});

test('transports: the QEMU guest of test/e2e (vsock + vsock_loopback)', () => {
  assert.deepEqual(loadedTransports(fs(['/sys/module/vsock', '/sys/module/vsock_loopback', '/sys/module/vmw_vsock_virtio_transport_common'])), { vsock: true, loaded: ['vsock_loopback'] });
});

test('transports: all four, in a fixed order', () => {
  const all = ['hv_sock', 'vsock_loopback', 'vmw_vsock_virtio_transport', 'vmw_vsock_vmci_transport'].map((m) => `/sys/module/${m}`);
  assert.deepEqual(loadedTransports(fs(['/sys/module/vsock', ...all])).loaded, ['vmw_vsock_vmci_transport', 'vmw_vsock_virtio_transport', 'vsock_loopback', 'hv_sock']);
});

test('progress line: only on a terminal that reports its width (a serial console says 0 columns)', async () => {
  const { wantsProgress } = await import('../../src/vsock/cat.js');
  assert.equal(wantsProgress({ isTTY: true, columns: 80 }), true);
  assert.equal(wantsProgress({ isTTY: true, columns: 0 }), false);
  assert.equal(wantsProgress({ isTTY: true }), false);
  assert.equal(wantsProgress({ isTTY: false, columns: 80 }), false);
  assert.equal(wantsProgress({}), false);
});
