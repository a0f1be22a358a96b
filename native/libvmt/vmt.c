/*
 * Guarded backdoor access. A user-mode `in` off VMware raises #GP, which the
 * kernel delivers as SIGSEGV (SIGBUS on some BSDs; SIGILL where an emulator
 * refuses the opcode); on arm64 the backdoor's `mrs xzr, mdccsr_el0` from EL0
 * is an undefined instruction off VMware, SIGILL (bdoor_aarch64.S). For the
 * duration of one call we install a handler for those three signals that
 * jumps back out of the faulting instruction -- but only when the fault is
 * ours: this thread is inside a guarded call and the PC (RIP) lies in the
 * backdoor stubs. Any other fault goes to the handler the runtime
 * had (V8 and JSC install their own), and the old handlers are put back
 * before we return.
 */
#define _GNU_SOURCE
#include "vmt.h"
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#if defined(__linux__) && defined(__x86_64__)
#include <sys/io.h>
#endif

#define BDOOR_PORT 0x5658u

int vmt_abi_version(void) { return VMT_ABI_VERSION; }

#if defined(__x86_64__) || defined(__aarch64__)

extern char vmt_asm_begin[], vmt_asm_end[];
void vmt_asm_inl(uint64_t *frame);
void vmt_asm_insb(uint64_t *frame);
void vmt_asm_outsb(uint64_t *frame);

static const int guarded[] = { SIGSEGV, SIGBUS, SIGILL };
#define NGUARDED (sizeof guarded / sizeof guarded[0])

static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction saved[NGUARDED];
static __thread sigjmp_buf *guard_jump;

static const struct sigaction *saved_for(int sig)
{
	for (unsigned i = 0; i < NGUARDED; i++)
		if (guarded[i] == sig)
			return &saved[i];
	return NULL;
}

/* A fault that is not ours: hand it to whoever handled it before us. */
static void chain(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = saved_for(sig);
	if (old && (old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
		old->sa_sigaction(sig, si, uc);
	} else if (old && old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
	} else {
		/* default action: re-executing the instruction faults again */
		signal(sig, SIG_DFL);
	}
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
#if defined(__x86_64__)
	uintptr_t pc = (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#else
	uintptr_t pc = (uintptr_t)((ucontext_t *)uc)->uc_mcontext.pc;
#endif
	if (guard_jump && pc >= (uintptr_t)vmt_asm_begin && pc < (uintptr_t)vmt_asm_end)
		siglongjmp(*guard_jump, sig);
	chain(sig, si, uc);
}

/* Port access for hypervisors that honour the TSS bitmap (QEMU/KVM vmport).
 * Real VMware needs none. Per thread, tried once, failure ignored. */
static void try_ioperm(void)
{
#if defined(__linux__) && defined(__x86_64__)
	static __thread int tried;
	if (!tried) {
		tried = 1;
		if (geteuid() == 0)
			(void)ioperm(BDOOR_PORT, 4, 1);	/* 4: a 32-bit in touches 0x5658..0x565B */
	}
#endif
}

static int guarded_call(void (*stub)(uint64_t *), uint32_t regs[7], uint64_t ptr, int ptr_slot)
{
	uint64_t frame[7];
	struct sigaction sa;
	sigjmp_buf jump;
	volatile int rc = 0;

	for (int i = 0; i < 7; i++)
		frame[i] = regs[i];
	if (ptr_slot >= 0)
		frame[ptr_slot] = ptr;
	try_ioperm();

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);

	pthread_mutex_lock(&guard_lock);
	for (unsigned i = 0; i < NGUARDED; i++)
		sigaction(guarded[i], &sa, &saved[i]);
	int sig = sigsetjmp(jump, 1);
	if (sig == 0) {
		guard_jump = &jump;
		stub(frame);
	} else {
		rc = sig;
	}
	guard_jump = NULL;
	for (unsigned i = 0; i < NGUARDED; i++)
		sigaction(guarded[i], &saved[i], NULL);
	pthread_mutex_unlock(&guard_lock);

	if (rc == 0)
		for (int i = 0; i < 7; i++)
			regs[i] = (uint32_t)frame[i];
	return rc;
}

int vmt_bdoor_lb(uint32_t regs[7]) { return guarded_call(vmt_asm_inl, regs, 0, -1); }
int vmt_bdoor_hb_out(uint32_t regs[7], const uint8_t *buf) { return guarded_call(vmt_asm_outsb, regs, (uintptr_t)buf, 4); }
int vmt_bdoor_hb_in(uint32_t regs[7], uint8_t *buf) { return guarded_call(vmt_asm_insb, regs, (uintptr_t)buf, 5); }

#if defined(__x86_64__)
int vmt_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	uint32_t a = leaf, b, c = subleaf, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	out[0] = a; out[1] = b; out[2] = c; out[3] = d;
	return 0;
}
#else /* arm64: no CPUID */
int vmt_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) { (void)leaf; (void)subleaf; memset(out, 0, 16); return -ENOSYS; }
#endif

#else /* neither x86-64 nor arm64: no backdoor */

int vmt_bdoor_lb(uint32_t regs[7]) { (void)regs; return -ENOSYS; }
int vmt_bdoor_hb_out(uint32_t regs[7], const uint8_t *buf) { (void)regs; (void)buf; return -ENOSYS; }
int vmt_bdoor_hb_in(uint32_t regs[7], uint8_t *buf) { (void)regs; (void)buf; return -ENOSYS; }
int vmt_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) { (void)leaf; (void)subleaf; memset(out, 0, 16); return -ENOSYS; }

#endif

int vmt_settime(int64_t sec, int32_t usec)
{
	struct timespec ts = { .tv_sec = (time_t)sec, .tv_nsec = (long)usec * 1000L };
	if (usec < 0 || usec >= 1000000)
		return -EINVAL;
	return clock_settime(CLOCK_REALTIME, &ts) == 0 ? 0 : -errno;
}
