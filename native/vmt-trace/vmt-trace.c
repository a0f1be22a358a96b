/*
 * vmt-trace: runs a program (and everything it forks and execs) as if inside
 * a VMware VM. The program's backdoor instructions fault here as they would
 * on bare metal; this tracer catches each fault, hands the registers (and for
 * string I/O the bytes) to the host model over a pipe, applies the answer,
 * steps over the instruction and resumes without delivering the signal.
 *
 *   vmt-trace [--timeout SECONDS] [--allow-set-clock] [--cache-dir DIR]
 *
 * `vmt sim` (src/sim/bridge.ts) is the other end of three pipes (sim_wire.h):
 * fd 5 brings the program's arguments and environment, byte for byte, before
 * it starts; fd 3 (tracer -> host) and fd 4 (host -> tracer) carry the
 * requests and replies. The program gets exactly that environment, nothing of
 * the tracer's own (--cache-dir: where patch.c keeps its scan results).
 *
 * CPUID: real tools refuse to knock under a KVM signature and this machine has
 * no CPUID faulting, so each `cpuid` in the program's executable mappings (at
 * exec, and at every new executable mmap/mprotect) becomes `ud2`, found by
 * decoding instruction boundaries (elfscan.c); the SIGILL at a patched site is
 * answered with the VMware signature at 0x40000000, 0x40000010 without the
 * vmcall/vmmcall bits, and the real values elsewhere.
 *
 * Safety (install_seccomp): no AF_VSOCK socket and no /dev/vsock (private
 * mount namespace, where permitted), no ioperm/iopl (a real backdoor such as
 * QEMU's vmport is never reached), no reboot, and no clock setting unless
 * --allow-set-clock.
 * --timeout kills what was started, by pid. The exit status is the program's
 * (128+N when signal N killed it; 124 on timeout; 126 not executable; 127 not
 * found; 125 the sim failed).
 *
 * Signals: the tracer's own (SIGALRM for --timeout; SIGTERM, SIGINT, SIGHUP to
 * pass on; SIGCHLD, which the kernel sends for every tracee stop and exit) stay
 * blocked and are taken with sigtimedwait whenever waitpid has nothing to
 * report, so none can slip in between a look at them and a blocking wait.
 */
#define _GNU_SOURCE
#include "elfscan.h"
#include "guard.h"
#include "patch.h"
#include "sim_wire.h"
#include "vmware.h"
#include "x86len.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define HB_MAX (4u << 20) /* never move more than this in one string I/O */

static int fd_req = SIM_FD_REQUEST, fd_rep = SIM_FD_REPLY;
static pid_t main_pid;
static int main_done, timed_out;
static long timeout_ms;

static void die(const char *what)
{
	fprintf(stderr, "vmt sim: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* ---- the traced program's side, before exec ---------------------------------- */

/* A seccomp filter, assembled with forward jumps to named returns. */
enum { L_ALLOW, L_TRACE, L_EPERM, L_ENOSYS, L_SOCKET, L_EXECMAP, L_SIGNAL, L_KILL, NLABELS };
struct bpf {
	struct sock_filter insn[96];
	int n, label[NLABELS], want[96][2]; /* want[i] = {label if true, label if false}, -1 = next */
};

static void emit(struct bpf *b, struct sock_filter f, int jt, int jf)
{
	b->want[b->n][0] = jt;
	b->want[b->n][1] = jf;
	b->insn[b->n++] = f;
}

static void stmt(struct bpf *b, uint16_t code, uint32_t k) { emit(b, (struct sock_filter)BPF_STMT(code, k), -1, -1); }
static void jump(struct bpf *b, uint16_t code, uint32_t k, int jt, int jf) { emit(b, (struct sock_filter)BPF_JUMP(code, k, 0, 0), jt, jf); }
static void label(struct bpf *b, int l) { b->label[l] = b->n; }

static void link_jumps(struct bpf *b)
{
	for (int i = 0; i < b->n; i++) {
		if (b->want[i][0] >= 0)
			b->insn[i].jt = b->label[b->want[i][0]] - i - 1;
		if (b->want[i][1] >= 0)
			b->insn[i].jf = b->label[b->want[i][1]] - i - 1;
	}
}

/*
 * For the traced program:
 *  - socket(AF_VSOCK) stops for guard.c, which fails it with EAFNOSUPPORT and
 *    reports it (never the machine's real vsock; with no tracer, the kernel
 *    fails a traced syscall with ENOSYS);
 *  - ioperm/iopl fail with EPERM, so even as root in a VM with a real backdoor
 *    (QEMU's vmport) the program talks to the simulated host;
 *  - reboot and kexec fail with EPERM, and so do signals to init (pid 1) or to every
 *    process (pid -1): a guest agent told OS_Halt never halts this machine (guard.c
 *    also refuses the shutdown commands and the system bus);
 *  - setting the clock fails with EPERM unless allow_clock (--allow-set-clock);
 *  - executable mmap/mprotect stop for CPUID patching; execve, execveat and connect
 *    stop for guard.c.
 */
static void install_seccomp(int allow_clock)
{
	static const uint32_t never[] = { SYS_ioperm, SYS_iopl, SYS_reboot, SYS_kexec_load, SYS_kexec_file_load };
	static const uint32_t clock[] = { SYS_settimeofday, SYS_clock_settime, SYS_adjtimex, SYS_clock_adjtime };
	struct bpf b = { 0 };
	stmt(&b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, -1, L_KILL);
	stmt(&b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	jump(&b, BPF_JMP | BPF_JGE | BPF_K, 0x40000000, L_ENOSYS, -1); /* x32 ABI */
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
		jump(&b, BPF_JMP | BPF_JEQ | BPF_K, never[i], L_EPERM, -1);
	for (size_t i = 0; !allow_clock && i < sizeof clock / sizeof clock[0]; i++)
		jump(&b, BPF_JMP | BPF_JEQ | BPF_K, clock[i], L_EPERM, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_kill, L_SIGNAL, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_tkill, L_SIGNAL, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_tgkill, L_SIGNAL, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_execve, L_TRACE, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, L_TRACE, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_connect, L_TRACE, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, L_SOCKET, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, L_EXECMAP, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, L_EXECMAP, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_pkey_mprotect, L_EXECMAP, L_ALLOW);
	label(&b, L_SOCKET);
	stmt(&b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, AF_VSOCK_NR, L_TRACE, L_ALLOW);
	label(&b, L_SIGNAL);
	stmt(&b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, 1, L_EPERM, -1);
	jump(&b, BPF_JMP | BPF_JEQ | BPF_K, 0xFFFFFFFFu, L_EPERM, L_ALLOW);
	label(&b, L_EXECMAP);
	stmt(&b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2]));
	jump(&b, BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, L_TRACE, L_ALLOW);
	label(&b, L_TRACE);
	stmt(&b, BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	label(&b, L_EPERM);
	stmt(&b, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	label(&b, L_ENOSYS);
	stmt(&b, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	label(&b, L_KILL);
	stmt(&b, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	label(&b, L_ALLOW);
	stmt(&b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	link_jumps(&b);

	struct sock_fprog prog = { (unsigned short)b.n, b.insn };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		die("cannot install the seccomp filter");
}

/* /dev/vsock becomes /dev/null in a private mount namespace (root only; the
 * seccomp filter already refuses AF_VSOCK sockets, this is belt and braces). */
static void hide_dev_vsock(void)
{
	if (access("/dev/vsock", F_OK) != 0 || unshare(CLONE_NEWNS) != 0)
		return;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		mount("/dev/null", "/dev/vsock", NULL, MS_BIND, NULL);
}

/* The program, exactly as the host sent it on fd 5 (sim_wire.h). */
struct program {
	char **argv, **envp;
};

static int read_all(int fd, void *buf, size_t len)
{
	for (uint8_t *p = buf; len;) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Reads the arguments and environment block and closes its fd; exits 125 when it is not one. */
static struct program read_program(int fd)
{
	struct sim_exec h;
	struct program p = { 0 };
	char *buf = NULL;
	if (read_all(fd, &h, sizeof h) != 0 || h.magic != SIM_MAGIC || h.argc < 1 || h.len > SIM_EXEC_MAX ||
	    (uint64_t)h.argc + h.envc > h.len || !(buf = malloc(h.len)) || read_all(fd, buf, h.len) != 0 || buf[h.len - 1] != 0)
		goto bad;
	p.argv = calloc((size_t)h.argc + 1, sizeof *p.argv);
	p.envp = calloc((size_t)h.envc + 1, sizeof *p.envp);
	if (!p.argv || !p.envp)
		die("out of memory");
	char *s = buf, *end = buf + h.len;
	for (uint32_t i = 0; i < h.argc + h.envc; i++) {
		if (s >= end)
			goto bad; /* fewer strings than the counts say */
		*(i < h.argc ? &p.argv[i] : &p.envp[i - h.argc]) = s;
		s += strlen(s) + 1;
	}
	if (s != end)
		goto bad; /* more */
	close(fd);
	return p;
bad:
	fprintf(stderr, "vmt sim: no program from the host model (fd %d)\n", fd);
	exit(125);
}

static void child(const struct program *p, int allow_clock, const sigset_t *mask)
{
	close(fd_req);
	close(fd_rep);
	sigprocmask(SIG_SETMASK, mask, NULL); /* the tracer's blocked signals are not the program's */
	hide_dev_vsock();
	install_seccomp(allow_clock);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		die("ptrace(TRACEME)");
	raise(SIGSTOP);
	environ = p->envp; /* the program's environment, also where execvp finds PATH */
	execvp(p->argv[0], p->argv);
	int e = errno;
	fprintf(stderr, "vmt sim: %s: %s\n", p->argv[0], e == ENOENT ? "command not found" : strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* ---- the traced tasks ------------------------------------------------------ */

struct task {
	pid_t pid;
	int seen;        /* its first stop has been handled */
	int in_exec_map; /* stopped at an mmap/mprotect entry, waiting for its exit */
	uint64_t map_addr, map_len;
	int map_is_mmap;
	struct task *next;
};
static struct task *tasks;

static struct task *task_get(pid_t pid, int create)
{
	for (struct task *t = tasks; t; t = t->next)
		if (t->pid == pid)
			return t;
	if (!create)
		return NULL;
	struct task *t = calloc(1, sizeof *t);
	if (!t)
		die("out of memory");
	t->pid = pid;
	t->next = tasks;
	tasks = t;
	return t;
}

static void task_drop(pid_t pid)
{
	for (struct task **p = &tasks; *p; p = &(*p)->next)
		if ((*p)->pid == pid) {
			struct task *t = *p;
			*p = t->next;
			free(t);
			return;
		}
}

static void kill_all(void)
{
	for (struct task *t = tasks; t; t = t->next)
		kill(t->pid, SIGKILL);
}

/* ---- memory of a tracee ---------------------------------------------------- */

static int peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)addr, len };
	if (process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len)
		return 0;
	for (size_t i = 0; i < len; i += sizeof(long)) { /* unreadable for vm_readv (e.g. exec-only): ptrace can */
		errno = 0;
		long w = ptrace(PTRACE_PEEKDATA, pid, addr + i, 0);
		if (errno)
			return -1;
		memcpy((uint8_t *)buf + i, &w, len - i < sizeof w ? len - i : sizeof w);
	}
	return 0;
}

static int poke(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec l = { (void *)buf, len }, r = { (void *)addr, len };
	return process_vm_writev(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* ---- the host model, over the pipe -------------------------------------------- */

/* All of len bytes to or from the host model's pipe; a broken pipe ends the run. */
static void xfer(int fd, void *buf, size_t len, int out)
{
	for (uint8_t *p = buf; len;) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "vmt sim: the host model went away\n");
			kill_all();
			exit(125);
		}
		p += n;
		len -= n;
	}
}

static void xwrite(int fd, const void *buf, size_t len) { xfer(fd, (void *)buf, len, 1); }
static void xread(int fd, void *buf, size_t len) { xfer(fd, buf, len, 0); }

/* One round trip: the request (and its bytes), then the reply (and its bytes, at most max). */
static uint32_t host_call(uint32_t op, pid_t pid, uint32_t regs[7], const void *data, uint32_t len, void *rdata, uint32_t max)
{
	struct sim_request q = { SIM_MAGIC, op, (uint32_t)pid, { 0 }, len };
	struct sim_reply a;
	memcpy(q.regs, regs, sizeof q.regs);
	xwrite(fd_req, &q, sizeof q);
	if (len)
		xwrite(fd_req, data, len);
	xread(fd_rep, &a, sizeof a);
	if (a.magic != SIM_MAGIC || a.len > max) {
		fprintf(stderr, "vmt sim: bad reply from the host model\n");
		kill_all();
		exit(125);
	}
	memcpy(regs, a.regs, sizeof a.regs);
	if (a.len)
		xread(fd_rep, rdata, a.len);
	return a.len;
}

static void regs_to_frame(const struct user_regs_struct *r, uint32_t f[7])
{
	f[0] = r->rax; f[1] = r->rbx; f[2] = r->rcx; f[3] = r->rdx;
	f[4] = r->rsi; f[5] = r->rdi; f[6] = r->rbp;
}

/* A register the host wrote gets its 32-bit value, zero-extended as the
 * hardware does; one it left alone keeps all 64 bits (it may hold a pointer). */
typedef __typeof__(((struct user_regs_struct *)0)->rax) user_reg;	/* unsigned long long (glibc), unsigned long (musl) */

static void set32(user_reg *reg, uint32_t before, uint32_t after)
{
	if (after != before)
		*reg = after;
}

static void frame_to_regs(const uint32_t in[7], const uint32_t f[7], struct user_regs_struct *r)
{
	set32(&r->rax, in[0], f[0]); set32(&r->rbx, in[1], f[1]); set32(&r->rcx, in[2], f[2]);
	set32(&r->rdx, in[3], f[3]); set32(&r->rsi, in[4], f[4]); set32(&r->rdi, in[5], f[5]);
	set32(&r->rbp, in[6], f[6]);
}

/* A fault at `in eax,dx` (ED) on 0x5658 or `rep insb`/`rep outsb` (F3 6C / F3 6E)
 * on 0x5659 with the magic in EAX -- legacy prefixes and REX decoded, as
 * real tools may emit them -- is answered here (1); anything else is not ours (0). */
static int backdoor(pid_t pid)
{
	struct user_regs_struct r;
	uint8_t op[X86_MAX_INSN_LEN];
	uint32_t in[7], f[7];
	size_t n = sizeof op;
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0 || (uint32_t)r.rax != BDOOR_MAGIC)
		return 0;
	while (n >= 1 && peek(pid, r.rip, op, n) < 0)
		n--; /* less near the end of a mapping */
	if (n < 1)
		return 0;
	size_t p = x86_prefix_len(op, n - 1);
	int rep = memchr(op, 0xF3, p) != NULL, opsize16 = memchr(op, 0x66, p) != NULL, addr32 = memchr(op, 0x67, p) != NULL;
	uint16_t port = (uint16_t)r.rdx;
	regs_to_frame(&r, f);
	memcpy(in, f, sizeof in);
	if (op[p] == 0xED && !opsize16 && port == BDOOR_PORT) {
		host_call(SIM_OP_LB, pid, f, NULL, 0, NULL, 0);
		frame_to_regs(in, f, &r);
	} else if (op[p] == 0x6E && rep && !addr32 && port == BDOORHB_PORT) {
		uint32_t count = (uint32_t)r.rcx, len = count;
		uint64_t src = r.rsi;
		uint8_t *buf = count <= HB_MAX ? malloc(count ? count : 1) : NULL;
		if (!buf || peek(pid, src, buf, count) < 0)
			len = 0; /* unreadable: the host sees an empty transfer and fails it */
		in[4] = f[4] = 0; /* RSI is the pointer, not a register value */
		host_call(SIM_OP_HB_OUT, pid, f, buf, len, NULL, 0);
		free(buf);
		frame_to_regs(in, f, &r);
		/* like the instruction: RCX counted down to what the host left (its ECX), RSI advanced by what it took */
		uint32_t left = f[2] <= count ? f[2] : 0;
		r.rsi = src + (count - left);
		r.rcx = left;
	} else if (op[p] == 0x6C && rep && !addr32 && port == BDOORHB_PORT) {
		uint32_t max = (uint32_t)r.rcx;
		uint64_t dst = r.rdi;
		uint8_t *buf = malloc(max <= HB_MAX && max ? max : 1);
		if (!buf)
			die("out of memory");
		in[5] = f[5] = 0;
		uint32_t got = host_call(SIM_OP_HB_IN, pid, f, NULL, 0, buf, max <= HB_MAX ? max : 0);
		if (got && poke(pid, dst, buf, got) < 0)
			fprintf(stderr, "vmt sim: pid %d: cannot write %u bytes at %#llx\n", pid, got, (unsigned long long)dst);
		free(buf);
		frame_to_regs(in, f, &r);
		/* RCX counted down to what the host left (a short transfer leaves some, as an interrupted rep insb does) */
		uint32_t left = f[2] <= max - got ? f[2] : max - got;
		r.rdi = dst + (max - left);
		r.rcx = left;
	} else {
		return 0;
	}
	r.rip += p + 1;
	ptrace(PTRACE_SETREGS, pid, 0, &r);
	return 1;
}

/* ---- CPUID -------------------------------------------------------------------- */

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	uint32_t a = leaf, b, c = sub, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	out[0] = a; out[1] = b; out[2] = c; out[3] = d;
}

/* What a VMware VM's CPUID says: the real CPU, with VMware's hypervisor leaves. */
static void vmware_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	if (leaf >= CPUID_LEAF_HYPERVISOR && leaf <= 0x4FFFFFFF) {
		memset(out, 0, 16);
		if (leaf == CPUID_LEAF_HYPERVISOR) {
			out[0] = CPUID_LEAF_VMWARE_FEATURES;
			memcpy(&out[1], "VMwa", 4);
			memcpy(&out[2], "reVM", 4);
			memcpy(&out[3], "ware", 4);
		}
		return; /* CPUID_LEAF_VMWARE_FEATURES: no vmcall/vmmcall bits, so tools keep to the I/O port */
	}
	cpuid(leaf, sub, out);
	if (leaf == 1)
		out[2] |= 1u << 31; /* hypervisor present */
}

/* A SIGILL at a ud2 this tracer put in place of a cpuid (possibly after prefixes). */
static int emulate_cpuid(pid_t pid)
{
	struct user_regs_struct r;
	uint8_t op[X86_MAX_INSN_LEN];
	uint32_t out[4];
	size_t n = sizeof op; /* less near the end of a mapping */
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0)
		return 0;
	while (n >= 2 && peek(pid, r.rip, op, n) < 0)
		n--;
	if (n < 2)
		return 0;
	size_t p = x86_prefix_len(op, n - 2);
	if (op[p] != 0x0F || op[p + 1] != 0x0B || !patched_site(pid, r.rip + p))
		return 0;
	vmware_cpuid((uint32_t)r.rax, (uint32_t)r.rcx, out);
	r.rax = out[0]; r.rbx = out[1]; r.rcx = out[2]; r.rdx = out[3];
	r.rip += p + 2;
	ptrace(PTRACE_SETREGS, pid, 0, &r);
	return 1;
}

/* ---- the loop ----------------------------------------------------------------- */

/* A signal of the tracer's own, taken synchronously: SIGALRM is --timeout,
 * SIGTERM/SIGINT/SIGHUP go on to the program, SIGCHLD only wakes the loop. */
static void on_signal(int sig)
{
	if (sig == SIGALRM && !timed_out) {
		timed_out = 1;
		fprintf(stderr, "vmt sim: timed out after %.3g s; killing pid %d and its descendants\n", timeout_ms / 1000.0, main_pid);
		kill_all();
	} else if ((sig == SIGTERM || sig == SIGINT || sig == SIGHUP) && !main_done) {
		kill(main_pid, sig);
	}
}

/* The next pending signal of set (0: none), waiting for one up to 1 s when wait is set.
 * Every tracee stop and exit sends SIGCHLD, so the bound is only a safety net:
 * a wake-up missed for any reason costs a second, never a hang. */
static int take_signal(const sigset_t *set, int wait)
{
	struct timespec t = { wait ? 1 : 0, 0 };
	int sig = sigtimedwait(set, NULL, &t);
	return sig > 0 ? sig : 0;
}

static long timeout_arg(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == 0 || *end || v <= 0 || v > 86400 * 365) {
		fprintf(stderr, "vmt sim: --timeout wants a number of seconds > 0, not '%s'\n", s);
		exit(125);
	}
	return (long)(v * 1000);
}

/* A seccomp stop at mmap/mprotect with PROT_EXEC: remember the range, run to the syscall's exit. */
static void at_exec_map_entry(struct task *t)
{
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, t->pid, 0, &r);
	t->in_exec_map = 1;
	t->map_is_mmap = r.orig_rax == SYS_mmap;
	t->map_addr = r.rdi;
	t->map_len = r.rsi;
	ptrace(PTRACE_SYSCALL, t->pid, 0, 0);
}

static void at_exec_map_exit(struct task *t)
{
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, t->pid, 0, &r);
	t->in_exec_map = 0;
	if ((int64_t)r.rax < 0 && (int64_t)r.rax > -4096)
		return; /* failed */
	uint64_t lo = t->map_is_mmap ? r.rax : t->map_addr;
	patch_range(t->pid, lo, lo + t->map_len);
}

int main(int argc, char **argv)
{
	int allow_clock = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout_ms = timeout_arg(argv[++i]);
		else if (strcmp(argv[i], "--allow-set-clock") == 0)
			allow_clock = 1;
		else if (strcmp(argv[i], "--cache-dir") == 0 && i + 1 < argc)
			patch_cache_dir(argv[++i]);
		else {
			fprintf(stderr, "usage: vmt-trace [--timeout SECONDS] [--allow-set-clock] [--cache-dir DIR]\n");
			return 125;
		}
	}
	if (fcntl(fd_req, F_GETFD) < 0 || fcntl(fd_rep, F_GETFD) < 0 || fcntl(SIM_FD_EXEC, F_GETFD) < 0) {
		fprintf(stderr, "vmt-trace: fds 3, 4 and 5 must lead to the host model; run it through 'vmt sim'\n");
		return 125;
	}
	fcntl(fd_req, F_SETFD, FD_CLOEXEC);
	fcntl(fd_rep, F_SETFD, FD_CLOEXEC);
	struct program prog = read_program(SIM_FD_EXEC);
	signal(SIGPIPE, SIG_IGN);

	sigset_t mine, before;
	sigemptyset(&mine);
	sigaddset(&mine, SIGALRM);
	sigaddset(&mine, SIGTERM);
	sigaddset(&mine, SIGINT);
	sigaddset(&mine, SIGHUP);
	sigaddset(&mine, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mine, &before); /* from here on, taken only by take_signal */

	main_pid = fork();
	if (main_pid < 0)
		die("fork");
	if (main_pid == 0)
		child(&prog, allow_clock, &before);

	int st, rc = 125;
	if (waitpid(main_pid, &st, __WALL) < 0 || !WIFSTOPPED(st)) {
		fprintf(stderr, "vmt sim: the program did not start\n");
		return 125;
	}
	long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC |
		    PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD;
	if (ptrace(PTRACE_SETOPTIONS, main_pid, 0, opts) < 0)
		die("ptrace(SETOPTIONS)");
	task_get(main_pid, 1)->seen = 1;
	if (timeout_ms) {
		struct itimerval it = { { 0, 0 }, { timeout_ms / 1000, (timeout_ms % 1000) * 1000 } };
		setitimer(ITIMER_REAL, &it, NULL);
	}
	ptrace(PTRACE_CONT, main_pid, 0, 0);

	while (tasks) {
		int sig;
		while ((sig = take_signal(&mine, 0)))
			on_signal(sig);
		pid_t pid = waitpid(-1, &st, __WALL | WNOHANG);
		if (pid == 0) { /* nothing to report: wait for SIGCHLD or another signal */
			if ((sig = take_signal(&mine, 1)))
				on_signal(sig);
			continue;
		}
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD */
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == main_pid) {
				rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				main_done = 1;
				kill_all(); /* the sim lives as long as the program: nothing is left behind */
			}
			uint32_t none[7] = { 0 };
			host_call(SIM_OP_EXIT, pid, none, NULL, 0, NULL, 0);
			task_drop(pid);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		struct task *t = task_get(pid, 1);
		if (timed_out || main_done) {
			kill(pid, SIGKILL); /* the end: a task that stops now dies (one forked just before kill_all was not listed yet) */
			continue;
		}
		int event = st >> 16, deliver = 0;
		sig = WSTOPSIG(st);
		if (!t->seen) {
			t->seen = 1; /* a new task's first stop (SIGSTOP, or a racing event) */
			if (sig == SIGSTOP) {
				ptrace(PTRACE_CONT, pid, 0, 0);
				continue;
			}
		}
		if (sig == (SIGTRAP | 0x80) && t->in_exec_map) {
			at_exec_map_exit(t);
		} else if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
			struct guard_refusal refusal;
			enum guard_verdict v = guard_syscall(pid, &refusal);
			if (v == GUARD_EXEC_MAP) {
				at_exec_map_entry(t);
				continue;
			}
			if (v == GUARD_REFUSED) {
				uint32_t regs[7] = { (uint32_t)refusal.err };
				host_call(SIM_OP_REFUSED, pid, regs, refusal.what, (uint32_t)strlen(refusal.what), NULL, 0);
			}
		} else if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
			patch_process(pid);
		} else if (sig == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE)) {
			unsigned long child_pid;
			if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &child_pid) == 0)
				task_get((pid_t)child_pid, 1);
		} else if (sig == SIGTRAP && event) {
			/* other ptrace events: nothing to do */
		} else if (sig == SIGSEGV && backdoor(pid)) {
			/* answered */
		} else if (sig == SIGILL && emulate_cpuid(pid)) {
			/* answered */
		} else {
			deliver = sig;
		}
		ptrace(PTRACE_CONT, pid, 0, deliver);
	}
	if (timed_out)
		return 124;
	return main_done ? rc : 125;
}
