// SPDX-License-Identifier: GPL-2.0
/* Which cgroups and buffers a report shows. */
#define _GNU_SOURCE
#include <string.h>

#include "report.h"

/* Is @path at or below @subtree? By path: the subtree may be gone. */
static bool path_within(const char *path, const char *subtree)
{
	size_t len;

	if (!subtree || !strcmp(subtree, "/"))
		return true;
	len = strlen(subtree);
	while (len > 1 && subtree[len - 1] == '/')
		len--;
	return path && !strncmp(path, subtree, len) &&
	       (path[len] == '/' || !path[len]);
}

bool report_shows_cgroup(const struct snapshot *snap, int c,
			 const struct report_options *opt)
{
	const struct cgroup *cg = &snap->cgroups[c];

	if (!path_within(cg->path, opt->subtree))
		return false;
	return opt->all || cg->charged || cg->held;
}

bool report_shows_buffer(const struct snapshot *snap, const struct buffer *b,
			 const struct report_options *opt)
{
	int i, c;

	if (!opt->subtree || path_within(b->charged_path, opt->subtree))
		return true;
	for (i = 0; i < b->nr_holders; i++) {
		c = snap->processes[b->holders[i].process].cgroup;
		if (c >= 0 && path_within(snap->cgroups[c].path, opt->subtree))
			return true;
	}
	return false;
}
