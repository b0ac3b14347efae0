// SPDX-License-Identifier: GPL-2.0
/*
 * The report for scripts: one JSON document, an object per cgroup and per
 * buffer. The schema is in docs/dmabuf-top.md; "version" changes when a
 * field changes meaning or goes away, not when one is added.
 */
#define _GNU_SOURCE
#include <string.h>

#include "report.h"

#define JSON_VERSION 1

static void json_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_cgroup(FILE *f, const struct cgroup *cg)
{
	fputs("{\"path\": ", f);
	json_string(f, cg->path);
	fprintf(f, ", \"id\": %llu, \"charged\": ", cg->id);
	if (cg->has_stat)
		fprintf(f, "%llu", cg->charged);
	else
		fputs("null", f);
	fprintf(f, ", \"held\": %llu, \"charged_minus_held\": ", cg->held);
	if (cg->has_stat)
		fprintf(f, "%lld", (long long)cg->charged - (long long)cg->held);
	else
		fputs("null", f);
	fprintf(f, ", \"proportional\": %llu}", cg->proportional);
}

static void json_buffer(FILE *f, const struct snapshot *snap,
			const struct buffer *b)
{
	int i, c;

	fprintf(f, "{\"ino\": %lu, \"size\": %llu, \"exporter\": ",
		b->ino, b->size);
	json_string(f, b->known ? b->exporter : NULL);
	fputs(", \"name\": ", f);
	json_string(f, b->known ? b->name : NULL);
	fprintf(f, ", \"charge_known\": %s, \"charged_cgroup\": ",
		b->charge_shown ? "true" : "false");
	json_string(f, b->charged ? b->charged_path : NULL);
	fputs(", \"charged_cgroup_id\": ", f);
	if (b->charged)
		fprintf(f, "%llu", b->charged_id);
	else
		fputs("null", f);
	fprintf(f, ", \"charged_elsewhere\": %s, \"holders\": [",
		buffer_charged_elsewhere(snap, b) ? "true" : "false");
	for (i = 0; i < b->nr_holders; i++) {
		const struct holder *h = &b->holders[i];
		const struct process *p = &snap->processes[h->process];

		c = p->cgroup;
		fprintf(f, "%s{\"pid\": %d, \"comm\": ", i ? ", " : "", p->pid);
		json_string(f, p->comm);
		fputs(", \"cgroup\": ", f);
		json_string(f, c >= 0 ? snap->cgroups[c].path : NULL);
		fprintf(f, ", \"fds\": %d, \"maps\": %d}", h->fds, h->maps);
	}
	fputs("]}", f);
}

void report_json(FILE *f, const struct snapshot *snap,
		 const struct report_options *opt)
{
	const struct unreadable *u = &snap->unreadable;
	const char *sep = "";
	int i;

	fprintf(f, "{\"version\": %d,\n\"cgroup_root\": ", JSON_VERSION);
	json_string(f, snap->cgroup_root);
	fprintf(f, ",\n\"memcg\": %s,\n\"cgroups\": [", snap->memcg ? "true" : "false");
	for (i = 0; i < snap->nr_cgroups; i++) {
		if (!report_shows_cgroup(snap, i, opt))
			continue;
		fprintf(f, "%s\n  ", sep);
		json_cgroup(f, &snap->cgroups[i]);
		sep = ",";
	}
	fputs("\n],\n\"buffers\": [", f);
	sep = "";
	for (i = 0; i < snap->nr_buffers; i++) {
		if (!report_shows_buffer(snap, &snap->buffers[i], opt))
			continue;
		fprintf(f, "%s\n  ", sep);
		json_buffer(f, snap, &snap->buffers[i]);
		sep = ",";
	}
	fprintf(f, "\n],\n\"unreadable\": {\"processes\": %d, ", u->processes);
	fprintf(f, "\"fdinfo\": %d, \"cgroups\": %d, \"error\": ", u->fdinfo,
		u->cgroups);
	json_string(f, u->first_errno ? strerror(u->first_errno) : NULL);
	fputs("}}\n", f);
}
