/*
 * libFuzzer target: native/vmt-trace/x86len.c on arbitrary bytes (scripts/fuzz.sh
 * builds and runs it). Besides staying in bounds under ASan and UBSan, the
 * decoder must keep its promises (x86len.h):
 *   - a length is -1 or 1..15 and never more than the bytes given;
 *   - a length n is the same with exactly n bytes given, and -1 with n - 1
 *     (what vmt-trace's sweep relies on at the end of a section);
 *   - the prefixes of a decoded instruction are shorter than it;
 *   - every CPUID site x86_find_cpuid reports is 0F A2 at an offset in the
 *     code, and asking for fewer results gives the same first ones.
 */
#include "../vmt-trace/x86len.h"

#include <stdlib.h>
#include <string.h>

#define BASE 0x400000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int n = x86_insn_len(data, size);
	if (n != -1 && (n < 1 || n > X86_MAX_INSN_LEN || (size_t)n > size))
		abort();
	if (n > 0) {
		if (x86_insn_len(data, (size_t)n) != n || x86_insn_len(data, (size_t)n - 1) != -1)
			abort();
		if (x86_prefix_len(data, (size_t)n) >= (size_t)n)
			abort();
	}
	if (x86_prefix_len(data, size) > size)
		abort();

	size_t bad = 0, found = x86_find_cpuid(data, size, BASE, NULL, 0, &bad);
	if (found > size / 2 || bad > size)
		abort();
	uint64_t *at = malloc((found + 1) * sizeof *at);
	size_t bad2 = 0;
	if (!at || x86_find_cpuid(data, size, BASE, at, found, &bad2) != found || bad2 != bad)
		abort();
	for (size_t i = 0; i < found; i++) {
		uint64_t off = at[i] - BASE;
		if (at[i] < BASE || off + 2 > size || data[off] != 0x0F || data[off + 1] != 0xA2 || (i && at[i] <= at[i - 1]))
			abort();
	}
	if (found > 1) {
		uint64_t first;
		if (x86_find_cpuid(data, size, BASE, &first, 1, NULL) != found || first != at[0])
			abort();
	}
	free(at);
	return 0;
}
