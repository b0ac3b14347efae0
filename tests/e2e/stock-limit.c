// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-stock-limit: a dma-buf charge larger than a memory.max fails at
 * once, even when the CPU's stock holds enough pages for it.
 *
 * The per-CPU stock keeps up to 64 pages charged ahead to one memcg. When
 * memory.max is lowered below the usage, drain_all_stock() leaves the
 * stocks of isolated CPUs alone: there a stock can hold more pages than
 * the new limit. A charge that took them before checking the limits (a
 * fast path in the wrong order) would pass a 48-page buffer through a
 * 32-page memory.max. Needs CPU 1 isolated (isolcpus=domain,1), two CPUs,
 * dma_heap.mem_accounting=1 and the series (tests/run boots it so).
 *
 * On CPU 1, with nothing on it that could take the stock over:
 * 1. a 48-page buffer is allocated, charged to the test's own cgroup;
 * 2. a 4 KiB buffer is charged to a client in cgroup "limited", which
 *    leaves 63 pages of "limited" in CPU 1's stock; the client is killed;
 * 3. a helper on CPU 0 sets limited's memory.max to 32 pages;
 * 4. moving the 48-page buffer's charge to "limited" must fail with
 *    ENOMEM and count a "max" event there, its charge staying put.
 * Every step between 2 and 4 avoids allocating kernel memory on CPU 1,
 * which would charge the test's cgroup and take the stock over: the
 * helpers are forked before, and signal through shared memory.
 *
 * TAP on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "../common/cgroup.h"
#include "../common/tap.h"

#define CG_SELF		"/sys/fs/cgroup/stock-self"
#define CG_LIMITED	"/sys/fs/cgroup/stock-limited"
#define PAGE		4096

/* What the helpers on CPU 0 and the test on CPU 1 share: no syscalls */
struct shared {
	atomic_int client_ready;	/* the client is in CG_LIMITED */
	atomic_int set_max;		/* the writer may write memory.max */
	atomic_int max_set;		/* 1 written, -errno failed */
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

static int alloc(int heap, size_t len, int charge_pid_fd)
{
	struct dma_heap_allocation_data data = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
		.charge_pid_fd = charge_pid_fd,
	};

	return ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) ? -errno : (int)data.fd;
}

/* A child on CPU 0: the client in CG_LIMITED, or memory.max's writer. */
static pid_t helper(struct shared *sh, bool writer)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	if (pin(0))
		_exit(1);
	if (!writer) {
		if (cg_write_file(CG_LIMITED "/cgroup.procs", "0"))
			_exit(1);
		atomic_store(&sh->client_ready, 1);
		for (;;)
			pause();
	}
	while (!atomic_load(&sh->set_max))
		usleep(1000);
	atomic_store(&sh->max_set,
		     cg_write_file(CG_LIMITED "/memory.max", "131072") ?: 1);
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
	int heap, big, small, pidfd, dir, ret;
	pid_t client, writer;
	struct shared *sh;
	long before;

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
	    cg_write_file(CG_SELF "/cgroup.procs", "0") || pin(1)) {
		printf("1..0 # SKIP setup: %s\n", strerror(errno));
		return 4;
	}
	dir = open(CG_LIMITED, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	client = helper(sh, false);
	writer = helper(sh, true);
	while (!atomic_load(&sh->client_ready))
		sched_yield();
	pidfd = syscall(SYS_pidfd_open, client, 0);

	/* From here to the transfer: no file opened, nothing printed. */
	before = events_max();
	big = alloc(heap, 48 * PAGE, 0);
	small = alloc(heap, PAGE, pidfd);
	kill(client, SIGKILL);
	atomic_store(&sh->set_max, 1);
	while (!atomic_load(&sh->max_set))
		sched_yield();
	xfer.target_fd = dir;
	ret = ioctl(big, DMA_BUF_IOCTL_XFER_CHARGE, &xfer) ? errno : 0;

	check(big >= 0, "a 48-page buffer, charged to the test's cgroup");
	check(small >= 0,
	      "a 4 KiB buffer charged to a client in \"limited\" (its stock: 63 pages)");
	check(atomic_load(&sh->max_set) == 1,
	      "memory.max of \"limited\" set to 32 pages, from CPU 0");
	check(ret == ENOMEM,
	      "moving 48 pages to a 32-page memory.max fails at once (%s), stock or not",
	      ret ? strerror(ret) : "it succeeded");
	check(events_max() == before + 1,
	      "one \"max\" event in \"limited\" (%ld before, %ld after)", before, events_max());
	check(cg_dmabuf(CG_SELF) == 48 * PAGE && cg_dmabuf(CG_LIMITED) == PAGE,
	      "the 48 pages stay charged to the test's cgroup, the 4 KiB to \"limited\"");

	close(big);
	close(small);
	waitpid(client, NULL, 0);
	waitpid(writer, NULL, 0);
	return tap_done();
}
