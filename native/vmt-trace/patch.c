#define _GNU_SOURCE
#include "patch.h"
#include "elfscan.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The sites of each file seen in this run, by identity. */
struct scanned {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct cpuid_sites sites;
	struct scanned *next;
};
static struct scanned *scanned;

struct mapping {
	uint64_t start, end, offset;
	char perms[5];
	unsigned major, minor;
	unsigned long inode;
	char path[4096];
};

static int parse_line(const char *line, struct mapping *m)
{
	m->path[0] = 0;
	return sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %4095[^\n]", &m->start, &m->end, m->perms, &m->offset, &m->major, &m->minor, &m->inode, m->path) >= 7;
}

/* The file behind a mapping: /proc/PID/map_files (exact, even if deleted; root), else its path checked by identity. */
static int open_mapping(pid_t pid, const struct mapping *m)
{
	char p[128];
	snprintf(p, sizeof p, "/proc/%d/map_files/%lx-%lx", pid, m->start, m->end);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (m->path[0] != '/')
		return -1;
	fd = open(m->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_ino == m->inode && major(st.st_dev) == m->major && minor(st.st_dev) == m->minor)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * The scan results survive the run in the cache directory (vmt-trace
 * --cache-dir, which `vmt sim` sets to ~/.cache/vmt/cpuid-sites), one
 * file per file identity (device, inode, size, mtime): a 100 MB binary takes
 * a third of a second to sweep, and the same programs are traced again and
 * again. A file there only lists offsets; patch_site still checks each for
 * the cpuid bytes before it writes.
 */
#define CACHE_MAGIC 0x3144495550434d56ull /* "VMCPUID1" */

static const char *cache_dir; /* NULL: no cache, every run scans again */

void patch_cache_dir(const char *dir) { cache_dir = dir && *dir ? dir : NULL; }

static int cache_name(const struct stat *st, char *buf, size_t len)
{
	const char *dir = cache_dir;
	if (!dir)
		return -1;
	int n = snprintf(buf, len, "%s/%llx-%llx-%llx-%llx.%09ld", dir, (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
			 (unsigned long long)st->st_size, (unsigned long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/*
 * The most sites a file of `size` bytes can hold: 0F A2 occurrences cannot
 * overlap, so one per two bytes; and never more than 2^24 (a 100 MB binary
 * has a few hundred).
 */
static uint64_t max_sites(off_t size)
{
	uint64_t n = size > 0 ? (uint64_t)size / 2 : 0;
	return n < (1u << 24) ? n : (1u << 24);
}

static int cache_load(const struct stat *st, struct cpuid_sites *out)
{
	char name[4096];
	uint64_t head[2];
	struct stat cs;
	memset(out, 0, sizeof *out);
	if (cache_name(st, name, sizeof name))
		return -1;
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/*
	 * The count in the header is checked against the cache file's own size
	 * (exactly the header and the offsets) and against what the traced file
	 * can hold before anything is allocated: the file may have been put there
	 * by anyone who can write the cache directory.
	 */
	int ok = fstat(fd, &cs) == 0 && S_ISREG(cs.st_mode) && cs.st_size >= (off_t)sizeof head &&
		 read(fd, head, sizeof head) == (ssize_t)sizeof head && head[0] == CACHE_MAGIC && head[1] <= max_sites(st->st_size) &&
		 (uint64_t)cs.st_size == sizeof head + head[1] * sizeof *out->off;
	if (ok && head[1]) {
		out->off = malloc(head[1] * sizeof *out->off);
		ok = out->off && read(fd, out->off, head[1] * sizeof *out->off) == (ssize_t)(head[1] * sizeof *out->off);
		for (size_t i = 1; ok && i < head[1]; i++)
			ok = out->off[i - 1] < out->off[i]; /* sorted, as has_site needs */
		ok = ok && out->off[head[1] - 1] <= (uint64_t)st->st_size - 2; /* a site is two bytes inside the file */
	}
	close(fd);
	if (!ok) {
		cpuid_sites_free(out);
		return -1;
	}
	out->n = head[1];
	return 0;
}

static void cache_store(const struct stat *st, const struct cpuid_sites *s)
{
	char name[4096], tmp[4200];
	uint64_t head[2] = { CACHE_MAGIC, s->n };
	if (cache_name(st, name, sizeof name))
		return;
	snprintf(tmp, sizeof tmp, "%s.%d", name, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	int ok = write(fd, head, sizeof head) == (ssize_t)sizeof head &&
		 (s->n == 0 || write(fd, s->off, s->n * sizeof *s->off) == (ssize_t)(s->n * sizeof *s->off));
	close(fd);
	if (!ok || rename(tmp, name) != 0)
		unlink(tmp);
}

static const struct cpuid_sites *sites_of(pid_t pid, const struct mapping *m)
{
	int fd = open_mapping(pid, m);
	struct stat st;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	for (struct scanned *s = scanned; s; s = s->next)
		if (s->dev == st.st_dev && s->ino == st.st_ino && s->size == st.st_size && s->mtime.tv_sec == st.st_mtim.tv_sec &&
		    s->mtime.tv_nsec == st.st_mtim.tv_nsec) {
			close(fd);
			return &s->sites;
		}
	struct scanned *s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		return NULL;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime = st.st_mtim;
	if (cache_load(&st, &s->sites) != 0 && elf_cpuid_sites(fd, &s->sites) == 0)
		cache_store(&st, &s->sites); /* not ELF: no sites, and nothing worth keeping */
	close(fd);
	s->next = scanned;
	scanned = s;
	return &s->sites;
}

static int has_site(const struct cpuid_sites *s, uint64_t off)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->off[mid] == off)
			return 1;
		if (s->off[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* cpuid is 0F A2, ud2 is 0F 0B: only the second byte changes. */
static void patch_site(pid_t pid, uint64_t addr)
{
	uint64_t b = addr + 1, word = b & ~7ull;
	unsigned shift = (b - word) * 8;
	errno = 0;
	long w = ptrace(PTRACE_PEEKTEXT, pid, word, 0);
	if (errno)
		return;
	errno = 0;
	long before = ptrace(PTRACE_PEEKTEXT, pid, addr & ~7ull, 0);
	if (errno || ((uint8_t)(before >> ((addr & 7) * 8))) != 0x0F || ((uint8_t)(w >> shift)) != 0xA2)
		return; /* not a cpuid any more (already patched, or other code) */
	w = (long)(((unsigned long)w & ~(0xFFul << shift)) | (0x0Bul << shift));
	ptrace(PTRACE_POKETEXT, pid, word, w);
}

static void patch_mapping(pid_t pid, const struct mapping *m)
{
	const struct cpuid_sites *s = sites_of(pid, m);
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->off[i] >= m->offset && s->off[i] + 2 <= m->offset + (m->end - m->start))
			patch_site(pid, m->start + (s->off[i] - m->offset));
}

void patch_range(pid_t pid, uint64_t lo, uint64_t hi)
{
	char p[64], line[4352];
	snprintf(p, sizeof p, "/proc/%d/maps", pid);
	FILE *f = fopen(p, "re");
	if (!f)
		return;
	struct mapping m;
	while (fgets(line, sizeof line, f))
		if (parse_line(line, &m) && m.perms[2] == 'x' && m.inode && m.start < hi && m.end > lo)
			patch_mapping(pid, &m);
	fclose(f);
}

void patch_process(pid_t pid) { patch_range(pid, 0, UINT64_MAX); }

int patched_site(pid_t pid, uint64_t addr)
{
	char p[64], line[4352];
	snprintf(p, sizeof p, "/proc/%d/maps", pid);
	FILE *f = fopen(p, "re");
	if (!f)
		return 0;
	struct mapping m;
	int found = 0;
	while (!found && fgets(line, sizeof line, f))
		if (parse_line(line, &m) && addr >= m.start && addr < m.end) {
			const struct cpuid_sites *s = m.inode ? sites_of(pid, &m) : NULL;
			found = s && has_site(s, m.offset + (addr - m.start));
			break;
		}
	fclose(f);
	return found;
}
