// SPDX-License-Identifier: GPL-2.0
/*
 * dmaheap who: which cgroup pays for each buffer, with the buffer's size,
 * inode number, exporter and name, as its fdinfo says.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "dmaheap.h"
#include "errors.h"
#include "size.h"
#include "verbs.h"

/* Read @ref's fdinfo; report a failure */
static int who_info(const struct buf_ref *ref, struct dmaheap_info *info)
{
	int ret;

	ret = ref->pid ? dmaheap_info_at(ref->pid, ref->fd, info) :
			 dmaheap_info(ref->fd, info);
	if (ret)
		error_report(HINT_INFO, ret, "%s", ref->text);
	return ret;
}

/* A buffer's name may hold any byte: keep the table one line a buffer. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i;

	if (!*s)
		return "-";
	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_buffer(const struct buf_ref *ref, const struct dmaheap_info *info,
			int ret)
{
	fputs("{\"buffer\": ", stdout);
	json_string(ref->text);
	printf(", \"pid\": %d, \"fd\": %d", (int)ref->pid, ref->fd);
	if (ret) {
		fputs(", \"error\": ", stdout);
		json_string(strerror(-ret));
		putchar('}');
		return;
	}
	printf(", \"size\": %llu, \"ino\": %llu, \"exporter\": ",
	       (unsigned long long)info->size, (unsigned long long)info->ino);
	json_string(info->exporter);
	fputs(", \"name\": ", stdout);
	json_string(info->name);
	printf(", \"charged\": %s, \"cgroup_id\": %llu, \"cgroup\": ",
	       info->charged ? "true" : "false",
	       (unsigned long long)info->cgroup_id);
	if (info->charged)
		json_string(info->cgroup);
	else
		fputs("null", stdout);
	putchar('}');
}

static void table_buffer(const struct buf_ref *ref, const struct dmaheap_info *info)
{
	char size[SIZE_FORMAT_MAX], name[DMAHEAP_NAME_MAX + 1], id[24];

	snprintf(id, sizeof(id), "%llu", (unsigned long long)info->cgroup_id);
	printf("%-18s %6s %8llu %-8s %-16s %9s %s\n", ref->text,
	       size_format(info->size, size), (unsigned long long)info->ino,
	       info->exporter, printable(info->name, name, sizeof(name)),
	       info->charged ? id : "-",
	       info->charged ? (info->cgroup[0] ? info->cgroup : "unknown") :
	       "none");
}

int cmd_who(const struct args *a)
{
	static struct dmaheap_info info;
	int i, ret, failed = 0;

	if (a->json)
		putchar('[');
	else
		printf("%-18s %6s %8s %-8s %-16s %9s %s\n", "BUFFER", "SIZE",
		       "INO", "EXPORTER", "NAME", "CGROUP_ID", "CGROUP");
	for (i = 0; i < a->nbufs; i++) {
		ret = who_info(&a->bufs[i], &info);
		failed |= !!ret;
		if (a->json) {
			fputs(i ? ",\n " : "", stdout);
			json_buffer(&a->bufs[i], &info, ret);
		} else if (!ret) {
			table_buffer(&a->bufs[i], &info);
		}
	}
	if (a->json)
		puts("]");
	return failed ? EXIT_FAILED : EXIT_DONE;
}
