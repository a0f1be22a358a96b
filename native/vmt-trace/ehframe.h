/*
 * The code ranges of an ELF file's unwind information (.eh_frame, the
 * LSB's variant of DWARF call frame information): each FDE covers one
 * function, [pc_begin, pc_begin + pc_range). elfscan.c trusts a cpuid site
 * only inside a function; these ranges are one of its two sources.
 *
 * Everything here reads untrusted bytes and is bounds-checked: an entry that
 * cannot be decoded (an unknown augmentation or pointer encoding, a length
 * that runs past the end) is skipped or ends the walk, never read past.
 */
#ifndef VMT_EHFRAME_H
#define VMT_EHFRAME_H
#include <stddef.h>
#include <stdint.h>

/* Called for every decoded FDE, with its link-time code range [lo, hi). */
typedef void eh_range_fn(void *ctx, uint64_t lo, uint64_t hi);

struct eh_count {
	size_t fdes;    /* FDEs decoded and reported */
	size_t skipped; /* FDEs that could not be decoded */
};

/*
 * Walks the CIEs and FDEs in frame[0..len), the contents of .eh_frame loaded
 * at link-time address vaddr, until a zero terminator or the end; adds to *n.
 */
void eh_frame_ranges(const uint8_t *frame, size_t len, uint64_t vaddr, eh_range_fn *fn, void *ctx, struct eh_count *n);

/*
 * The link-time address of .eh_frame, from the header hdr[0..len) of
 * .eh_frame_hdr (PT_GNU_EH_FRAME) loaded at hdr_vaddr. 0 on success, -1 if
 * the header is not one this can read.
 */
int eh_frame_hdr_target(const uint8_t *hdr, size_t len, uint64_t hdr_vaddr, uint64_t *frame_vaddr);
#endif
