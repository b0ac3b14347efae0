// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-bench: DMA_HEAP_IOCTL_ALLOC and close, by heap, size and who is
 * charged; and by the depth of the charged cgroup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

struct alloc_ctx {
	int heap_fd;
	size_t len;
	int charge_pid_fd;	/* 0: the caller */
};

/* Allocate and close: the buffer is released within close(). */
static int alloc_close(void *p)
{
	struct alloc_ctx *c = p;
	int fd = bench_alloc(c->heap_fd, c->len, c->charge_pid_fd);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int open_heap(const char *heap)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "dmabuf-bench: %s: %m\n", path);
	return fd;
}

/* The system heap and the CMA heap ("reserved", the cma= area). */
void figures_alloc(const struct bench *b)
{
	static const char *const heaps[] = { "system", "reserved" };
	struct alloc_ctx ctx[2 * 5];
	struct figure fig[2 * 5];
	unsigned int h;
	int i, n;

	for (h = 0; h < sizeof(heaps) / sizeof(heaps[0]); h++) {
		int heap_fd = open_heap(heaps[h]);

		if (heap_fd < 0)
			continue;
		n = 0;
		for (i = 0; i < bench_nr_sizes; i++) {
			int charge;

			for (charge = 0; charge < 2; charge++) {
				if (charge && !b->charge_pid_fd)
					continue;
				ctx[n] = (struct alloc_ctx){
					.heap_fd = heap_fd,
					.len = bench_sizes[i],
					.charge_pid_fd = charge ? b->client_pidfd : 0,
				};
				fig[n] = (struct figure){
					.group = "alloc", .op = alloc_close,
					.ctx = &ctx[n],
					.ops = bench_ops(b, bench_sizes[i]),
				};
				snprintf(fig[n].params, sizeof(fig[n].params),
					 "heap=%s size=%zu charge=%s", heaps[h],
					 bench_sizes[i], charge ? "pidfd" : "caller");
				n++;
			}
		}
		bench_measure(b, fig, n);
		close(heap_fd);
	}
}

/*
 * The caller charged in a cgroup 1, 4 and 8 levels deep. A charge that
 * the per-CPU stock cannot serve (more than 64 pages, or a stock of
 * another cgroup) counts at every level, and so does each statistic's
 * update: 4 KiB is the common case, 1 MiB the one that walks the tree.
 */
void figures_depth(const struct bench *b)
{
	static const int depths[] = { 1, 4, 8 };
	static const size_t sizes[] = { 4096, 1 << 20 };
	struct alloc_ctx ctx[2];
	struct figure fig[2];
	char path[256];
	unsigned int d, i;
	int heap_fd, ret;

	heap_fd = open_heap("system");
	if (heap_fd < 0)
		return;
	for (d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		for (i = 0; i < 2; i++) {
			ctx[i] = (struct alloc_ctx){
				.heap_fd = heap_fd, .len = sizes[i],
			};
			fig[i] = (struct figure){
				.group = "depth", .op = alloc_close,
				.ctx = &ctx[i], .ops = bench_ops(b, sizes[i]),
			};
			snprintf(fig[i].params, sizeof(fig[i].params),
				 "heap=system size=%zu depth=%d", sizes[i],
				 depths[d]);
		}
		ret = cg_make_chain(depths[d], path, sizeof(path));
		if (!ret)
			ret = cg_enter(path);
		if (ret) {
			for (i = 0; i < 2; i++)
				bench_error(&fig[i], ret);
			continue;
		}
		bench_measure(b, fig, 2);
	}
	if (cg_enter(CG_BENCH))
		fprintf(stderr, "dmabuf-bench: back to %s: %m\n", CG_BENCH);
	close(heap_fd);
}

/*
 * bench/profile's workload: @n allocations of 4 KiB from the system heap,
 * each closed at once, charged to the caller or by pidfd. Nothing timed.
 */
int loop_alloc(const struct bench *b, long n, bool pidfd)
{
	struct alloc_ctx ctx = {
		.len = 4096, .charge_pid_fd = pidfd ? b->client_pidfd : 0,
	};
	int ret = 0;

	ctx.heap_fd = open_heap("system");
	if (ctx.heap_fd < 0)
		return -ENOENT;
	while (n-- > 0 && !ret)
		ret = alloc_close(&ctx);
	close(ctx.heap_fd);
	return ret;
}
