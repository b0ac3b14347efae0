// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-bench: a buffer through dmabuf-allocd (libdmaheap's client call,
 * the service charging the caller by its SO_PEERPIDFD) against the direct
 * ioctl, both closed at once. The service runs in a cgroup of its own, as
 * it must (it never charges its own cgroup's ancestors), and logs only
 * errors: a log line per request would time the console. The floor of
 * any such service, a round trip on a socket passing one fd, is timed
 * too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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

/*
 * The floor of any socket service: a SOCK_SEQPACKET round trip of the
 * wire format's sizes (a 128-byte request, a 32-byte reply carrying one fd
 * by SCM_RIGHTS) with a child that allocates nothing and replies with a
 * buffer it holds; the client closes the fd it gets.
 */
static void echo_child(int sock, int buf)
{
	char req[128], rep[32] = { 0 }, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = rep, .iov_len = sizeof(rep) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &buf, sizeof(int));
	while (recv(sock, req, sizeof(req), 0) > 0)
		if (sendmsg(sock, &msg, 0) < 0)
			break;
	_exit(0);
}

static int via_echo(void *p)
{
	struct service_ctx *c = p;
	char req[128] = { 0 }, rep[32], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = rep, .iov_len = sizeof(rep) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (send(c->sock, req, sizeof(req), 0) != sizeof(req) ||
	    recvmsg(c->sock, &msg, MSG_CMSG_CLOEXEC) != sizeof(rep))
		return -errno ?: -EPROTO;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	close(fd);
	return 0;
}

/* The echo child, on one end of a socket pair: its pid, or -errno. */
static pid_t start_echo(int heap_fd, int *sock)
{
	int sv[2], buf;
	pid_t pid;

	buf = bench_alloc(heap_fd, 4096, 0);
	if (buf < 0)
		return buf;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		close(buf);
		return -errno;
	}
	pid = fork();
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sv[0]);
		echo_child(sv[1], buf);
	}
	close(sv[1]);
	close(buf);
	if (pid < 0) {
		close(sv[0]);
		return -errno;
	}
	*sock = sv[0];
	return pid;
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
	struct service_ctx ctx[5];
	struct figure fig[5];
	int heap_fd, sock = -1, echo_sock = -1, i, n = 0, err = 0;
	pid_t pid, echo;

	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	pid = start_service();
	if (pid > 0)
		sock = connect_service();
	echo = heap_fd < 0 ? -EBADF : start_echo(heap_fd, &echo_sock);
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
	ctx[n] = (struct service_ctx){ .sock = echo_sock };
	fig[n] = (struct figure){
		.group = "service", .params = "path=socket", .op = via_echo,
		.ctx = &ctx[n], .ops = b->smoke ? 1 : 128,
	};
	n++;
	if (heap_fd < 0)
		err = -EBADF;
	else if (pid < 0 || sock < 0)
		err = pid < 0 ? pid : sock;
	else if (echo < 0)
		err = echo;
	if (err) {
		for (i = 0; i < n; i++)
			bench_error(&fig[i], err);
	} else {
		bench_measure(b, fig, n);
	}
	if (echo_sock >= 0)
		close(echo_sock);
	if (echo > 0)
		waitpid(echo, NULL, 0);
	if (sock >= 0)
		close(sock);
	if (heap_fd >= 0)
		close(heap_fd);
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}
