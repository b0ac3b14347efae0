// SPDX-License-Identifier: GPL-2.0
/*
 * One request, checked field by field before anything is done for it. A
 * pure function of the packet, so that every rule is tested on the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include "request.h"

int request_heap_ok(const char *heap)
{
	return heap[0] && strcmp(heap, ".") && strcmp(heap, "..") &&
	       !strchr(heap, '/');
}

/* The checks of a request of our version and size, in order. */
static int check_fields(const struct dmabuf_allocd_request *req,
			int msg_flags, unsigned int nfds, uint64_t max_size,
			const char **reason)
{
	unsigned int mode = req->fd_flags & O_ACCMODE;

	*reason = "reserved field not zero";
	if (req->reserved)
		return -EINVAL;
	*reason = "unknown flags";
	if (req->flags & ~DMABUF_ALLOCD_VALID_FLAGS)
		return -EINVAL;
	*reason = "len is 0";
	if (!req->len)
		return -EINVAL;
	*reason = "bad fd_flags (O_CLOEXEC and an access mode only)";
	if ((req->fd_flags & ~(O_CLOEXEC | O_ACCMODE)) || mode == O_ACCMODE)
		return -EINVAL;
	*reason = "heap not NUL-terminated";
	if (!memchr(req->heap, '\0', sizeof(req->heap)))
		return -EINVAL;
	*reason = "bad heap name (empty, \".\", \"..\" or with '/')";
	if (!request_heap_ok(req->heap))
		return -EINVAL;
	*reason = "name not NUL-terminated";
	if (!memchr(req->name, '\0', sizeof(req->name)))
		return -EINVAL;
	*reason = "fds were cut off (MSG_CTRUNC)";
	if (msg_flags & MSG_CTRUNC)
		return -EBADF;
	*reason = "FOR_PIDFD needs exactly one fd";
	if ((req->flags & DMABUF_ALLOCD_FOR_PIDFD) && nfds != 1)
		return -EBADF;
	*reason = "fds without FOR_PIDFD";
	if (!(req->flags & DMABUF_ALLOCD_FOR_PIDFD) && nfds)
		return -EBADF;
	*reason = "larger than --max-size";
	if (req->len > max_size)
		return -EFBIG;
	*reason = NULL;
	return 0;
}

int request_decode(const void *pkt, size_t len, int msg_flags,
		   unsigned int nfds, uint64_t max_size,
		   struct dmabuf_allocd_request *req, const char **reason)
{
	memset(req, 0, sizeof(*req));
	memcpy(req, pkt, len < sizeof(*req) ? len : sizeof(*req));

	/* Not a request at all: the connection cannot be trusted further. */
	*reason = "packet shorter than a request header";
	if (len < REQUEST_HEADER_LEN)
		return REQUEST_CLOSE;
	*reason = "bad magic";
	if (req->magic != DMABUF_ALLOCD_MAGIC)
		return REQUEST_CLOSE;
	*reason = "packet shorter than its size field";
	if (len < req->size)
		return REQUEST_CLOSE;

	/* A request of another version or size: say so in our version. */
	*reason = "unsupported version";
	if (req->version != DMABUF_ALLOCD_VERSION)
		return -EPROTONOSUPPORT;
	*reason = "size field is not that of a version 1 request";
	if (req->size != sizeof(*req))
		return -EPROTONOSUPPORT;
	*reason = "packet longer than its size field";
	if (len != sizeof(*req) || (msg_flags & MSG_TRUNC))
		return -EPROTONOSUPPORT;

	return check_fields(req, msg_flags, nfds, max_size, reason);
}

void request_reply(struct dmabuf_allocd_reply *rep, uint32_t seq,
		   int status, uint64_t len, uint64_t cgroup_id)
{
	memset(rep, 0, sizeof(*rep));
	rep->magic = DMABUF_ALLOCD_MAGIC;
	rep->version = DMABUF_ALLOCD_VERSION;
	rep->size = sizeof(*rep);
	rep->seq = seq;
	rep->status = status;
	rep->len = status ? 0 : len;
	rep->cgroup_id = status ? 0 : cgroup_id;
}
