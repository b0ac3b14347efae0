// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top-bench: how long a dmabuf-top snapshot takes. Starts PROCS
 * processes holding BUFS 4 KiB dma-bufs each, checks that a snapshot sees
 * every buffer, then times REPS snapshots ("dmabuf-top --json", output
 * discarded) and prints their median, in the guest's time.
 *
 *   dmabuf-top-bench [-p PROCS] [-b BUFS] [-r REPS]   (1000, 10, 5)
 *
 * TAP: one result, for the check; the figure is printed, never judged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int alloc_4k(int heap)
{
	struct dma_heap_allocation_data data = {
		.len = 4096,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	return ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) ? -1 : (int)data.fd;
}

/* A holder: BUFS buffers, a byte on @ready, then wait for @stop to close. */
static void holder(int heap, int bufs, int ready, int stop)
{
	char c = 1;
	int i;

	for (i = 0; i < bufs; i++)
		if (alloc_4k(heap) < 0)
			_exit(1);
	if (write(ready, &c, 1) != 1)
		_exit(1);
	if (read(stop, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

/* Run dmabuf-top --json; its output into @out (if not NULL). ms, or -1. */
static double snapshot(char **out)
{
	struct timespec a, b;
	size_t len = 0, cap = 1 << 20;
	char *buf = NULL;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (!pid) {
		dup2(p[1], 1);
		execlp("dmabuf-top", "dmabuf-top", "--json", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (out)
		buf = malloc(cap);
	for (;;) {
		char sink[65536];

		if (buf && len + 65536 > cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb)
				return -1;
			buf = nb;
		}
		n = read(p[0], buf ? buf + len : sink, buf ? cap - len - 1 : sizeof(sink));
		if (n <= 0)
			break;
		len += n;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (buf) {
		buf[len] = 0;
		*out = buf;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int procs = 1000, bufs = 10, reps = 5, heap, ready[2], stop[2], i, c;
	double *ms;
	char *out = NULL, *p, ch;
	long seen = 0;
	pid_t pid;

	while ((c = getopt(argc, argv, "p:b:r:")) != -1) {
		switch (c) {
		case 'p':
			procs = atoi(optarg);
			break;
		case 'b':
			bufs = atoi(optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: dmabuf-top-bench [-p PROCS] [-b BUFS] [-r REPS]\n");
			return 2;
		}
	}
	if (procs <= 0 || bufs <= 0 || reps <= 0)
		return 2;
	printf("1..1\n");
	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0 || pipe2(ready, O_CLOEXEC) || pipe2(stop, O_CLOEXEC)) {
		printf("not ok 1 setup: %s\n", strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid < 0) {
			printf("not ok 1 fork %d: %s\n", i, strerror(errno));
			return 1;
		}
		if (!pid) {
			close(stop[1]);
			holder(heap, bufs, ready[1], stop[0]);
		}
	}
	close(stop[0]);
	close(ready[1]);
	for (i = 0; i < procs && read(ready[0], &ch, 1) == 1; i++)
		;
	if (i != procs) {
		printf("not ok 1 only %d of %d holders started\n", i, procs);
		return 1;
	}

	/* A snapshot that missed buffers would time less work. */
	ms = calloc(reps, sizeof(*ms));
	if (!ms || snapshot(&out) < 0) {
		printf("not ok 1 dmabuf-top failed\n");
		return 1;
	}
	for (p = out; (p = strstr(p, "{\"ino\": ")); p++)
		seen++;
	free(out);
	for (i = 0; i < reps; i++)
		ms[i] = snapshot(NULL);
	qsort(ms, reps, sizeof(*ms), cmp_double);
	printf("%s 1 a snapshot sees the %ld buffers of %d processes\n",
	       seen == (long)procs * bufs ? "ok" : "not ok", seen, procs);
	printf("# top-snapshot processes=%d buffers=%d median_ms=%.1f",
	       procs, procs * bufs, ms[reps / 2]);
	printf(" min_ms=%.1f max_ms=%.1f runs=%d\n", ms[0], ms[reps - 1], reps);
	close(stop[1]);
	while (wait(NULL) > 0)
		;
	return seen == (long)procs * bufs ? 0 : 1;
}
