// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-alloc: allocate dma-buf heap buffers, optionally charged to another
 * process, hold them while a command runs, then free them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap.h"

#define MAX_BUFFERS 256

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: dmabuf-alloc [-H HEAP] [-p PID | -t TID] [-c CGROUP] SIZE...\n"
		"                    [-- CMD [ARG...]]\n"
		"Allocate one buffer per SIZE (bytes, or with a K, M or G suffix)\n"
		"from /dev/dma_heap/HEAP (default: system), charged to the memory\n"
		"cgroup of PID (or of thread TID), else to the caller's; with -c,\n"
		"then move its charge to the cgroup v2 directory CGROUP. Prints one\n"
		"line per buffer, then runs CMD while the buffers are held.\n"
		"Exit status: 0 if every allocation succeeded, 1 if any failed,\n"
		"2 on bad usage; CMD's own status is not reported.\n");
}

/* Returns the size in bytes, or 0 if @s is not a size. */
static size_t parse_size(const char *s)
{
	static const char units[] = "KMG";
	unsigned long long v;
	const char *unit;
	unsigned int shift;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return 0;
	if (!*end)
		return v;
	unit = strchr(units, toupper((unsigned char)*end));
	if (!unit || end[1])
		return 0;
	shift = 10 * (unit - units + 1);
	return v > SIZE_MAX >> shift ? 0 : v << shift;
}

static pid_t parse_pid(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return (*end || v <= 0 || v > 0x3fffffff) ? 0 : (pid_t)v;
}

static int run(char **argv)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "dmabuf-alloc: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *heap = "system";
	int fds[MAX_BUFFERS], nfds = 0, failed = 0, thread = 0, opt, i;
	const char *cgroup = NULL;
	pid_t charge_pid = 0;
	char **cmd = NULL;

	while ((opt = getopt(argc, argv, "+H:p:t:c:h")) != -1) {
		switch (opt) {
		case 'H':
			heap = optarg;
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 't':
		case 'p':
			thread = opt == 't';
			charge_pid = parse_pid(optarg);
			if (!charge_pid) {
				fprintf(stderr, "dmabuf-alloc: bad pid '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	for (i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			argv[i] = NULL;
			cmd = argv[i + 1] ? &argv[i + 1] : NULL;
			break;
		}
	}
	if (optind >= argc || !argv[optind]) {
		print_usage(stderr);
		return 2;
	}
	for (i = optind; i < argc && argv[i]; i++) {
		size_t len = parse_size(argv[i]);
		int fd;

		if (!len) {
			fprintf(stderr, "dmabuf-alloc: bad size '%s'\n", argv[i]);
			return 2;
		}
		if (nfds == MAX_BUFFERS) {
			fprintf(stderr, "dmabuf-alloc: at most %d buffers\n",
				MAX_BUFFERS);
			return 2;
		}
		fd = heap_alloc(heap, len, charge_pid, thread);
		if (fd < 0) {
			printf("%s: %s\n", argv[i], strerror(-fd));
			failed = 1;
			continue;
		}
		printf("%s: allocated%s\n", argv[i],
		       charge_pid ? ", charged to the target" : "");
		fds[nfds++] = fd;
		if (cgroup) {
			int ret = heap_charge_cgroup(fd, cgroup);

			printf("%s: charge to %s: %s\n", argv[i], cgroup,
			       ret ? strerror(-ret) : "moved");
			failed |= !!ret;
		}
	}
	if (cmd && run(cmd))
		fprintf(stderr, "dmabuf-alloc: cannot run %s\n", cmd[0]);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return failed;
}
