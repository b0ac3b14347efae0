// SPDX-License-Identifier: GPL-2.0
/* dmabuf-bench: reading a buffer's /proc/self/fdinfo, as dmabuf-top does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "bench.h"

struct fdinfo_ctx {
	char path[64];
};

static int read_fdinfo(void *p)
{
	struct fdinfo_ctx *c = p;
	char text[4096];
	ssize_t n;
	int fd;

	fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text));
	close(fd);
	return n > 0 ? 0 : n ? -errno : -ENODATA;
}

void figures_fdinfo(const struct bench *b)
{
	struct fdinfo_ctx ctx;
	struct figure fig = {
		.group = "fdinfo", .params = "size=4096", .op = read_fdinfo,
		.ctx = &ctx, .ops = b->smoke ? 1 : 256,
	};
	int heap_fd, buf = -ENOENT;

	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap_fd >= 0)
		buf = bench_alloc(heap_fd, 4096, 0);
	if (buf < 0) {
		bench_error(&fig, heap_fd < 0 ? -errno : buf);
	} else {
		snprintf(ctx.path, sizeof(ctx.path), "/proc/self/fdinfo/%d",
			 buf);
		bench_measure(b, &fig, 1);
		close(buf);
	}
	if (heap_fd >= 0)
		close(heap_fd);
}
