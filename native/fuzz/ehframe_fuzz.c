/*
 * libFuzzer target: native/vmt-trace/ehframe.c (scripts/fuzz.sh builds and
 * runs it). The input is an 8-byte little-endian link-time address, then the
 * bytes walked both as .eh_frame (eh_frame_ranges) and as .eh_frame_hdr
 * (eh_frame_hdr_target). Besides staying in bounds under ASan and UBSan: every
 * range reported is non-empty and does not wrap, no more FDEs are decoded or
 * skipped than the bytes can hold (an entry takes at least 8), and the walk
 * ends.
 */
#include "../vmt-trace/ehframe.h"

#include <stdlib.h>
#include <string.h>

static void range(void *ctx, uint64_t lo, uint64_t hi)
{
	size_t *calls = ctx;
	if (hi <= lo)
		abort();
	++*calls;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t vaddr = 0;
	if (size < sizeof vaddr)
		return 0;
	memcpy(&vaddr, data, sizeof vaddr);
	data += sizeof vaddr;
	size -= sizeof vaddr;

	/* a copy of exactly size bytes, so that ASan sees any read past the end */
	uint8_t *frame = malloc(size ? size : 1);
	if (!frame)
		return 0;
	memcpy(frame, data, size);
	struct eh_count n = { 0, 0 };
	size_t calls = 0;
	eh_frame_ranges(frame, size, vaddr, range, &calls, &n);
	if (calls > n.fdes || n.fdes + n.skipped > size / 8)
		abort();

	uint64_t target = 0;
	eh_frame_hdr_target(frame, size, vaddr, &target);
	free(frame);
	return 0;
}
