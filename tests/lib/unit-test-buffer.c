// SPDX-License-Identifier: GPL-2.0
/*
 * Buffer calls when the kernel or procfs answer unusually: a sync that the
 * kernel keeps refusing with EAGAIN (faked with seccomp) must end, and
 * dmaheap_info() without /proc (a mount namespace of its own) must not
 * blame the fd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "dmaheap.h"
#include "unit-test.h"

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* EAGAIN for ever: retried a while, not at full speed, then -EAGAIN */
static int sync_eagain_child(void *arg)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC), ret;
	struct timespec start;
	long ms;

	(void)arg;
	if (fake_ioctl(DMA_BUF_IOCTL_SYNC, EAGAIN))
		return CHILD_SKIP;
	clock_gettime(CLOCK_MONOTONIC, &start);
	ret = dmaheap_sync_start(null, DMAHEAP_SYNC_RW);
	ms = elapsed_ms(&start);
	if (ret != -EAGAIN || ms < 50 || ms > 5000) {
		diag("sync_start: %d after %ld ms", ret, ms);
		return 1;
	}
	return 0;
}

/* Another errno is not retried. */
static int sync_eio_child(void *arg)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)arg;
	if (fake_ioctl(DMA_BUF_IOCTL_SYNC, EIO))
		return CHILD_SKIP;
	return dmaheap_sync_end(null, DMAHEAP_SYNC_READ) != -EIO;
}

/*
 * No procfs at all: dmaheap_info() of an open fd is -ENOENT (procfs is
 * missing, not the fd), of an fd not open still -EBADF.
 */
static int no_proc_child(void *arg)
{
	struct dmaheap_info info;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC), open_fd, closed;

	(void)arg;
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("none", "/proc", "tmpfs", 0, NULL))
		return CHILD_SKIP;
	open_fd = dmaheap_info(null, &info);
	closed = dmaheap_info(1000, &info);
	if (open_fd != -ENOENT || closed != -EBADF) {
		diag("without /proc: info of an open fd %d, of fd 1000 %d",
		     open_fd, closed);
		return 1;
	}
	return 0;
}

static void run(int (*fn)(void *arg), const char *what, const char *why)
{
	int ret = run_child(fn, NULL);

	if (ret == CHILD_SKIP)
		skip(what, why);
	else
		check(ret == 0, "%s", what);
}

void test_buffer(void)
{
	run(sync_eagain_child,
	    "sync: EAGAIN for ever is retried a while, then -EAGAIN",
	    "no seccomp here");
	run(sync_eio_child, "sync: EIO is not retried", "no seccomp here");
	run(no_proc_child,
	    "info: without /proc, -ENOENT for an open fd, -EBADF for a closed one",
	    "no mount namespace here");
}
