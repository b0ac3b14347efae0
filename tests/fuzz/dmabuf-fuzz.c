// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-fuzz: random DMA_HEAP_IOCTL_ALLOC calls from several processes at
 * once, then a check that nothing is left charged.
 *
 * Each worker runs in a cgroup of its own, half of them as an unprivileged
 * uid, and calls the ioctl with random len, heap_flags, fd_flags, __padding
 * and charge_pid_fd: 0, random numbers, or one of its open fds of every
 * kind (pidfds of live, exiting, zombie and reaped processes and of
 * threads, the heap, dma-bufs, /dev/null, pipes, a cgroup directory),
 * mixed with closes of the buffers it got, with forks and reaps of
 * short-lived children, and with DMA_BUF_IOCTL_XFER_CHARGE calls moving
 * random fds' charges to random targets. Every result must be a success or an errno the
 * ioctl documents, and the calls must have done something: some allocations
 * must succeed, and some transfers too (with dma_heap.mem_accounting=0,
 * where a kernel may refuse every transfer with EOPNOTSUPP, they must at
 * least have been tried). The count of each result of each kind of call is
 * printed. Afterwards every cgroup's "dmabuf" must read 0, its
 * memory.current must be back to what it was before the calls, and every
 * cgroup must be removable. Output is TAP.
 *
 *   dmabuf-fuzz [-s SEED] [-n CALLS] [-w WORKERS]
 *
 * The seed is printed; the same seed replays the same calls in each worker
 * (the interleaving between workers is up to the scheduler).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "../common/cgroup.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

#define CGROOT "/sys/fs/cgroup/dmabuf-fuzz"
#define MAX_FDS 64
#define MAX_CHILDREN 8
#define UNPRIVILEGED_UID 1000
#define MAX_WORKERS 64
#define ERRNO_SLOTS 256		/* errno values counted one by one */
/*
 * A run where every call fails tests nothing, so some calls of each kind
 * must succeed. About one in twelve does, fewer for the unprivileged
 * workers: with MIN_TRIES calls of a kind, none succeeding by chance is
 * below one in a million. A shorter run (a small -n) cannot tell, and
 * skips these checks.
 */
#define MIN_TRIES 200

/* The results of one kind of call: successes, and failures by errno. */
struct call_stats {
	long calls, ok;
	long errors[ERRNO_SLOTS];	/* [ERRNO_SLOTS - 1]: that errno or more */
	long unexpected;		/* errnos the ioctl does not document */
};

/* What a worker did, in memory shared with the test's main process. */
struct worker_stats {
	struct call_stats alloc, xfer;
};

struct worker {
	int id;
	bool accounting;	/* dma_heap.mem_accounting: sizes are bounded */
	uint64_t rng;
	long calls;
	int heap_fd;
	int fds[MAX_FDS];	/* open fds of every kind, or -1 */
	pid_t children[MAX_CHILDREN];
	int last_buf;		/* the last buffer allocated (maybe closed since) */
	int cg_fds[2];		/* this worker's cgroup and the test's root */
	struct worker_stats *stats;
};

/* splitmix64: small, seedable and the same everywhere. */
static uint64_t rnd(struct worker *w)
{
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct worker *w, uint64_t n)
{
	return rnd(w) % n;
}

static int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

/* Put @fd in a free slot, or close it if there is none. */
static void keep_fd(struct worker *w, int fd)
{
	int i = below(w, MAX_FDS), n;

	if (fd < 0)
		return;
	for (n = 0; n < MAX_FDS; n++, i = (i + 1) % MAX_FDS) {
		if (w->fds[i] < 0) {
			w->fds[i] = fd;
			return;
		}
	}
	close(fd);
}

/* A thread that reports its tid on a pipe, then exits after a while. */
static void *thread_exit_soon(void *arg)
{
	int *p = arg;
	pid_t tid = gettid();
	long delay = p[2];

	if (write(p[1], &tid, sizeof(tid)) == sizeof(tid))
		usleep(delay);
	return NULL;
}

/* A short-lived child: its pidfd turns from live to zombie to reaped. */
static void spawn_child(struct worker *w)
{
	long delay = below(w, 2000);
	int i = below(w, MAX_CHILDREN);
	pid_t pid;

	if (w->children[i] > 0)
		return;
	pid = fork();
	if (pid == 0) {
		usleep(delay);
		_exit(0);
	}
	if (pid < 0)
		return;
	w->children[i] = pid;
	keep_fd(w, sys_pidfd_open(pid, 0));
}

static void reap_child(struct worker *w)
{
	int i = below(w, MAX_CHILDREN);

	if (w->children[i] > 0 && waitpid(w->children[i], NULL, WNOHANG) != 0)
		w->children[i] = 0;
}

/* A pidfd of a thread that exits soon, so of a live or an exited one. */
static void spawn_thread(struct worker *w)
{
	static int p[3];
	pthread_t t;
	pid_t tid;

	if (pipe2(p, O_CLOEXEC))
		return;
	p[2] = below(w, 2000);
	if (!pthread_create(&t, NULL, thread_exit_soon, p)) {
		/* The thread has read its delay once it has written its tid. */
		if (read(p[0], &tid, sizeof(tid)) == sizeof(tid))
			keep_fd(w, sys_pidfd_open(tid, PIDFD_THREAD));
		pthread_detach(t);
	}
	close(p[0]);
	close(p[1]);
}

static void open_something(struct worker *w)
{
	char path[64];
	int p[2];

	switch (below(w, 6)) {
	case 0:
		keep_fd(w, open("/dev/null", O_RDONLY | O_CLOEXEC));
		break;
	case 1:
		snprintf(path, sizeof(path), CGROOT "/w%d", (int)below(w, 4));
		keep_fd(w, open(below(w, 4) ? path : CGROOT,
				O_RDONLY | O_DIRECTORY | O_CLOEXEC));
		break;
	case 2:
		if (!pipe2(p, O_CLOEXEC)) {
			keep_fd(w, p[0]);
			keep_fd(w, p[1]);
		}
		break;
	case 3:
		keep_fd(w, sys_pidfd_open(getppid(), 0));
		break;
	case 4:
		keep_fd(w, dup(w->heap_fd));
		break;
	default:
		keep_fd(w, sys_pidfd_open(getpid(), 0));
		break;
	}
}

/*
 * A length that either succeeds small (up to 256K) or cannot fit anywhere
 * in the test's cgroup tree (over 384M, or so large that it wraps): a
 * worker's buffers never fill its own cgroup, where the next page fault of
 * the worker would rightly call the memcg OOM killer on it. Lengths that
 * fit only after reclaim are left to the selftests. With accounting off
 * nothing stops a large request, so only small ones then.
 */
static uint64_t random_len(struct worker *w)
{
	if (!w->accounting)
		return below(w, 256 << 10);
	switch (below(w, 10)) {
	case 0:
		return 0;
	case 1:
		return rnd(w) | (1ULL << 40);	/* huge, may wrap */
	case 2:
		return (512ULL << 20) + below(w, 1ULL << 32);
	case 3:
		return 1ULL << below(w, 19);
	default:
		return 1 + below(w, 256 << 10);	/* unaligned */
	}
}

static uint32_t random_pid_fd(struct worker *w)
{
	int fd;

	switch (below(w, 8)) {
	case 0:
		return 0;
	case 1:
		return (uint32_t)rnd(w);
	case 2:
		return 0x80000000U | (uint32_t)below(w, 1 << 20);
	default:
		fd = w->fds[below(w, MAX_FDS)];
		return fd < 0 ? (uint32_t)below(w, 128) : (uint32_t)fd;
	}
}

static void count_error(struct call_stats *st, int e)
{
	st->errors[e > 0 && e < ERRNO_SLOTS ? e : ERRNO_SLOTS - 1]++;
}

/* The errors DMA_HEAP_IOCTL_ALLOC may return for bad or refused input. */
static bool expected_errno(int e)
{
	return e == EINVAL || e == EBADF || e == ESRCH || e == EPERM ||
	       e == ENOMEM || e == EMFILE || e == EINTR;
}

static void call_ioctl(struct worker *w)
{
	struct dma_heap_allocation_data data = { 0 };

	data.len = random_len(w);
	data.fd_flags = below(w, 8) ? (O_RDWR | O_CLOEXEC) : (uint32_t)rnd(w);
	data.heap_flags = below(w, 8) ? 0 : rnd(w);
	data.charge_pid_fd = random_pid_fd(w);
	data.__padding = below(w, 8) ? 0 : (uint32_t)rnd(w);
	data.fd = below(w, 32) ? 0 : (uint32_t)rnd(w);

	w->stats->alloc.calls++;
	if (ioctl(w->heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) == 0) {
		w->stats->alloc.ok++;
		w->last_buf = data.fd;
		keep_fd(w, data.fd);
		return;
	}
	count_error(&w->stats->alloc, errno);
	if (!expected_errno(errno)) {
		printf("# worker %d: unexpected errno %d (%s) len %llu charge_pid_fd %u\n",
		       w->id, errno, strerror(errno),
		       (unsigned long long)data.len, data.charge_pid_fd);
		w->stats->alloc.unexpected++;
	}
}

/* The errors DMA_BUF_IOCTL_XFER_CHARGE may return, on any kind of fd. */
static bool expected_xfer_errno(int e)
{
	return e == EINVAL || e == EBADF || e == ESRCH || e == EPERM ||
	       e == ENOMEM || e == ENOENT || e == EOPNOTSUPP || e == ENOTTY;
}

/* Move the charge of a random fd (a buffer, or not) to a random target. */
static void call_xfer(struct worker *w)
{
	struct dma_buf_xfer_charge arg = { 0 };
	int fd = below(w, 4) ? w->last_buf : w->fds[below(w, MAX_FDS)];

	if (fd < 0)
		return;
	switch (below(w, 3)) {
	case 0:		/* a cgroup directory */
		arg.target_fd = w->cg_fds[below(w, 2)];
		arg.flags = DMA_BUF_XFER_CHARGE_CGROUP;
		break;
	case 1:		/* any held fd, as a pidfd */
		arg.target_fd = random_pid_fd(w);
		break;
	default:	/* anything */
		arg.target_fd = random_pid_fd(w);
		arg.flags = below(w, 2) ? DMA_BUF_XFER_CHARGE_CGROUP :
			    (uint32_t)rnd(w);
		break;
	}
	arg.reserved = below(w, 8) ? 0 : rnd(w);
	w->stats->xfer.calls++;
	if (ioctl(fd, DMA_BUF_IOCTL_XFER_CHARGE, &arg) == 0) {
		w->stats->xfer.ok++;
		return;
	}
	count_error(&w->stats->xfer, errno);
	if (!expected_xfer_errno(errno)) {
		printf("# worker %d: transfer: unexpected errno %d (%s)\n",
		       w->id, errno, strerror(errno));
		w->stats->xfer.unexpected++;
	}
}

static void close_something(struct worker *w)
{
	int i = below(w, MAX_FDS);

	if (w->fds[i] >= 0) {
		close(w->fds[i]);
		w->fds[i] = -1;
	}
}

/* "# WHO KIND: N calls, N ok, EINVAL N, ...": what @st counted. */
static void print_stats(const char *who, const char *kind,
			const struct call_stats *st)
{
	char line[1024];
	const char *name;
	int e, len;

	len = snprintf(line, sizeof(line), "# %s %s: %ld calls, %ld ok",
		       who, kind, st->calls, st->ok);
	for (e = 1; e < ERRNO_SLOTS && len < (int)sizeof(line); e++) {
		if (!st->errors[e])
			continue;
		name = e < ERRNO_SLOTS - 1 ? strerrorname_np(e) : NULL;
		if (name)
			len += snprintf(line + len, sizeof(line) - len,
					", %s %ld", name, st->errors[e]);
		else
			len += snprintf(line + len, sizeof(line) - len,
					", errno %d%s %ld", e,
					e < ERRNO_SLOTS - 1 ? "" : "+",
					st->errors[e]);
	}
	printf("%s\n", line);
}

/* TAP result @n: some calls of @st succeeded, unless too few were made. */
static bool some_succeeded(int n, const char *what, const struct call_stats *st)
{
	if (!st->ok && st->calls < MIN_TRIES) {
		printf("ok %d %s: %ld of %ld succeeded # SKIP too few calls, use a larger -n\n",
		       n, what, st->ok, st->calls);
		return true;
	}
	printf("%s %d %s: %ld of %ld succeeded\n", st->ok ? "ok" : "not ok", n,
	       what, st->ok, st->calls);
	return st->ok;
}

static void add_stats(struct call_stats *sum, const struct call_stats *st)
{
	int e;

	sum->calls += st->calls;
	sum->ok += st->ok;
	sum->unexpected += st->unexpected;
	for (e = 0; e < ERRNO_SLOTS; e++)
		sum->errors[e] += st->errors[e];
}

/* Returns the number of unexpected results. */
static long run_worker(struct worker *w)
{
	long i;

	for (i = 0; i < MAX_FDS; i++)
		w->fds[i] = -1;
	w->last_buf = -1;
	for (i = 0; i < w->calls; i++) {
		switch (below(w, 16)) {
		case 0:
			spawn_child(w);
			break;
		case 1:
			reap_child(w);
			break;
		case 2:
			spawn_thread(w);
			break;
		case 3:
			open_something(w);
			break;
		case 4:
		case 5:
			close_something(w);
			break;
		case 6:
		case 7:
			call_xfer(w);
			break;
		default:
			call_ioctl(w);
			break;
		}
	}
	for (i = 0; i < MAX_FDS; i++)
		if (w->fds[i] >= 0)
			close(w->fds[i]);
	for (i = 0; i < MAX_CHILDREN; i++)
		if (w->children[i] > 0)
			waitpid(w->children[i], NULL, 0);
	return w->stats->alloc.unexpected + w->stats->xfer.unexpected;
}

/* Poll until "dmabuf" reads 0: memory.stat is flushed lazily. */
static bool settles_to_zero(const char *cg)
{
	if (cg_dmabuf_settles(cg, 0))
		return true;
	printf("# %s: dmabuf %ld after the run\n", cg, cg_dmabuf(cg));
	return false;
}

/*
 * Poll until memory.current is back to @base, within CG_CURRENT_SLACK: the
 * last buffers and files are freed after the workers' exit, some of them
 * after an RCU grace period.
 */
static bool settles_to_baseline(const char *cg, unsigned long long base)
{
	unsigned long long cur = 0;
	int i;

	for (i = 0; i < 300; i++) {
		if (!cg_memory_current(cg, &cur) && cg_current_near(cur, base))
			return true;
		usleep(10000);
	}
	printf("# %s: memory.current %llu after the run, %llu before\n",
	       cg, cur, base);
	return false;
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	long calls = 100000, bad = 0;
	int workers = 4, opt, i, n = 0, status, ncg;
	bool zero = true, current = true, removed = true, accounting, ok;
	static struct call_stats allocs, xfers;
	/* The workers' cgroups, then the coordinator's, then the root. */
	static char cgs[MAX_WORKERS + 2][64];
	static unsigned long long base[MAX_WORKERS + 2];
	struct worker_stats *stats;
	char cg[256];
	pid_t pid;

	while ((opt = getopt(argc, argv, "s:n:w:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			calls = atol(optarg);
			break;
		case 'w':
			workers = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: dmabuf-fuzz [-s SEED] [-n CALLS] [-w WORKERS]\n");
			return 2;
		}
	}
	if (workers < 1 || workers > MAX_WORKERS || calls < workers) {
		fprintf(stderr, "dmabuf-fuzz: bad -n or -w\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# dmabuf-fuzz -s %llu -n %ld -w %d\n",
	       (unsigned long long)seed, calls, workers);

	accounting = dmabuf_accounting();
	ncg = workers + 2;
	for (i = 0; i < workers; i++)
		snprintf(cgs[i], sizeof(cgs[i]), CGROOT "/w%d", i);
	snprintf(cgs[workers], sizeof(cgs[workers]), CGROOT "/coordinator");
	snprintf(cgs[workers + 1], sizeof(cgs[workers + 1]), CGROOT);
	for (i = 0; i < ncg; i++)
		rmdir(cgs[i]);
	/*
	 * Everything runs below one limited cgroup, this process too (its
	 * pidfd is a target), so that no charge can exhaust the machine.
	 */
	if ((mkdir(CGROOT, 0755) && errno != EEXIST) ||
	    cg_write_file(CGROOT "/cgroup.subtree_control", "+memory") ||
	    cg_write_file(CGROOT "/memory.max", "384M") ||
	    (mkdir(CGROOT "/coordinator", 0755) && errno != EEXIST) ||
	    cg_write_file(CGROOT "/coordinator/cgroup.procs", "0")) {
		printf("1..1\nnot ok 1 set up %s: %s\n", CGROOT, strerror(errno));
		return 1;
	}
	for (i = 0; i < workers; i++) {
		mkdir(cgs[i], 0755);
		/* Some workers are limited, so charges also fail for size. */
		snprintf(cg, sizeof(cg), "%s/memory.max", cgs[i]);
		cg_write_file(cg, i % 2 ? "32M" : "128M");
	}
	/* Touched here, so that its pages are the coordinator's from the start. */
	stats = mmap(NULL, workers * sizeof(*stats), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED) {
		printf("1..1\nnot ok 1 set up: mmap: %s\n", strerror(errno));
		return 1;
	}
	memset(stats, 0, workers * sizeof(*stats));
	for (i = 0; i < ncg; i++) {
		if (cg_memory_current(cgs[i], &base[i])) {
			printf("1..1\nnot ok 1 set up: %s/memory.current: %s\n",
			       cgs[i], strerror(errno));
			return 1;
		}
	}
	printf("1..6\n");

	for (i = 0; i < workers; i++) {
		struct worker *w;

		pid = fork();
		if (pid < 0)
			return 1;
		if (pid)
			continue;
		w = calloc(1, sizeof(*w));
		snprintf(cg, sizeof(cg), "%s/cgroup.procs", cgs[i]);
		if (!w || cg_write_file(cg, "0"))
			_exit(1);
		w->id = i;
		w->accounting = accounting;
		w->rng = seed + i;
		w->calls = calls / workers;
		w->stats = &stats[i];
		w->heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
		w->cg_fds[0] = open(cgs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		w->cg_fds[1] = open(CGROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (w->heap_fd < 0 || w->cg_fds[0] < 0 || w->cg_fds[1] < 0)
			_exit(1);
		/* Odd workers run unprivileged: their charges of others fail. */
		if (i % 2 && (setresgid(UNPRIVILEGED_UID, UNPRIVILEGED_UID,
					UNPRIVILEGED_UID) ||
			      setresuid(UNPRIVILEGED_UID, UNPRIVILEGED_UID,
					UNPRIVILEGED_UID)))
			_exit(1);
		_exit(run_worker(w) ? 1 : 0);
	}
	while ((pid = wait(&status)) > 0) {
		if (WIFEXITED(status) && !WEXITSTATUS(status))
			continue;
		if (WIFSIGNALED(status))
			printf("# a worker was killed by signal %d\n",
			       WTERMSIG(status));
		bad++;
	}

	for (i = 0; i < workers; i++) {
		snprintf(cg, sizeof(cg), "worker %d", i);
		print_stats(cg, "allocations", &stats[i].alloc);
		print_stats(cg, "transfers", &stats[i].xfer);
		add_stats(&allocs, &stats[i].alloc);
		add_stats(&xfers, &stats[i].xfer);
	}
	print_stats("all workers", "allocations", &allocs);
	print_stats("all workers", "transfers", &xfers);

	printf("%s %d %ld calls from %d workers: only documented errors\n",
	       bad ? "not ok" : "ok", ++n, calls, workers);
	ok = some_succeeded(++n, "allocations", &allocs);
	if (accounting) {
		ok &= some_succeeded(++n, "charge transfers", &xfers);
	} else if (xfers.calls || calls >= MIN_TRIES * 8) {
		/*
		 * With mem_accounting=0 a kernel may refuse every transfer,
		 * but they must have been tried (one call in eight is one).
		 */
		ok &= xfers.calls > 0;
		printf("%s %d charge transfers tried: %ld (%ld succeeded, mem_accounting=0)\n",
		       xfers.calls ? "ok" : "not ok", ++n, xfers.calls, xfers.ok);
	} else {
		printf("ok %d charge transfers tried: 0 # SKIP too few calls, use a larger -n\n",
		       ++n);
	}
	bad += !ok;

	for (i = 0; i < ncg; i++)
		zero &= settles_to_zero(cgs[i]);
	printf("%s %d every cgroup's dmabuf is back to 0\n",
	       zero ? "ok" : "not ok", ++n);
	for (i = 0; i < ncg; i++)
		current &= settles_to_baseline(cgs[i], base[i]);
	printf("%s %d every cgroup's memory.current is back to where it was, within %llu KiB\n",
	       current ? "ok" : "not ok", ++n, CG_CURRENT_SLACK >> 10);

	for (i = 0; i < workers; i++) {
		if (rmdir(cgs[i])) {
			printf("# rmdir %s: %s\n", cgs[i], strerror(errno));
			removed = false;
		}
	}
	if (cg_write_file("/sys/fs/cgroup/cgroup.procs", "0") ||
	    rmdir(CGROOT "/coordinator") ||
	    rmdir(CGROOT))
		removed = false;
	printf("%s %d the test cgroups can be removed\n",
	       removed ? "ok" : "not ok", ++n);
	return bad || !zero || !current || !removed;
}
