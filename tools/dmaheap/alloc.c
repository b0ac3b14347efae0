// SPDX-License-Identifier: GPL-2.0
/*
 * dmaheap alloc: allocate buffers, charged to the caller, a process or a
 * cgroup, directly or through dmabuf-allocd, and hold them for a while.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dmaheap.h"
#include "errors.h"
#include "size.h"
#include "verbs.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/*
 * The service's connection (-1: none), and the pidfd of --for-pid (-1:
 * none), opened once for every buffer: a pid opened again for each could
 * name another process by the last one, if the target exited and its pid
 * was reused. pidfd_err: why it could not be opened (0: it could).
 */
struct service {
	int sock;
	int pidfd;
	int pidfd_err;
};

/* --for-pid's pidfd, if asked for: 0, or what pidfd_open() said */
static int pidfd_get(const struct args *a, struct service *s)
{
	long fd;

	s->pidfd = -1;
	s->pidfd_err = 0;
	if (!a->for_pid)
		return 0;
	fd = syscall(SYS_pidfd_open, a->for_pid, 0);
	if (fd < 0) {
		s->pidfd_err = -errno;
		return s->pidfd_err;
	}
	s->pidfd = (int)fd;
	return 0;
}

static int service_open(const struct args *a, struct service *s)
{
	const char *path = a->socket ? a->socket : DMAHEAP_ALLOCD_SOCKET;

	s->sock = -1;
	if (s->pidfd_err) {
		error_report(HINT_PIDFD, s->pidfd_err, "cannot charge pid %d",
			     (int)a->for_pid);
		return s->pidfd_err;
	}
	s->sock = dmaheap_allocd_connect(path);
	if (s->sock < 0) {
		error_report(HINT_SOCKET, s->sock, "dmabuf-allocd at %s", path);
		return s->sock;
	}
	return 0;
}

static void service_close(struct service *s)
{
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->sock >= 0)
		close(s->sock);
}

static int alloc_service(const struct args *a, size_t len,
			 const struct service *s, const char *size)
{
	int fd;

	fd = dmaheap_allocd_alloc(s->sock, a->heap, len, 0, a->name, s->pidfd);
	if (fd >= 0)
		return fd;
	if (a->for_pid)
		error_report(HINT_FORWARD | HINT_SERVICE | HINT_HEAP | HINT_PID, fd,
			     "%s from %s: dmabuf-allocd cannot charge pid %d",
			     size, a->heap, (int)a->for_pid);
	else
		error_report(HINT_SERVICE | HINT_HEAP, fd,
			     "%s from %s: dmabuf-allocd cannot allocate",
			     size, a->heap);
	return fd;
}

/* One buffer, named and charged as asked, or nothing at all */
static int alloc_one(const struct args *a, size_t len,
		     const struct service *s)
{
	char size[SIZE_FORMAT_MAX];
	int fd, ret;

	size_format(len, size);
	if (a->service)
		return alloc_service(a, len, s, size);
	if (a->for_pid) {
		fd = s->pidfd_err ? s->pidfd_err :
			dmaheap_alloc_for_pidfd(a->heap, len, 0, s->pidfd);
		if (fd < 0)
			error_report(HINT_PID | HINT_HEAP, fd,
				     "%s from %s: cannot charge pid %d",
				     size, a->heap, (int)a->for_pid);
	} else {
		fd = dmaheap_alloc(a->heap, len, 0);
		if (fd < 0)
			error_report(HINT_HEAP, fd, "%s from %s: cannot allocate",
				     size, a->heap);
	}
	if (fd < 0)
		return fd;
	if (a->name) {
		ret = dmaheap_set_name(fd, a->name);
		if (ret) {
			close(fd);
			error_report(0, ret, "%s from %s: cannot name it %s, buffer freed",
				     size, a->heap, a->name);
			return ret;
		}
	}
	if (a->for_cgroup) {
		ret = dmaheap_xfer_to_cgroup(fd, a->for_cgroup);
		if (ret) {
			/* Closing the only fd frees it, and the charge with it. */
			close(fd);
			error_report(HINT_CGROUP, ret,
				     "%s from %s: cannot charge cgroup %s, buffer freed",
				     size, a->heap, a->for_cgroup);
			return ret;
		}
	}
	return fd;
}

/* "16M pid 42 fd 3 ino 17 cgroup /a": who holds it, who pays */
static void print_buffer(size_t len, int fd)
{
	char size[SIZE_FORMAT_MAX];
	struct dmaheap_info info;
	const char *cgroup;
	struct stat st;

	if (dmaheap_info(fd, &info)) {
		/* A kernel whose fdinfo does not say who pays */
		info.size = len;
		info.ino = fstat(fd, &st) ? 0 : (uint64_t)st.st_ino;
		cgroup = "unknown";
	} else if (!info.charged) {
		cgroup = "none";
	} else {
		cgroup = info.cgroup[0] ? info.cgroup : "unknown";
	}
	printf("%s pid %d fd %d ino %llu cgroup %s\n",
	       size_format(info.size, size), (int)getpid(), fd,
	       (unsigned long long)info.ino, cgroup);
}

int cmd_alloc(const struct args *a)
{
	struct service service = { .sock = -1, .pidfd = -1 };
	int fds[ARGS_MAX_SIZES], nfds = 0, failed, status, i;
	int can_alloc;

	pidfd_get(a, &service);
	/* No service: every allocation failed, and CMD still runs. */
	can_alloc = !a->service || !service_open(a, &service);
	failed = !can_alloc;
	for (i = 0; can_alloc && i < a->nsizes; i++) {
		int fd = alloc_one(a, a->sizes[i], &service);

		if (fd < 0) {
			failed = 1;
			continue;
		}
		print_buffer(a->sizes[i], fd);
		fds[nfds++] = fd;
	}
	service_close(&service);

	/* What did allocate is held either way: the demo shows both. */
	status = failed ? EXIT_FAILED : EXIT_DONE;
	if (a->cmd) {
		int ret = hold_run(a->cmd);

		if (!failed)
			status = ret;
	} else if (a->hold > 0) {
		hold_sleep(a->hold);
	}
	fflush(stdout);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return status;
}
