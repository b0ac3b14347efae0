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
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "../tests/common/cgroup.h"

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

static void figures_delegated(const struct bench *b);

/*
 * The system heap and the CMA heap ("reserved", the cma= area); then, on
 * the series, charge_pid_fd from a delegated, unprivileged caller.
 */
void figures_alloc(const struct bench *b)
{
	static const char *const heaps[] = { "system", "reserved" };
	struct alloc_ctx ctx[2 * 5];
	struct figure fig[2 * 5];
	unsigned int h;
	int i, n;

	for (h = 0; h < ARRAY_SIZE(heaps); h++) {
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
	if (b->charge_pid_fd)
		figures_delegated(b);
}

/*
 * charge_pid_fd from a caller without CAP_SYS_RESOURCE, whose authority
 * over the client's cgroup comes from a delegated subtree: uid
 * DELEGATE_UID owns the subtree's cgroup.procs files, its own cgroup's and
 * the client's. The permission check then reads them under cgroup_mutex
 * (cgroup_may_migrate_to()), which the capability skips. Against the same
 * unprivileged caller charging itself.
 */
#define CG_DELEGATED	CG_ROOT "/bench-delegated"
#define DELEGATE_UID	1000

static int delegate(const char *cgroup)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	if ((mkdir(cgroup, 0755) && errno != EEXIST) ||
	    chown(cgroup, DELEGATE_UID, DELEGATE_UID) ||
	    chown(path, DELEGATE_UID, DELEGATE_UID))
		return -errno;
	return 0;
}

static void figures_delegated(const struct bench *b)
{
	static const size_t sizes[] = { 4096, 1 << 20 };
	struct alloc_ctx ctx[4];
	struct figure fig[4];
	int client, heap_fd, i, n = 0, ret, status;
	pid_t pid;

	for (i = 0; i < 2; i++) {
		int charge;

		for (charge = 0; charge < 2; charge++, n++) {
			ctx[n] = (struct alloc_ctx){ .len = sizes[i] };
			fig[n] = (struct figure){
				.group = "alloc", .op = alloc_close,
				.ctx = &ctx[n], .ops = bench_ops(b, sizes[i]),
			};
			snprintf(fig[n].params, sizeof(fig[n].params),
				 "heap=system size=%zu charge=%s", sizes[i],
				 charge ? "delegated-pidfd" : "delegated-caller");
		}
	}
	ret = delegate(CG_DELEGATED);
	if (!ret)
		ret = cg_write_file(CG_DELEGATED "/cgroup.subtree_control", "+memory");
	if (!ret)
		ret = delegate(CG_DELEGATED "/caller");
	if (!ret)
		ret = delegate(CG_DELEGATED "/client");
	if (!ret)
		ret = spawn_sleeper(CG_DELEGATED "/client", &client);
	heap_fd = ret ? -1 : open_heap("system");
	if (!ret && heap_fd < 0)
		ret = -ENOENT;
	if (ret) {
		for (i = 0; i < n; i++)
			bench_error(&fig[i], ret);
		return;
	}
	for (i = 0; i < n; i++) {
		ctx[i].heap_fd = heap_fd;
		ctx[i].charge_pid_fd = i % 2 ? client : 0;
	}
	fflush(stdout);
	pid = fork();
	if (!pid) {
		/* setuid() from root drops every capability */
		if (cg_enter(CG_DELEGATED "/caller") || setgroups(0, NULL) ||
		    setgid(DELEGATE_UID) || setuid(DELEGATE_UID)) {
			for (i = 0; i < n; i++)
				bench_error(&fig[i], errno);
			_exit(1);
		}
		bench_measure(b, fig, n);
		_exit(bench_failed);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		bench_failed = true;
	close(heap_fd);
	close(client);
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
	for (d = 0; d < ARRAY_SIZE(depths); d++) {
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
