// vmt sim serve's sockets: libvmt's vsock calls, none of them blocking.
import { loadLibvmt } from '../ffi/index.js';
import { VMADDR_CID_ANY } from '../vsock/constants.js';
import { ERRNO } from '../vsock/diagnose.js';
import { vsockError } from '../vsock/socket.js';
import type { ServeIo } from './serve.js';

const SEND_TIMEOUT_MS = 10_000;

export async function vsockServeIo(): Promise<ServeIo> {
  const lib = await loadLibvmt();
  const idle = (rc: number) => rc === -ERRNO.ETIMEDOUT || rc === -ERRNO.EINTR;
  return {
    listen(port) {
      const fd = lib.vsockListen(VMADDR_CID_ANY, port, 16, new Uint32Array(2));
      if (fd < 0) throw vsockError(-fd, { step: 'listen', address: { cid: VMADDR_CID_ANY, port } });
      return fd;
    },
    accept(fd) {
      const peer = new Uint32Array(2);
      const c = lib.vsockAccept(fd, 0, peer);
      if (idle(c)) return null;
      if (c < 0) throw vsockError(-c, { step: 'accept' });
      return { fd: c, peerPort: peer[1]! };
    },
    recv(fd, max) {
      const buf = new Uint8Array(max);
      const n = lib.vsockRecv(fd, buf, max, 0);
      if (idle(n)) return new Uint8Array(0);
      if (n < 0) throw vsockError(-n, { step: 'recv' });
      return n === 0 ? null : buf.subarray(0, n);
    },
    send(fd, data) {
      const rc = lib.vsockSendAll(fd, data, data.length, SEND_TIMEOUT_MS);
      if (rc < 0) throw vsockError(-rc, { step: 'send' });
    },
    close(fd) {
      lib.close(fd);
    },
  };
}
