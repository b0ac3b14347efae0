// SPDX-License-Identifier: GPL-2.0
/* Allocation from a dma-buf heap, optionally charged to another process. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "heap.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* charge_pid_fd 0 means "the caller": a pidfd must not be fd 0. */
static int open_pidfd(pid_t pid, int thread)
{
	int fd, fd2;

	fd = syscall(SYS_pidfd_open, pid, thread ? PIDFD_THREAD : 0);
	if (fd < 0)
		return -errno;
	if (fd > 0)
		return fd;
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 1);
	close(fd);
	return fd2 < 0 ? -errno : fd2;
}

int heap_alloc(const char *heap, size_t len, pid_t charge_pid, int thread)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	char path[PATH_MAX];
	int heap_fd, pidfd = 0, ret;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	heap_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (heap_fd < 0)
		return -errno;
	if (charge_pid) {
		pidfd = open_pidfd(charge_pid, thread);
		if (pidfd < 0) {
			close(heap_fd);
			return pidfd;
		}
		data.charge_pid_fd = pidfd;
	}
	do {
		ret = ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data);
	} while (ret < 0 && errno == EINTR);
	ret = ret < 0 ? -errno : (int)data.fd;
	if (pidfd > 0)
		close(pidfd);
	close(heap_fd);
	return ret;
}

int heap_charge_cgroup(int buf, const char *cgroup)
{
	struct dma_buf_xfer_charge arg = { .flags = DMA_BUF_XFER_CHARGE_CGROUP };
	int dir, ret;

	dir = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	arg.target_fd = dir;
	ret = ioctl(buf, DMA_BUF_IOCTL_XFER_CHARGE, &arg) ? -errno : 0;
	close(dir);
	return ret;
}
