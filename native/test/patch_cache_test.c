/*
 * vmt-trace's CPUID-site cache loader (native/vmt-trace/patch.c, cache_load),
 * checked from C (test/unit/x86len.test.ts builds and runs this). Anyone who
 * can write the cache directory can put any file there: a header that claims
 * more offsets than the file holds, or than the traced file can have, is
 * refused before anything is allocated for them. patch.c is included to
 * reach its static functions, with malloc counted. Prints one "ok <what>"
 * line per check.
 */
#define _GNU_SOURCE /* as patch.c has it, before any header */
#include <stddef.h>
#include <stdlib.h>

static size_t largest_malloc;
static void *counted_malloc(size_t n)
{
	if (n > largest_malloc)
		largest_malloc = n;
	return malloc(n);
}
#define malloc counted_malloc
#include "../vmt-trace/patch.c"
#undef malloc

#define MAGIC CACHE_MAGIC
#define CHECK(cond, what) do { if (!(cond)) { printf("FAIL %s\n", what); exit(1); } printf("ok %s\n", what); } while (0)

static char dir[] = "/tmp/vmt-patch-cache-XXXXXX";
static char file[4096];

/* Writes the cache file for st: the header (magic, count) and n offsets. */
static void put(const struct stat *st, uint64_t count, const uint64_t *off, size_t n)
{
	uint64_t head[2] = { MAGIC, count };
	if (cache_name(st, file, sizeof file) != 0)
		abort();
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, head, sizeof head) != (ssize_t)sizeof head ||
	    (n && write(fd, off, n * sizeof *off) != (ssize_t)(n * sizeof *off)) || close(fd) != 0)
		abort();
}

/* cache_load on st's cache file: 0 loaded, -1 refused; the largest malloc it made in *big. */
static int load(const struct stat *st, struct cpuid_sites *s, size_t *big)
{
	largest_malloc = 0;
	int r = cache_load(st, s);
	*big = largest_malloc;
	if (r != 0 && (s->off || s->n))
		abort(); /* a refused file leaves nothing behind */
	return r;
}

int main(void)
{
	if (!mkdtemp(dir))
		return 2;
	patch_cache_dir(dir);
	struct stat st = { .st_dev = 1, .st_ino = 2, .st_size = 1 << 20 };
	struct cpuid_sites s;
	size_t big;
	const uint64_t three[3] = { 0x1040, 0x2233, 0x9000 };

	put(&st, 3, three, 3);
	CHECK(load(&st, &s, &big) == 0 && s.n == 3 && s.off[2] == 0x9000, "a real cache file loads");
	cpuid_sites_free(&s);

	put(&st, 0, NULL, 0);
	CHECK(load(&st, &s, &big) == 0 && s.n == 0, "an empty cache file loads");

	/* the hole: the header claimed 2^24 offsets and 128 MB were allocated before the short read failed */
	put(&st, 1u << 24, three, 3);
	CHECK(load(&st, &s, &big) == -1, "a header claiming 2^24 offsets over 3 is refused");
	CHECK(big == 0, "... before anything is allocated for them");

	put(&st, 2, three, 3);
	CHECK(load(&st, &s, &big) == -1 && big == 0, "a header claiming fewer offsets than the file has is refused");

	put(&st, 4, three, 3);
	CHECK(load(&st, &s, &big) == -1 && big == 0, "a header claiming one offset more than the file has is refused");

	struct stat small = { .st_dev = 1, .st_ino = 3, .st_size = 5 };
	const uint64_t two[2] = { 0, 2 }, three_small[3] = { 0, 2, 4 };
	put(&small, 2, two, 2);
	CHECK(load(&small, &s, &big) == 0 && s.n == 2, "a 5-byte file can hold two sites");
	cpuid_sites_free(&s);
	put(&small, 3, three_small, 3);
	CHECK(load(&small, &s, &big) == -1 && big == 0, "three sites in a 5-byte file are refused (0F A2 pairs cannot overlap)");

	const uint64_t past[2] = { 0, 4 };
	put(&small, 2, past, 2);
	CHECK(load(&small, &s, &big) == -1, "a site whose two bytes run past the end of the file is refused");

	const uint64_t unsorted[3] = { 0x2233, 0x1040, 0x9000 };
	put(&st, 3, unsorted, 3);
	CHECK(load(&st, &s, &big) == -1, "offsets out of order are refused");

	unlink(file);
	if (cache_name(&st, file, sizeof file) == 0 && mkdir(file, 0700) == 0) {
		CHECK(load(&st, &s, &big) == -1, "a directory in the cache file's place is refused");
		rmdir(file);
	}
	for (const struct stat *p = &st; p; p = p == &st ? &small : NULL)
		if (cache_name(p, file, sizeof file) == 0)
			unlink(file);
	rmdir(dir);
	printf("PASS\n");
	return 0;
}
