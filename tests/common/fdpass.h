/* SPDX-License-Identifier: GPL-2.0 */
/* A message and an optional fd over a UNIX socket (SCM_RIGHTS). */
#ifndef DMABUF_TESTS_FDPASS_H
#define DMABUF_TESTS_FDPASS_H

#include <stddef.h>

/* Send @len bytes with @fd (-1: none): 0, or -1 with errno. */
int fdpass_send(int sock, const void *data, size_t len, int fd);

/*
 * Receive exactly @len bytes and the fd that came with them (-1: none),
 * close-on-exec: 0, or -1 (errno set, or a message of another length).
 */
int fdpass_recv(int sock, void *data, size_t len, int *fd);

#endif
