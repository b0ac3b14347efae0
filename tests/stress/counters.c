// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-lifecycle: the per-operation counters, the errnos each operation
 * may return, and small cgroup file helpers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cgroup.h"
#include "lifecycle.h"

struct shared *sh;

/* The errnos counted one by one; slot RES_OTHER counts the rest. */
static const int result_errno[RES_OTHER] = {
	0, ENOMEM, ESRCH, ENOENT, EBUSY, EBADF, EINVAL, EEXIST, ENODEV, EAGAIN,
};

static const char *const result_name[NR_RESULTS] = {
	"ok", "ENOMEM", "ESRCH", "ENOENT", "EBUSY", "EBADF", "EINVAL",
	"EEXIST", "ENODEV", "EAGAIN", "other",
};

#define R(e)	(1U << (e))
#define OK	0
#define NOMEM	1
#define SRCH	2
#define NOENT	3
#define BUSY	4
#define BADF	5
#define INVAL	6
#define EXIST	7
#define NODEV	8
#define AGAIN	9

static const struct {
	const char *name;
	unsigned int expected;	/* R(result) for each result allowed */
} ops[NR_OPS] = {
	[OP_ALLOC_SELF]	  = { "alloc-self", R(OK) | R(NOMEM) },
	[OP_ALLOC_CLIENT] = { "alloc-client", R(OK) | R(NOMEM) | R(SRCH) },
	/* A pidfd that poll() says has exited must be refused. */
	[OP_ALLOC_EXITED] = { "alloc-exited", R(SRCH) },
	[OP_CLOSE]	  = { "close", R(OK) },
	[OP_PIDFD_OPEN]	  = { "pidfd-open", R(OK) | R(SRCH) },
	[OP_XFER_PID]	  = { "xfer-pid", R(OK) | R(NOMEM) | R(SRCH) },
	[OP_XFER_EXITED]  = { "xfer-exited", R(SRCH) },
	[OP_OPEN_CG]	  = { "open-cg", R(OK) | R(NOENT) },
	[OP_XFER_CG]	  = { "xfer-cg", R(OK) | R(NOMEM) | R(NOENT) | R(BADF) },
	[OP_XFER_OLD_CG]  = { "xfer-old-cg",
			      R(OK) | R(NOMEM) | R(NOENT) | R(BADF) },
	/* Nothing can be charged to the root: a transfer there is refused. */
	[OP_XFER_ROOT]	  = { "xfer-root", R(INVAL) },
	[OP_MKDIR]	  = { "mkdir", R(OK) | R(EXIST) | R(NOMEM) },
	[OP_RMDIR]	  = { "rmdir", R(OK) | R(BUSY) | R(NOENT) },
	[OP_SET_MAX]	  = { "set-max", R(OK) | R(NOENT) | R(NODEV) },
	[OP_SET_HIGH]	  = { "set-high", R(OK) | R(NOENT) | R(NODEV) },
	[OP_FORK]	  = { "fork", R(OK) | R(AGAIN) | R(NOMEM) },
	[OP_MOVE]	  = { "move", R(OK) | R(NOENT) | R(NODEV) | R(SRCH) },
	[OP_KILL]	  = { "kill", R(OK) | R(SRCH) },
	[OP_CLIENT_EXIT]  = { "client-exit", R(OK) },
	[OP_CLIENT_OOM]	  = { "client-oom", R(OK) },
	[OP_RACE_MKDIR]	  = { "race-mkdir", R(OK) | R(NOMEM) },
	[OP_RACE_RMDIR]	  = { "race-rmdir", R(OK) },
	[OP_RACE_OPEN]	  = { "race-open", R(OK) | R(NOENT) },
	[OP_RACE_XFER]	  = { "race-xfer", R(OK) | R(NOMEM) | R(NOENT) | R(BADF) },
};

static int result_of(int err)
{
	int i;

	for (i = 0; i < RES_OTHER; i++)
		if (result_errno[i] == err)
			return i;
	return RES_OTHER;
}

/* Count @op's result: 0 for success, else its errno. */
void tally(enum op op, int err)
{
	static atomic_int reported;	/* per process: the first few will do */
	int res = result_of(err);

	atomic_fetch_add_explicit(&sh->count[op][res], 1, memory_order_relaxed);
	if (ops[op].expected & R(res))
		return;
	atomic_fetch_add(&sh->unexpected, 1);
	if (atomic_fetch_add(&reported, 1) < 10)
		printf("# %s (pid %d): unexpected %s\n", ops[op].name, getpid(),
		       err ? strerror(err) : "success");
}

long op_count(enum op op, int err)
{
	return atomic_load(&sh->count[op][result_of(err)]);
}

void print_counts(void)
{
	char line[256];
	int op, res, len;
	long n;

	for (op = 0; op < NR_OPS; op++) {
		len = snprintf(line, sizeof(line), "# %-13s", ops[op].name);
		for (res = 0; res < NR_RESULTS; res++) {
			n = atomic_load(&sh->count[op][res]);
			if (!n && res)
				continue;
			len += snprintf(line + len, sizeof(line) - len,
					"%s %ld %s", res ? "," : "", n,
					result_name[res]);
		}
		printf("%s\n", line);
	}
}

/* Write @text to @path: 0, or the errno of the open or the write. */
int put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		err = errno;
	else if (n != (ssize_t)strlen(text))
		err = EIO;
	close(fd);
	return err;
}

/*
 * The number after "@key " in the file at @path, or with @key NULL the
 * number the file starts with ("max" reads as LONG_MAX); -1 if none.
 */
long get_value(const char *path, const char *key)
{
	char buf[8192], *p = buf;
	size_t klen = key ? strlen(key) : 0;

	if (cg_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!key)
		return strncmp(buf, "max", 3) ? strtol(buf, NULL, 10) : LONG_MAX;
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtol(p + klen + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

void pool_path(char *buf, size_t size, int i)
{
	snprintf(buf, size, PARENT "/cg%d", i);
}
