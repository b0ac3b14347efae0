// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What is done to a buffer itself: CPU access brackets, its name. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <linux/dma-buf.h>

#include "internal.h"

/* EAGAIN from the sync: how many tries, how long apart (100 ms in all) */
#define DMAHEAP_SYNC_EAGAIN_TRIES 100
#define DMAHEAP_SYNC_EAGAIN_PAUSE_NS 1000000

static int dmaheap_sync(int buf, unsigned int flags, __u64 when)
{
	const struct timespec pause = {
		.tv_nsec = DMAHEAP_SYNC_EAGAIN_PAUSE_NS,
	};
	struct dma_buf_sync sync = { 0 };
	int tries = 0;

	if (!flags || (flags & ~DMAHEAP_SYNC_RW))
		return -EINVAL;
	if (buf < 0)
		return -EBADF;
	/* Mapped bit by bit: the two sets only happen to agree. */
	sync.flags = when;
	if (flags & DMAHEAP_SYNC_READ)
		sync.flags |= DMA_BUF_SYNC_READ;
	if (flags & DMAHEAP_SYNC_WRITE)
		sync.flags |= DMA_BUF_SYNC_WRITE;
	/*
	 * A wait for fences may be interrupted: the bracket must happen, so
	 * EINTR (a signal, which ends each time) is retried for as long as
	 * it comes. EAGAIN (the exporter is busy) is retried a while, a
	 * pause between tries so as not to spin, then returned.
	 */
	while (ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync)) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || ++tries >= DMAHEAP_SYNC_EAGAIN_TRIES)
			return -errno;
		nanosleep(&pause, NULL);
	}
	return 0;
}

int dmaheap_sync_start(int buf, unsigned int flags)
{
	return dmaheap_sync(buf, flags, DMA_BUF_SYNC_START);
}

int dmaheap_sync_end(int buf, unsigned int flags)
{
	return dmaheap_sync(buf, flags, DMA_BUF_SYNC_END);
}

int dmaheap_set_name(int buf, const char *name)
{
	if (!name)
		return -EINVAL;
	if (strlen(name) > DMAHEAP_NAME_MAX)
		return -ENAMETOOLONG;
	/* fdinfo prints the name on a line of its own: keep it one line. */
	if (strchr(name, '\n'))
		return -EINVAL;
	if (buf < 0)
		return -EBADF;
	return ioctl(buf, DMA_BUF_SET_NAME, name) ? -errno : 0;
}
