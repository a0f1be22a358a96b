/*
 * libFuzzer target: what native/vmt-trace/patch.c parses (scripts/fuzz.sh
 * builds and runs it). patch.c is included to reach its static parsers:
 *   - cache_load, on a file of vmt-trace's CPUID-site cache (anyone who can
 *     write ~/.cache/vmt/cpuid-sites can put anything there): the input is
 *     the file;
 *   - parse_line, on a line of /proc/PID/maps: the input, cut as fgets cuts it.
 * Besides staying in bounds under ASan and UBSan: a cache file is refused
 * (nothing kept) or gives at most 2^24 offsets sorted strictly ascending, as
 * has_site's binary search needs, each a two-byte site inside the traced
 * file, and exactly as many as the file holds (nothing is allocated for a
 * count the file does not back).
 */
#include "../vmt-trace/patch.c"

#include <stdlib.h>

static char dir[] = "/tmp/vmt-fuzz-patch-XXXXXX";
static char file[4096];
/* the traced file's identity: 1 MiB, so a cache may list up to 2^19 sites */
static const struct stat st = { .st_dev = 1, .st_ino = 2, .st_size = 1 << 20 };

static void cleanup(void)
{
	unlink(file);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!file[0]) {
		if (!mkdtemp(dir))
			abort();
		patch_cache_dir(dir);
		if (cache_name(&st, file, sizeof file) != 0)
			abort();
		atexit(cleanup);
	}
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		abort();
	struct cpuid_sites s;
	memset(&s, 0, sizeof s);
	if (cache_load(&st, &s) == 0) {
		if (s.n > (1u << 24) || (s.n && !s.off) || size != 16 + s.n * sizeof *s.off)
			abort();
		if (s.n && s.off[s.n - 1] > (uint64_t)st.st_size - 2)
			abort();
		for (size_t i = 1; i < s.n; i++)
			if (s.off[i - 1] >= s.off[i])
				abort();
		cpuid_sites_free(&s);
	} else if (s.off || s.n) {
		abort();
	}

	char line[4352];
	size_t n = size < sizeof line - 1 ? size : sizeof line - 1;
	memcpy(line, data, n);
	line[n] = 0;
	struct mapping m;
	if (parse_line(line, &m) && strlen(m.path) >= sizeof m.path)
		abort();
	return 0;
}
