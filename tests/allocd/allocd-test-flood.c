// SPDX-License-Identifier: GPL-2.0
/*
 * A flood of hostile clients for a few seconds: garbage, short and
 * oversized packets, wrong versions, too many fds, fds that are no pidfd,
 * pidfds of processes gone, requests followed at once by a disconnect,
 * clients that never read their replies, and more clients than
 * --max-clients. Meanwhile an honest client is still served; afterwards
 * the daemon is alive, answers, has exactly the fds it had before, and
 * nobody pays for anything once the hostile clients are gone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/cgroup.h"
#include "../common/fdpass.h"
#include "allocd-test.h"

#define FLOOD_SECONDS 3
#define MAX_CLIENTS 32		/* the daemon's --max-clients */

enum kind {
	GARBAGE, SHORT, OVERSIZED, BAD_VERSION, TOO_MANY_FDS, NOT_PIDFD,
	EXITED_PIDFD, HANG_UP, KINDS,
	NEVER_READS = KINDS,
};

static const char * const kind_names[] = {
	"garbage", "short", "oversized", "bad version", "too many fds",
	"not a pidfd", "exited pidfd", "hang up",
};

static struct dmabuf_allocd_request good(uint64_t len)
{
	struct dmabuf_allocd_request r = {
		.magic = DMABUF_ALLOCD_MAGIC,
		.version = DMABUF_ALLOCD_VERSION,
		.size = sizeof(r),
		.len = len,
	};

	snprintf(r.heap, sizeof(r.heap), "%s", HEAP);
	return r;
}

/* Send @len bytes of @buf with @nfds fds (all @fd): sendmsg()'s result. */
static ssize_t send_fds(int sock, const void *buf, size_t len, int fd,
			int nfds)
{
	union {
		char buf[CMSG_SPACE(253 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	int i;

	if (nfds) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		for (i = 0; i < nfds; i++)
			memcpy(CMSG_DATA(cmsg) + i * sizeof(int), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait up to 2 s for a reply (or the end) on @sock; drop it. */
static void await_reply(int sock)
{
	struct timeval tv = { .tv_sec = 2 };
	char buf[64];

	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	recv(sock, buf, sizeof(buf), 0);
}

/*
 * One abuse of kind @k on a new connection, the @n-th: odd and even ones
 * differ where a kind has two cases, so that both come at once.
 */
static void abuse(const char *path, enum kind k, unsigned int n,
		  unsigned int *seed)
{
	struct dmabuf_allocd_request r = good(4096);
	unsigned char junk[400];
	int sock = connect_to(path), fd = -1, nfds = 0, i;
	size_t len = sizeof(r);
	pid_t pid;

	if (sock < 0)
		return;
	for (i = 0; i < (int)sizeof(junk); i++)
		junk[i] = rand_r(seed);
	switch (k) {
	case GARBAGE:
		send_fds(sock, junk, 1 + rand_r(seed) % sizeof(junk), -1, 0);
		break;
	case SHORT:
		/* Shorter than the header, or than its size field. */
		len = n % 2 ? 1 + (size_t)rand_r(seed) % 11 :
		      12 + (size_t)rand_r(seed) % (sizeof(r) - 12);
		send_fds(sock, &r, len, -1, 0);
		break;
	case OVERSIZED:
		memcpy(junk, &r, sizeof(r));
		send_fds(sock, junk, sizeof(r) + 1 + rand_r(seed) % 200, -1, 0);
		break;
	case BAD_VERSION:
		r.version = 2 + rand_r(seed) % 100;
		send_fds(sock, &r, len, -1, 0);
		break;
	case TOO_MANY_FDS:
		r.flags = DMABUF_ALLOCD_FOR_PIDFD;
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		/* More than one, up to all a packet can carry (253). */
		nfds = n % 2 ? 2 + rand_r(seed) % 7 : 9 + rand_r(seed) % 245;
		send_fds(sock, &r, len, fd, nfds);
		break;
	case NOT_PIDFD:
		r.flags = DMABUF_ALLOCD_FOR_PIDFD;
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		send_fds(sock, &r, len, fd, 1);
		break;
	case EXITED_PIDFD:
		r.flags = DMABUF_ALLOCD_FOR_PIDFD;
		pid = fork();
		if (pid == 0)
			_exit(0);
		fd = syscall(SYS_pidfd_open, pid, 0);
		waitpid(pid, NULL, 0);
		send_fds(sock, &r, len, fd, 1);
		break;
	case HANG_UP:
		/* A good request, and gone before the reply. */
		send_fds(sock, &r, len, -1, 0);
		close(sock);
		usleep(2000);
		return;
	default:
		break;
	}
	if (fd >= 0)
		close(fd);
	/*
	 * Wait for the reply or the close (HANG_UP does not): a client that
	 * never waits only fills the listen backlog, which bounds it, and
	 * slows the honest ones alike, which no daemon could help; and what
	 * it sent would mostly go unread, the connection gone first.
	 */
	await_reply(sock);
	close(sock);
}

/* A hostile process: abuse of kind @k until @deadline. */
static void hostile(const char *path, enum kind k, long long deadline)
{
	unsigned int seed = getpid(), n;

	if (cg_enter("hostile"))
		_exit(1);
	for (n = 0; now_ms() < deadline; n++)
		abuse(path, k, n, &seed);
	_exit(0);
}

/* A client that asks and asks, and never reads a reply. */
static void never_reads(const char *path)
{
	struct dmabuf_allocd_request r = good(64 * 1024);
	int sock, i;

	if (cg_enter("hostile"))
		_exit(1);
	sock = connect_to(path);
	for (i = 0; sock >= 0 && i < 1000; i++)
		send_fds(sock, &r, sizeof(r), -1, 0);
	pause();
	_exit(0);
}

/* An honest request on a new connection: the allocation's status. */
static int honest(struct client *c, const char *path)
{
	struct outcome out, closed;
	int status;

	status = client_alloc(c, OP_RAW, path, 1024 * 1024, "honest", 0, &out);
	client_do(c, &(struct order){ .op = OP_CLOSE_ALL }, &closed);
	return status;
}

/*
 * The daemon's fds once it is idle: its closer thread closes some of them
 * a little after the clients that sent them are gone.
 */
static int settled_fds(struct daemon *d)
{
	int i, last = -1, now, same = 0;

	for (i = 0; i < 500 && same < 10; i++) {
		now = count_fds(d->pid);
		same = now == last ? same + 1 : 0;
		last = now;
		usleep(20000);
	}
	return last;
}

/* Wait up to 5 s for the daemon to have @base fds open. */
static bool fds_back(struct daemon *d, int base)
{
	int i, now = -1;

	for (i = 0; i < 500; i++) {
		now = count_fds(d->pid);
		if (now == base)
			return true;
		usleep(10000);
	}
	diag("the daemon has %d fds open, %d before", now, base);
	return false;
}

/* What the flood's kinds make the daemon log. */
static const char * const logged[] = {
	"reason=\"bad magic\"",
	"reason=\"packet shorter than a request header\"",
	"reason=\"packet longer than its size field\"",
	"reason=\"unsupported version\"",
	"reason=\"FOR_PIDFD needs exactly one fd\"",
	"reason=\"the forwarded fd is not a pidfd\"",
	"for=exited",
};

void test_flood(struct daemon *d)
{
	pid_t pids[KINDS + 2];
	int socks[MAX_CLIENTS + 4], base, i, n, closed, served = 0;
	long long deadline, start, worst = 0;
	struct client c = { 0 };
	char byte;

	if (client_start(&c, "a", 1000) ||
	    cg_write_file(CGROOT "/hostile/memory.max", "67108864")) {
		check(false, "flood: an honest client in a");
		return;
	}
	/* The honest client's first connection, and it is back to idle. */
	honest(&c, d->sock);
	base = settled_fds(d);
	deadline = now_ms() + FLOOD_SECONDS * 1000;
	for (i = 0; i < KINDS + 2; i++) {
		fflush(stdout);
		pids[i] = fork();
		if (pids[i] == 0) {
			if (i < KINDS)
				hostile(d->sock, i, deadline);
			never_reads(d->sock);
		}
	}
	for (i = 0; now_ms() < deadline; i++) {
		start = now_ms();
		served += honest(&c, d->sock) >= 0;
		if (now_ms() - start > worst)
			worst = now_ms() - start;
		usleep(200000);
	}
	check(served == i && served > 0,
	      "flood: an honest client is served throughout (%d of %d, in %lld ms at worst)",
	      served, i, worst);
	for (i = 0; i < KINDS + 2; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	diag("kinds: %s, %s, %s, %s, %s, %s, %s, %s, never reads (2)",
	     kind_names[0], kind_names[1], kind_names[2], kind_names[3],
	     kind_names[4], kind_names[5], kind_names[6], kind_names[7]);

	check(fds_back(d, base), "flood: the daemon has as many fds open as before");

	/* More at once than --max-clients: the extra ones are closed. */
	for (n = 0; n < MAX_CLIENTS + 4; n++)
		socks[n] = connect_to(d->sock);
	usleep(500000);
	for (i = 0, closed = 0; i < n; i++)
		closed += socks[i] >= 0 &&
			  recv(socks[i], &byte, 1, MSG_DONTWAIT) == 0;
	check(closed == 4 &&
	      log_has(d, "reason=\"too many clients (--max-clients), ", NULL),
	      "flood: %d connections over --max-clients %d are closed at once, logged",
	      closed, MAX_CLIENTS);
	for (i = 0; i < n; i++)
		if (socks[i] >= 0)
			close(socks[i]);

	check(kill(d->pid, 0) == 0 && waitpid(d->pid, NULL, WNOHANG) == 0,
	      "flood: the daemon is alive");
	check(fds_back(d, base), "flood: and again once those are gone");
	check(honest(&c, d->sock) >= 0, "flood: and answers an honest request");
	check(cg_dmabuf_is("hostile", 0) && cg_dmabuf_is("a", 0) &&
	      cg_dmabuf_is("daemon", 0),
	      "flood: with the hostile clients gone, nobody pays");
	for (i = 0; i < (int)ARRAY_SIZE(logged); i++)
		check(log_has(d, logged[i], NULL), "flood: logged: %s",
		      logged[i]);
	client_stop(&c);
}
