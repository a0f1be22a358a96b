/*
 * The arm64 backdoor (bdoor_aarch64.S), checked under qemu-aarch64
 * (test/unit/libvmt-arm64.test.ts builds and runs this):
 *
 *  - the register packing: a SIGILL handler stands in for the host. It sees
 *    the registers at the `mrs xzr, mdccsr_el0` (X0-X6 the x86 frame, X7 the
 *    pretend instruction and X86_IO_MAGIC), writes an answer into X0-X6 and
 *    steps over the instruction, as VMware does; the stub must hand that
 *    answer back in the frame.
 *  - the guard: through libvmt's vmt_bdoor_* the same instruction off VMware
 *    is a return value (SIGILL), the process lives on, and the application's
 *    own SIGILL handler is back afterwards.
 *
 * Built with -DVMT_BDOOR_TRAP='udf #0': qemu-user lets EL0 read mdccsr_el0
 * without a trap (a real arm64 Linux kernel traps it: MDSCR_EL1.TDCC), so
 * the stubs are checked with an instruction that traps everywhere; that
 * libvmt.so itself carries `mrs xzr, mdccsr_el0` is checked by the test
 * that runs this (objdump), and the unmodified stubs are run too: under
 * qemu-user they must come back with the frame untouched (a silent host).
 *
 * Prints one "ok <what>" line per check, "not ok <what>" and exit 1 on the first failure.
 * Nothing here is VMware: the positive path against a real ESXi-Arm/Fusion is untested.
 */
#define _GNU_SOURCE
#include "../libvmt/vmt.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

void vmt_asm_inl(uint64_t *frame);
void vmt_asm_insb(uint64_t *frame);
void vmt_asm_outsb(uint64_t *frame);

static uint64_t seen[8];	/* X0-X7 at the trap */
static uint64_t answer[7];	/* what the pretend host leaves in X0-X6 */
static volatile int traps;

static void pretend_host(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig; (void)si;
	for (int i = 0; i < 8; i++)
		seen[i] = uc->uc_mcontext.regs[i];
	for (int i = 0; i < 7; i++)
		uc->uc_mcontext.regs[i] = answer[i];
	uc->uc_mcontext.pc += 4;
	traps++;
}

static int failed;
static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "not ok", what);
	if (!ok)
		failed = 1;
}

static void packing(const char *name, void (*stub)(uint64_t *), uint32_t w7)
{
	uint64_t frame[7] = { 0x564D5868, 0xFFFFFFFFA9B2A797ull, 0x0a, 0x5658, 0x1122334455667788ull, 0x99aabbccddeeff00ull, 0x7777 };
	uint64_t in[7];
	char what[160];
	memcpy(in, frame, sizeof in);
	for (int i = 0; i < 7; i++)
		answer[i] = 0xa0a0a0a000000000ull | (uint64_t)(i + 1) * 0x01010101u;
	int before = traps;
	stub(frame);
	snprintf(what, sizeof what, "%s: one trap", name);
	check(traps == before + 1, what);
	snprintf(what, sizeof what, "%s: X0-X6 hold RAX RBX RCX RDX RSI RDI RBP of the frame", name);
	check(memcmp(seen, in, sizeof in) == 0, what);
	snprintf(what, sizeof what, "%s: X7 = 0x86 << 32 | 0x%02x", name, w7);
	check(seen[7] == (0x86ull << 32 | w7), what);
	snprintf(what, sizeof what, "%s: the host's X0-X6 come back in the frame", name);
	check(memcmp(frame, answer, sizeof frame) == 0, what);
}

/* `silent`: the stubs as libvmt has them, under qemu-user, where mdccsr_el0 reads as a no-op */
static int silent(void)
{
	uint32_t r[7] = { 0x564D5868, ~0x564D5868u, 10, 0x5658, 0, 0, 0 }, in[7];
	memcpy(in, r, sizeof in);
	int rc = vmt_bdoor_lb(r);
	printf("vmt_bdoor_lb = %d\n", rc);
	check(rc == 0 || rc == SIGILL, "mrs xzr, mdccsr_el0: completes or is a guarded SIGILL");
	check(rc != 0 || memcmp(r, in, sizeof in) == 0, "completed: nobody answered, the frame is untouched");
	return failed;
}

int main(int argc, char **argv)
{
	struct sigaction sa, app, now;
	if (argc > 1 && strcmp(argv[1], "silent") == 0)
		return silent();
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = pretend_host;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGILL, &sa, NULL);

	packing("in eax,dx", vmt_asm_inl, 0x0e);
	packing("rep insb", vmt_asm_insb, 0x1c);
	packing("rep outsb", vmt_asm_outsb, 0x18);

	/* the application's SIGILL handler is the pretend host; libvmt's guard
	 * must take the fault itself, and put this handler back */
	sigaction(SIGILL, NULL, &app);
	int before = traps;
	uint32_t r[7] = { 0x564D5868, ~0x564D5868u, 10, 0x5658, 0, 0, 0 };
	int rc = vmt_bdoor_lb(r);
	printf("vmt_bdoor_lb = %d\n", rc);
	check(rc == SIGILL, "the guard: vmt_bdoor_lb off VMware returns SIGILL");
	check(traps == before, "the guard: the application's handler did not see our fault");
	uint8_t buf[4] = { 0 };
	check(vmt_bdoor_hb_in(r, buf) == SIGILL && vmt_bdoor_hb_out(r, buf) == SIGILL, "the guard: vmt_bdoor_hb_in/out return SIGILL");
	sigaction(SIGILL, NULL, &now);
	check(now.sa_sigaction == app.sa_sigaction, "the guard: the application's SIGILL handler is back");
	uint32_t out[4];
	check(vmt_cpuid(0, 0, out) < 0, "vmt_cpuid is -ENOSYS off x86");
	return failed;
}
