/* SPDX-License-Identifier: GPL-2.0 */
/* A thread that closes, for the event loop, the fds whose close may block. */
#ifndef ALLOCD_CLOSER_H
#define ALLOCD_CLOSER_H

/*
 * The last close() of a file a client passed can block for as long as the
 * client likes: a TCP socket with SO_LINGER and data its peer never takes,
 * a file on a FUSE mount whose server never answers. So can the close of a
 * client's socket, which drops the fds still in flight in it. The event
 * loop hands such fds to the closer thread instead.
 *
 * If the closer itself is stuck in a close(), what it is handed piles up:
 * first in its pipe (16384 fds by default), then, the pipe full, as fds
 * left open for good. The loop goes on; closer_backlog() says how far
 * behind the closer is.
 */

/* closer_start - start the closer thread (once): 0 or -errno */
int closer_start(void);

/* closer_close - have @fd closed by the closer thread; never blocks */
void closer_close(int fd);

/* closer_backlog - fds handed over and not closed yet (or never to be) */
unsigned int closer_backlog(void);

#endif
