/* SPDX-License-Identifier: GPL-2.0 */
/* Allocation from a dma-buf heap, optionally charged to another process. */
#ifndef DMABUF_ALLOC_HEAP_H
#define DMABUF_ALLOC_HEAP_H

#include <stddef.h>
#include <sys/types.h>

/*
 * heap_alloc - allocate @len bytes from /dev/dma_heap/@heap
 * @charge_pid: charge the buffer to this process's memory cgroup; 0 for
 *	the caller's own
 * @thread: @charge_pid is a thread id, open it with PIDFD_THREAD
 *
 * Returns the dma-buf fd (O_CLOEXEC) or a negative errno.
 */
int heap_alloc(const char *heap, size_t len, pid_t charge_pid, int thread);

/*
 * heap_charge_cgroup - move the charge of dma-buf @buf to a cgroup
 * @cgroup: path of a cgroup v2 directory
 *
 * Returns 0 or a negative errno (DMA_BUF_IOCTL_XFER_CHARGE's, or open's).
 */
int heap_charge_cgroup(int buf, const char *cgroup);

#endif
