// SPDX-License-Identifier: GPL-2.0
/*
 * dmaheap-lib-test: every libdmaheap call against the patched kernel.
 *
 * The test moves itself into CGROOT/caller and forks target processes into
 * CGROOT/target and CGROOT/small (whose memory.max is SMALL_MAX); CGROOT/dir
 * has no process, for transfers to a directory. Each charged call is then
 * checked where it lands, in memory.stat's "dmabuf" of the four cgroups and
 * in what dmaheap_info() says, and each error path for leaving no charge
 * and no fd behind. Without dma_heap.mem_accounting=1 nothing is charged:
 * the charge checks are skipped, the rest must pass (and transfers fail
 * with -EOPNOTSUPP). TAP on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "dmaheap.h"
#include "../common/cgroup.h"
#include "../common/tap.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define CGROOT "/sys/fs/cgroup/dmaheap-lib-test"
#define CG_CALLER CGROOT "/caller"
#define CG_TARGET CGROOT "/target"
#define CG_SMALL CGROOT "/small"
#define CG_DIR CGROOT "/dir"
#define HEAP "system"
#define SIZE (1024UL * 1024)
#define SMALL_MAX (4 * SIZE)
#define TOO_BIG (8 * SIZE)
#define THREADS 8
#define UNPRIVILEGED 65534
/* The fds a buffer and a heap are passed at through exec() */
#define TAKE_FD 100
#define HEAP_FD 101

/* The cgroups whose charges are compared, in this order */
static const char * const cgroups[] = { CG_CALLER, CG_TARGET, CG_SMALL, CG_DIR };
enum { CALLER, TARGET, SMALL, DIR_ONLY, NR_CGROUPS };

static bool accounting;
static pid_t target_pid, small_pid;
static int target_pidfd, small_pidfd, null_fd;

/* A check of who pays: skipped when the kernel charges nobody. */
static void check_charge(bool ok, const char *what)
{
	if (!accounting) {
		skip(what, "needs dma_heap.mem_accounting=1");
		return;
	}
	check(ok, "%s", what);
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static bool is_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

static unsigned long long ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned long long)st.st_ino;
}

static void read_charges(long got[NR_CGROUPS])
{
	int i;

	for (i = 0; i < NR_CGROUPS; i++)
		got[i] = cg_dmabuf(cgroups[i]);
}

/*
 * Whether the cgroups' "dmabuf" read @want, polled for a while: memory.stat
 * is flushed lazily, and the uncharge of a last close may come late.
 */
static bool charges_are(const long want[NR_CGROUPS])
{
	long got[NR_CGROUPS];
	bool ok = false;
	int i, n;

	/* Not asked then: check_charge() skips */
	if (!accounting)
		return true;
	for (n = 0; n < 300 && !ok; n++) {
		if (n)
			usleep(10000);
		read_charges(got);
		ok = !memcmp(got, want, sizeof(got));
	}
	if (!ok)
		for (i = 0; i < NR_CGROUPS; i++)
			diag("%s: dmabuf %ld, expected %ld", cgroups[i],
			     got[i], want[i]);
	return ok;
}

/* Whether only cgroup @where (or none, if -1) is charged, with @bytes */
static bool only(int where, unsigned long bytes)
{
	long want[NR_CGROUPS] = { 0 };

	if (where >= 0)
		want[where] = (long)bytes;
	return charges_are(want);
}

/* Whether @fd's fdinfo names cgroup @where as paying for it */
static bool info_names(int fd, int where)
{
	struct dmaheap_info info;
	const char *path = cgroups[where] + strlen("/sys/fs/cgroup");
	int ret = dmaheap_info(fd, &info);

	if (!accounting)
		return true;
	if (ret || !info.charged || strcmp(info.cgroup, path) ||
	    info.cgroup_id != ino_of(cgroups[where])) {
		diag("info: %d, charged %d, cgroup \"%s\" id %llu; expected \"%s\" id %llu",
		     ret, info.charged, info.cgroup,
		     (unsigned long long)info.cgroup_id, path,
		     ino_of(cgroups[where]));
		return false;
	}
	return true;
}

/* Fork a process into @cgroup that waits to be killed. */
static pid_t start_in(const char *cgroup)
{
	char procs[256], c = 0;
	int pipefd[2];
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (cg_write_file(procs, "0"))
			_exit(1);
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pipefd[0]);
	return pid;
}

/* A pidfd of a process that has exited and been reaped; its pid in @pid */
static int exited_pidfd(pid_t *pid)
{
	int pidfd;

	*pid = fork();
	if (*pid == 0)
		_exit(0);
	pidfd = pidfd_open(*pid);
	waitpid(*pid, NULL, 0);
	return pidfd;
}

/* A thread of this process that is not its leader: its thread id */
static int waiter_pipe[2];

static void *waiter(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	(void)arg;
	if (write(waiter_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	for (;;)
		pause();
}

static pid_t thread_id(void)
{
	static pid_t tid = -1;
	pthread_t thread;

	if (tid > 0)
		return tid;
	if (pipe2(waiter_pipe, O_CLOEXEC) ||
	    pthread_create(&thread, NULL, waiter, NULL) ||
	    read(waiter_pipe[0], &tid, sizeof(tid)) != sizeof(tid))
		tid = -1;
	return tid;
}

static int setup(void)
{
	char max[32];
	unsigned int i;

	if ((mkdir(CGROOT, 0755) && errno != EEXIST) ||
	    cg_write_file(CGROOT "/cgroup.subtree_control", "+memory"))
		return -1;
	for (i = 0; i < NR_CGROUPS; i++)
		if (mkdir(cgroups[i], 0755) && errno != EEXIST)
			return -1;
	snprintf(max, sizeof(max), "%lu", SMALL_MAX);
	if (cg_write_file(CG_SMALL "/memory.max", max) ||
	    cg_write_file(CG_CALLER "/cgroup.procs", "0"))
		return -1;
	target_pid = start_in(CG_TARGET);
	small_pid = start_in(CG_SMALL);
	if (target_pid < 0 || small_pid < 0)
		return -1;
	target_pidfd = pidfd_open(target_pid);
	small_pidfd = pidfd_open(small_pid);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* Its pipe stays open: before any count of fds */
	if (thread_id() <= 0)
		return -1;
	return target_pidfd < 0 || small_pidfd < 0 || null_fd < 0 ? -1 : 0;
}

/* --- the probe, on first use: in fresh processes ----------------------- */

static pthread_barrier_t barrier;

static void *probe_thread(void *arg)
{
	pthread_barrier_wait(&barrier);
	*(int *)arg = dmaheap_probe();
	return NULL;
}

/* Several threads ask at once; every one must hear 1. */
static int probe_threads_child(void)
{
	pthread_t threads[THREADS];
	int ret[THREADS], i, fds = fd_count(), bad = 0;

	pthread_barrier_init(&barrier, NULL, THREADS);
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&threads[i], NULL, probe_thread, &ret[i]))
			return 2;
	for (i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		if (ret[i] != 1) {
			diag("thread %d: probe %d", i, ret[i]);
			bad = 1;
		}
	}
	if (fd_count() != fds) {
		diag("probe leaked %d fds", fd_count() - fds);
		bad = 1;
	}
	return bad;
}

/*
 * With fd 0 closed, the probe's /dev/null would be fd 0, which
 * charge_pid_fd reads as "the caller": an allocation would succeed, and
 * the probe would answer 0. The first charged call must still work.
 */
static int probe_fd0_child(void)
{
	int heap, fd;

	/* The heap must not be fd 0, whatever the runner left open there. */
	if (fcntl(0, F_GETFD) < 0 && dup2(null_fd, 0) != 0)
		return 2;
	heap = dmaheap_open(HEAP);
	if (heap <= 0) {
		diag("open %s: %d", HEAP, heap);
		return 2;
	}
	close(0);
	fd = dmaheap_alloc_fd(heap, SIZE, 0, target_pidfd);
	if (fd < 0) {
		diag("alloc_fd with fd 0 closed: %d", fd);
		return 1;
	}
	close(fd);
	return dmaheap_probe() != 1 || fcntl(0, F_GETFD) != -1;
}

static void test_probe_first_use(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(probe_threads_child());
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "probe: %d threads asking at once on first use all get 1",
	      THREADS);

	pid = fork();
	if (pid == 0)
		_exit(probe_fd0_child());
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "probe: first asked with fd 0 closed, says 1 all the same");
	check_charge(only(-1, 0), "probe: nothing left charged anywhere");
	check(dmaheap_probe() == 1, "probe: 1 on the patched kernel");
}

/* --- heaps ---------------------------------------------------------------- */

static void test_heaps(void)
{
	char **names = NULL;
	bool sorted = true, has_heap = false;
	int n, i, fd;

	check(!strcmp(dmaheap_version(), "1.0"), "version: \"%s\"",
	      dmaheap_version());

	n = dmaheap_list(&names);
	for (i = 0; i < n; i++) {
		has_heap |= !strcmp(names[i], HEAP);
		if (i && strcmp(names[i - 1], names[i]) >= 0)
			sorted = false;
	}
	check(n >= 1 && names && !names[n] && has_heap && sorted,
	      "list: %d heaps, sorted, NULL-terminated, \"%s\" among them",
	      n, HEAP);
	dmaheap_list_free(names);

	fd = dmaheap_open(HEAP);
	check(fd >= 0 && is_cloexec(fd) &&
	      (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY,
	      "open: \"%s\" read-only, close-on-exec", HEAP);
	if (fd >= 0)
		close(fd);
	check(dmaheap_open("no-such-heap") == -ENOENT,
	      "open: an unknown heap is -ENOENT");
	check(dmaheap_open("") == -EINVAL && dmaheap_open(".") == -EINVAL &&
	      dmaheap_open("..") == -EINVAL &&
	      dmaheap_open("../dma_heap/system") == -EINVAL &&
	      dmaheap_open(NULL) == -EINVAL,
	      "open: \"\", \".\", \"..\", a path, NULL are -EINVAL");
}

/* --- charged allocations ---------------------------------------------- */

/* Check a new buffer @fd, charged to @where, then close it. */
static void check_buffer(int fd, int where, int fds, const char *what)
{
	struct dmaheap_info info;

	check(fd >= 0 && is_cloexec(fd) &&
	      (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR &&
	      !dmaheap_info(fd, &info) && info.size == SIZE &&
	      !strcmp(info.exporter, HEAP),
	      "%s: a %lu-byte \"%s\" buffer, O_RDWR, close-on-exec (%d)",
	      what, SIZE, HEAP, fd);
	if (fd < 0)
		return;
	check_charge(only(where, SIZE), "  ... charged to that cgroup alone");
	check_charge(info_names(fd, where),
		     "  ... dmaheap_info() names that cgroup and its id");
	close(fd);
	check_charge(only(-1, 0), "  ... uncharged by the last close");
	check(fd_count() == fds, "  ... no fd left behind");
}

static void test_alloc(void)
{
	int fds = fd_count(), heap, saved, ret;

	check_buffer(dmaheap_alloc(HEAP, SIZE, 0), CALLER, fds,
		     "alloc: for the caller");
	check_buffer(dmaheap_alloc_for_pidfd(HEAP, SIZE, 0, target_pidfd),
		     TARGET, fds, "alloc_for_pidfd");
	check_buffer(dmaheap_alloc_for_pid(HEAP, SIZE, 0, target_pid), TARGET,
		     fds, "alloc_for_pid");

	/*
	 * The pidfd at fd 0, which charge_pid_fd cannot say as such. Whether
	 * the kernel saw fd 0 ("the caller") shows without accounting too:
	 * /dev/null at fd 0 must be refused as no pidfd, not charge the
	 * caller.
	 */
	saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
	if (saved >= 0 && dup2(target_pidfd, 0) == 0) {
		check_buffer(dmaheap_alloc_for_pidfd(HEAP, SIZE, 0, 0), TARGET,
			     fds + 1, "alloc_for_pidfd: a pidfd that is fd 0");
		dup2(null_fd, 0);
		ret = dmaheap_alloc_for_pidfd(HEAP, SIZE, 0, 0);
		if (ret >= 0)
			close(ret);
		check(ret == -EBADF && fd_count() == fds + 1,
		      "alloc_for_pidfd: /dev/null at fd 0 is -EBADF, no pidfd: %d",
		      ret);
		dup2(saved, 0);
	} else {
		check(false, "dup2 the pidfd to fd 0: %s", strerror(errno));
	}
	close(saved);

	heap = dmaheap_open(HEAP);
	fds = fd_count();
	check_buffer(dmaheap_alloc_fd(heap, SIZE, 0, target_pidfd), TARGET,
		     fds, "alloc_fd: for a pidfd");
	check_buffer(dmaheap_alloc_fd(heap, SIZE, 0, -1), CALLER, fds,
		     "alloc_fd: for the caller");
	close(heap);
}

static void test_fd_flags(void)
{
	int fd;

	fd = dmaheap_alloc(HEAP, SIZE, O_RDONLY | O_CLOEXEC);
	check(fd >= 0 && is_cloexec(fd) &&
	      (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY,
	      "alloc: fd_flags O_RDONLY | O_CLOEXEC as asked");
	if (fd >= 0)
		close(fd);
	fd = dmaheap_alloc(HEAP, SIZE, O_RDWR);
	check(fd >= 0 && !is_cloexec(fd) &&
	      (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR,
	      "alloc: fd_flags O_RDWR, without O_CLOEXEC, as asked");
	if (fd >= 0)
		close(fd);
}

/* --- transfers -------------------------------------------------------------- */

static void test_xfer(void)
{
	int buf = dmaheap_alloc(HEAP, SIZE, 0), dir, ret;
	int want = accounting ? 0 : -EOPNOTSUPP;

	check(buf >= 0, "xfer: a buffer to move (%d)", buf);
	if (buf < 0)
		return;

	ret = dmaheap_xfer_to_pidfd(buf, target_pidfd);
	check(ret == want, "xfer_to_pidfd: %d", ret);
	check_charge(only(TARGET, SIZE) && info_names(buf, TARGET),
		     "  ... the target's cgroup pays, as info says");

	ret = dmaheap_xfer_to_pid(buf, getpid());
	check(ret == want, "xfer_to_pid: to the caller itself: %d", ret);
	check_charge(only(CALLER, SIZE) && info_names(buf, CALLER),
		     "  ... the caller's cgroup pays, as info says");

	ret = dmaheap_xfer_to_pid(buf, target_pid);
	check(ret == want, "xfer_to_pid: to the target: %d", ret);
	check_charge(only(TARGET, SIZE) && info_names(buf, TARGET),
		     "  ... the target's cgroup pays, as info says");

	dir = open(CG_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = dmaheap_xfer_to_cgroup_fd(buf, dir);
	check(ret == want, "xfer_to_cgroup_fd: %d", ret);
	check_charge(only(DIR_ONLY, SIZE) && info_names(buf, DIR_ONLY),
		     "  ... the directory's cgroup pays, as info says");
	close(dir);

	ret = dmaheap_xfer_to_cgroup(buf, CG_CALLER);
	check(ret == want, "xfer_to_cgroup: by path: %d", ret);
	check_charge(only(CALLER, SIZE) && info_names(buf, CALLER),
		     "  ... the caller's cgroup pays, as info says");
	close(buf);
	check_charge(only(-1, 0), "xfer: the last close uncharges");
}

/* --- error paths -------------------------------------------------------- */

/*
 * Each error leaves the charges as they were, and no fd open. @got is
 * computed by the caller between the two snapshots.
 */
struct snapshot {
	long charges[NR_CGROUPS];
	int fds;
};

static void snap(struct snapshot *s)
{
	/* A charge still on its way in would look like a leak. */
	usleep(20000);
	read_charges(s->charges);
	s->fds = fd_count();
}

static void check_error(const struct snapshot *before, int got, int want,
			const char *what)
{
	bool same_fds = fd_count() == before->fds;

	if (got >= 0 && got != want)
		close(got);
	check(got == want && same_fds, "%s: %d (expected %d)%s", what, got,
	      want, same_fds ? "" : ", an fd left behind");
	check_charge(charges_are(before->charges), "  ... no charge left behind");
}

static void test_alloc_errors(void)
{
	struct snapshot s;
	pid_t gone;
	int gone_pidfd = exited_pidfd(&gone), heap = dmaheap_open(HEAP);
	int ret;

	snap(&s);
	ret = dmaheap_alloc_for_pidfd(HEAP, SIZE, 0, gone_pidfd);
	check_error(&s, ret, -ESRCH, "alloc_for_pidfd: an exited process");
	ret = dmaheap_alloc_for_pidfd(HEAP, SIZE, 0, null_fd);
	check_error(&s, ret, -EBADF, "alloc_for_pidfd: not a pidfd");
	ret = dmaheap_alloc_for_pidfd(HEAP, SIZE, 0, -2);
	check_error(&s, ret, -EBADF, "alloc_for_pidfd: a negative fd");
	ret = dmaheap_alloc_for_pidfd(HEAP, SIZE, 0, -1);
	check_error(&s, ret, -EBADF,
		    "alloc_for_pidfd: -1, a pidfd that could not be had");
	ret = thread_id() > 0 ? dmaheap_alloc_for_pid(HEAP, SIZE, 0, thread_id()) :
				-1000;
	check_error(&s, ret, -EINVAL, "alloc_for_pid: a thread's id");
	ret = dmaheap_alloc_for_pid(HEAP, SIZE, 0, gone);
	check_error(&s, ret, -ESRCH, "alloc_for_pid: no such process");
	ret = dmaheap_alloc_for_pid(HEAP, SIZE, 0, 0);
	check_error(&s, ret, -EINVAL, "alloc_for_pid: pid 0");
	ret = dmaheap_alloc_for_pid(HEAP, SIZE, 0, -1);
	check_error(&s, ret, -EINVAL, "alloc_for_pid: pid -1");
	ret = dmaheap_alloc(HEAP, SIZE, O_NONBLOCK);
	check_error(&s, ret, -EINVAL, "alloc: fd_flags O_NONBLOCK");
	ret = dmaheap_alloc_for_pidfd(HEAP, SIZE, O_RDWR | O_APPEND,
				      target_pidfd);
	check_error(&s, ret, -EINVAL, "alloc_for_pidfd: fd_flags O_APPEND");
	ret = dmaheap_alloc(HEAP, 0, 0);
	check_error(&s, ret, -EINVAL, "alloc: 0 bytes");
	ret = dmaheap_alloc_fd(heap, 0, 0, target_pidfd);
	check_error(&s, ret, -EINVAL, "alloc_fd: 0 bytes");
	ret = dmaheap_alloc("no-such-heap", SIZE, 0);
	check_error(&s, ret, -ENOENT, "alloc: an unknown heap");
	ret = dmaheap_alloc_for_pidfd("no-such-heap", SIZE, 0, target_pidfd);
	check_error(&s, ret, -ENOENT, "alloc_for_pidfd: an unknown heap");
	ret = dmaheap_alloc_for_pid("../null", SIZE, 0, target_pid);
	check_error(&s, ret, -EINVAL, "alloc_for_pid: a heap name with '/'");
	ret = dmaheap_alloc_fd(null_fd, SIZE, 0, target_pidfd);
	check(ret < 0 && fd_count() == s.fds,
	      "alloc_fd: /dev/null as the heap fails: %d", ret);

	if (accounting) {
		ret = dmaheap_alloc_for_pidfd(HEAP, TOO_BIG, 0, small_pidfd);
		check_error(&s, ret, -ENOMEM,
			    "alloc_for_pidfd: over the target's memory.max");
		ret = dmaheap_alloc_fd(heap, TOO_BIG, 0, small_pidfd);
		check_error(&s, ret, -ENOMEM,
			    "alloc_fd: over the target's memory.max");
	} else {
		check_charge(false, "alloc_for_pidfd: over the target's memory.max");
		check_charge(false, "alloc_fd: over the target's memory.max");
	}
	close(heap);
	close(gone_pidfd);
}

/* What a transfer that would fail with @err fails with: nothing moves. */
static int acc(int err)
{
	return accounting ? err : -EOPNOTSUPP;
}

static void test_xfer_errors(void)
{
	int buf = dmaheap_alloc(HEAP, TOO_BIG, 0), ret;
	struct snapshot s;
	pid_t gone;
	int gone_pidfd = exited_pidfd(&gone);

	check(buf >= 0, "xfer errors: a %lu-byte buffer of the caller's",
	      TOO_BIG);
	if (buf < 0)
		return;
	snap(&s);
	ret = dmaheap_xfer_to_pidfd(buf, gone_pidfd);
	check_error(&s, ret, acc(-ESRCH), "xfer_to_pidfd: an exited process");
	ret = dmaheap_xfer_to_pidfd(buf, null_fd);
	check_error(&s, ret, acc(-EBADF), "xfer_to_pidfd: not a pidfd");
	ret = dmaheap_xfer_to_pidfd(buf, -1);
	check_error(&s, ret, -EBADF, "xfer_to_pidfd: fd -1");
	ret = dmaheap_xfer_to_pid(buf, gone);
	check_error(&s, ret, -ESRCH, "xfer_to_pid: no such process");
	ret = dmaheap_xfer_to_pid(buf, 0);
	check_error(&s, ret, -EINVAL, "xfer_to_pid: pid 0");
	ret = thread_id() > 0 ? dmaheap_xfer_to_pid(buf, thread_id()) : -1000;
	check_error(&s, ret, -EINVAL, "xfer_to_pid: a thread's id");
	ret = dmaheap_xfer_to_pidfd(buf, small_pidfd);
	check_error(&s, ret, acc(-ENOMEM),
		    "xfer_to_pidfd: over the target's memory.max");
	ret = dmaheap_xfer_to_cgroup(buf, CG_SMALL);
	check_error(&s, ret, acc(-ENOMEM),
		    "xfer_to_cgroup: over the directory's memory.max");
	ret = dmaheap_xfer_to_cgroup(buf, "/sys/fs/cgroup");
	check_error(&s, ret, acc(-EINVAL), "xfer_to_cgroup: the root cgroup");
	ret = dmaheap_xfer_to_cgroup(buf, CGROOT "/no-such-cgroup");
	check_error(&s, ret, -ENOENT, "xfer_to_cgroup: no such directory");
	ret = dmaheap_xfer_to_cgroup(buf, "");
	check_error(&s, ret, -EINVAL, "xfer_to_cgroup: an empty path");
	ret = dmaheap_xfer_to_cgroup_fd(buf, null_fd);
	check_error(&s, ret, acc(-EBADF), "xfer_to_cgroup_fd: not a directory");
	ret = dmaheap_xfer_to_pidfd(null_fd, target_pidfd);
	check_error(&s, ret, -EOPNOTSUPP, "xfer_to_pidfd: not a dma-buf");
	ret = dmaheap_xfer_to_pidfd(-1, target_pidfd);
	check_error(&s, ret, -EBADF, "xfer_to_pidfd: buffer fd -1");
	close(gone_pidfd);
	close(buf);
}

/*
 * An unprivileged process in the caller's cgroup may not charge the
 * target's: it cannot write the cgroup.procs files root owns.
 */
struct unpriv_result {
	int alloc, xfer_pidfd, xfer_dir, leaked;
};

static void unpriv_child(int out, int heap, int buf, int dir)
{
	struct unpriv_result r;
	int fds;

	if (setgroups(0, NULL) || setresgid(UNPRIVILEGED, UNPRIVILEGED,
					    UNPRIVILEGED) ||
	    setresuid(UNPRIVILEGED, UNPRIVILEGED, UNPRIVILEGED))
		_exit(2);
	fds = fd_count();
	r.alloc = dmaheap_alloc_fd(heap, SIZE, 0, target_pidfd);
	if (r.alloc >= 0)
		close(r.alloc);
	r.xfer_pidfd = dmaheap_xfer_to_pidfd(buf, target_pidfd);
	r.xfer_dir = dmaheap_xfer_to_cgroup_fd(buf, dir);
	r.leaked = fd_count() - fds;
	_exit(write(out, &r, sizeof(r)) != sizeof(r));
}

static void test_unprivileged(void)
{
	int heap = dmaheap_open(HEAP), buf = dmaheap_alloc(HEAP, SIZE, 0);
	int dir = open(CG_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int want = accounting ? -EPERM : -EOPNOTSUPP;
	struct unpriv_result r = { 1, 1, 1, 1 };
	struct snapshot s;
	int pipefd[2];
	pid_t pid;

	if (heap < 0 || buf < 0 || dir < 0 || pipe2(pipefd, O_CLOEXEC)) {
		check(false, "unprivileged: set up");
		return;
	}
	snap(&s);
	pid = fork();
	if (pid == 0)
		unpriv_child(pipefd[1], heap, buf, dir);
	close(pipefd[1]);
	if (read(pipefd[0], &r, sizeof(r)) != sizeof(r))
		diag("the unprivileged child said nothing");
	waitpid(pid, NULL, 0);
	close(pipefd[0]);
	check(r.alloc == -EPERM, "unprivileged: alloc_fd for another cgroup: %d",
	      r.alloc);
	check(r.xfer_pidfd == want, "unprivileged: xfer_to_pidfd: %d",
	      r.xfer_pidfd);
	check(r.xfer_dir == want, "unprivileged: xfer_to_cgroup_fd: %d",
	      r.xfer_dir);
	check(!r.leaked, "unprivileged: no fd left behind");
	check_charge(charges_are(s.charges) && info_names(buf, CALLER),
		     "unprivileged: the charges are where they were");
	close(dir);
	close(buf);
	close(heap);
}

/*
 * An app with no heap it may open (the nodes are root's, 0600) takes over
 * the charge of a buffer it was given, into its own cgroup: always
 * allowed, and the probe, which finds no heap to ask, must not stand in
 * the way. In a fresh process (exec), which has no answer cached. Then,
 * in the same process, the heaps it is given: an O_PATH fd of a heap
 * (which any ioctl refuses with EBADF, the answer "the series is there")
 * must not be asked, and nothing cached; an fd of a heap opened for it
 * before it dropped root must be asked, and the answer cached.
 */
static int take_child(int buf, int heap)
{
	int want = accounting ? 0 : -EOPNOTSUPP;
	int pidfd = pidfd_open(getpid()), bad = 0;
	int probe, ret, path_fd, path_probe, path_ret, fd, last_probe;

	probe = dmaheap_probe();
	ret = dmaheap_xfer_to_pid(buf, getpid());
	diag("unprivileged, exec'd: probe %d, xfer_to_pid of itself %d",
	     probe, ret);
	bad |= (probe != -EACCES) | (ret != want) << 1;

	path_fd = open(DMAHEAP_DEV_DIR "/" HEAP, O_PATH | O_CLOEXEC);
	path_ret = dmaheap_alloc_fd(path_fd, SIZE, 0, pidfd);
	path_probe = dmaheap_probe();
	diag("an O_PATH fd of the heap: alloc_fd %d, then probe %d",
	     path_ret, path_probe);
	bad |= (path_fd < 0 || path_ret != -EACCES ||
		path_probe != -EACCES) << 2;

	fd = dmaheap_alloc_fd(heap, SIZE, 0, pidfd);
	last_probe = dmaheap_probe();
	diag("the heap opened for it: alloc_fd for itself %d, then probe %d",
	     fd, last_probe);
	bad |= (fd < 0 || last_probe != 1) << 3;
	if (fd >= 0)
		close(fd);
	return bad;
}

static void test_take_unprivileged(void)
{
	int buf = dmaheap_alloc_for_pidfd(HEAP, SIZE, 0, target_pidfd);
	int heap = dmaheap_open(HEAP);
	int status = -1;
	pid_t pid;

	if (buf < 0 || heap < 0) {
		check(false, "take: a buffer for the target: %d, a heap %d",
		      buf, heap);
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* Not close-on-exec at known numbers */
		if (dup2(buf, TAKE_FD) != TAKE_FD ||
		    dup2(heap, HEAP_FD) != HEAP_FD || setgroups(0, NULL) ||
		    setresgid(UNPRIVILEGED, UNPRIVILEGED, UNPRIVILEGED) ||
		    setresuid(UNPRIVILEGED, UNPRIVILEGED, UNPRIVILEGED))
			_exit(64);
		execl("/proc/self/exe", "dmaheap-lib-test", "--take", NULL);
		_exit(65);
	}
	waitpid(pid, &status, 0);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	check(status >= 0 && !(status & 3),
	      "take: unprivileged, no heap it may open (probe -EACCES), into its own cgroup");
	check_charge(only(CALLER, SIZE) && info_names(buf, CALLER),
		     "  ... its cgroup pays now");
	check(status >= 0 && !(status & 4),
	      "take: an O_PATH heap fd is not asked: -EACCES, nothing cached");
	check(status >= 0 && !(status & 8),
	      "take: the heap fd it was given is asked, and the answer cached");
	close(heap);
	close(buf);
}

/* --- buffers and info ------------------------------------------------------ */

/*
 * Names the kernel takes (set by hand) that fake the lines of the charge:
 * dmaheap_info() must still say who pays, as the kernel printed it.
 */
static void test_fake_names(int buf)
{
	static const char * const names[] = {
		"x\ncharged_cgroup_id:\t1",
		"x\ncharged_cgroup:\tnone",
		"x\ncharged_cgroup:\t/fake",
	};
	unsigned long long id = ino_of(CG_CALLER);
	struct dmaheap_info info;
	unsigned int i;
	bool ok;
	int ret;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		memset(&info, 0, sizeof(info));
		ret = ioctl(buf, DMA_BUF_SET_NAME, names[i]) ? -errno :
		      dmaheap_info(buf, &info);
		ok = !ret && !strcmp(info.name, "x");
		if (accounting)
			ok &= info.charged && info.cgroup_id == id &&
			      !strcmp(info.cgroup, CG_CALLER +
				      strlen("/sys/fs/cgroup"));
		else
			ok &= !info.charged && !info.cgroup_id &&
			      !info.cgroup[0];
		check(ok, "info: a name with a newline fakes no charge (%d, %d, %llu, \"%s\")",
		      ret, info.charged, (unsigned long long)info.cgroup_id,
		      info.cgroup);
	}
	dmaheap_set_name(buf, "");
}

static void test_buffer(void)
{
	int buf = dmaheap_alloc(HEAP, SIZE, 0), ret;
	struct dmaheap_info a, b;
	char long_name[DMAHEAP_NAME_MAX + 2];
	unsigned char *map;
	bool same;

	check(buf >= 0, "buffer: a buffer to work on");
	if (buf < 0)
		return;
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ret = map == MAP_FAILED ? -1 : dmaheap_sync_start(buf, DMAHEAP_SYNC_RW);
	if (!ret) {
		memset(map, 0x5a, SIZE);
		ret = dmaheap_sync_end(buf, DMAHEAP_SYNC_RW);
	}
	if (!ret)
		ret = dmaheap_sync_start(buf, DMAHEAP_SYNC_READ);
	if (!ret) {
		ret = map[SIZE - 1] == 0x5a ? 0 : -1;
		if (!ret)
			ret = dmaheap_sync_end(buf, DMAHEAP_SYNC_READ);
	}
	if (!ret)
		ret = dmaheap_sync_start(buf, DMAHEAP_SYNC_WRITE);
	if (!ret)
		ret = dmaheap_sync_end(buf, DMAHEAP_SYNC_WRITE);
	check(!ret, "sync_start, sync_end: RW, READ, WRITE around CPU access");
	if (map != MAP_FAILED)
		munmap(map, SIZE);
	check(dmaheap_sync_start(buf, 0) == -EINVAL &&
	      dmaheap_sync_start(buf, 4) == -EINVAL &&
	      dmaheap_sync_end(buf, DMAHEAP_SYNC_RW | 8) == -EINVAL,
	      "sync: flags 0, or other bits, are -EINVAL");
	check(dmaheap_sync_start(null_fd, DMAHEAP_SYNC_RW) < 0 &&
	      dmaheap_sync_end(-1, DMAHEAP_SYNC_RW) == -EBADF,
	      "sync: not a dma-buf fails");

	ret = dmaheap_set_name(buf, "lib-test");
	check(!ret && !dmaheap_info(buf, &a) && !strcmp(a.name, "lib-test"),
	      "set_name: info shows \"%s\"", ret ? "" : a.name);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[DMAHEAP_NAME_MAX] = '\0';
	ret = dmaheap_set_name(buf, long_name);
	check(!ret && !dmaheap_info(buf, &a) && !strcmp(a.name, long_name),
	      "set_name: %d bytes, the most, in full", DMAHEAP_NAME_MAX);
	long_name[DMAHEAP_NAME_MAX] = 'n';
	long_name[DMAHEAP_NAME_MAX + 1] = '\0';
	check(dmaheap_set_name(buf, long_name) == -ENAMETOOLONG &&
	      !dmaheap_info(buf, &a) && a.name[0] == 'n' &&
	      strlen(a.name) == DMAHEAP_NAME_MAX,
	      "set_name: %d bytes are -ENAMETOOLONG, the name stays",
	      DMAHEAP_NAME_MAX + 1);

	check(dmaheap_set_name(buf, "a\nb") == -EINVAL &&
	      !dmaheap_info(buf, &a) && strlen(a.name) == DMAHEAP_NAME_MAX,
	      "set_name: a name with a newline is -EINVAL, the name stays");
	test_fake_names(buf);

	ret = dmaheap_info_at(getpid(), buf, &b);
	same = !ret && !dmaheap_info(buf, &a) && !memcmp(&a, &b, sizeof(a));
	check(same && b.ino && b.size == SIZE,
	      "info_at: of /proc/self's pid says what info says (ino %llu)",
	      (unsigned long long)b.ino);
	if (accounting)
		check(b.charged && b.cgroup_id, "info: the buffer is charged");
	else
		check(!b.charged && !b.cgroup[0] && !b.cgroup_id,
		      "info: without accounting, no cgroup pays");
	check(dmaheap_info(null_fd, &a) == -EBADF,
	      "info: a file that is not a dma-buf is -EBADF");
	check(dmaheap_info(1000, &a) == -EBADF &&
	      dmaheap_info(-1, &a) == -EBADF,
	      "info: an fd not open is -EBADF");
	check(dmaheap_info_at(getpid(), 1000, &a) == -ENOENT,
	      "info_at: an fd not open is -ENOENT");
	check(dmaheap_info_at(0, buf, &a) == -EINVAL,
	      "info_at: pid 0 is -EINVAL");
	close(buf);
}

static void test_allocd_connect(void)
{
	char path[200];

	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	check(dmaheap_allocd_connect("/run/no-such.sock") == -ENOENT,
	      "allocd_connect: no socket is -ENOENT");
	check(dmaheap_allocd_connect(path) == -ENAMETOOLONG,
	      "allocd_connect: a path too long is -ENAMETOOLONG");
}

static bool teardown(void)
{
	bool ok = true;
	int i;

	kill(target_pid, SIGKILL);
	kill(small_pid, SIGKILL);
	waitpid(target_pid, NULL, 0);
	waitpid(small_pid, NULL, 0);
	cg_write_file("/sys/fs/cgroup/cgroup.procs", "0");
	for (i = 0; i < NR_CGROUPS; i++)
		ok &= !rmdir(cgroups[i]);
	return ok && !rmdir(CGROOT);
}

int main(int argc, char **argv)
{
	int fd;

	/*
	 * A runner may leave stdin (or stdout, stderr) closed: the fds this
	 * test opens must not take their places, fd 0 least of all.
	 */
	do {
		/* Not close-on-exec: they are the standard streams now. */
		fd = open("/dev/null", O_RDWR);
	} while (fd >= 0 && fd <= 2);
	if (fd > 2)
		close(fd);
	setvbuf(stdout, NULL, _IOLBF, 0);
	accounting = dmabuf_accounting();
	if (argc == 2 && !strcmp(argv[1], "--take"))
		return take_child(TAKE_FD, HEAP_FD);
	diag("dma_heap.mem_accounting=%d", accounting);
	if (setup()) {
		check(false, "set up %s: %s", CGROOT, strerror(errno));
		teardown();
		return tap_done();
	}
	/* First, while this process has not asked dmaheap_probe() yet */
	test_probe_first_use();
	test_heaps();
	test_alloc();
	test_fd_flags();
	test_xfer();
	test_alloc_errors();
	test_xfer_errors();
	test_unprivileged();
	test_take_unprivileged();
	test_buffer();
	test_allocd_connect();
	check(teardown(), "every cgroup can be removed afterwards");
	return tap_done();
}
