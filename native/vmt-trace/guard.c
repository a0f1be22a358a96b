/*
 * The sim's guard: a guest agent under `vmt sim` is told to halt, reboot or
 * suspend the VM it thinks it runs in. It must never do that to this machine.
 * The seccomp filter already refuses reboot(2), kexec and signals to init;
 * here the tracer refuses, at their seccomp stops:
 *  - exec of the shutdown commands (shutdown, poweroff, halt, reboot, telinit,
 *    init, kexec; busybox with one of those applets; systemctl/loginctl with a
 *    power or isolate verb) and of open-vm-tools' power and network scripts
 *    under /etc/vmware-tools/;
 *  - connect() to the system D-Bus and to systemd's private socket, through
 *    which logind and PID 1 take power requests;
 *  - socket(AF_VSOCK): this machine's vsock leads to its real host, never to
 *    the simulated one (the seccomp filter sends it here only so that the
 *    attempt reaches the transcript; without a tracer the kernel fails it).
 * A refused syscall fails with EPERM (exec), EACCES (connect) or EAFNOSUPPORT
 * (AF_VSOCK, as on a kernel without vsock), and the host model's transcript
 * records it; the power refusals also print a line on stderr.
 */
#define _GNU_SOURCE
#include "guard.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>

static const char *const SHUTDOWN_COMMANDS[] = { "shutdown", "poweroff", "halt", "reboot", "telinit", "init", "kexec", NULL };
static const char *const POWER_VERBS[] = { "poweroff", "halt", "reboot", "kexec", "suspend", "hibernate", "hybrid-sleep", "suspend-then-hibernate",
					    "soft-reboot", "isolate", "rescue", "emergency", "default", "exit", "sleep", NULL };
static const char *const SYSTEM_SOCKETS[] = { "/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket", "/run/systemd/private", NULL };

static int in(const char *word, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(word, *list) == 0)
			return 1;
	return 0;
}

/* A NUL-terminated string of the tracee, cut to len-1 bytes; 0 or -1. */
static int peek_string(pid_t pid, uint64_t addr, char *buf, size_t len)
{
	size_t got = 0;
	while (got + 1 < len) {
		size_t chunk = 64 - ((addr + got) % 64); /* never read across a page in one go */
		if (chunk > len - 1 - got)
			chunk = len - 1 - got;
		struct iovec l = { buf + got, chunk }, r = { (void *)(addr + got), chunk };
		if (process_vm_readv(pid, &l, 1, &r, 1, 0) != (ssize_t)chunk)
			return got ? (buf[got] = 0, 0) : -1;
		if (memchr(buf + got, 0, chunk))
			return 0;
		got += chunk;
	}
	buf[len - 1] = 0;
	return 0;
}

static const char *base(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The exec's path and its first arguments: a shutdown in any of its forms? */
static int refused_exec(pid_t pid, uint64_t path_addr, uint64_t argv_addr, char *what, size_t len)
{
	char path[4096], args[8][256];
	uint64_t argp[9] = { 0 };
	int nargs = 0;
	if (peek_string(pid, path_addr, path, sizeof path) < 0)
		return 0;
	struct iovec l = { argp, sizeof argp }, r = { (void *)argv_addr, sizeof argp };
	if (argv_addr)
		process_vm_readv(pid, &l, 1, &r, 1, 0); /* short reads leave zeros: the list ends there */
	for (int i = 1; i < 9 && argp[i] && peek_string(pid, argp[i], args[nargs], sizeof args[0]) == 0; i++)
		nargs++;
	const char *name = base(path);
	int refuse = in(name, SHUTDOWN_COMMANDS) || strncmp(path, "/etc/vmware-tools/", 18) == 0 ||
		     (strcmp(name, "busybox") == 0 && nargs > 0 && in(args[0], SHUTDOWN_COMMANDS));
	for (int i = 0; !refuse && i < nargs; i++)
		refuse = (strcmp(name, "systemctl") == 0 || strcmp(name, "loginctl") == 0) && in(args[i], POWER_VERBS);
	if (refuse) {
		int n = snprintf(what, len, "exec of %s", path);
		for (int i = 0; i < nargs && i < 3 && n > 0 && (size_t)n < len; i++)
			n += snprintf(what + n, len - n, " %s", args[i]);
	}
	return refuse;
}

static int refused_connect(pid_t pid, uint64_t addr, uint64_t addrlen, char *what, size_t len)
{
	char sa[112] = { 0 };
	size_t n = addrlen < sizeof sa - 1 ? addrlen : sizeof sa - 1;
	struct iovec l = { sa, n }, r = { (void *)addr, n };
	if (n < 3 || process_vm_readv(pid, &l, 1, &r, 1, 0) != (ssize_t)n)
		return 0;
	uint16_t family;
	memcpy(&family, sa, 2);
	if (family != 1 /* AF_UNIX */ || !in(sa + 2, SYSTEM_SOCKETS))
		return 0;
	snprintf(what, len, "connection to %s", sa + 2);
	return 1;
}

/* Skips the syscall, which returns -err. */
static enum guard_verdict refuse(pid_t pid, struct user_regs_struct *r, int err, struct guard_refusal *out)
{
	if (err != EAFNOSUPPORT)
		fprintf(stderr, "vmt sim: refused pid %d's %s: a program under the sim may not halt, reboot or suspend this machine\n", pid, out->what);
	out->err = err;
	r->orig_rax = (unsigned long long)-1; /* skip the syscall; it returns rax */
	r->rax = (unsigned long long)-err;
	ptrace(PTRACE_SETREGS, pid, 0, r);
	return GUARD_REFUSED;
}

enum guard_verdict guard_syscall(pid_t pid, struct guard_refusal *out)
{
	struct user_regs_struct r;
	char *what = out->what;
	size_t size = sizeof out->what;
	what[0] = 0;
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0)
		return GUARD_ALLOW;
	switch (r.orig_rax) {
	case SYS_mmap:
	case SYS_mprotect:
	case SYS_pkey_mprotect:
		return GUARD_EXEC_MAP;
	case SYS_execve:
		if (refused_exec(pid, r.rdi, r.rsi, what, size))
			return refuse(pid, &r, EPERM, out);
		return GUARD_ALLOW;
	case SYS_execveat:
		if (refused_exec(pid, r.rsi, r.rdx, what, size))
			return refuse(pid, &r, EPERM, out);
		return GUARD_ALLOW;
	case SYS_connect:
		if (refused_connect(pid, r.rsi, r.rdx, what, size))
			return refuse(pid, &r, EACCES, out);
		return GUARD_ALLOW;
	case SYS_socket:
		if ((int)r.rdi != AF_VSOCK_NR)
			return GUARD_ALLOW; /* the filter sends only AF_VSOCK here */
		snprintf(what, size, "socket(AF_VSOCK)");
		return refuse(pid, &r, EAFNOSUPPORT, out);
	default:
		return GUARD_ALLOW;
	}
}
