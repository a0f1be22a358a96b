// ioctl request numbers as the BSDs encode them (sys/ioccom.h on NetBSD and
// FreeBSD alike): the direction in the top three bits, the argument's size in
// 13 bits at 16, the group letter at 8 and the number at 0. The size is that
// of the struct on the running ABI, so a request that carries a pointer has
// one number on amd64 and another on i386.

export const IOC_VOID = 0x20000000;
/** copy out: the kernel writes the argument back (_IOR) */
export const IOC_OUT = 0x40000000;
/** copy in: the kernel reads the argument (_IOW) */
export const IOC_IN = 0x80000000;
export const IOC_INOUT = 0xc0000000;
export const IOCPARM_MASK = 0x1fff;

/** _IOC(dir, group, num, len), as an unsigned 32-bit number. */
export function ioc(dir: number, group: string, num: number, len: number): number {
  if (group.length !== 1) throw new RangeError(`an ioctl group is one character, not ${JSON.stringify(group)}`);
  if (len < 0 || len > IOCPARM_MASK) throw new RangeError(`an ioctl argument of ${len} bytes does not fit the 13-bit size field`);
  return (dir | ((len & IOCPARM_MASK) << 16) | (group.charCodeAt(0) << 8) | (num & 0xff)) >>> 0;
}

export const iow = (group: string, num: number, len: number): number => ioc(IOC_IN, group, num, len);
export const ior = (group: string, num: number, len: number): number => ioc(IOC_OUT, group, num, len);
export const iowr = (group: string, num: number, len: number): number => ioc(IOC_INOUT, group, num, len);

/** The C data model a struct is laid out for: pointer (and size_t, long) width and byte order. */
export interface BsdAbi {
  name: string;
  pointerSize: 4 | 8;
  littleEndian: boolean;
}

export const AMD64: BsdAbi = { name: 'amd64', pointerSize: 8, littleEndian: true };
export const I386: BsdAbi = { name: 'i386', pointerSize: 4, littleEndian: true };

/** The ABI of this process: 64-bit pointers on x64 and arm64 (and other 64-bit machines), 32-bit on ia32 and arm. */
export function hostAbi(arch: string = process.arch, littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1): BsdAbi {
  const wide = /64/.test(arch) || arch === 's390x';
  return { name: arch, pointerSize: wide ? 8 : 4, littleEndian };
}

/** Rounds offset up to a multiple of align. */
export const align = (offset: number, to: number): number => Math.ceil(offset / to) * to;
