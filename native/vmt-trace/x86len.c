/*
 * x86len: x86-64 instruction length decoder and CPUID scanner (see x86len.h).
 *
 * An instruction is
 *   [legacy prefixes] [REX] opcode [ModRM [SIB] [disp8|disp32]] [immediate]
 * or a VEX (C4/C5), EVEX (62) or XOP (8F, map >= 8) escape followed by
 *   opcode ModRM [SIB] [disp] [imm].
 * The opcode tables below say, per opcode, whether a ModRM byte follows and
 * how large the immediate is; the few opcodes whose length depends on more
 * than that (a ModRM reg field, a mandatory prefix) are marked SP and handled
 * in code.
 */
#include "x86len.h"

#include <stdbool.h>

enum {
	F_MODRM = 0x01, /* a ModRM byte (and possibly SIB and displacement) follows */
	F_I8 = 0x02,    /* imm8 / rel8 */
	F_I16 = 0x04,   /* imm16 (RET/RETF imm16, ENTER's first operand) */
	F_IZ = 0x08,    /* imm32 / rel32, imm16 / rel16 with 66 and no REX.W */
	F_IV = 0x10,    /* MOV r, imm: 4 bytes, 2 with 66, 8 with REX.W */
	F_MOFFS = 0x20, /* A0-A3: 8-byte absolute address, 4 with 67 */
	F_SP = 0x40,    /* prefix, escape, or length depends on more than the opcode */
	F_BAD = 0x80,   /* invalid in 64-bit mode */
	F_MREG = 0x100, /* 0F 20-23: the ModRM mod field is ignored (always a register form) */
};

/* short names, only for the tables */
#define __ 0
#define MR F_MODRM
#define MB (F_MODRM | F_I8)
#define MZ (F_MODRM | F_IZ)
#define IB F_I8
#define IW F_I16
#define IZ F_IZ
#define IV F_IV
#define MO F_MOFFS
#define EN (F_I16 | F_I8)
#define SP F_SP
#define XX F_BAD
#define RG (F_MODRM | F_MREG)

/* one-byte opcode map, 64-bit mode */
static const uint16_t map1[256] = {
	/*        0   1   2   3   4   5   6   7   8   9   A   B   C   D   E   F */
	/* 0 */  MR, MR, MR, MR, IB, IZ, XX, XX, MR, MR, MR, MR, IB, IZ, XX, SP,
	/* 1 */  MR, MR, MR, MR, IB, IZ, XX, XX, MR, MR, MR, MR, IB, IZ, XX, XX,
	/* 2 */  MR, MR, MR, MR, IB, IZ, SP, XX, MR, MR, MR, MR, IB, IZ, SP, XX,
	/* 3 */  MR, MR, MR, MR, IB, IZ, SP, XX, MR, MR, MR, MR, IB, IZ, SP, XX,
	/* 4 */  SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP,
	/* 5 */  __, __, __, __, __, __, __, __, __, __, __, __, __, __, __, __,
	/* 6 */  XX, XX, SP, MR, SP, SP, SP, SP, IZ, MZ, IB, MB, __, __, __, __,
	/* 7 */  IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB,
	/* 8 */  MB, MZ, XX, MB, MR, MR, MR, MR, MR, MR, MR, MR, MR, SP, MR, SP,
	/* 9 */  __, __, __, __, __, __, __, __, __, __, XX, __, __, __, __, __,
	/* A */  MO, MO, MO, MO, __, __, __, __, IB, IZ, __, __, __, __, __, __,
	/* B */  IB, IB, IB, IB, IB, IB, IB, IB, IV, IV, IV, IV, IV, IV, IV, IV,
	/* C */  MB, MB, IW, __, SP, SP, SP, SP, EN, __, IW, __, __, IB, XX, __,
	/* D */  MR, MR, MR, MR, XX, XX, XX, __, MR, MR, MR, MR, MR, MR, MR, MR,
	/* E */  IB, IB, IB, IB, IB, IB, IB, IB, IZ, IZ, XX, IB, __, __, __, __,
	/* F */  SP, __, SP, SP, __, __, SP, SP, __, __, __, __, __, __, SP, SP,
};

/* two-byte opcode map 0F xx (0F 38 and 0F 3A are the three-byte maps) */
static const uint16_t map0f[256] = {
	/*        0   1   2   3   4   5   6   7   8   9   A   B   C   D   E   F */
	/* 0 */  MR, MR, MR, MR, XX, __, __, __, __, __, XX, __, XX, MR, __, MB,
	/* 1 */  MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
	/* 2 */  RG, RG, RG, RG, XX, XX, XX, XX, MR, MR, MR, MR, MR, MR, MR, MR,
	/* 3 */  __, __, __, __, __, __, XX, __, SP, XX, SP, XX, XX, XX, XX, XX,
	/* 4 */  MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
	/* 5 */  MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
	/* 6 */  MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
	/* 7 */  MB, MB, MB, MB, MR, MR, MR, __, SP, MR, XX, XX, MR, MR, MR, MR,
	/* 8 */  IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ,
	/* 9 */  MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
	/* A */  __, __, __, MR, MB, MR, MR, MR, __, __, __, MR, MB, MR, MR, MR,
	/* B */  MR, MR, MR, MR, MR, MR, MR, MR, SP, MR, MB, MR, MR, MR, MR, MR,
	/* C */  MR, MR, MB, MR, MB, MB, MB, MR, __, __, __, __, __, __, __, __,
	/* D */  MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
	/* E */  MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
	/* F */  MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
};

#undef __
#undef MR
#undef MB
#undef MZ
#undef IB
#undef IW
#undef IZ
#undef IV
#undef MO
#undef EN
#undef SP
#undef XX
#undef RG

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65: /* segment */
	case 0x66: case 0x67: /* operand size, address size */
	case 0xF0: case 0xF2: case 0xF3: /* LOCK, REPNE, REP */
		return true;
	default:
		return false;
	}
}

static bool is_rex(uint8_t b) { return (b & 0xF0) == 0x40; }

/* Immediates of the VEX/EVEX opcode map 1 (0F): PSHUF*, the shift groups 71-73,
 * CMPPS, PINSRW, PEXTRW, SHUFPS. */
static bool vex_map1_has_imm8(uint8_t op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xC2 || op == 0xC4 || op == 0xC5 || op == 0xC6;
}

/* decoding state while walking one instruction */
struct cur {
	const uint8_t *p;
	size_t avail;
	size_t i; /* next byte */
};

/* reads the next byte into *b; false when the instruction runs past avail */
static bool next(struct cur *c, uint8_t *b)
{
	if (c->i >= c->avail)
		return false;
	*b = c->p[c->i++];
	return true;
}

static bool skip(struct cur *c, size_t n)
{
	if (n > c->avail - c->i)
		return false;
	c->i += n;
	return true;
}

/*
 * Consumes a ModRM byte and whatever SIB byte and displacement it implies.
 * 64-bit addressing and 32-bit addressing (67) encode identically; mod=00
 * rm=101 is RIP-relative disp32, and a SIB with mod=00 base=101 has a disp32
 * and no base.
 */
static bool modrm(struct cur *c, uint8_t *out)
{
	uint8_t m, sib;
	if (!next(c, &m))
		return false;
	*out = m;
	uint8_t mod = m >> 6, rm = m & 7;
	if (mod == 3)
		return true;
	if (rm == 4) {
		if (!next(c, &sib))
			return false;
		if (mod == 0 && (sib & 7) == 5)
			return skip(c, 4);
	} else if (mod == 0 && rm == 5) {
		return skip(c, 4);
	}
	if (mod == 1)
		return skip(c, 1);
	if (mod == 2)
		return skip(c, 4);
	return true;
}

/* The VEX/EVEX/XOP body after its payload bytes: opcode, ModRM, immediate. */
static int vex_body(struct cur *c, int map, bool no_modrm_77)
{
	uint8_t op, m;
	if (!next(c, &op))
		return -1;
	if (no_modrm_77 && map == 1 && op == 0x77) /* VZEROUPPER / VZEROALL */
		return (int)c->i;
	if (!modrm(c, &m))
		return -1;
	size_t imm = 0;
	switch (map) {
	case 1: imm = vex_map1_has_imm8(op) ? 1 : 0; break;
	case 3: imm = 1; break;  /* 0F 3A: every instruction has an imm8 */
	case 8: imm = 1; break;  /* XOP map 8: VPROT*, VPCOM*, VPMACS*, VPCMOV, VPPERM... */
	case 10: imm = 4; break; /* XOP map A: BEXTR, LWPINS, LWPVAL take imm32 */
	default: imm = 0; break; /* 0F 38, EVEX maps 5 and 6, XOP map 9 */
	}
	if (!skip(c, imm))
		return -1;
	return (int)c->i;
}

static int decode(const uint8_t *p, size_t avail)
{
	struct cur c = { p, avail, 0 };
	bool opsize16 = false, addr32 = false, rep = false, repne = false;
	uint8_t rex = 0, b;

	/* prefixes: a REX counts only when it immediately precedes the opcode */
	for (;;) {
		if (!next(&c, &b))
			return -1;
		if (is_rex(b)) {
			rex = b;
			continue;
		}
		if (!is_legacy_prefix(b))
			break;
		rex = 0;
		if (b == 0x66) opsize16 = true;
		else if (b == 0x67) addr32 = true;
		else if (b == 0xF3) rep = true;
		else if (b == 0xF2) repne = true;
	}
	bool rexw = (rex & 0x08) != 0;
	/* size of an "iz" immediate: REX.W wins over 66 */
	size_t izlen = (opsize16 && !rexw) ? 2 : 4;

	uint8_t op = b, m = 0;
	uint16_t f;

	if (op == 0x0F) {
		if (!next(&c, &op))
			return -1;
		f = map0f[op];
		if (f & F_SP) {
			switch (op) {
			case 0x38: /* three-byte map 0F 38: ModRM, no immediate */
				if (!next(&c, &op) || !modrm(&c, &m))
					return -1;
				return (int)c.i;
			case 0x3A: /* three-byte map 0F 3A: ModRM and imm8 */
				if (!next(&c, &op) || !modrm(&c, &m) || !skip(&c, 1))
					return -1;
				return (int)c.i;
			case 0x78: /* VMREAD; with 66 EXTRQ and with F2 INSERTQ take imm8, imm8 */
				if (!modrm(&c, &m))
					return -1;
				if ((opsize16 || repne) && !skip(&c, 2))
					return -1;
				return (int)c.i;
			case 0xB8: /* POPCNT needs F3 (without it, JMPE: not in 64-bit mode) */
				if (!rep || !modrm(&c, &m))
					return -1;
				return (int)c.i;
			default:
				return -1;
			}
		}
	} else {
		f = map1[op];
		if (f & F_SP) {
			switch (op) {
			case 0xC5: /* two-byte VEX: C5 RvvvvLpp, map 0F */
				if (!skip(&c, 1))
					return -1;
				return vex_body(&c, 1, true);
			case 0xC4: { /* three-byte VEX: C4 RXBmmmmm WvvvvLpp */
				uint8_t p0;
				if (!next(&c, &p0) || !skip(&c, 1))
					return -1;
				int map = p0 & 0x1F;
				if (map < 1 || map > 3)
					return -1;
				return vex_body(&c, map, true);
			}
			case 0x62: { /* EVEX: 62 RXBR'0mmm Wvvvv1pp zL'LbV'aaa */
				uint8_t p0, p1;
				if (!next(&c, &p0) || !next(&c, &p1) || !skip(&c, 1))
					return -1;
				int map = p0 & 7;
				if ((p0 & 0x08) || !(p1 & 0x04))
					return -1;
				if (map != 1 && map != 2 && map != 3 && map != 5 && map != 6)
					return -1;
				return vex_body(&c, map, false);
			}
			case 0x8F: { /* XOP (map select >= 8) or POP r/m (group 1A, /0 only) */
				if (c.i >= c.avail)
					return -1;
				int map = p[c.i] & 0x1F;
				if (map >= 8) {
					if (map > 10 || !skip(&c, 2))
						return -1;
					return vex_body(&c, map, false);
				}
				if (!modrm(&c, &m) || ((m >> 3) & 7) != 0)
					return -1;
				return (int)c.i;
			}
			case 0xF6: /* group 3: TEST r/m8, imm8 is /0 (and /1) */
			case 0xF7:
				if (!modrm(&c, &m))
					return -1;
				if (((m >> 3) & 7) < 2 && !skip(&c, op == 0xF6 ? 1 : izlen))
					return -1;
				return (int)c.i;
			case 0xC6: /* group 11: MOV r/m, imm (/0); C6 F8 XABORT imm8, C7 F8 XBEGIN rel */
			case 0xC7:
				if (!modrm(&c, &m))
					return -1;
				if (((m >> 3) & 7) != 0 && m != 0xF8)
					return -1;
				if (!skip(&c, op == 0xC6 ? 1 : izlen))
					return -1;
				return (int)c.i;
			case 0x8D: /* LEA needs a memory operand */
				if (!modrm(&c, &m) || (m >> 6) == 3)
					return -1;
				return (int)c.i;
			case 0xFE: /* group 4: INC/DEC r/m8 only */
				if (!modrm(&c, &m) || ((m >> 3) & 7) > 1)
					return -1;
				return (int)c.i;
			case 0xFF: { /* group 5: /3 and /5 (far CALL/JMP) need memory, /7 is undefined */
				if (!modrm(&c, &m))
					return -1;
				int reg = (m >> 3) & 7;
				if (reg == 7 || ((reg == 3 || reg == 5) && (m >> 6) == 3))
					return -1;
				return (int)c.i;
			}
			default:
				return -1; /* prefixes were consumed above; nothing else is SP */
			}
		}
	}

	if (f & F_BAD)
		return -1;
	if (f & F_MREG) {
		if (!skip(&c, 1))
			return -1;
	} else if ((f & F_MODRM) && !modrm(&c, &m)) {
		return -1;
	}
	size_t imm = 0;
	if (f & F_I8) imm += 1;
	if (f & F_I16) imm += 2;
	if (f & F_IZ) imm += izlen;
	if (f & F_IV) imm += rexw ? 8 : opsize16 ? 2 : 4;
	if (f & F_MOFFS) imm += addr32 ? 4 : 8;
	if (!skip(&c, imm))
		return -1;
	return (int)c.i;
}

int x86_insn_len(const uint8_t *p, size_t avail)
{
	/* never look past the architectural maximum: longer is #GP anyway */
	int n = decode(p, avail < X86_MAX_INSN_LEN + 1 ? avail : X86_MAX_INSN_LEN + 1);
	return n > X86_MAX_INSN_LEN ? -1 : n;
}

size_t x86_prefix_len(const uint8_t *p, size_t avail)
{
	size_t i = 0;
	while (i < avail && (is_legacy_prefix(p[i]) || is_rex(p[i])))
		i++;
	return i;
}

size_t x86_find_cpuid(const uint8_t *code, size_t len, uint64_t base,
                      uint64_t *out, size_t max, size_t *undecodable)
{
	size_t off = 0, found = 0, bad = 0;
	while (off < len) {
		int n = x86_insn_len(code + off, len - off);
		if (n < 0) {
			bad++;
			off++;
			continue;
		}
		size_t pre = x86_prefix_len(code + off, (size_t)n);
		if ((size_t)n == pre + 2 && code[off + pre] == 0x0F && code[off + pre + 1] == 0xA2) {
			if (found < max)
				out[found] = base + off + pre;
			found++;
		}
		off += (size_t)n;
	}
	if (undecodable)
		*undecodable += bad;
	return found;
}
