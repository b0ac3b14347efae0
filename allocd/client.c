// SPDX-License-Identifier: GPL-2.0
/*
 * One client's connection. Sockets are non-blocking, so no client can
 * stall the daemon: a reply a client does not take is queued here, up to
 * --max-outstanding of them, and then the daemon stops reading that client
 * until the queue has drained. The fds a client sends are closed by the
 * closer thread (closer.c), except pidfds, whose close cannot block.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "closer.h"
#include "log.h"
#include "peer.h"
#include "request.h"

/* More than a request, so that a longer packet shows as such. */
#define PACKET_MAX 512
/*
 * Every fd one packet can carry (the kernel's SCM_MAX_FD): fds that did
 * not fit would be closed by the kernel, in the loop, where it may block.
 */
#define FDS_MAX 253
/* Packets read from one client before the others get their turn. */
#define READ_BATCH 16
/*
 * The send buffer of a client's socket: the kernel keeps what the client
 * has not read yet in it, fds included, so it bounds what a client can
 * leave in flight (about 16 replies) before the daemon's own queue.
 */
#define CLIENT_SNDBUF 8192

struct client *client_new(int sock, const struct peer_id *id,
			  const struct allocd_config *cfg)
{
	int sndbuf = CLIENT_SNDBUF;
	struct client *c;

	c = calloc(1, sizeof(*c) + cfg->max_outstanding * sizeof(c->queue[0]));
	if (!c)
		return NULL;
	setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c->sock = sock;
	c->id = *id;
	c->reading = true;
	return c;
}

void client_free(struct client *c, const struct allocd_config *cfg)
{
	unsigned int max = cfg->max_outstanding;

	/* Our own buffers and pidfd: their close does not block. */
	for (; c->count; c->count--, c->head = (c->head + 1) % max)
		if (c->queue[c->head].fd >= 0)
			close(c->queue[c->head].fd);
	close(c->id.pidfd);
	/* The client sees the end now, even if the closer is behind. */
	shutdown(c->sock, SHUT_RDWR);
	closer_close(c->sock);
	free(c);
}

uint32_t client_events(const struct client *c)
{
	return (c->reading ? EPOLLIN : 0) | (c->count ? EPOLLOUT : 0);
}

/* Send a reply and its buffer at once: 0, -EAGAIN, or -errno. */
static int send_reply(int sock, const struct pending *p)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {
		.iov_base = (void *)&p->rep, .iov_len = sizeof(p->rep),
	};
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (p->fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &p->fd, sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int client_drain(const struct allocd_config *cfg, struct client *c)
{
	unsigned int max = cfg->max_outstanding;
	struct pending *p;
	int ret;

	while (c->count) {
		p = &c->queue[c->head];
		ret = send_reply(c->sock, p);
		if (ret == -EAGAIN)
			break;
		if (ret)
			return ret;
		if (p->fd >= 0)
			close(p->fd);
		c->head = (c->head + 1) % max;
		c->count--;
	}
	if (!c->count)
		c->reading = true;
	return 0;
}

/* Reply to @c, now or (socket full) later; takes @p's fd in any case. */
static int reply(struct client *c, const struct pending *p, unsigned int max)
{
	int ret = -EAGAIN;

	/* Behind queued replies, it must wait its turn. */
	if (!c->count)
		ret = send_reply(c->sock, p);
	if (ret != -EAGAIN) {
		if (p->fd >= 0)
			close(p->fd);
		return ret;
	}
	c->queue[(c->head + c->count) % max] = *p;
	if (++c->count == max)
		c->reading = false;
	return 0;
}

/* The SCM_RIGHTS fds of @msg in @fds: how many. */
static unsigned int received_fds(struct msghdr *msg, int *fds)
{
	struct cmsghdr *cmsg;
	unsigned int n = 0, i, count;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < count && n < FDS_MAX; i++)
			memcpy(&fds[n++], CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
	}
	return n;
}

/* Close the fds a client sent: a pidfd here, anything else by the closer. */
static void release_fds(const int *fds, unsigned int n)
{
	pid_t pid = n == 1 ? peer_pid(fds[0]) : -EBADF;

	if (pid > 0 || pid == -ESRCH) {
		close(fds[0]);
		return;
	}
	while (n--)
		closer_close(fds[n]);
}

/*
 * Whether the next packet of @sock carries fds. Peeked without room for
 * them, they stay in the packet: the kernel only says they were there.
 */
static bool carries_fds(int sock)
{
	struct msghdr msg = { 0 };

	return recvmsg(sock, &msg, MSG_PEEK | MSG_DONTWAIT) >= 0 &&
	       (msg.msg_flags & MSG_CTRUNC);
}

/*
 * With the closer stuck, fds pile up; at the fd limit, the fds of a packet
 * that the kernel cannot give the daemon it closes itself, in the loop,
 * where a close may block. So from CLIENT_CLOSER_BACKLOG_MAX on, a client
 * that sends fds is dropped unread: its socket is one more fd to pile up,
 * instead of 253.
 */
static int refuse_fds(struct client *c)
{
	static struct log_ratelimit limit;
	unsigned int n;
	char reason[160];

	if (closer_backlog() < CLIENT_CLOSER_BACKLOG_MAX || !carries_fds(c->sock))
		return 0;
	if (log_ratelimit(&limit, &n)) {
		snprintf(reason, sizeof(reason),
			 "sent fds while %u fds wait to be closed (a close() is stuck), %u refused",
			 closer_backlog(), n);
		handle_refused(&c->id, reason);
	}
	return -EMFILE;
}

int client_serve(const struct allocd_config *cfg, struct client *c)
{
	unsigned char pkt[PACKET_MAX];
	union {
		char buf[CMSG_SPACE(FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = pkt, .iov_len = sizeof(pkt) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned int nfds, i;
	int fds[FDS_MAX], ret;
	struct pending p;
	ssize_t n;

	for (i = 0; i < READ_BATCH && c->reading; i++) {
		ret = refuse_fds(c);
		if (ret)
			return ret;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		msg.msg_flags = 0;
		n = recvmsg(c->sock, &msg,
			    MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0)
			return -errno;
		nfds = received_fds(&msg, fds);
		if (n == 0) {
			/* The end (or an empty packet, as meaningless). */
			release_fds(fds, nfds);
			return -ECONNRESET;
		}
		ret = handle_packet(cfg, &c->id, pkt, n, msg.msg_flags,
				    fds, nfds, &p.rep, &p.fd);
		release_fds(fds, nfds);
		if (ret == REQUEST_CLOSE)
			return -EPROTO;
		ret = reply(c, &p, cfg->max_outstanding);
		if (ret)
			return ret;
	}
	return 0;
}
