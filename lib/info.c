// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Who pays for a buffer, as its fdinfo says. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

/* The value of the line starting with @key, or NULL; the first or last. */
static const char *dmaheap_find(const char *text, const char *key, int last)
{
	size_t klen = strlen(key);
	const char *found = NULL;
	const char *line;

	for (line = text; *line; ) {
		if (!strncmp(line, key, klen)) {
			/* "key:\tvalue": the value may start with blanks. */
			found = line + klen;
			if (*found == '\t')
				found++;
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

int dmaheap__parse_fdinfo(const char *text, struct dmaheap_info *info)
{
	const char *exp_name, *name, *cgroup, *id;

	memset(info, 0, sizeof(*info));
	/*
	 * The kernel prints ino (generic part), size, count, exp_name, the
	 * name, then the charge. A name may hold a newline, and so fake any
	 * line after it: take the lines before it first, the ones after it
	 * last, and the fake ones lose.
	 */
	exp_name = dmaheap_find(text, "exp_name:", 0);
	if (!exp_name)
		return -EBADF;
	dmaheap_copy_value(info->exporter, sizeof(info->exporter), exp_name);
	info->size = dmaheap_u64(dmaheap_find(text, "size:", 0));
	info->ino = dmaheap_u64(dmaheap_find(text, "ino:", 0));
	name = dmaheap_find(text, "name:", 0);
	if (name)
		dmaheap_copy_value(info->name, sizeof(info->name), name);

	cgroup = dmaheap_find(text, "charged_cgroup:", 1);
	id = dmaheap_find(text, "charged_cgroup_id:", 1);
	if (!cgroup && !id)
		return -EOPNOTSUPP;
	if (cgroup && !strncmp(cgroup, "none", 4) &&
	    (cgroup[4] == '\n' || !cgroup[4]))
		return 0;
	/* The id without a path: the kernel could not make the path. */
	info->charged = 1;
	if (cgroup)
		dmaheap_copy_value(info->cgroup, sizeof(info->cgroup), cgroup);
	info->cgroup_id = dmaheap_u64(id);
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
	/* No such file in fdinfo: @buf is no open fd. */
	return ret == -ENOENT ? -EBADF : ret;
}
