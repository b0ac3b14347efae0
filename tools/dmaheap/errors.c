// SPDX-License-Identifier: GPL-2.0
/* Error messages, and the hint for each errno where it happened. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"

#define HINT_CHARGE	(HINT_PID | HINT_CGROUP)

/*
 * What an errno means in a context, and the way out: the hint is the
 * parts, with a blank between (short lines for checkpatch). First match
 * wins: the narrower contexts come first.
 */
#define HINT_PARTS 3
static const struct {
	unsigned int ctx;
	int err;
	const char *parts[HINT_PARTS];	/* NULL after the last */
} hints[] = {
	/* dmabuf-allocd: its socket, then what it replied */
	{ HINT_SOCKET, ENOENT,
	  { "no such socket: is dmabuf-allocd running?",
	    "(--service SOCKET names another)" } },
	{ HINT_SOCKET, ECONNREFUSED,
	  { "nobody listens on the socket: is dmabuf-allocd running?" } },
	{ HINT_SOCKET, ENAMETOOLONG,
	  { "a socket's path has at most 107 bytes" } },
	{ HINT_SOCKET, EACCES,
	  { "no permission to connect to the socket (see its owner and mode)" } },
	{ HINT_FORWARD, EPERM,
	  { "dmabuf-allocd refused: it charges another process only for the",
	    "peers its command line trusts, and needs authority over that",
	    "process's cgroup (see README: who may charge whom)" } },
	{ HINT_SERVICE, EPERM,
	  { "dmabuf-allocd may not charge the caller's cgroup: it needs",
	    "CAP_SYS_RESOURCE, or the cgroup must be in the subtree delegated",
	    "to its uid (see its log)" } },
	{ HINT_SERVICE, EFBIG,
	  { "the buffer is larger than dmabuf-allocd allows (its --max-size)" } },
	{ HINT_SERVICE, EOPNOTSUPP,
	  { "dmabuf-allocd cannot charge its clients: the kernel lacks the",
	    "memcg accounting series or charges nothing (see its log)" } },
	{ HINT_SERVICE, EPROTO,
	  { "the reply does not follow the wire format:",
	    "is that socket dmabuf-allocd's?" } },
	{ HINT_SERVICE, EPROTONOSUPPORT,
	  { "dmabuf-allocd speaks another version of the wire format:",
	    "update libdmaheap or the service" } },
	{ HINT_SERVICE, EPIPE,
	  { "dmabuf-allocd closed the connection (see its log)" } },
	{ HINT_SERVICE, ECONNRESET,
	  { "dmabuf-allocd closed the connection (see its log)" } },

	/* taking another process's fd with pidfd_getfd() */
	{ HINT_GETFD, EPERM,
	  { "taking another process's fd needs ptrace rights over it:",
	    "run as its user (as kernel.yama.ptrace_scope allows)",
	    "or with CAP_SYS_PTRACE" } },
	{ HINT_GETFD, ESRCH, { "there is no such process" } },
	{ HINT_GETFD, EBADF, { "that process has no such fd" } },
	{ HINT_PIDFD, ESRCH, { "there is no such process (it has exited?)" } },

	/* reading fdinfo */
	{ HINT_INFO, ENOENT,
	  { "there is no such process, or it has no such fd" } },
	{ HINT_INFO, EACCES,
	  { "no permission to read that process's fdinfo:",
	    "run as its user or as root" } },
	{ HINT_INFO, EBADF, { "that fd is not a dma-buf (or not open)" } },
	{ HINT_INFO, EOPNOTSUPP,
	  { "this kernel's fdinfo does not name the charged cgroup:",
	    "it lacks the memcg accounting series (see dmaheap probe)" } },

	/* charges: to a process, to a cgroup directory, moved */
	{ HINT_CHARGE, EPERM,
	  { "the caller needs authority over the target's cgroup or",
	    "CAP_SYS_RESOURCE (see README: who may charge whom)" } },
	{ HINT_PID, EACCES,
	  { "a security module refused the charge",
	    "(SELinux: dma_buf { charge }; see the audit log)" } },
	{ HINT_CGROUP, EACCES,
	  { "a security module refused the charge",
	    "(SELinux: dma_buf { charge_cgroup }; see the audit log),",
	    "or the directory cannot be opened" } },
	{ HINT_PID, ESRCH, { "the target process has exited" } },
	{ HINT_PID, EBADF, { "the target is not a process (not a pidfd)" } },
	{ HINT_CGROUP, ENOENT,
	  { "no such cgroup directory (or it was removed meanwhile)" } },
	{ HINT_CGROUP, ENOTDIR,
	  { "not a directory: give a cgroup v2 directory,",
	    "such as /sys/fs/cgroup/NAME" } },
	{ HINT_CGROUP, EBADF,
	  { "not a cgroup v2 directory (a cgroup v1 one cannot be charged)" } },
	{ HINT_XFER, EOPNOTSUPP,
	  { "the charge cannot move: the kernel lacks the memcg accounting",
	    "series, dma_heap.mem_accounting is off, memory is on cgroup v1,",
	    "or the buffer is not from a dma-buf heap (see dmaheap probe)" } },
	{ HINT_CHARGE, EOPNOTSUPP,
	  { "this kernel cannot charge another cgroup: it lacks the memcg",
	    "accounting series, dma_heap.mem_accounting is off, or memory is",
	    "on cgroup v1 (see dmaheap probe)" } },
	{ HINT_XFER, EINVAL,
	  { "the target cannot be charged: it is the root cgroup (or a",
	    "process in it), or cgroup.memory=nokmem; or PID is a thread id",
	    "(give its process's pid)" } },
	{ HINT_PID | HINT_PIDFD, EINVAL,
	  { "PID is a thread id, not a process's: give its process's pid" } },
	{ HINT_CGROUP, EINVAL,
	  { "the target cannot be charged: it is the root cgroup,",
	    "or cgroup.memory=nokmem" } },
	{ HINT_CHARGE, ENOMEM,
	  { "the charged cgroup's memory.max leaves no room for the buffer",
	    "(see its memory.events), or the heap is out of memory" } },
	{ HINT_XFER, EBADF, { "that fd is not a dma-buf" } },

	/* the heap itself */
	{ HINT_PROBE, ENOENT,
	  { "there is no dma-buf heap to ask (dmaheap list)" } },
	{ HINT_HEAP, ENOENT, { "no such heap (dmaheap list shows them)" } },
	{ HINT_HEAP, EACCES,
	  { "no permission to open the heap's device in /dev/dma_heap" } },
	{ HINT_HEAP, EINVAL,
	  { "a heap name is a file name in /dev/dma_heap",
	    "(dmaheap list shows them)" } },
	{ HINT_HEAP, ENOMEM,
	  { "the caller's cgroup's memory.max leaves no room for the buffer",
	    "(see its memory.events), or the heap is out of memory" } },
	{ HINT_HEAP, EMFILE,
	  { "too many open files: hold fewer buffers, or raise ulimit -n" } },
};

char *error_hint(unsigned int ctx, int err, char *buf, size_t len)
{
	size_t i, j, n;

	if (err < 0)
		err = -err;
	for (i = 0; i < ARRAY_SIZE(hints); i++) {
		if (!(hints[i].ctx & ctx) || hints[i].err != err)
			continue;
		buf[0] = '\0';
		for (j = 0; j < HINT_PARTS && hints[i].parts[j]; j++) {
			n = strlen(buf);
			snprintf(buf + n, len - n, "%s%s", j ? " " : "",
				 hints[i].parts[j]);
		}
		return buf;
	}
	return NULL;
}

char *error_format(char *buf, size_t len, unsigned int ctx, int err,
		   const char *what)
{
	char hint[512];
	const char *h = error_hint(ctx, err, hint, sizeof(hint));

	if (err < 0)
		err = -err;
	snprintf(buf, len, "%s: %s%s%s", what, strerror(err),
		 h ? ": " : "", h ? h : "");
	return buf;
}

void error_report(unsigned int ctx, int err, const char *fmt, ...)
{
	char what[4096 + 256], line[sizeof(what) + 1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, "dmaheap: %s\n",
		error_format(line, sizeof(line), ctx, err, what));
}
