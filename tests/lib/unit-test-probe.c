// SPDX-License-Identifier: GPL-2.0
/*
 * The probe on a host without heaps: which fd it asks (never one it cannot
 * show is a heap: a wrong answer would be cached for the process), which
 * heap it finds in a directory, how it reads the kernel's answers (faked
 * with seccomp), and what the transfers do when it cannot tell. Each check
 * runs in a child process, which starts with no answer cached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "dmaheap.h"
#include "internal.h"
#include "unit-test.h"

/* The fd a charged call is given as its heap, and what it must return */
struct heap_case {
	const char *what;
	int flags;	/* open() flags of /dev/null; -1: an fd not open */
	int want;
};

/*
 * A charged call with @c's fd as its heap: the probe must not take the
 * fd's -EBADF (O_PATH) or -ENOTTY (no heap) for an answer, but look for a
 * heap of its own; there is none, so both the call and a later
 * dmaheap_probe() say -ENOENT: nothing was cached.
 */
static int heap_fd_child(void *arg)
{
	const struct heap_case *c = arg;
	int fd = c->flags < 0 ? 1000 : open("/dev/null", c->flags);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int ret, probe;

	ret = dmaheap_alloc_fd(fd, 4096, 0, null);
	probe = dmaheap_probe();
	if (ret != c->want || probe != -ENOENT) {
		diag("%s: alloc_fd %d (expected %d), then probe %d",
		     c->what, ret, c->want, probe);
		return 1;
	}
	return 0;
}

static void test_heap_fds(void)
{
	static const struct heap_case cases[] = {
		{ "an O_PATH fd of a character device", O_PATH | O_CLOEXEC,
		  -ENOENT },
		{ "a character device that is no heap", O_RDONLY | O_CLOEXEC,
		  -ENOENT },
		{ "an fd not open", -1, -EBADF },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!access(DMAHEAP_DEV_DIR, F_OK)) {
			skip(cases[i].what, "this host has heaps");
			continue;
		}
		check(run_child(heap_fd_child, (void *)&cases[i]) == 0,
		      "probe: the caller's heap fd is %s: not asked, nothing cached",
		      cases[i].what);
	}
}

/* --- the heap the probe asks ------------------------------------------ */

#define HEAP_DIR_TEMPLATE "/tmp/dmaheap-probe-XXXXXX"
static char heap_dir[sizeof(HEAP_DIR_TEMPLATE)];

static void make_heap(const char *name, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", heap_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
	if (fd >= 0)
		close(fd);
	chmod(path, mode);
}

static void remove_heaps(void)
{
	static const char * const names[] = { "a", "b", "system" };
	char path[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", heap_dir, names[i]);
		unlink(path);
	}
}

static ino_t ino_of_heap(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", heap_dir, name);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* As a user whose permissions count (root's do not) */
static int drop_root(void)
{
	if (geteuid())
		return 0;
	return setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	       setresuid(65534, 65534, 65534);
}

/* dmaheap__find_heap() of heap_dir: an error, or the inode it opened */
static int find_child(void *arg)
{
	long want = (long)arg;
	struct stat st;
	int fd;

	if (drop_root())
		return CHILD_SKIP;
	fd = dmaheap__find_heap(heap_dir);
	if (fd >= 0 && !fstat(fd, &st) && (long)st.st_ino == want)
		return 0;
	if (fd < 0 && fd == want)
		return 0;
	diag("find_heap: %d, expected %ld", fd, want);
	return 1;
}

static void check_find(long want, const char *what)
{
	int ret = run_child(find_child, (void *)want);

	if (ret == CHILD_SKIP)
		skip(what, "cannot drop root");
	else
		check(ret == 0, "%s", what);
}

static void test_find_heap(void)
{
	memcpy(heap_dir, HEAP_DIR_TEMPLATE, sizeof(heap_dir));
	if (!mkdtemp(heap_dir) || chmod(heap_dir, 0755)) {
		check(false, "probe: a temporary directory: %s", strerror(errno));
		return;
	}
	check_find(-ENOENT, "probe: no heap at all is -ENOENT");
	make_heap("a", 0);
	make_heap("b", 0);
	check_find(-EACCES, "probe: heaps but none the caller may open is -EACCES");
	make_heap("system", 0);
	check_find(-EACCES, "probe: ... \"system\" among them too");
	make_heap("b", 0644);
	check_find((long)ino_of_heap("b"),
		   "probe: \"system\" does not open: the first other that does");
	remove_heaps();
	make_heap("a", 0644);
	make_heap("system", 0644);
	check_find((long)ino_of_heap("system"),
		   "probe: \"system\" first, whatever the order");
	remove_heaps();
	rmdir(heap_dir);
}

/* --- the kernel's answers, faked --------------------------------------- */

struct answer {
	int err;	/* the ioctl's errno, 0: success */
	int want;	/* the probe's answer */
};

/*
 * dmaheap__probe_ask() when the kernel answers @a->err. With fd 0 open, an
 * ioctl that "succeeds" and writes no fd back must not make it close fd 0.
 */
static int answer_child(void *arg)
{
	const struct answer *a = arg;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC), ret;

	if (null < 0 || dup2(null, 0) != 0)
		return 2;
	if (fake_ioctl(DMA_HEAP_IOCTL_ALLOC, a->err))
		return CHILD_SKIP;
	ret = dmaheap__probe_ask(null);
	if (ret != a->want || fcntl(0, F_GETFD) < 0) {
		diag("probe_ask: %d (expected %d), fd 0 %s", ret, a->want,
		     fcntl(0, F_GETFD) < 0 ? "closed" : "open");
		return 1;
	}
	return 0;
}

static void test_answers(void)
{
	static const struct {
		struct answer a;
		const char *what;
	} cases[] = {
		{ { EBADF, 1 }, "-EBADF: the series is there, 1" },
		{ { EOPNOTSUPP, 0 }, "-EOPNOTSUPP: it cannot charge elsewhere, 0" },
		{ { ENOMEM, -ENOMEM }, "-ENOMEM: cannot tell, the error" },
		{ { 0, 0 }, "success writing no fd back: 0, fd 0 left open" },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ret = run_child(answer_child, (void *)&cases[i].a);
		if (ret == CHILD_SKIP)
			skip(cases[i].what, "no seccomp here");
		else
			check(ret == 0, "probe: the kernel says %s", cases[i].what);
	}
}

/*
 * The probe cannot tell (no heap): a transfer asks the kernel, and passes
 * its answer on, but for -ENOTTY (no such ioctl: no series), which is
 * -EOPNOTSUPP.
 */
static int xfer_child(void *arg)
{
	const struct answer *a = arg;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC), ret;

	if (fake_ioctl(DMA_BUF_IOCTL_XFER_CHARGE, a->err))
		return CHILD_SKIP;
	ret = dmaheap_xfer_to_pidfd(null, null);
	if (ret != a->want) {
		diag("xfer_to_pidfd: %d (expected %d)", ret, a->want);
		return 1;
	}
	ret = dmaheap_xfer_to_cgroup_fd(null, null);
	if (ret != a->want) {
		diag("xfer_to_cgroup_fd: %d (expected %d)", ret, a->want);
		return 1;
	}
	return 0;
}

static void test_xfer_unknown(void)
{
	static const struct {
		struct answer a;
		const char *what;
	} cases[] = {
		{ { ENOTTY, -EOPNOTSUPP }, "-ENOTTY becomes -EOPNOTSUPP" },
		{ { EPERM, -EPERM }, "-EPERM is passed on" },
		{ { 0, 0 }, "success is passed on" },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!access(DMAHEAP_DEV_DIR, F_OK)) {
			skip(cases[i].what, "this host has heaps");
			continue;
		}
		ret = run_child(xfer_child, (void *)&cases[i].a);
		if (ret == CHILD_SKIP)
			skip(cases[i].what, "no seccomp here");
		else
			check(ret == 0,
			      "xfer: the probe cannot tell, the kernel answers: %s",
			      cases[i].what);
	}
}

void test_probe(void)
{
	test_heap_fds();
	test_find_heap();
	test_answers();
	test_xfer_unknown();
}
