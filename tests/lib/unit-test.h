/* SPDX-License-Identifier: GPL-2.0 */
/* libdmaheap's host unit tests: TAP helpers shared by their files. */
#ifndef DMAHEAP_UNIT_TEST_H
#define DMAHEAP_UNIT_TEST_H

#include <stdbool.h>

/* Print "ok N - ..." or "not ok N - ..." and remember a failure. */
void check(bool ok, const char *fmt, ...);

/* The number of fds this process has open */
int fd_count(void);

void test_fdinfo(void);
void test_wire(void);

#endif
