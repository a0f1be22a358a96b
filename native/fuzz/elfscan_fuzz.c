/*
 * libFuzzer target: native/vmt-trace/elfscan.c (with ehframe.c and x86len.c),
 * the scan vmt-trace runs on every executable file a traced program maps
 * (scripts/fuzz.sh builds and runs it). The input is the file. elfscan.c is
 * included to reach scan_image, which elf_cpuid_sites runs on the mapped
 * file, without a file per input. Besides staying in bounds under ASan and
 * UBSan: a refused file gives -ENOEXEC; an accepted one gives trusted sites
 * sorted by file offset, each one 0F A2 inside the file (what vmt-trace turns
 * into ud2: anything else would corrupt the program).
 */
#include "../vmt-trace/elfscan.c"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes: mmap's is page-aligned, libFuzzer's need not be */
	uint8_t *m = malloc(size ? size : 1);
	if (!m)
		return 0;
	memcpy(m, data, size);
	struct cpuid_sites out;
	memset(&out, 0, sizeof out);
	int rc = scan_image(m, size, &out);
	if (rc != 0 && rc != -ENOEXEC && rc != -ENOMEM)
		abort();
	if (rc == 0) {
		for (size_t i = 0; i < out.n; i++)
			if (out.off[i] > size - 2 || size < 2 || m[out.off[i]] != 0x0F || m[out.off[i] + 1] != 0xA2 ||
			    (i && out.off[i] <= out.off[i - 1]))
				abort();
		if (out.n + out.nuntrusted > out.bytes / 2)
			abort();
	}
	cpuid_sites_free(&out);
	free(m);
	return 0;
}
