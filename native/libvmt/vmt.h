/*
 * libvmt: the few things vmt cannot do from JavaScript.
 *
 * Register frames are seven uint32 in the order EAX EBX ECX EDX ESI EDI EBP,
 * read on entry and overwritten with the values the host left.
 * The backdoor calls return 0 when the instruction completed, the number of
 * the signal (SIGSEGV, SIGBUS, SIGILL) when it faulted -- off VMware that is
 * the normal answer, never a dead process -- or -errno.
 */
#ifndef VMT_H
#define VMT_H
#include <stdint.h>

#define VMT_ABI_VERSION 1

int vmt_abi_version(void);
/* in eax,dx with the frame (EBP unused) */
int vmt_bdoor_lb(uint32_t regs[7]);
/* cld; rep outsb: RSI = buf, the frame's ESI is ignored */
int vmt_bdoor_hb_out(uint32_t regs[7], const uint8_t *buf);
/* cld; rep insb: RDI = buf, the frame's EDI is ignored */
int vmt_bdoor_hb_in(uint32_t regs[7], uint8_t *buf);
/* out = EAX EBX ECX EDX of CPUID(leaf, subleaf); 0, or -ENOSYS off x86 */
int vmt_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* steps CLOCK_REALTIME; 0 or -errno */
int vmt_settime(int64_t sec, int32_t usec);
#endif
