// The errno numbers the BSD device-control paths word themselves. libvmt
// returns -errno as the running kernel numbers it: the classic ones below 35
// are the same everywhere, the "not supported" pair is not (NetBSD keeps
// EOPNOTSUPP 45 and ENOTSUP 86 apart; FreeBSD makes both 45; Linux both 95).

const COMMON = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, EBADF: 9, ENOMEM: 12, EACCES: 13, EFAULT: 14,
  EBUSY: 16, ENODEV: 19, EINVAL: 22, ENOTTY: 25,
} as const;

export type ErrnoName = keyof typeof COMMON | 'EOPNOTSUPP' | 'ENOTSUP' | 'ENAMETOOLONG';
export type Errno = Readonly<Record<ErrnoName, number>>;

export const NETBSD_ERRNO: Errno = { ...COMMON, EOPNOTSUPP: 45, ENAMETOOLONG: 63, ENOTSUP: 86 };
export const FREEBSD_ERRNO: Errno = { ...COMMON, EOPNOTSUPP: 45, ENAMETOOLONG: 63, ENOTSUP: 45 };
export const LINUX_ERRNO: Errno = { ...COMMON, ENAMETOOLONG: 36, EOPNOTSUPP: 95, ENOTSUP: 95 };

/** The numbering of the kernel vmt runs on (Linux's for anything that is not a BSD). */
export function errnoOf(platform: string = process.platform): Errno {
  if (platform === 'netbsd') return NETBSD_ERRNO;
  if (platform === 'freebsd') return FREEBSD_ERRNO;
  return LINUX_ERRNO;
}

/** The name of an errno number in a numbering ("errno N" when vmt does not word it). */
export function errnoName(errno: number, table: Errno): string {
  // ENOTSUP and EOPNOTSUPP share a number outside NetBSD: the name errno(2) gives it there is EOPNOTSUPP
  return (Object.entries(table) as [ErrnoName, number][]).find(([, v]) => v === errno)?.[0] ?? `errno ${errno}`;
}
