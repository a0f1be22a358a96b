/*
 * cpuid-scan: the CPUID instructions vmt-trace would patch in an ELF64 x86-64
 * executable or shared object, as elf_cpuid_sites (elfscan.c) finds them.
 *
 *   cpuid-scan FILE
 *
 * stdout: one line per trusted site, "0x<vaddr> 0x<file offset>", the address
 * being that of the instruction's 0F A2 bytes (the bytes to patch), which is
 * the instruction's address unless it carries prefixes.
 * stderr: "untrusted 0x<vaddr>" for each site the trust rule dropped (a 0F A2
 * the sweep found outside every function: see elfscan.h), then a summary:
 *   sections=N bytes=N cpuid=N untrusted=N undecodable=N symbols=N data=N
 *   functions=N fdes=N fdes_skipped=N ms=N.N
 * (symbols: symbols the sweep restarted at; data: bytes skipped as STT_OBJECT
 * data; functions, fdes: the function ranges the trust rule knew, counted
 * only when there were sites to judge; ms: the time elf_cpuid_sites took.)
 * Exit status: 0 done, 2 usage, or a file that is not a readable ELF64 x86-64
 * executable or shared object.
 *
 *   cc -O2 -Wall -Wextra -o cpuid-scan cpuid-scan.c elfscan.c ehframe.c x86len.c
 */
#define _POSIX_C_SOURCE 200809L
#include "elfscan.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void print(const struct cpuid_sites *s, double ms)
{
	for (size_t k = 0; k < s->n; k++)
		printf("0x%" PRIx64 " 0x%" PRIx64 "\n", s->vaddr[k], s->off[k]);
	for (size_t k = 0; k < s->nuntrusted; k++)
		fprintf(stderr, "untrusted 0x%" PRIx64 "\n", s->untrusted[k]);
	fprintf(stderr,
	        "sections=%zu bytes=%zu cpuid=%zu untrusted=%zu undecodable=%zu symbols=%zu data=%zu "
	        "functions=%zu fdes=%zu fdes_skipped=%zu ms=%.1f\n",
	        s->sections, s->bytes, s->n, s->nuntrusted, s->undecodable, s->symbols, s->data,
	        s->functions, s->fdes, s->fdes_skipped, ms);
}

int main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: cpuid-scan FILE\n");
		return 2;
	}
	const char *file = argv[1];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "cpuid-scan: %s: %s\n", file, strerror(errno));
		return 2;
	}
	struct cpuid_sites s;
	double t0 = now_ms();
	int rc = elf_cpuid_sites(fd, &s);
	double ms = now_ms() - t0;
	close(fd);
	if (rc) {
		fprintf(stderr, "cpuid-scan: %s: %s\n", file,
		        rc == -ENOEXEC ? "not an ELF64 x86-64 executable or shared object" : strerror(-rc));
		return 2;
	}
	print(&s, ms);
	cpuid_sites_free(&s);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "cpuid-scan: stdout: %s\n", strerror(errno));
		return 2;
	}
	return 0;
}
