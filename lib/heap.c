// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Heaps by name: open one, list them all. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int dmaheap__check_heap_name(const char *name)
{
	/* A name, not a path: nothing may lead out of the directory. */
	if (!name || !name[0] || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strchr(name, '/'))
		return -EINVAL;
	return 0;
}

int dmaheap__open_in(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int ret, fd;

	ret = dmaheap__check_heap_name(name);
	if (ret)
		return ret;
	if (strlen(name) > NAME_MAX ||
	    snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int dmaheap_open(const char *name)
{
	return dmaheap__open_in(DMAHEAP_DEV_DIR, name);
}

static int dmaheap_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

void dmaheap_list_free(char **names)
{
	char **p;

	if (!names)
		return;
	for (p = names; *p; p++)
		free(*p);
	free(names);
}

/* Append a copy of @name to @*names, which holds @n names and a NULL. */
static int dmaheap_list_add(char ***names, size_t n, const char *name)
{
	char **grown, *copy;

	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	grown = realloc(*names, (n + 2) * sizeof(*grown));
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	grown[n] = copy;
	grown[n + 1] = NULL;
	*names = grown;
	return 0;
}

int dmaheap__list_dir(const char *dir, char ***names)
{
	struct dirent *de;
	char **list;
	size_t n = 0;
	DIR *d;
	int ret = 0;

	if (!names)
		return -EINVAL;
	list = calloc(1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		ret = -errno;
		/* No directory: a kernel without heaps, which has none. */
		if (ret == -ENOENT)
			goto done;
		free(list);
		return ret;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			ret = -errno;
			break;
		}
		if (dmaheap__check_heap_name(de->d_name))
			continue;
		ret = dmaheap_list_add(&list, n, de->d_name);
		if (ret)
			break;
		n++;
	}
	closedir(d);
	if (ret) {
		dmaheap_list_free(list);
		return ret;
	}
	qsort(list, n, sizeof(*list), dmaheap_cmp);
done:
	*names = list;
	return (int)n;
}

int dmaheap_list(char ***names)
{
	return dmaheap__list_dir(DMAHEAP_DEV_DIR, names);
}
