// SPDX-License-Identifier: GPL-2.0
/* dmabuf-bench: the cgroups it charges, and a child to charge by pidfd. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "../tests/common/cgroup.h"

static int make(const char *path)
{
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

int cg_setup(void)
{
	int ret;

	ret = make(CG_BENCH);
	if (!ret)
		ret = make(CG_CLIENT);
	if (!ret)
		ret = cg_enter(CG_BENCH);
	return ret;
}

int cg_enter(const char *cgroup)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	return cg_write_file(path, "0");
}

/*
 * Make /sys/fs/cgroup/bench-depthD/level2/.../levelD, the memory controller
 * on at every level, so that each level is a memory cgroup of its own and a
 * charge there counts at D levels and the root; its path into @path. A
 * chain of its own per depth: a cgroup that has had a process cannot give
 * its children a controller (cgroup v2's no-internal-process rule).
 */
int cg_make_chain(int depth, char *path, size_t size)
{
	char ctl[300];
	int level, ret, len;

	len = snprintf(path, size, "%s", CG_ROOT);
	for (level = 1; level <= depth; level++) {
		if (level > 1) {
			snprintf(ctl, sizeof(ctl), "%s/cgroup.subtree_control",
				 path);
			ret = cg_write_file(ctl, "+memory");
			if (ret)
				return ret;
		}
		len += snprintf(path + len, size - len,
				level > 1 ? "/level%d" : "/bench-depth%d",
				level > 1 ? level : depth);
		if ((size_t)len >= size)
			return -ENAMETOOLONG;
		ret = make(path);
		if (ret)
			return ret;
	}
	return 0;
}

/* A child asleep in @cgroup until this program exits; its pidfd. */
int spawn_sleeper(const char *cgroup, int *pidfd)
{
	int ready[2], ret = 0;
	pid_t pid;
	char c;

	if (pipe(ready))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		c = cg_enter(cgroup) ? 1 : 0;
		if (write(ready[1], &c, 1) != 1 || c)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1 || c)
		ret = -EPERM;
	close(ready[0]);
	if (!ret) {
		*pidfd = syscall(SYS_pidfd_open, pid, 0);
		if (*pidfd < 0)
			ret = -errno;
	}
	if (ret)
		kill(pid, SIGKILL);
	return ret;
}
