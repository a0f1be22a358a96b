// AF_VSOCK and VMCI sockets, each number once, with where it comes from:
// Linux include/uapi/linux/vm_sockets.h and open-vm-tools'
// lib/include/vmci_sockets.h (the legacy /dev/vsock ioctls), and
// lib/include/guestrpc/tclodefs.h (the GuestRPC ports).

/** The in-tree Linux address family (PF_VSOCK). */
export const AF_VSOCK = 40;

/** /dev/vsock ioctls (bare numbers on Linux: the driver does not decode _IO fields). */
export const VMCI_SOCKETS_GET_AF_VALUE = 1976; // legacy vsock.ko only: its family number
export const IOCTL_VM_SOCKETS_GET_LOCAL_CID = 1977; // also the in-tree driver's

export const VMADDR_CID_ANY = 0xffffffff;
export const VMADDR_PORT_ANY = 0xffffffff;
export const VMADDR_CID_HYPERVISOR = 0; // the VMX on VMware
export const VMADDR_CID_LOCAL = 1; // loopback (vsock_loopback)
export const VMADDR_CID_HOST = 2; // host processes

/** Ports up to this one need CAP_NET_BIND_SERVICE to bind (net/vmw_vsock/af_vsock.c). */
export const LAST_RESERVED_PORT = 1023;

/** GuestRPC over vsock: the VMX listens on CID 0 at these ports. */
export const GUESTRPC_RPCI_VSOCK_LISTEN_PORT = 976;
export const GUESTRPC_TCLO_VSOCK_LISTEN_PORT = 975;

/** setsockopt/getsockopt options at level AF_VSOCK. */
export const SO_VM_SOCKETS_CONNECT_TIMEOUT = 6; // struct timeval on 64-bit Linux

/** sizeof(struct sockaddr_vm) on Linux. */
export const SOCKADDR_VM_SIZE = 16;
