/* SPDX-License-Identifier: GPL-2.0 */
/* libdmaheap's host unit tests: helpers shared by their files. */
#ifndef DMAHEAP_UNIT_TEST_H
#define DMAHEAP_UNIT_TEST_H

#include "../common/tap.h"

/*
 * Run @fn(@arg) in a child process (killed after 10 s); its exit status,
 * or -1 if it did not exit. CHILD_SKIP: the check cannot run here.
 */
#define CHILD_SKIP 77
int run_child(int (*fn)(void *arg), void *arg);

/*
 * In the calling process, for good: make every ioctl() with @request fail
 * with @err, or succeed without doing anything if @err is 0 (seccomp).
 */
int fake_ioctl(unsigned long request, int err);

void test_fdinfo(void);
void test_wire(void);
void test_probe(void);
void test_buffer(void);

#endif
