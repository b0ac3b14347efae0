// SPDX-License-Identifier: GPL-2.0
/* dmabuf-bench: timing, medians and the "bench" lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "bench.h"

const size_t bench_sizes[] = {
	4096, 65536, 1 << 20, 16 << 20, 64 << 20,
};

const int bench_nr_sizes = ARRAY_SIZE(bench_sizes);

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* About 32 MiB of buffers per run, and never fewer than 2 or more than 256
 * operations: the small sizes need many to rise above a timer tick, the
 * large ones take milliseconds each.
 */
int bench_ops(const struct bench *b, size_t size)
{
	size_t ops = (32 << 20) / size;

	if (b->smoke)
		return 1;
	return ops < 2 ? 2 : ops > 256 ? 256 : (int)ops;
}

int bench_alloc(int heap_fd, size_t len, int charge_pid_fd)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.charge_pid_fd = charge_pid_fd,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data))
		return -errno;
	return data.fd;
}

bool bench_failed;

void bench_error(const struct figure *f, int err)
{
	bench_failed = true;
	printf("bench %s %s error=%s\n", f->group, f->params,
	       strerrorname_np(err > 0 ? err : -err) ?: "unknown");
	fflush(stdout);
}

void bench_measure(const struct bench *b, struct figure *v, int n)
{
	double *t = calloc((size_t)n * b->runs, sizeof(*t));
	int *err = calloc(n, sizeof(*err));
	int r, i, k;

	if (!t || !err) {
		perror("dmabuf-bench");
		exit(1);
	}
	/* One untimed operation each first: the first of a kind pays for
	 * page tables, a cold stock, a slab that grows.
	 */
	for (i = 0; i < n; i++)
		err[i] = v[i].op(v[i].ctx);
	for (r = 0; r < b->runs; r++) {
		for (i = 0; i < n; i++) {
			double start;

			if (err[i])
				continue;
			start = now_ns();
			for (k = 0; k < v[i].ops && !err[i]; k++)
				err[i] = v[i].op(v[i].ctx);
			t[i * b->runs + r] = (now_ns() - start) / v[i].ops;
		}
	}
	for (i = 0; i < n; i++) {
		double *ti = t + (size_t)i * b->runs;

		if (err[i]) {
			bench_error(&v[i], err[i]);
			continue;
		}
		qsort(ti, b->runs, sizeof(*ti), cmp_double);
		printf("bench %s %s ns=%.0f runs=%d ops=%d\n", v[i].group,
		       v[i].params, b->runs % 2 ? ti[b->runs / 2] :
		       (ti[b->runs / 2 - 1] + ti[b->runs / 2]) / 2,
		       b->runs, v[i].ops);
	}
	fflush(stdout);
	free(t);
	free(err);
}
