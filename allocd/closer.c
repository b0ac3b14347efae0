// SPDX-License-Identifier: GPL-2.0
/*
 * The closer thread: it reads fd numbers from a pipe and closes them, one
 * after the other, so that a close() that blocks stops it and not the
 * event loop. The loop writes to the pipe without blocking.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "closer.h"

static int pipe_r = -1, pipe_w = -1;
static atomic_uint backlog;

static void *run(void *unused)
{
	ssize_t n;
	int fd;

	(void)unused;
	for (;;) {
		n = read(pipe_r, &fd, sizeof(fd));
		if (n < 0 && errno == EINTR)
			continue;
		/* Writes of an int are atomic: only whole fds come. */
		if (n != sizeof(fd))
			return NULL;
		close(fd);
		atomic_fetch_sub(&backlog, 1);
	}
}

int closer_start(void)
{
	sigset_t all, old;
	pthread_t thread;
	int fds[2], ret;

	if (pipe_w >= 0)
		return 0;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	if (fcntl(fds[1], F_SETFL, O_NONBLOCK)) {
		ret = -errno;
		goto fail;
	}
	pipe_r = fds[0];
	/* Signals are the loop's business (signalfd): none for the thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&thread, NULL, run, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		goto fail;
	pthread_detach(thread);
	pipe_w = fds[1];
	return 0;
fail:
	close(fds[0]);
	close(fds[1]);
	pipe_r = -1;
	return ret;
}

void closer_close(int fd)
{
	atomic_fetch_add(&backlog, 1);
	while (write(pipe_w, &fd, sizeof(fd)) < 0 && errno == EINTR)
		;
	/*
	 * Otherwise the pipe is full, the closer stuck for long: the fd
	 * stays open, still counted. Better an fd lost than the loop.
	 */
}

unsigned int closer_backlog(void)
{
	return atomic_load(&backlog);
}
