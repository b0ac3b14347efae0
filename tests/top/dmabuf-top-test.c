// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top-test: dmabuf-top's view of a known scenario, field by field in
 * its JSON. An allocator (this process) and two clients in three cgroups
 * below /top_test; one buffer is shared by both clients. TAP.
 *
 *   1. The allocator allocates for the clients without charge_pid_fd and
 *      hands the buffers over: it pays for buffers it does not hold, and
 *      both are "charged elsewhere".
 *   2. Client A takes the shared buffer's charge into its own cgroup
 *      (DMA_BUF_IOCTL_XFER_CHARGE), and the allocator allocates a buffer
 *      for B with charge_pid_fd: those two are no longer charged elsewhere.
 *   3. B maps its buffer and closes the fd: it holds it through the mapping.
 *   4. A user without privileges sees the charges, no buffer, and is told
 *      what it could not read.
 * Then the table, the refresh (-d, -n), bad usage and a missing cgroup root.
 * In every step each cgroup's charged, held and proportional bytes are
 * checked, and the proportional shares add up to the buffers' sizes.
 * Needs dma_heap.mem_accounting=1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cgroup.h"
#include "../common/fdpass.h"
#include "../common/json.h"
#include "../common/tap.h"

#define CGROOT "/sys/fs/cgroup"
#define TOP "/top_test"
#define MiB (1024LL * 1024)

static int last_status;	/* of the last run_top() */

/* Why the current check fails, as a "# " line; false. */
#define why(...) (diag(__VA_ARGS__), false)

/* --- the clients: hold what they are sent, act on commands --- */

struct client {
	const char *name;	/* also its comm and its cgroup's name */
	pid_t pid;
	int sock;
};

enum { CMD_HOLD = 'h', CMD_XFER_TO_SELF = 'x', CMD_MAP_AND_CLOSE = 'm' };

static int send_cmd(struct client *c, char cmd, int idx, int fd)
{
	char msg[2] = { cmd, (char)idx };
	int err;

	if (fdpass_send(c->sock, msg, sizeof(msg), fd) ||
	    recv(c->sock, &err, sizeof(err), 0) != sizeof(err))
		return -EIO;
	return -err;
}

static int xfer_to_self(int buf)
{
	struct dma_buf_xfer_charge arg = { 0 };
	int pidfd = syscall(SYS_pidfd_open, getpid(), 0), ret;

	if (pidfd < 0)
		return errno;
	arg.target_fd = pidfd;
	ret = ioctl(buf, DMA_BUF_IOCTL_XFER_CHARGE, &arg) ? errno : 0;
	close(pidfd);
	return ret;
}

static void client_main(int sock, const char *name)
{
	int held[16], n = 0, fd, err;
	char msg[2];

	prctl(PR_SET_NAME, name);
	for (;;) {
		if (fdpass_recv(sock, msg, sizeof(msg), &fd))
			_exit(0);
		err = 0;
		if (msg[0] == CMD_HOLD && fd >= 0 && n < 16)
			held[n++] = fd;
		else if (msg[0] == CMD_XFER_TO_SELF && msg[1] < n)
			err = xfer_to_self(held[(int)msg[1]]);
		else if (msg[0] == CMD_MAP_AND_CLOSE && msg[1] < n)
			err = mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   held[(int)msg[1]], 0) == MAP_FAILED ? errno :
			      close(held[(int)msg[1]]);
		else
			err = EINVAL;
		if (send(sock, &err, sizeof(err), 0) != sizeof(err))
			_exit(1);
	}
}

static int client_start(struct client *c)
{
	char path[256];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	snprintf(path, sizeof(path), CGROOT TOP "/%s", c->name);
	if (mkdir(path, 0755))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (!c->pid) {
		close(sv[0]);
		strcat(path, "/cgroup.procs");
		if (cg_write_file(path, "0"))
			_exit(1);
		client_main(sv[1], c->name);
	}
	close(sv[1]);
	c->sock = sv[0];
	return 0;
}

static void client_stop(struct client *c)
{
	if (c->pid <= 0)
		return;
	/* Not just close: the other client inherited this end too. */
	shutdown(c->sock, SHUT_RDWR);
	close(c->sock);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

/* --- the allocator --- */

static int alloc(size_t len, int pidfd, const char *name)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.charge_pid_fd = pidfd,
	};
	int heap, ret;

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return -errno;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) ? -errno : (int)data.fd;
	close(heap);
	if (ret >= 0 && ioctl(ret, DMA_BUF_SET_NAME_B, name)) {
		close(ret);
		ret = -errno;
	}
	return ret;
}

/* Allocate, hand over to the clients, close: the allocator holds nothing. */
static bool give(const char *name, size_t len, int pidfd, struct client *to1,
		 struct client *to2)
{
	int fd = alloc(len, pidfd, name);
	bool ok;

	if (fd < 0)
		return why("allocating %s: %s", name, strerror(-fd));
	ok = !send_cmd(to1, CMD_HOLD, 0, fd) &&
	     (!to2 || !send_cmd(to2, CMD_HOLD, 0, fd));
	close(fd);
	return ok || why("handing %s over", name);
}

/* --- dmabuf-top's output --- */

/*
 * Run dmabuf-top with the arguments that follow, up to a NULL (as @uid if
 * not 0); its stdout, its stderr in @err, its exit status in last_status.
 */
static char *run_top(uid_t uid, char *err, size_t errlen, ...)
{
	char *argv[16] = { "dmabuf-top" };
	va_list ap;
	int argc = 1;
	int out[2], errp[2];
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	ssize_t n;
	pid_t pid;

	va_start(ap, errlen);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	if (!buf || pipe2(out, O_CLOEXEC) || pipe2(errp, O_CLOEXEC))
		return NULL;
	pid = fork();
	if (!pid) {
		dup2(out[1], 1);
		dup2(errp[1], 2);
		if (uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
			    setresuid(uid, uid, uid)))
			_exit(125);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(errp[1]);
	while ((n = read(out[0], buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				break;
			buf = b;
		}
	}
	buf[len] = 0;
	n = read(errp[0], err, errlen - 1);
	err[n > 0 ? n : 0] = 0;
	close(out[0]);
	close(errp[0]);
	waitpid(pid, &last_status, 0);
	last_status = WIFEXITED(last_status) ? WEXITSTATUS(last_status) : -1;
	return buf;
}

static struct json *top_json(uid_t uid, char *err, size_t errlen)
{
	char perr[256];
	struct json *j;
	char *out;

	out = run_top(uid, err, errlen, "--json", "-c", TOP, NULL);
	if (!out)
		return NULL;
	j = json_parse(out, perr, sizeof(perr));
	if (!j)
		diag("not JSON (%s):\n%s", perr, out);
	free(out);
	return j;
}

/* An integer or boolean member's value; -1 if there is none. */
static long long num(const struct json *j)
{
	return j && (j->type == JSON_INT || j->type == JSON_BOOL) ? j->num : -1;
}

static const struct json *find(const struct json *arr, const char *key,
			       const char *val)
{
	int i;

	for (i = 0; arr && arr->type == JSON_ARRAY && i < arr->n; i++)
		if (json_str(json_get(&arr->items[i], key)) &&
		    !strcmp(json_str(json_get(&arr->items[i], key)), val))
			return &arr->items[i];
	return NULL;
}

static long long ino_of(const char *cg)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), CGROOT "%s", cg);
	return stat(path, &st) ? -1 : (long long)st.st_ino;
}

/* A cgroup's line: charged, held, proportional (in MiB) */
static bool cgroup_is(const struct json *top, const char *path,
		      long long charged, long long held, long long prop)
{
	const struct json *c = find(json_get(top, "cgroups"), "path", path);

	if (!c)
		return why("no cgroup %s", path);
	if (!json_is_int(json_get(c, "id"), ino_of(path)) ||
	    !json_is_int(json_get(c, "charged"), charged * MiB) ||
	    !json_is_int(json_get(c, "held"), held * MiB) ||
	    !json_is_int(json_get(c, "charged_minus_held"), (charged - held) * MiB) ||
	    !json_is_int(json_get(c, "proportional"), prop * MiB))
		return why("%s: charged %lld held %lld %s %lld %s %lld, %s %lld %lld %lld %lld MiB",
			   path, num(json_get(c, "charged")) / MiB,
			   num(json_get(c, "held")) / MiB, "charged_minus_held",
			   num(json_get(c, "charged_minus_held")) / MiB,
			   "proportional", num(json_get(c, "proportional")) / MiB,
			   "expected", charged, held, charged - held, prop);
	return true;
}

struct holder_want {
	const struct client *c;
	int fds, maps;
};

/* A buffer's object: size, exporter, charged cgroup, the mark, holders */
static bool buffer_is(const struct json *top, const char *name,
		      long long size, const char *charged, bool elsewhere,
		      const struct holder_want *want, int nr_want)
{
	const struct json *b = find(json_get(top, "buffers"), "name", name);
	const struct json *holders, *h;
	char cg[64];
	int i, k;

	if (!b)
		return why("no buffer %s", name);
	if (!json_is_int(json_get(b, "size"), size * MiB) ||
	    !json_str(json_get(b, "exporter")) ||
	    strcmp(json_str(json_get(b, "exporter")), "system") ||
	    num(json_get(b, "charge_known")) != 1 ||
	    !json_str(json_get(b, "charged_cgroup")) ||
	    strcmp(json_str(json_get(b, "charged_cgroup")), charged) ||
	    !json_is_int(json_get(b, "charged_cgroup_id"), ino_of(charged)) ||
	    !json_get(b, "charged_elsewhere") ||
	    json_get(b, "charged_elsewhere")->type != JSON_BOOL ||
	    num(json_get(b, "charged_elsewhere")) != elsewhere)
		return why("%s: %s differ from %lld MiB, system, %s, %s", name,
			   "size, exporter, charged_cgroup(_id) or charged_elsewhere",
			   size, charged, elsewhere ? "true" : "false");
	holders = json_get(b, "holders");
	if (!holders || holders->type != JSON_ARRAY || holders->n != nr_want)
		return why("%s: %d holders, expected %d", name,
			   holders ? holders->n : -1, nr_want);
	for (k = 0; k < nr_want; k++) {
		for (i = 0, h = NULL; i < holders->n; i++)
			if (json_is_int(json_get(&holders->items[i], "pid"),
					want[k].c->pid))
				h = &holders->items[i];
		snprintf(cg, sizeof(cg), TOP "/%s", want[k].c->name);
		if (!h || strcmp(json_str(json_get(h, "comm")) ?: "", want[k].c->name) ||
		    strcmp(json_str(json_get(h, "cgroup")) ?: "", cg) ||
		    !json_is_int(json_get(h, "fds"), want[k].fds) ||
		    !json_is_int(json_get(h, "maps"), want[k].maps))
			return why("%s: holder %s (pid %d, %d fds, %d maps) is missing or differs",
				   name, want[k].c->name, want[k].c->pid,
				   want[k].fds, want[k].maps);
	}
	return true;
}

/* The proportional shares of the leaves add up to the buffers' sizes. */
static bool shares_add_up(const struct json *top, const char *const *leaves,
			  int n)
{
	const struct json *bufs = json_get(top, "buffers");
	long long sizes = 0, shares = 0;
	int i;

	for (i = 0; bufs && i < bufs->n; i++)
		sizes += num(json_get(&bufs->items[i], "size"));
	for (i = 0; i < n; i++) {
		const struct json *c = find(json_get(top, "cgroups"), "path", leaves[i]);

		shares += c ? num(json_get(c, "proportional")) : 0;
	}
	return (sizes == shares && sizes > 0) ||
	       why("proportional shares %lld, buffers %lld", shares, sizes);
}

int main(void)
{
	static const char *const leaves[] = {
		TOP "/allocator", TOP "/client-a", TOP "/client-b",
	};
	struct client a = { .name = "client-a" }, b = { .name = "client-b" };
	char err[1024], *table, *line, *save;
	struct json *top = NULL;
	int pidfd_b = -1;
	bool ok;

	printf("1..15\n");
	if (!dmabuf_accounting()) {
		diag("needs dma_heap.mem_accounting=1");
		for (int i = 0; i < 15; i++)
			check(false, "setup");
		return 1;
	}
	rmdir(CGROOT TOP "/allocator");
	rmdir(CGROOT TOP);
	if (mkdir(CGROOT TOP, 0755) ||
	    cg_write_file(CGROOT TOP "/cgroup.subtree_control", "+memory") ||
	    mkdir(CGROOT TOP "/allocator", 0755) ||
	    client_start(&a) || client_start(&b) ||
	    cg_write_file(CGROOT TOP "/allocator/cgroup.procs", "0")) {
		diag("setup: %s", strerror(errno));
		return 1;
	}

	/* 1. The old way: the allocator pays, the clients hold. */
	ok = give("shared", 4 * MiB, 0, &a, &b) && give("a-only", 2 * MiB, 0, &a, NULL);
	top = ok ? top_json(0, err, sizeof(err)) : NULL;
	{
		struct holder_want both[] = { { &a, 1, 0 }, { &b, 1, 0 } };

		check(top && buffer_is(top, "shared", 4, TOP "/allocator", true, both, 2) &&
		      buffer_is(top, "a-only", 2, TOP "/allocator", true, both, 1),
		      "1. buffers charged to the allocator, held by the clients: charged elsewhere");
	}
	check(top && cgroup_is(top, TOP, 6, 6, 6) &&
	      cgroup_is(top, TOP "/allocator", 6, 0, 0) &&
	      cgroup_is(top, TOP "/client-a", 0, 6, 4) &&
	      cgroup_is(top, TOP "/client-b", 0, 4, 2),
	      "1. the allocator is charged 6M, holds nothing; a holds 6M (4M proportional), b 4M (2M)");
	check(top && shares_add_up(top, leaves, 3),
	      "1. the proportional shares add up to the buffers");
	json_free(top);
	free(top);

	/* 2. A takes the shared buffer's charge; b's buffer charged to b. */
	pidfd_b = syscall(SYS_pidfd_open, b.pid, 0);
	ok = !send_cmd(&a, CMD_XFER_TO_SELF, 0, -1) &&
	     give("for-b", 1 * MiB, pidfd_b, &b, NULL);
	top = ok ? top_json(0, err, sizeof(err)) : NULL;
	{
		struct holder_want both[] = { { &a, 1, 0 }, { &b, 1, 0 } };

		check(top && buffer_is(top, "shared", 4, TOP "/client-a", false, both, 2) &&
		      buffer_is(top, "a-only", 2, TOP "/allocator", true, both, 1) &&
		      buffer_is(top, "for-b", 1, TOP "/client-b", false, both + 1, 1),
		      "2. after a transfer and with charge_pid_fd: charged elsewhere only for a-only");
	}
	check(top && cgroup_is(top, TOP, 7, 7, 7) &&
	      cgroup_is(top, TOP "/allocator", 2, 0, 0) &&
	      cgroup_is(top, TOP "/client-a", 4, 6, 4) &&
	      cgroup_is(top, TOP "/client-b", 1, 5, 3),
	      "2. cgroups: allocator 2M, a 4M, b 1M charged");
	check(top && shares_add_up(top, leaves, 3),
	      "2. the proportional shares add up to the buffers");
	json_free(top);
	free(top);

	/* 3. b holds its buffer through a mapping only. */
	ok = !send_cmd(&b, CMD_MAP_AND_CLOSE, 1, -1);
	top = ok ? top_json(0, err, sizeof(err)) : NULL;
	{
		struct holder_want mapped[] = { { &b, 0, 1 } };

		check(top && buffer_is(top, "for-b", 1, TOP "/client-b", false, mapped, 1),
		      "3. a buffer held through a mapping only, described by bufinfo");
	}
	check(top && cgroup_is(top, TOP "/client-b", 1, 5, 3),
	      "3. the mapping counts as holding");
	json_free(top);
	free(top);

	/* 4. Without privileges: charges, no buffers, and a plain message */
	top = top_json(65534, err, sizeof(err));
	{
		const struct json *u = json_get(top, "unreadable");
		const struct json *bufs = json_get(top, "buffers");

		check(top && bufs && bufs->n == 0 && u &&
		      num(json_get(u, "processes")) >= 3 &&
		      json_str(json_get(u, "error")) &&
		      !strcmp(json_str(json_get(u, "error")), "Permission denied"),
		      "4. unprivileged: no buffer seen, the unreadable processes counted");
		check(top && cgroup_is(top, TOP "/client-a", 4, 0, 0),
		      "4. unprivileged: the charges are still seen");
		check(strstr(err, "not everything could be read") &&
		      strstr(err, "Run as root"),
		      "4. unprivileged: stderr says what could not be read");
		if (!strstr(err, "not everything"))
			diag("stderr: %s", err);
	}
	json_free(top);
	free(top);

	/* The table a person reads, in the log */
	{
		table = run_top(0, err, sizeof(err), "-b", "-c", TOP, NULL);
		check(table && strstr(table, "! charged elsewhere") &&
		      strstr(table, TOP "/allocator"),
		      "the table marks the buffer charged elsewhere");
		diag("dmabuf-top -b -c " TOP ":");
		for (line = strtok_r(table, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			diag("  %s", line);
		free(table);
	}

	/* -d, -n: one document per snapshot */
	{
		char *out = run_top(0, err, sizeof(err), "--json", "-d", "0.2",
				    "-n", "2", NULL), *p = out;
		int docs = 0;

		while (p && (p = strstr(p, "{\"version\"")) && ++docs)
			p++;
		check(docs == 2, "-d 0.2 -n 2 prints two snapshots (%d)", docs);
		free(out);
	}
	/* Bad usage: a clear error and status 2 */
	{
		static const char *const bad[][3] = {
			{ "-d", "0", "-d takes a number of seconds" },
			{ "-c", "relative", "-c takes a cgroup path starting with '/'" },
			{ "-n", "2", "usage:" },
		};
		bool all = true;

		for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
			free(run_top(0, err, sizeof(err), bad[i][0], bad[i][1],
				     NULL));
			if (last_status != 2 || !strstr(err, bad[i][2])) {
				diag("dmabuf-top %s %s: status %d, stderr %s",
				     bad[i][0], bad[i][1], last_status, err);
				all = false;
			}
		}
		check(all, "bad usage: status 2 and a message that names the option");
	}
	/* No snapshot: status 1 and the cause */
	free(run_top(0, err, sizeof(err), "--cgroup-root", "/nonexistent", NULL));
	check(last_status == 1 && strstr(err, "/nonexistent: No such file or directory"),
	      "a cgroup root that does not exist: status 1 and the cause");

	if (pidfd_b >= 0)
		close(pidfd_b);
	client_stop(&a);
	client_stop(&b);
	cg_write_file(CGROOT "/cgroup.procs", "0");
	rmdir(CGROOT TOP "/client-a");
	rmdir(CGROOT TOP "/client-b");
	rmdir(CGROOT TOP "/allocator");
	rmdir(CGROOT TOP);
	return tap_failed();
}
