// Which vsock transports this kernel has loaded: /sys/module/<name> exists
// for each loaded module (and for a built-in one that has parameters). Pure
// over an injected existence check, so tests need no kernel.
import { existsSync } from 'node:fs';

/** The transports, with where each one leads. */
export const TRANSPORTS = [
  { module: 'vmw_vsock_vmci_transport', leads: 'VMware (VMCI)' },
  { module: 'vmw_vsock_virtio_transport', leads: 'KVM/QEMU (virtio-vsock)' },
  { module: 'vsock_loopback', leads: 'this machine (CID 1, local)' },
  { module: 'hv_sock', leads: 'Hyper-V' },
] as const;

export type TransportModule = (typeof TRANSPORTS)[number]['module'];

export interface TransportFacts {
  /** the vsock core module (af_vsock) */
  vsock: boolean;
  loaded: TransportModule[];
}

export function loadedTransports(exists: (path: string) => boolean = existsSync): TransportFacts {
  return {
    vsock: exists('/sys/module/vsock'),
    loaded: TRANSPORTS.filter((t) => exists(`/sys/module/${t.module}`)).map((t) => t.module),
  };
}
