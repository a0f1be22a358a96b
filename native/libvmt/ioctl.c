/*
 * One ioctl on a device file, for the BSD device-control files that vmt
 * detach/attach talk to: /dev/drvctl on NetBSD, /dev/devctl2 on FreeBSD.
 * The argument structs are laid out in TypeScript (src/devices/bsd); this
 * only opens the file, issues the request and closes it. Some of those
 * structs point at a second buffer (DRVLISTDEV's names, DRVRESCANBUS's
 * locators): vmt_ioctl_path_buf writes that buffer's address into the struct
 * first, as a native pointer, since JavaScript cannot know it.
 *
 * Every entry returns 0 or -errno, and -EINVAL before any system call when
 * arg is shorter than the size the request number encodes (the kernel copies
 * that many bytes in and out) or the pointer would not fit inside arg.
 */
#include "vmt.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The argument size encoded in a request: 13 bits at 16 on the BSDs, 14 on Linux. */
static size_t request_len(uint32_t request)
{
#if defined(IOCPARM_LEN)
	return IOCPARM_LEN(request);
#elif defined(_IOC_SIZE)
	return _IOC_SIZE(request);
#else
	return (request >> 16) & 0x1fff;
#endif
}

static int ioctl_once(const char *path, int32_t write, uint32_t request, uint8_t *arg)
{
	int fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = ioctl(fd, (unsigned long)request, arg);
	int err = errno;
	close(fd);
	return r < 0 ? -err : 0;
}

int vmt_ioctl_path(const char *path, int32_t write, uint32_t request, uint8_t *arg, int32_t arg_len)
{
	if (arg_len < 0 || (size_t)arg_len < request_len(request))
		return -EINVAL;
	return ioctl_once(path, write, request, arg);
}

int vmt_ioctl_path_buf(const char *path, int32_t write, uint32_t request, uint8_t *arg, int32_t arg_len,
		       int32_t ptr_offset, uint8_t *buf)
{
	if (arg_len < 0 || (size_t)arg_len < request_len(request))
		return -EINVAL;
	if (ptr_offset < 0 || (size_t)ptr_offset + sizeof buf > (size_t)arg_len)
		return -EINVAL;
	memcpy(arg + ptr_offset, &buf, sizeof buf);
	return ioctl_once(path, write, request, arg);
}
