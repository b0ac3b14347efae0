// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-bench: what dma-buf accounting costs, run in the guest by
 * bench/run (make bench), one "bench" line per figure on stdout (bench.h).
 *
 *   dmabuf-bench [--smoke] [--runs N] [--only GROUP,...] [--top PROCS,...]
 *   dmabuf-bench --loop N [--pidfd]
 *
 * GROUPs: alloc, depth, xfer, fdinfo, service, top (all of them by
 * default). --top gives the process counts of the dmabuf-top snapshots
 * (100,1000). --smoke measures one run of one operation per figure: it
 * shows that every figure can be measured, and its numbers mean nothing.
 *
 * It runs on any kernel: charge_pid_fd figures need the series (they are
 * left out without it), and transfers or the service fail with the errno
 * the kernel gives. Exit status 1 if any figure failed, 2 on bad usage.
 *
 * --loop is bench/profile's workload: N allocations of 4 KiB from the
 * system heap, each closed at once, charged to the caller (or with
 * --pidfd to a child in another cgroup), nothing measured or printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"
#include "dmaheap.h"
#include "../tests/common/cgroup.h"

static const char *const groups[] = {
	"alloc", "depth", "xfer", "fdinfo", "service", "top",
};

static void print_usage(FILE *to)
{
	fputs("usage: dmabuf-bench [--smoke] [--runs N] [--only GROUP,...]\n"
	      "                    [--top PROCS,...]\n"
	      "       dmabuf-bench --loop N [--pidfd]\n"
	      "GROUPs: alloc depth xfer fdinfo service top\n", to);
}

/* Whether @group is in the comma-separated @list (NULL: every group). */
static bool wanted(const char *list, const char *group)
{
	size_t len = strlen(group);
	const char *p = list;

	if (!list)
		return true;
	while ((p = strstr(p, group))) {
		if ((p == list || p[-1] == ',') && (!p[len] || p[len] == ','))
			return true;
		p += len;
	}
	return false;
}

static bool valid_list(const char *list)
{
	char *copy = strdup(list), *save = NULL, *g;
	bool ok = copy;
	unsigned int i;

	for (g = strtok_r(copy, ",", &save); ok && g;
	     g = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(groups); i++)
			if (!strcmp(g, groups[i]))
				break;
		ok = i < ARRAY_SIZE(groups);
	}
	free(copy);
	return ok;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "smoke", no_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "top", required_argument, NULL, 't' },
		{ "loop", required_argument, NULL, 'l' },
		{ "pidfd", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bench b = { .runs = 7 };
	const char *only = NULL, *top = "100,1000";
	struct utsname uts;
	bool pidfd = false;
	long loop = -1;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			b.smoke = true;
			break;
		case 'r':
			b.runs = strtol(optarg, &end, 10);
			if (*end || b.runs < 1 || b.runs > 1000) {
				fprintf(stderr, "dmabuf-bench: --runs: 1 to 1000\n");
				return 2;
			}
			break;
		case 'o':
			if (!valid_list(optarg)) {
				fprintf(stderr, "dmabuf-bench: --only: not a list of groups: %s\n",
					optarg);
				print_usage(stderr);
				return 2;
			}
			only = optarg;
			break;
		case 't':
			top = optarg;
			break;
		case 'l':
			loop = strtol(optarg, &end, 10);
			if (*end || loop < 0) {
				fprintf(stderr, "dmabuf-bench: --loop: a number of allocations\n");
				return 2;
			}
			break;
		case 'p':
			pidfd = true;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (pidfd && loop < 0)) {
		print_usage(stderr);
		return 2;
	}
	if (b.smoke)
		b.runs = 1;

	ret = cg_setup();
	if (ret) {
		fprintf(stderr, "dmabuf-bench: cgroups under %s: %s\n", CG_ROOT,
			strerror(-ret));
		return 1;
	}
	b.charge_pid_fd = dmaheap_probe() == 1;
	b.accounting = dmabuf_accounting();
	if (b.charge_pid_fd) {
		ret = spawn_sleeper(CG_CLIENT, &b.client_pidfd);
		/* charge_pid_fd 0 would mean the caller: never a client's */
		if (!ret && !b.client_pidfd)
			ret = -EBADF;
		if (ret) {
			fprintf(stderr, "dmabuf-bench: a client in %s: %s\n",
				CG_CLIENT, strerror(-ret));
			return 1;
		}
	}
	if (loop >= 0) {
		if (pidfd && !b.charge_pid_fd) {
			fputs("dmabuf-bench: --pidfd: this kernel has no charge_pid_fd\n",
			      stderr);
			return 1;
		}
		ret = loop_alloc(&b, loop, pidfd);
		if (ret)
			fprintf(stderr, "dmabuf-bench: --loop: %s\n", strerror(-ret));
		return ret ? 1 : 0;
	}
	uname(&uts);
	printf("# dmabuf-bench: Linux %s, charge_pid_fd %s, mem_accounting %s, ",
	       uts.release, b.charge_pid_fd ? "yes" : "no",
	       b.accounting ? "on" : "off");
	printf("%ld CPU online, %d runs%s\n", sysconf(_SC_NPROCESSORS_ONLN), b.runs,
	       b.smoke ? " (smoke)" : "");
	fflush(stdout);

	if (wanted(only, "alloc"))
		figures_alloc(&b);
	if (wanted(only, "depth"))
		figures_depth(&b);
	if (wanted(only, "xfer"))
		figures_xfer(&b);
	if (wanted(only, "fdinfo"))
		figures_fdinfo(&b);
	if (wanted(only, "service"))
		figures_service(&b);
	if (wanted(only, "top"))
		figures_top(&b, top);
	return bench_failed ? 1 : 0;
}
