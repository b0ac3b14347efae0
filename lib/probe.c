// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Does the running kernel honour charge_pid_fd? Asked once per process. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/dma-heap.h>

#include "internal.h"

/*
 * The answer, 0 or 1, or -1 while unknown. No lock: threads that race to
 * ask all compute the same answer, and each store is whole.
 */
static atomic_int dmaheap_probed = -1;

/* Keep the worse of two open() errors: a heap we may not open beats none. */
static int dmaheap_open_error(int err, int ret)
{
	return err == -ENOENT || ret == -EACCES ? ret : err;
}

/*
 * The heap to ask: "system", which every kernel with heaps has, else the
 * first of the others that opens (the caller may not open every heap).
 * -ENOENT if there is no heap, -EACCES if there are heaps but the caller
 * may open none.
 */
int dmaheap__find_heap(const char *dir)
{
	char **names;
	int fd, err, n, i;

	fd = dmaheap__open_in(dir, "system");
	if (fd >= 0)
		return fd;
	err = fd;
	n = dmaheap__list_dir(dir, &names);
	if (n < 0)
		return dmaheap_open_error(err, n);
	for (i = 0; i < n && fd < 0; i++) {
		if (!strcmp(names[i], "system"))
			continue;
		fd = dmaheap__open_in(dir, names[i]);
		if (fd < 0)
			err = dmaheap_open_error(err, fd);
	}
	dmaheap_list_free(names);
	return fd >= 0 ? fd : err;
}

/*
 * Whether @fd is a dma-buf heap: opened for I/O (an O_PATH fd fails every
 * ioctl with the EBADF that means "the series is there"), a character
 * device, and of the class dma_heap in sysfs. An fd that cannot be shown
 * to be one is not asked: its answer would be cached for the process.
 */
static bool dmaheap_is_heap(int fd)
{
	static const char class[] = "/dma_heap";
	char path[64], link[256];
	struct stat st;
	ssize_t n;
	int flags;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || (flags & O_PATH))
		return false;
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return false;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/subsystem",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n < (ssize_t)sizeof(class) - 1)
		return false;
	link[n] = '\0';
	return !strcmp(link + n - (sizeof(class) - 1), class);
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

int dmaheap__probe_ask(int heap_fd)
{
	struct dma_heap_allocation_data data;
	long page = sysconf(_SC_PAGESIZE);
	int ret, null_fd;
	bool fd0_open;

	null_fd = dmaheap_open_not_pidfd();
	if (null_fd < 0)
		return null_fd;
	memset(&data, 0, sizeof(data));
	data.len = page > 0 ? (size_t)page : 4096;
	data.fd_flags = O_RDWR | O_CLOEXEC;
	data.charge_pid_fd = (__u32)null_fd;
	/*
	 * data.fd must go in as 0 (the kernel refuses anything else), so an
	 * ioctl that succeeds without writing it back (a seccomp filter, a
	 * stray driver) looks like a buffer at fd 0: a buffer can only be
	 * there if fd 0 was free before the call.
	 */
	fd0_open = fcntl(0, F_GETFD) >= 0;
	ret = ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data);
	if (ret == 0) {
		/* The field was ignored: a page for us, freed at once. */
		if (data.fd || !fd0_open)
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
	int fd = -1;

	if (ret >= 0)
		return ret;
	/*
	 * The caller's heap, if it can be shown to be one; asked through a
	 * duplicate, which no other thread can close or replace meanwhile.
	 * An fd that is not open fails the caller's call anyway.
	 */
	if (heap_fd >= 0) {
		fd = fcntl(heap_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!dmaheap_is_heap(fd)) {
			dmaheap__close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		fd = dmaheap__find_heap(DMAHEAP_DEV_DIR);
		if (fd < 0)
			return fd;
	}
	ret = dmaheap__probe_ask(fd);
	dmaheap__close(fd);
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
