/* SPDX-License-Identifier: GPL-2.0 */
/* dmabuf-allocd's log: one line per decision, on stderr. */
#ifndef ALLOCD_LOG_H
#define ALLOCD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "compiler.h"

/* What log_format_decision() writes at most, with the newline and NUL. */
#define LOG_LINE_MAX 2048
/*
 * A quoted field's value, escaped, at most: longer ones are cut and end in
 * "...". Six of them and the rest of a line fit in LOG_LINE_MAX, so that
 * the line always has its outcome.
 */
#define LOG_FIELD_MAX 256

/* Who a request was for, besides a pid. */
#define LOG_FOR_SELF	0
#define LOG_FOR_EXITED	(-1)	/* a pidfd whose process was reaped */
#define LOG_FOR_BADFD	(-2)	/* an fd that is not a pidfd */

/* One request and what came of it. */
struct log_decision {
	pid_t pid;		/* who asked (SO_PEERCRED) */
	uid_t uid;
	const char *cgroup;	/* NULL: unknown (the peer has exited) */
	pid_t for_pid;		/* a pid, or LOG_FOR_* */
	const char *for_cgroup;	/* NULL: unknown */
	/* The request's fields, each NUL-terminated, or NULL if not decoded */
	const char *heap;
	uint64_t size;
	const char *name;
	int status;		/* 0 or a negative errno */
	const char *reason;	/* why not */
	const char *charged;	/* the cgroup that pays; NULL: unknown */
	uint64_t charged_id;
};

/*
 * log_init - with @quiet, log errors only. Also opens /dev/null on fds 0,
 * 1 and 2 if they are closed, so that no file the daemon opens later
 * (a heap, a client's socket) becomes its stderr and takes its log lines.
 * Returns 0 or -errno (then the daemon must not go on).
 */
int log_init(bool quiet);

/* log_info, log_error - a line (no newline in @fmt); info is not -q's */
__printf(1, 2) void log_info(const char *fmt, ...);
__printf(1, 2) void log_error(const char *fmt, ...);

/*
 * log_format_decision - @d as one line, newline included, in @buf
 * (LOG_LINE_MAX bytes at least); returns its length. Strings the client
 * chose (heap, name) or could choose (cgroup paths) are quoted, with '"',
 * '\' and bytes outside printable ASCII escaped, so that a line is always
 * one line and cannot pass for another; and cut past LOG_FIELD_MAX bytes.
 */
size_t log_format_decision(char *buf, size_t size,
			   const struct log_decision *d);

/* Whether log_decision() would print @d: not when quiet and it succeeded */
bool log_decision_wanted(const struct log_decision *d);

/* log_decision - log @d: an error unless @d->status is 0 */
void log_decision(const struct log_decision *d);

/*
 * log_format_refused - "close pid=P uid=U cgroup=\"C\" reason=\"R\"\n", a
 * connection closed (or not taken) for @reason, in @buf; its length
 */
size_t log_format_refused(char *buf, size_t size, pid_t pid, uid_t uid,
			  const char *cgroup, const char *reason);

/* log_refused - log it, as an error */
void log_refused(pid_t pid, uid_t uid, const char *cgroup,
		 const char *reason);

/* A line that may stand for many: at most one a second. */
struct log_ratelimit {
	long long next_ms;	/* CLOCK_MONOTONIC: no line before */
	unsigned int count;	/* events not logged yet */
};

/*
 * log_ratelimit_at - count an event at @now_ms: true if a line may be
 * logged for it, then with in @events the count it stands for (this event
 * and those since the last line)
 */
bool log_ratelimit_at(struct log_ratelimit *r, long long now_ms,
		      unsigned int *events);

/* log_ratelimit - the same, now */
bool log_ratelimit(struct log_ratelimit *r, unsigned int *events);

/* log_errno_name - "EPERM" for -EPERM or EPERM; "E<n>" if unknown */
const char *log_errno_name(int err, char *buf, size_t size);

#endif
