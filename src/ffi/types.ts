// libvmt's entry points as TypeScript sees them: types only, so the modules
// that only describe or adapt libvmt need not import the loader (index.ts).

/** libvmt's entry points (native/libvmt/vmt.h). Frames are 7 × u32: EAX EBX ECX EDX ESI EDI EBP. */
export interface Libvmt {
  /** `in eax,dx`; 0, the signal number of a fault, or -errno */
  bdoorLb(frame: Uint32Array): number;
  /** `rep outsb` from buf (RSI := buf) */
  bdoorHbOut(frame: Uint32Array, buf: Uint8Array): number;
  /** `rep insb` into buf (RDI := buf) */
  bdoorHbIn(frame: Uint32Array, buf: Uint8Array): number;
  /** CPUID(leaf, subleaf) → [EAX, EBX, ECX, EDX] */
  cpuid(leaf: number, subleaf: number): Uint32Array;
  /** clock_settime(CLOCK_REALTIME); 0 or -errno */
  settime(sec: number, usec: number): number;
}
