// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-lifecycle: the client manager. It keeps NR_CLIENTS client
 * processes alive, each living a random while (or until killed), moves them
 * between the test cgroups, and replaces those that end. The allocators
 * read the clients' pids from the shared page and charge them through
 * pidfds, which stay open after the client has gone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifecycle.h"

static struct {
	pid_t pid;
	bool killed;	/* by us: its SIGKILL is no OOM kill */
} clients[NR_CLIENTS];

static void move_client(uint64_t *rng, pid_t pid)
{
	int i = below(rng, NR_POOL + 1);
	char path[80], text[16];

	if (i < NR_POOL)
		snprintf(path, sizeof(path), PARENT "/cg%d/cgroup.procs", i);
	else
		snprintf(path, sizeof(path), MGR_CG "/cgroup.procs");
	snprintf(text, sizeof(text), "%d", pid);
	tally(OP_MOVE, put_file(path, text));
}

static void spawn(uint64_t *rng, int j)
{
	unsigned long lifetime = 10000 + below(rng, 2000000);
	pid_t manager = getpid(), pid;

	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == manager)
			usleep(lifetime);
		_exit(0);
	}
	tally(OP_FORK, pid < 0 ? errno : 0);
	if (pid < 0)
		return;
	clients[j].pid = pid;
	clients[j].killed = false;
	atomic_store(&sh->client_pid[j], pid);
	move_client(rng, pid);
}

static void client_ended(int j, pid_t pid, int status)
{
	if (WIFEXITED(status) && !WEXITSTATUS(status)) {
		tally(OP_CLIENT_EXIT, 0);
		return;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		/* Not ours: the memcg OOM killer's, in a full cgroup. */
		if (j >= NR_CLIENTS || !clients[j].killed)
			tally(OP_CLIENT_OOM, 0);
		return;
	}
	atomic_fetch_add(&sh->unexpected, 1);
	if (WIFSIGNALED(status))
		printf("# client %d killed by signal %d (%s)\n", pid,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		printf("# client %d ended with status %#x\n", pid, status);
}

/*
 * Reap the clients that have ended. Each one's pid is unpublished before
 * it is reaped, so an allocator never opens a pidfd of a reused pid.
 */
static void reap(bool wait_all)
{
	int j, status;
	siginfo_t si;

	for (;;) {
		si.si_pid = 0;
		if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT |
			   (wait_all ? 0 : WNOHANG)) || !si.si_pid)
			return;
		for (j = 0; j < NR_CLIENTS; j++)
			if (clients[j].pid == si.si_pid)
				break;
		if (j < NR_CLIENTS)
			atomic_store(&sh->client_pid[j], 0);
		if (waitpid(si.si_pid, &status, 0) != si.si_pid)
			return;
		client_ended(j, si.si_pid, status);
		if (j < NR_CLIENTS)
			clients[j].pid = 0;
	}
}

static void kill_client(int j)
{
	int err;

	if (!clients[j].pid)
		return;
	err = kill(clients[j].pid, SIGKILL) ? errno : 0;
	tally(OP_KILL, err);
	if (!err)
		clients[j].killed = true;
}

void run_clients(uint64_t seed)
{
	uint64_t rng = seed ^ 0xc11e475ULL;
	int j;

	while (!stopping()) {
		reap(false);
		for (j = 0; j < NR_CLIENTS; j++)
			if (!clients[j].pid)
				spawn(&rng, j);
		j = below(&rng, NR_CLIENTS);
		switch (below(&rng, 8)) {
		case 0 ... 3:
			if (clients[j].pid)
				move_client(&rng, clients[j].pid);
			break;
		case 4:
			kill_client(j);
			break;
		default:
			break;
		}
		usleep(below(&rng, 5000));
	}
	for (j = 0; j < NR_CLIENTS; j++)
		kill_client(j);
	reap(true);
}
