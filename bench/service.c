// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-bench: a buffer through dmabuf-allocd (libdmaheap's client call,
 * the service charging the caller by its SO_PEERPIDFD) against the direct
 * ioctl, both closed at once. The service runs in a cgroup of its own, as
 * it must (it never charges its own cgroup's ancestors), and logs only
 * errors: a log line per request would time the console.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "dmaheap.h"

#define CG_SERVICE	CG_ROOT "/bench-allocd"
#define SOCKET		"/run/dmabuf-bench-allocd.sock"

struct service_ctx {
	int sock;		/* the service's socket, or the heap's fd */
	size_t len;
};

static int via_service(void *p)
{
	struct service_ctx *c = p;
	int fd = dmaheap_allocd_alloc(c->sock, "system", c->len,
				      O_RDWR | O_CLOEXEC, NULL, -1);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int direct(void *p)
{
	struct service_ctx *c = p;
	int fd = bench_alloc(c->sock, c->len, 0);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static pid_t start_service(void)
{
	pid_t pid;

	if (mkdir(CG_SERVICE, 0755) && errno != EEXIST)
		return -errno;
	unlink(SOCKET);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (cg_enter(CG_SERVICE))
			_exit(126);
		execlp("dmabuf-allocd", "dmabuf-allocd", "-q", "--socket",
		       SOCKET, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Connect, retrying while the service starts: the socket, or -errno. */
static int connect_service(void)
{
	struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	int sock = -ENOENT, tries;

	for (tries = 0; tries < 1000; tries++) {
		sock = dmaheap_allocd_connect(SOCKET);
		if (sock >= 0 || (sock != -ENOENT && sock != -ECONNREFUSED))
			break;
		nanosleep(&pause, NULL);
	}
	return sock;
}

void figures_service(const struct bench *b)
{
	static const size_t sizes[] = { 4096, 1 << 20 };
	struct service_ctx ctx[4];
	struct figure fig[4];
	int heap_fd, sock = -1, i, n = 0;
	pid_t pid;

	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	pid = start_service();
	if (pid > 0)
		sock = connect_service();
	for (i = 0; i < 2; i++) {
		ctx[n] = (struct service_ctx){ .sock = heap_fd, .len = sizes[i] };
		fig[n] = (struct figure){ .group = "service", .op = direct };
		ctx[n + 1] = (struct service_ctx){ .sock = sock, .len = sizes[i] };
		fig[n + 1] = (struct figure){ .group = "service", .op = via_service };
		for (; n < 2 * i + 2; n++) {
			fig[n].ctx = &ctx[n];
			fig[n].ops = b->smoke ? 1 : 128;
			snprintf(fig[n].params, sizeof(fig[n].params),
				 "heap=system size=%zu path=%s", sizes[i],
				 fig[n].op == direct ? "direct" : "allocd");
		}
	}
	if (pid < 0 || sock < 0 || heap_fd < 0) {
		for (i = 0; i < n; i++)
			bench_error(&fig[i], pid < 0 ? pid : sock < 0 ? sock : -EBADF);
	} else {
		bench_measure(b, fig, n);
	}
	if (sock >= 0)
		close(sock);
	if (heap_fd >= 0)
		close(heap_fd);
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}
