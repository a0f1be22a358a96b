// The GuestRPC vsock channels on real sockets: a Connector over libvmt's
// vsock calls (src/vsock), to the VMX's ports on CID 0 or to the endpoint a
// test names. libvmt is loaded by the caller (the calls here are synchronous,
// like the backdoor's).
import type { Libvmt } from '../ffi/types.js';
import { GUESTRPC_RPCI_VSOCK_LISTEN_PORT, GUESTRPC_TCLO_VSOCK_LISTEN_PORT, VMADDR_CID_HYPERVISOR } from '../vsock/constants.js';
import type { VsockAddress } from '../vsock/address.js';
import { ERRNO } from '../vsock/diagnose.js';
import { vsockError } from '../vsock/socket.js';
import type { StreamConn } from './vsock-channel.js';

/** How long a connect may take (open-vm-tools leaves it to the kernel's 2 s default). */
export const CONNECT_TIMEOUT_MS = 2000;
const SEND_TIMEOUT_MS = 10_000;

export const RPCI_ENDPOINT: VsockAddress = { cid: VMADDR_CID_HYPERVISOR, port: GUESTRPC_RPCI_VSOCK_LISTEN_PORT };
export const TCLO_ENDPOINT: VsockAddress = { cid: VMADDR_CID_HYPERVISOR, port: GUESTRPC_TCLO_VSOCK_LISTEN_PORT };

/** A connected socket as a StreamConn; `local` says which source port the connection got. */
export interface VsockConn extends StreamConn {
  readonly localPort: number;
}

export function vsockConnector(lib: Libvmt, endpoint: VsockAddress): (opts: { privileged: boolean }) => VsockConn {
  return ({ privileged }) => {
    const local = new Uint32Array(2);
    let fd: number;
    do fd = lib.vsockConnect(endpoint.cid, endpoint.port, CONNECT_TIMEOUT_MS, privileged ? 1 : 0, local);
    while (fd === -ERRNO.EINTR);
    if (fd < 0) throw vsockError(-fd, { step: 'connect', address: endpoint, connectTimeout: CONNECT_TIMEOUT_MS / 1000 });
    const fail = (rc: number, step: 'send' | 'recv') => vsockError(-rc, { step, address: endpoint });
    return {
      localPort: local[1]!,
      send(data) {
        const rc = lib.vsockSendAll(fd, data, data.length, SEND_TIMEOUT_MS);
        if (rc < 0) throw fail(rc, 'send');
      },
      recv(max, timeoutMs) {
        const buf = new Uint8Array(max);
        const n = lib.vsockRecv(fd, buf, max, Math.max(0, Math.floor(timeoutMs)));
        if (n === -ERRNO.ETIMEDOUT || n === -ERRNO.EINTR) return new Uint8Array(0);
        if (n < 0) throw fail(n, 'recv');
        return n === 0 ? null : buf.subarray(0, n);
      },
      close() {
        lib.close(fd);
      },
    };
  };
}
