/*
 * The three instructions of the VMware backdoor, with every register the
 * host reads or writes loaded from and stored back to a frame of seven
 * 64-bit slots: rax rbx rcx rdx rsi rdi rbp (offsets 0..48).
 *
 *   vmt_asm_inl(frame)    in eax,dx          (low bandwidth, port 0x5658)
 *   vmt_asm_insb(frame)   cld; rep insb      (high bandwidth, host -> guest)
 *   vmt_asm_outsb(frame)  cld; rep outsb     (high bandwidth, guest -> host)
 *
 * The encodings (ED, F3 6C, F3 6E) are the ones VMware's own tools use, so a
 * tracer that emulates the backdoor (vmt sim) decodes ours the same way.
 * Everything between vmt_asm_begin and vmt_asm_end may fault off VMware; the
 * guard in vmt.c only recovers faults whose RIP lies in that range.
 */
	.text
	.globl	vmt_asm_begin, vmt_asm_end, vmt_asm_inl, vmt_asm_insb, vmt_asm_outsb
	.hidden	vmt_asm_begin, vmt_asm_end, vmt_asm_inl, vmt_asm_insb, vmt_asm_outsb

.macro LOAD_FRAME
	push	%rbx
	push	%rbp
	push	%rdi			/* keep the frame pointer */
	mov	0(%rdi), %rax
	mov	8(%rdi), %rbx
	mov	16(%rdi), %rcx
	mov	24(%rdi), %rdx
	mov	32(%rdi), %rsi
	mov	48(%rdi), %rbp
	mov	40(%rdi), %rdi
.endm

.macro STORE_FRAME
	xchg	(%rsp), %rdi		/* rdi = frame, stack slot = rdi out */
	mov	%rax, 0(%rdi)
	mov	%rbx, 8(%rdi)
	mov	%rcx, 16(%rdi)
	mov	%rdx, 24(%rdi)
	mov	%rsi, 32(%rdi)
	mov	%rbp, 48(%rdi)
	pop	%rax
	mov	%rax, 40(%rdi)
	pop	%rbp
	pop	%rbx
	ret
.endm

vmt_asm_begin:
	.type	vmt_asm_inl, @function
vmt_asm_inl:
	LOAD_FRAME
	inl	%dx, %eax
	STORE_FRAME
	.size	vmt_asm_inl, . - vmt_asm_inl

	.type	vmt_asm_insb, @function
vmt_asm_insb:
	LOAD_FRAME
	cld
	rep insb
	STORE_FRAME
	.size	vmt_asm_insb, . - vmt_asm_insb

	.type	vmt_asm_outsb, @function
vmt_asm_outsb:
	LOAD_FRAME
	cld
	rep outsb
	STORE_FRAME
	.size	vmt_asm_outsb, . - vmt_asm_outsb
vmt_asm_end:

	.section .note.GNU-stack, "", @progbits
