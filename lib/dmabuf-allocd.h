/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The wire format of dmabuf-allocd, the reference central allocator.
 *
 * Transport: a UNIX SOCK_SEQPACKET socket (default /run/dmabuf-allocd.sock).
 * Every message is one packet; the daemon answers each request with
 * exactly one reply, in order. The daemon knows who asks from the
 * socket itself (SO_PEERPIDFD), never from the message.
 *
 * Request: one struct dmabuf_allocd_request, all integers in host byte
 * order (the socket is local). With DMABUF_ALLOCD_FOR_PIDFD, exactly one fd
 * comes with it as SCM_RIGHTS: a pidfd of the process the buffer is for
 * ("on behalf of": a middle process forwarding its client's request). The
 * daemon honours that only for the peers its command line trusts. Any
 * other fd, or more than one, fails the request with -EBADF, and the fds
 * are closed.
 *
 * Reply: one struct dmabuf_allocd_reply; if @status is 0, exactly one fd
 * comes with it as SCM_RIGHTS: the buffer.
 *
 * Versioning: @version is DMABUF_ALLOCD_VERSION. A daemon answers a
 * request of a version it does not speak, or of another @size, with
 * -EPROTONOSUPPORT (in a reply of its own version), and a packet that is
 * not a request at all (bad magic, short) by closing the connection. New
 * fields go at the end, with a new version; reserved fields and unknown
 * flags must be zero (-EINVAL).
 */
#ifndef DMABUF_ALLOCD_H
#define DMABUF_ALLOCD_H

#include <linux/types.h>

#define DMABUF_ALLOCD_MAGIC	0x64616c61U	/* "alad", little endian */
#define DMABUF_ALLOCD_VERSION	1

/* @flags of a request */
#define DMABUF_ALLOCD_FOR_PIDFD	0x1U	/* a pidfd comes with it */
#define DMABUF_ALLOCD_VALID_FLAGS	DMABUF_ALLOCD_FOR_PIDFD

#define DMABUF_ALLOCD_HEAP_LEN	64	/* with the NUL */
#define DMABUF_ALLOCD_NAME_LEN	32	/* with the NUL, as DMA_BUF_NAME_LEN */

struct dmabuf_allocd_request {
	__u32 magic;		/* DMABUF_ALLOCD_MAGIC */
	__u16 version;		/* DMABUF_ALLOCD_VERSION */
	__u16 size;		/* sizeof(struct dmabuf_allocd_request) */
	__u32 seq;		/* echoed in the reply */
	__u32 flags;		/* DMABUF_ALLOCD_* */
	__u64 len;		/* bytes, > 0 */
	__u32 fd_flags;		/* O_CLOEXEC | O_ACCMODE of the buffer's fd */
	__u32 reserved;		/* zero */
	char heap[DMABUF_ALLOCD_HEAP_LEN];	/* NUL-terminated */
	char name[DMABUF_ALLOCD_NAME_LEN];	/* NUL-terminated; "" none */
};

struct dmabuf_allocd_reply {
	__u32 magic;		/* DMABUF_ALLOCD_MAGIC */
	__u16 version;		/* DMABUF_ALLOCD_VERSION */
	__u16 size;		/* sizeof(struct dmabuf_allocd_reply) */
	__u32 seq;		/* the request's */
	__s32 status;		/* 0, or a negative errno */
	__u64 len;		/* the buffer's size (0 on failure) */
	__u64 cgroup_id;	/* the cgroup charged (0: none, or failure) */
};

#endif
