/*
 * The pipe between vmt-trace and the host model (src/sim/bridge.ts).
 * Little-endian, fixed-size headers, each followed by `len` bytes.
 *   tracer -> host (fd 3): sim_request, then the bytes the guest wrote (HB out)
 *   host -> tracer (fd 4): sim_reply, then the bytes for the guest (HB in, len <= ECX)
 * Registers: EAX EBX ECX EDX ESI EDI EBP, low 32 bits; for string I/O the
 * pointer register (RSI out, RDI in) is sent as 0.
 */
#ifndef VMT_SIM_WIRE_H
#define VMT_SIM_WIRE_H
#include <stdint.h>

#define SIM_MAGIC 0x4d495356u /* "VSIM" */
#define SIM_FD_REQUEST 3
#define SIM_FD_REPLY 4

enum sim_op {
	SIM_OP_LB = 1,     /* in eax,dx on 0x5658 */
	SIM_OP_HB_OUT = 2, /* rep outsb on 0x5659: guest -> host bytes */
	SIM_OP_HB_IN = 3,  /* rep insb on 0x5659: host -> guest bytes */
	SIM_OP_EXIT = 4,   /* a traced task ended (regs unused): its channels close */
};

struct sim_request {
	uint32_t magic, op, pid;
	uint32_t regs[7];
	uint32_t len;
};

struct sim_reply {
	uint32_t magic;
	uint32_t regs[7];
	uint32_t len;
};
#endif
