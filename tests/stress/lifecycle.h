/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf-lifecycle: what the coordinator and its forked workers share.
 *
 * The workers run as separate processes (a kernel bug that kills one shows
 * as a worker killed by a signal) and share one anonymous MAP_SHARED page
 * of counters and client pids.
 */
#ifndef DMABUF_STRESS_LIFECYCLE_H
#define DMABUF_STRESS_LIFECYCLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define CGROOT		"/sys/fs/cgroup"
#define PARENT		CGROOT "/dmabuf-stress"
#define ALLOC_CG	PARENT "/alloc"		/* allocators and the racer */
#define MGR_CG		PARENT "/mgr"		/* client manager and churner */
#define RACE_CG		PARENT "/race"		/* mkdir/rmdir as fast as can be */
#define NR_POOL		8	/* PARENT/cgN: created, removed, limited */
#define NR_CLIENTS	6
#define NR_ALLOCATORS	3

/* Every operation the workers count, with the errnos it may return. */
enum op {
	OP_ALLOC_SELF,		/* charge_pid_fd = 0 */
	OP_ALLOC_CLIENT,	/* charge_pid_fd = pidfd of a client */
	OP_ALLOC_EXITED,	/* ... of a client known to have exited */
	OP_CLOSE,
	OP_PIDFD_OPEN,
	OP_XFER_PID,
	OP_XFER_EXITED,
	OP_OPEN_CG,
	OP_XFER_CG,		/* to a cgroup dir just opened */
	OP_XFER_OLD_CG,		/* to a dir fd opened a while ago */
	OP_XFER_ROOT,		/* to the root cgroup */
	OP_MKDIR,
	OP_RMDIR,
	OP_SET_MAX,
	OP_SET_HIGH,
	OP_FORK,
	OP_MOVE,		/* a client to another cgroup */
	OP_KILL,
	OP_CLIENT_EXIT,		/* a client exited by itself */
	OP_CLIENT_OOM,		/* a client died of SIGKILL we did not send */
	OP_RACE_MKDIR,
	OP_RACE_RMDIR,
	OP_RACE_OPEN,
	OP_RACE_XFER,
	NR_OPS
};

/* The results counted: success, the errnos below, anything else. */
#define NR_RESULTS	11
#define RES_OTHER	(NR_RESULTS - 1)

struct shared {
	atomic_bool stop;
	bool no_rmdir_race;	/* -R: no transfers to pool cgroups */
	atomic_int client_pid[NR_CLIENTS];	/* 0: no live client */
	atomic_long count[NR_OPS][NR_RESULTS];
	atomic_long unexpected;
};

extern struct shared *sh;

/* splitmix64: small, seedable and the same everywhere. */
static inline uint64_t rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t below(uint64_t *state, uint64_t n)
{
	return rnd(state) % n;
}

static inline bool stopping(void)
{
	return atomic_load_explicit(&sh->stop, memory_order_relaxed);
}

/* counters.c */
void tally(enum op op, int err);
long op_count(enum op op, int err);
void print_counts(void);
int put_file(const char *path, const char *text);
long get_value(const char *path, const char *key);
void pool_path(char *buf, size_t size, int i);

/* workers: each runs until sh->stop, then cleans up and returns */
void run_allocator(int id, uint64_t seed);
void run_clients(uint64_t seed);
void run_churn(uint64_t seed);
void run_racer(uint64_t seed);

#endif
