// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-lifecycle: an allocator process. Two threads share a table of
 * held buffers, of pidfds of clients (live or exited) and of cgroup
 * directory fds opened a while ago (maybe of removed cgroups). They
 * allocate buffers for themselves or for a client, close random ones and
 * move random buffers' charges to clients, to cgroups and to the root.
 * Each operation works on a dup() of the table's fd, so a close by the
 * other thread can make an ioctl's own close the buffer's last one, and
 * both threads can move the same buffer's charge at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "lifecycle.h"

#define MAX_HELD	64
#define HELD_CAP	(48UL << 20)	/* bytes held by one allocator */
#define NR_PIDFDS	(2 * NR_CLIENTS)
#define RESERVED	(-2)		/* a held[] slot being allocated */

struct allocator {
	int heap_fd;
	pthread_mutex_t lock;
	int held[MAX_HELD];		/* buffer fds, -1 or RESERVED */
	size_t held_len[MAX_HELD];
	size_t held_bytes;
	int pidfd[NR_PIDFDS];
	int old_cg[NR_POOL];
};

struct thread {
	struct allocator *a;
	uint64_t rng;
};

/* A private copy of @fd, taken under the lock, or -1. */
static int dup_locked(struct allocator *a, const int *fd)
{
	int copy;

	pthread_mutex_lock(&a->lock);
	copy = *fd >= 0 ? fcntl(*fd, F_DUPFD_CLOEXEC, 3) : -1;
	pthread_mutex_unlock(&a->lock);
	return copy;
}

/* Swap @fd into *@slot and close what was there. */
static void replace_locked(struct allocator *a, int *slot, int fd)
{
	int old;

	pthread_mutex_lock(&a->lock);
	old = *slot;
	*slot = fd;
	pthread_mutex_unlock(&a->lock);
	if (old >= 0)
		close(old);
}

/* A free held[] slot with room for @len more bytes, marked RESERVED. */
static int reserve(struct allocator *a, size_t len)
{
	int i, slot = -1;

	pthread_mutex_lock(&a->lock);
	for (i = 0; i < MAX_HELD && a->held_bytes + len <= HELD_CAP; i++) {
		if (a->held[i] == -1) {
			slot = i;
			a->held[i] = RESERVED;
			a->held_len[i] = len;
			a->held_bytes += len;
			break;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return slot;
}

static void commit(struct allocator *a, int slot, int fd)
{
	pthread_mutex_lock(&a->lock);
	a->held[slot] = fd;
	if (fd < 0)
		a->held_bytes -= a->held_len[slot];
	pthread_mutex_unlock(&a->lock);
}

static int pick_held(struct allocator *a, uint64_t *rng)
{
	int i = below(rng, MAX_HELD), n;

	for (n = 0; n < MAX_HELD; n++, i = (i + 1) % MAX_HELD)
		if (a->held[i] >= 0)
			return i;
	return -1;
}

static void close_buf(struct allocator *a, uint64_t *rng)
{
	int i, fd = -1;

	pthread_mutex_lock(&a->lock);
	i = pick_held(a, rng);
	if (i >= 0) {
		fd = a->held[i];
		a->held[i] = -1;
		a->held_bytes -= a->held_len[i];
	}
	pthread_mutex_unlock(&a->lock);
	if (fd >= 0)
		tally(OP_CLOSE, close(fd) ? errno : 0);
}

static int take_buf(struct allocator *a, uint64_t *rng)
{
	int i, fd = -1;

	pthread_mutex_lock(&a->lock);
	i = pick_held(a, rng);
	if (i >= 0)
		fd = fcntl(a->held[i], F_DUPFD_CLOEXEC, 3);
	pthread_mutex_unlock(&a->lock);
	return fd;
}

/* A pidfd of a client of now, or of one that may have exited since. */
static int take_pidfd(struct allocator *a, uint64_t *rng, bool *exited)
{
	int fd = dup_locked(a, &a->pidfd[below(rng, NR_PIDFDS)]);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	/* Readable once the process has exited, zombie or reaped. */
	*exited = fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
	return fd;
}

static void refresh_pidfd(struct allocator *a, uint64_t *rng)
{
	int pid = atomic_load(&sh->client_pid[below(rng, NR_CLIENTS)]);
	int fd;

	if (!pid)
		return;
	fd = syscall(SYS_pidfd_open, pid, 0);
	tally(OP_PIDFD_OPEN, fd < 0 ? errno : 0);
	if (fd >= 0)
		replace_locked(a, &a->pidfd[below(rng, NR_PIDFDS)], fd);
}

static void do_alloc(struct allocator *a, uint64_t *rng)
{
	/* 4K to 2M, the small ones as likely as the large (log-uniform). */
	struct dma_heap_allocation_data data = {
		.len = (1 + below(rng, 1U << below(rng, 10))) * 4096,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	enum op op = OP_ALLOC_SELF;
	int slot, pidfd = -1, err;
	bool exited = false;

	slot = reserve(a, data.len);
	if (slot < 0) {
		close_buf(a, rng);
		return;
	}
	if (below(rng, 4))
		pidfd = take_pidfd(a, rng, &exited);
	if (pidfd >= 0) {
		data.charge_pid_fd = pidfd;
		op = exited ? OP_ALLOC_EXITED : OP_ALLOC_CLIENT;
	}
	err = ioctl(a->heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) ? errno : 0;
	tally(op, err);
	commit(a, slot, err ? -1 : (int)data.fd);
	if (pidfd >= 0)
		close(pidfd);
}

/* A cgroup dir fd from the table, reopened now and then. */
static int take_old_cg(struct allocator *a, uint64_t *rng)
{
	int i = below(rng, NR_POOL), fd;
	char path[64];

	if (!below(rng, 4)) {
		pool_path(path, sizeof(path), i);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		tally(OP_OPEN_CG, fd < 0 ? errno : 0);
		if (fd >= 0)
			replace_locked(a, &a->old_cg[i], fd);
	}
	return dup_locked(a, &a->old_cg[i]);
}

/*
 * A cgroup dir opened now: of the pool, the fixed ones or the parent; with
 * -R only those that are never removed.
 */
static int open_cg(uint64_t *rng)
{
	static const char *const fixed[] = { ALLOC_CG, MGR_CG, PARENT };
	unsigned int i = sh->no_rmdir_race ? NR_POOL + below(rng, 3) :
			 below(rng, NR_POOL + 3);
	char path[64];
	int fd;

	if (i < NR_POOL)
		pool_path(path, sizeof(path), i);
	else
		snprintf(path, sizeof(path), "%s", fixed[i - NR_POOL]);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	tally(OP_OPEN_CG, fd < 0 ? errno : 0);
	return fd;
}

static void do_xfer(struct allocator *a, uint64_t *rng)
{
	struct dma_buf_xfer_charge xfer = { .flags = DMA_BUF_XFER_CHARGE_CGROUP };
	int buf = take_buf(a, rng), target;
	unsigned int kind = below(rng, 16);
	bool exited = false;
	enum op op;

	if (buf < 0)
		return;
	if (kind < 7) {
		target = take_pidfd(a, rng, &exited);
		xfer.flags = 0;
		op = exited ? OP_XFER_EXITED : OP_XFER_PID;
	} else if (kind < 12 || (kind < 15 && sh->no_rmdir_race)) {
		target = open_cg(rng);
		op = OP_XFER_CG;
	} else if (kind < 15) {
		target = take_old_cg(a, rng);
		op = OP_XFER_OLD_CG;
	} else {
		target = open(CGROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		op = OP_XFER_ROOT;
	}
	if (target >= 0) {
		xfer.target_fd = target;
		tally(op, ioctl(buf, DMA_BUF_IOCTL_XFER_CHARGE, &xfer) ? errno : 0);
		close(target);
	}
	close(buf);
}

static void *allocator_thread(void *arg)
{
	struct thread *t = arg;

	while (!stopping()) {
		switch (below(&t->rng, 16)) {
		case 0 ... 5:
			do_alloc(t->a, &t->rng);
			break;
		case 6 ... 7:
			close_buf(t->a, &t->rng);
			break;
		case 8:
			refresh_pidfd(t->a, &t->rng);
			break;
		default:
			do_xfer(t->a, &t->rng);
			break;
		}
	}
	return NULL;
}

void run_allocator(int id, uint64_t seed)
{
	static struct allocator a = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct thread t[2] = {
		{ &a, seed ^ (0x100ULL * id) },
		{ &a, seed ^ (0x100ULL * id + 1) },
	};
	pthread_t other;
	int i;

	for (i = 0; i < MAX_HELD; i++)
		a.held[i] = -1;
	for (i = 0; i < NR_PIDFDS; i++)
		a.pidfd[i] = -1;
	for (i = 0; i < NR_POOL; i++)
		a.old_cg[i] = -1;
	a.heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (a.heap_fd < 0) {
		perror("# allocator: /dev/dma_heap/system");
		exit(1);
	}
	if (pthread_create(&other, NULL, allocator_thread, &t[1])) {
		printf("# allocator %d: pthread_create failed\n", id);
		exit(1);
	}
	allocator_thread(&t[0]);
	pthread_join(other, NULL);

	for (i = 0; i < MAX_HELD; i++)
		if (a.held[i] >= 0)
			close(a.held[i]);
	for (i = 0; i < NR_PIDFDS; i++)
		if (a.pidfd[i] >= 0)
			close(a.pidfd[i]);
	for (i = 0; i < NR_POOL; i++)
		if (a.old_cg[i] >= 0)
			close(a.old_cg[i]);
	close(a.heap_fd);
}
