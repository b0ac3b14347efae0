// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-bench: a dmabuf-top snapshot with PROCS processes holding 10
 * buffers each, timed by dmabuf-top-bench (which first checks that the
 * snapshot sees every buffer) and reported here as a "bench" line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define BUFFERS_PER_PROC 10

static void top_one(const struct bench *b, int procs)
{
	struct figure fig = { .group = "top" };
	char cmd[128], line[512];
	double ms = -1;
	FILE *out;
	int status;

	snprintf(fig.params, sizeof(fig.params), "processes=%d buffers=%d",
		 procs, BUFFERS_PER_PROC);
	snprintf(cmd, sizeof(cmd), "dmabuf-top-bench -p %d -b %d -r %d",
		 procs, BUFFERS_PER_PROC, b->runs);
	fflush(stdout);
	out = popen(cmd, "r");
	if (!out) {
		bench_error(&fig, -errno);
		return;
	}
	while (fgets(line, sizeof(line), out)) {
		const char *m = strstr(line, " median_ms=");

		if (!strncmp(line, "# top-snapshot ", 15) && m)
			ms = strtod(m + 11, NULL);
		else if (!strncmp(line, "not ok", 6))
			fprintf(stderr, "dmabuf-top-bench: %s", line);
	}
	status = pclose(out);
	if (status || ms < 0) {
		bench_error(&fig, EIO);
		return;
	}
	printf("bench top %s ns=%.0f runs=%d ops=1\n", fig.params, ms * 1e6,
	       b->runs);
	fflush(stdout);
}

void figures_top(const struct bench *b, const char *procs)
{
	char *list = strdup(procs), *save = NULL, *p;

	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
		top_one(b, atoi(p));
	free(list);
}
