/* What a traced program may not do to this machine (see guard.c). */
#ifndef VMT_GUARD_H
#define VMT_GUARD_H
#include <sys/types.h>

enum guard_verdict { GUARD_ALLOW, GUARD_REFUSED, GUARD_EXEC_MAP };

/* At a seccomp stop: refuses (the syscall then fails with EPERM/EACCES) an exec
 * of a shutdown command or a connection to the system bus, and says whether the
 * stop is an executable mmap/mprotect for the CPUID patcher. */
enum guard_verdict guard_syscall(pid_t pid);
#endif
