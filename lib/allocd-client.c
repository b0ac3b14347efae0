// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The client side of dmabuf-allocd's wire format (dmabuf-allocd.h). */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

/* The longest reply we read whole: another version's may be longer */
#define DMAHEAP_ALLOCD_MAX_REPLY 256
/* The largest errno value there is (the kernel's MAX_ERRNO) */
#define DMAHEAP_ERRNO_MAX 4095
/* The fds we make room for: a reply's, and all the socket may add */
#define DMAHEAP_ALLOCD_MAX_FDS 16

/* A pidfd of the sender, with every message once SO_PASSPIDFD is set */
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

/* The C library may predate getrandom() (glibc 2.25): call it directly. */
#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif

/* Not a reply to this call, but a well-formed one to an earlier call */
#define DMAHEAP_ALLOCD_STALE 1

/*
 * A request's sequence number, so that a stale reply (to an earlier call
 * on the same socket that gave up before its reply came) cannot pass for
 * the answer: random, so that no state is kept and two calls share one
 * with a chance of 2^-32. Only if the kernel has no randomness to give
 * yet, the clock's nanoseconds.
 */
static __u32 dmaheap_allocd_seq(void)
{
	struct timespec ts;
	int saved = errno;
	__u32 seq;

#ifdef SYS_getrandom
	if (syscall(SYS_getrandom, &seq, sizeof(seq), GRND_NONBLOCK) ==
	    (long)sizeof(seq)) {
		errno = saved;
		return seq;
	}
	errno = saved;
#endif
	clock_gettime(CLOCK_MONOTONIC, &ts);
	seq = (__u32)ts.tv_nsec ^ ((__u32)ts.tv_sec << 30);
	return seq;
}

/*
 * Wait until @sock is ready for @events, whatever its O_NONBLOCK: the call
 * is synchronous. A signal does not end the wait.
 */
static int dmaheap_allocd_wait(int sock, short events)
{
	struct pollfd pfd = { .fd = sock, .events = events };
	int n;

	do {
		n = poll(&pfd, 1, -1);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* POLLERR and POLLHUP: the next send or receive says what it is. */
	return pfd.revents & POLLNVAL ? -EBADF : 0;
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
	int ret;

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
	/*
	 * MSG_NOSIGNAL: a service gone away is -EPIPE, not SIGPIPE.
	 * MSG_DONTWAIT and poll(): the same wait for every socket's flags.
	 */
	for (;;) {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0 || (errno != EINTR && errno != EAGAIN))
			break;
		if (errno == EAGAIN) {
			ret = dmaheap_allocd_wait(sock, POLLOUT);
			if (ret)
				return ret;
		}
	}
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
 * Whether the buffer's size @got answers a request of @len bytes: the heap
 * makes whole pages, so at least @len and less than a page beyond them.
 * (No sum that could overflow: @len may be near SIZE_MAX.)
 */
static int dmaheap_allocd_len_ok(__u64 got, __u64 len)
{
	long size = sysconf(_SC_PAGESIZE);
	__u64 page = size > 0 ? (__u64)size : 4096;
	/* What rounding up to pages adds, and one page more */
	__u64 slack = (page - len % page) % page + page;

	return got >= len && got - len < slack;
}

/*
 * The status of reply @r of @n bytes, which came with @nfds fds
 * (SCM_RIGHTS), to the request @seq for @len bytes: -EPROTO if it breaks
 * the wire format, DMAHEAP_ALLOCD_STALE if it is a well-formed reply to
 * another request.
 */
static int dmaheap_allocd_check(const struct dmabuf_allocd_reply *r,
				ssize_t n, __u32 seq, __u64 len, int nfds)
{
	/* What every version's reply starts with: magic, version, size, seq */
	if (n < (ssize_t)offsetof(struct dmabuf_allocd_reply, len) ||
	    r->magic != DMABUF_ALLOCD_MAGIC || r->size != n)
		return -EPROTO;
	/* A service that does not speak our version says so in its own. */
	if (r->version != DMABUF_ALLOCD_VERSION)
		return r->seq == seq && r->status == -EPROTONOSUPPORT &&
		       !nfds ? -EPROTONOSUPPORT : -EPROTO;
	if (n != sizeof(*r) || r->status > 0 || r->status < -DMAHEAP_ERRNO_MAX)
		return -EPROTO;
	/* The buffer with a success, nothing with an error */
	if (r->status ? nfds : nfds != 1)
		return -EPROTO;
	/* A failure made nothing, and charged nobody. */
	if (r->status && (r->len || r->cgroup_id))
		return -EPROTO;
	if (r->seq != seq)
		return DMAHEAP_ALLOCD_STALE;
	if (!r->status && !dmaheap_allocd_len_ok(r->len, len))
		return -EPROTO;
	return r->status;
}

/*
 * The control data a reply may bring: the fds of SCM_RIGHTS we see (more
 * is MSG_CTRUNC, and the kernel closes the rest), and what the caller's
 * socket options add (SCM_PIDFD, SCM_CREDENTIALS, a security label).
 */
#define DMAHEAP_ALLOCD_CONTROL \
	(CMSG_SPACE(sizeof(int) * DMAHEAP_ALLOCD_MAX_FDS) + \
	 CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred)) + 256)

/* One packet received */
struct dmaheap_allocd_in {
	/* Room for more than a reply, to see a longer one whole */
	union {
		struct dmabuf_allocd_reply reply;
		char buf[DMAHEAP_ALLOCD_MAX_REPLY];
	} data;
	ssize_t len;
	int flags;		/* msg_flags */
	/* Every fd that came: first those of SCM_RIGHTS, then the others */
	int fds[DMAHEAP_ALLOCD_CONTROL / sizeof(int)];
	int nfds;
	int nrights;
};

/* Take the fds of the control messages of type @type from @msg. */
static void dmaheap_allocd_take_fds(struct msghdr *msg, int type,
				    struct dmaheap_allocd_in *in)
{
	const int max = (int)(sizeof(in->fds) / sizeof(int));
	struct cmsghdr *cmsg;
	size_t n, i;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != type)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		/* Never more than fit: the array is the control data's size */
		for (i = 0; i < n && in->nfds < max; i++)
			memcpy(&in->fds[in->nfds++],
			       CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
	}
}

/*
 * Receive one packet into @in: 0, or -errno. It waits with poll() and
 * receives with MSG_DONTWAIT, so that neither O_NONBLOCK nor SO_RCVTIMEO
 * can end the call before its reply comes.
 */
static int dmaheap_allocd_recv_one(int sock, struct dmaheap_allocd_in *in)
{
	union {
		char buf[DMAHEAP_ALLOCD_CONTROL];
		struct cmsghdr align;
	} control;
	struct iovec iov = {
		.iov_base = in->data.buf,
		.iov_len = sizeof(in->data.buf),
	};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	int ret;

	for (;;) {
		ret = dmaheap_allocd_wait(sock, POLLIN);
		if (ret)
			return ret;
		in->len = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (in->len >= 0)
			break;
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}
	in->flags = msg.msg_flags;
	in->nfds = 0;
	dmaheap_allocd_take_fds(&msg, SCM_RIGHTS, in);
	in->nrights = in->nfds;
	dmaheap_allocd_take_fds(&msg, SCM_PIDFD, in);
	return 0;
}

/*
 * Receive the reply to request @seq for @len bytes: its status, and in @fd
 * the buffer if the status is 0. Well-formed replies to other requests
 * (left by an earlier call that gave up) are skipped. Any reply that
 * breaks the wire format is -EPROTO. Every fd that came, but the buffer
 * returned, is closed.
 */
static int dmaheap_allocd_recv(int sock, __u32 seq, __u64 len, int *fd)
{
	struct dmaheap_allocd_in in;
	int ret;

	for (;;) {
		ret = dmaheap_allocd_recv_one(sock, &in);
		if (ret)
			return ret;
		/* The peer closed the connection: no reply will come. */
		if (in.len == 0 && !in.nrights) {
			dmaheap_close_all(in.fds, in.nfds);
			return -ECONNRESET;
		}
		ret = (in.flags & (MSG_TRUNC | MSG_CTRUNC)) ? -EPROTO :
		      dmaheap_allocd_check(&in.data.reply, in.len, seq, len,
					   in.nrights);
		if (ret == 0) {
			/* The buffer is the one fd of SCM_RIGHTS. */
			*fd = in.fds[0];
			dmaheap_close_all(in.fds + 1, in.nfds - 1);
			return 0;
		}
		dmaheap_close_all(in.fds, in.nfds);
		if (ret != DMAHEAP_ALLOCD_STALE)
			return ret;
	}
}

int dmaheap_allocd_alloc(int sock, const char *heap, size_t len,
			 unsigned int fd_flags, const char *name,
			 int for_pidfd)
{
	struct dmabuf_allocd_request req;
	size_t heap_len, name_len;
	int ret, fd = -1;

	ret = dmaheap__check_heap_alloc(heap, len, fd_flags);
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
		ret = dmaheap_allocd_recv(sock, req.seq, req.len, &fd);
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
