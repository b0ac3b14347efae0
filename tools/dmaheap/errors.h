/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error messages: one line on stderr, "dmaheap: WHAT: strerror: HINT", the
 * hint saying what the errno means where it happened and the way out.
 */
#ifndef DMAHEAP_TOOL_ERRORS_H
#define DMAHEAP_TOOL_ERRORS_H

#include <stddef.h>

#include "compiler.h"

/* Where an errno came from: the same errno means different things. */
#define HINT_HEAP	BIT(0)	/* opening a heap, allocating */
#define HINT_PID	BIT(1)	/* charging a process's cgroup */
#define HINT_CGROUP	BIT(2)	/* charging a cgroup v2 directory */
#define HINT_SOCKET	BIT(3)	/* connecting to dmabuf-allocd */
#define HINT_SERVICE	BIT(4)	/* dmabuf-allocd's reply */
#define HINT_GETFD	BIT(5)	/* taking another process's fd */
#define HINT_INFO	BIT(6)	/* reading a buffer's fdinfo */
#define HINT_XFER	BIT(7)	/* moving a buffer's charge */
#define HINT_PIDFD	BIT(8)	/* opening a pidfd of a pid */
#define HINT_PROBE	BIT(9)	/* asking a heap about charge_pid_fd */
#define HINT_FORWARD	BIT(10)	/* dmabuf-allocd asked on another's behalf */

/*
 * error_hint - what @err (positive or negative) means in the contexts
 * @ctx (HINT_*), and what to do about it, into @buf of @len bytes
 *
 * Returns @buf, or NULL if there is nothing to add.
 */
char *error_hint(unsigned int ctx, int err, char *buf, size_t len);

/*
 * error_format - the message for @err in @ctx after @what, without the
 * "dmaheap: " prefix or a newline, into @buf of @len bytes. Returns @buf.
 */
char *error_format(char *buf, size_t len, unsigned int ctx, int err,
		   const char *what);

/* error_report - print "dmaheap: " and error_format()'s line on stderr */
__printf(3, 4)
void error_report(unsigned int ctx, int err, const char *fmt, ...);

#endif
