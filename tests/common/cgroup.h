/* SPDX-License-Identifier: GPL-2.0 */
/* cgroup v2 and dma-buf helpers shared by the project's test programs. */
#ifndef DMABUF_TESTS_CGROUP_H
#define DMABUF_TESTS_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * How far a cgroup's memory.current may be from what a test expects (its
 * baseline, taken before the test's work, plus what the test knows it
 * charged) and still count as equal: 1 MiB either way.
 *
 * memory.current is not only the test's buffers. Each CPU keeps a stock of
 * up to MEMCG_CHARGE_BATCH (64) pages, 256 KiB, charged to one cgroup ahead
 * of use, and a dma-buf uncharge returns its pages to that stock rather
 * than to the counter: with the VM's 2 CPUs that is up to 512 KiB either
 * way, as a baseline may be read with a stock that is drained later or the
 * other way round. Then the test's processes fault in and free a few pages
 * of stack and heap, and slab objects (files, pids, pipes) charged to a
 * cgroup are freed after an RCU grace period: tens of KiB. 1 MiB covers both
 * with room to spare, and is still a quarter of the smallest buffer that
 * dmabuf-hops leaves charged. It catches an uncharge that is lost or done
 * twice (memory.stat's "dmabuf" cannot: it reads 0 either way) as soon as
 * it is 1 MiB, or accumulates to 1 MiB, and a counter that went below 0:
 * page_counter_cancel() then warns (vm/run fails the run on it) and resets
 * it to 0, but memory.current prints the counter as unsigned, and a read
 * before the reset is close to 2^64.
 */
#define CG_CURRENT_SLACK (1024ULL * 1024)

/* Write @text to the file at @path: 0, or a negative errno. */
int cg_write_file(const char *path, const char *text);

/*
 * Read the file at @path into @buf, NUL-terminated, at most @size - 1
 * bytes: the number read, or -1 if it cannot be read or is empty.
 */
ssize_t cg_read_file(const char *path, char *buf, size_t size);

/* The "dmabuf" key of @cgroup's memory.stat in bytes, or -1. */
long cg_dmabuf(const char *cgroup);

/*
 * Whether @cgroup's "dmabuf" reads @expect within 5 s. memory.stat is
 * flushed lazily: a change smaller than 64 pages per online CPU shows
 * only after the periodic flush (every 2 s) or a larger change.
 */
bool cg_dmabuf_settles(const char *cgroup, long expect);

/* @cgroup's memory.current in @bytes: 0, or -1 if it cannot be read. */
int cg_memory_current(const char *cgroup, unsigned long long *bytes);

/* Whether @bytes is within CG_CURRENT_SLACK of @expected, either way. */
bool cg_current_near(unsigned long long bytes, unsigned long long expected);

/* Whether the kernel runs with dma_heap.mem_accounting=1. */
bool dmabuf_accounting(void);

#endif
