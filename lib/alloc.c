// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Allocation: for the caller, for a pidfd, for a pid. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/dma-heap.h>

#include "internal.h"

int dmaheap__check_alloc_args(size_t len, unsigned int fd_flags)
{
	if (!len || (fd_flags & ~(unsigned int)(O_CLOEXEC | O_ACCMODE)))
		return -EINVAL;
	/* O_ACCMODE itself is no access mode: O_RDONLY, O_WRONLY, O_RDWR */
	if ((fd_flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	return 0;
}

int dmaheap__check_heap_alloc(const char *heap, size_t len,
			      unsigned int fd_flags)
{
	int ret = dmaheap__check_alloc_args(len, fd_flags);

	return ret ? ret : dmaheap__check_heap_name(heap);
}

unsigned int dmaheap__fd_flags(unsigned int fd_flags)
{
	return fd_flags ? fd_flags : O_RDWR | O_CLOEXEC;
}

int dmaheap_alloc_fd(int heap_fd, size_t len, unsigned int fd_flags,
		     int pidfd)
{
	struct dma_heap_allocation_data data;
	int ret, charge_fd = 0;

	ret = dmaheap__check_alloc_args(len, fd_flags);
	if (ret)
		return ret;
	if (heap_fd < 0 || pidfd < -1)
		return -EBADF;
	if (pidfd != -1) {
		/* An old kernel would ignore the pidfd and charge us. */
		ret = dmaheap__need_charge_support(heap_fd);
		if (ret)
			return ret;
		charge_fd = dmaheap__get_charge_fd(pidfd);
		if (charge_fd < 0)
			return charge_fd;
	}

	memset(&data, 0, sizeof(data));
	data.len = len;
	data.fd_flags = dmaheap__fd_flags(fd_flags);
	data.charge_pid_fd = (__u32)charge_fd;
	ret = ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data);
	ret = ret < 0 ? -errno : (int)data.fd;
	if (pidfd != -1)
		dmaheap__put_charge_fd(pidfd, charge_fd);
	return ret;
}

/* Allocate from the heap named @heap, for @pidfd or, if -1, the caller */
static int dmaheap_alloc_named(const char *heap, size_t len,
			       unsigned int fd_flags, int pidfd)
{
	int ret, heap_fd;

	/* What needs no system call first: a bad call does nothing. */
	ret = dmaheap__check_heap_alloc(heap, len, fd_flags);
	if (ret)
		return ret;

	heap_fd = dmaheap_open(heap);
	if (heap_fd < 0)
		return heap_fd;
	ret = dmaheap_alloc_fd(heap_fd, len, fd_flags, pidfd);
	dmaheap__close(heap_fd);
	return ret;
}

int dmaheap_alloc(const char *heap, size_t len, unsigned int fd_flags)
{
	return dmaheap_alloc_named(heap, len, fd_flags, -1);
}

int dmaheap_alloc_for_pidfd(const char *heap, size_t len,
			    unsigned int fd_flags, int pidfd)
{
	int ret;

	ret = dmaheap__check_heap_alloc(heap, len, fd_flags);
	if (ret)
		return ret;
	/*
	 * -1 is no pidfd: a service whose SO_PEERPIDFD or pidfd_open()
	 * failed must not charge itself for its client without noticing.
	 */
	if (pidfd < 0)
		return -EBADF;
	return dmaheap_alloc_named(heap, len, fd_flags, pidfd);
}

int dmaheap_alloc_for_pid(const char *heap, size_t len,
			  unsigned int fd_flags, pid_t pid)
{
	int ret, pidfd;

	ret = dmaheap__check_heap_alloc(heap, len, fd_flags);
	if (ret)
		return ret;
	if (pid <= 0)
		return -EINVAL;

	pidfd = dmaheap__pidfd_open(pid);
	if (pidfd < 0)
		return pidfd;
	ret = dmaheap_alloc_for_pidfd(heap, len, fd_flags, pidfd);
	dmaheap__close(pidfd);
	return ret;
}
