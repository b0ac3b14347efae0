/* SPDX-License-Identifier: GPL-2.0 */
/* dmabuf-allocd's guest test: what its files share. */
#ifndef ALLOCD_TEST_H
#define ALLOCD_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dmabuf-allocd.h"

#define CGROOT "/sys/fs/cgroup/allocd-test"
#define CGNAME "/allocd-test"		/* as /proc/PID/cgroup shows it */
#define RUNDIR "/tmp/allocd-test"
/*
 * The programs under test: /usr/bin's, or those the environment names
 * (DMABUF_ALLOCD_BIN, DMABUF_ALLOCD_MIDDLE_BIN), to try a changed build.
 */
extern char *allocd_bin, *middle_bin;
#define ALLOCD allocd_bin
#define MIDDLE middle_bin
#define HEAP "system"
#define MiB (1024 * 1024)

/* TAP: check(), diag(), ARRAY_SIZE, tap_done() */
#include "../common/tap.h"

/* As the kernel spells the attribute */
#define __printf(fmt, args)	tap_printf(fmt, args)

/* --- cgroups (allocd-test.c) --- */
/* Make CGROOT/@name (with +memory for its children if @parent). */
int cg_make(const char *name, bool parent);
/* The inode number of CGROOT/@name: its cgroup id. */
uint64_t cg_id(const char *name);
/* Poll up to 3 s until CGROOT/@name's dmabuf is @bytes; diag if not. */
bool cg_dmabuf_is(const char *name, long bytes);
/* Move the calling process into CGROOT/@name: 0 or -1. */
int cg_enter(const char *name);

/* --- daemons (allocd-test.c) --- */
struct daemon {
	pid_t pid;
	char sock[108];
	char log[128];
};

/*
 * Start @prog (ALLOCD or MIDDLE) in cgroup @cgroup with the arguments that
 * follow (NULL-terminated), its stderr in RUNDIR/@name.log; for ALLOCD
 * "--socket RUNDIR/@name.sock" comes first. Waits until the socket takes
 * connections: 0, or -1 if the program exited (its status in @status).
 */
int daemon_start(struct daemon *d, const char *prog, const char *name,
		 const char *cgroup, int *status, ...);
/*
 * The same with the arguments in @argv (argv[0] the program), and with
 * @listen_fd, if not -1, passed the way systemd does (fd 3, LISTEN_PID,
 * LISTEN_FDS) instead of a --socket option; d->sock must be set first.
 */
int daemon_exec(struct daemon *d, const char *name, const char *cgroup,
		int listen_fd, char *const argv[], int *status);
/* SIGTERM, then its exit status (as waitpid's), or -1. */
int daemon_stop(struct daemon *d);
/*
 * Whether the daemon's log has a line with every one of the strings
 * (NULL-terminated), within 3 s.
 */
bool log_has(const struct daemon *d, ...);
/* The number of fds the process has open. */
int count_fds(pid_t pid);
/* A connection to @path, or -1. */
int connect_to(const char *path);

/* --- clients (allocd-test-client.c) --- */
/* What a client is told to do. */
enum {
	OP_RAW,		/* a request in the wire format, the reply kept */
	OP_LIB,		/* dmaheap_allocd_alloc() */
	OP_CLOSE_ALL,	/* close every buffer held */
};

/* The target of a forward (struct order.for_pid), besides a pid. */
#define FOR_NONE	0
#define FOR_EXITED	(-1)	/* the pidfd of a process reaped */
#define FOR_NOT_PIDFD	(-2)	/* /dev/null */

struct order {
	int op;
	char sock[108];
	char heap[DMABUF_ALLOCD_HEAP_LEN];
	char name[DMABUF_ALLOCD_NAME_LEN];
	uint64_t len;
	pid_t for_pid;		/* or FOR_* */
};

struct outcome {
	int status;		/* the reply's, or a negative errno */
	uint64_t len;		/* the reply's */
	uint64_t cgroup_id;	/* the reply's */
	uint64_t info_cgroup_id;	/* the buffer's fdinfo */
	char info_name[DMABUF_ALLOCD_NAME_LEN];
};

struct client {
	pid_t pid;
	int ctl;		/* our end of its control socket */
};

/* Start a client in cgroup @cgroup, as @uid (0: root): 0 or -1. */
int client_start(struct client *c, const char *cgroup, uid_t uid);
/* Have it do @o; its outcome in @out (status -ETIMEDOUT if none came). */
void client_do(struct client *c, const struct order *o, struct outcome *out);
/* Convenience: an allocation of @len on @sock, on behalf of @for_pid. */
int client_alloc(struct client *c, int op, const char *sock, uint64_t len,
		 const char *name, pid_t for_pid, struct outcome *out);
/* Stop it (its buffers go with it). */
void client_stop(struct client *c);

/* --- the parts of the test --- */
void test_flood(struct daemon *d);		/* allocd-test-flood.c */
void test_privileges(void);			/* allocd-test-priv.c */
void test_startup(struct daemon *d);		/* allocd-test-start.c */

#endif
