// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Does the running kernel honour charge_pid_fd? Asked once per process. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/dma-heap.h>

#include "internal.h"

/*
 * The answer, 0 or 1, or -1 while unknown. No lock: threads that race to
 * ask all compute the same answer, and each store is whole.
 */
static atomic_int dmaheap_probed = -1;

/*
 * The heap to ask: "system", which every kernel with heaps has, else the
 * first of the others that opens (the caller may not open every heap).
 */
static int dmaheap_probe_heap(void)
{
	char **names;
	int fd, first, n, i;

	first = dmaheap_open("system");
	if (first >= 0)
		return first;
	n = dmaheap_list(&names);
	if (n < 0)
		return first;
	fd = first;
	for (i = 0; i < n && fd < 0; i++)
		fd = dmaheap_open(names[i]);
	dmaheap_list_free(names);
	return fd < 0 ? first : fd;
}

/* /dev/null, as an fd >= 1: an open fd that is no pidfd, and not "0". */
static int dmaheap_open_not_pidfd(void)
{
	int fd, dup;

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd != 0)
		return fd < 0 ? -errno : fd;
	dup = fcntl(fd, F_DUPFD_CLOEXEC, 1);
	if (dup < 0)
		dup = -errno;
	dmaheap__close(fd);
	return dup;
}

static int dmaheap_ask(int heap_fd)
{
	struct dma_heap_allocation_data data;
	long page = sysconf(_SC_PAGESIZE);
	int ret, null_fd;

	null_fd = dmaheap_open_not_pidfd();
	if (null_fd < 0)
		return null_fd;
	memset(&data, 0, sizeof(data));
	data.len = page > 0 ? (size_t)page : 4096;
	data.fd_flags = O_RDWR | O_CLOEXEC;
	data.charge_pid_fd = (__u32)null_fd;
	ret = ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data);
	if (ret == 0) {
		/* The field was ignored: a page for us, freed at once. */
		dmaheap__close((int)data.fd);
	} else if (errno == EBADF) {
		/* The series looked at the field before allocating. */
		ret = 1;
	} else if (errno == EOPNOTSUPP) {
		/* It knows the field, cannot charge elsewhere (cgroup v1). */
		ret = 0;
	} else {
		ret = -errno;
	}
	dmaheap__close(null_fd);
	return ret;
}

int dmaheap__probe(int heap_fd)
{
	int ret = atomic_load(&dmaheap_probed);
	int own_fd = -1;
	struct stat st;

	if (ret >= 0)
		return ret;
	/*
	 * The caller's heap, if it is one: on a closed fd the ioctl would
	 * fail with the -EBADF that means "the series is there".
	 */
	if (heap_fd >= 0) {
		if (fstat(heap_fd, &st))
			return -errno;
		if (!S_ISCHR(st.st_mode))
			heap_fd = -1;
	}
	if (heap_fd < 0) {
		own_fd = dmaheap_probe_heap();
		if (own_fd < 0)
			return own_fd;
		heap_fd = own_fd;
	}
	ret = dmaheap_ask(heap_fd);
	if (own_fd >= 0)
		dmaheap__close(own_fd);
	/* An error may pass (out of memory): ask again next time. */
	if (ret >= 0)
		atomic_store(&dmaheap_probed, ret);
	return ret;
}

int dmaheap_probe(void)
{
	return dmaheap__probe(-1);
}

int dmaheap__need_charge_support(int heap_fd)
{
	int ret = dmaheap__probe(heap_fd);

	if (ret < 0)
		return ret;
	return ret ? 0 : -EOPNOTSUPP;
}
