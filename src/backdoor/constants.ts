// Every magic number of the backdoor, once. Each group names the
// open-vm-tools header (open-vm-tools/lib/include/...) it mirrors;
// the comments beside each give the wire-level meaning.

// backdoor_def.h
export const BDOOR_MAGIC = 0x564d5868; // "VMXh", in EAX on every call
export const BDOOR_PORT = 0x5658; // low bandwidth: in eax,dx
export const BDOORHB_PORT = 0x5659; // high bandwidth: rep insb / rep outsb
export const BDOORHB_CMD_MESSAGE = 0;

// backdoor_def.h: command numbers (CX.lo)
export const BDOOR_CMD_GETMHZ = 1;
export const BDOOR_CMD_GETVERSION = 10;
export const BDOOR_CMD_GETHWVERSION = 17;
export const BDOOR_CMD_GETUUID = 19; // a.k.a. GETBIOSUUID
export const BDOOR_CMD_GETMEMSIZE = 20; // QEMU: GETRAMSIZE (bytes, EBX=0x1177)
export const BDOOR_CMD_GETTIME = 23;
export const BDOOR_CMD_MESSAGE = 30;
export const BDOOR_CMD_GETHZ = 45;
export const BDOOR_CMD_GETTIMEFULL = 46;
export const BDOOR_CMD_GETTIMEFULL_WITH_LAG = 55;

/** What current VMware and QEMU ≥ 5.1 put in EAX for a command they do not implement. */
export const BDOOR_UNSUPPORTED = 0xffffffff;
/** QEMU vmport's marker in EBX after GETRAMSIZE (hw/i386/vmport.c). */
export const QEMU_RAMSIZE_MARKER = 0x1177;

// vm_tools_version.h: the only backdoor protocol version VMware products report
export const VERSION_MAGIC = 6;

// vm_vmx_type.h: GETVERSION's ECX
export const VMX_TYPE_UNSET = 0;
export const VMX_TYPE_EXPRESS = 1;
export const VMX_TYPE_SCALABLE_SERVER = 2;
export const VMX_TYPE_WGS = 3;
export const VMX_TYPE_WORKSTATION = 4;
export const VMX_TYPE_WORKSTATION_ENTERPRISE = 5;

/** Product names as vmware-checkvm -p prints them (checkvm/checkvm.c): anything else is "Unknown". */
export function vmxTypeName(type: number | null): string {
  if (type === VMX_TYPE_SCALABLE_SERVER) return 'ESX Server';
  if (type === VMX_TYPE_WORKSTATION) return 'Workstation';
  return 'Unknown';
}

// guest_msg_def.h: the message channel (BDOOR_CMD_MESSAGE, sub-command in CX.hi)
export const MESSAGE_TYPE_OPEN = 0;
export const MESSAGE_TYPE_SENDSIZE = 1;
export const MESSAGE_TYPE_SENDPAYLOAD = 2;
export const MESSAGE_TYPE_RECVSIZE = 3;
export const MESSAGE_TYPE_RECVPAYLOAD = 4;
export const MESSAGE_TYPE_RECVSTATUS = 5;
export const MESSAGE_TYPE_CLOSE = 6;

export const MESSAGE_STATUS_SUCCESS = 0x0001;
export const MESSAGE_STATUS_DORECV = 0x0002;
export const MESSAGE_STATUS_CLOSED = 0x0004;
export const MESSAGE_STATUS_UNSENT = 0x0008;
export const MESSAGE_STATUS_CPT = 0x0010;
export const MESSAGE_STATUS_POWEROFF = 0x0020;
export const MESSAGE_STATUS_TIMEOUT = 0x0040;
export const MESSAGE_STATUS_HB = 0x0080;

export const GUESTMSG_FLAG_COOKIE = 0x80000000;
export const GUESTMSG_MAX_IN_SIZE = 64 * 1024;
export const RPCI_PROTOCOL_NUM = 0x49435052; // "RPCI"
export const TCLO_PROTOCOL_NUM = 0x4f4c4354; // "TCLO"

// x86cpuid.h: the hypervisor leaves
export const CPUID_LEAF_HYPERVISOR = 0x40000000;
export const CPUID_LEAF_VMWARE_FEATURES = 0x40000010;
