/* What a traced program may not do to this machine (see guard.c). */
#ifndef VMT_GUARD_H
#define VMT_GUARD_H
#include <sys/types.h>

#define AF_VSOCK_NR 40 /* in-tree AF_VSOCK (older libc headers lack it) */

enum guard_verdict { GUARD_ALLOW, GUARD_REFUSED, GUARD_EXEC_MAP };

/* What was refused, for the host model's transcript. */
struct guard_refusal {
	int err;         /* the errno the syscall returned */
	char what[4400]; /* "socket(AF_VSOCK)", "exec of /sbin/shutdown -h now", ... */
};

/* At a seccomp stop: refuses (the syscall then fails with EPERM, EACCES or
 * EAFNOSUPPORT, and *out says what) an exec of a shutdown command, a connection
 * to the system bus, or an AF_VSOCK socket; says whether the stop is an
 * executable mmap/mprotect for the CPUID patcher. */
enum guard_verdict guard_syscall(pid_t pid, struct guard_refusal *out);
#endif
