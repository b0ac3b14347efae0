// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Who pays for a buffer, as its fdinfo says. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* fdinfo of a dma-buf: the generic lines, a 32-byte name, a 4 KiB path */
#define DMAHEAP_FDINFO_MAX 16384

/* Copy the value @value, up to its newline, into @dst of @size bytes. */
static void dmaheap_copy_value(char *dst, size_t size, const char *value)
{
	size_t n = strcspn(value, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(dst, value, n);
	dst[n] = '\0';
}

/*
 * The line starting with @key, or NULL; the first or the last one. Its
 * value is dmaheap_value() of it.
 */
static const char *dmaheap_find(const char *text, const char *key, int last)
{
	size_t klen = strlen(key);
	const char *found = NULL;
	const char *line;

	for (line = text; *line; ) {
		if (!strncmp(line, key, klen)) {
			found = line;
			if (!last)
				break;
		}
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	return found;
}

/* The value of @line, which starts with @key: "key:\tvalue" */
static const char *dmaheap_value(const char *line, const char *key)
{
	if (!line)
		return NULL;
	line += strlen(key);
	return *line == '\t' ? line + 1 : line;
}

/* The start of the line after @line, or NULL */
static const char *dmaheap_next_line(const char *line)
{
	line = strchr(line, '\n');
	return line ? line + 1 : NULL;
}

/* @value as a decimal number; 0 if there is none */
static uint64_t dmaheap_u64(const char *value)
{
	int saved = errno;
	uint64_t n;
	char *end;

	if (!value)
		return 0;
	errno = 0;
	n = strtoull(value, &end, 10);
	if (errno || end == value)
		n = 0;
	errno = saved;
	return n;
}

#define DMAHEAP_KEY_CGROUP "charged_cgroup:"
#define DMAHEAP_KEY_ID "charged_cgroup_id:"

int dmaheap__parse_fdinfo(const char *text, struct dmaheap_info *info)
{
	const char *exp_name, *name, *cgroup, *id, *path;
	bool id_last;

	memset(info, 0, sizeof(*info));
	/*
	 * The kernel prints ino (generic part), size, count, exp_name, the
	 * name, then the charge: "charged_cgroup:" (a path, or "none" when
	 * uncharged), then "charged_cgroup_id:" when charged (alone if the
	 * path could not be made). A name may hold newlines, and so fake
	 * any line after it: the lines before it are taken first, the
	 * charge's last, and the fake ones lose.
	 */
	exp_name = dmaheap_value(dmaheap_find(text, "exp_name:", 0),
				 "exp_name:");
	if (!exp_name)
		return -EBADF;
	dmaheap_copy_value(info->exporter, sizeof(info->exporter), exp_name);
	info->size = dmaheap_u64(dmaheap_value(dmaheap_find(text, "size:", 0),
					       "size:"));
	info->ino = dmaheap_u64(dmaheap_value(dmaheap_find(text, "ino:", 0),
					      "ino:"));
	name = dmaheap_value(dmaheap_find(text, "name:", 0), "name:");
	if (name)
		dmaheap_copy_value(info->name, sizeof(info->name), name);

	cgroup = dmaheap_find(text, DMAHEAP_KEY_CGROUP, 1);
	id = dmaheap_find(text, DMAHEAP_KEY_ID, 1);
	if (!cgroup && !id)
		return -EOPNOTSUPP;
	path = dmaheap_value(cgroup, DMAHEAP_KEY_CGROUP);
	/* The id comes last: one followed by a charged_cgroup line is fake. */
	id_last = id && (!cgroup || id > cgroup);
	/* "none" comes last, alone: any id before it is fake. */
	if (!id_last && !strncmp(path, "none", 4) &&
	    (path[4] == '\n' || !path[4]))
		return 0;
	info->charged = 1;
	if (id_last) {
		info->cgroup_id = dmaheap_u64(dmaheap_value(id, DMAHEAP_KEY_ID));
		/* Its path is the line just before it, if that is one. */
		if (!cgroup || dmaheap_next_line(cgroup) != id)
			return 0;
	}
	/* (Else a path without an id, which no kernel prints: taken.) */
	if (*path == '/')
		dmaheap_copy_value(info->cgroup, sizeof(info->cgroup), path);
	return 0;
}

int dmaheap__info_path(const char *path, struct dmaheap_info *info)
{
	char *text;
	size_t len = 0;
	ssize_t n = 0;
	int fd, ret;

	if (!info)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	text = malloc(DMAHEAP_FDINFO_MAX);
	if (!text) {
		dmaheap__close(fd);
		return -ENOMEM;
	}
	/* seq_file hands out a page or so per read. */
	while (len < DMAHEAP_FDINFO_MAX - 1) {
		n = read(fd, text + len, DMAHEAP_FDINFO_MAX - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	ret = n < 0 ? -errno : 0;
	dmaheap__close(fd);
	if (!ret) {
		text[len] = '\0';
		ret = dmaheap__parse_fdinfo(text, info);
	}
	free(text);
	return ret;
}

int dmaheap_info_at(pid_t pid, int fd, struct dmaheap_info *info)
{
	char path[64];

	if (pid <= 0)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	return dmaheap__info_path(path, info);
}

int dmaheap_info(int buf, struct dmaheap_info *info)
{
	char path[64];
	int ret;

	if (buf < 0)
		return -EBADF;
	/* The calling thread's fd table: a thread may have its own. */
	snprintf(path, sizeof(path), "/proc/thread-self/fdinfo/%d", buf);
	ret = dmaheap__info_path(path, info);
	/*
	 * No such file in fdinfo: @buf is no open fd, or there is no procfs
	 * (a chroot, a container); only the fd table can tell which.
	 */
	if (ret == -ENOENT && fcntl(buf, F_GETFD) < 0 && errno == EBADF)
		return -EBADF;
	return ret;
}
