// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Moving a buffer's charge: to a process, or to a cgroup v2 directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "internal.h"

static int dmaheap_xfer(int buf, int target_fd, unsigned int flags)
{
	struct dma_buf_xfer_charge xfer;
	int ret;

	if (buf < 0 || target_fd < 0)
		return -EBADF;
	/*
	 * A kernel that does not honour charge_pid_fd cannot transfer. One
	 * the probe cannot ask (no heap the caller may open: an app that
	 * takes over a buffer's charge needs none) is asked directly: one
	 * without the series does not know the ioctl.
	 */
	ret = dmaheap_probe();
	if (!ret)
		return -EOPNOTSUPP;

	memset(&xfer, 0, sizeof(xfer));
	xfer.target_fd = (__u32)target_fd;
	xfer.flags = flags;
	if (ioctl(buf, DMA_BUF_IOCTL_XFER_CHARGE, &xfer) == 0)
		return 0;
	/* No such ioctl: no series, or not a dma-buf. Cannot transfer. */
	return errno == ENOTTY ? -EOPNOTSUPP : -errno;
}

int dmaheap_xfer_to_pidfd(int buf, int pidfd)
{
	return dmaheap_xfer(buf, pidfd, 0);
}

int dmaheap_xfer_to_cgroup_fd(int buf, int cgroup_fd)
{
	return dmaheap_xfer(buf, cgroup_fd, DMA_BUF_XFER_CHARGE_CGROUP);
}

int dmaheap_xfer_to_pid(int buf, pid_t pid)
{
	int ret, pidfd;

	if (buf < 0)
		return -EBADF;
	pidfd = dmaheap__pidfd_open(pid);
	if (pidfd < 0)
		return pidfd;
	ret = dmaheap_xfer(buf, pidfd, 0);
	dmaheap__close(pidfd);
	return ret;
}

int dmaheap_xfer_to_cgroup(int buf, const char *path)
{
	int ret, fd;

	if (!path || !path[0])
		return -EINVAL;
	if (buf < 0)
		return -EBADF;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = dmaheap_xfer(buf, fd, DMA_BUF_XFER_CHARGE_CGROUP);
	dmaheap__close(fd);
	return ret;
}
