/*
 * The trusted CPUID sites of an ELF file: a symbol-aware sweep, then the
 * function-range trust rule (see elfscan.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "elfscan.h"
#include "ehframe.h"
#include "x86len.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* ---- the file ---- */

/* A mapped ELF64 x86-64 file; its header tables are in bounds and aligned, or NULL. */
struct elf {
	const uint8_t *m;
	size_t len;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	size_t shnum;
	const Elf64_Phdr *ph;
	size_t phnum;
};

static int in_file(const struct elf *e, uint64_t off, uint64_t size)
{
	return off <= e->len && size <= e->len - off;
}

/* The header table of n entries at off, if its entries have the size expected and it lies in the file. */
static const void *header_table(const struct elf *e, uint64_t off, size_t n, size_t entsize, size_t expected)
{
	if (off == 0 || n == 0 || entsize != expected || off % 8 || !in_file(e, off, (uint64_t)n * entsize))
		return NULL;
	return e->m + off;
}

static int elf_view(const uint8_t *m, size_t len, struct elf *e)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m;
	*e = (struct elf){ .m = m, .len = len, .eh = eh };
	if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 || (eh->e_type != ET_EXEC && eh->e_type != ET_DYN))
		return -ENOEXEC;
	e->sh = header_table(e, eh->e_shoff, eh->e_shnum, eh->e_shentsize, sizeof(Elf64_Shdr));
	e->shnum = e->sh ? eh->e_shnum : 0;
	e->ph = header_table(e, eh->e_phoff, eh->e_phnum, eh->e_phentsize, sizeof(Elf64_Phdr));
	e->phnum = e->ph ? eh->e_phnum : 0;
	return 0;
}

/* The contents of a section, or NULL when it has none in the file. */
static const uint8_t *section_data(const struct elf *e, const Elf64_Shdr *s)
{
	return s->sh_type != SHT_NOBITS && in_file(e, s->sh_offset, s->sh_size) ? e->m + s->sh_offset : NULL;
}

/* Code to sweep: an executable section with contents, its addresses not wrapping around. */
static int is_code(const struct elf *e, const Elf64_Shdr *s)
{
	return (s->sh_flags & SHF_EXECINSTR) && s->sh_size && section_data(e, s) && s->sh_addr + s->sh_size > s->sh_addr;
}

/* The entries of a symbol table section (none if it is malformed). */
static const Elf64_Sym *symbols(const struct elf *e, const Elf64_Shdr *s, size_t *n)
{
	*n = 0;
	if (!section_data(e, s) || s->sh_entsize != sizeof(Elf64_Sym) || s->sh_offset % 8)
		return NULL;
	*n = s->sh_size / sizeof(Elf64_Sym);
	return (const Elf64_Sym *)(e->m + s->sh_offset);
}

static const Elf64_Shdr *section_of_type(const struct elf *e, uint32_t type)
{
	for (size_t k = 0; k < e->shnum; k++)
		if (e->sh[k].sh_type == type)
			return &e->sh[k];
	return NULL;
}

static const Elf64_Shdr *section_named(const struct elf *e, const char *name)
{
	size_t want = strlen(name) + 1;
	const Elf64_Shdr *names = e->eh->e_shstrndx < e->shnum ? &e->sh[e->eh->e_shstrndx] : NULL;
	const char *p = names ? (const char *)section_data(e, names) : NULL;
	for (size_t k = 0; p && k < e->shnum; k++)
		if (e->sh[k].sh_name < names->sh_size && want <= names->sh_size - e->sh[k].sh_name &&
		    memcmp(p + e->sh[k].sh_name, name, want) == 0)
			return &e->sh[k];
	return NULL;
}

/* The PT_LOAD segment with all the flags given whose file contents hold [lo, hi), or NULL. */
static const Elf64_Phdr *load_segment(const struct elf *e, uint64_t lo, uint64_t hi, uint32_t flags)
{
	for (size_t k = 0; k < e->phnum; k++) {
		const Elf64_Phdr *p = &e->ph[k];
		if (p->p_type == PT_LOAD && (p->p_flags & flags) == flags && in_file(e, p->p_offset, p->p_filesz) &&
		    lo >= p->p_vaddr && hi > lo && hi - p->p_vaddr <= p->p_filesz)
			return p;
	}
	return NULL;
}

/* .eh_frame: the section of that name, else where PT_GNU_EH_FRAME (.eh_frame_hdr) points to. */
static const uint8_t *eh_frame(const struct elf *e, size_t *len, uint64_t *vaddr)
{
	const Elf64_Shdr *s = section_named(e, ".eh_frame");
	if (s && section_data(e, s)) {
		*len = s->sh_size;
		*vaddr = s->sh_addr;
		return e->m + s->sh_offset;
	}
	for (size_t k = 0; k < e->phnum; k++) {
		const Elf64_Phdr *h = &e->ph[k], *seg;
		if (h->p_type != PT_GNU_EH_FRAME || !in_file(e, h->p_offset, h->p_filesz) ||
		    eh_frame_hdr_target(e->m + h->p_offset, h->p_filesz, h->p_vaddr, vaddr) ||
		    !(seg = load_segment(e, *vaddr, *vaddr + 1, 0)))
			continue;
		*len = seg->p_filesz - (*vaddr - seg->p_vaddr); /* up to its terminator */
		return e->m + seg->p_offset + (*vaddr - seg->p_vaddr);
	}
	return NULL;
}

/* ---- step 1: the sweep ---- */

struct site {
	uint64_t vaddr, off;
	int trusted;
};

struct scan {
	const struct elf *e;
	struct cpuid_sites *out; /* its counters */
	struct site *v;          /* the sites found */
	size_t n, cap;
	uint64_t *found;         /* x86_find_cpuid's output */
	size_t room;
	int err;
};

/* Sweeps code[0..len), at link-time address vaddr and file offset off. */
static int sweep_stretch(struct scan *s, const uint8_t *code, size_t len, uint64_t vaddr, uint64_t off)
{
	size_t bad = 0, n = x86_find_cpuid(code, len, vaddr, s->found, s->room, &bad);
	if (n > s->room) { /* more sites than room: grow and sweep again */
		uint64_t *more = realloc(s->found, n * sizeof *more);
		if (!more)
			return -ENOMEM;
		s->found = more;
		s->room = n;
		bad = 0;
		x86_find_cpuid(code, len, vaddr, s->found, s->room, &bad);
	}
	if (s->n + n > s->cap) {
		struct site *v = realloc(s->v, 2 * (s->n + n) * sizeof *v);
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = 2 * (s->n + n);
	}
	for (size_t k = 0; k < n; k++)
		s->v[s->n++] = (struct site){ s->found[k], s->found[k] - vaddr + off, 0 };
	s->out->undecodable += bad;
	return 0;
}

/* A symbol in a code section: a known instruction boundary, or the start of data. */
struct mark {
	uint64_t addr, size;
	size_t shndx;
	int object; /* STT_OBJECT */
	int func;   /* STT_FUNC, STT_GNU_IFUNC */
};

static int mark_cmp(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;
	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int is_func(const Elf64_Sym *y)
{
	return ELF64_ST_TYPE(y->st_info) == STT_FUNC || ELF64_ST_TYPE(y->st_info) == STT_GNU_IFUNC;
}

/* The symbols of .symtab (else .dynsym) in code sections, sorted by section and address. */
static int collect_marks(const struct elf *e, struct mark **marks, size_t *n)
{
	const Elf64_Shdr *tab = section_of_type(e, SHT_SYMTAB);
	size_t nsym = 0;
	if (!tab)
		tab = section_of_type(e, SHT_DYNSYM);
	const Elf64_Sym *sym = tab ? symbols(e, tab, &nsym) : NULL;
	*n = 0;
	if (!(*marks = malloc((nsym + 1) * sizeof **marks)))
		return -ENOMEM;
	for (size_t k = 0; k < nsym; k++) {
		const Elf64_Sym *y = &sym[k];
		int type = ELF64_ST_TYPE(y->st_info);
		const Elf64_Shdr *in = y->st_shndx != SHN_UNDEF && y->st_shndx < e->shnum ? &e->sh[y->st_shndx] : NULL;
		if ((type != STT_NOTYPE && type != STT_OBJECT && !is_func(y)) || !in || !is_code(e, in) ||
		    y->st_value < in->sh_addr || y->st_value - in->sh_addr >= in->sh_size)
			continue;
		(*marks)[(*n)++] = (struct mark){ y->st_value, y->st_size, y->st_shndx, type == STT_OBJECT, is_func(y) };
	}
	qsort(*marks, *n, sizeof **marks, mark_cmp);
	return 0;
}

/*
 * Passes the marks at address at (from *m on): returns whether they make what
 * follows data (an object and no function there), and extends *data_end over
 * the objects' sizes (a function there ends the data instead).
 */
static int marks_at(const struct mark *marks, size_t nmarks, size_t *m, uint64_t at, uint64_t *data_end)
{
	size_t shndx = marks[*m].shndx;
	int func = 0, object = 0;
	for (; *m < nmarks && marks[*m].shndx == shndx && marks[*m].addr == at; (*m)++) {
		func |= marks[*m].func;
		if (marks[*m].object) {
			object = 1;
			if (at + marks[*m].size > *data_end)
				*data_end = at + marks[*m].size;
		}
	}
	if (func)
		*data_end = 0;
	return object && !func;
}

/*
 * Sweeps code section k from symbol to symbol, skipping an object's span (its
 * size, or up to the next symbol when that is further); *m is the next mark.
 */
static int sweep_section(struct scan *s, size_t k, const struct mark *marks, size_t nmarks, size_t *m)
{
	const Elf64_Shdr *sec = &s->e->sh[k];
	uint64_t end = sec->sh_addr + sec->sh_size, cur = sec->sh_addr, data_end = 0;
	int is_data = 0;
	while (*m < nmarks && marks[*m].shndx < k)
		(*m)++;
	for (;;) {
		uint64_t next = *m < nmarks && marks[*m].shndx == k ? marks[*m].addr : end;
		if (next > cur && (is_data || cur < data_end))
			s->out->data += next - cur;
		else if (next > cur && sweep_stretch(s, s->e->m + sec->sh_offset + (cur - sec->sh_addr), next - cur, cur,
		                                     sec->sh_offset + (cur - sec->sh_addr)))
			return -ENOMEM;
		if ((cur = next) >= end)
			break;
		is_data = marks_at(marks, nmarks, m, cur, &data_end);
		s->out->symbols++;
	}
	s->out->sections++;
	s->out->bytes += sec->sh_size;
	return 0;
}

static int sweep_sections(struct scan *s)
{
	struct mark *marks;
	size_t nmarks, m = 0;
	int rc = collect_marks(s->e, &marks, &nmarks);
	for (size_t k = 0; rc == 0 && k < s->e->shnum; k++)
		if (is_code(s->e, &s->e->sh[k]))
			rc = sweep_section(s, k, marks, nmarks, &m);
	free(marks);
	return rc;
}

/* Without section headers: sweeps an FDE's code range from its start, if it is in an executable segment. */
static void sweep_fde(void *ctx, uint64_t lo, uint64_t hi)
{
	struct scan *s = ctx;
	const Elf64_Phdr *p = load_segment(s->e, lo, hi, PF_X);
	if (!p || s->err)
		return;
	uint64_t off = p->p_offset + (lo - p->p_vaddr);
	s->err = sweep_stretch(s, s->e->m + off, hi - lo, lo, off);
	s->out->sections++;
	s->out->bytes += hi - lo;
}

static int sweep(struct scan *s)
{
	size_t len;
	uint64_t vaddr;
	struct eh_count ignored = { 0, 0 };
	int rc = sweep_sections(s);
	const uint8_t *frame = rc == 0 && s->out->sections == 0 ? eh_frame(s->e, &len, &vaddr) : NULL;
	if (frame)
		eh_frame_ranges(frame, len, vaddr, sweep_fde, s, &ignored);
	return rc ? rc : s->err;
}

/* ---- step 2: the trust rule ---- */

static int site_cmp_vaddr(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int site_cmp_off(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Sorts the sites by address, without repeats (FDE ranges may overlap). */
static void sort_sites(struct scan *s)
{
	size_t n = 0;
	qsort(s->v, s->n, sizeof *s->v, site_cmp_vaddr);
	for (size_t k = 0; k < s->n; k++)
		if (n == 0 || s->v[k].vaddr != s->v[n - 1].vaddr)
			s->v[n++] = s->v[k];
	s->n = n;
}

/* Trusts the sites whose two bytes lie in the function [lo, hi). */
static void trust_range(void *ctx, uint64_t lo, uint64_t hi)
{
	struct scan *s = ctx;
	size_t a = 0, b = s->n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (s->v[mid].vaddr < lo)
			a = mid + 1;
		else
			b = mid;
	}
	for (; a < s->n && s->v[a].vaddr < hi; a++)
		if (hi - s->v[a].vaddr >= 2)
			s->v[a].trusted = 1;
}

/* The functions of every symbol table: .symtab and .dynsym. */
static void trust_symbols(struct scan *s)
{
	for (size_t k = 0; k < s->e->shnum; k++) {
		size_t n = 0;
		const Elf64_Sym *y = s->e->sh[k].sh_type == SHT_SYMTAB || s->e->sh[k].sh_type == SHT_DYNSYM
		                             ? symbols(s->e, &s->e->sh[k], &n) : NULL;
		for (size_t i = 0; i < n; i++)
			if (is_func(&y[i]) && y[i].st_shndx != SHN_UNDEF && y[i].st_size &&
			    y[i].st_value + y[i].st_size > y[i].st_value) {
				trust_range(s, y[i].st_value, y[i].st_value + y[i].st_size);
				s->out->functions++;
			}
	}
}

/* The functions the unwind information describes. */
static void trust_fdes(struct scan *s)
{
	size_t len;
	uint64_t vaddr;
	struct eh_count n = { 0, 0 };
	const uint8_t *frame = eh_frame(s->e, &len, &vaddr);
	if (frame)
		eh_frame_ranges(frame, len, vaddr, trust_range, s, &n);
	s->out->fdes = n.fdes;
	s->out->fdes_skipped = n.skipped;
}

/* The result: trusted sites by file offset, the others apart. */
static int emit(struct scan *s, struct cpuid_sites *out)
{
	size_t t = 0;
	for (size_t k = 0; k < s->n; k++)
		t += s->v[k].trusted;
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, site_cmp_off);
	out->off = malloc((t + 1) * sizeof *out->off);
	out->vaddr = malloc((t + 1) * sizeof *out->vaddr);
	out->untrusted = malloc((s->n - t + 1) * sizeof *out->untrusted);
	if (!out->off || !out->vaddr || !out->untrusted)
		return -ENOMEM;
	for (size_t k = 0; k < s->n; k++) {
		if (s->v[k].trusted && out->n && out->off[out->n - 1] == s->v[k].off) {
			continue; /* the same bytes at another address (sections that overlap in the file) */
		} else if (s->v[k].trusted) {
			out->off[out->n] = s->v[k].off;
			out->vaddr[out->n++] = s->v[k].vaddr;
		} else {
			out->untrusted[out->nuntrusted++] = s->v[k].vaddr;
		}
	}
	return 0;
}

static int scan_image(const uint8_t *m, size_t len, struct cpuid_sites *out)
{
	struct elf e;
	struct scan s = { .e = &e, .out = out, .room = 1024 }; /* room enough not to sweep twice */
	int rc = elf_view(m, len, &e);
	if (rc == 0 && !(s.found = malloc(s.room * sizeof *s.found)))
		rc = -ENOMEM;
	if (rc == 0)
		rc = sweep(&s);
	if (rc == 0 && s.n) {
		sort_sites(&s);
		trust_symbols(&s);
		trust_fdes(&s);
	}
	if (rc == 0)
		rc = emit(&s, out);
	free(s.v);
	free(s.found);
	return rc;
}

int elf_cpuid_sites(int fd, struct cpuid_sites *out)
{
	struct stat st;
	memset(out, 0, sizeof *out);
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr))
		return -ENOEXEC;
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	int rc = scan_image(m, (size_t)st.st_size, out);
	munmap(m, (size_t)st.st_size);
	if (rc)
		cpuid_sites_free(out);
	return rc;
}

void cpuid_sites_free(struct cpuid_sites *s)
{
	free(s->off);
	free(s->vaddr);
	free(s->untrusted);
	memset(s, 0, sizeof *s);
}
