// libvmt's entry points as TypeScript sees them: types only, so the modules
// that only describe or adapt libvmt need not import the loader (index.ts).

/** libvmt's entry points (native/libvmt/vmt.h). Frames are 7 × u32: EAX EBX ECX EDX ESI EDI EBP. */
export interface Libvmt {
  /** `in eax,dx`; 0, the signal number of a fault, or -errno */
  bdoorLb(frame: Uint32Array): number;
  /** `rep outsb` from buf (RSI := buf) */
  bdoorHbOut(frame: Uint32Array, buf: Uint8Array): number;
  /** `rep insb` into buf (RDI := buf) */
  bdoorHbIn(frame: Uint32Array, buf: Uint8Array): number;
  /** CPUID(leaf, subleaf) → [EAX, EBX, ECX, EDX] */
  cpuid(leaf: number, subleaf: number): Uint32Array;
  /** clock_settime(CLOCK_REALTIME); 0 or -errno */
  settime(sec: number, usec: number): number;

  // vsock (native/libvmt/vsock.c, pump.c): -errno on failure, and -EPERM before any system
  // call whenever VMT_VSOCK_FORBID is set (the test runner's interlock). u32 out-parameters.
  vsockFamily(): number;
  /** out[0] := the local CID (ioctl 1977 on /dev/vsock) */
  vsockLocalCid(out: Uint32Array): number;
  /** fd; out := [local CID, local port] */
  vsockConnect(cid: number, port: number, timeoutMs: number, flags: number, out: Uint32Array): number;
  /** fd; out := [bound CID, bound port] */
  vsockListen(cid: number, port: number, backlog: number, out: Uint32Array): number;
  /** fd; peer := [CID, port] */
  vsockAccept(fd: number, timeoutMs: number, peer: Uint32Array): number;
  vsockShutdown(fd: number, how: number): number;
  vsockSendAll(fd: number, buf: Uint8Array, len: number, timeoutMs: number): number;
  vsockRecv(fd: number, buf: Uint8Array, len: number, timeoutMs: number): number;
  close(fd: number): number;
  setBlocking(fd: number, blocking: boolean): number;
  pumpSize(): number;
  pumpInit(state: Uint8Array, inFd: number, sock: number, outFd: number, idleMs: number, flags: number): number;
  /** 1 running, 0 done, -errno; out := u64 sent, received, where, state bits */
  pumpStep(state: Uint8Array, maxMs: number, out: Uint8Array): number;

  // one ioctl on a device file (native/libvmt/ioctl.c; /dev/drvctl, /dev/devctl2): 0 or -errno,
  // and -EINVAL before any system call when arg is shorter than the size the request encodes.
  /** open(path, write ? O_RDWR : O_RDONLY), ioctl(fd, request (u32), arg), close */
  ioctlPath(path: string, write: boolean, request: number, arg: Uint8Array): number;
  /** the same, after writing buf's address (a native pointer) into arg at ptrOffset */
  ioctlPathBuf(path: string, write: boolean, request: number, arg: Uint8Array, ptrOffset: number, buf: Uint8Array): number;
}
