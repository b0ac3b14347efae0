// SPDX-License-Identifier: GPL-2.0
/*
 * dmaheap-unit-test: what libdmaheap does without a kernel that has the
 * series: argument checks that fail before any system call, the heap
 * lister on a directory of its own, the fdinfo parser on samples
 * (unit-test-fdinfo.c), the client side of dmabuf-allocd's wire format
 * against a fake service (unit-test-wire.c). TAP on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmaheap.h"
#include "internal.h"
#include "unit-test.h"

static void touch(const char *dir, const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static void test_list(void)
{
	char dir[] = "/tmp/dmaheap-unit-XXXXXX", path[256];
	char **names = NULL;
	int n, fds = fd_count();

	if (!mkdtemp(dir)) {
		check(false, "list: a temporary directory: %s", strerror(errno));
		return;
	}
	n = dmaheap__list_dir(dir, &names);
	check(n == 0 && names && !names[0], "list: an empty directory: 0");
	dmaheap_list_free(names);

	touch(dir, "system");
	touch(dir, "cma");
	touch(dir, "a-heap");
	touch(dir, "reserved");
	n = dmaheap__list_dir(dir, &names);
	check(n == 4 && !strcmp(names[0], "a-heap") &&
	      !strcmp(names[1], "cma") && !strcmp(names[2], "reserved") &&
	      !strcmp(names[3], "system") && !names[4],
	      "list: four heaps, sorted, NULL-terminated, no \".\" or \"..\"");
	dmaheap_list_free(names);

	snprintf(path, sizeof(path), "%s/no-such-dir", dir);
	names = NULL;
	n = dmaheap__list_dir(path, &names);
	check(n == 0 && names && !names[0],
	      "list: no directory at all: 0, an empty array");
	dmaheap_list_free(names);

	snprintf(path, sizeof(path), "%s/system", dir);
	names = NULL;
	n = dmaheap__list_dir(path, &names);
	check(n == -ENOTDIR && !names, "list: a file, not a directory: %d",
	      n);
	check(dmaheap__list_dir(dir, NULL) == -EINVAL,
	      "list: no place for the answer is -EINVAL");
	dmaheap_list_free(NULL);
	check(fd_count() == fds, "list: no fd left behind");

	unlink(path);
	snprintf(path, sizeof(path), "%s/cma", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/a-heap", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/reserved", dir);
	unlink(path);
	rmdir(dir);
}

/*
 * Calls that must fail on their arguments alone. Where the heap is named,
 * the error is not -ENOENT, which the host (no /dev/dma_heap) would give:
 * the check came before any open().
 */
static void test_args(void)
{
	char long_name[DMAHEAP_NAME_MAX + 2], huge[300];
	struct dmaheap_info info;
	int fds = fd_count();

	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	memset(huge, 'h', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';

	check(!strcmp(dmaheap_version(), "1.0"), "version: \"%s\"",
	      dmaheap_version());
	check(dmaheap_open(NULL) == -EINVAL && dmaheap_open("") == -EINVAL &&
	      dmaheap_open(".") == -EINVAL && dmaheap_open("..") == -EINVAL &&
	      dmaheap_open("a/b") == -EINVAL && dmaheap_open("/") == -EINVAL,
	      "open: NULL, \"\", \".\", \"..\", names with '/' are -EINVAL");
	check(dmaheap_open(huge) == -ENAMETOOLONG,
	      "open: a name longer than NAME_MAX is -ENAMETOOLONG");
	check(dmaheap_alloc("system", 0, 0) == -EINVAL,
	      "alloc: 0 bytes is -EINVAL");
	check(dmaheap_alloc("system", 4096, O_NONBLOCK) == -EINVAL &&
	      dmaheap_alloc("system", 4096, O_RDWR | O_TRUNC) == -EINVAL,
	      "alloc: fd_flags beyond O_CLOEXEC | O_ACCMODE are -EINVAL");
	check(dmaheap_alloc("system", 4096, O_ACCMODE) == -EINVAL &&
	      dmaheap_alloc_fd(3, 4096, O_ACCMODE | O_CLOEXEC, -1) == -EINVAL,
	      "alloc: access mode O_ACCMODE (3) is -EINVAL");
	check(dmaheap_alloc("../system", 4096, 0) == -EINVAL &&
	      dmaheap_alloc(NULL, 4096, 0) == -EINVAL,
	      "alloc: a bad heap name is -EINVAL");
	check(dmaheap_alloc_for_pidfd("system", 4096, 0, -2) == -EBADF,
	      "alloc_for_pidfd: pidfd -2 is -EBADF");
	check(dmaheap_alloc_for_pidfd("system", 4096, 0, -1) == -EBADF,
	      "alloc_for_pidfd: pidfd -1 is -EBADF, not the caller");
	check(dmaheap_alloc_for_pidfd("..", 4096, 0, 3) == -EINVAL &&
	      dmaheap_alloc_for_pidfd("system", 0, 0, 3) == -EINVAL,
	      "alloc_for_pidfd: a bad heap or 0 bytes is -EINVAL");
	check(dmaheap_alloc_for_pid("system", 4096, 0, 0) == -EINVAL &&
	      dmaheap_alloc_for_pid("system", 4096, 0, -1) == -EINVAL,
	      "alloc_for_pid: pid 0 or -1 is -EINVAL");
	check(dmaheap_alloc_for_pid("system", 4096, O_APPEND, 1) == -EINVAL,
	      "alloc_for_pid: bad fd_flags are -EINVAL");
	check(dmaheap_alloc_fd(-1, 4096, 0, -1) == -EBADF &&
	      dmaheap_alloc_fd(3, 0, 0, -1) == -EINVAL &&
	      dmaheap_alloc_fd(3, 4096, 0, -5) == -EBADF,
	      "alloc_fd: a bad heap fd, 0 bytes, a bad pidfd");
	check(dmaheap_sync_start(3, 0) == -EINVAL &&
	      dmaheap_sync_start(3, 4) == -EINVAL &&
	      dmaheap_sync_end(3, DMAHEAP_SYNC_RW | 0x100) == -EINVAL,
	      "sync: flags 0, or other bits, are -EINVAL");
	check(dmaheap_sync_start(-1, DMAHEAP_SYNC_READ) == -EBADF,
	      "sync: fd -1 is -EBADF");
	check(dmaheap_set_name(3, long_name) == -ENAMETOOLONG &&
	      dmaheap_set_name(3, NULL) == -EINVAL,
	      "set_name: %d bytes are -ENAMETOOLONG, NULL -EINVAL",
	      DMAHEAP_NAME_MAX + 1);
	check(dmaheap_set_name(-1, "a\nb") == -EINVAL &&
	      dmaheap_set_name(3, "camera\n") == -EINVAL,
	      "set_name: a name with a newline is -EINVAL");
	check(dmaheap_xfer_to_pidfd(-1, 3) == -EBADF &&
	      dmaheap_xfer_to_pidfd(3, -1) == -EBADF &&
	      dmaheap_xfer_to_cgroup_fd(3, -1) == -EBADF,
	      "xfer_to_pidfd, _to_cgroup_fd: fd -1 is -EBADF");
	check(dmaheap_xfer_to_pid(3, 0) == -EINVAL &&
	      dmaheap_xfer_to_pid(-1, 1) == -EBADF,
	      "xfer_to_pid: pid 0 is -EINVAL, buffer -1 -EBADF");
	check(dmaheap_xfer_to_cgroup(3, NULL) == -EINVAL &&
	      dmaheap_xfer_to_cgroup(3, "") == -EINVAL,
	      "xfer_to_cgroup: no path is -EINVAL");
	check(dmaheap_info(-1, &info) == -EBADF &&
	      dmaheap_info_at(0, 3, &info) == -EINVAL &&
	      dmaheap_info_at(1, -1, &info) == -EBADF,
	      "info, info_at: fd -1 is -EBADF, pid 0 -EINVAL");
	check(dmaheap_allocd_connect("") == -EINVAL &&
	      dmaheap_allocd_connect(huge) == -ENAMETOOLONG,
	      "allocd_connect: \"\" is -EINVAL, a long path -ENAMETOOLONG");
	check(fd_count() == fds, "arguments: no fd left behind");
}

/* On a host without heaps, the probe cannot tell, and says so each time. */
static void test_probe_without_heaps(void)
{
	if (!access(DMAHEAP_DEV_DIR, F_OK)) {
		skip("probe: -ENOENT without heaps", "this host has heaps");
		return;
	}
	check(dmaheap_probe() == -ENOENT && dmaheap_probe() == -ENOENT,
	      "probe: -ENOENT without heaps, every time");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_args();
	test_list();
	test_probe_without_heaps();
	test_fdinfo();
	test_wire();
	test_probe();
	test_buffer();
	return tap_done();
}
