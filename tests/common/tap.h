/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for the project's C test programs: numbered results, skips,
 * diagnostics and the plan, which tests/run counts against each other.
 */
#ifndef DMABUF_TESTS_TAP_H
#define DMABUF_TESTS_TAP_H

#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* __printf, as the kernel spells it (checkpatch asks for it) */
#define tap_attribute(x) __attribute__(x)
#define tap_printf(fmt, args) tap_attribute((format(printf, fmt, args)))

/*
 * Print "ok N - WHAT" or "not ok N - WHAT" (WHAT from @fmt), remember a
 * failure, and return @ok.
 */
tap_printf(2, 3) bool check(bool ok, const char *fmt, ...);

/* Print "ok N - WHAT # SKIP WHY". */
void skip(const char *what, const char *why);

/* Print "# ..." (a diagnostic line, which TAP ignores). */
tap_printf(1, 2) void diag(const char *fmt, ...);

/*
 * Count @n results that a child process printed, numbered on from this
 * process's count when it forked; and a failure if @any_failed (the
 * child's exit status, say). The results that follow are numbered after
 * them.
 */
void tap_add(int n, bool any_failed);

/* The number of results printed so far */
int tap_results(void);

/* Whether any result failed */
bool tap_failed(void);

/* Print the plan "1..N" for the results printed; 0, or 1 if any failed. */
int tap_done(void);

/* The number of fds this process has open, -1 if /proc cannot tell */
int fd_count(void);

#endif
