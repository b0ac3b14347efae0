/* SPDX-License-Identifier: GPL-2.0 */
/* One client's connection: its requests in, its replies out. */
#ifndef ALLOCD_CLIENT_H
#define ALLOCD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "handle.h"
#include "options.h"

/*
 * Fds the closer may be behind by before a client that sends fds is
 * dropped instead of read: past this, the closer is taken to be stuck.
 */
#define CLIENT_CLOSER_BACKLOG_MAX 512

struct pending {
	struct dmabuf_allocd_reply rep;
	int fd;				/* the buffer, or -1 */
};

struct client {
	struct client *prev, *next;	/* the server's list */
	int sock;
	struct peer_id id;
	bool reading;			/* EPOLLIN wanted */
	uint32_t events;		/* as registered with epoll */
	unsigned int head, count;	/* the queue, a ring */
	struct pending queue[];		/* cfg->max_outstanding */
};

/* client_new - a client for connection @sock of peer @id, or NULL */
struct client *client_new(int sock, const struct peer_id *id,
			  const struct allocd_config *cfg);

/*
 * client_free - close everything of @c: the buffers queued and its pidfd
 * here, its socket (which may carry fds in flight) by the closer
 */
void client_free(struct client *c, const struct allocd_config *cfg);

/* client_events - the epoll events @c wants: EPOLLIN, EPOLLOUT */
uint32_t client_events(const struct client *c);

/*
 * client_serve - read and serve what @c sent, a batch at a time
 * Returns 0, or -errno if the connection must be dropped.
 */
int client_serve(const struct allocd_config *cfg, struct client *c);

/* client_drain - send what is queued for @c, as far as it takes: 0 or -errno */
int client_drain(const struct allocd_config *cfg, struct client *c);

#endif
