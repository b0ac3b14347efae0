/* SPDX-License-Identifier: GPL-2.0 */
/* The heaps dmabuf-allocd allocates from, opened once. */
#ifndef ALLOCD_HEAPS_H
#define ALLOCD_HEAPS_H

/* How many heaps the daemon keeps open. */
#define HEAPS_MAX 32

/*
 * heaps_open_all - open every heap of /dev/dma_heap, before the daemon
 * drops its privileges (the device nodes are usually root's only).
 * Returns how many it opened (each failure is logged), or -ENOMEM.
 */
int heaps_open_all(void);

/*
 * heaps_get - the fd of heap @name (a valid file name): one opened at
 * start, or else opened now and kept (a heap that appeared later). The fd
 * stays the table's. Errors: dmaheap_open()'s (-ENOENT: no such heap,
 * -EACCES), -ENOSPC if HEAPS_MAX heaps are open already.
 */
int heaps_get(const char *name);

/* heaps_close_all - close them all */
void heaps_close_all(void);

#endif
