/*
 * libvmt: the few things vmt cannot do from JavaScript.
 *
 * Register frames are seven uint32 in the order EAX EBX ECX EDX ESI EDI EBP,
 * read on entry and overwritten with the values the host left.
 * The backdoor calls return 0 when the instruction completed, the number of
 * the signal (SIGSEGV, SIGBUS, SIGILL) when it faulted -- off VMware that is
 * the normal answer, never a dead process -- or -errno.
 */
#ifndef VMT_H
#define VMT_H
#include <stdint.h>

#define VMT_ABI_VERSION 3

int vmt_abi_version(void);
/* in eax,dx with the frame (EBP unused) */
int vmt_bdoor_lb(uint32_t regs[7]);
/* cld; rep outsb: RSI = buf, the frame's ESI is ignored */
int vmt_bdoor_hb_out(uint32_t regs[7], const uint8_t *buf);
/* cld; rep insb: RDI = buf, the frame's EDI is ignored */
int vmt_bdoor_hb_in(uint32_t regs[7], uint8_t *buf);
/* out = EAX EBX ECX EDX of CPUID(leaf, subleaf); 0, or -ENOSYS off x86 */
int vmt_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* steps CLOCK_REALTIME; 0 or -errno */
int vmt_settime(int64_t sec, int32_t usec);

/* vsock (vsock.c). -errno on failure; -EPERM before any system call when
 * VMT_VSOCK_FORBID is set (the test runner's interlock). */
#define VMT_VSOCK_PRIVILEGED 1	/* connect from a port counting down from 1023 */
int vmt_vsock_forbidden(void);
/* the address family: 40 (in-tree) or the legacy module's */
int vmt_vsock_family(void);
/* ioctl(/dev/vsock, IOCTL_VM_SOCKETS_GET_LOCAL_CID) */
int vmt_vsock_local_cid(uint32_t out[1]);
/* fd; out = local CID, port */
int vmt_vsock_connect(uint32_t cid, uint32_t port, int32_t timeout_ms, int32_t flags, uint32_t out[2]);
/* fd; out = bound CID, port */
int vmt_vsock_listen(uint32_t cid, uint32_t port, int32_t backlog, uint32_t out[2]);
/* fd; peer = CID, port; -ETIMEDOUT after timeout_ms (<0: never), -EINTR on a signal */
int vmt_vsock_accept(int fd, int32_t timeout_ms, uint32_t peer[2]);
int vmt_vsock_shutdown(int fd, int32_t how);
int vmt_vsock_send_all(int fd, const uint8_t *buf, int32_t len, int32_t timeout_ms);
int vmt_vsock_recv(int fd, uint8_t *buf, int32_t len, int32_t timeout_ms);
int vmt_close(int fd);
int vmt_set_blocking(int fd, int32_t blocking);

/* the copy engine (pump.c) */
#define VMT_PUMP_CLOSE_OUT 1	/* close out_fd at the socket's EOF */
enum { VMT_PUMP_AT_NONE, VMT_PUMP_AT_READ_IN, VMT_PUMP_AT_SEND, VMT_PUMP_AT_RECV, VMT_PUMP_AT_WRITE_OUT, VMT_PUMP_AT_IDLE, VMT_PUMP_AT_POLL };
int vmt_pump_size(void);
int vmt_pump_init(uint8_t *state, int32_t size, int32_t in_fd, int32_t sock, int32_t out_fd, int32_t idle_ms, int32_t flags);
/* 1 running, 0 done, -errno; out = u64 sent, received, where, state bits */
int vmt_pump_step(uint8_t *state, int32_t max_ms, uint8_t out[32]);

/* one ioctl on a device file (ioctl.c): open(path, write ? O_RDWR : O_RDONLY),
 * ioctl(fd, request, arg), close; 0 or -errno. -EINVAL before any system call
 * when arg_len is below the size the request encodes. _buf first writes buf's
 * address (a native pointer) into arg at ptr_offset. */
int vmt_ioctl_path(const char *path, int32_t write, uint32_t request, uint8_t *arg, int32_t arg_len);
int vmt_ioctl_path_buf(const char *path, int32_t write, uint32_t request, uint8_t *arg, int32_t arg_len,
		       int32_t ptr_offset, uint8_t *buf);
#endif
