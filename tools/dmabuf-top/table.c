// SPDX-License-Identifier: GPL-2.0
/*
 * The report for people: per cgroup, sorted by charged bytes, what it is
 * charged, what its processes hold, the difference and the proportional
 * share; with --buffers, every buffer and who holds it.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* "16.0M": one decimal from K up, "0" for nothing */
static const char *human(char *buf, size_t len, unsigned long long v)
{
	static const char units[] = "KMGTP";
	double d = (double)v;
	int u = -1;

	if (v < 1024) {
		snprintf(buf, len, "%llu", v);
		return buf;
	}
	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%c", d, units[u]);
	return buf;
}

static const char *human_signed(char *buf, size_t len, long long v)
{
	if (v >= 0)
		return human(buf, len, (unsigned long long)v);
	buf[0] = '-';
	human(buf + 1, len - 1, (unsigned long long)-v);
	return buf;
}

static const struct snapshot *sort_snap;

static int by_charged(const void *a, const void *b)
{
	const struct cgroup *x = &sort_snap->cgroups[*(const int *)a];
	const struct cgroup *y = &sort_snap->cgroups[*(const int *)b];

	if (x->charged != y->charged)
		return x->charged > y->charged ? -1 : 1;
	if (x->held != y->held)
		return x->held > y->held ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void cgroup_table(FILE *f, const struct snapshot *snap,
			 const struct report_options *opt)
{
	char a[16], b[16], c[16], d[16];
	int *order, n = 0, i;

	order = malloc((snap->nr_cgroups + 1) * sizeof(*order));
	if (!order)
		return;
	for (i = 0; i < snap->nr_cgroups; i++)
		if (report_shows_cgroup(snap, i, opt))
			order[n++] = i;
	sort_snap = snap;
	qsort(order, n, sizeof(*order), by_charged);
	fprintf(f, "%9s %9s %13s %13s  %s\n", "CHARGED", "HELD",
		"CHARGED-HELD", "PROPORTIONAL", "CGROUP");
	for (i = 0; i < n; i++) {
		const struct cgroup *cg = &snap->cgroups[order[i]];

		fprintf(f, "%9s %9s %13s %13s  %s\n",
			cg->has_stat ? human(a, sizeof(a), cg->charged) : "-",
			human(b, sizeof(b), cg->held),
			cg->has_stat ? human_signed(c, sizeof(c),
				(long long)cg->charged - (long long)cg->held) : "-",
			human(d, sizeof(d), cg->proportional), cg->path);
	}
	if (!n)
		fprintf(f, "%9s  (no cgroup charged or holding dma-bufs%s%s)\n",
			"", opt->subtree ? " under " : "",
			opt->subtree ? opt->subtree : "");
	free(order);
}

static int by_size(const void *a, const void *b)
{
	const struct buffer *x = &sort_snap->buffers[*(const int *)a];
	const struct buffer *y = &sort_snap->buffers[*(const int *)b];

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void holders(FILE *f, const struct snapshot *snap,
		    const struct buffer *b)
{
	int i, c;

	for (i = 0; i < b->nr_holders; i++) {
		const struct process *p = &snap->processes[b->holders[i].process];

		c = p->cgroup;
		fprintf(f, "%s%d %s %s", i ? ", " : "", p->pid, p->comm,
			c >= 0 ? snap->cgroups[c].path : "?");
	}
}

static void buffer_table(FILE *f, const struct snapshot *snap,
			 const struct report_options *opt)
{
	int *order, n = 0, i, elsewhere = 0;
	char size[16];

	order = malloc((snap->nr_buffers + 1) * sizeof(*order));
	if (!order)
		return;
	for (i = 0; i < snap->nr_buffers; i++)
		if (report_shows_buffer(snap, &snap->buffers[i], opt))
			order[n++] = i;
	sort_snap = snap;
	qsort(order, n, sizeof(*order), by_size);
	fprintf(f, "\n%8s %8s %-10s %-12s %-24s %s\n", "INO", "SIZE",
		"EXPORTER", "NAME", "CHARGED TO", "HOLDERS (PID COMM CGROUP)");
	for (i = 0; i < n; i++) {
		const struct buffer *b = &snap->buffers[order[i]];
		bool mark = buffer_charged_elsewhere(snap, b);
		const char *to;

		elsewhere += mark;
		to = !b->charge_shown ? "?" : b->charged ? b->charged_path : "(none)";
		fprintf(f, "%8lu %8s %-10s %-12s %c %-22s ", b->ino,
			human(size, sizeof(size), b->size),
			b->known ? b->exporter : "?",
			b->name[0] ? b->name : "-", mark ? '!' : ' ', to);
		holders(f, snap, b);
		fputc('\n', f);
	}
	if (elsewhere)
		fprintf(f, "! charged elsewhere: %s (%d)\n",
			"none of the holders lives in the charged cgroup",
			elsewhere);
}

void report_table(FILE *f, const struct snapshot *snap,
		  const struct report_options *opt)
{
	unsigned long long total = 0;
	char buf[16];
	int i;

	for (i = 0; i < snap->nr_buffers; i++)
		total += snap->buffers[i].size;
	fprintf(f, "%d dma-bufs, %s, held by processes; cgroup2 at %s%s\n",
		snap->nr_buffers, human(buf, sizeof(buf), total),
		snap->cgroup_root,
		snap->memcg ? "" : " (no \"dmabuf\" in memory.stat: not charged)");
	cgroup_table(f, snap, opt);
	if (opt->buffers)
		buffer_table(f, snap, opt);
}

void report_unreadable(FILE *f, const struct snapshot *snap)
{
	const struct unreadable *u = &snap->unreadable;

	if (!u->processes && !u->fdinfo && !u->cgroups)
		return;
	fprintf(f, "dmabuf-top: not everything could be read (%s):",
		strerror(u->first_errno));
	if (u->processes)
		fprintf(f, " the fds or maps of %d processes;", u->processes);
	if (u->fdinfo)
		fprintf(f, " the fdinfo of %d buffers;", u->fdinfo);
	if (u->cgroups)
		fprintf(f, " the memory.stat of %d cgroups;", u->cgroups);
	fprintf(f, " the figures leave them out. Run as root to see everything.\n");
}
