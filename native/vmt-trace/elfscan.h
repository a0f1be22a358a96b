/*
 * The CPUID instructions of an ELF64 x86-64 executable or shared object that
 * are safe to patch, as file offsets. Used by vmt-trace to patch mappings and
 * by cpuid-scan to show them.
 *
 * Finding them takes two steps (elfscan.c):
 *
 *  1. A sweep. Every executable section is swept linearly with
 *     x86_find_cpuid, restarting at every symbol in it (a known instruction
 *     boundary) and skipping the span of every STT_OBJECT symbol (data), as
 *     GNU objdump -d does. Without section headers, every FDE's code range
 *     in the executable segments is swept instead, from its start.
 *
 *  2. A trust rule. A site found is kept only if its two bytes lie inside a
 *     function: an STT_FUNC/STT_GNU_IFUNC symbol's [value, value+size) in
 *     .symtab or .dynsym, or an FDE's [pc_begin, pc_begin+pc_range) in
 *     .eh_frame (ehframe.c). Tables kept in .text with no symbol of their
 *     own (OpenSSL's ecp_nistz256_precomputed in a stripped libcrypto) hold
 *     0F A2 pairs that the sweep takes for cpuid; patching one would corrupt
 *     the program, while leaving a real cpuid alone only lets the program see
 *     the real CPU. The others are reported as untrusted.
 *
 * The file is untrusted input: every offset, size and count in it is checked.
 */
#ifndef VMT_ELFSCAN_H
#define VMT_ELFSCAN_H
#include <stddef.h>
#include <stdint.h>

struct cpuid_sites {
	uint64_t *off;       /* the trusted sites: file offsets of their 0F byte, ascending, each once */
	uint64_t *vaddr;     /* vaddr[i]: the link-time address of off[i] */
	size_t n;
	uint64_t *untrusted; /* link-time addresses of the sites the trust rule dropped, in file order */
	size_t nuntrusted;
	/* what the scan saw */
	size_t sections;     /* executable sections swept (without section headers: FDE ranges) */
	size_t bytes;        /* bytes swept */
	size_t undecodable;  /* bytes the decoder skipped */
	size_t symbols;      /* symbols the sweep restarted at */
	size_t data;         /* bytes skipped as STT_OBJECT data */
	/* what the trust rule saw (left 0 when the sweep found nothing to judge) */
	size_t functions;    /* function symbols with a size */
	size_t fdes;         /* FDEs decoded */
	size_t fdes_skipped; /* FDEs that could not be decoded */
};

/*
 * Scans the open file fd. 0 on success, else -errno: -ENOEXEC for a file that
 * is not a little-endian ELF64 x86-64 executable or shared object, -ENOMEM.
 * On failure *out is empty; on success free it with cpuid_sites_free.
 */
int elf_cpuid_sites(int fd, struct cpuid_sites *out);
void cpuid_sites_free(struct cpuid_sites *s);
#endif
