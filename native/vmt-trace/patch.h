/* cpuid -> ud2 in a tracee's executable file mappings, and the look-up of a patched site. */
#ifndef VMT_PATCH_H
#define VMT_PATCH_H
#include <stdint.h>
#include <sys/types.h>

/* Patches every executable file mapping of pid (after exec). */
void patch_process(pid_t pid);
/* Patches the executable file mappings that overlap [lo, hi) (after mmap/mprotect). */
void patch_range(pid_t pid, uint64_t lo, uint64_t hi);
/* Keep scan results in dir across runs (NULL or "": no cache). */
void patch_cache_dir(const char *dir);
/* Whether addr, in pid, is a CPUID site this tracer patched. */
int patched_site(pid_t pid, uint64_t addr);
#endif
