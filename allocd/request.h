/* SPDX-License-Identifier: GPL-2.0 */
/* Decoding one request packet of lib/dmabuf-allocd.h, and its reply. */
#ifndef ALLOCD_REQUEST_H
#define ALLOCD_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "dmabuf-allocd.h"

/* What request_decode() returns for a packet that is not a request. */
#define REQUEST_CLOSE 1

/* The part of a request every version shares: magic, version, size, seq. */
#define REQUEST_HEADER_LEN 12

/*
 * request_decode - check one packet, without looking at anything else
 * @pkt: the packet; at least min(@len, sizeof(*@req)) bytes of it
 * @len: its real length (recvmsg() with MSG_TRUNC)
 * @msg_flags: recvmsg()'s msg_flags: MSG_TRUNC, MSG_CTRUNC
 * @nfds: the number of fds that came with it
 * @max_size: the largest buffer allowed
 * @req: the request, as far as the packet has one; @req->seq is set unless
 *	the result is REQUEST_CLOSE
 * @reason: set to why, for the log, unless the result is 0
 *
 * Returns 0 for a request to serve; a negative errno to reply with:
 * -EPROTONOSUPPORT (another version, another size), -EINVAL (reserved
 * fields, unknown flags, len 0, fd_flags, heap or name), -EBADF (fds and
 * DMABUF_ALLOCD_FOR_PIDFD disagree, or MSG_CTRUNC), -EFBIG (over
 * @max_size); or REQUEST_CLOSE for a packet that is not a request at all
 * (shorter than the header or than it says it is, bad magic).
 */
int request_decode(const void *pkt, size_t len, int msg_flags,
		   unsigned int nfds, uint64_t max_size,
		   struct dmabuf_allocd_request *req, const char **reason);

/* request_heap_ok - @heap is a file name: not "", ".", "..", no '/' */
int request_heap_ok(const char *heap);

/* request_reply - the reply to request @seq (@status 0 or -errno) */
void request_reply(struct dmabuf_allocd_reply *rep, uint32_t seq,
		   int status, uint64_t len, uint64_t cgroup_id);

#endif
