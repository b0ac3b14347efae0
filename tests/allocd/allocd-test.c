// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-allocd-test: dmabuf-allocd end to end in the VM (TAP).
 *
 * The daemon runs in a cgroup of its own below CGROOT, its clients in
 * others, as other uids. Each buffer must be charged to the client that
 * asked (memory.stat "dmabuf"; the reply's cgroup_id is the cgroup
 * directory's inode number), never to the daemon; through the middle
 * process (the double hop) to the end client, never to the middle; a
 * forward from a peer the daemon does not trust is refused with -EPERM and
 * charges nothing; a client over its memory.max gets -ENOMEM. Then a flood
 * of hostile clients (allocd-test-flood.c), the daemon's startup
 * (allocd-test-start.c) and its two unprivileged setups
 * (allocd-test-priv.c). Needs dma_heap.mem_accounting=1: without it,
 * "1..0 # SKIP accounting off" and exit 4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cgroup.h"
#include "allocd-test.h"

char *allocd_bin = "/usr/bin/dmabuf-allocd";
char *middle_bin = "/usr/bin/dmabuf-allocd-middle";

/* --- cgroups ----------------------------------------------------------------- */

int cg_make(const char *name, bool parent)
{
	char path[256];

	snprintf(path, sizeof(path), CGROOT "/%s", name);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -1;
	if (!parent)
		return 0;
	strcat(path, "/cgroup.subtree_control");
	return cg_write_file(path, "+memory") ? -1 : 0;
}

uint64_t cg_id(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), CGROOT "/%s", name);
	return stat(path, &st) ? 0 : st.st_ino;
}

bool cg_dmabuf_is(const char *name, long bytes)
{
	char path[256];

	snprintf(path, sizeof(path), CGROOT "/%s", name);
	/* memory.stat is flushed lazily; a last close uncharges a bit later. */
	if (cg_dmabuf_settles(path, bytes))
		return true;
	diag("%s: dmabuf %ld, expected %ld", name, cg_dmabuf(path), bytes);
	return false;
}

int cg_enter(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), CGROOT "/%s/cgroup.procs", name);
	return cg_write_file(path, "0") ? -1 : 0;
}

/* --- daemons ------------------------------------------------------------------ */

int connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (sock >= 0 && connect(sock, (struct sockaddr *)&addr, sizeof(addr))) {
		close(sock);
		return -1;
	}
	return sock;
}

int daemon_exec(struct daemon *d, const char *name, const char *cgroup,
		int listen_fd, char *const argv[], int *status)
{
	char num[16];
	int fd, i;

	snprintf(d->log, sizeof(d->log), RUNDIR "/%s.log", name);
	fflush(stdout);
	d->pid = fork();
	if (d->pid == 0) {
		fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0 || cg_enter(cgroup))
			_exit(126);
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(fd, 0);
		dup2(fd, 1);
		if (listen_fd >= 0) {
			/* As systemd does it: fd 3, for this very process. */
			if (listen_fd == 3)
				fcntl(3, F_SETFD, 0);
			else if (dup2(listen_fd, 3) < 0)
				_exit(126);
			snprintf(num, sizeof(num), "%d", (int)getpid());
			setenv("LISTEN_PID", num, 1);
			setenv("LISTEN_FDS", "1", 1);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	/* Up to 10 s (an emulated CPU, a debug kernel) for the socket. */
	for (i = 0; i < 1000; i++) {
		if (waitpid(d->pid, status, WNOHANG) == d->pid) {
			d->pid = 0;
			return -1;
		}
		fd = connect_to(d->sock);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		usleep(10000);
	}
	return -1;
}

int daemon_start(struct daemon *d, const char *prog, const char *name,
		 const char *cgroup, int *status, ...)
{
	char *argv[40] = { (char *)prog }, *a;
	int argc = 1;
	va_list ap;

	snprintf(d->sock, sizeof(d->sock), RUNDIR "/%s.sock", name);
	argv[argc++] = strcmp(prog, MIDDLE) ? "--socket" : "--listen";
	argv[argc++] = d->sock;
	va_start(ap, status);
	while ((a = va_arg(ap, char *)) && argc < 39)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return daemon_exec(d, name, cgroup, -1, argv, status);
}

int daemon_stop(struct daemon *d)
{
	int status;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	if (waitpid(d->pid, &status, 0) != d->pid)
		status = -1;
	d->pid = 0;
	return status;
}

/* Whether the log has a line with every string of @ap, now. */
static bool log_has_now(const struct daemon *d, va_list ap)
{
	char line[4096], *s;
	bool all = false;
	va_list each;
	FILE *f = fopen(d->log, "re");

	while (f && !all && fgets(line, sizeof(line), f)) {
		all = true;
		va_copy(each, ap);
		while (all && (s = va_arg(each, char *)))
			all = strstr(line, s);
		va_end(each);
	}
	if (f)
		fclose(f);
	return all;
}

bool log_has(const struct daemon *d, ...)
{
	bool found = false;
	va_list ap;
	int i;

	/* The daemon may be a little behind its socket (startup lines). */
	for (i = 0; i < 300 && !found; i++) {
		if (i)
			usleep(10000);
		va_start(ap, d);
		found = log_has_now(d, ap);
		va_end(ap);
	}
	return found;
}

int count_fds(pid_t pid)
{
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	while (dir && (e = readdir(dir)))
		n += e->d_name[0] != '.';
	if (dir)
		closedir(dir);
	return dir ? n : -1;
}

/* --- the cases ------------------------------------------------------------- */

/* Clients in a and b get buffers charged to themselves, not the daemon. */
static void test_own_cgroups(struct daemon *d, struct client *a,
			     struct client *b)
{
	char who[128], what[128];
	struct outcome out;
	int ret;

	ret = client_alloc(a, OP_RAW, d->sock, 4 * MiB, "frame-a", FOR_NONE,
			   &out);
	check(ret >= 0 && out.len == 4 * MiB && out.cgroup_id == cg_id("a") &&
	      out.info_cgroup_id == cg_id("a") &&
	      !strcmp(out.info_name, "frame-a"),
	      "a client in a gets 4 MiB, the reply's cgroup_id is a's inode (%llu), named",
	      (unsigned long long)cg_id("a"));
	ret = client_alloc(b, OP_LIB, d->sock, 2 * MiB, "", FOR_NONE, &out);
	check(ret >= 0 && out.info_cgroup_id == cg_id("b") && !out.info_name[0],
	      "a client in b gets 2 MiB through dmaheap_allocd_alloc(), unnamed");
	check(cg_dmabuf_is("a", 4 * MiB) && cg_dmabuf_is("b", 2 * MiB) &&
	      cg_dmabuf_is("daemon", 0),
	      "memory.stat: a pays 4 MiB, b 2 MiB, the daemon nothing");
	snprintf(who, sizeof(who), "alloc pid=%d uid=1000 cgroup=\"%s/a\" for=self ",
		 (int)a->pid, CGNAME);
	snprintf(what, sizeof(what), " result=ok charged=\"%s/a\" charged_id=%llu\n",
		 CGNAME, (unsigned long long)cg_id("a"));
	check(log_has(d, who, "for=self heap=\"system\" size=4194304 name=\"frame-a\" result",
		      what, NULL), "the log says who asked and who paid");
	client_do(a, &(struct order){ .op = OP_CLOSE_ALL }, &out);
	client_do(b, &(struct order){ .op = OP_CLOSE_ALL }, &out);
	check(cg_dmabuf_is("a", 0) && cg_dmabuf_is("b", 0),
	      "once the clients close them, nobody pays");
}

/* Through the middle, the end client pays; not the middle. */
static void test_double_hop(struct daemon *d)
{
	struct daemon middle = { 0 };
	struct client app = { 0 };
	struct outcome out;
	char text[128];
	int status = 0, ret, idle;

	if (daemon_start(&middle, MIDDLE, "middle", "middle", &status,
			 "--allocd", d->sock, NULL) ||
	    client_start(&app, "app", 1000)) {
		check(false, "start the middle (status %#x) and the app", status);
		return;
	}
	/* A client of the middle that never asks must not hold up others. */
	idle = connect_to(middle.sock);
	ret = client_alloc(&app, OP_RAW, middle.sock, 3 * MiB, "hop", FOR_NONE,
			   &out);
	check(idle >= 0 && ret >= 0 && out.cgroup_id == cg_id("app") &&
	      out.info_cgroup_id == cg_id("app") && !strcmp(out.info_name, "hop"),
	      "double hop: the app's buffer, through the middle, is charged to the app, while another client of the middle is idle (%d)",
	      ret);
	ret = client_alloc(&app, OP_LIB, middle.sock, 1 * MiB, "", FOR_NONE,
			   &out);
	check(ret >= 0 && out.info_cgroup_id == cg_id("app"),
	      "double hop with dmaheap_allocd_alloc() on the app's side");
	check(cg_dmabuf_is("app", 4 * MiB) && cg_dmabuf_is("middle", 0) &&
	      cg_dmabuf_is("daemon", 0),
	      "memory.stat: the app pays 4 MiB, the middle and the daemon nothing");
	snprintf(text, sizeof(text), " for=%d for_cgroup=\"" CGNAME "/app\"",
		 (int)app.pid);
	check(log_has(d, "cgroup=\"" CGNAME "/middle\"", text, "result=ok",
		      "charged=\"" CGNAME "/app\"", NULL),
	      "the log names the middle, the app it asked for, and the app as the payer");
	client_stop(&app);
	if (idle >= 0)
		close(idle);
	check(cg_dmabuf_is("app", 0), "the app gone, nobody pays");
	check(daemon_stop(&middle) >= 0, "the middle stops");
}

/* A daemon whose forwards may charge b's cgroup, whoever is in it. */
static void test_forward_to(struct client *a, struct client *b,
			    struct client *trusted)
{
	struct daemon fwd = { 0 };
	struct outcome out;
	int status = 0, ret;

	if (!check(!daemon_start(&fwd, ALLOCD, "fwd", "daemon", &status,
				 "--allow-forward-uid", "2000",
				 "--forward-to-cgroup", CGNAME "/b", NULL),
		   "--forward-to-cgroup " CGNAME "/b: starts (status %#x)",
		   status))
		return;
	ret = client_alloc(trusted, OP_LIB, fwd.sock, 1 * MiB, "", b->pid,
			   &out);
	check(ret >= 0 && out.info_cgroup_id == cg_id("b") &&
	      cg_dmabuf_is("b", 1 * MiB),
	      "--forward-to-cgroup: a forward for another uid's process in b charges b");
	ret = client_alloc(trusted, OP_RAW, fwd.sock, 1 * MiB, "", a->pid,
			   &out);
	check(ret == -EPERM && cg_dmabuf_is("a", 0) &&
	      log_has(&fwd, "reason=\"the target is not in a cgroup of --forward-to-cgroup\"",
		      NULL),
	      "--forward-to-cgroup: one for a process outside it: -EPERM, nothing charged (%d)",
	      ret);
	client_do(trusted, &(struct order){ .op = OP_CLOSE_ALL }, &out);
	check(cg_dmabuf_is("b", 0), "--forward-to-cgroup: nobody pays afterwards");
	status = daemon_stop(&fwd);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "--forward-to-cgroup: SIGTERM, exit 0");
}

/* Forwarding: who may, who may not, and what they may forward. */
static void test_forward(struct daemon *d, struct client *a, struct client *b)
{
	struct client trusted = { 0 }, mate = { 0 }, root = { 0 };
	struct outcome out;
	char text[128];
	int ret;

	ret = client_alloc(a, OP_RAW, d->sock, 1 * MiB, "", b->pid, &out);
	check(ret == -EPERM, "a forward from a peer not trusted: -EPERM (%d)",
	      ret);
	check(cg_dmabuf_is("a", 0) && cg_dmabuf_is("b", 0) &&
	      cg_dmabuf_is("daemon", 0), "and nobody pays");
	snprintf(text, sizeof(text), "alloc pid=%d uid=1000 ", (int)a->pid);
	check(log_has(d, text, "result=EPERM", "reason=\"this peer may not",
		      NULL), "the refusal is logged with its reason");

	/* A uid the command line trusts, in a cgroup it does not. */
	if (client_start(&trusted, "a", 2000) ||
	    client_start(&mate, "b", 2000) || client_start(&root, "middle", 0)) {
		check(false, "start clients of uid 2000 in a and b, of uid 0 in middle");
		goto out;
	}
	ret = client_alloc(&trusted, OP_LIB, d->sock, 1 * MiB, "", mate.pid,
			   &out);
	check(ret >= 0 && out.info_cgroup_id == cg_id("b") &&
	      cg_dmabuf_is("b", 1 * MiB) && cg_dmabuf_is("a", 0),
	      "a forward from --allow-forward-uid 2000 for a process of its uid in b charges b, not the peer");
	ret = client_alloc(&trusted, OP_RAW, d->sock, 1 * MiB, "", b->pid,
			   &out);
	check(ret == -EPERM && cg_dmabuf_is("b", 1 * MiB) &&
	      log_has(d, "result=EPERM reason=\"the target is another uid's process",
		      NULL),
	      "for a process of another uid (no --forward-to-cgroup): -EPERM, nothing charged (%d)",
	      ret);
	/* Root may forward for anyone, but not for the daemon, nor above it. */
	ret = client_alloc(&root, OP_RAW, d->sock, 1 * MiB, "", d->pid, &out);
	snprintf(text, sizeof(text), " for=%d for_cgroup=\"" CGNAME "/daemon\" ",
		 (int)d->pid);
	check(ret == -EPERM && cg_dmabuf_is("daemon", 0) &&
	      log_has(d, text, "result=EPERM reason=\"the target ", NULL),
	      "from root, for the daemon itself: -EPERM, nothing charged, logged (%d)",
	      ret);
	ret = client_alloc(&root, OP_RAW, d->sock, 1 * MiB, "", 1, &out);
	check(ret == -EPERM && log_has(d, " for=1 for_cgroup=\"/\" ",
				       "reason=\"the target is in the daemon's cgroup or one above it\"",
				       NULL),
	      "from root, for PID 1, in the root cgroup above the daemon's: -EPERM, logged (%d)",
	      ret);
	ret = client_alloc(&trusted, OP_RAW, d->sock, 1 * MiB, "", FOR_EXITED,
			   &out);
	check(ret == -ESRCH, "forwarding the pidfd of a process reaped: -ESRCH (%d)",
	      ret);
	ret = client_alloc(&trusted, OP_RAW, d->sock, 1 * MiB, "",
			   FOR_NOT_PIDFD, &out);
	check(ret == -EBADF && log_has(d, "for=badfd", "result=EBADF", NULL),
	      "forwarding an fd that is no pidfd: -EBADF (%d)", ret);
	client_do(&trusted, &(struct order){ .op = OP_CLOSE_ALL }, &out);
	check(cg_dmabuf_is("a", 0) && cg_dmabuf_is("b", 0) &&
	      cg_dmabuf_is("daemon", 0), "nobody pays for the refused ones");
	test_forward_to(a, b, &trusted);
out:
	client_stop(&root);
	client_stop(&mate);
	client_stop(&trusted);
}

/* --max-size, an unknown heap, and the client's own memory.max. */
static void test_limits(struct daemon *d)
{
	struct client small = { 0 };
	struct outcome out;
	struct order o = { .op = OP_RAW, .len = MiB };
	int ret;

	if (cg_write_file(CGROOT "/small/memory.max", "8388608") ||
	    client_start(&small, "small", 1001)) {
		check(false, "a client in a cgroup of memory.max 8 MiB");
		return;
	}
	ret = client_alloc(&small, OP_RAW, d->sock, 16 * MiB, "", FOR_NONE,
			   &out);
	check(ret == -ENOMEM && log_has(d, "result=ENOMEM", NULL),
	      "16 MiB for a cgroup of memory.max 8 MiB: -ENOMEM (%d), logged", ret);
	check(cg_dmabuf_is("small", 0) && cg_dmabuf_is("daemon", 0),
	      "nothing charged, to the client or the daemon");
	ret = client_alloc(&small, OP_RAW, d->sock, 65 * MiB, "", FOR_NONE,
			   &out);
	check(ret == -EFBIG, "over --max-size 64M: -EFBIG (%d)", ret);
	snprintf(o.sock, sizeof(o.sock), "%s", d->sock);
	snprintf(o.heap, sizeof(o.heap), "no-such-heap");
	client_do(&small, &o, &out);
	check(out.status == -ENOENT, "an unknown heap: -ENOENT (%d)", out.status);
	ret = client_alloc(&small, OP_LIB, d->sock, 4 * MiB, "", FOR_NONE,
			   &out);
	check(ret >= 0 && cg_dmabuf_is("small", 4 * MiB),
	      "4 MiB fits under its memory.max");
	client_stop(&small);
	check(cg_dmabuf_is("small", 0), "and goes with the client");
}

static const char * const groups[] = {
	"daemon", "a", "b", "middle", "app", "small", "hostile",
};

int main(void)
{
	struct client a = { 0 }, b = { 0 };
	struct daemon d = { 0 };
	char path[256];
	unsigned int i;
	bool removed = true;
	int status = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (getenv("DMABUF_ALLOCD_BIN"))
		allocd_bin = getenv("DMABUF_ALLOCD_BIN");
	if (getenv("DMABUF_ALLOCD_MIDDLE_BIN"))
		middle_bin = getenv("DMABUF_ALLOCD_MIDDLE_BIN");
	if (!dmabuf_accounting()) {
		printf("1..0 # SKIP accounting off\n");
		return 4;
	}
	mkdir(RUNDIR, 0755);
	if ((mkdir(CGROOT, 0755) && errno != EEXIST) ||
	    cg_write_file(CGROOT "/cgroup.subtree_control", "+memory")) {
		printf("not ok 1 - set up " CGROOT "\n1..1\n");
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		cg_make(groups[i], false);

	if (!check(!daemon_start(&d, ALLOCD, "allocd", "daemon", &status,
				 "--max-size", "64M", "--max-clients", "32",
				 "--max-clients-per-uid", "32",
				 "--max-outstanding", "4",
				 "--allow-forward-cgroup", CGNAME "/middle",
				 "--allow-forward-uid", "2000", NULL),
		   "dmabuf-allocd starts (status %#x)", status)) {
		tap_done();
		return 1;
	}
	check(log_has(&d, "listening on " RUNDIR "/allocd.sock",
		      "privileges: uid 0 gid 0", "CAP_SYS_RESOURCE, may charge any",
		      NULL), "it logs its socket and privileges at startup");
	if (client_start(&a, "a", 1000) || client_start(&b, "b", 1001)) {
		check(false, "start clients in a and b");
	} else {
		test_own_cgroups(&d, &a, &b);
		test_double_hop(&d);
		test_forward(&d, &a, &b);
		test_limits(&d);
		test_flood(&d);
	}
	client_stop(&a);
	client_stop(&b);
	test_startup(&d);
	status = daemon_stop(&d);
	check(WIFEXITED(status) && !WEXITSTATUS(status) &&
	      log_has(&d, "Terminated: exiting", NULL),
	      "SIGTERM: it exits 0 (status %#x), and says so", status);
	check(access(d.sock, F_OK) && errno == ENOENT,
	      "and removes its socket");
	test_privileges();

	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		check(cg_dmabuf_is(groups[i], 0), "%s pays nothing at the end",
		      groups[i]);
		snprintf(path, sizeof(path), CGROOT "/%s", groups[i]);
		removed &= !rmdir(path);
	}
	removed &= !rmdir(CGROOT);
	check(removed, "every cgroup can be removed afterwards");
	return tap_done();
}
