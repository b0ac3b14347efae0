// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-stock-limit: a dma-buf charge larger than a memory.max fails at
 * once, even when the CPU's stock holds enough pages for it.
 *
 * The per-CPU stock keeps up to 64 pages charged ahead to one memcg. When
 * memory.max is lowered below the usage, drain_all_stock() leaves the
 * stocks of isolated CPUs alone: there a stock can hold more pages than
 * the new limit. A charge that took them before checking the limits (a
 * fast path in the wrong order) would pass an 8-page buffer through a
 * 4-page memory.max. Needs CPU 1 isolated (isolcpus=domain,1), two CPUs,
 * dma_heap.mem_accounting=1 and the series (tests/run boots it so).
 *
 * The test runs on CPU 1, where nothing else runs:
 * 1. it allocates an 8-page buffer, charged to its cgroup "stock-self";
 * 2. it moves itself to cgroup "limited" and allocates a 4 KiB buffer
 *    there: the charge leaves 63 pages of "limited" in CPU 1's stock, and
 *    every kernel object or page faulted in afterwards is charged to
 *    "limited" too, from the same stock, so nothing takes the stock over
 *    and the 8 pages need only 55 of the 63 left;
 * 3. a helper on CPU 0 sets limited's memory.max to 4 pages, and reads
 *    memory.current: still the whole 64-page batch, as CPU 1's stock was
 *    not drained (else the test proves nothing, and says so);
 * 4. moving the 8-page buffer's charge to "limited" must fail with ENOMEM
 *    and count a "max" event there, its charge staying put.
 * Between 2 and 4 the test makes no system call but sched_yield() and the
 * transfer: the helper, forked and moved to CPU 0 before the test moves to
 * CPU 1, signals through shared memory. The test sets its oom_score_adj to
 * -1000 so that lowering the limit below its cgroup's usage does not kill
 * it, and the helper lifts the limit again once the transfer is done.
 *
 * TAP on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "../common/cgroup.h"
#include "../common/tap.h"

#define CG_SELF		"/sys/fs/cgroup/stock-self"
#define CG_LIMITED	"/sys/fs/cgroup/stock-limited"
#define PAGE		4096
#define BIG		8	/* pages: the buffer whose charge moves */
#define MAX		"16384"	/* limited's memory.max: 4 pages */
#define WAIT_NS		30000000000LL	/* for the other side, at most */

/* What the writer on CPU 0 and the test on CPU 1 share: no syscalls */
struct shared {
	atomic_int ready;		/* the writer is on CPU 0 */
	atomic_int set_max;		/* the writer may write memory.max */
	atomic_int max_set;		/* 1 written, -errno failed */
	atomic_llong current;		/* limited's memory.current after it */
	atomic_int moved;		/* the test has tried its transfer */
	atomic_int max_reset;		/* memory.max is "max" again */
};

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static long events_max(void)
{
	char text[512], *p;

	if (cg_read_file(CG_LIMITED "/memory.events", text, sizeof(text)) < 0)
		return -1;
	p = strstr(text, "\nmax ");
	return p ? strtol(p + 5, NULL, 10) : -1;
}

static int alloc(int heap, size_t len)
{
	struct dma_heap_allocation_data data = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	return ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) ? -errno : (int)data.fd;
}

static long long now_ns(void)
{
	struct timespec ts;

	/* the vDSO: no system call on CPU 1 */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Yield until @flag is set, for at most WAIT_NS: whether it was. */
static bool wait_for(atomic_int *flag)
{
	long long end = now_ns() + WAIT_NS;

	while (!atomic_load(flag) && now_ns() < end)
		sched_yield();
	return atomic_load(flag);
}

/* memory.max's writer, on CPU 0: it also reads limited's memory.current. */
static pid_t writer(struct shared *sh)
{
	unsigned long long current = 0;
	pid_t pid = fork();
	int ret;

	if (pid)
		return pid;
	if (pin(0))
		_exit(1);
	atomic_store(&sh->ready, 1);
	if (!wait_for(&sh->set_max))
		_exit(1);
	ret = cg_write_file(CG_LIMITED "/memory.max", MAX);
	if (!ret && cg_memory_current(CG_LIMITED, &current))
		ret = -EIO;
	atomic_store(&sh->current, current);
	atomic_store(&sh->max_set, ret ?: 1);
	/*
	 * Over its limit, "limited" charges nothing that its stock does not
	 * cover: the test's next page fault would find no one to OOM-kill
	 * (it is -1000) and retry forever. Lift the limit first.
	 */
	wait_for(&sh->moved);
	cg_write_file(CG_LIMITED "/memory.max", "max");
	atomic_store(&sh->max_reset, 1);
	_exit(0);
}

/*
 * isolcpus=domain,1 took effect: two CPUs online, and this process, which
 * inherited init's affinity, is kept off CPU 1.
 */
static bool isolated_cpu1(void)
{
	cpu_set_t set;

	return sysconf(_SC_NPROCESSORS_ONLN) == 2 &&
	       !sched_getaffinity(0, sizeof(set), &set) &&
	       CPU_ISSET(0, &set) && !CPU_ISSET(1, &set);
}

int main(void)
{
	struct dma_buf_xfer_charge xfer = { .flags = DMA_BUF_XFER_CHARGE_CGROUP };
	int heap, big, small, dir, moved, ret;
	struct shared *sh;
	bool settled;
	long before;
	pid_t pid;

	if (!isolated_cpu1() || !dmabuf_accounting()) {
		printf("1..0 # SKIP needs two CPUs online (%ld here), CPU 1 isolated %s\n",
		       sysconf(_SC_NPROCESSORS_ONLN),
		       "(isolcpus=domain,1) and dma_heap.mem_accounting=1");
		return 4;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (sh == MAP_FAILED || heap < 0 ||
	    (mkdir(CG_SELF, 0755) && errno != EEXIST) ||
	    (mkdir(CG_LIMITED, 0755) && errno != EEXIST) ||
	    cg_write_file("/proc/self/oom_score_adj", "-1000") ||
	    cg_write_file(CG_SELF "/cgroup.procs", "0")) {
		printf("1..0 # SKIP setup: %s\n", strerror(errno));
		return 4;
	}
	dir = open(CG_LIMITED, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pid = writer(sh);
	if (pid < 0 || !wait_for(&sh->ready) || pin(1)) {
		printf("1..0 # SKIP the writer on CPU 0, the test on CPU 1: %s\n",
		       strerror(errno));
		return 4;
	}
	before = events_max();
	big = alloc(heap, BIG * PAGE);
	moved = cg_write_file(CG_LIMITED "/cgroup.procs", "0");

	/* From here to the transfer: nothing but the allocation and yields. */
	small = alloc(heap, PAGE);
	atomic_store(&sh->set_max, 1);
	wait_for(&sh->max_set);
	xfer.target_fd = dir;
	ret = ioctl(big, DMA_BUF_IOCTL_XFER_CHARGE, &xfer) ? errno : 0;
	atomic_store(&sh->moved, 1);
	wait_for(&sh->max_reset);

	check(big >= 0, "an 8-page buffer, charged to \"stock-self\"");
	check(!moved && small >= 0,
	      "the test moved to \"limited\" and allocated 4 KiB there (its stock: 63 pages)");
	check(atomic_load(&sh->max_set) == 1,
	      "memory.max of \"limited\" set to 4 pages, from CPU 0");
	check(atomic_load(&sh->current) >= 64 * PAGE,
	      "limited's memory.current after it: %lld KiB, CPU 1's stock not drained",
	      (long long)atomic_load(&sh->current) / 1024);
	check(ret == ENOMEM,
	      "moving 8 pages to a 4-page memory.max fails at once (%s), stock or not",
	      ret ? strerror(ret) : "it succeeded");
	check(events_max() == before + 1,
	      "one \"max\" event in \"limited\" (%ld before, %ld after)", before, events_max());
	settled = cg_dmabuf_settles(CG_SELF, BIG * PAGE) &&
		  cg_dmabuf_settles(CG_LIMITED, PAGE);
	check(settled, "the 8 pages stay charged to \"stock-self\", the 4 KiB to \"limited\"");

	close(big);
	close(small);
	waitpid(pid, NULL, 0);
	return tap_done();
}
