// SPDX-License-Identifier: GPL-2.0
/*
 * dmaheap xfer: move a buffer's charge to a process's cgroup or to a
 * cgroup directory. The buffer is one of our fds, or another process's,
 * taken with pidfd_getfd(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dmaheap.h"
#include "errors.h"
#include "size.h"
#include "verbs.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/*
 * An fd of ours for @ref: its own number, or a duplicate of the other
 * process's fd (*@ours set: close it). A negative errno, reported, if not.
 */
static int get_buffer(const struct buf_ref *ref, int *ours)
{
	long pidfd, fd;
	int err;

	*ours = 0;
	if (!ref->pid)
		return ref->fd;
	pidfd = syscall(SYS_pidfd_open, ref->pid, 0);
	if (pidfd < 0) {
		err = errno;
		error_report(HINT_GETFD, err, "%s: cannot open pid %d",
			     ref->text, (int)ref->pid);
		return -err;
	}
	fd = syscall(SYS_pidfd_getfd, (int)pidfd, ref->fd, 0);
	err = errno;
	close((int)pidfd);
	if (fd < 0) {
		error_report(HINT_GETFD, err, "%s: cannot take fd %d of pid %d",
			     ref->text, ref->fd, (int)ref->pid);
		return -err;
	}
	*ours = 1;
	return (int)fd;
}

static const char *payer(const struct dmaheap_info *info)
{
	if (!info->charged)
		return "none";
	return info->cgroup[0] ? info->cgroup : "unknown";
}

int cmd_xfer(const struct args *a)
{
	const struct buf_ref *ref = &a->bufs[0];
	struct dmaheap_info before, after;
	char size[SIZE_FORMAT_MAX];
	int buf, ours, ret;
	const char *now;

	buf = get_buffer(ref, &ours);
	if (buf < 0)
		return EXIT_FAILED;
	/* A dma-buf first: then an EBADF of the transfer is the target's. */
	ret = dmaheap_info(buf, &before);
	if (ret) {
		error_report(HINT_INFO, ret, "%s", ref->text);
		goto out;
	}
	if (a->to_pid) {
		ret = dmaheap_xfer_to_pid(buf, a->to_pid);
		if (ret)
			error_report(HINT_PID | HINT_XFER, ret,
				     "%s: cannot move its charge to pid %d",
				     ref->text, (int)a->to_pid);
	} else {
		ret = dmaheap_xfer_to_cgroup(buf, a->to_cgroup);
		if (ret)
			error_report(HINT_CGROUP | HINT_XFER, ret,
				     "%s: cannot move its charge to cgroup %s",
				     ref->text, a->to_cgroup);
	}
	if (ret)
		goto out;
	now = dmaheap_info(buf, &after) ? "?" : payer(&after);
	printf("%s ino %llu %s: charged to %s (was %s)\n", ref->text,
	       (unsigned long long)before.ino, size_format(before.size, size),
	       now, payer(&before));
out:
	if (ours)
		close(buf);
	return ret ? EXIT_FAILED : EXIT_DONE;
}
