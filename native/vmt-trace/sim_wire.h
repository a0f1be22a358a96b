/*
 * The pipes between vmt-trace and the host model (src/sim/bridge.ts, whose
 * numbers are in src/sim/wire.ts; test/unit/sim-wire.test.ts compiles this
 * header and checks the two against each other).
 * Little-endian, fixed-size headers, each followed by `len` bytes.
 *   host -> tracer (fd 5), once, before the program starts: sim_exec, then the
 *     program's argc arguments and envc environment entries, each NUL-terminated
 *     (exact bytes: they need not be UTF-8); then the host closes it
 *   tracer -> host (fd 3): sim_request, then the bytes the guest wrote (HB out)
 *   host -> tracer (fd 4): sim_reply, then the bytes for the guest (HB in, len <= ECX)
 *   SIM_OP_REFUSED is a notice, not a backdoor call: it puts the refusal in the
 *   transcript, and the host's reply only acknowledges it
 * Registers: EAX EBX ECX EDX ESI EDI EBP, low 32 bits; for string I/O the
 * pointer register (RSI out, RDI in) is sent as 0.
 */
#ifndef VMT_SIM_WIRE_H
#define VMT_SIM_WIRE_H
#include <stdint.h>

#define SIM_MAGIC 0x4d495356u /* "VSIM" */
#define SIM_FD_REQUEST 3
#define SIM_FD_REPLY 4
#define SIM_FD_EXEC 5
#define SIM_EXEC_MAX (64u << 20) /* the most argument and environment bytes the tracer takes */

enum sim_op {
	SIM_OP_LB = 1,     /* in eax,dx on 0x5658 */
	SIM_OP_HB_OUT = 2, /* rep outsb on 0x5659: guest -> host bytes */
	SIM_OP_HB_IN = 3,  /* rep insb on 0x5659: host -> guest bytes */
	SIM_OP_EXIT = 4,   /* a traced task ended (regs unused): its channels close */
	SIM_OP_REFUSED = 5, /* the guard refused a syscall: regs[0] = the errno it returned, the
	                     * bytes say what (a reply with no bytes acknowledges it) */
};

struct sim_exec {
	uint32_t magic;
	uint32_t argc, envc; /* argc >= 1: argv[0] is the program, looked up in the environment's PATH */
	uint32_t len;
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
