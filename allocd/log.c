// SPDX-License-Identifier: GPL-2.0
/*
 * The log: plain lines on stderr, which systemd puts in the journal. Each
 * line is written with one write() so that lines do not mix.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static bool log_quiet;

int log_init(bool quiet)
{
	int fd;

	log_quiet = quiet;
	for (fd = 0; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free fd: this one. */
		if (open("/dev/null", O_RDWR) != fd)
			return -EBADF;
	}
	return 0;
}

static void emit(const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDERR_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

static void vlog(const char *fmt, va_list ap)
{
	char buf[LOG_LINE_MAX];
	int n;

	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	emit(buf, n);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

bool log_ratelimit_at(struct log_ratelimit *r, long long now_ms,
		      unsigned int *events)
{
	r->count++;
	if (now_ms < r->next_ms)
		return false;
	*events = r->count;
	r->count = 0;
	r->next_ms = now_ms + 1000;
	return true;
}

bool log_ratelimit(struct log_ratelimit *r, unsigned int *events)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return log_ratelimit_at(r, ts.tv_sec * 1000LL + ts.tv_nsec / 1000000,
				events);
}

const char *log_errno_name(int err, char *buf, size_t size)
{
	const char *name;

	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, size, "E%d", err);
	return buf;
}

/* Appends to a line buffer; what does not fit is cut. */
struct line {
	char *buf;
	size_t size, len;
};

__printf(2, 3)
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= l->size - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < l->size - l->len ? (size_t)n :
			  l->size - l->len - 1;
}

/*
 * " key=\"value\"", escaped, and cut (ending in "...") past LOG_FIELD_MAX
 * bytes, so that whatever comes after it in the line still fits; NULL
 * prints key=?
 */
static void put_quoted(struct line *l, const char *key, const char *s)
{
	char esc[8];
	size_t used = 0;
	unsigned char c;

	if (!s) {
		put(l, " %s=?", key);
		return;
	}
	put(l, " %s=\"", key);
	for (; (c = *s); s++) {
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		used += strlen(esc);
		if (used > LOG_FIELD_MAX) {
			put(l, "...");
			break;
		}
		put(l, "%s", esc);
	}
	put(l, "\"");
}

size_t log_format_decision(char *buf, size_t size,
			   const struct log_decision *d)
{
	struct line l = { .buf = buf, .size = size - 1 };
	char ebuf[16];

	put(&l, "alloc pid=%d uid=%u", (int)d->pid, (unsigned int)d->uid);
	put_quoted(&l, "cgroup", d->cgroup);
	if (d->for_pid > 0) {
		put(&l, " for=%d", (int)d->for_pid);
		put_quoted(&l, "for_cgroup", d->for_cgroup);
	} else {
		put(&l, " for=%s", d->for_pid == LOG_FOR_SELF ? "self" :
		    d->for_pid == LOG_FOR_EXITED ? "exited" : "badfd");
	}
	if (d->heap) {
		put_quoted(&l, "heap", d->heap);
		put(&l, " size=%llu", (unsigned long long)d->size);
		put_quoted(&l, "name", d->name);
	}
	if (!d->status) {
		put(&l, " result=ok");
		if (d->charged && !d->charged[0])
			put(&l, " charged=none");
		else
			put_quoted(&l, "charged", d->charged);
		put(&l, " charged_id=%llu", (unsigned long long)d->charged_id);
	} else {
		put(&l, " result=%s", log_errno_name(d->status, ebuf,
						     sizeof(ebuf)));
		put_quoted(&l, "reason", d->reason ? d->reason :
			   strerror(-d->status));
	}
	buf[l.len++] = '\n';
	buf[l.len] = '\0';
	return l.len;
}

bool log_decision_wanted(const struct log_decision *d)
{
	return !log_quiet || d->status;
}

void log_decision(const struct log_decision *d)
{
	char buf[LOG_LINE_MAX];
	size_t len;

	if (!log_decision_wanted(d))
		return;
	len = log_format_decision(buf, sizeof(buf), d);
	emit(buf, len);
}

size_t log_format_refused(char *buf, size_t size, pid_t pid, uid_t uid,
			  const char *cgroup, const char *reason)
{
	struct line l = { .buf = buf, .size = size - 1 };

	put(&l, "close pid=%d uid=%u", (int)pid, (unsigned int)uid);
	put_quoted(&l, "cgroup", cgroup);
	put_quoted(&l, "reason", reason);
	buf[l.len++] = '\n';
	buf[l.len] = '\0';
	return l.len;
}

void log_refused(pid_t pid, uid_t uid, const char *cgroup,
		 const char *reason)
{
	char buf[LOG_LINE_MAX];

	emit(buf, log_format_refused(buf, sizeof(buf), pid, uid, cgroup,
				     reason));
}
