/*
 * The pump (native/libvmt/pump.c) over an AF_UNIX socketpair and pipes --
 * never a vsock: half-close both ways, byte counts, the idle timeout, a
 * failed send; and the VMT_VSOCK_FORBID interlock of vsock.c.
 */
#define _GNU_SOURCE
#include "../libvmt/vmt.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures;
#define CHECK(c, ...) do { if (c) { printf("ok "); } else { printf("FAIL "); failures++; } printf(__VA_ARGS__); printf("\n"); } while (0)

static uint8_t state[1 << 20];
static uint64_t out[4];

struct rig { int in[2], outp[2], sv[2]; };

static void rig(struct rig *r)
{
	if (pipe(r->in) || pipe(r->outp) || socketpair(AF_UNIX, SOCK_STREAM, 0, r->sv))
		exit(2);
}

static int step(int ms) { return vmt_pump_step(state, ms, (uint8_t *)out); }

static void half_close_both_ways(void)
{
	struct rig r;
	rig(&r);
	CHECK(vmt_pump_init(state, sizeof state, r.in[0], r.sv[0], r.outp[1], 0, VMT_PUMP_CLOSE_OUT) == 0, "init");
	write(r.in[1], "hello", 5);
	close(r.in[1]); /* end of input */
	int rc = step(50);
	char buf[64];
	ssize_t n = read(r.sv[1], buf, sizeof buf);
	CHECK(rc == 1 && n == 5 && memcmp(buf, "hello", 5) == 0, "input reaches the socket (rc %d, %zd bytes)", rc, n);
	CHECK(read(r.sv[1], buf, sizeof buf) == 0, "end of input became shutdown(SHUT_WR): the peer reads EOF");
	write(r.sv[1], "world!", 6); /* the peer still talks */
	rc = step(50);
	CHECK(rc == 1, "still running while the peer has not finished (rc %d)", rc);
	shutdown(r.sv[1], SHUT_WR);
	rc = step(50);
	n = read(r.outp[0], buf, sizeof buf);
	CHECK(rc == 0 && n == 6 && memcmp(buf, "world!", 6) == 0, "the peer's bytes reach the output, then done (rc %d, %zd bytes)", rc, n);
	CHECK(read(r.outp[0], buf, sizeof buf) == 0, "VMT_PUMP_CLOSE_OUT closed the output at the socket's EOF");
	CHECK(out[0] == 5 && out[1] == 6, "counts: sent %llu, received %llu", (unsigned long long)out[0], (unsigned long long)out[1]);
	close(r.in[0]); close(r.outp[0]); close(r.sv[0]); close(r.sv[1]);
}

static void socket_eof_first(void)
{
	struct rig r;
	rig(&r);
	vmt_pump_init(state, sizeof state, r.in[0], r.sv[0], r.outp[1], 0, 0);
	shutdown(r.sv[1], SHUT_WR);
	int rc = step(30);
	CHECK(rc == 1 && (out[3] & 8), "the socket's EOF ends only that direction (rc %d, bits %llu)", rc, (unsigned long long)out[3]);
	write(r.in[1], "late", 4);
	close(r.in[1]);
	rc = step(50);
	char buf[16];
	ssize_t n = read(r.sv[1], buf, sizeof buf);
	CHECK(rc == 0 && n == 4, "input is still sent after the socket's EOF, then done (rc %d, %zd bytes)", rc, n);
	close(r.in[0]); close(r.outp[0]); close(r.outp[1]); close(r.sv[0]); close(r.sv[1]);
}

static void idle_timeout(void)
{
	struct rig r;
	rig(&r);
	vmt_pump_init(state, sizeof state, r.in[0], r.sv[0], r.outp[1], 40, 0);
	int rc = 1;
	for (int i = 0; i < 100 && rc == 1; i++)
		rc = step(20);
	CHECK(rc == -ETIMEDOUT && out[2] == VMT_PUMP_AT_IDLE, "nothing moving for idle_ms ends with -ETIMEDOUT at idle (rc %d, where %llu)", rc, (unsigned long long)out[2]);
	close(r.in[0]); close(r.in[1]); close(r.outp[0]); close(r.outp[1]); close(r.sv[0]); close(r.sv[1]);
}

static void failed_send(void)
{
	struct rig r;
	rig(&r);
	vmt_pump_init(state, sizeof state, r.in[0], r.sv[0], r.outp[1], 0, 0);
	close(r.sv[1]); /* the peer is gone */
	write(r.in[1], "lost", 4);
	int rc = 1;
	for (int i = 0; i < 10 && rc == 1; i++)
		rc = step(20);
	CHECK((rc == -EPIPE || rc == -ECONNRESET) && out[2] == VMT_PUMP_AT_SEND, "a send to a closed peer fails at send (rc %d, where %llu)", rc, (unsigned long long)out[2]);
	close(r.in[0]); close(r.in[1]); close(r.outp[0]); close(r.outp[1]); close(r.sv[0]);
}

static void interlock(void)
{
	uint32_t o[2];
	setenv("VMT_VSOCK_FORBID", "1", 1);
	CHECK(vmt_vsock_forbidden() == 1, "VMT_VSOCK_FORBID=1 forbids");
	CHECK(vmt_vsock_family() == -EPERM && vmt_vsock_local_cid(o) == -EPERM && vmt_vsock_connect(1, 5000, 100, 0, o) == -EPERM &&
	      vmt_vsock_connect(0, 976, 100, VMT_VSOCK_PRIVILEGED, o) == -EPERM && vmt_vsock_listen(1, 5000, 1, o) == -EPERM,
	      "every vsock entry refuses with -EPERM");
	setenv("VMT_VSOCK_FORBID", "0", 1);
	CHECK(vmt_vsock_forbidden() == 0, "VMT_VSOCK_FORBID=0 does not");
	setenv("VMT_VSOCK_FORBID", "1", 1); /* and stays set for the rest of this test */
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as the runtimes do */
	interlock();
	half_close_both_ways();
	socket_eof_first();
	idle_timeout();
	failed_send();
	return failures ? 1 : 0;
}
