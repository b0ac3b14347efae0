// SPDX-License-Identifier: GPL-2.0
/*
 * What each cgroup holds, next to what it is charged. Held bytes count a
 * buffer once in every cgroup at or above one of its holders, as
 * memory.stat counts a charge in the cgroup and all its ancestors. The
 * proportional view splits each buffer evenly among the cgroups whose
 * processes hold it (a PSS for shared buffers, which a single-owner charge
 * cannot express), and sums the shares up the tree the same way.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

/* The distinct cgroups of @b's holders into @out; returns how many. */
static int holder_cgroups(const struct snapshot *snap, const struct buffer *b,
			  int *out)
{
	int i, j, n = 0, c;

	for (i = 0; i < b->nr_holders; i++) {
		c = snap->processes[b->holders[i].process].cgroup;
		if (c < 0)
			continue;
		for (j = 0; j < n && out[j] != c; j++)
			;
		if (j == n)
			out[n++] = c;
	}
	return n;
}

void snapshot_account(struct snapshot *snap)
{
	int *seen = calloc(snap->nr_cgroups + 1, sizeof(int));
	int *cgs = NULL, cap = 0, n, i, k, c;
	unsigned long long share, rem;

	if (!seen)
		return;
	for (i = 0; i < snap->nr_cgroups; i++) {
		snap->cgroups[i].held = 0;
		snap->cgroups[i].proportional = 0;
	}
	for (i = 0; i < snap->nr_buffers; i++) {
		const struct buffer *b = &snap->buffers[i];

		if (b->nr_holders > cap) {
			int *ncgs = realloc(cgs, b->nr_holders * sizeof(*cgs));

			if (!ncgs)
				break;
			cgs = ncgs;
			cap = b->nr_holders;
		}
		n = holder_cgroups(snap, b, cgs);
		if (!n)
			continue;
		share = b->size / n;
		rem = b->size % n;
		for (k = 0; k < n; k++) {
			snap->cgroups[cgs[k]].proportional +=
				share + ((unsigned long long)k < rem);
			/* Up to the first ancestor this buffer already counts in */
			for (c = cgs[k]; c >= 0 && seen[c] != i + 1;
			     c = snap->cgroups[c].parent) {
				seen[c] = i + 1;
				snap->cgroups[c].held += b->size;
			}
		}
	}
	/* Children sort after their parents: add the shares up, leaves first. */
	for (i = snap->nr_cgroups - 1; i >= 0; i--)
		if (snap->cgroups[i].parent >= 0)
			snap->cgroups[snap->cgroups[i].parent].proportional +=
				snap->cgroups[i].proportional;
	free(cgs);
	free(seen);
}

bool buffer_charged_elsewhere(const struct snapshot *snap,
			      const struct buffer *buf)
{
	size_t len;
	int i, c;

	if (!buf->charged || !buf->charged_path)
		return false;
	for (i = 0; i < buf->nr_holders; i++) {
		c = snap->processes[buf->holders[i].process].cgroup;
		if (buf->charged_cgroup >= 0) {
			if (snapshot_cgroup_within(snap, c, buf->charged_cgroup))
				return false;
			continue;
		}
		/* Charged to a cgroup not in the tree we read: by path */
		if (c < 0)
			continue;
		len = strlen(buf->charged_path);
		if (!strncmp(snap->cgroups[c].path, buf->charged_path, len) &&
		    (snap->cgroups[c].path[len] == '/' ||
		     !snap->cgroups[c].path[len] || len == 1))
			return false;
	}
	return true;
}
