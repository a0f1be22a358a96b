/*
 * Unit tests for native/vmt-trace/x86len.c: hand-written instructions with
 * their lengths, and the CPUID scanner on code where 0F A2 appears inside
 * other instructions (test/unit/x86len.test.ts builds and runs this). From the
 * repository root:
 *
 *   cc -O2 -Wall -Wextra -o x86len_test native/test/x86len_test.c native/vmt-trace/x86len.c && ./x86len_test
 *   ./x86len_test -v    also lists every case as "hex bytes<TAB>length<TAB>name"
 *
 * Every expected length was checked against GNU objdump 2.40 (-1: objdump says
 * "(bad)"). Where the two differ it is by design and the CPU is followed: objdump
 * prints a REX that precedes another prefix, and a run of prefixes, as separate
 * pseudo-instructions, and it does not enforce the 15-byte limit.
 * Exit status 0 when all pass.
 */
#include "../vmt-trace/x86len.h"

#include <stdio.h>
#include <string.h>

#define TRUNC (-2) /* -1 for exactly these bytes, but more bytes would complete it */

struct tcase {
	int len;          /* expected x86_insn_len, -1 = undecodable, TRUNC = truncated */
	const char *name; /* the instruction */
	size_t n;         /* number of bytes below */
	uint8_t b[24];
};

#define T(len, name, ...) { len, name, sizeof((const uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ } }

static const struct tcase cases[] = {
	/* ---- one-byte map, no operands ---- */
	T(1, "nop", 0x90),
	T(1, "ret", 0xC3),
	T(1, "push rbp", 0x55),
	T(2, "push r12 (REX.B)", 0x41, 0x54),
	T(1, "int3", 0xCC),
	T(1, "in eax, dx", 0xED),
	T(2, "rep movsb", 0xF3, 0xA4),
	T(2, "rep outsb (F3 6E)", 0xF3, 0x6E),
	T(1, "fwait (a separate instruction, even before an x87 opcode)", 0x9B),
	T(1, "cwtl (98)", 0x98),
	T(1, "sahf (valid in 64-bit mode with LAHF/SAHF)", 0x9E),

	/* ---- ModRM forms ---- */
	T(3, "mov rbp, rsp", 0x48, 0x89, 0xE5),
	T(6, "mov eax, [rip+disp32]", 0x8B, 0x05, 0x44, 0x33, 0x22, 0x11),
	T(3, "mov eax, [rsp] (SIB)", 0x8B, 0x04, 0x24),
	T(4, "mov eax, [rsp+8] (SIB + disp8)", 0x8B, 0x44, 0x24, 0x08),
	T(3, "mov eax, [rbp+8] (disp8)", 0x8B, 0x45, 0x08),
	T(6, "mov eax, [rax+0x100] (disp32)", 0x8B, 0x80, 0x00, 0x01, 0x00, 0x00),
	T(7, "mov eax, [0x1000] (SIB, no base, disp32)", 0x8B, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00),
	T(7, "mov eax, [rcx*4+disp32] (SIB base=101 mod=00)", 0x8B, 0x04, 0x8D, 0x00, 0x00, 0x00, 0x00),
	T(7, "mov eax, [rsp+rcx*8+disp32] (SIB + disp32)", 0x8B, 0x84, 0xCC, 0x00, 0x01, 0x00, 0x00),
	T(4, "mov eax, [r13+0] (REX.B, base 101 needs disp8)", 0x41, 0x8B, 0x45, 0x00),
	T(4, "mov eax, [r12] (REX.B, SIB)", 0x41, 0x8B, 0x04, 0x24),
	T(7, "lea rax, [rip+disp32]", 0x48, 0x8D, 0x05, 0x00, 0x00, 0x00, 0x00),
	T(8, "lea eax, [eax*4+0] (67: 32-bit addressing, same encoding)", 0x67, 0x8D, 0x04, 0x85, 0x00, 0x00, 0x00, 0x00),
	T(3, "movsxd rax, ecx", 0x48, 0x63, 0xC1),
	T(9, "mov rax, fs:[0x28] (segment prefix, SIB disp32)", 0x64, 0x48, 0x8B, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00),
	T(2, "fld qword [rax] (x87)", 0xDD, 0x00),
	T(2, "fstp st(1) (x87 register form)", 0xDD, 0xD9),
	T(6, "fild dword [rip+disp32] (x87)", 0xDB, 0x05, 0x00, 0x00, 0x00, 0x00),
	T(2, "rol byte [rax], 1", 0xD0, 0x00),
	T(2, "pop qword [rax] (8F /0)", 0x8F, 0x00),
	T(2, "inc byte [rax] (FE /0)", 0xFE, 0x00),
	T(6, "call [rip+disp32] (FF /2)", 0xFF, 0x15, 0x00, 0x00, 0x00, 0x00),
	T(2, "jmp rax (FF /4)", 0xFF, 0xE0),
	T(2, "ljmp [rax] (FF /5, memory)", 0xFF, 0x28),

	/* ---- immediates ---- */
	T(2, "add al, imm8", 0x04, 0x7F),
	T(5, "add eax, imm32", 0x05, 0x78, 0x56, 0x34, 0x12),
	T(4, "add ax, imm16 (66)", 0x66, 0x05, 0x34, 0x12),
	T(6, "add rax, imm32 (REX.W: still imm32)", 0x48, 0x05, 0x78, 0x56, 0x34, 0x12),
	T(7, "66 REX.W add rax, imm32 (REX.W beats 66)", 0x66, 0x48, 0x05, 0x78, 0x56, 0x34, 0x12),
	T(5, "REX.W 66 add ax, imm16 (a REX before a prefix is ignored)", 0x48, 0x66, 0x05, 0x34, 0x12),
	T(2, "test al, imm8 (A8)", 0xA8, 0x01),
	T(5, "test eax, imm32 (A9)", 0xA9, 0x01, 0x00, 0x00, 0x00),
	T(5, "push imm32", 0x68, 0x44, 0x33, 0x22, 0x11),
	T(4, "pushw imm16 (66 68)", 0x66, 0x68, 0x34, 0x12),
	T(2, "push imm8", 0x6A, 0x01),
	T(6, "imul eax, ecx, imm32", 0x69, 0xC1, 0x00, 0x01, 0x00, 0x00),
	T(3, "imul eax, [rax], imm8", 0x6B, 0x00, 0x10),
	T(3, "add dword [rax], imm8 (83)", 0x83, 0x00, 0x01),
	T(11, "add qword [rip+disp32], imm32 (81: RIP-relative + imm)", 0x48, 0x81, 0x05, 0x11, 0x22, 0x33, 0x44, 0x78, 0x56, 0x34, 0x12),
	T(10, "mov dword [rip+disp32], imm32 (C7 /0)", 0xC7, 0x05, 0x11, 0x22, 0x33, 0x44, 0x78, 0x56, 0x34, 0x12),
	T(5, "mov word [rax], imm16 (66 C7 /0)", 0x66, 0xC7, 0x00, 0x34, 0x12),
	T(5, "mov byte [rax+rbx*2+0x10], imm8 (C6 /0)", 0xC6, 0x44, 0x58, 0x10, 0xFF),
	T(3, "shl eax, 3 (C1)", 0xC1, 0xE0, 0x03),
	T(5, "mov eax, imm32 (B8)", 0xB8, 0x78, 0x56, 0x34, 0x12),
	T(4, "mov ax, imm16 (66 B8)", 0x66, 0xB8, 0x34, 0x12),
	T(10, "movabs rax, imm64 (REX.W B8)", 0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8),
	T(10, "movabs r15, imm64 (REX.WB BF)", 0x49, 0xBF, 1, 2, 3, 4, 5, 6, 7, 8),
	T(11, "66 REX.W movabs rax, imm64", 0x66, 0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8),
	T(2, "mov cl, imm8 (B1)", 0xB1, 0x07),
	T(9, "movabs al, [moffs64] (A0)", 0xA0, 1, 2, 3, 4, 5, 6, 7, 8),
	T(10, "movabs [moffs64], rax (REX.W A3)", 0x48, 0xA3, 1, 2, 3, 4, 5, 6, 7, 8),
	T(6, "mov eax, [moffs32] (67 A1: 4-byte offset)", 0x67, 0xA1, 1, 2, 3, 4),
	T(4, "enter 0x10, 0 (imm16 + imm8)", 0xC8, 0x10, 0x00, 0x00),
	T(3, "ret imm16", 0xC2, 0x08, 0x00),
	T(3, "retf imm16", 0xCA, 0x08, 0x00),
	T(2, "int 0x80", 0xCD, 0x80),
	T(2, "in al, imm8", 0xE4, 0x60),
	T(2, "out imm8, eax", 0xE7, 0x60),
	T(3, "test byte [rax], imm8 (F6 /0)", 0xF6, 0x00, 0x01),
	T(3, "test al, imm8 (F6 /1, the undocumented alias)", 0xF6, 0xC8, 0xFF),
	T(2, "not byte [rax] (F6 /2: no immediate)", 0xF6, 0x10),
	T(6, "test eax, imm32 (F7 /0)", 0xF7, 0xC0, 0x00, 0x00, 0x00, 0x80),
	T(5, "test ax, imm16 (66 F7 /0)", 0x66, 0xF7, 0xC0, 0xFF, 0x00),
	T(7, "test rax, imm32 (REX.W F7 /0)", 0x48, 0xF7, 0xC0, 0x00, 0x00, 0x00, 0x80),
	T(3, "neg rax (F7 /3: no immediate)", 0x48, 0xF7, 0xD8),
	T(3, "idiv dword [rbp-4] (F7 /7)", 0xF7, 0x7D, 0xFC),
	T(3, "xabort imm8 (C6 F8)", 0xC6, 0xF8, 0x01),
	T(6, "xbegin rel32 (C7 F8)", 0xC7, 0xF8, 0x00, 0x00, 0x00, 0x00),

	/* ---- relative branches ---- */
	T(5, "call rel32", 0xE8, 0x00, 0x00, 0x00, 0x00),
	T(5, "jmp rel32", 0xE9, 0xFB, 0xFF, 0xFF, 0xFF),
	T(4, "callw rel16 (66 E8: AMD64 semantics, as objdump and this AMD host)", 0x66, 0xE8, 0x34, 0x12),
	T(7, "66 REX.W call rel32 (REX.W beats 66)", 0x66, 0x48, 0xE8, 0x00, 0x00, 0x00, 0x00),
	T(2, "jmp rel8", 0xEB, 0xFE),
	T(2, "jz rel8", 0x74, 0x05),
	T(2, "jrcxz rel8", 0xE3, 0x10),
	T(2, "loop rel8", 0xE2, 0xFE),
	T(6, "jz rel32 (0F 84)", 0x0F, 0x84, 0x00, 0x00, 0x00, 0x00),
	T(5, "jz rel16 (66 0F 84)", 0x66, 0x0F, 0x84, 0x34, 0x12),

	/* ---- prefixes and the 15-byte limit ---- */
	T(4, "lock cmpxchg [rdi], ecx", 0xF0, 0x0F, 0xB1, 0x0F),
	T(10, "nopw cs:[rax+rax*1+0]", 0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00),
	T(15, "data16 x5 nopw cs:[...] (15 bytes: the maximum)", 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00),
	T(-1, "data16 x6 nopw cs:[...] (16 bytes: too long, #GP)", 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00),
	T(-1, "16 prefixes and a nop", 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90),
	T(3, "REX.W REX.B nop (only the last REX counts)", 0x48, 0x41, 0x90),

	/* ---- two-byte map 0F xx ---- */
	T(2, "cpuid", 0x0F, 0xA2),
	T(3, "data16 cpuid (prefixed)", 0x66, 0x0F, 0xA2),
	T(2, "rdtsc", 0x0F, 0x31),
	T(2, "syscall", 0x0F, 0x05),
	T(2, "ud2", 0x0F, 0x0B),
	T(4, "endbr64", 0xF3, 0x0F, 0x1E, 0xFA),
	T(3, "movaps xmm0, [rax]", 0x0F, 0x28, 0x00),
	T(8, "movdqa xmm0, [rip+disp32]", 0x66, 0x0F, 0x6F, 0x05, 0x00, 0x00, 0x00, 0x00),
	T(5, "pshufd xmm0, xmm1, imm8 (0F 70)", 0x66, 0x0F, 0x70, 0xC1, 0x1B),
	T(5, "psrldq xmm0, imm8 (0F 73 /3)", 0x66, 0x0F, 0x73, 0xD8, 0x08),
	T(4, "psllw mm0, imm8 (0F 71 /6)", 0x0F, 0x71, 0xF0, 0x02),
	T(4, "cmpps xmm0, xmm1, imm8 (0F C2)", 0x0F, 0xC2, 0xC1, 0x01),
	T(5, "pinsrw xmm0, ecx, imm8 (0F C4)", 0x66, 0x0F, 0xC4, 0xC1, 0x03),
	T(5, "pextrw eax, xmm1, imm8 (0F C5)", 0x66, 0x0F, 0xC5, 0xC1, 0x03),
	T(4, "shufps xmm0, xmm1, imm8 (0F C6)", 0x0F, 0xC6, 0xC1, 0x1B),
	T(4, "bt eax, imm8 (0F BA /4)", 0x0F, 0xBA, 0xE0, 0x05),
	T(4, "shld eax, ecx, imm8 (0F A4)", 0x0F, 0xA4, 0xC8, 0x04),
	T(4, "shrd [rax], ecx, imm8 (0F AC)", 0x0F, 0xAC, 0x08, 0x04),
	T(3, "shld eax, ecx, cl (0F A5)", 0x0F, 0xA5, 0xC8),
	T(3, "setz al", 0x0F, 0x94, 0xC0),
	T(3, "cmovz eax, ecx", 0x0F, 0x44, 0xC1),
	T(3, "movzx eax, byte [rax]", 0x0F, 0xB6, 0x00),
	T(2, "bswap eax", 0x0F, 0xC8),
	T(4, "popcnt eax, ecx (F3 0F B8)", 0xF3, 0x0F, 0xB8, 0xC1),
	T(3, "mov rax, cr0", 0x0F, 0x20, 0xC0),
	T(3, "mov cr0, rax with mod=00 (0F 20-23 ignore mod: no displacement)", 0x0F, 0x22, 0x80),
	T(3, "mov dr7, rax", 0x0F, 0x23, 0xF8),
	T(5, "pfadd mm0, [rax+0x10] (3DNow! 0F 0F, suffix imm8)", 0x0F, 0x0F, 0x40, 0x10, 0x9E),
	T(3, "prefetchw [rax] (0F 0D)", 0x0F, 0x0D, 0x08),
	T(2, "femms", 0x0F, 0x0E),
	T(6, "extrq xmm0, imm8, imm8 (66 0F 78 /0)", 0x66, 0x0F, 0x78, 0xC0, 0x01, 0x02),
	T(6, "insertq xmm0, xmm1, imm8, imm8 (F2 0F 78)", 0xF2, 0x0F, 0x78, 0xC1, 0x01, 0x02),
	T(3, "vmread rax, rcx (0F 78, no immediates)", 0x0F, 0x78, 0xC8),
	T(4, "insertq xmm0, xmm1 (F2 0F 79)", 0xF2, 0x0F, 0x79, 0xC1),
	T(3, "lfence", 0x0F, 0xAE, 0xE8),
	T(3, "xgetbv", 0x0F, 0x01, 0xD0),
	T(3, "rdrand eax", 0x0F, 0xC7, 0xF0),
	T(4, "cmpxchg16b [rdi]", 0x48, 0x0F, 0xC7, 0x0F),
	T(3, "xstore-rng (VIA PadLock 0F A7)", 0x0F, 0xA7, 0xC0),
	T(4, "rep xsha256 (VIA PadLock F3 0F A6)", 0xF3, 0x0F, 0xA6, 0xD0),
	T(3, "ud1 eax, [rax]", 0x0F, 0xB9, 0x00),
	T(3, "ud0 eax, [rax] (0F FF with ModRM)", 0x0F, 0xFF, 0x00),

	/* ---- three-byte maps 0F 38 (no immediate) and 0F 3A (imm8) ---- */
	T(5, "pshufb xmm0, xmm1 (66 0F 38 00)", 0x66, 0x0F, 0x38, 0x00, 0xC1),
	T(5, "crc32 eax, byte [rax] (F2 0F 38 F0)", 0xF2, 0x0F, 0x38, 0xF0, 0x00),
	T(8, "movbe eax, [rax+disp32] (0F 38 F0)", 0x0F, 0x38, 0xF0, 0x80, 0x00, 0x01, 0x00, 0x00),
	T(6, "palignr xmm0, xmm1, imm8 (66 0F 3A 0F)", 0x66, 0x0F, 0x3A, 0x0F, 0xC1, 0x04),
	T(10, "pextrd [rip+disp32], xmm0, imm8 (66 0F 3A 16)", 0x66, 0x0F, 0x3A, 0x16, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01),
	T(6, "pclmulqdq xmm0, xmm1, imm8", 0x66, 0x0F, 0x3A, 0x44, 0xC1, 0x11),
	T(6, "aeskeygenassist xmm0, xmm1, imm8", 0x66, 0x0F, 0x3A, 0xDF, 0xC1, 0x01),

	/* ---- VEX (C4/C5 are always VEX in 64-bit mode) ---- */
	T(3, "vzeroupper (C5, map 1 op 77: no ModRM)", 0xC5, 0xF8, 0x77),
	T(4, "vzeroall (C4 form, no ModRM)", 0xC4, 0xE1, 0x7C, 0x77),
	T(4, "vmovaps ymm0, [rax]", 0xC5, 0xFC, 0x28, 0x00),
	T(8, "vmovdqu ymm0, [rip+disp32]", 0xC5, 0xFE, 0x6F, 0x05, 0x00, 0x00, 0x00, 0x00),
	T(5, "vpshufd ymm0, ymm1, imm8 (VEX map 1 op 70)", 0xC5, 0xFD, 0x70, 0xC1, 0x1B),
	T(5, "vpsrldq xmm0, xmm1, imm8 (VEX map 1 op 73)", 0xC5, 0xF9, 0x73, 0xD9, 0x08),
	T(5, "vcmpps ymm0, ymm1, [rax], imm8 (VEX map 1 op C2)", 0xC5, 0xF4, 0xC2, 0x00, 0x01),
	T(5, "vshufps xmm0, xmm1, xmm2, imm8 (VEX map 1 op C6)", 0xC5, 0xF0, 0xC6, 0xC2, 0x1B),
	T(5, "vpshufb xmm0, xmm1, xmm2 (VEX map 2)", 0xC4, 0xE2, 0x71, 0x00, 0xC2),
	T(5, "andn eax, ecx, edx (VEX map 2, BMI1)", 0xC4, 0xE2, 0x70, 0xF2, 0xC2),
	T(6, "vpalignr xmm0, xmm1, xmm2, imm8 (VEX map 3)", 0xC4, 0xE3, 0x71, 0x0F, 0xC2, 0x04),
	T(6, "rorx eax, ecx, imm8 (VEX map 3, BMI2)", 0xC4, 0xE3, 0x7B, 0xF0, 0xC1, 0x03),
	T(10, "vperm2i128 ymm0, ymm1, [rax+disp32], imm8", 0xC4, 0xE3, 0x75, 0x46, 0x80, 0x00, 0x01, 0x00, 0x00, 0x20),
	T(-1, "VEX map 0 (reserved)", 0xC4, 0xE0, 0x78, 0x28, 0xC0),
	T(-1, "VEX map 4 (reserved)", 0xC4, 0xE4, 0x78, 0x28, 0xC0),

	/* ---- EVEX (62 is always EVEX in 64-bit mode) ---- */
	T(6, "vmovaps zmm0, zmm1", 0x62, 0xF1, 0x7C, 0x48, 0x28, 0xC1),
	T(7, "vaddps zmm0, zmm0, [rax+0x40] (disp8*N is still one byte)", 0x62, 0xF1, 0x7C, 0x48, 0x58, 0x40, 0x01),
	T(10, "vmovdqu64 zmm0, [rip+disp32]", 0x62, 0xF1, 0xFE, 0x48, 0x6F, 0x05, 0x00, 0x00, 0x00, 0x00),
	T(7, "vpshufd zmm0, zmm1, imm8 (EVEX map 1 op 70)", 0x62, 0xF1, 0x7D, 0x48, 0x70, 0xC1, 0x1B),
	T(6, "vpermt2d zmm0, zmm1, zmm2 (EVEX map 2)", 0x62, 0xF2, 0x75, 0x48, 0x7E, 0xC2),
	T(7, "vpalignr zmm0, zmm0, zmm0, imm8 (EVEX map 3)", 0x62, 0xF3, 0x7D, 0x48, 0x0F, 0xC0, 0x05),
	T(6, "vaddph zmm0, zmm0, zmm0 (EVEX map 5, AVX512-FP16)", 0x62, 0xF5, 0x7C, 0x48, 0x58, 0xC0),
	T(6, "vfmadd132ph zmm0, zmm0, zmm0 (EVEX map 6)", 0x62, 0xF6, 0x7D, 0x48, 0x98, 0xC0),
	T(-1, "EVEX with P1 bit 2 clear (was BOUND; invalid)", 0x62, 0xF1, 0x78, 0x48, 0x28, 0xC0),
	T(-1, "EVEX map 4 (reserved before APX)", 0x62, 0xF4, 0x7C, 0x48, 0x58, 0xC0),
	T(-1, "EVEX map 7 (reserved)", 0x62, 0xF7, 0x7C, 0x48, 0x58, 0xC0),

	/* ---- XOP (8F with map select >= 8) ---- */
	T(6, "vprotd xmm0, xmm0, imm8 (XOP map 8: imm8)", 0x8F, 0xE8, 0x78, 0xC2, 0xC0, 0x05),
	T(5, "vfrczpd xmm0, xmm0 (XOP map 9: no immediate)", 0x8F, 0xE9, 0x78, 0x81, 0xC0),
	T(9, "bextr eax, eax, imm32 (XOP map A: imm32)", 0x8F, 0xEA, 0x78, 0x10, 0xC0, 0x11, 0x22, 0x33, 0x44),
	T(-1, "XOP map B (reserved)", 0x8F, 0xEB, 0x78, 0x10, 0xC0),
	T(-1, "8F /4 (map select < 8, not POP /0)", 0x8F, 0xE0),

	/* ---- invalid in 64-bit mode ---- */
	T(-1, "push es (06)", 0x06),
	T(-1, "pop es (07)", 0x07),
	T(-1, "push cs (0E)", 0x0E),
	T(-1, "push ss (16)", 0x16),
	T(-1, "pop ss (17)", 0x17),
	T(-1, "push ds (1E)", 0x1E),
	T(-1, "pop ds (1F)", 0x1F),
	T(-1, "daa (27)", 0x27),
	T(-1, "das (2F)", 0x2F),
	T(-1, "aaa (37)", 0x37),
	T(-1, "aas (3F)", 0x3F),
	T(-1, "pusha (60)", 0x60),
	T(-1, "popa (61)", 0x61),
	T(-1, "82 (alias of 80, invalid)", 0x82, 0xC0, 0x01),
	T(-1, "call far ptr16:32 (9A)", 0x9A, 1, 2, 3, 4, 5, 6),
	T(-1, "into (CE)", 0xCE),
	T(-1, "aam (D4)", 0xD4, 0x0A),
	T(-1, "aad (D5)", 0xD5, 0x0A),
	T(-1, "salc (D6)", 0xD6),
	T(-1, "jmp far ptr16:32 (EA)", 0xEA, 1, 2, 3, 4, 5, 6),
	T(-1, "lea eax, ecx (8D with a register operand)", 0x8D, 0xC1),
	T(-1, "FF /7 (undefined)", 0xFF, 0xF8),
	T(-1, "FF /3 with a register (far call needs memory)", 0xFF, 0xD8),
	T(-1, "FE /2 (undefined)", 0xFE, 0xD0),
	T(-1, "C6 /1 (undefined)", 0xC6, 0xC8, 0x00),
	T(-1, "0F 04", 0x0F, 0x04),
	T(-1, "0F 0A", 0x0F, 0x0A),
	T(-1, "0F 24 (mov from test register)", 0x0F, 0x24, 0xC0),
	T(-1, "0F 36", 0x0F, 0x36),
	T(-1, "0F 7A (dropped SSE5)", 0x0F, 0x7A, 0xC0),
	T(-1, "0F B8 without F3 (JMPE: IA-64 only)", 0x0F, 0xB8, 0x00),

	/* ---- truncated ---- */
	T(TRUNC, "call rel32 cut after 2 bytes of rel32", 0xE8, 0x00, 0x00),
	T(TRUNC, "0F alone", 0x0F),
	T(TRUNC, "a prefix alone", 0x66),
	T(TRUNC, "mov eax, [SIB] without its SIB byte", 0x48, 0x8B, 0x04),
	T(TRUNC, "movabs rax, imm64 with 7 immediate bytes", 0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7),
	T(TRUNC, "VEX without its opcode", 0xC4, 0xE1, 0x7C),
	T(TRUNC, "EVEX without its ModRM", 0x62, 0xF1, 0x7C, 0x48, 0x28),
};

static int failures, checks;

static void check(int ok, const char *what, const char *name, int got, int want)
{
	checks++;
	if (!ok) {
		failures++;
		printf("FAIL %s: %s: got %d, want %d\n", what, name, got, want);
	}
}

static void test_lengths(int verbose)
{
	size_t ncases = sizeof cases / sizeof cases[0];
	for (size_t i = 0; i < ncases; i++) {
		const struct tcase *t = &cases[i];
		if (verbose) {
			for (size_t k = 0; k < t->n; k++)
				printf("%02x%s", t->b[k], k + 1 < t->n ? " " : "");
			printf("\t%d\t%s\n", t->len == TRUNC ? -1 : t->len, t->name);
		}
		/* exactly the instruction's bytes */
		int want = t->len == TRUNC ? -1 : t->len;
		int got = x86_insn_len(t->b, t->n);
		check(got == want, "exact", t->name, got, want);
		/* followed by more code: the length must not change */
		uint8_t buf[64];
		memset(buf, 0x90, sizeof buf);
		memcpy(buf, t->b, t->n);
		got = x86_insn_len(buf, sizeof buf);
		if (t->len != TRUNC)
			check(got == want, "padded", t->name, got, want);
		/* one byte short: truncated */
		if (t->len > 0) {
			got = x86_insn_len(t->b, (size_t)t->len - 1);
			check(got == -1, "truncated", t->name, got, -1);
		}
	}
	printf("ok %zu instruction cases\n", ncases);
}

/* the sites x86_find_cpuid reports in code, as offsets from base */
static void expect_sites(const char *name, const uint8_t *code, size_t len,
                         const uint64_t *want, size_t nwant, size_t want_bad)
{
	uint64_t got[16];
	size_t bad = 0;
	const uint64_t base = 0x400000;
	size_t n = x86_find_cpuid(code, len, base, got, 16, &bad);
	check(n == nwant, "site count", name, (int)n, (int)nwant);
	for (size_t k = 0; k < n && k < nwant; k++)
		check(got[k] == base + want[k], "site address", name, (int)(got[k] - base), (int)want[k]);
	check(bad == want_bad, "undecodable count", name, (int)bad, (int)want_bad);
}

static void test_scanner(void)
{
	/* The decisive case: 0F A2 inside immediates and displacements is not an
	 * instruction; only the real cpuid at the end is. */
	static const uint8_t decisive[] = {
		0xB8, 0x00, 0x0F, 0xA2, 0x00,                   /*  0 mov eax, 0x00A20F00 */
		0x8B, 0x05, 0x0F, 0xA2, 0x00, 0x00,             /*  5 mov eax, [rip+0xA20F] */
		0x81, 0xC1, 0x00, 0x0F, 0xA2, 0x00,             /* 11 add ecx, 0x00A20F00 */
		0x8B, 0x84, 0x24, 0x0F, 0xA2, 0x00, 0x00,       /* 17 mov eax, [rsp+0xA20F] */
		0x48, 0xA1, 0x0F, 0xA2, 0, 0, 0, 0, 0, 0,       /* 24 movabs rax, [0xA20F] */
		0xC8, 0x0F, 0xA2, 0x00,                         /* 34 enter 0xA20F, 0 */
		0x62, 0xF1, 0x7C, 0x48, 0x28, 0x80, 0x0F, 0xA2, 0x00, 0x00, /* 38 vmovaps zmm0, [rax+0xA20F] */
		0x8F, 0xEA, 0x78, 0x10, 0xC0, 0x00, 0x0F, 0xA2, 0x00,       /* 48 bextr eax, eax, 0x00A20F00 */
		0x66, 0x0F, 0x3A, 0x0F, 0xC1, 0x0F,             /* 57 palignr xmm0, xmm1, 0x0F ... */
		0xA2, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* 63 movabs [moffs], al (starts with A2) */
		0x0F, 0xA2,                                     /* 72 cpuid: the one real site */
		0xC3,                                           /* 74 ret */
	};
	static const uint64_t decisive_sites[] = { 72 };
	expect_sites("0F A2 inside immediates/displacements", decisive, sizeof decisive, decisive_sites, 1, 0);

	/* data in .text cannot stop the sweep: undecodable bytes are skipped one by one */
	static const uint8_t with_data[] = {
		0x06, 0x07, 0xD6,   /* 0: three invalid bytes */
		0x0F, 0xA2,         /* 3: cpuid */
		0x31, 0xC0,         /* 5: xor eax, eax */
		0x0F, 0xA2,         /* 7: cpuid */
	};
	static const uint64_t with_data_sites[] = { 3, 7 };
	expect_sites("undecodable bytes before cpuid", with_data, sizeof with_data, with_data_sites, 2, 3);

	/* prefixed cpuid: reported at its 0F A2 bytes, the ones to patch */
	static const uint8_t prefixed[] = {
		0x66, 0x0F, 0xA2,   /* 0: data16 cpuid -> site 1 */
		0x48, 0x0F, 0xA2,   /* 3: rex.W cpuid -> site 4 */
		0x0F, 0xA2,         /* 6: cpuid */
	};
	static const uint64_t prefixed_sites[] = { 1, 4, 6 };
	expect_sites("prefixed cpuid", prefixed, sizeof prefixed, prefixed_sites, 3, 0);

	/* an instruction that merely ends in 0F A2 is not cpuid */
	static const uint8_t tail[] = { 0x0F, 0xBA, 0xE0, 0x0F, 0xA2 }; /* bt eax, 0x0F; then A2 truncated */
	expect_sites("0F A2 as an imm8 and a truncated moffs store", tail, sizeof tail, NULL, 0, 1);

	/* more sites than room: the count is still right, only max are stored */
	static const uint8_t many[] = { 0x0F, 0xA2, 0x0F, 0xA2, 0x0F, 0xA2, 0x0F, 0xA2 };
	uint64_t two[2] = { 0, 0 };
	size_t n = x86_find_cpuid(many, sizeof many, 0x1000, two, 2, NULL);
	check(n == 4, "count beyond max", "4 cpuids, max 2", (int)n, 4);
	check(two[0] == 0x1000 && two[1] == 0x1002, "stored up to max", "4 cpuids, max 2", (int)two[1], 0x1002);
	n = x86_find_cpuid(many, sizeof many, 0, NULL, 0, NULL);
	check(n == 4, "count only", "out NULL, max 0", (int)n, 4);

	/* prefix length helper */
	static const uint8_t pfx[] = { 0x66, 0x2E, 0x48, 0x0F, 0xA2 };
	check(x86_prefix_len(pfx, sizeof pfx) == 3, "prefix length", "66 2E 48 0F A2", (int)x86_prefix_len(pfx, sizeof pfx), 3);
	printf("ok scanner cases\n");
}

int main(int argc, char **argv)
{
	int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	test_lengths(verbose);
	test_scanner();
	printf("%s: %d checks, %d failures\n", failures ? "FAIL" : "PASS", checks, failures);
	return failures ? 1 : 0;
}
