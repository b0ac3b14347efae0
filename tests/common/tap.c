// SPDX-License-Identifier: GPL-2.0
/* TAP output for the project's C test programs. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>

#include "tap.h"

static int results;
static bool failed;

bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++results);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* The line is whole before a crash or a fork can lose or copy it. */
	fflush(stdout);
	failed |= !ok;
	return ok;
}

void skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++results, what, why);
	fflush(stdout);
}

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void tap_add(int n, bool any_failed)
{
	results += n;
	failed |= any_failed;
}

int tap_results(void)
{
	return results;
}

bool tap_failed(void)
{
	return failed;
}

int tap_done(void)
{
	printf("1..%d\n", results);
	fflush(stdout);
	return failed;
}

int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	/* ".", ".." and the directory's own fd */
	return n - 3;
}
