// SPDX-License-Identifier: GPL-2.0
/* The cgroup2 tree: every cgroup's path, id and memory.stat "dmabuf". */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan.h"

ssize_t read_file(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				total = -errno;
			break;
		}
		total += n;
	}
	close(fd);
	if (total >= 0)
		buf[total] = 0;
	return total;
}

char *find_cgroup2(void)
{
	char *line = NULL, *root = NULL, mnt[4096], *sep;
	size_t cap = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE SUPER */
	while (!root && getline(&line, &cap, f) > 0) {
		sep = strstr(line, " - ");
		if (!sep || strncmp(sep, " - cgroup2 ", 11))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1)
			root = strdup(mnt);
	}
	free(line);
	fclose(f);
	return root;
}

/* memory.stat's "dmabuf", in bytes; false if there is no such line. */
static bool read_dmabuf_stat(int dirfd, unsigned long long *val, int *err)
{
	char buf[8192], *p;
	ssize_t n;

	n = read_file(dirfd, "memory.stat", buf, sizeof(buf));
	if (n < 0) {
		if (n != -ENOENT)
			*err = (int)-n;
		return false;
	}
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, "dmabuf ", 7)) {
			*val = strtoull(p + 7, NULL, 10);
			return true;
		}
	}
	return false;
}

static int add_cgroup(struct snapshot *snap, const char *path, int dirfd,
		      int *cap)
{
	struct cgroup *c;
	struct stat st;
	int err = 0;

	if (snap->nr_cgroups == *cap) {
		int ncap = *cap ? *cap * 2 : 64;
		struct cgroup *n = realloc(snap->cgroups, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		snap->cgroups = n;
		*cap = ncap;
	}
	if (fstat(dirfd, &st))
		return -errno;
	c = &snap->cgroups[snap->nr_cgroups];
	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	if (!c->path)
		return -ENOMEM;
	c->id = st.st_ino;
	c->parent = -1;
	c->has_stat = read_dmabuf_stat(dirfd, &c->charged, &err);
	if (c->has_stat)
		snap->memcg = true;
	if (err) {
		if (!snap->unreadable.cgroups++ && !snap->unreadable.first_errno)
			snap->unreadable.first_errno = err;
	}
	snap->nr_cgroups++;
	return 0;
}

/* Depth first from @dirfd (closed here), whose path is @path. */
static int walk(struct snapshot *snap, int dirfd, char *path, size_t len,
		int *cap)
{
	size_t plen = strlen(path);
	struct dirent *de;
	int ret, sub;
	DIR *dir;

	ret = add_cgroup(snap, plen ? path : "/", dirfd, cap);
	if (ret) {
		close(dirfd);
		return ret;
	}
	dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (plen + 1 + strlen(de->d_name) >= len)
			continue;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;	/* removed meanwhile */
		snprintf(path + plen, len - plen, "/%s", de->d_name);
		ret = walk(snap, sub, path, len, cap);
		path[plen] = 0;
		if (ret)
			break;
	}
	closedir(dir);
	return ret;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct cgroup *)a)->path,
		      ((const struct cgroup *)b)->path);
}

int scan_cgroups(struct snapshot *snap)
{
	char path[4096] = "";
	int fd, ret, cap = 0, i;
	char *slash;

	fd = open(snap->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = walk(snap, fd, path, sizeof(path), &cap);
	if (ret)
		return ret;
	/* A prefix sorts before what extends it: parents come first. */
	qsort(snap->cgroups, snap->nr_cgroups, sizeof(*snap->cgroups), by_path);
	for (i = 0; i < snap->nr_cgroups; i++) {
		snprintf(path, sizeof(path), "%s", snap->cgroups[i].path);
		slash = strrchr(path, '/');
		if (!slash || !strcmp(path, "/"))
			continue;
		if (slash == path)
			slash[1] = 0;
		else
			*slash = 0;
		snap->cgroups[i].parent = snapshot_cgroup(snap, path);
	}
	return 0;
}
