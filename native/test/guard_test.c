/*
 * Behaviour of libvmt's fault guard, checked from C (test/unit/libvmt.test.ts
 * builds and runs this): a faulting backdoor call returns the signal number,
 * the handlers that were installed before the call are back afterwards, a
 * fault that is not ours still reaches the application's handler, and the
 * guard works from a second thread. Prints one "ok <what>" line per check.
 */
#define _GNU_SOURCE
#include "../libvmt/vmt.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sigjmp_buf app_jump;
static volatile int app_handler_ran;

static void app_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si; (void)uc;
	app_handler_ran = sig;
	siglongjmp(app_jump, 1);
}

static int knock(void)
{
	uint32_t r[7] = { 0x564D5868, ~0x564D5868u, 10, 0x5658, 0, 0, 0 };
	return vmt_bdoor_lb(r);
}

static void *thread_knock(void *arg)
{
	*(int *)arg = knock();
	return NULL;
}

#define CHECK(cond, what) do { if (!(cond)) { printf("FAIL %s\n", what); exit(1); } printf("ok %s\n", what); } while (0)

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	CHECK(vmt_abi_version() == VMT_ABI_VERSION, "abi version");

	struct sigaction app, cur;
	memset(&app, 0, sizeof app);
	app.sa_sigaction = app_handler;
	app.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &app, NULL);
	signal(SIGBUS, SIG_DFL);

	int rc = knock();
	printf("knock rc=%d\n", rc);
	CHECK(rc == 0 || rc == SIGSEGV || rc == SIGBUS || rc == SIGILL, "knock returns 0 or the fault's signal");
	CHECK(app_handler_ran == 0, "the application's handler did not see our fault");

	sigaction(SIGSEGV, NULL, &cur);
	CHECK(cur.sa_sigaction == app_handler && (cur.sa_flags & SA_SIGINFO), "SIGSEGV handler restored");
	sigaction(SIGBUS, NULL, &cur);
	CHECK(cur.sa_handler == SIG_DFL, "SIGBUS default restored");

	uint8_t buf[64];
	uint32_t hb[7] = { 0x564D5868, 0x00010000, sizeof buf, 0x5659, 0, 0, 0 };
	rc = vmt_bdoor_hb_in(hb, buf);
	CHECK(rc == 0 || rc == SIGSEGV || rc == SIGBUS, "HB in returns 0 or the fault's signal");
	rc = vmt_bdoor_hb_out(hb, buf);
	CHECK(rc == 0 || rc == SIGSEGV || rc == SIGBUS, "HB out returns 0 or the fault's signal");

	/* a fault of the application's own, after our calls: its handler gets it */
	if (sigsetjmp(app_jump, 1) == 0) {
		volatile int *null = NULL;
		*null = 1;
	}
	CHECK(app_handler_ran == SIGSEGV, "a fault outside the backdoor reaches the application's handler");

	pthread_t t;
	int trc = -1000;
	pthread_create(&t, NULL, thread_knock, &trc);
	pthread_join(t, NULL);
	CHECK(trc == knock(), "the guard works the same from another thread");

	uint32_t id[4];
	CHECK(vmt_cpuid(0, 0, id) == 0, "cpuid");
	char vendor[13];
	memcpy(vendor, &id[1], 4); memcpy(vendor + 4, &id[3], 4); memcpy(vendor + 8, &id[2], 4); vendor[12] = 0;
	printf("vendor=%s\n", vendor);
	return 0;
}
