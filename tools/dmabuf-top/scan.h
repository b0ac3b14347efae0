/* SPDX-License-Identifier: GPL-2.0 */
/* The two halves of a snapshot: the cgroup tree first, then /proc. */
#ifndef DMABUF_TOP_SCAN_H
#define DMABUF_TOP_SCAN_H

#include "snapshot.h"

/* Fill snap->cgroups from the cgroup2 tree at snap->cgroup_root. */
int scan_cgroups(struct snapshot *snap);

/* Fill snap->processes and snap->buffers from /proc. */
int scan_processes(struct snapshot *snap);

/* Where cgroup2 is mounted, from /proc/self/mountinfo (malloc'ed), or NULL. */
char *find_cgroup2(void);

/* Read a small file into @buf (NUL-terminated); bytes read or -errno. */
ssize_t read_file(int dirfd, const char *path, char *buf, size_t len);

#endif
