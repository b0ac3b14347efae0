// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-allocd-middle: the middle of the double hop, as a compositor
 * would write it. Its clients speak dmabuf-allocd's wire format to it. For
 * each request it asks dmabuf-allocd for the buffer on behalf of that
 * client: it forwards the client's pidfd, taken race-free from the
 * client's socket (SO_PEERPIDFD), with dmaheap_allocd_alloc(), and passes
 * the buffer (or the error) back. The client's cgroup pays, not ours;
 * dmabuf-allocd honours the forward only if its command line trusts us
 * (--allow-forward-uid, --allow-forward-cgroup), and only for our own uid's
 * processes, or any if we are root, or those in its --forward-to-cgroup.
 *
 *   dmabuf-allocd-middle --listen PATH --allocd PATH
 *
 * A process per client, so that a client that sends nothing, or an fd
 * whose close blocks, holds up only itself: an example, not a server.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dmabuf-allocd.h"
#include "dmaheap.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

static int listen_on(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (sock < 0 || strlen(path) >= sizeof(addr.sun_path))
		return -1;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	unlink(path);
	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) ||
	    chmod(path, 0666) || listen(sock, 16)) {
		close(sock);
		return -1;
	}
	return sock;
}

/* The next request: its length (0: the client is gone). Fds are refused. */
static ssize_t next_request(int client, struct dmabuf_allocd_request *req,
			    int *status)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = req, .iov_len = sizeof(*req) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n = recvmsg(client, &msg, MSG_CMSG_CLOEXEC);
	int fd, i;

	*status = 0;
	/* We forward for our clients; they do not forward through us. */
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		for (i = 0; cmsg->cmsg_type == SCM_RIGHTS &&
		     CMSG_LEN((i + 1) * sizeof(int)) <= cmsg->cmsg_len; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
			close(fd);
			*status = -EBADF;
		}
	}
	if (n < (ssize_t)sizeof(*req) || req->magic != DMABUF_ALLOCD_MAGIC)
		return 0;
	if (req->version != DMABUF_ALLOCD_VERSION || req->size != sizeof(*req) ||
	    (msg.msg_flags & MSG_TRUNC))
		*status = -EPROTONOSUPPORT;
	else if (req->flags || !memchr(req->heap, 0, sizeof(req->heap)) ||
		 !memchr(req->name, 0, sizeof(req->name)))
		*status = -EINVAL;
	return n;
}

static void reply(int client, __u32 seq, int buf)
{
	struct dmabuf_allocd_reply rep = {
		.magic = DMABUF_ALLOCD_MAGIC,
		.version = DMABUF_ALLOCD_VERSION,
		.size = sizeof(rep),
		.seq = seq,
		.status = buf < 0 ? buf : 0,
	};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl = { 0 };
	struct iovec iov = { .iov_base = &rep, .iov_len = sizeof(rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct dmaheap_info info;
	struct cmsghdr *cmsg;

	if (buf >= 0) {
		/* Who pays, as the kernel says it: the client, we hope. */
		if (!dmaheap_info(buf, &info)) {
			rep.len = info.size;
			rep.cgroup_id = info.cgroup_id;
		}
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &buf, sizeof(int));
	}
	sendmsg(client, &msg, MSG_NOSIGNAL);
}

/* Serve one client until it goes, with a connection of our own to allocd. */
static int serve(int client, const char *allocd_path)
{
	struct dmabuf_allocd_request req;
	socklen_t len = sizeof(int);
	int pidfd, allocd, status, buf;

	/* The client as it connected; never its pid, which could be reused. */
	if (getsockopt(client, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len))
		return 1;
	allocd = dmaheap_allocd_connect(allocd_path);
	while (next_request(client, &req, &status) > 0) {
		buf = status ? status : allocd < 0 ? allocd :
		      dmaheap_allocd_alloc(allocd, req.heap, req.len,
					   req.fd_flags, req.name, pidfd);
		reply(client, req.seq, buf);
		if (buf >= 0)
			close(buf);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "allocd", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_path = NULL, *allocd_path = NULL;
	int opt, lsock, client, allocd;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'l')
			listen_path = optarg;
		else if (opt == 'a')
			allocd_path = optarg;
		else
			return 2;
	}
	if (!listen_path || !allocd_path || optind < argc) {
		fprintf(stderr, "usage: dmabuf-allocd-middle --listen PATH --allocd PATH\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Children reap themselves. */
	signal(SIGCHLD, SIG_IGN);
	/* Say now if dmabuf-allocd is not there. */
	allocd = dmaheap_allocd_connect(allocd_path);
	if (allocd < 0) {
		fprintf(stderr, "dmabuf-allocd-middle: %s: %s\n", allocd_path,
			strerror(-allocd));
		return 1;
	}
	close(allocd);
	lsock = listen_on(listen_path);
	if (lsock < 0) {
		perror(listen_path);
		return 1;
	}
	for (;;) {
		client = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
		if (client < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (client < 0)
			return 1;
		if (fork() == 0) {
			close(lsock);
			_exit(serve(client, allocd_path));
		}
		/* The child has its own copy: this close is not the last. */
		close(client);
	}
}
