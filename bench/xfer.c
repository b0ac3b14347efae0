// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-bench: DMA_BUF_IOCTL_XFER_CHARGE alone, by size, to a pidfd and
 * to a cgroup fd. Each figure has a buffer of its own, charged first to
 * this program's cgroup; each operation moves its whole charge to the
 * other of two cgroups, to and fro, so none is a transfer to where it
 * already is (which the kernel answers without charging anything).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "../tests/common/cgroup.h"

#define CG_XFER_A	CG_ROOT "/bench-xfer-a"
#define CG_XFER_B	CG_ROOT "/bench-xfer-b"

struct xfer_ctx {
	int buf;
	int target[2];		/* pidfds or cgroup fds */
	unsigned int flags;
	int next;
};

static int xfer(void *p)
{
	struct xfer_ctx *c = p;
	struct dma_buf_xfer_charge arg = {
		.target_fd = c->target[c->next],
		.flags = c->flags,
	};

	c->next ^= 1;
	return ioctl(c->buf, DMA_BUF_IOCTL_XFER_CHARGE, &arg) ? -errno : 0;
}

static int targets(int pidfd[2], int dirfd[2])
{
	static const char *const cg[2] = { CG_XFER_A, CG_XFER_B };
	int i, ret;

	for (i = 0; i < 2; i++) {
		if (mkdir(cg[i], 0755) && errno != EEXIST)
			return -errno;
		ret = spawn_sleeper(cg[i], &pidfd[i]);
		if (ret)
			return ret;
		dirfd[i] = open(cg[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd[i] < 0)
			return -errno;
	}
	return 0;
}

/*
 * Every charge was moved, not answered "already there": after the
 * warm-up and the runs each buffer sits in one of the two cgroups, so
 * together they hold them all. Else the figures timed something else.
 */
static void check_moved(const struct xfer_ctx *ctx, int n)
{
	long want = 0, got = cg_dmabuf(CG_XFER_A) + cg_dmabuf(CG_XFER_B);
	int i;

	for (i = 0; i < n; i++)
		want += lseek(ctx[i].buf, 0, SEEK_END);
	if (got != want) {
		fprintf(stderr, "dmabuf-bench: xfer: %ld bytes charged to the targets, not %ld\n",
			got, want);
		bench_failed = true;
	}
}

void figures_xfer(const struct bench *b)
{
	struct xfer_ctx ctx[2 * 5];
	struct figure fig[2 * 5];
	int pidfd[2], dirfd[2], heap_fd, i, t, n = 0, ret;

	ret = targets(pidfd, dirfd);
	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (!ret && heap_fd < 0)
		ret = -errno;
	for (i = 0; i < bench_nr_sizes; i++) {
		for (t = 0; t < 2; t++) {
			int buf = ret ? ret : bench_alloc(heap_fd, bench_sizes[i], 0);

			ctx[n] = (struct xfer_ctx){
				.buf = buf,
				.target = { t ? dirfd[0] : pidfd[0],
					    t ? dirfd[1] : pidfd[1] },
				.flags = t ? DMA_BUF_XFER_CHARGE_CGROUP : 0,
			};
			fig[n] = (struct figure){
				.group = "xfer", .op = xfer, .ctx = &ctx[n],
				.ops = b->smoke ? 1 : 256,
			};
			snprintf(fig[n].params, sizeof(fig[n].params),
				 "size=%zu target=%s", bench_sizes[i],
				 t ? "cgroup" : "pidfd");
			if (buf < 0)
				bench_error(&fig[n], buf);
			else
				n++;
		}
	}
	bench_measure(b, fig, n);
	check_moved(ctx, n);
	for (i = 0; i < n; i++)
		close(ctx[i].buf);
	if (heap_fd >= 0)
		close(heap_fd);
	for (t = 0; !ret && t < 2; t++) {
		close(pidfd[t]);
		close(dirfd[t]);
	}
}
