// SPDX-License-Identifier: GPL-2.0
/*
 * The client side of dmabuf-allocd's wire format, against a fake service
 * in a thread on the other end of a socketpair: the bytes of the request,
 * the pidfd that comes with it, and every kind of reply, good or broken.
 * A broken reply must be -EPROTO, with every fd that came with it closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmabuf-allocd.h"
#include "dmaheap.h"
#include "unit-test.h"

#define MAX_FDS 24
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum action {
	REPLY,		/* read the request, send the reply */
	CLOSE,		/* read the request, close the connection */
	CLOSE_FIRST,	/* gone before the request (no thread) */
};

struct fake {
	int sock;
	enum action action;
	int rounds;			/* requests to answer (0: 1) */
	/* The reply: echo the request's seq into it? */
	bool echo_seq;
	union {
		struct dmabuf_allocd_reply reply;
		char bytes[64];
	} out;			/* zeroes after the reply */
	size_t out_len;
	int out_fds;			/* fds sent with the reply */
	ino_t sent_ino;			/* the first of them */
	/* What came */
	struct dmabuf_allocd_request req;
	ssize_t req_len;
	int req_fds;
	ino_t req_ino;			/* of the first fd that came */
};

static void fake_init(struct fake *f, __s32 status, int fds)
{
	memset(f, 0, sizeof(*f));
	f->action = REPLY;
	f->echo_seq = true;
	f->out.reply.magic = DMABUF_ALLOCD_MAGIC;
	f->out.reply.version = DMABUF_ALLOCD_VERSION;
	f->out.reply.size = sizeof(f->out.reply);
	f->out.reply.status = status;
	f->out.reply.len = status ? 0 : 65536;
	f->out.reply.cgroup_id = status ? 0 : 7;
	f->out_len = sizeof(f->out.reply);
	f->out_fds = fds;
}

static ino_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static void fake_receive(struct fake *f)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = &f->req, .iov_len = sizeof(f->req) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	int fds[4], i;

	memset(&f->req, 0, sizeof(f->req));
	f->req_fds = 0;
	f->req_len = recvmsg(f->sock, &msg, MSG_CMSG_CLOEXEC);
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		f->req_fds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(cmsg), f->req_fds * sizeof(int));
	}
	if (f->req_fds)
		f->req_ino = ino_of(fds[0]);
	for (i = 0; i < f->req_fds; i++)
		close(fds[i]);
}

static void fake_reply(struct fake *f)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = f->out.bytes, .iov_len = f->out_len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[MAX_FDS], pipefd[2], i;
	struct cmsghdr *cmsg;

	if (f->echo_seq)
		f->out.reply.seq = f->req.seq;
	for (i = 0; i < f->out_fds; i++) {
		if (pipe2(pipefd, O_CLOEXEC))
			return;
		close(pipefd[1]);
		fds[i] = pipefd[0];
	}
	if (f->out_fds) {
		f->sent_ino = ino_of(fds[0]);
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * f->out_fds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * f->out_fds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * f->out_fds);
	}
	if (sendmsg(f->sock, &msg, MSG_NOSIGNAL) < 0)
		perror("# fake service: sendmsg");
	for (i = 0; i < f->out_fds; i++)
		close(fds[i]);
}

static void *fake_service(void *arg)
{
	struct fake *f = arg;
	int i;

	for (i = 0; i < (f->rounds ? f->rounds : 1); i++) {
		fake_receive(f);
		if (f->action == CLOSE || f->req_len <= 0)
			break;
		fake_reply(f);
	}
	close(f->sock);
	return NULL;
}

/* One dmaheap_allocd_alloc() against the fake service @f */
static int ask(struct fake *f, const char *heap, size_t len,
	       unsigned int fd_flags, const char *name, int for_pidfd)
{
	pthread_t thread;
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1000;
	f->sock = sv[1];
	/* Gone before the request is sent, not while it is */
	if (f->action == CLOSE_FIRST) {
		close(sv[1]);
		ret = dmaheap_allocd_alloc(sv[0], heap, len, fd_flags, name,
					   for_pidfd);
		close(sv[0]);
		return ret;
	}
	if (pthread_create(&thread, NULL, fake_service, f)) {
		close(sv[0]);
		close(sv[1]);
		return -1000;
	}
	ret = dmaheap_allocd_alloc(sv[0], heap, len, fd_flags, name,
				   for_pidfd);
	/* Once the service is done, its fds are closed: count ours */
	pthread_join(thread, NULL);
	close(sv[0]);
	return ret;
}

static bool is_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

static void test_request(void)
{
	struct dmabuf_allocd_request want;
	char heap[DMABUF_ALLOCD_HEAP_LEN], name[DMABUF_ALLOCD_NAME_LEN];
	struct fake f;
	__u32 seq;
	int fd, fds = fd_count(), pipefd[2];

	fake_init(&f, 0, 1);
	fd = ask(&f, "system", 65536, 0, "preview", -1);
	memset(&want, 0, sizeof(want));
	want.magic = DMABUF_ALLOCD_MAGIC;
	want.version = DMABUF_ALLOCD_VERSION;
	want.size = sizeof(want);
	want.seq = f.req.seq;
	want.len = 65536;
	want.fd_flags = O_RDWR | O_CLOEXEC;
	memcpy(want.heap, "system", sizeof("system"));
	memcpy(want.name, "preview", sizeof("preview"));
	check(f.req_len == 128 && !memcmp(&f.req, &want, sizeof(want)) &&
	      f.req.seq && !f.req_fds,
	      "wire: the request's 128 bytes, fd_flags 0 sent as O_RDWR | O_CLOEXEC, no fd");
	check(!memcmp(&f.req, "alad\x01\x00\x80\x00", 8),
	      "wire: it starts \"alad\", version 1, size 128, little endian");
	check(fd >= 0 && ino_of(fd) == f.sent_ino && is_cloexec(fd),
	      "wire: a good reply gives the fd that came, close-on-exec");
	check(fd_count() == fds + 1, "wire: and no other fd");
	if (fd >= 0)
		close(fd);

	seq = f.req.seq;
	fake_init(&f, 0, 1);
	fd = ask(&f, "cma", 4096, O_RDONLY | O_CLOEXEC, NULL, -1);
	check(fd >= 0 && f.req.seq != seq && f.req.fd_flags == O_CLOEXEC &&
	      !f.req.name[0] && !strcmp(f.req.heap, "cma"),
	      "wire: no name is \"\", fd_flags as given, a new seq");
	if (fd >= 0)
		close(fd);

	fake_init(&f, 0, 1);
	fd = ask(&f, "system", 4096, O_RDWR, NULL, -1);
	check(fd >= 0 && !is_cloexec(fd),
	      "wire: fd_flags without O_CLOEXEC: the fd is not close-on-exec");
	if (fd >= 0)
		close(fd);

	/* The longest names fit, NUL-terminated */
	memset(heap, 'h', sizeof(heap) - 1);
	heap[sizeof(heap) - 1] = '\0';
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	fake_init(&f, 0, 1);
	fd = ask(&f, heap, 4096, 0, name, -1);
	check(fd >= 0 && !memcmp(f.req.heap, heap, sizeof(heap)) &&
	      !memcmp(f.req.name, name, sizeof(name)),
	      "wire: a %zu-byte heap and a %zu-byte name fit",
	      sizeof(heap) - 1, sizeof(name) - 1);
	if (fd >= 0)
		close(fd);

	/* Any fd will do as the pidfd: the library passes it on */
	if (pipe2(pipefd, O_CLOEXEC)) {
		check(false, "wire: a pipe: %s", strerror(errno));
		return;
	}
	fake_init(&f, 0, 1);
	fd = ask(&f, "system", 4096, 0, NULL, pipefd[0]);
	check(fd >= 0 && f.req.flags == DMABUF_ALLOCD_FOR_PIDFD &&
	      f.req_fds == 1 && f.req_ino == ino_of(pipefd[0]),
	      "wire: FOR_PIDFD, and the pidfd comes with it");
	if (fd >= 0)
		close(fd);
	check(is_cloexec(pipefd[0]) && fcntl(pipefd[0], F_GETFD) >= 0,
	      "wire: the caller's pidfd stays open");
	close(pipefd[0]);
	close(pipefd[1]);
	check(fd_count() == fds, "wire: requests: no fd left behind");
}

static void test_replies(void)
{
	static const struct {
		const char *what;
		__s32 status;
		int fds;
		int want;
		int broken;	/* which part of the reply to break */
	} cases[] = {
		{ "an error status", -ENOMEM, 0, -ENOMEM, 0 },
		{ "-EPERM, a forward not allowed", -EPERM, 0, -EPERM, 0 },
		{ "bad magic", 0, 1, -EPROTO, 1 },
		{ "another version", 0, 1, -EPROTO, 2 },
		{ "another size field", 0, 1, -EPROTO, 3 },
		{ "another seq", 0, 1, -EPROTO, 4 },
		{ "a short packet", 0, 1, -EPROTO, 5 },
		{ "a long packet", 0, 1, -EPROTO, 6 },
		{ "a positive status", 5, 0, -EPROTO, 0 },
		{ "a positive status with an fd", 5, 1, -EPROTO, 0 },
		{ "a status beyond any errno", -5000, 0, -EPROTO, 0 },
		{ "status 0 without an fd", 0, 0, -EPROTO, 0 },
		{ "an error status with an fd", -ENOMEM, 1, -EPROTO, 0 },
		{ "status 0 with two fds", 0, 2, -EPROTO, 0 },
		{ "status 0 with more fds than fit", 0, 20, -EPROTO, 0 },
		{ "an error status, bad magic", -ENOMEM, 0, -EPROTO, 1 },
		{ "another version's -EPROTONOSUPPORT", -EPROTONOSUPPORT, 0,
		  -EPROTONOSUPPORT, 2 },
		{ "a longer one of another version", -EPROTONOSUPPORT, 0,
		  -EPROTONOSUPPORT, 7 },
		{ "another version's -EPROTONOSUPPORT with an fd",
		  -EPROTONOSUPPORT, 1, -EPROTO, 2 },
		{ "another version's other error", -ENOMEM, 0, -EPROTO, 2 },
		{ "another version's, of a wrong size", -EPROTONOSUPPORT, 0,
		  -EPROTO, 8 },
	};
	unsigned int i;
	struct fake f;
	int fds, ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fds = fd_count();
		fake_init(&f, cases[i].status, cases[i].fds);
		switch (cases[i].broken) {
		case 1:
			f.out.reply.magic ^= 1;
			break;
		case 2:
			f.out.reply.version++;
			break;
		case 3:
			f.out.reply.size = sizeof(f.out.reply) + 8;
			break;
		case 4:
			f.echo_seq = false;
			f.out.reply.seq = 0xdead;
			break;
		case 5:
			f.out_len = 16;
			break;
		case 6:
			f.out_len = sizeof(f.out.reply) + 8;
			break;
		case 7:
			/* New fields at the end, with a new version */
			f.out.reply.version++;
			f.out.reply.size = sizeof(f.out.reply) + 16;
			f.out_len = f.out.reply.size;
			break;
		case 8:
			f.out.reply.version++;
			f.out_len = sizeof(f.out.reply) + 16;
			break;
		}
		ret = ask(&f, "system", 4096, 0, NULL, -1);
		if (ret >= 0)
			close(ret);
		check(ret == cases[i].want && fd_count() == fds,
		      "reply: %s: %d, every fd that came closed", cases[i].what,
		      ret);
	}

	fds = fd_count();
	fake_init(&f, 0, 1);
	f.action = CLOSE;
	ret = ask(&f, "system", 4096, 0, NULL, -1);
	check(ret == -ECONNRESET && f.req_len == sizeof(f.req),
	      "reply: the service closes after the request: -ECONNRESET");
	fake_init(&f, 0, 1);
	f.action = CLOSE_FIRST;
	ret = ask(&f, "system", 4096, 0, NULL, -1);
	check(ret == -EPIPE,
	      "reply: the service has gone before the request: -EPIPE");
	check(fd_count() == fds, "reply: no fd left behind");
}

/* Calls refused on their arguments send nothing. */
static void test_arguments(void)
{
	char heap[DMABUF_ALLOCD_HEAP_LEN + 1], name[DMABUF_ALLOCD_NAME_LEN + 1];
	int sv[2], fds = fd_count();
	char c;
	bool ok;

	memset(heap, 'h', sizeof(heap) - 1);
	heap[sizeof(heap) - 1] = '\0';
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		check(false, "arguments: a socketpair: %s", strerror(errno));
		return;
	}
	check(dmaheap_allocd_alloc(sv[0], heap, 4096, 0, NULL, -1) ==
	      -ENAMETOOLONG,
	      "arguments: a %zu-byte heap is -ENAMETOOLONG", sizeof(heap) - 1);
	check(dmaheap_allocd_alloc(sv[0], "system", 4096, 0, name, -1) ==
	      -ENAMETOOLONG,
	      "arguments: a %zu-byte name is -ENAMETOOLONG", sizeof(name) - 1);
	check(dmaheap_allocd_alloc(sv[0], "system", 0, 0, NULL, -1) == -EINVAL,
	      "arguments: 0 bytes is -EINVAL");
	check(dmaheap_allocd_alloc(sv[0], "system", 4096, O_NONBLOCK, NULL,
				   -1) == -EINVAL,
	      "arguments: fd_flags O_NONBLOCK is -EINVAL");
	check(dmaheap_allocd_alloc(sv[0], "a/b", 4096, 0, NULL, -1) == -EINVAL &&
	      dmaheap_allocd_alloc(sv[0], "", 4096, 0, NULL, -1) == -EINVAL &&
	      dmaheap_allocd_alloc(sv[0], NULL, 4096, 0, NULL, -1) == -EINVAL,
	      "arguments: heap \"a/b\", \"\", NULL are -EINVAL");
	check(dmaheap_allocd_alloc(sv[0], "system", 4096, 0, NULL, -2) ==
	      -EBADF &&
	      dmaheap_allocd_alloc(-1, "system", 4096, 0, NULL, -1) == -EBADF,
	      "arguments: for_pidfd -2, socket -1 are -EBADF");
	ok = recv(sv[1], &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
	check(ok, "arguments: nothing was sent");
	close(sv[0]);
	close(sv[1]);
	check(fd_count() == fds, "arguments: no fd left behind");
}

/* Calls on different sockets, at once: each gets its own answers. */
#define THREADS 4
#define ROUNDS 200

static void *client(void *arg)
{
	struct fake *f = arg;
	pthread_t thread;
	int sv[2], i, fd;
	intptr_t bad = 0;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return (void *)1;
	f->sock = sv[1];
	if (pthread_create(&thread, NULL, fake_service, f))
		return (void *)1;
	for (i = 0; i < ROUNDS; i++) {
		fd = dmaheap_allocd_alloc(sv[0], "system", 4096, 0, NULL, -1);
		if (fd < 0)
			bad++;
		else
			close(fd);
	}
	close(sv[0]);
	pthread_join(thread, NULL);
	return (void *)bad;
}

static void test_threads(void)
{
	struct fake f[THREADS];
	pthread_t threads[THREADS];
	int i, fds = fd_count();
	void *bad;
	bool ok = true;

	for (i = 0; i < THREADS; i++) {
		fake_init(&f[i], 0, 1);
		f[i].rounds = ROUNDS;
		if (pthread_create(&threads[i], NULL, client, &f[i]))
			ok = false;
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(threads[i], &bad);
		ok &= !bad;
	}
	check(ok && fd_count() == fds,
	      "threads: %d sockets, %d calls each at once, all answered",
	      THREADS, ROUNDS);
}

void test_wire(void)
{
	test_request();
	test_replies();
	test_arguments();
	test_threads();
}
