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
#include <signal.h>
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
	/* ... and the request's len, in pages, plus len_adjust? */
	bool echo_len;
	long len_adjust;
	union {
		struct dmabuf_allocd_reply reply;
		char bytes[64];
	} out;			/* zeroes after the reply */
	size_t out_len;
	int out_fds;			/* fds sent with the reply */
	ino_t sent_ino;			/* the first of them */
	/* Before the reply: a reply to another request, with an fd */
	bool stale_first;
	/* ... then a wait, in which the caller may be sent SIGUSR1 */
	int delay_ms;
	bool signal_client;
	pthread_t client;
	/* The caller's socket: O_NONBLOCK, SO_RCVTIMEO (ms), SO_PASSPIDFD */
	bool nonblock;
	int rcvtimeo_ms;
	bool passpidfd;
	/* What came */
	int odd_seqs, even_seqs;
	struct dmabuf_allocd_request req;
	ssize_t req_len;
	int req_fds;
	ino_t req_ino;			/* of the first fd that came */
};

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* What the heap makes of @len: whole pages */
static __u64 in_pages(__u64 len)
{
	return (len + page_size() - 1) / page_size() * page_size();
}

static void fake_init(struct fake *f, __s32 status, int fds)
{
	memset(f, 0, sizeof(*f));
	f->action = REPLY;
	f->echo_seq = true;
	f->echo_len = !status;
	f->out.reply.magic = DMABUF_ALLOCD_MAGIC;
	f->out.reply.version = DMABUF_ALLOCD_VERSION;
	f->out.reply.size = sizeof(f->out.reply);
	f->out.reply.status = status;
	f->out.reply.cgroup_id = status ? 0 : 7;
	f->out_len = sizeof(f->out.reply);
	f->out_fds = fds;
	f->client = pthread_self();
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
	if (f->req_len > 0 && (f->req.seq & 1))
		f->odd_seqs++;
	else if (f->req_len > 0)
		f->even_seqs++;
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

/* Send @out (@len bytes) with @nfds fresh fds; the first one's inode */
static ino_t fake_send(struct fake *f, const void *out, size_t len, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)out, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[MAX_FDS], pipefd[2], i;
	struct cmsghdr *cmsg;
	ino_t ino = 0;

	for (i = 0; i < nfds; i++) {
		if (pipe2(pipefd, O_CLOEXEC))
			return 0;
		close(pipefd[1]);
		fds[i] = pipefd[0];
	}
	if (nfds) {
		ino = ino_of(fds[0]);
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
	}
	if (sendmsg(f->sock, &msg, MSG_NOSIGNAL) < 0)
		perror("# fake service: sendmsg");
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return ino;
}

static void fake_reply(struct fake *f)
{
	struct dmabuf_allocd_reply stale;

	if (f->echo_seq)
		f->out.reply.seq = f->req.seq;
	if (f->echo_len)
		f->out.reply.len = in_pages(f->req.len) + f->len_adjust;
	if (f->stale_first) {
		/* A well-formed success, to a request that is not this one */
		stale = f->out.reply;
		stale.seq = f->req.seq ^ 0x80000000U;
		stale.status = 0;
		stale.len = page_size();
		stale.cgroup_id = 9;
		fake_send(f, &stale, sizeof(stale), 1);
	}
	if (f->signal_client) {
		usleep(f->delay_ms * 500);
		pthread_kill(f->client, SIGUSR1);
		usleep(f->delay_ms * 500);
	} else if (f->delay_ms) {
		usleep(f->delay_ms * 1000);
	}
	f->sent_ino = fake_send(f, f->out.bytes, f->out_len, f->out_fds);
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

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif

/* The options of the caller's socket @sock that @f asks for */
static int set_options(const struct fake *f, int sock)
{
	struct timeval tv = {
		.tv_sec = f->rcvtimeo_ms / 1000,
		.tv_usec = f->rcvtimeo_ms % 1000 * 1000,
	};
	int one = 1;

	if (f->nonblock && fcntl(sock, F_SETFL, O_RDWR | O_NONBLOCK))
		return -1;
	if (f->rcvtimeo_ms &&
	    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -1;
	if (f->passpidfd &&
	    setsockopt(sock, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)))
		return -1;
	return 0;
}

/* One dmaheap_allocd_alloc() against the fake service @f */
static int ask(struct fake *f, const char *heap, size_t len,
	       unsigned int fd_flags, const char *name, int for_pidfd)
{
	pthread_t thread;
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1000;
	if (set_options(f, sv[0])) {
		close(sv[0]);
		close(sv[1]);
		return -1001;
	}
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
	      !f.req_fds,
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

/* Not a whole number of pages: the reply says how many bytes it made */
#define ASKED 5000

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
		{ "another seq: not this call's, skipped, then the peer closes",
		  0, 1, -ECONNRESET, 4 },
		{ "another seq and a positive status", 5, 0, -EPROTO, 4 },
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
		{ "a success shorter than asked", 0, 1, -EPROTO, 9 },
		{ "a success of a page more than the pages asked", 0, 1,
		  -EPROTO, 10 },
		{ "a success of a byte less than that", 0, 1, 0, 11 },
		{ "an error status with a length", -ENOMEM, 0, -EPROTO, 12 },
		{ "an error status with a cgroup id", -ENOMEM, 0, -EPROTO, 13 },
	};
	unsigned int i;
	struct fake f;
	int fds, ret;
	bool ok;

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
		case 9:
			f.len_adjust = -1 - (long)(in_pages(ASKED) - ASKED);
			break;
		case 10:
			f.len_adjust = page_size();
			break;
		case 11:
			f.len_adjust = page_size() - 1;
			break;
		case 12:
			f.out.reply.len = ASKED;
			break;
		case 13:
			f.out.reply.cgroup_id = 7;
			break;
		}
		ret = ask(&f, "system", ASKED, 0, NULL, -1);
		if (ret >= 0)
			close(ret);
		/* want 0: any fd */
		ok = ret == cases[i].want || (!cases[i].want && ret >= 0);
		check(ok && fd_count() == fds,
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

/*
 * The call waits for its reply whatever the socket's flags, skips the
 * replies to other calls, and closes every fd a reply brings.
 */
static void on_signal(int sig)
{
	(void)sig;
}

static void check_call(struct fake *f, const char *what)
{
	int fds = fd_count(), ret;
	bool good;

	ret = ask(f, "system", 4096, 0, NULL, -1);
	good = ret >= 0 && ino_of(ret) == f->sent_ino;
	if (ret >= 0)
		close(ret);
	check(good && fd_count() == fds, "%s: %d", what, ret);
}

static void test_synchronous(void)
{
	struct sigaction sa = { .sa_handler = on_signal }, old;
	int fds = fd_count(), ret;
	struct fake f;

	fake_init(&f, 0, 1);
	f.nonblock = true;
	f.delay_ms = 100;
	check_call(&f, "sync: an O_NONBLOCK socket waits for the late reply");

	fake_init(&f, 0, 1);
	f.rcvtimeo_ms = 20;
	f.delay_ms = 100;
	check_call(&f, "sync: a socket with SO_RCVTIMEO waits past it");

	/* No SA_RESTART: the wait is interrupted, and taken up again */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	fake_init(&f, 0, 1);
	f.delay_ms = 100;
	f.signal_client = true;
	check_call(&f, "sync: a signal in the wait: the call goes on");
	sigaction(SIGUSR1, &old, NULL);

	fake_init(&f, 0, 1);
	f.stale_first = true;
	check_call(&f,
		   "sync: the reply to another call first: skipped, its fd closed");
	fake_init(&f, 0, 1);
	f.stale_first = true;
	f.nonblock = true;
	f.delay_ms = 50;
	check_call(&f, "sync: ... on an O_NONBLOCK socket, the real one late");

	fake_init(&f, 0, 1);
	f.passpidfd = true;
	ret = ask(&f, "system", 4096, 0, NULL, -1);
	if (ret == -1001) {
		skip("sync: SO_PASSPIDFD: the pidfd of every reply closed",
		     "no SO_PASSPIDFD here");
	} else {
		if (ret >= 0)
			close(ret);
		check(ret >= 0 && fd_count() == fds,
		      "sync: SO_PASSPIDFD: the sender's pidfd with a buffer closed: %d",
		      ret);
		fake_init(&f, -ENOMEM, 0);
		f.passpidfd = true;
		ret = ask(&f, "system", 4096, 0, NULL, -1);
		check(ret == -ENOMEM && fd_count() == fds,
		      "sync: SO_PASSPIDFD: ... with an error closed: %d", ret);
		fake_init(&f, 0, 1);
		f.passpidfd = true;
		f.stale_first = true;
		check_call(&f, "sync: SO_PASSPIDFD: ... with a stale reply closed");
		fake_init(&f, 0, 1);
		f.passpidfd = true;
		f.action = CLOSE;
		ret = ask(&f, "system", 4096, 0, NULL, -1);
		check(ret == -ECONNRESET && fd_count() == fds,
		      "sync: SO_PASSPIDFD: the service closes: -ECONNRESET: %d",
		      ret);
	}
	check(fd_count() == fds, "sync: no fd left behind");
}

/* Sequence numbers are random: about as many even ones as odd ones */
static void test_seq(void)
{
	struct fake f;
	pthread_t thread;
	int sv[2], i, fd, bad = 0;

	fake_init(&f, 0, 1);
	f.rounds = 64;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		check(false, "seq: a socketpair: %s", strerror(errno));
		return;
	}
	f.sock = sv[1];
	if (pthread_create(&thread, NULL, fake_service, &f)) {
		close(sv[0]);
		close(sv[1]);
		check(false, "seq: a thread");
		return;
	}
	for (i = 0; i < f.rounds; i++) {
		fd = dmaheap_allocd_alloc(sv[0], "system", 4096, 0, NULL, -1);
		if (fd < 0)
			bad++;
		else
			close(fd);
	}
	close(sv[0]);
	pthread_join(thread, NULL);
	check(!bad && f.odd_seqs && f.even_seqs,
	      "seq: 64 calls, %d odd and %d even sequence numbers",
	      f.odd_seqs, f.even_seqs);
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
	/* A request sent by mistake gets no reply, but the end of the stream */
	shutdown(sv[1], SHUT_WR);
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
	check(dmaheap_allocd_alloc(sv[0], "system", 4096, O_ACCMODE, NULL,
				   -1) == -EINVAL,
	      "arguments: fd_flags O_ACCMODE (3) is -EINVAL");
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
	test_synchronous();
	test_seq();
	test_arguments();
	test_threads();
}
