/* SPDX-License-Identifier: GPL-2.0 */
/* Printing a snapshot: a table for people, JSON for scripts. */
#ifndef DMABUF_TOP_REPORT_H
#define DMABUF_TOP_REPORT_H

#include <stdio.h>

#include "snapshot.h"

struct report_options {
	const char *subtree;	/* only cgroups at or below this path */
	bool buffers;		/* the per-buffer table too */
	bool all;		/* cgroups with nothing charged or held too */
};

/* Is cgroup @c shown: in the subtree, and with something to show? */
bool report_shows_cgroup(const struct snapshot *snap, int c,
			 const struct report_options *opt);

/* Is buffer @b shown: charged to or held within the subtree? */
bool report_shows_buffer(const struct snapshot *snap, const struct buffer *b,
			 const struct report_options *opt);

void report_table(FILE *f, const struct snapshot *snap,
		  const struct report_options *opt);
void report_json(FILE *f, const struct snapshot *snap,
		 const struct report_options *opt);

/* What the reader could not see, for stderr; nothing if it saw everything. */
void report_unreadable(FILE *f, const struct snapshot *snap);

#endif
