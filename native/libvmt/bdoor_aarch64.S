/*
 * The VMware backdoor on arm64 (ESXi-Arm, Fusion on Apple silicon). There is
 * no port I/O, so the guest pretends: it puts the x86 registers in X0-X6
 * (X0 = RAX, X1 = RBX, X2 = RCX, X3 = RDX, X4 = RSI, X5 = RDI, X6 = RBP),
 * describes the x86 instruction it means in W7 (see below) with
 * X86_IO_MAGIC (0x86) in X7's high half, and executes `mrs xzr, mdccsr_el0`,
 * a debug register that EL0 may not read. VMware traps it, carries out the
 * x86 instruction and leaves the results in X0-X6. Off VMware the kernel
 * gets the trap and sends SIGILL, which the guard in vmt.c turns into an
 * answer, the same as the SIGSEGV of `in` on x86.
 *
 * W7, the pretend instruction:
 *   bits 1:0  operand size: 0 = byte, 1 = word, 2 = dword
 *   bit 2     direction: set = in (device to guest)
 *   bit 3     port in DX (as `in eax,dx`), not an immediate
 *   bit 4     string instruction (rep insb / rep outsb: RCX bytes at RSI/RDI)
 *   bit 5     direction flag (with bit 4); clear = cld, addresses go up
 *
 *   vmt_asm_inl(frame)    in eax,dx     W7 = 0x0e (dword, in, DX)
 *   vmt_asm_insb(frame)   cld; rep insb W7 = 0x1c (byte, in, DX, string)
 *   vmt_asm_outsb(frame)  cld; rep outsb W7 = 0x18 (byte, out, DX, string)
 *
 * The frame is the x86 one: seven 64-bit slots rax rbx rcx rdx rsi rdi rbp,
 * read into X0-X6 and overwritten with what X0-X6 hold afterwards. The
 * buffer addresses of the string forms ride in the RSI/RDI slots, which are
 * 64 bits wide like X4/X5. Everything between vmt_asm_begin and vmt_asm_end
 * may fault; the guard only recovers faults whose PC lies in that range.
 */
/* native/test/bdoor_arm64_test.c builds these stubs with `udf #0` here,
 * which traps everywhere: qemu-user lets EL0 read mdccsr_el0 (no trap) */
#ifndef VMT_BDOOR_TRAP
#define VMT_BDOOR_TRAP mrs xzr, s2_3_c0_c1_0	/* mdccsr_el0 */
#endif

	.text
	.globl	vmt_asm_begin, vmt_asm_end, vmt_asm_inl, vmt_asm_insb, vmt_asm_outsb
	.hidden	vmt_asm_begin, vmt_asm_end, vmt_asm_inl, vmt_asm_insb, vmt_asm_outsb

	.equ	X86_IO_MAGIC, 0x86

.macro BDOOR w7
	str	x0, [sp, #-16]!		/* keep the frame address */
	mov	x9, x0
	ldp	x2, x3, [x9, #16]
	ldp	x4, x5, [x9, #32]
	ldr	x6, [x9, #48]
	ldp	x0, x1, [x9, #0]
	movz	x7, #\w7
	movk	x7, #X86_IO_MAGIC, lsl #32
	VMT_BDOOR_TRAP
	ldr	x9, [sp], #16
	stp	x0, x1, [x9, #0]
	stp	x2, x3, [x9, #16]
	stp	x4, x5, [x9, #32]
	str	x6, [x9, #48]
	ret
.endm

	.p2align 2
vmt_asm_begin:
	.type	vmt_asm_inl, %function
vmt_asm_inl:
	BDOOR	0x0e
	.size	vmt_asm_inl, . - vmt_asm_inl

	.type	vmt_asm_insb, %function
vmt_asm_insb:
	BDOOR	0x1c
	.size	vmt_asm_insb, . - vmt_asm_insb

	.type	vmt_asm_outsb, %function
vmt_asm_outsb:
	BDOOR	0x18
	.size	vmt_asm_outsb, . - vmt_asm_outsb
vmt_asm_end:

	.section .note.GNU-stack, "", %progbits
