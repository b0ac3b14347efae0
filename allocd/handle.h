/* SPDX-License-Identifier: GPL-2.0 */
/* Serving one request: decide, allocate, reply, log. */
#ifndef ALLOCD_HANDLE_H
#define ALLOCD_HANDLE_H

#include <stddef.h>
#include <sys/types.h>

#include "dmabuf-allocd.h"
#include "options.h"

/* Who is at the other end of a connection, as taken at accept(). */
struct peer_id {
	int pidfd;	/* SO_PEERPIDFD: what the daemon charges */
	pid_t pid;	/* SO_PEERCRED, for the log */
	uid_t uid;	/* SO_PEERCRED, for the log and the policy */
	gid_t gid;
};

/*
 * handle_packet - serve one packet @pkt (@len its real length, @msg_flags
 * recvmsg()'s) that came with the fds @fds from peer @who
 *
 * Returns REQUEST_CLOSE if the connection must be closed (logged), or 0
 * with the reply in @rep and in @buf the buffer to send with it (-1 if
 * none), which the caller then owns. The fds in @fds stay the caller's to
 * close, whatever happened.
 */
int handle_packet(const struct allocd_config *cfg, const struct peer_id *who,
		  const void *pkt, size_t len, int msg_flags,
		  const int *fds, unsigned int nfds,
		  struct dmabuf_allocd_reply *rep, int *buf);

/* handle_refused - log a connection refused before any request */
void handle_refused(const struct peer_id *who, const char *reason);

#endif
