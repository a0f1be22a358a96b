/*
 * The copy engine of `vmt vsock cat`: in_fd -> sock and sock -> out_fd with
 * poll() and large buffers, in steps of at most max_ms so the runtime can
 * draw progress and handle signals in between. The state (buffers included)
 * lives in memory the caller owns: vmt_pump_size() bytes.
 *
 * Half-close: EOF on in_fd, once everything read is sent, becomes
 * shutdown(sock, SHUT_WR) and the socket is still read; EOF on the socket,
 * once everything received is written, stops writing out_fd (closes it with
 * VMT_PUMP_CLOSE_OUT) and in_fd is still sent. The pump ends when both
 * directions are done, when a read or write fails (-errno; where says which),
 * or when nothing moved for idle_ms (-ETIMEDOUT, where = VMT_PUMP_AT_IDLE).
 * Writes to out_fd are plain blocking writes after poll (out_fd may be shared
 * with other processes, so its flags are left alone); the socket's are not.
 */
#define _GNU_SOURCE
#include "vmt.h"
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PUMP_MAGIC 0x504d5056 /* "VPMP" */
#define PUMP_BUF (256 * 1024)

struct pump {
	int32_t magic, in_fd, sock, out_fd, idle_ms, flags;
	int32_t up_eof, up_done, down_eof, down_done;
	int64_t last_ms;
	uint64_t up_bytes, down_bytes;
	uint32_t up_off, up_len, down_off, down_len;
	int32_t where, err;
};
#define HDR 128
_Static_assert(sizeof(struct pump) <= HDR, "pump header");

int vmt_pump_size(void) { return HDR + 2 * PUMP_BUF; }

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vmt_pump_init(uint8_t *state, int32_t size, int32_t in_fd, int32_t sock, int32_t out_fd, int32_t idle_ms, int32_t flags)
{
	if (size < vmt_pump_size() || sock < 0)
		return -EINVAL;
	struct pump *p = (struct pump *)state;
	memset(p, 0, sizeof *p);
	p->magic = PUMP_MAGIC;
	p->in_fd = in_fd;
	p->sock = sock;
	p->out_fd = out_fd;
	p->idle_ms = idle_ms;
	p->flags = flags;
	p->last_ms = now_ms();
	if (in_fd < 0)
		p->up_eof = 1;
	if (out_fd < 0)
		p->down_eof = 1;
	return 0;
}

static void report(const struct pump *p, uint8_t out[32])
{
	uint64_t o[4] = { p->up_bytes, p->down_bytes, (uint64_t)(uint32_t)p->where,
			  (uint64_t)(p->up_eof | p->up_done << 1 | p->down_eof << 2 | p->down_done << 3) };
	memcpy(out, o, sizeof o);
}

static int fail(struct pump *p, int where, int err, uint8_t out[32])
{
	p->where = where;
	p->err = err;
	report(p, out);
	return -err;
}

/* Finishes a direction whose EOF has come and whose buffer is empty. */
static void settle(struct pump *p)
{
	if (p->up_eof && p->up_len == 0 && !p->up_done) {
		(void)shutdown(p->sock, SHUT_WR);
		p->up_done = 1;
	}
	if (p->down_eof && p->down_len == 0 && !p->down_done) {
		if ((p->flags & VMT_PUMP_CLOSE_OUT) && p->out_fd >= 0)
			close(p->out_fd);
		p->down_done = 1;
	}
}

/* 1: still running (call again), 0: both directions done, -errno: failed.
 * out = u64 bytes sent, u64 bytes received, u64 where, u64 state bits. */
int vmt_pump_step(uint8_t *state, int32_t max_ms, uint8_t out[32])
{
	struct pump *p = (struct pump *)state;
	if (p->magic != PUMP_MAGIC)
		return -EINVAL;
	if (p->err)
		return fail(p, p->where, p->err, out);
	uint8_t *upbuf = state + HDR, *downbuf = upbuf + PUMP_BUF;
	int64_t deadline = now_ms() + (max_ms < 0 ? 0 : max_ms);
	for (;;) {
		settle(p);
		if (p->up_done && p->down_done) {
			report(p, out);
			return 0;
		}
		struct pollfd fds[3];
		int n = 0, iin = -1, isock = -1, iout = -1;
		short sockev = 0;
		if (!p->up_eof && p->up_len == 0) {
			iin = n;
			fds[n++] = (struct pollfd){ .fd = p->in_fd, .events = POLLIN };
		}
		if (p->up_len > 0)
			sockev |= POLLOUT;
		if (!p->down_eof && p->down_len == 0)
			sockev |= POLLIN;
		if (sockev) {
			isock = n;
			fds[n++] = (struct pollfd){ .fd = p->sock, .events = sockev };
		}
		if (p->down_len > 0) {
			iout = n;
			fds[n++] = (struct pollfd){ .fd = p->out_fd, .events = POLLOUT };
		}
		int64_t now = now_ms();
		int64_t wait = deadline - now;
		if (p->idle_ms > 0) {
			int64_t idle = p->last_ms + p->idle_ms - now;
			if (idle <= 0)
				return fail(p, VMT_PUMP_AT_IDLE, ETIMEDOUT, out);
			if (idle < wait)
				wait = idle;
		}
		if (wait < 0)
			wait = 0;
		int r = poll(fds, (nfds_t)n, (int)wait);
		if (r < 0 && errno != EINTR)
			return fail(p, VMT_PUMP_AT_POLL, errno, out);
		if (r <= 0) {
			if (r < 0 || now_ms() >= deadline) {
				report(p, out);
				return 1;
			}
			continue; /* the idle check above decides */
		}
		int moved = 0;
		if (iin >= 0 && fds[iin].revents) {
			ssize_t k = read(p->in_fd, upbuf, PUMP_BUF);
			if (k > 0) {
				p->up_off = 0;
				p->up_len = (uint32_t)k;
				moved = 1;
			} else if (k == 0) {
				p->up_eof = 1;
			} else if (errno != EAGAIN && errno != EINTR) {
				return fail(p, VMT_PUMP_AT_READ_IN, errno, out);
			}
		}
		if (isock >= 0 && fds[isock].revents) {
			short ev = fds[isock].revents;
			if (p->up_len > 0 && (ev & (POLLOUT | POLLERR | POLLHUP))) {
				ssize_t k = send(p->sock, upbuf + p->up_off, p->up_len, MSG_NOSIGNAL | MSG_DONTWAIT);
				if (k > 0) {
					p->up_off += (uint32_t)k;
					p->up_len -= (uint32_t)k;
					p->up_bytes += (uint64_t)k;
					moved = 1;
				} else if (k < 0 && errno != EAGAIN && errno != EINTR) {
					return fail(p, VMT_PUMP_AT_SEND, errno, out);
				}
			}
			if (!p->down_eof && p->down_len == 0 && (ev & (POLLIN | POLLERR | POLLHUP))) {
				ssize_t k = recv(p->sock, downbuf, PUMP_BUF, MSG_DONTWAIT);
				if (k > 0) {
					p->down_off = 0;
					p->down_len = (uint32_t)k;
					p->down_bytes += (uint64_t)k;
					moved = 1;
				} else if (k == 0) {
					p->down_eof = 1;
				} else if (errno != EAGAIN && errno != EINTR) {
					return fail(p, VMT_PUMP_AT_RECV, errno, out);
				}
			}
		}
		if (iout >= 0 && fds[iout].revents) {
			ssize_t k = write(p->out_fd, downbuf + p->down_off, p->down_len);
			if (k > 0) {
				p->down_off += (uint32_t)k;
				p->down_len -= (uint32_t)k;
				moved = 1;
			} else if (k < 0 && errno != EAGAIN && errno != EINTR) {
				return fail(p, VMT_PUMP_AT_WRITE_OUT, errno, out);
			}
		}
		if (moved)
			p->last_ms = now_ms();
		if (now_ms() >= deadline) {
			settle(p);
			report(p, out);
			return p->up_done && p->down_done ? 0 : 1;
		}
	}
}
