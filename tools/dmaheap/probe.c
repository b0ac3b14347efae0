// SPDX-License-Identifier: GPL-2.0
/*
 * dmaheap probe: does the running kernel honour charge_pid_fd, and does it
 * charge heap buffers at all (dma_heap.mem_accounting)?
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dmaheap.h"
#include "errors.h"
#include "verbs.h"

/* probe's third answer, after 0 (supported) and 1 (not) */
#define EXIT_CANNOT_TELL 2

#define MEM_ACCOUNTING "/sys/module/dma_heap/parameters/mem_accounting"

/* 1 if the memory controller is on a cgroup v1 hierarchy, else 0 */
static int memory_on_v1(void)
{
	char line[4096], *ctrl, *end;
	int v1 = 0;
	FILE *f;

	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return 0;
	/* "ID:CONTROLLERS:PATH"; cgroup v2's line is "0::PATH" */
	while (!v1 && fgets(line, sizeof(line), f)) {
		ctrl = strchr(line, ':');
		end = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!end)
			continue;
		*end = '\0';
		for (ctrl = strtok(ctrl + 1, ","); ctrl; ctrl = strtok(NULL, ","))
			v1 |= !strcmp(ctrl, "memory");
	}
	fclose(f);
	return v1;
}

/* 1 on, 0 off, -ENOENT without the parameter, or another -errno */
static int mem_accounting(void)
{
	FILE *f = fopen(MEM_ACCOUNTING, "re");
	int c;

	if (!f)
		return -errno;
	c = fgetc(f);
	fclose(f);
	return c == 'Y' || c == '1';
}

/* One line of the answer: @what, then the parts up to a NULL, blank-separated */
static void say(const char *what, ...)
{
	const char *part, *sep = ": ";
	va_list ap;

	fputs(what, stdout);
	va_start(ap, what);
	while ((part = va_arg(ap, const char *))) {
		printf("%s%s", sep, part);
		sep = " ";
	}
	va_end(ap);
	putchar('\n');
}

static void print_accounting(int supported)
{
	int on = mem_accounting();

	if (on == 1)
		say("mem_accounting", "on: heap buffers are charged,",
		    "as memory.stat's dmabuf", NULL);
	else if (!on && supported)
		say("mem_accounting", "off: nothing is charged;",
		    "charge_pid_fd is still checked, and transfers fail with",
		    "EOPNOTSUPP (boot with dma_heap.mem_accounting=1)", NULL);
	else if (!on)
		say("mem_accounting", "off: nothing is charged",
		    "(boot with dma_heap.mem_accounting=1)", NULL);
	else if (on == -ENOENT)
		say("mem_accounting", "no such parameter (" MEM_ACCOUNTING "):",
		    "this kernel does not charge heap buffers as dmabuf", NULL);
	else
		say("mem_accounting", "cannot read " MEM_ACCOUNTING ":",
		    strerror(-on), NULL);
}

/* What the charged calls do where charge_pid_fd is not honoured */
#define CHARGED_CALLS_FAIL \
	"charged calls (alloc --for-pid, --for-cgroup, xfer) fail with EOPNOTSUPP"

int cmd_probe(const struct args *a)
{
	int ret = dmaheap_probe();

	(void)a;
	/*
	 * The series refuses a charge_pid_fd that is no pidfd before it
	 * looks at the hierarchy: with memory on v1 the probe says yes, and
	 * every charge to another cgroup fails.
	 */
	if (ret >= 0 && memory_on_v1()) {
		say("charge_pid_fd", "not supported: the memory controller is",
		    "on a cgroup v1 hierarchy, where only the caller's own memory",
		    "cgroup is charged;", CHARGED_CALLS_FAIL, NULL);
		ret = 0;
	} else if (ret == 1) {
		say("charge_pid_fd", "supported: this kernel charges a buffer",
		    "to the memory cgroup of the process a pidfd names,",
		    "and moves charges", NULL);
	} else if (!ret) {
		say("charge_pid_fd", "not supported: this kernel lacks the memcg",
		    "accounting series and would ignore charge_pid_fd, charging",
		    "the caller instead; so", CHARGED_CALLS_FAIL, NULL);
	} else {
		error_report(HINT_PROBE | HINT_HEAP, ret,
			     "cannot tell whether this kernel honours charge_pid_fd");
	}
	print_accounting(ret == 1);
	if (ret < 0)
		return EXIT_CANNOT_TELL;
	return ret ? EXIT_DONE : EXIT_FAILED;
}
