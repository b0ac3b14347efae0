// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon as an unprivileged uid, both ways the kernel allows: with
 * CAP_SYS_RESOURCE (ambient, as systemd's AmbientCapabilities= gives it),
 * it may charge any client; without it, only clients in a subtree
 * delegated to its uid, and anyone else's request is -EPERM with nothing
 * charged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allocd-test.h"

#define DAEMON_UID 65534
#define CAP_SYS_RESOURCE_MASK "0000000001000000"

/* The value of @key in /proc/@pid/status, in @buf. */
static const char *status_of(pid_t pid, const char *key, char *buf,
			     size_t size)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	snprintf(buf, size, "?");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, size, "%s", line + strlen(key) + 2);
		}
	if (f)
		fclose(f);
	return buf;
}

/* Ask for 1 MiB as a client in @cgroup: the status; buffers dropped. */
static int ask_from(struct daemon *d, const char *cgroup, uint64_t *id)
{
	struct client c = { 0 };
	struct outcome out = { .status = -ECHILD };

	if (!client_start(&c, cgroup, 1000)) {
		client_alloc(&c, OP_LIB, d->sock, 1024 * 1024, "", FOR_NONE,
			     &out);
		*id = out.info_cgroup_id;
		if (out.status >= 0 && !cg_dmabuf_is(cgroup, 1024 * 1024))
			out.status = -EDOM;
		client_stop(&c);
	}
	return out.status;
}

static void test_ambient(void)
{
	struct daemon d = { 0 };
	char buf[64] = "", buf2[64] = "", buf3[64] = "";
	uint64_t id = 0;
	int status = 0, ret;

	/* Its socket listens before it drops: the log says when it is done. */
	if (!check(!daemon_start(&d, ALLOCD, "ambient", "daemon", &status,
				 "--user", "65534:65534",
				 "--keep-cap-sys-resource", NULL) &&
		   log_has(&d, "listening on ", NULL),
		   "cap: starts with --user 65534:65534 --keep-cap-sys-resource (status %#x)",
		   status))
		return;
	check(!strcmp(status_of(d.pid, "Uid", buf, sizeof(buf)),
		      "65534\t65534\t65534\t65534") &&
	      !strcmp(status_of(d.pid, "Gid", buf2, sizeof(buf2)),
		      "65534\t65534\t65534\t65534") &&
	      !strcmp(status_of(d.pid, "Groups", buf3, sizeof(buf3)), " "),
	      "cap: it runs as uid and gid 65534, no other group (%s / %s / '%s')",
	      buf, buf2, buf3);
	check(!strcmp(status_of(d.pid, "CapEff", buf, sizeof(buf)),
		      CAP_SYS_RESOURCE_MASK) &&
	      !strcmp(status_of(d.pid, "CapPrm", buf2, sizeof(buf2)),
		      CAP_SYS_RESOURCE_MASK) &&
	      !strcmp(status_of(d.pid, "CapAmb", buf3, sizeof(buf3)),
		      CAP_SYS_RESOURCE_MASK),
	      "cap: CAP_SYS_RESOURCE effective, permitted, ambient, nothing else (%s %s %s)",
	      buf, buf2, buf3);
	check(!strcmp(status_of(d.pid, "CapBnd", buf, sizeof(buf)),
		      CAP_SYS_RESOURCE_MASK) &&
	      !strcmp(status_of(d.pid, "CapInh", buf2, sizeof(buf2)),
		      CAP_SYS_RESOURCE_MASK) &&
	      !strcmp(status_of(d.pid, "NoNewPrivs", buf3, sizeof(buf3)), "1"),
	      "cap: bounding and inheritable sets CAP_SYS_RESOURCE alone, no_new_privs (%s %s %s)",
	      buf, buf2, buf3);
	check(log_has(&d, "privileges: uid 65534 gid 65534, ",
		      "capabilities " CAP_SYS_RESOURCE_MASK ": CAP_SYS_RESOURCE,",
		      NULL),
	      "cap: it says so at startup");
	ret = ask_from(&d, "a", &id);
	check(ret >= 0 && id == cg_id("a") && cg_dmabuf_is("daemon", 0),
	      "cap: a client in a root-owned cgroup is served and pays (%d)", ret);
	status = daemon_stop(&d);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "cap: SIGTERM, exit 0");
}

static void test_no_cap(void)
{
	struct daemon d = { 0 };
	char buf[64] = "", buf2[64] = "", buf3[64] = "";
	uint64_t id = 0;
	int status = 0, ret;

	if (!check(!daemon_start(&d, ALLOCD, "nocap", "daemon", &status,
				 "--user", "65534", NULL) &&
		   log_has(&d, "listening on ", NULL),
		   "no cap: starts with --user 65534 (status %#x)", status))
		return;
	check(!strcmp(status_of(d.pid, "CapEff", buf, sizeof(buf)),
		      "0000000000000000") &&
	      log_has(&d, "no CAP_SYS_RESOURCE", NULL),
	      "no cap: no capability (%s), and it says so", buf);
	check(!strcmp(status_of(d.pid, "CapBnd", buf, sizeof(buf)),
		      "0000000000000000") &&
	      !strcmp(status_of(d.pid, "CapInh", buf2, sizeof(buf2)),
		      "0000000000000000") &&
	      !strcmp(status_of(d.pid, "NoNewPrivs", buf3, sizeof(buf3)), "1"),
	      "no cap: empty bounding and inheritable sets, no_new_privs (%s %s %s)",
	      buf, buf2, buf3);
	ret = ask_from(&d, "a", &id);
	check(ret == -EPERM && cg_dmabuf_is("a", 0) && cg_dmabuf_is("daemon", 0),
	      "no cap: a client outside any delegation: -EPERM, nothing charged (%d)",
	      ret);
	check(log_has(&d, "result=EPERM", "reason=\"the daemon may not charge that cgroup", NULL),
	      "no cap: the refusal is logged with its reason");
	daemon_stop(&d);
}

/* Hand CGROOT/@name (and @files in it) to the daemon's uid. */
static int delegate(const char *name, const char * const *files)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), CGROOT "/%s", name);
	ret = chown(path, DAEMON_UID, DAEMON_UID);
	for (; !ret && *files; files++) {
		snprintf(path, sizeof(path), CGROOT "/%s/%s", name, *files);
		ret = chown(path, DAEMON_UID, DAEMON_UID);
	}
	return ret;
}

static void test_delegated(void)
{
	static const char * const subtree[] = {
		"cgroup.procs", "cgroup.threads", "cgroup.subtree_control", NULL,
	};
	static const char * const leaf[] = { "cgroup.procs", NULL };
	struct daemon d = { 0 };
	uint64_t id = 0;
	int status = 0, ret;

	/*
	 * What systemd's Delegate=yes does: the subtree is the daemon's
	 * uid's. It lives in deleg/daemon, its clients in deleg/c1.
	 */
	if (cg_make("deleg", true) || cg_make("deleg/daemon", false) ||
	    cg_make("deleg/c1", false) || delegate("deleg", subtree) ||
	    delegate("deleg/daemon", leaf) || delegate("deleg/c1", leaf)) {
		check(false, "delegated: make " CGROOT "/deleg for uid 65534");
		return;
	}
	if (!check(!daemon_start(&d, ALLOCD, "deleg", "deleg/daemon", &status,
				 "--user", "65534", NULL),
		   "delegated: starts with --user 65534 in deleg/daemon (status %#x)",
		   status))
		goto out;
	ret = ask_from(&d, "deleg/c1", &id);
	check(ret >= 0 && id == cg_id("deleg/c1") &&
	      cg_dmabuf_is("deleg/daemon", 0),
	      "delegated: a client inside the subtree is served and pays (%d)", ret);
	ret = ask_from(&d, "a", &id);
	check(ret == -EPERM && cg_dmabuf_is("a", 0) &&
	      cg_dmabuf_is("deleg/daemon", 0),
	      "delegated: a client outside it: -EPERM, nothing charged (%d)", ret);
	daemon_stop(&d);
out:
	check(cg_dmabuf_is("deleg/c1", 0) && !rmdir(CGROOT "/deleg/c1") &&
	      !rmdir(CGROOT "/deleg/daemon") && !rmdir(CGROOT "/deleg"),
	      "delegated: nobody pays at the end, the subtree can be removed");
}

void test_privileges(void)
{
	test_ambient();
	test_no_cap();
	test_delegated();
}
