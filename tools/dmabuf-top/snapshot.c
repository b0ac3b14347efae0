// SPDX-License-Identifier: GPL-2.0
/* A snapshot: the cgroup tree, then /proc, then per-cgroup accounting. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

int snapshot_take(struct snapshot *snap, const char *cgroup_root)
{
	int ret;

	memset(snap, 0, sizeof(*snap));
	snap->cgroup_root = cgroup_root ? strdup(cgroup_root) : find_cgroup2();
	if (!snap->cgroup_root)
		return cgroup_root ? -ENOMEM : -ENOENT;
	ret = scan_cgroups(snap);
	if (!ret)
		ret = scan_processes(snap);
	if (!ret)
		snapshot_account(snap);
	return ret;
}

void snapshot_free(struct snapshot *snap)
{
	int i;

	for (i = 0; i < snap->nr_buffers; i++) {
		free(snap->buffers[i].charged_path);
		free(snap->buffers[i].holders);
	}
	for (i = 0; i < snap->nr_cgroups; i++)
		free(snap->cgroups[i].path);
	free(snap->buffers);
	free(snap->cgroups);
	free(snap->processes);
	free(snap->cgroup_root);
	memset(snap, 0, sizeof(*snap));
}

static int cmp_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cgroup *)elem)->path);
}

int snapshot_cgroup(const struct snapshot *snap, const char *path)
{
	const struct cgroup *c;

	c = bsearch(path, snap->cgroups, snap->nr_cgroups,
		    sizeof(*snap->cgroups), cmp_path);
	return c ? (int)(c - snap->cgroups) : -1;
}

bool snapshot_cgroup_within(const struct snapshot *snap, int c, int ancestor)
{
	for (; c >= 0; c = snap->cgroups[c].parent)
		if (c == ancestor)
			return true;
	return false;
}
