/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libdmaheap's private functions. They are not static, so that the files
 * stay small, and are named dmaheap__*: the static library exports them,
 * the shared one does not (libdmaheap.map), and no program's name can
 * clash with them.
 */
#ifndef DMAHEAP_INTERNAL_H
#define DMAHEAP_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "dmaheap.h"

/* 0 if @name can be a file name in DMAHEAP_DEV_DIR, else -EINVAL */
int dmaheap__check_heap_name(const char *name);

/* 0 if @len and @fd_flags can be passed to the heap, else -EINVAL */
int dmaheap__check_alloc_args(size_t len, unsigned int fd_flags);

/* Both checks above, and @heap's name: 0, or the first error */
int dmaheap__check_heap_alloc(const char *heap, size_t len,
			      unsigned int fd_flags);

/* @fd_flags as the ioctl takes them: 0 becomes O_RDWR | O_CLOEXEC */
unsigned int dmaheap__fd_flags(unsigned int fd_flags);

/* dmaheap_list() of the directory @dir instead of DMAHEAP_DEV_DIR */
int dmaheap__list_dir(const char *dir, char ***names);

/* dmaheap_open() of a heap in the directory @dir */
int dmaheap__open_in(const char *dir, const char *name);

/* A pidfd (close-on-exec) of @pid: -EINVAL if @pid <= 0, -ESRCH if none */
int dmaheap__pidfd_open(pid_t pid);

/* close() an fd the library opened for itself, leaving errno alone */
void dmaheap__close(int fd);

/*
 * The fd to put in charge_pid_fd for @pidfd: @pidfd itself, or if it is 0
 * (which the field reads as "the caller") a duplicate >= 1, which
 * dmaheap__put_charge_fd() then closes.
 */
int dmaheap__get_charge_fd(int pidfd);
void dmaheap__put_charge_fd(int pidfd, int charge_fd);

/*
 * dmaheap_probe(), with @heap_fd (-1: none) as the heap to ask if the
 * answer is not known yet: the charged calls that have a heap open ask it
 * rather than look for one in DMAHEAP_DEV_DIR, if it can be shown to be a
 * heap (an O_PATH fd, say, fails every ioctl with the EBADF that means
 * "the series is there"); else they look for one.
 */
int dmaheap__probe(int heap_fd);

/*
 * The heap the probe asks, open (close-on-exec): "system" in @dir, else
 * the first of the others that opens. -ENOENT if there is none, -EACCES
 * if there are heaps but none opens.
 */
int dmaheap__find_heap(const char *dir);

/*
 * The probe's question, asked of the heap @heap_fd: 1, 0, or -errno. It
 * never closes an fd 0 it did not get from the kernel.
 */
int dmaheap__probe_ask(int heap_fd);

/* 0 if the kernel can charge another cgroup, else a negative errno */
int dmaheap__need_charge_support(int heap_fd);

/*
 * Parse the text of a dma-buf's fdinfo into @info: 0, -EBADF if it is not
 * the fdinfo of a dma-buf, -EOPNOTSUPP if it does not name the charged
 * cgroup.
 */
int dmaheap__parse_fdinfo(const char *text, struct dmaheap_info *info);

/* dmaheap_info() of the fdinfo file @path */
int dmaheap__info_path(const char *path, struct dmaheap_info *info);

#endif
