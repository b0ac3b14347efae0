// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon keeps its heaps open: the device nodes are usually root's
 * only, and the daemon runs as another uid once it has started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dmabuf-allocd.h"
#include "dmaheap.h"
#include "heaps.h"
#include "log.h"

static struct {
	char name[DMABUF_ALLOCD_HEAP_LEN];
	int fd;
} heaps[HEAPS_MAX];
static int n_heaps;

/* Open heap @name and add it to the table: its fd or -errno. */
static int add(const char *name)
{
	int fd;

	if (strlen(name) >= sizeof(heaps[0].name))
		return -ENAMETOOLONG;
	if (n_heaps == HEAPS_MAX)
		return -ENOSPC;
	fd = dmaheap_open(name);
	if (fd < 0)
		return fd;
	memcpy(heaps[n_heaps].name, name, strlen(name) + 1);
	heaps[n_heaps++].fd = fd;
	return fd;
}

int heaps_open_all(void)
{
	char **names;
	int i, n, fd, opened = 0;

	n = dmaheap_list(&names);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		fd = add(names[i]);
		if (fd < 0)
			log_error("heap %s: cannot open it: %s", names[i],
				  strerror(-fd));
		else
			opened++;
	}
	dmaheap_list_free(names);
	return opened;
}

int heaps_get(const char *name)
{
	int i;

	for (i = 0; i < n_heaps; i++)
		if (!strcmp(heaps[i].name, name))
			return heaps[i].fd;
	return add(name);
}

void heaps_close_all(void)
{
	while (n_heaps > 0)
		close(heaps[--n_heaps].fd);
}
