// vsock addresses as users write them and as the kernel takes them. Pure:
// nothing here opens a socket (no AF_VSOCK on a development or CI machine).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressError, formatAddress, parseAddress, parseSockaddrVm, sockaddrVm } from '../../src/vsock/address.js';
import { VMADDR_CID_ANY } from '../../src/vsock/constants.js';

test('CID:PORT with numbers and the well-known names', () => {
  assert.deepEqual(parseAddress('1:976'), { cid: 1, port: 976 });
  assert.deepEqual(parseAddress('hypervisor:976'), { cid: 0, port: 976 });
  assert.deepEqual(parseAddress('local:5000'), { cid: 1, port: 5000 });
  assert.deepEqual(parseAddress('HOST:22'), { cid: 2, port: 22 });
  assert.deepEqual(parseAddress('any:1'), { cid: VMADDR_CID_ANY, port: 1 });
  assert.deepEqual(parseAddress('-1:1'), { cid: VMADDR_CID_ANY, port: 1 });
  assert.deepEqual(parseAddress('4294967295:4294967295'), { cid: 0xffffffff, port: 0xffffffff });
  assert.deepEqual(parseAddress('0x10:0x20'), { cid: 16, port: 32 });
  assert.deepEqual(parseAddress(' 3:4 '), { cid: 3, port: 4 });
});

test('listening: [CID:]PORT, the CID any by default', () => {
  assert.deepEqual(parseAddress('5000', { listen: true }), { cid: VMADDR_CID_ANY, port: 5000 });
  assert.deepEqual(parseAddress('1:5000', { listen: true }), { cid: 1, port: 5000 });
});

test('bad addresses name the expected form', () => {
  for (const bad of ['foo', '1:', ':5', '1:99999999999', '-3:5', '1:5:6', '', '  ', '1:-5', '1:5.0', '1:05x', 'guest:5', '4294967296:1', '1: 5']) {
    assert.throws(
      () => parseAddress(bad),
      (e: unknown) => e instanceof AddressError && e.message.startsWith(`${JSON.stringify(bad)} is not a vsock address (`) && e.message.endsWith('expected CID:PORT (CID a number or hypervisor, local, host, any; PORT 0..4294967295)'),
      JSON.stringify(bad),
    );
  }
  assert.throws(() => parseAddress('foo', { listen: true }), /expected \[CID:\]PORT/);
});

test('formatAddress shows the well-known CIDs by name', () => {
  assert.equal(formatAddress({ cid: 1, port: 976 }), 'local:976');
  assert.equal(formatAddress({ cid: 0xffffffff, port: 5 }), 'any:5');
  assert.equal(formatAddress({ cid: 42, port: 5 }), '42:5');
});

test('struct sockaddr_vm: family 40, port and CID little-endian at 4 and 8, the rest zero; and back', () => {
  const b = sockaddrVm({ cid: 0x01020304, port: 0x0a0b0c0d });
  assert.deepEqual([...b], [40, 0, 0, 0, 0x0d, 0x0c, 0x0b, 0x0a, 0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0]);
  assert.deepEqual(parseSockaddrVm(b), { cid: 0x01020304, port: 0x0a0b0c0d });
  assert.deepEqual([...sockaddrVm({ cid: VMADDR_CID_ANY, port: 1 }, 27)].slice(0, 2), [27, 0], 'the legacy family from the /dev/vsock ioctl');
  assert.throws(() => parseSockaddrVm(new Uint8Array(8)), /16 bytes, not 8/);
});
