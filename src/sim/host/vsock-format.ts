// The numbers of GuestRPC's vsock packets as the host side reads and writes
// them (DataMap entry types, field ids, packet types): one place for the serve
// loop (vsock.ts) and the hostile packets (vsock-faults.ts). The guest side
// keeps its own (src/guestrpc), so a misreading cannot hide on both sides.
export const FIELD_TYPE = 1;
export const FIELD_PAYLOAD = 2;
export const FIELD_FAST_CLOSE = 3;
export const TYPE_DATA = 1;
export const TYPE_PING = 2;
export const DM_INT64 = 1;
export const DM_STRING = 2;
