/*
 * x86len: a table-driven x86-64 instruction LENGTH decoder, and a linear-sweep
 * scanner for CPUID instructions built on it.
 *
 * vmt-trace replaces each `cpuid` (0F A2) in a traced program's executable code
 * with `ud2` (0F 0B, same length) and emulates CPUID on the SIGILL, because this
 * machine has no CPUID faulting. Patching is only safe at real instruction
 * boundaries: a 0F A2 pair inside another instruction's immediate or
 * displacement must stay as it is. This decoder finds the boundaries.
 *
 * Only 64-bit mode is decoded. Lengths follow what the CPU does (AMD64
 * semantics where Intel and AMD differ, i.e. a 66 prefix shortens the rel32 of
 * E8/E9/0F 8x to rel16, which is also what GNU objdump does).
 */
#ifndef VMT_X86LEN_H
#define VMT_X86LEN_H
#include <stddef.h>
#include <stdint.h>

/* The architectural maximum; anything longer raises #GP and is reported as -1. */
#define X86_MAX_INSN_LEN 15

/*
 * Length in bytes of the 64-bit-mode instruction at p (at most avail bytes may
 * be read), or -1 when the bytes are not a valid instruction (an opcode that
 * is invalid in 64-bit mode, an undefined group member, a reserved VEX/EVEX/XOP
 * map, more than 15 bytes) or are truncated by avail.
 */
int x86_insn_len(const uint8_t *p, size_t avail);

/*
 * Number of legacy-prefix and REX bytes that start the instruction at p (at
 * most avail); the opcode (or VEX/EVEX/XOP escape) follows them.
 */
size_t x86_prefix_len(const uint8_t *p, size_t avail);

/*
 * Linear sweep of code[0..len) starting at code[0]. At each instruction
 * boundary, a CPUID instruction (opcode 0F A2, with or without prefixes) is
 * recorded as base + the offset of its 0F byte -- the place to patch; for the
 * unprefixed instructions compilers emit that is the instruction's address.
 * The sweep advances by the decoded length; an undecodable byte is skipped
 * (advance by 1) and added to *undecodable (if not NULL; it is not reset, so
 * one counter can total several sections), so data embedded in .text cannot
 * stop the sweep.
 * At most max addresses are stored in out (out may be NULL when max is 0); the
 * return value is the number of CPUID instructions found, which may exceed max.
 */
size_t x86_find_cpuid(const uint8_t *code, size_t len, uint64_t base,
                      uint64_t *out, size_t max, size_t *undecodable);

#endif
