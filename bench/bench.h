/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf-bench: what dma-buf accounting costs, measured in the guest.
 *
 * Every figure is printed as one line,
 *
 *	bench GROUP KEY=VALUE... ns=MEDIAN runs=R ops=N
 *
 * MEDIAN is the median over R runs of one operation's mean time in a run of
 * N operations, in the guest's nanoseconds: under QEMU's -icount
 * shift=0,sleep=off (make bench), one guest instruction each. A figure that
 * could not be measured is "bench GROUP KEY=VALUE... error=ERRNO-NAME".
 * bench/report reads these lines; nothing else in the output matters.
 */
#ifndef DMABUF_BENCH_H
#define DMABUF_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct bench {
	int runs;		/* runs per figure, for the median */
	bool smoke;		/* one run of one operation: "does it work" */
	bool charge_pid_fd;	/* the kernel knows charge_pid_fd (the series) */
	bool accounting;	/* dma_heap.mem_accounting=1 */
	int client_pidfd;	/* a child in CG_CLIENT, to charge by pidfd */
};

/* Set when a figure could not be measured: the exit status is then 1. */
extern bool bench_failed;

/* The cgroups, under /sys/fs/cgroup: the benchmark's own and a client's */
#define CG_ROOT		"/sys/fs/cgroup"
#define CG_BENCH	CG_ROOT "/bench"
#define CG_CLIENT	CG_ROOT "/bench-client"

/* One measured operation: 0, or a negative errno that ends the figure. */
typedef int (*bench_op)(void *ctx);

/*
 * One figure: @op on @ctx, @ops times per run. bench_measure() runs all
 * @n figures of @v once per run, in turn, so that a slow phase of the
 * guest (a stock drained, a timer) falls on every figure alike; then each
 * figure's median is printed as a "bench" line.
 */
struct figure {
	const char *group;	/* "alloc", "xfer", ... */
	char params[128];	/* "heap=system size=4096 charge=caller" */
	bench_op op;
	void *ctx;
	int ops;
};

void bench_measure(const struct bench *b, struct figure *v, int n);

/* "bench GROUP PARAMS error=NAME", for a figure that cannot be measured */
void bench_error(const struct figure *f, int err);

/* The number of operations per run for a buffer of @size bytes. */
int bench_ops(const struct bench *b, size_t size);

/* The sizes of the alloc and xfer figures, 4 KiB to 64 MiB */
extern const size_t bench_sizes[];
extern const int bench_nr_sizes;

/* cgroups.c: setup, moves, and a sleeping child to charge by pidfd */
int cg_setup(void);
int cg_enter(const char *cgroup);
int cg_make_chain(int depth, char *path, size_t size);
int spawn_sleeper(const char *cgroup, int *pidfd);

/* The groups of figures, each a file of its own */
void figures_alloc(const struct bench *b);
void figures_depth(const struct bench *b);
void figures_xfer(const struct bench *b);
void figures_fdinfo(const struct bench *b);
void figures_service(const struct bench *b);
void figures_top(const struct bench *b, const char *procs);

/* bench/profile's workload: @n times alloc+close 4 KiB; 0 or -errno */
int loop_alloc(const struct bench *b, long n, bool pidfd);

/* A buffer of @len bytes from @heap_fd charged as @charge_pid_fd says. */
int bench_alloc(int heap_fd, size_t len, int charge_pid_fd);

#endif
