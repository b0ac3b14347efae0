// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The client side of dmabuf-allocd's wire format (dmabuf-allocd.h). */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dmabuf-allocd.h"
#include "internal.h"

/* The wire format is fixed: a change of size is a change of version. */
static_assert(sizeof(struct dmabuf_allocd_request) == 128,
	      "struct dmabuf_allocd_request is 128 bytes");
static_assert(sizeof(struct dmabuf_allocd_reply) == 32,
	      "struct dmabuf_allocd_reply is 32 bytes");

/* The most fds a reply may bring that we still see, to close them */
#define DMAHEAP_ALLOCD_MAX_FDS 16
/* The longest reply we read whole: another version's may be longer */
#define DMAHEAP_ALLOCD_MAX_REPLY 256
/* The largest errno value there is (the kernel's MAX_ERRNO) */
#define DMAHEAP_ERRNO_MAX 4095

/*
 * A request's sequence number, so that a stale reply (to a call that failed
 * half-way on the same socket) cannot pass for the answer: the clock's
 * nanoseconds, which no two calls on one socket share, and no counter the
 * library would have to keep.
 */
static __u32 dmaheap_allocd_seq(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((__u32)ts.tv_nsec ^ ((__u32)ts.tv_sec << 30)) | 1;
}

int dmaheap_allocd_connect(const char *path)
{
	struct sockaddr_un addr;
	size_t len;
	int sock;

	if (!path)
		path = DMAHEAP_ALLOCD_SOCKET;
	if (!path[0])
		return -EINVAL;
	len = strlen(path);
	if (len >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, len);

	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	while (connect(sock, (struct sockaddr *)&addr, sizeof(addr))) {
		if (errno != EINTR) {
			int ret = -errno;

			dmaheap__close(sock);
			return ret;
		}
	}
	return sock;
}

static int dmaheap_allocd_send(int sock,
			       const struct dmabuf_allocd_request *req,
			       int for_pidfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {
		.iov_base = (void *)req,
		.iov_len = sizeof(*req),
	};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	if (for_pidfd != -1) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &for_pidfd, sizeof(int));
	}
	/* MSG_NOSIGNAL: a service gone away is -EPIPE, not SIGPIPE. */
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A packet goes whole or not at all. */
	return n == sizeof(*req) ? 0 : -EPROTO;
}

/* Close the @n fds in @fds, leaving errno alone. */
static void dmaheap_close_all(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		dmaheap__close(fds[i]);
}

/*
 * The status of reply @r of @n bytes, which came with @nfds fds, to the
 * request @seq: -EPROTO if it breaks the wire format.
 */
static int dmaheap_allocd_check(const struct dmabuf_allocd_reply *r,
				ssize_t n, __u32 seq, int nfds)
{
	/* What every version's reply starts with: magic, version, size, seq */
	if (n < (ssize_t)offsetof(struct dmabuf_allocd_reply, len) ||
	    r->magic != DMABUF_ALLOCD_MAGIC || r->size != n || r->seq != seq)
		return -EPROTO;
	/* A service that does not speak our version says so in its own. */
	if (r->version != DMABUF_ALLOCD_VERSION)
		return r->status == -EPROTONOSUPPORT && !nfds ?
		       -EPROTONOSUPPORT : -EPROTO;
	if (n != sizeof(*r) || r->status > 0 || r->status < -DMAHEAP_ERRNO_MAX)
		return -EPROTO;
	/* The buffer with a success, nothing with an error */
	if (r->status ? nfds : nfds != 1)
		return -EPROTO;
	return r->status;
}

/*
 * Receive the reply to request @seq: its status, and in @fd the buffer if
 * the status is 0. Any reply that breaks the wire format is -EPROTO, and
 * every fd that came with it is closed.
 */
static int dmaheap_allocd_recv(int sock, __u32 seq, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * DMAHEAP_ALLOCD_MAX_FDS)];
		struct cmsghdr align;
	} control;
	/* Room for more than a reply, to see a longer one whole */
	union {
		struct dmabuf_allocd_reply reply;
		char buf[DMAHEAP_ALLOCD_MAX_REPLY];
	} in;
	struct iovec iov = {
		.iov_base = in.buf,
		.iov_len = sizeof(in.buf),
	};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	int fds[DMAHEAP_ALLOCD_MAX_FDS];
	struct cmsghdr *cmsg;
	int nfds = 0, ret;
	ssize_t n;

	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg;
	     cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		size_t len, i;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		len = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < len && nfds < DMAHEAP_ALLOCD_MAX_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
	}
	/* The peer closed the connection: no reply will come. */
	if (n == 0 && !nfds)
		return -ECONNRESET;

	ret = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ? -EPROTO :
	      dmaheap_allocd_check(&in.reply, n, seq, nfds);
	if (ret) {
		dmaheap_close_all(fds, nfds);
		return ret;
	}
	*fd = fds[0];
	return 0;
}

int dmaheap_allocd_alloc(int sock, const char *heap, size_t len,
			 unsigned int fd_flags, const char *name,
			 int for_pidfd)
{
	struct dmabuf_allocd_request req;
	size_t heap_len, name_len;
	int ret, fd = -1;

	ret = dmaheap__check_alloc_args(len, fd_flags);
	if (!ret)
		ret = dmaheap__check_heap_name(heap);
	if (ret)
		return ret;
	heap_len = strlen(heap);
	name_len = name ? strlen(name) : 0;
	if (heap_len >= sizeof(req.heap) || name_len >= sizeof(req.name))
		return -ENAMETOOLONG;
	if (sock < 0 || for_pidfd < -1)
		return -EBADF;

	memset(&req, 0, sizeof(req));
	req.magic = DMABUF_ALLOCD_MAGIC;
	req.version = DMABUF_ALLOCD_VERSION;
	req.size = sizeof(req);
	req.seq = dmaheap_allocd_seq();
	req.flags = for_pidfd != -1 ? DMABUF_ALLOCD_FOR_PIDFD : 0;
	req.len = len;
	req.fd_flags = dmaheap__fd_flags(fd_flags);
	/* The rest of both stays zero: the NUL and no stray bytes sent */
	memcpy(req.heap, heap, heap_len);
	memcpy(req.name, name ? name : "", name_len);

	ret = dmaheap_allocd_send(sock, &req, for_pidfd);
	if (!ret)
		ret = dmaheap_allocd_recv(sock, req.seq, &fd);
	if (ret)
		return ret;
	/* Received close-on-exec, so that no exec in between can take it */
	if (!(req.fd_flags & O_CLOEXEC) && fcntl(fd, F_SETFD, 0)) {
		ret = -errno;
		dmaheap__close(fd);
		return ret;
	}
	return fd;
}
