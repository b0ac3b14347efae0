// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop: one epoll set for the listening socket, a signalfd and
 * every client (client.c). Connections are taken up to --max-clients, and
 * up to --max-clients-per-uid of one uid, so that one user cannot take
 * every slot. The loop never closes an fd a client could have made: those
 * go to the closer thread (closer.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "closer.h"
#include "handle.h"
#include "log.h"
#include "server.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* Connections accepted before the clients get their turn. */
#define ACCEPT_BATCH 16
/* How long accepting pauses when out of fds. */
#define ACCEPT_PAUSE_MS 100

struct server {
	const struct allocd_config *cfg;
	int epoll, listen_fd, signal_fd;
	bool accepting;
	long long resume_ms;		/* when to accept again */
	struct client *clients;
	unsigned int n_clients;
	/* The "too many clients" lines, one a second at most */
	struct log_ratelimit too_many, too_many_of_uid;
};

/* What epoll's data.ptr is, besides a client. */
static char listen_tag, signal_tag;

static int set_events(struct server *s, struct client *c)
{
	struct epoll_event ev = { .events = client_events(c), .data.ptr = c };

	if (ev.events == c->events)
		return 0;
	if (epoll_ctl(s->epoll, EPOLL_CTL_MOD, c->sock, &ev))
		return -errno;
	c->events = ev.events;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void set_accepting(struct server *s, bool on)
{
	struct epoll_event ev = {
		.events = on ? EPOLLIN : 0, .data.ptr = &listen_tag,
	};

	if (s->accepting != on &&
	    !epoll_ctl(s->epoll, EPOLL_CTL_MOD, s->listen_fd, &ev))
		s->accepting = on;
}

/* Forget client @c and close everything of it. */
static void drop_client(struct server *s, struct client *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	/* Its socket may stay open a while in the closer's queue. */
	epoll_ctl(s->epoll, EPOLL_CTL_DEL, c->sock, NULL);
	client_free(c, s->cfg);
	s->n_clients--;
	set_accepting(s, true);
}

static void client_event(struct server *s, struct client *c, uint32_t events)
{
	int ret = 0;

	/* Gone: whatever it sent last has nobody to be answered to. */
	if (events & (EPOLLHUP | EPOLLERR))
		ret = -ECONNRESET;
	if (!ret && (events & EPOLLOUT))
		ret = client_drain(s->cfg, c);
	if (!ret && (events & EPOLLIN))
		ret = client_serve(s->cfg, c);
	if (!ret)
		ret = set_events(s, c);
	if (ret)
		drop_client(s, c);
}

/* Who is at the other end of @sock, in @id (pidfd -1 if unknown). */
static int identify(int sock, struct peer_id *id)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int ret = 0;

	memset(id, 0, sizeof(*id));
	id->pidfd = -1;
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return -errno;
	id->pid = cred.pid;
	id->uid = cred.uid;
	id->gid = cred.gid;
	len = sizeof(id->pidfd);
	/* Fails if the peer has exited already: nobody to charge. */
	if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &id->pidfd, &len)) {
		ret = -errno;
		id->pidfd = -1;
	}
	return ret;
}

/*
 * The clients of @uid. A walk of the list: a few hundred clients at most
 * in practice, and the count is wanted once per connection.
 */
static unsigned int clients_of(const struct server *s, uid_t uid)
{
	const struct client *c;
	unsigned int n = 0;

	for (c = s->clients; c; c = c->next)
		n += c->id.uid == uid;
	return n;
}

/* Log a connection refused for @why, one line a second at most. */
static void refuse(struct log_ratelimit *limit, const struct peer_id *id,
		   const char *why)
{
	char reason[128];
	unsigned int n;

	if (!log_ratelimit(limit, &n))
		return;
	snprintf(reason, sizeof(reason), "%s, %u refused", why, n);
	handle_refused(id, reason);
}

/* Take connection @sock as a client: 0, or -errno. */
static int add_client(struct server *s, int sock)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct peer_id id;
	struct client *c;
	int ret;

	ret = identify(sock, &id);
	if (ret) {
		handle_refused(&id, "no pidfd of the peer (SO_PEERPIDFD): has it exited?");
		goto fail;
	}
	ret = -EMFILE;
	if (s->n_clients >= s->cfg->max_clients) {
		refuse(&s->too_many, &id, "too many clients (--max-clients)");
		goto fail;
	}
	if (clients_of(s, id.uid) >= s->cfg->max_clients_per_uid) {
		refuse(&s->too_many_of_uid, &id,
		       "too many clients of this uid (--max-clients-per-uid)");
		goto fail;
	}
	c = client_new(sock, &id, s->cfg);
	if (!c) {
		handle_refused(&id, "out of memory");
		ret = -ENOMEM;
		goto fail;
	}
	c->events = ev.events;
	ev.data.ptr = c;
	if (epoll_ctl(s->epoll, EPOLL_CTL_ADD, sock, &ev)) {
		ret = -errno;
		handle_refused(&id, "epoll_ctl failed");
		client_free(c, s->cfg);
		return ret;
	}
	c->next = s->clients;
	if (c->next)
		c->next->prev = c;
	s->clients = c;
	s->n_clients++;
	return 0;
fail:
	if (id.pidfd >= 0)
		close(id.pidfd);
	/* It may carry fds already: not ours to close here. */
	shutdown(sock, SHUT_RDWR);
	closer_close(sock);
	return ret;
}

/* Accept what waits, a batch at a time: the clients get their turn too. */
static void accept_all(struct server *s)
{
	int sock, i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		sock = accept4(s->listen_fd, NULL, NULL,
			       SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (sock >= 0) {
			add_client(s, sock);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN)
			return;
		/*
		 * Out of fds or memory: the connection waits in the backlog,
		 * and the socket stays readable. Stop listening for a while
		 * rather than spin; the clients already here are still served.
		 */
		log_error("accept: %s; not accepting for %d ms (%u fds wait to be closed)",
			  strerror(errno), ACCEPT_PAUSE_MS, closer_backlog());
		set_accepting(s, false);
		s->resume_ms = now_ms() + ACCEPT_PAUSE_MS;
		return;
	}
}

static int add_fd(struct server *s, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(s->epoll, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int loop(struct server *s)
{
	struct epoll_event events[64];
	struct signalfd_siginfo si;
	bool listen_ready, stop = false;
	long long wait;
	int i, n;

	for (;;) {
		listen_ready = false;
		wait = s->accepting ? -1 : s->resume_ms - now_ms();
		if (!s->accepting && wait <= 0) {
			set_accepting(s, true);
			wait = -1;
		}
		n = epoll_wait(s->epoll, events, 64, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		/*
		 * New connections last: the clients that left in this batch
		 * are gone first, and do not count against --max-clients.
		 */
		for (i = 0; i < n; i++) {
			if (events[i].data.ptr == &listen_tag)
				listen_ready = true;
			else if (events[i].data.ptr == &signal_tag)
				stop = read(s->signal_fd, &si, sizeof(si)) ==
				       sizeof(si);
			else
				client_event(s, events[i].data.ptr,
					     events[i].events);
		}
		if (stop) {
			log_info("%s: exiting", strsignal(si.ssi_signo));
			return 0;
		}
		if (listen_ready)
			accept_all(s);
	}
}

int server_run(int listen_fd, const struct allocd_config *cfg)
{
	struct server s = {
		.cfg = cfg, .listen_fd = listen_fd, .accepting = true,
	};
	sigset_t set;
	int ret;

	ret = closer_start();
	if (ret)
		return ret;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	s.signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s.signal_fd < 0)
		return -errno;
	s.epoll = epoll_create1(EPOLL_CLOEXEC);
	if (s.epoll < 0) {
		ret = -errno;
		close(s.signal_fd);
		return ret;
	}
	ret = add_fd(&s, listen_fd, &listen_tag);
	if (!ret)
		ret = add_fd(&s, s.signal_fd, &signal_tag);
	if (!ret)
		ret = loop(&s);
	/*
	 * The clients' sockets go to the closer, which may be stuck: it is
	 * not waited for. The exit kills it, and a process that exits does
	 * not linger in close().
	 */
	while (s.clients)
		drop_client(&s, s.clients);
	close(s.epoll);
	close(s.signal_fd);
	return ret;
}
