/*
 * .eh_frame walking: the code range of every FDE (see ehframe.h).
 *
 * Layout (LSB 5.0, "Exception Frames"; DWARF 4 section 6.4.1): a sequence of
 * entries, each a 4-byte length then a 4-byte id; id 0 is a CIE, anything
 * else an FDE whose CIE lies id bytes before the id field. The FDE starts
 * with pc_begin and pc_range, encoded as the CIE's 'R' augmentation says
 * (absptr, 8 bytes, without one). A 64-bit length (0xffffffff) is not used
 * on x86-64 and ends the walk, as does a zero terminator.
 */
#define _POSIX_C_SOURCE 200809L
#include "ehframe.h"

#include <string.h>

/* DW_EH_PE_*: the value format (low nibble) and how it is applied (bits 4-6) */
enum {
	PE_absptr = 0x00, PE_uleb128 = 0x01, PE_udata2 = 0x02, PE_udata4 = 0x03, PE_udata8 = 0x04,
	PE_sleb128 = 0x09, PE_sdata2 = 0x0a, PE_sdata4 = 0x0b, PE_sdata8 = 0x0c,
	PE_pcrel = 0x10, PE_datarel = 0x30, PE_indirect = 0x80,
};

/* A bounded reader over base[pos..end); base[0] is at link-time address vaddr. */
struct cur {
	const uint8_t *base;
	size_t pos, end;
	uint64_t vaddr;
	int datarel; /* DW_EH_PE_datarel is relative to base[0] (.eh_frame_hdr), else unsupported */
};

static int get(struct cur *c, void *dst, size_t n)
{
	if (c->pos > c->end || n > c->end - c->pos)
		return -1;
	memcpy(dst, c->base + c->pos, n);
	c->pos += n;
	return 0;
}

static int get_leb(struct cur *c, int is_signed, uint64_t *v)
{
	unsigned shift = 0;
	uint8_t b;
	*v = 0;
	do {
		if (get(c, &b, 1))
			return -1;
		if (shift < 64)
			*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (is_signed && shift < 64 && (b & 0x40))
		*v |= ~0ull << shift;
	return 0;
}

/* A value in the format fmt (the low nibble of a DW_EH_PE encoding), sign-extended if signed. */
static int get_value(struct cur *c, uint8_t fmt, uint64_t *v)
{
	uint16_t u16;
	uint32_t u32;
	switch (fmt) {
	case PE_uleb128: return get_leb(c, 0, v);
	case PE_sleb128: return get_leb(c, 1, v);
	case PE_udata2: if (get(c, &u16, 2)) return -1; *v = u16; return 0;
	case PE_sdata2: if (get(c, &u16, 2)) return -1; *v = (uint64_t)(int64_t)(int16_t)u16; return 0;
	case PE_udata4: if (get(c, &u32, 4)) return -1; *v = u32; return 0;
	case PE_sdata4: if (get(c, &u32, 4)) return -1; *v = (uint64_t)(int64_t)(int32_t)u32; return 0;
	case PE_absptr:
	case PE_udata8:
	case PE_sdata8: return get(c, v, 8);
	default: return -1;
	}
}

/* A pointer encoded as enc says: absolute, pc-relative, or (in .eh_frame_hdr) data-relative. */
static int get_pointer(struct cur *c, uint8_t enc, uint64_t *v)
{
	uint64_t field = c->vaddr + c->pos;
	if ((enc & PE_indirect) || get_value(c, enc & 0x0f, v))
		return -1;
	switch (enc & 0x70) {
	case PE_absptr: return 0;
	case PE_pcrel: *v += field; return 0;
	case PE_datarel: *v += c->vaddr; return c->datarel ? 0 : -1;
	default: return -1;
	}
}

/* The version and registers that open a CIE's body, after its augmentation string. */
static int skip_cie_fields(struct cur *c, uint8_t version)
{
	uint8_t sizes[2], ra;
	uint64_t v;
	if (version == 4 && get(c, sizes, 2)) /* address_size, segment_selector_size */
		return -1;
	if (get_leb(c, 0, &v) || get_leb(c, 1, &v)) /* code and data alignment factors */
		return -1;
	return version == 1 ? get(c, &ra, 1) : get_leb(c, 0, &v);
}

/* The augmentation data after 'z': its 'R' byte is the FDE pointer encoding. */
static int augmentation_encoding(struct cur *c, const char *aug, uint8_t *enc)
{
	uint64_t len, v;
	uint8_t b;
	if (get_leb(c, 0, &len) || len > c->end - c->pos)
		return -1;
	c->end = c->pos + len;
	for (; *aug; aug++) {
		if (*aug == 'R')
			return get(c, enc, 1);
		if (*aug == 'L' && get(c, &b, 1))
			return -1;
		if (*aug == 'P' && (get(c, &b, 1) || (b & 0x70) > PE_pcrel || get_value(c, b & 0x0f, &v)))
			return -1;
		if (!strchr("LPSBG", *aug))
			return -1; /* unknown: its data cannot be skipped */
	}
	return 0;
}

/* The pointer encoding of the FDEs whose CIE starts at frame->base[off]. */
static int cie_encoding(const struct cur *frame, size_t off, uint8_t *enc)
{
	struct cur c = *frame;
	uint32_t len, id;
	uint8_t version;
	c.pos = off;
	if (get(&c, &len, 4) || len > c.end - c.pos)
		return -1;
	c.end = c.pos + len;
	if (get(&c, &id, 4) || id != 0 || get(&c, &version, 1) || (version != 1 && version != 3 && version != 4))
		return -1;
	const char *aug = (const char *)c.base + c.pos;
	size_t n = strnlen(aug, c.end - c.pos);
	if (n == c.end - c.pos) /* unterminated */
		return -1;
	c.pos += n + 1;
	if (skip_cie_fields(&c, version))
		return -1;
	*enc = PE_absptr;
	if (aug[0] != 'z') /* "" is plain; anything else (GCC 2's "eh") cannot be read */
		return aug[0] ? -1 : 0;
	return augmentation_encoding(&c, aug + 1, enc);
}

/* The last CIE decoded: most FDEs share one or two. */
struct cie_cache {
	size_t off;
	int ok;
	uint8_t enc;
};

/* The code range of the FDE read by fde (after its CIE pointer), whose CIE is at frame->base[cie_off]. */
static int fde_range(const struct cur *frame, struct cur *fde, size_t cie_off, struct cie_cache *cie, uint64_t *lo, uint64_t *hi)
{
	uint64_t range;
	if (cie->off != cie_off) {
		cie->off = cie_off;
		cie->ok = cie_encoding(frame, cie_off, &cie->enc) == 0;
	}
	if (!cie->ok || get_pointer(fde, cie->enc, lo) || get_value(fde, cie->enc & 0x0f, &range))
		return -1;
	*hi = *lo + range;
	return *hi < *lo ? -1 : 0; /* a negative or wrapping range */
}

void eh_frame_ranges(const uint8_t *frame, size_t len, uint64_t vaddr, eh_range_fn *fn, void *ctx, struct eh_count *n)
{
	struct cur c = { frame, 0, len, vaddr, 0 };
	struct cie_cache cie = { (size_t)-1, 0, 0 };
	uint32_t length, id;
	while (get(&c, &length, 4) == 0 && length != 0 && length != 0xffffffff && length <= c.end - c.pos) {
		struct cur body = c;
		body.end = c.pos + length;
		c.pos = body.end;
		size_t id_pos = body.pos;
		if (get(&body, &id, 4) || id == 0)
			continue; /* a CIE: read when an FDE needs it */
		uint64_t lo, hi;
		if (id > id_pos || fde_range(&c, &body, id_pos - id, &cie, &lo, &hi)) {
			n->skipped++;
			continue;
		}
		n->fdes++;
		if (hi > lo)
			fn(ctx, lo, hi);
	}
}

int eh_frame_hdr_target(const uint8_t *hdr, size_t len, uint64_t hdr_vaddr, uint64_t *frame_vaddr)
{
	struct cur c = { hdr, 0, len, hdr_vaddr, 1 };
	uint8_t h[4]; /* version, eh_frame_ptr_enc, fde_count_enc, table_enc */
	if (get(&c, h, 4) || h[0] != 1)
		return -1;
	return get_pointer(&c, h[1], frame_vaddr);
}
