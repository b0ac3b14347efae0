// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top: where dma-buf memory goes. Per cgroup, what memory.stat
 * charges it ("dmabuf") next to what its processes hold; per buffer, which
 * cgroup pays and who holds it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: dmabuf-top [-b] [-a] [-c CGROUP] [-d SECONDS [-n COUNT]] [--json]\n"
		"                  [--cgroup-root DIR]\n"
		"Where dma-buf memory goes: per cgroup, the bytes charged to it\n"
		"(memory.stat \"dmabuf\", its subtree included), the bytes of the\n"
		"buffers its processes hold (through fds or mappings, each buffer once),\n"
		"the difference, and each buffer split evenly among the cgroups that\n"
		"hold it (PROPORTIONAL). Sorted by charged bytes.\n"
		"  -b, --buffers      every buffer: size, exporter, name, the cgroup it\n"
		"                     is charged to, its holders; '!' marks a buffer none\n"
		"                     of whose holders lives in the charged cgroup\n"
		"  -a, --all          also cgroups with nothing charged or held\n"
		"  -c, --cgroup PATH  only this cgroup's subtree (a path as in\n"
		"                     /proc/PID/cgroup, e.g. /system.slice)\n"
		"  -d, --delay SECS   refresh every SECS seconds (in place on a terminal)\n"
		"  -n, --iterations N with -d: stop after N snapshots\n"
		"      --json         one JSON document per snapshot (docs/dmabuf-top.md)\n"
		"      --cgroup-root DIR  where cgroup2 is mounted (default: from\n"
		"                     /proc/self/mountinfo)\n"
		"Without root, the processes whose fds cannot be read are left out,\n"
		"and a line on stderr says how many.\n"
		"Exit status: 0, 1 if no snapshot could be taken, 2 on bad usage.\n");
}

static int snapshot_once(const char *root, const struct report_options *opt,
			 bool json, bool clear)
{
	struct snapshot snap;
	int ret;

	ret = snapshot_take(&snap, root);
	if (ret) {
		if (ret == -ENOENT && !root)
			fprintf(stderr, "%s%s\n", "dmabuf-top: no cgroup2 mount found ",
				"(mount -t cgroup2 none /sys/fs/cgroup, or --cgroup-root)");
		else
			fprintf(stderr, "dmabuf-top: %s: %s\n",
				snap.cgroup_root ? snap.cgroup_root : "snapshot",
				strerror(-ret));
		snapshot_free(&snap);
		return 1;
	}
	if (opt->subtree && snapshot_cgroup(&snap, opt->subtree) < 0)
		fprintf(stderr, "dmabuf-top: no cgroup %s (now)\n", opt->subtree);
	if (clear)
		fputs("\033[H\033[2J", stdout);
	if (json)
		report_json(stdout, &snap, opt);
	else
		report_table(stdout, &snap, opt);
	fflush(stdout);
	report_unreadable(stderr, &snap);
	snapshot_free(&snap);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "buffers", no_argument, NULL, 'b' },
		{ "all", no_argument, NULL, 'a' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "cgroup-root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct report_options opt = { 0 };
	const char *root = NULL;
	long iterations = 0, i;
	double delay = 0;
	bool json = false;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "bac:d:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			opt.buffers = true;
			break;
		case 'a':
			opt.all = true;
			break;
		case 'c':
			if (optarg[0] != '/') {
				fprintf(stderr, "%s%s\n", "dmabuf-top: -c takes a cgroup path ",
					"starting with '/', as in /proc/PID/cgroup");
				return 2;
			}
			opt.subtree = optarg;
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || !(delay > 0)) {
				fprintf(stderr, "dmabuf-top: -d takes a number of seconds > 0\n");
				return 2;
			}
			break;
		case 'n':
			iterations = strtol(optarg, &end, 10);
			if (*end || iterations <= 0) {
				fprintf(stderr, "dmabuf-top: -n takes a count > 0\n");
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'r':
			root = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (iterations && !delay)) {
		print_usage(stderr);
		return 2;
	}
	if (!delay)
		return snapshot_once(root, &opt, json, false);
	for (i = 0; !iterations || i < iterations; i++) {
		struct timespec ts = { (time_t)delay,
				       (long)((delay - (time_t)delay) * 1e9) };

		if (i)
			nanosleep(&ts, NULL);
		ret = snapshot_once(root, &opt, json, !json && isatty(STDOUT_FILENO));
		if (ret)
			return ret;
	}
	return 0;
}
