// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Opening pidfds, and the fd 0 that charge_pid_fd cannot carry. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* The C library may predate pidfd_open() (Linux 5.3): call it directly. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int dmaheap__pidfd_open(pid_t pid)
{
	long fd;

	if (pid <= 0)
		return -EINVAL;
	/* A pidfd is always close-on-exec. */
	fd = syscall(SYS_pidfd_open, pid, 0);
	return fd < 0 ? -errno : (int)fd;
}

int dmaheap__get_charge_fd(int pidfd)
{
	int fd;

	if (pidfd != 0)
		return pidfd;
	/* charge_pid_fd 0 is "the caller": give the kernel another fd. */
	fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 1);
	return fd < 0 ? -errno : fd;
}

void dmaheap__put_charge_fd(int pidfd, int charge_fd)
{
	if (charge_fd != pidfd)
		dmaheap__close(charge_fd);
}

void dmaheap__close(int fd)
{
	int saved = errno;

	close(fd);
	/* The caller sees the errno of its call, not of this cleanup. */
	errno = saved;
}
