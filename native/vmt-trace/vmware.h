/*
 * The VMware numbers the tracer needs: the backdoor's magic and I/O ports
 * (backdoor_def.h) and the hypervisor CPUID leaves (x86cpuid.h). The host
 * model's copies are in src/backdoor/constants.ts; test/unit/sim-wire.test.ts
 * compiles this header and checks the two against each other.
 */
#ifndef VMT_VMWARE_H
#define VMT_VMWARE_H

#define BDOOR_MAGIC 0x564D5868u /* "VMXh", in EAX on every call */
#define BDOOR_PORT 0x5658u      /* low bandwidth: in eax,dx */
#define BDOORHB_PORT 0x5659u    /* high bandwidth: rep insb / rep outsb */

#define CPUID_LEAF_HYPERVISOR 0x40000000u      /* max leaf and the vendor signature */
#define CPUID_LEAF_VMWARE_FEATURES 0x40000010u /* VMware's timing leaf; its vmcall/vmmcall bits */
#endif
