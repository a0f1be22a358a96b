/*
 * vsock for vmt: the address family, the local CID, connect with a timeout
 * (optionally from a privileged port, as GuestRPC wants), listen/accept, and
 * the copy engine behind `vmt vsock cat` (pump). Every entry returns -errno
 * on failure. Sockets are non-blocking; waits are poll() with a deadline, and
 * a wait interrupted by a signal returns -EINTR so the runtime can run its
 * handler.
 *
 * The interlock: with VMT_VSOCK_FORBID set (to anything but "" or "0")
 * every entry that would create a vsock socket or open /dev/vsock returns
 * -EPERM before any system call. vmt's test runner sets it, so tests on a
 * development machine can never reach that machine's vsock.
 */
#define _GNU_SOURCE
#include "vmt.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/vm_sockets.h>
#endif

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#define VMCI_SOCKETS_GET_AF_VALUE 1976	/* legacy vsock.ko (open-vm-tools vmci_sockets.h) */
#define GET_LOCAL_CID 1977		/* IOCTL_VM_SOCKETS_GET_LOCAL_CID, _IO(7, 0xb9) */
#define PRIVILEGED_PORT_MAX 1023
#define PRIVILEGED_PORT_MIN 1
#define MAX_RESETS 8
#define MIN_BUFFER (64u << 10) /* a whole GuestRPC packet (64 KiB payload) fits the socket's buffer */

/* The buffer stays at least MIN_BUFFER (Linux's default is 256 KiB; VMCI sizes its
 * queue pair from it at connect time, so this comes before connect and listen).
 * The kernel clamps the size up to the minimum and keeps a larger one. */
static void ensure_min_buffer(int s, int af)
{
	uint64_t min = MIN_BUFFER;
	(void)setsockopt(s, af, SO_VM_SOCKETS_BUFFER_MIN_SIZE, &min, sizeof min);
}

int vmt_vsock_forbidden(void)
{
	const char *v = getenv("VMT_VSOCK_FORBID");
	return v && *v && strcmp(v, "0") != 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline (<0: forever): 0, -ETIMEDOUT, -EINTR or -errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int left = -1;
	if (deadline >= 0) {
		int64_t l = deadline - now_ms();
		left = l < 0 ? 0 : (l > 0x7fffffff ? 0x7fffffff : (int)l);
	}
	int r = poll(&p, 1, left);
	if (r < 0)
		return -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

static int64_t deadline_of(int32_t timeout_ms) { return timeout_ms < 0 ? -1 : now_ms() + timeout_ms; }

/* The family: the in-tree AF_VSOCK when a socket of it can be made, else the
 * legacy module's from /dev/vsock. open-vm-tools probes with SOCK_DGRAM, but
 * since Linux 5.5 a datagram socket needs a datagram transport (VMCI only), so
 * under KVM or vsock_loopback it fails with ENODEV: a stream socket, whose
 * transport is chosen at connect or bind, is the probe that works everywhere. */
int vmt_vsock_family(void)
{
	static int family;
	if (vmt_vsock_forbidden())
		return -EPERM;
	if (family > 0)
		return family;
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		close(s);
		return family = AF_VSOCK;
	}
	int err = errno;
	int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		int af = -1;
		int r = ioctl(fd, VMCI_SOCKETS_GET_AF_VALUE, &af);
		close(fd);
		if (r >= 0 && af > 0 && af != AF_VSOCK)
			return family = af;
	}
	return -err; /* EAFNOSUPPORT: no vsock at all; EPERM/EACCES: a policy refuses it */
}

int vmt_vsock_local_cid(uint32_t out[1])
{
	if (vmt_vsock_forbidden())
		return -EPERM;
	int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unsigned int cid = 0;
	int r = ioctl(fd, GET_LOCAL_CID, &cid);
	int err = errno;
	close(fd);
	if (r < 0)
		return -err;
	out[0] = cid;
	return 0;
}

static struct sockaddr_vm addr(int af, uint32_t cid, uint32_t port)
{
	struct sockaddr_vm a;
	memset(&a, 0, sizeof a);
	a.svm_family = (sa_family_t)af;
	a.svm_cid = cid;
	a.svm_port = port;
	return a;
}

enum { AT_SOCKET = 1, AT_BIND, AT_CONNECT };

/* One attempt: socket, optional bind to local_port, connect within the deadline. */
static int connect_once(int af, uint32_t cid, uint32_t port, int local_port, int32_t timeout_ms, int *at)
{
	*at = AT_SOCKET;
	int s = socket(af, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	ensure_min_buffer(s, af);
	if (timeout_ms >= 0) {
		/* the kernel's own connect timeout (2 s by default) must not cut ours short */
		struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
		(void)setsockopt(s, af, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof tv);
	}
	int r;
	if (local_port >= 0) {
		*at = AT_BIND;
		struct sockaddr_vm la = addr(af, VMADDR_CID_ANY, (uint32_t)local_port);
		if (bind(s, (struct sockaddr *)&la, sizeof la) < 0)
			goto fail;
	}
	*at = AT_CONNECT;
	struct sockaddr_vm ra = addr(af, cid, port);
	if (connect(s, (struct sockaddr *)&ra, sizeof ra) == 0)
		return s;
	if (errno != EINPROGRESS)
		goto fail;
	r = wait_fd(s, POLLOUT, deadline_of(timeout_ms));
	if (r < 0) {
		close(s);
		return r;
	}
	int soerr = 0;
	socklen_t len = sizeof soerr;
	if (getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		goto fail;
	if (soerr) {
		close(s);
		return -soerr;
	}
	return s;
fail:
	r = -errno;
	close(s);
	return r;
}

static void local_port_of(int s, uint32_t out[2])
{
	struct sockaddr_vm a;
	socklen_t len = sizeof a;
	memset(&a, 0, sizeof a);
	if (getsockname(s, (struct sockaddr *)&a, &len) == 0) {
		out[0] = a.svm_cid;
		out[1] = a.svm_port;
	}
}

/* A connected socket (fd) or -errno; out = the local CID and port. With
 * VMT_VSOCK_PRIVILEGED the local port counts down from 1023: EADDRINUSE on
 * bind or ECONNRESET from the peer try the next port (at most 8 resets),
 * EACCES on bind (not root) falls back to an unprivileged port. */
int vmt_vsock_connect(uint32_t cid, uint32_t port, int32_t timeout_ms, int32_t flags, uint32_t out[2])
{
	int af = vmt_vsock_family();
	if (af < 0)
		return af;
	int at, s;
	out[0] = out[1] = VMADDR_PORT_ANY;
	if (!(flags & VMT_VSOCK_PRIVILEGED)) {
		s = connect_once(af, cid, port, -1, timeout_ms, &at);
	} else {
		int resets = 0;
		s = -EADDRINUSE;
		for (int lp = PRIVILEGED_PORT_MAX; lp >= PRIVILEGED_PORT_MIN; lp--) {
			s = connect_once(af, cid, port, lp, timeout_ms, &at);
			if (s >= 0)
				break;
			if (at == AT_BIND && s == -EADDRINUSE)
				continue;
			if (at == AT_BIND && (s == -EACCES || s == -EPERM)) {
				s = connect_once(af, cid, port, -1, timeout_ms, &at);
				break;
			}
			if (s == -ECONNRESET && ++resets < MAX_RESETS)
				continue;
			break;
		}
	}
	if (s >= 0)
		local_port_of(s, out);
	return s;
}

/* A listening socket bound to cid:port, or -errno; out = the bound CID and port. */
int vmt_vsock_listen(uint32_t cid, uint32_t port, int32_t backlog, uint32_t out[2])
{
	int af = vmt_vsock_family();
	if (af < 0)
		return af;
	int s = socket(af, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	ensure_min_buffer(s, af); /* accepted sockets inherit it */
	struct sockaddr_vm a = addr(af, cid, port);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, backlog > 0 ? backlog : 16) < 0) {
		int r = -errno;
		close(s);
		return r;
	}
	local_port_of(s, out);
	return s;
}

/* The next connection (fd) within timeout_ms (<0: forever), or -errno
 * (-ETIMEDOUT, -EINTR); peer = its CID and port. */
int vmt_vsock_accept(int fd, int32_t timeout_ms, uint32_t peer[2])
{
	int r = wait_fd(fd, POLLIN, deadline_of(timeout_ms));
	if (r < 0)
		return r;
	struct sockaddr_vm a;
	socklen_t len = sizeof a;
	memset(&a, 0, sizeof a);
	int c = accept4(fd, (struct sockaddr *)&a, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	peer[0] = a.svm_cid;
	peer[1] = a.svm_port;
	return c;
}

int vmt_vsock_shutdown(int fd, int32_t how) { return shutdown(fd, how) == 0 ? 0 : -errno; }
int vmt_close(int fd) { return close(fd) == 0 ? 0 : -errno; }

/* Blocking mode on or off (a socket handed to a child process must block). */
int vmt_set_blocking(int fd, int32_t blocking)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	fl = blocking ? (fl & ~O_NONBLOCK) : (fl | O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl) == 0 ? 0 : -errno;
}

/* All of buf within timeout_ms: len, or -errno. */
int vmt_vsock_send_all(int fd, const uint8_t *buf, int32_t len, int32_t timeout_ms)
{
	int64_t deadline = deadline_of(timeout_ms);
	int32_t off = 0;
	while (off < len) {
		ssize_t n = send(fd, buf + off, (size_t)(len - off), MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += (int32_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		int r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return len;
}

/* Up to len bytes within timeout_ms: the count (0 at end of stream), or -errno. */
int vmt_vsock_recv(int fd, uint8_t *buf, int32_t len, int32_t timeout_ms)
{
	int64_t deadline = deadline_of(timeout_ms);
	for (;;) {
		ssize_t n = recv(fd, buf, (size_t)len, MSG_DONTWAIT);
		if (n >= 0)
			return (int)n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		int r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
}
