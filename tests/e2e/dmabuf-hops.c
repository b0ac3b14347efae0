// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-hops: the three allocation cases of the review, end to end.
 *
 * An allocator, a middle process and an app, each in a cgroup of its own
 * below /sys/fs/cgroup/dmabuf-hops, talk over UNIX sockets; the app's
 * cgroup has a memory.max. The app gets buffers:
 *
 *   direct      it allocates itself (needs dma_heap.mem_accounting=1);
 *   single hop  it asks the allocator, which takes its pidfd race-free
 *               from the socket (SO_PEERPIDFD) and allocates with
 *               charge_pid_fd;
 *   double hop  it asks the middle process, which either (a) forwards the
 *               app's pidfd to the allocator with SCM_RIGHTS, or (b) gets a
 *               buffer charged to itself, hands it to the app and transfers
 *               the charge to the app (DMA_BUF_IOCTL_XFER_CHARGE).
 *
 * Each way only the app's cgroup pays, and a request over the app's
 * memory.max is refused with ENOMEM by that limit. Who pays is read twice:
 * in memory.stat's "dmabuf", and in memory.current, which must be what it
 * was before the first case plus the buffers charged, no more, no less. TAP
 * on stdout; exits 4 (skip) unless the kernel runs with
 * dma_heap.mem_accounting=1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "../common/cgroup.h"
#include "../common/fdpass.h"
#include "../common/tap.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

#define CGROOT "/sys/fs/cgroup/dmabuf-hops"
#define APP_MAX (16 << 20)
#define SIZE (4 << 20)
#define TOO_BIG (32 << 20)

enum op { ALLOC_FOR_PEER, ALLOC_FOR_PIDFD, HOP_FORWARD, HOP_TRANSFER };

struct request {
	int op;
	unsigned long size;
};

struct reply {
	int err;	/* 0 or a positive errno */
};

static const char * const groups[] = { "allocator", "middle", "app" };

/* Each group's memory.current before the first case. */
static unsigned long long baseline[ARRAY_SIZE(groups)];

static long dmabuf_of(const char *group)
{
	char path[256];

	snprintf(path, sizeof(path), CGROOT "/%s", group);
	return cg_dmabuf(path);
}

/* Each group's memory.current in @cur: 0, or -1 if one cannot be read. */
static int read_current(unsigned long long cur[ARRAY_SIZE(groups)])
{
	char path[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		snprintf(path, sizeof(path), CGROOT "/%s", groups[i]);
		if (cg_memory_current(path, &cur[i]))
			return -1;
	}
	return 0;
}

/*
 * Poll (memory.stat is flushed lazily, uncharges of the last close may come
 * late) until the three cgroups' "dmabuf" read so, and their memory.current
 * is their baseline plus as much, within CG_CURRENT_SLACK.
 */
static bool charges_are(long allocator, long middle, long app)
{
	const long want[ARRAY_SIZE(groups)] = { allocator, middle, app };
	unsigned long long cur[ARRAY_SIZE(groups)] = { 0 };
	unsigned int g;
	bool ok = false;
	int i;

	for (i = 0; i < 300 && !ok; i++) {
		if (i)
			usleep(10000);
		ok = !read_current(cur);
		for (g = 0; g < ARRAY_SIZE(groups) && ok; g++)
			ok = dmabuf_of(groups[g]) == want[g] &&
			     cg_current_near(cur[g], baseline[g] + want[g]);
	}
	if (ok)
		return true;
	for (g = 0; g < ARRAY_SIZE(groups); g++)
		diag("%s: dmabuf %ld, expected %ld; memory.current %llu, expected %llu",
		     groups[g], dmabuf_of(groups[g]), want[g], cur[g],
		     baseline[g] + want[g]);
	return false;
}

static void sock_addr(struct sockaddr_un *addr, const char *name)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	/* Abstract: no file to clean up. */
	snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, "%s", name);
}

static int listen_on(const char *name)
{
	struct sockaddr_un addr;
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	sock_addr(&addr, name);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(sock, 4))
		return -1;
	return sock;
}

static int connect_to(const char *name)
{
	struct sockaddr_un addr;
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	sock_addr(&addr, name);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr))) {
		if (sock >= 0)
			close(sock);
		return -1;
	}
	return sock;
}

/* The peer's pidfd, taken race-free from the connection. */
static int peer_pidfd(int sock)
{
	socklen_t len = sizeof(int);
	int pidfd;

	return getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) ?
	       -1 : pidfd;
}

/* Allocate @size charged to @pidfd's cgroup (0: the caller's): fd or -errno. */
static int heap_alloc(unsigned long size, int pidfd)
{
	struct dma_heap_allocation_data data = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.charge_pid_fd = pidfd,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC), ret;

	if (heap < 0)
		return -errno;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) ? -errno : (int)data.fd;
	close(heap);
	return ret;
}

/* One request to a server: returns the buffer fd or -errno. */
static int ask(const char *server, int op, unsigned long size, int pass_fd)
{
	struct request req = { .op = op, .size = size };
	struct reply rep;
	int sock, fd;

	sock = connect_to(server);
	if (sock < 0)
		return -errno;
	if (fdpass_send(sock, &req, sizeof(req), pass_fd) ||
	    fdpass_recv(sock, &rep, sizeof(rep), &fd)) {
		close(sock);
		return -EIO;
	}
	close(sock);
	if (rep.err) {
		if (fd >= 0)
			close(fd);
		return -rep.err;
	}
	return fd;
}

static void reply(int sock, int fd_or_err)
{
	struct reply rep = { .err = fd_or_err < 0 ? -fd_or_err : 0 };

	fdpass_send(sock, &rep, sizeof(rep), fd_or_err);
	if (fd_or_err >= 0)
		close(fd_or_err);
}

static void allocator(int lsock)
{
	struct request req;
	int sock, pidfd;

	while ((sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (!fdpass_recv(sock, &req, sizeof(req), &pidfd)) {
			/* For the peer, or for the pidfd a middle forwarded. */
			if (req.op == ALLOC_FOR_PEER) {
				if (pidfd >= 0)
					close(pidfd);
				pidfd = peer_pidfd(sock);
			}
			reply(sock, pidfd < 0 ? -EBADF : heap_alloc(req.size, pidfd));
			if (pidfd >= 0)
				close(pidfd);
		}
		close(sock);
	}
}

static int xfer_charge(int buf, int pidfd)
{
	struct dma_buf_xfer_charge arg = { .target_fd = pidfd };

	return ioctl(buf, DMA_BUF_IOCTL_XFER_CHARGE, &arg) ? -errno : 0;
}

static void middle(int lsock)
{
	struct reply rep;
	struct request req;
	int sock, app, buf, unused;

	while ((sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (fdpass_recv(sock, &req, sizeof(req), &unused)) {
			close(sock);
			continue;
		}
		app = peer_pidfd(sock);
		if (req.op == HOP_FORWARD) {
			/* (a) the allocator charges the app's pidfd. */
			reply(sock, ask("dmabuf-hops-allocator", ALLOC_FOR_PIDFD,
					req.size, app));
		} else {
			/*
			 * (b) the allocator charges us; we hand the buffer to
			 * the app, then move the charge to it. If that fails,
			 * the app drops the buffer and nobody pays.
			 */
			buf = ask("dmabuf-hops-allocator", ALLOC_FOR_PEER,
				  req.size, -1);
			if (buf >= 0) {
				rep.err = 0;
				fdpass_send(sock, &rep, sizeof(rep), buf);
				rep.err = -xfer_charge(buf, app);
				close(buf);
				fdpass_send(sock, &rep, sizeof(rep), -1);
			} else {
				reply(sock, buf);
			}
		}
		close(app);
		close(sock);
	}
}

/* Double hop (b) from the app's side: the buffer, then the transfer's result. */
static int ask_transfer(unsigned long size)
{
	struct request req = { .op = HOP_TRANSFER, .size = size };
	struct reply rep;
	int sock, fd, unused;

	sock = connect_to("dmabuf-hops-middle");
	if (sock < 0)
		return -errno;
	if (fdpass_send(sock, &req, sizeof(req), -1) ||
	    fdpass_recv(sock, &rep, sizeof(rep), &fd) || rep.err) {
		close(sock);
		return rep.err ? -rep.err : -EIO;
	}
	if (fdpass_recv(sock, &rep, sizeof(rep), &unused) || rep.err) {
		close(fd);
		fd = rep.err ? -rep.err : -EIO;
	}
	close(sock);
	return fd;
}

static int get_direct(unsigned long size)
{
	return heap_alloc(size, 0);
}

static int get_single_hop(unsigned long size)
{
	return ask("dmabuf-hops-allocator", ALLOC_FOR_PEER, size, -1);
}

static int get_forwarded(unsigned long size)
{
	return ask("dmabuf-hops-middle", HOP_FORWARD, size, -1);
}

static const struct {
	const char *name;
	int (*get)(unsigned long size);
} cases[] = {
	{ "direct allocation", get_direct },
	{ "single hop, SO_PEERPIDFD + charge_pid_fd", get_single_hop },
	{ "double hop (a), the middle forwards the app's pidfd", get_forwarded },
	{ "double hop (b), the middle transfers the charge", ask_transfer },
};

/*
 * The client's side; start_in()'s argument is not needed here. It runs in
 * a child: its results are numbered from 1, its exit status says whether
 * one failed.
 */
static void run_client(int unused)
{
	unsigned int i;
	int fd;

	(void)unused;
	if (read_current(baseline)) {
		diag("cannot read memory.current: %s", strerror(errno));
		_exit(1);
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fd = cases[i].get(SIZE);
		check(fd >= 0 && charges_are(0, 0, SIZE),
		      "%s: only the app pays", cases[i].name);
		if (fd >= 0)
			close(fd);
		fd = cases[i].get(TOO_BIG);
		check(fd == -ENOMEM && charges_are(0, 0, 0),
		      "%s: the app's memory.max refuses %d MiB, nobody pays",
		      cases[i].name, TOO_BIG >> 20);
		if (fd >= 0)
			close(fd);
	}
}

/* Fork a process into cgroup @group that runs @fn(@arg) and exits. */
static pid_t start_in(const char *group, void (*fn)(int), int arg)
{
	char procs[256];
	pid_t pid;

	snprintf(procs, sizeof(procs), CGROOT "/%s/cgroup.procs", group);
	pid = fork();
	if (pid == 0) {
		if (cg_write_file(procs, "0"))
			_exit(1);
		fn(arg);
		_exit(tap_failed());
	}
	return pid;
}

int main(void)
{
	int alloc_sock, middle_sock, status;
	pid_t servers[2], client;
	char path[256];
	unsigned int i;
	bool removed = true;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The cases compare with what charge_pid_fd charges: it must. */
	if (!dmabuf_accounting()) {
		printf("1..0 # SKIP needs dma_heap.mem_accounting=1\n");
		return 4;
	}
	if ((mkdir(CGROOT, 0755) && errno != EEXIST) ||
	    cg_write_file(CGROOT "/cgroup.subtree_control", "+memory")) {
		printf("1..1\n");
		check(false, "set up %s: %s", CGROOT, strerror(errno));
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		snprintf(path, sizeof(path), CGROOT "/%s", groups[i]);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%d", APP_MAX);
	cg_write_file(CGROOT "/app/memory.max", path);

	alloc_sock = listen_on("dmabuf-hops-allocator");
	middle_sock = listen_on("dmabuf-hops-middle");
	if (alloc_sock < 0 || middle_sock < 0) {
		printf("1..1\n");
		check(false, "listen: %s", strerror(errno));
		return 1;
	}
	/* Two results per case from the app, then the clean-up's. */
	printf("1..%zu\n", 2 * ARRAY_SIZE(cases) + 1);
	servers[0] = start_in("allocator", allocator, alloc_sock);
	servers[1] = start_in("middle", middle, middle_sock);
	close(alloc_sock);
	close(middle_sock);

	client = start_in("app", run_client, 0);
	waitpid(client, &status, 0);
	/* The app reported two results per case. */
	tap_add(2 * ARRAY_SIZE(cases), !WIFEXITED(status) || WEXITSTATUS(status));

	for (i = 0; i < 2; i++) {
		kill(servers[i], SIGTERM);
		waitpid(servers[i], NULL, 0);
	}
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		snprintf(path, sizeof(path), CGROOT "/%s", groups[i]);
		removed &= !rmdir(path);
	}
	removed &= !rmdir(CGROOT);
	check(removed, "every cgroup can be removed afterwards");
	return tap_failed();
}
