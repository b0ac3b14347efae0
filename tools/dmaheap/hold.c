// SPDX-License-Identifier: GPL-2.0
/* Holding buffers: for some seconds, or while a command runs. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "verbs.h"

int hold_run(char **cmd)
{
	int status;
	pid_t pid;

	/* The child must not print our buffered lines a second time. */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "dmaheap: cannot run %s: %s\n", cmd[0],
			strerror(errno));
		return EXIT_FAILED;
	}
	if (pid == 0) {
		int err;

		execvp(cmd[0], cmd);
		err = errno;
		fprintf(stderr, "dmaheap: cannot run %s: %s\n", cmd[0],
			strerror(err));
		/* As a shell says it: 127 not found, 126 not runnable */
		_exit(err == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return EXIT_FAILED;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

void hold_sleep(long seconds)
{
	struct timespec left = { .tv_sec = seconds };

	fflush(stdout);
	while (nanosleep(&left, &left) && errno == EINTR)
		;
}
