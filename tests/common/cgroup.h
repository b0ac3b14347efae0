/* SPDX-License-Identifier: GPL-2.0 */
/* cgroup v2 and dma-buf helpers shared by the project's test programs. */
#ifndef DMABUF_TESTS_CGROUP_H
#define DMABUF_TESTS_CGROUP_H

#include <stdbool.h>

/* Write @text to the file at @path: 0, or a negative errno. */
int cg_write_file(const char *path, const char *text);

/* The "dmabuf" key of @cgroup's memory.stat in bytes, or -1. */
long cg_dmabuf(const char *cgroup);

/* Whether the kernel runs with dma_heap.mem_accounting=1. */
bool dmabuf_accounting(void);

#endif
