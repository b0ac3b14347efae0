// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-lifecycle: dma-buf heap buffers, their charges, the processes
 * they are charged to and the cgroups they are charged in, all created and
 * destroyed at once for a while; then a check that nothing is left behind.
 *
 * Under PARENT, for -t seconds, forked workers:
 *
 * - NR_ALLOCATORS allocators (allocator.c), two threads each, allocate
 *   4K..2M buffers for themselves or for a client (charge_pid_fd), hold up
 *   to 48M each, close random ones, and move random buffers' charges
 *   (DMA_BUF_IOCTL_XFER_CHARGE) to clients' pidfds, to cgroup directories
 *   just opened or opened a while ago, and to the root cgroup;
 * - a client manager (clients.c) keeps NR_CLIENTS short-lived clients,
 *   moves them between cgroups, kills and replaces them: the allocators'
 *   pidfds outlive them, and a pidfd that poll() says has exited must get
 *   ESRCH;
 * - a churner (cgroups.c) removes and recreates the pool cgroups and sets
 *   their memory.max and memory.high at random;
 * - a racer (cgroups.c) creates and removes a cgroup as fast as it can
 *   while two threads open it and move a charge to it (a transfer that
 *   found the cgroup online, then its files gone, oopsed the first
 *   version of DMA_BUF_IOCTL_XFER_CHARGE within a second).
 *
 * -R leaves out transfers to cgroups that may be being removed: no racer,
 * and the allocators move charges only to cgroups that stay.
 *
 * Every result must be a success or an errno expected for the operation
 * (counters.c); the counts are printed at the end. Then, all buffers closed
 * and all processes gone, every test cgroup's memory.current must be back
 * to its value when it was empty (within TOLERANCE, the per-CPU charge
 * stocks drained before both reads), every "dmabuf" 0, no cgroup left
 * dying, and every test cgroup removable. Output is TAP.
 *
 *   dmabuf-lifecycle [-s SEED] [-t SECONDS] [-R]
 *
 * The seed is printed; it replays each worker's choices (the interleaving
 * is up to the scheduler).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/cgroup.h"
#include "lifecycle.h"

#define NR_TESTS	6
#define NR_TEST_CGS	(NR_POOL + 3)	/* the pool, alloc, mgr, race */
#define TOLERANCE	(256L << 10)	/* memory.current after the run */
#define STOP_TIMEOUT	60		/* seconds for workers to finish */

enum kind { ALLOCATOR, CLIENTS, CHURN, RACER };

static const char *const kind_name[] = {
	"allocator", "client manager", "churner", "racer",
};

static struct {
	enum kind kind;
	int id;
	pid_t pid;
	bool done;
} workers[NR_ALLOCATORS + 3];
static int nr_workers, failed_workers;
static long peak_dmabuf;	/* the parent's "dmabuf" during the run */

/* memory.current of each test cgroup when it was empty, and the parent's. */
static long baseline[NR_TEST_CGS], parent_baseline;

/* The path of test cgroup @i; @i == NR_TEST_CGS is their parent. */
static void test_cg(char *buf, size_t size, int i)
{
	static const char *const fixed[] = { ALLOC_CG, MGR_CG, RACE_CG };

	if (i < NR_POOL)
		pool_path(buf, size, i);
	else if (i < NR_TEST_CGS)
		snprintf(buf, size, "%s", fixed[i - NR_POOL]);
	else
		snprintf(buf, size, PARENT);
}

static long cg_value(const char *cg, const char *file, const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return get_value(path, key);
}

static bool cg_exists(const char *cg)
{
	struct stat st;

	return !stat(cg, &st);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Return the charges that each CPU keeps in stock for a cgroup of the test
 * (up to 64 pages a CPU, counted in memory.current) to the counters: a
 * memory.high below the usage drains them, and reclaims what it can (no
 * dma-buf charge), without the OOM killer that memory.max would call.
 */
static void drain_stocks(void)
{
	put_file(PARENT "/memory.high", "0");
	put_file(PARENT "/memory.high", "max");
}

static void remove_all(void)
{
	char cg[64];
	int i;

	for (i = 0; i < NR_TEST_CGS; i++) {
		test_cg(cg, sizeof(cg), i);
		rmdir(cg);
	}
	rmdir(PARENT);
}

static int setup(void)
{
	char cg[64];
	int i;

	remove_all();	/* a previous run's */
	if (mkdir(PARENT, 0755) ||
	    put_file(PARENT "/cgroup.subtree_control", "+memory") ||
	    put_file(PARENT "/memory.max", "320M"))
		return -1;
	for (i = 0; i < NR_TEST_CGS; i++) {
		test_cg(cg, sizeof(cg), i);
		if (strcmp(cg, RACE_CG) && mkdir(cg, 0755))
			return -1;	/* the racer makes RACE_CG */
	}
	drain_stocks();
	for (i = 0; i < NR_TEST_CGS; i++) {
		test_cg(cg, sizeof(cg), i);
		baseline[i] = cg_exists(cg) ? cg_value(cg, "memory.current", NULL) : 0;
	}
	parent_baseline = cg_value(PARENT, "memory.current", NULL);
	return 0;
}

static void start(enum kind kind, int id, uint64_t seed)
{
	const char *cg = kind == CLIENTS || kind == CHURN ? MGR_CG : ALLOC_CG;
	char path[80];
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("# fork");
		exit(1);
	}
	if (pid) {
		printf("# %s %d is pid %d\n", kind_name[kind], id, pid);
		workers[nr_workers].kind = kind;
		workers[nr_workers].id = id;
		workers[nr_workers++].pid = pid;
		return;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (put_file(path, "0")) {
		printf("# %s %d: cannot join %s\n", kind_name[kind], id, cg);
		_exit(1);
	}
	switch (kind) {
	case ALLOCATOR:
		run_allocator(id, seed);
		break;
	case CLIENTS:
		run_clients(seed);
		break;
	case CHURN:
		run_churn(seed);
		break;
	case RACER:
		run_racer(seed);
		break;
	}
	fflush(stdout);
	_exit(0);
}

/* A child has ended: a worker, or a client orphaned by its manager. */
static void collect(pid_t pid, int status)
{
	int i;

	for (i = 0; i < nr_workers && workers[i].pid != pid; i++)
		;
	if (i == nr_workers)
		return;
	workers[i].done = true;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return;
	failed_workers++;
	if (WIFSIGNALED(status))
		printf("# %s %d (pid %d) killed by signal %d (%s)\n",
		       kind_name[workers[i].kind], workers[i].id, pid,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		printf("# %s %d (pid %d) exited with status %d\n",
		       kind_name[workers[i].kind], workers[i].id, pid,
		       WEXITSTATUS(status));
}

static bool workers_running(void)
{
	int i;

	for (i = 0; i < nr_workers; i++)
		if (!workers[i].done)
			return true;
	return false;
}

/* Collect children until @deadline (ms), or with @until_done until none runs. */
static void collect_until(long deadline, bool until_done)
{
	int status;
	pid_t pid;
	long v;

	while (now_ms() < deadline && !(until_done && !workers_running())) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			collect(pid, status);
			continue;
		}
		v = cg_dmabuf(PARENT);
		if (v > peak_dmabuf)
			peak_dmabuf = v;
		usleep(50000);
	}
}

/* Kill whatever is left in the test cgroups, then reap every child. */
static void kill_and_reap(void)
{
	int i, status, tries;
	pid_t pid;

	for (i = 0; i < nr_workers; i++) {
		if (workers[i].done)
			continue;
		printf("# %s %d did not stop within %d s: killing it\n",
		       kind_name[workers[i].kind], workers[i].id, STOP_TIMEOUT);
		kill(workers[i].pid, SIGKILL);
		failed_workers++;
	}
	for (tries = 0; tries < 100; tries++) {
		put_file(PARENT "/cgroup.kill", "1");
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			collect(pid, status);
		if (pid < 0 && !cg_value(PARENT, "cgroup.events", "populated"))
			return;
		usleep(100000);
	}
	printf("# processes left in %s after 10 s\n", PARENT);
}

/* memory.current of every test cgroup back to its baseline. */
static bool check_current(bool report)
{
	long cur, base, worst = 0;
	char cg[64], worst_cg[64] = "";
	bool ok = true;
	int i;

	drain_stocks();
	for (i = 0; i <= NR_TEST_CGS; i++) {
		test_cg(cg, sizeof(cg), i);
		base = i < NR_TEST_CGS ? baseline[i] : parent_baseline;
		cur = cg_value(cg, "memory.current", NULL);
		if (!cg_exists(cg))
			continue;
		if (cur >= 0 && labs(cur - base) > labs(worst)) {
			worst = cur - base;
			snprintf(worst_cg, sizeof(worst_cg), "%s", cg);
		}
		if (cur >= 0 && labs(cur - base) <= TOLERANCE)
			continue;
		ok = false;
		if (report)
			printf("# %s: memory.current %ld, baseline %ld\n",
			       cg, cur, base);
	}
	if (ok && worst)
		printf("# memory.current: at most %+ld bytes from its baseline (%s)\n",
		       worst, worst_cg);
	return ok;
}

/* memory.stat "dmabuf" 0 in every test cgroup and the parent. */
static bool check_dmabuf(bool report)
{
	char cg[64];
	bool ok = true;
	long v;
	int i;

	for (i = 0; i <= NR_TEST_CGS; i++) {
		test_cg(cg, sizeof(cg), i);
		if (!cg_exists(cg))
			continue;
		v = cg_dmabuf(cg);
		if (!v)
			continue;
		ok = false;
		if (report)
			printf("# %s: dmabuf %ld\n", cg, v);
	}
	return ok;
}

static bool check_dying(bool report)
{
	long v = cg_value(PARENT, "cgroup.stat", "nr_dying_descendants");

	if (report && v)
		printf("# %s: nr_dying_descendants %ld\n", PARENT, v);
	return !v;
}

/* Poll @check for up to @seconds; report what is still wrong then. */
static bool settles(bool (*check)(bool report), int seconds)
{
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (check(false))
			return true;
		usleep(100000);
	}
	return check(true);
}

static bool remove_test_cgroups(void)
{
	bool ok = true;
	char cg[64];
	int i;

	for (i = 0; i <= NR_TEST_CGS; i++) {
		test_cg(cg, sizeof(cg), i);
		if (!cg_exists(cg) || !rmdir(cg))
			continue;
		printf("# rmdir %s: %s\n", cg, strerror(errno));
		ok = false;
	}
	return ok;
}

static bool result(int n, bool ok, const char *what)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", n, what);
	return ok;
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	long allocs, pid_xfers, cg_xfers, rmdirs, refusals, start_ms;
	int seconds = 20, opt, i, passed = 0;
	bool race = true, busy;
	char what[256];

	while ((opt = getopt(argc, argv, "s:t:R")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		case 'R':
			race = false;
			break;
		default:
			fprintf(stderr, "usage: dmabuf-lifecycle [-s SEED] [-t SECONDS] [-R]\n");
			return 2;
		}
	}
	if (seconds < 1) {
		fprintf(stderr, "dmabuf-lifecycle: -t must be at least 1\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%d\n", NR_TESTS);
	printf("# dmabuf-lifecycle -s %llu -t %d%s\n",
	       (unsigned long long)seed, seconds, race ? "" : " -R");
	printf("# dma_heap.mem_accounting=%d\n", dmabuf_accounting());

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || access("/dev/dma_heap/system", R_OK) ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1) || setup()) {
		printf("Bail out! setting up %s: %s\n", PARENT, strerror(errno));
		return 1;
	}

	sh->no_rmdir_race = !race;
	for (i = 0; i < NR_ALLOCATORS; i++)
		start(ALLOCATOR, i, seed);
	start(CLIENTS, 0, seed);
	start(CHURN, 0, seed);
	if (race)
		start(RACER, 0, seed);
	collect_until(now_ms() + seconds * 1000L, false);
	atomic_store(&sh->stop, true);
	start_ms = now_ms();
	collect_until(start_ms + STOP_TIMEOUT * 1000L, true);
	kill_and_reap();
	printf("# the workers stopped in %ld ms\n", now_ms() - start_ms);
	print_counts();

	start_ms = now_ms();
	snprintf(what, sizeof(what),
		 "%d s without unexpected results (%ld) or failed workers (%d)",
		 seconds, atomic_load(&sh->unexpected), failed_workers);
	passed += result(1, !sh->unexpected && !failed_workers, what);

	allocs = op_count(OP_ALLOC_SELF, 0) + op_count(OP_ALLOC_CLIENT, 0);
	pid_xfers = op_count(OP_XFER_PID, 0);
	cg_xfers = op_count(OP_XFER_CG, 0) + op_count(OP_XFER_OLD_CG, 0) +
		   op_count(OP_RACE_XFER, 0);
	rmdirs = op_count(OP_RMDIR, 0) + op_count(OP_RACE_RMDIR, 0);
	refusals = op_count(OP_ALLOC_EXITED, ESRCH) +
		   op_count(OP_XFER_EXITED, ESRCH);
	busy = allocs && pid_xfers && cg_xfers && rmdirs && refusals &&
	       peak_dmabuf > 0;
	snprintf(what, sizeof(what),
		 "it did something: %ld allocations, %ld transfers to pidfds and %ld to cgroups, %ld rmdirs, %ld charges of exited clients refused, up to %ldK charged",
		 allocs, pid_xfers, cg_xfers, rmdirs, refusals,
		 peak_dmabuf >> 10);
	passed += result(2, busy, what);

	passed += result(3, settles(check_current, 5),
			 "every test cgroup's memory.current is back to its baseline");
	passed += result(4, settles(check_dmabuf, 3),
			 "every test cgroup's dmabuf is 0");
	passed += result(5, settles(check_dying, 10),
			 "no cgroup is left dying");
	passed += result(6, remove_test_cgroups(),
			 "every test cgroup can be removed");
	printf("# the checks took %ld ms\n", now_ms() - start_ms);
	return passed == NR_TESTS ? 0 : 1;
}
