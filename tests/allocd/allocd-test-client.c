// SPDX-License-Identifier: GPL-2.0
/*
 * The test's clients: processes in a cgroup of their own (and a uid of
 * their own) that allocate through dmabuf-allocd when told to over a
 * control socket, and hold the buffers until told otherwise, so that the
 * test can read what each cgroup is charged meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/fdpass.h"
#include "allocd-test.h"
#include "dmaheap.h"

#define HELD_MAX 64

static int held[HELD_MAX], n_held;

/* The fd to forward for @for_pid (FOR_*), or -1 for none. */
static int forward_fd(pid_t for_pid)
{
	pid_t pid;
	int fd;

	if (for_pid == FOR_NONE)
		return -1;
	if (for_pid == FOR_NOT_PIDFD)
		return open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (for_pid > 0)
		return syscall(SYS_pidfd_open, for_pid, 0);
	/* FOR_EXITED: a pidfd that outlived its process. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	fd = syscall(SYS_pidfd_open, pid, 0);
	waitpid(pid, NULL, 0);
	return fd;
}

/* The request in the wire format; the reply's fields in @out. */
static int raw(const struct order *o, int pass, struct outcome *out)
{
	struct dmabuf_allocd_request req = {
		.magic = DMABUF_ALLOCD_MAGIC,
		.version = DMABUF_ALLOCD_VERSION,
		.size = sizeof(req),
		.seq = 4321,
		.flags = pass >= 0 ? DMABUF_ALLOCD_FOR_PIDFD : 0,
		.len = o->len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct dmabuf_allocd_reply rep;
	int sock = connect_to(o->sock), buf = -1;

	if (sock < 0)
		return -errno;
	memcpy(req.heap, o->heap, sizeof(req.heap));
	memcpy(req.name, o->name, sizeof(req.name));
	if (fdpass_send(sock, &req, sizeof(req), pass) ||
	    fdpass_recv(sock, &rep, sizeof(rep), &buf)) {
		close(sock);
		return -EPROTO;
	}
	close(sock);
	out->len = rep.len;
	out->cgroup_id = rep.cgroup_id;
	if (rep.seq != req.seq || rep.magic != DMABUF_ALLOCD_MAGIC ||
	    (rep.status && buf >= 0) || (!rep.status && buf < 0)) {
		if (buf >= 0)
			close(buf);
		return -EPROTO;
	}
	return rep.status ? rep.status : buf;
}

static void obey(const struct order *o, struct outcome *out)
{
	struct dmaheap_info info;
	int pass, buf, sock;

	memset(out, 0, sizeof(*out));
	if (o->op == OP_CLOSE_ALL) {
		while (n_held)
			close(held[--n_held]);
		return;
	}
	pass = forward_fd(o->for_pid);
	if (o->op == OP_RAW) {
		buf = raw(o, pass, out);
	} else {
		sock = dmaheap_allocd_connect(o->sock);
		buf = sock < 0 ? sock :
		      dmaheap_allocd_alloc(sock, o->heap, o->len, 0, o->name,
					   pass);
		if (sock >= 0)
			close(sock);
	}
	if (pass >= 0)
		close(pass);
	if (buf < 0) {
		out->status = buf;
		return;
	}
	if (!dmaheap_info(buf, &info)) {
		out->info_cgroup_id = info.cgroup_id;
		memcpy(out->info_name, info.name, sizeof(out->info_name));
	}
	if (n_held < HELD_MAX)
		held[n_held++] = buf;
	else
		close(buf);
}

static void serve(int ctl)
{
	struct order o;
	struct outcome out;
	int unused;

	while (!fdpass_recv(ctl, &o, sizeof(o), &unused)) {
		obey(&o, &out);
		if (fdpass_send(ctl, &out, sizeof(out), -1))
			break;
	}
}

/*
 * Returns once the client is in @cgroup with @uid: a test that names it
 * to the service right away must not find it still in the test's cgroup,
 * as root (with two CPUs, the parent runs on while the child sets up).
 */
int client_start(struct client *c, const char *cgroup, uid_t uid)
{
	struct timeval tv = { .tv_sec = 30 };
	char ready = 0;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	c->pid = fork();
	if (c->pid == 0) {
		close(sv[0]);
		if (cg_enter(cgroup) ||
		    (uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
			     setresuid(uid, uid, uid))) ||
		    send(sv[1], "r", 1, 0) != 1)
			_exit(1);
		serve(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	c->ctl = sv[0];
	if (c->pid < 0) {
		close(c->ctl);
		return -1;
	}
	setsockopt(c->ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (recv(c->ctl, &ready, 1, 0) != 1 || ready != 'r') {
		client_stop(c);
		return -1;
	}
	return 0;
}

void client_do(struct client *c, const struct order *o, struct outcome *out)
{
	struct timeval tv = { .tv_sec = 30 };
	int unused;

	setsockopt(c->ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fdpass_send(c->ctl, o, sizeof(*o), -1) ||
	    fdpass_recv(c->ctl, out, sizeof(*out), &unused)) {
		memset(out, 0, sizeof(*out));
		out->status = -ETIMEDOUT;
	}
}

int client_alloc(struct client *c, int op, const char *sock, uint64_t len,
		 const char *name, pid_t for_pid, struct outcome *out)
{
	struct order o = { .op = op, .len = len, .for_pid = for_pid };

	snprintf(o.sock, sizeof(o.sock), "%s", sock);
	snprintf(o.heap, sizeof(o.heap), "%s", HEAP);
	snprintf(o.name, sizeof(o.name), "%s", name);
	client_do(c, &o, out);
	return out->status;
}

void client_stop(struct client *c)
{
	if (c->pid <= 0)
		return;
	close(c->ctl);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}
