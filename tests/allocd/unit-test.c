// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-allocd's host unit test (TAP): every rule of request.c, the
 * command line and the forwarding policy, the log lines, what a pidfd says
 * (peer.c), the listening socket (stale, live, systemd's), the privilege
 * drop (as root), and the event loop against real clients: error replies
 * need no heap, so the queueing, the limits and the fd accounting are
 * checked here too. No dma-buf heap or kernel series needed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>

#include "compiler.h"
#include "dmabuf-allocd.h"
#include "handle.h"
#include "listen.h"
#include "log.h"
#include "options.h"
#include "peer.h"
#include "policy.h"
#include "privileges.h"
#include "request.h"
#include "server.h"
#include "../common/tap.h"

/* Set a char array field to a string. */
#define SET(field, text) snprintf(field, sizeof(field), "%s", text)
#define MAX_SIZE (64ULL << 20)

static char tmpdir[64];

/* --- request.c ----------------------------------------------------------- */

static struct dmabuf_allocd_request good_request(void)
{
	struct dmabuf_allocd_request r = {
		.magic = DMABUF_ALLOCD_MAGIC,
		.version = DMABUF_ALLOCD_VERSION,
		.size = sizeof(r),
		.seq = 77,
		.len = 4096,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	SET(r.heap, "system");
	SET(r.name, "frame");
	return r;
}

/* Decode @r sent as @len bytes; check the result is @want. */
static void expect(const char *what, const struct dmabuf_allocd_request *r,
		   size_t len, int msg_flags, unsigned int nfds, int want)
{
	unsigned char pkt[512] = { 0 };
	struct dmabuf_allocd_request out;
	const char *reason = "unset";
	int ret;

	memcpy(pkt, r, sizeof(*r) < len ? sizeof(*r) : len);
	ret = request_decode(pkt, len, msg_flags, nfds, MAX_SIZE, &out,
			     &reason);
	/* A reason for every refusal, none for success; seq kept. */
	check(ret == want && (ret ? reason && reason[0] : !reason) &&
	      (ret == REQUEST_CLOSE || out.seq == 77),
	      "request: %s -> %d (got %d, %s)", what, want, ret,
	      reason ? reason : "no reason");
}

static void test_request(void)
{
	struct dmabuf_allocd_request r;
	struct dmabuf_allocd_reply rep;

	r = good_request();
	expect("a good request", &r, sizeof(r), 0, 0, 0);
	expect("0 bytes: close", &r, 0, 0, 0, REQUEST_CLOSE);
	expect("11 bytes, shorter than a header: close", &r,
	       REQUEST_HEADER_LEN - 1, 0, 0, REQUEST_CLOSE);
	expect("shorter than its size field: close", &r, sizeof(r) - 1, 0, 0,
	       REQUEST_CLOSE);
	r.magic = 0x64616c62;
	expect("bad magic: close", &r, sizeof(r), 0, 0, REQUEST_CLOSE);
	r = good_request();
	r.version = 2;
	expect("version 2: EPROTONOSUPPORT", &r, sizeof(r), 0, 0,
	       -EPROTONOSUPPORT);
	r.version = 0;
	expect("version 0: EPROTONOSUPPORT", &r, sizeof(r), 0, 0,
	       -EPROTONOSUPPORT);
	r.version = 2;
	r.size = 200;
	expect("version 2 of 200 bytes: EPROTONOSUPPORT", &r, 200, 0, 0,
	       -EPROTONOSUPPORT);
	r = good_request();
	r.size = sizeof(r) - 8;
	expect("version 1 with a smaller size field: EPROTONOSUPPORT", &r,
	       sizeof(r), 0, 0, -EPROTONOSUPPORT);
	r = good_request();
	expect("longer than its size field: EPROTONOSUPPORT", &r,
	       sizeof(r) + 1, 0, 0, -EPROTONOSUPPORT);
	expect("MSG_TRUNC: EPROTONOSUPPORT", &r, sizeof(r), MSG_TRUNC, 0,
	       -EPROTONOSUPPORT);
	r.reserved = 1;
	expect("reserved not zero: EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	r = good_request();
	r.flags = 1U << 1;
	expect("unknown flag: EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	r.flags = 1U << 31 | DMABUF_ALLOCD_FOR_PIDFD;
	expect("unknown flag with FOR_PIDFD: EINVAL", &r, sizeof(r), 0, 1,
	       -EINVAL);
	r = good_request();
	r.len = 0;
	expect("len 0: EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	r = good_request();
	r.fd_flags = O_RDWR | O_NONBLOCK;
	expect("fd_flags O_NONBLOCK: EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	r.fd_flags = O_ACCMODE;
	expect("fd_flags O_ACCMODE: EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	r.fd_flags = O_WRONLY;
	expect("fd_flags O_WRONLY: accepted", &r, sizeof(r), 0, 0, 0);
	r.fd_flags = 0;
	expect("fd_flags 0 (the default): accepted", &r, sizeof(r), 0, 0, 0);
	r = good_request();
	memset(r.heap, 'h', sizeof(r.heap));
	expect("heap not NUL-terminated: EINVAL", &r, sizeof(r), 0, 0,
	       -EINVAL);
	SET(r.heap, "");
	expect("heap \"\": EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	SET(r.heap, ".");
	expect("heap \".\": EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	SET(r.heap, "..");
	expect("heap \"..\": EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	SET(r.heap, "../system");
	expect("heap \"../system\": EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	SET(r.heap, "sys/tem");
	expect("heap with '/': EINVAL", &r, sizeof(r), 0, 0, -EINVAL);
	SET(r.heap, "...");
	expect("heap \"...\" (a file name): accepted", &r, sizeof(r), 0, 0, 0);
	r = good_request();
	memset(r.name, 'n', sizeof(r.name));
	expect("name not NUL-terminated: EINVAL", &r, sizeof(r), 0, 0,
	       -EINVAL);
	r.name[sizeof(r.name) - 1] = '\0';
	expect("name of 31 bytes: accepted", &r, sizeof(r), 0, 0, 0);
	r = good_request();
	r.flags = DMABUF_ALLOCD_FOR_PIDFD;
	expect("FOR_PIDFD with one fd: accepted", &r, sizeof(r), 0, 1, 0);
	expect("FOR_PIDFD without an fd: EBADF", &r, sizeof(r), 0, 0, -EBADF);
	expect("FOR_PIDFD with two fds: EBADF", &r, sizeof(r), 0, 2, -EBADF);
	expect("FOR_PIDFD with MSG_CTRUNC: EBADF", &r, sizeof(r), MSG_CTRUNC,
	       1, -EBADF);
	r.flags = 0;
	expect("an fd without FOR_PIDFD: EBADF", &r, sizeof(r), 0, 1, -EBADF);
	expect("MSG_CTRUNC without FOR_PIDFD: EBADF", &r, sizeof(r),
	       MSG_CTRUNC, 0, -EBADF);
	r.len = MAX_SIZE;
	expect("len == --max-size: accepted", &r, sizeof(r), 0, 0, 0);
	r.len = MAX_SIZE + 1;
	expect("len > --max-size: EFBIG", &r, sizeof(r), 0, 0, -EFBIG);

	request_reply(&rep, 9, 0, 8192, 42);
	check(rep.magic == DMABUF_ALLOCD_MAGIC &&
	      rep.version == DMABUF_ALLOCD_VERSION &&
	      rep.size == sizeof(rep) && rep.seq == 9 && !rep.status &&
	      rep.len == 8192 && rep.cgroup_id == 42,
	      "request_reply: a success");
	request_reply(&rep, 10, -EPERM, 8192, 42);
	check(rep.seq == 10 && rep.status == -EPERM && !rep.len &&
	      !rep.cgroup_id, "request_reply: a failure has no len, no cgroup");
}

/* --- options.c and policy.c ------------------------------------------------- */

/* Parse @args (NULL-terminated): the result, with @err's text in @msg. */
static int parse(struct allocd_config *cfg, char *msg, size_t size, ...)
{
	char *argv[80] = { "dmabuf-allocd" }, *buf = NULL, *a;
	size_t len = 0;
	int argc = 1, ret;
	FILE *err = open_memstream(&buf, &len);
	va_list ap;

	va_start(ap, size);
	while ((a = va_arg(ap, char *)) && argc < 79)
		argv[argc++] = a;
	va_end(ap);
	ret = options_parse(cfg, argc, argv, err, err);
	fclose(err);
	snprintf(msg, size, "%s", buf ? buf : "");
	free(buf);
	return ret;
}

/* In a child of uid 65534: is --keep-cap-sys-resource alone accepted? */
static bool keep_cap_unprivileged(void)
{
	struct allocd_config cfg;
	char *argv[3];
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setresuid(65534, 65534, 65534))
			_exit(2);
		argv[0] = "dmabuf-allocd";
		argv[1] = "--keep-cap-sys-resource";
		argv[2] = NULL;
		_exit(options_parse(&cfg, 2, argv, stderr, stderr) ||
		      !cfg.keep_cap ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

static void test_options(void)
{
	struct allocd_config cfg;
	char msg[4096], *argv[40];
	uint64_t size = 0;
	uid_t uid = 0;
	gid_t gid = 0;
	int ret, i;

	ret = parse(&cfg, msg, sizeof(msg), NULL);
	check(!ret && !strcmp(cfg.socket_path, "/run/dmabuf-allocd.sock") &&
	      cfg.max_size == OPTIONS_MAX_SIZE_DEFAULT &&
	      cfg.max_clients == OPTIONS_MAX_CLIENTS_DEFAULT &&
	      cfg.max_outstanding == OPTIONS_MAX_OUTSTANDING_DEFAULT &&
	      cfg.max_clients_per_uid == OPTIONS_MAX_CLIENTS_DEFAULT / 4 &&
	      !cfg.quiet && !cfg.keep_cap && !cfg.set_user &&
	      !cfg.policy.n_uids && !cfg.policy.n_cgroups &&
	      !cfg.policy.n_targets,
	      "options: the defaults");
	ret = parse(&cfg, msg, sizeof(msg), "--socket", "/tmp/s",
		    "--max-size", "16M", "--max-clients", "3",
		    "--max-outstanding", "2", "--allow-forward-uid", "1000",
		    "--allow-forward-uid", "0", "--allow-forward-cgroup",
		    "/a/b/", "--user", "65534:100", "--keep-cap-sys-resource",
		    "--max-clients-per-uid", "2", "--forward-to-cgroup", "/t/",
		    "--forward-to-cgroup", "/u", "-q", NULL);
	check(!ret && !strcmp(cfg.socket_path, "/tmp/s") &&
	      cfg.max_size == 16 << 20 && cfg.max_clients == 3 &&
	      cfg.max_outstanding == 2 && cfg.quiet && cfg.keep_cap &&
	      cfg.set_user && cfg.uid == 65534 && cfg.gid == 100 &&
	      cfg.policy.n_uids == 2 && cfg.policy.uids[0] == 1000 &&
	      cfg.policy.uids[1] == 0 && cfg.policy.n_cgroups == 1 &&
	      cfg.policy.cgroup_lens[0] == 4 && cfg.max_clients_per_uid == 2 &&
	      cfg.policy.n_targets == 2 && cfg.policy.target_lens[0] == 2,
	      "options: every option, long");
	ret = parse(&cfg, msg, sizeof(msg), "--max-clients", "3", NULL);
	check(!ret && cfg.max_clients_per_uid == 1,
	      "options: --max-clients-per-uid is a quarter of --max-clients, at least 1");
	ret = parse(&cfg, msg, sizeof(msg), "--max-clients", "9", NULL);
	check(!ret && cfg.max_clients_per_uid == 2,
	      "options: --max-clients 9 gives 2 per uid");
	ret = parse(&cfg, msg, sizeof(msg), "--keep-cap-sys-resource", NULL);
	check(getuid() ? !ret : ret == -EINVAL &&
	      strstr(msg, "--keep-cap-sys-resource as root needs --user"),
	      "options: --keep-cap-sys-resource without --user is for a non-root uid only");
	check(keep_cap_unprivileged(),
	      "options: --keep-cap-sys-resource alone as uid 65534 is fine");
	ret = parse(&cfg, msg, sizeof(msg), "-s", "/x", "-u", "7", "-q", NULL);
	check(!ret && !strcmp(cfg.socket_path, "/x") && cfg.set_user &&
	      cfg.uid == 7 && cfg.gid == 7 && cfg.quiet,
	      "options: short ones; --user UID means GID UID too");
	ret = parse(&cfg, msg, sizeof(msg), "--help", NULL);
	check(ret == OPTIONS_HELP && strstr(msg, "--max-outstanding") &&
	      strstr(msg, "--allow-forward-cgroup") &&
	      strstr(msg, "--max-clients-per-uid") &&
	      strstr(msg, "--forward-to-cgroup"), "options: --help");

	{
		static const char * const bad[][3] = {
			{ "--bogus", NULL, "unknown option --bogus" },
			{ "--max-size", NULL, "--max-size needs an argument" },
			{ "--max-size", "0", "--max-size: not a size: 0" },
			{ "--max-size", "12Q", "--max-size: not a size" },
			{ "--max-size", "1MB", "--max-size: not a size" },
			{ "--max-size", "-5", "--max-size: not a size" },
			{ "--max-size", "99999999999999G", "not a size" },
			{ "--max-clients", "0", "--max-clients: not a number" },
			{ "--max-clients", "x", "--max-clients: not a number" },
			{ "--max-clients-per-uid", "0", "--max-clients-per-uid: not a number" },
			{ "--max-clients-per-uid", "y", "--max-clients-per-uid: not a number" },
			{ "--forward-to-cgroup", "a/b", "--forward-to-cgroup: not a cgroup path" },
			{ "--forward-to-cgroup", "/a/../b", "--forward-to-cgroup: not" },
			{ "--max-outstanding", "0", "--max-outstanding: not" },
			{ "--max-outstanding", "1025", "--max-outstanding: not" },
			{ "--allow-forward-uid", "bob", "--allow-forward-uid: not" },
			{ "--allow-forward-uid", "-1", "--allow-forward-uid: not" },
			{ "--allow-forward-uid", "4294967295", "not a uid" },
			{ "--allow-forward-cgroup", "a/b", "not a cgroup path" },
			{ "--allow-forward-cgroup", "/a//b", "not a cgroup path" },
			{ "--allow-forward-cgroup", "/a/../b", "not a cgroup" },
			{ "--allow-forward-cgroup", "/a/.", "not a cgroup path" },
			{ "--user", "bob", "--user: not UID or UID:GID" },
			{ "--user", "1000:", "--user: not UID or UID:GID" },
			{ "--user", ":5", "--user: not UID or UID:GID" },
			{ "--user", "1:2:3", "--user: not UID or UID:GID" },
			{ "--socket", "", "--socket: empty path" },
			{ "extra", NULL, "unexpected argument extra" },
		};

		for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
			ret = parse(&cfg, msg, sizeof(msg), bad[i][0],
				    bad[i][1], NULL);
			check(ret == -EINVAL && strstr(msg, bad[i][2]),
			      "options: %s %s is refused: %s", bad[i][0],
			      bad[i][1] ? bad[i][1] : "", bad[i][2]);
		}
	}
	argv[0] = "dmabuf-allocd";
	for (i = 0; i < 33; i++)
		argv[1 + i] = "--allow-forward-uid=5";
	argv[34] = NULL;
	ret = options_parse(&cfg, 33, argv, stderr, stderr);
	check(!ret && cfg.policy.n_uids == 32, "options: 32 --allow-forward-uid");
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *err = open_memstream(&buf, &len);

		ret = options_parse(&cfg, 34, argv, err, err);
		fclose(err);
		check(ret == -EINVAL && strstr(buf, "too many"),
		      "options: a 33rd --allow-forward-uid is refused");
		free(buf);
	}
	check(!options_parse_size("4096", &size) && size == 4096 &&
	      !options_parse_size("64k", &size) && size == 64 << 10 &&
	      !options_parse_size("3G", &size) && size == 3ULL << 30,
	      "options: sizes in bytes, K, G");
	check(!options_parse_user("0:0", &uid, &gid) && !uid && !gid,
	      "options: --user 0:0");
}

static void test_policy(void)
{
	struct allocd_policy p = { 0 };

	check(policy_may_forward(&p, 0, "/") == -EPERM,
	      "policy: nobody may forward by default, not even root");
	check(!policy_add_uid(&p, "1000") && !policy_add_cgroup(&p, "/a/b/") &&
	      !policy_add_cgroup(&p, "/c"), "policy: rules added");
	check(!policy_may_forward(&p, 1000, NULL),
	      "policy: an allowed uid, cgroup unknown");
	check(policy_may_forward(&p, 1001, "/x") == -EPERM,
	      "policy: another uid elsewhere is refused");
	check(!policy_may_forward(&p, 1001, "/a/b"),
	      "policy: the allowed cgroup itself");
	check(!policy_may_forward(&p, 1001, "/a/b/c/d"),
	      "policy: a cgroup below it");
	check(policy_may_forward(&p, 1001, "/a/bc") == -EPERM,
	      "policy: a sibling with the same prefix is refused");
	check(policy_may_forward(&p, 1001, "/a") == -EPERM,
	      "policy: the parent is refused");
	check(policy_may_forward(&p, 1001, NULL) == -EPERM,
	      "policy: an unknown cgroup matches no cgroup rule");
	check(!policy_add_cgroup(&p, "/") && !policy_may_forward(&p, 5, "/z"),
	      "policy: \"/\" allows every cgroup");
	check(policy_add_cgroup(&p, "") == -EINVAL &&
	      policy_add_target(&p, "x") == -EINVAL &&
	      policy_add_uid(&p, "") == -EINVAL &&
	      policy_add_uid(&p, "12x") == -EINVAL,
	      "policy: empty and bad rules are refused");
}

/* policy_may_charge(): 0, or -EPERM with a reason containing @why. */
static bool charge_case(const struct allocd_policy *p, uid_t uid,
			uid_t target_uid, const char *target, const char *own,
			const char *why)
{
	const char *reason = NULL;
	int ret = policy_may_charge(p, uid, target_uid, target, own, &reason);

	if (!why)
		return ret == 0;
	return ret == -EPERM && reason && strstr(reason, why);
}

static void test_policy_targets(void)
{
	struct allocd_policy p = { 0 };

	check(charge_case(&p, 1000, 1000, "/a/app", "/sys/daemon", NULL),
	      "policy: a forward for the peer's own uid elsewhere: allowed");
	check(charge_case(&p, 0, 1000, "/a/app", "/sys/daemon", NULL),
	      "policy: root may forward for any uid");
	check(charge_case(&p, 1001, 1000, "/a/app", "/sys/daemon",
			  "another uid's"),
	      "policy: for another uid: refused");
	check(charge_case(&p, 0, 0, "/sys/daemon", "/sys/daemon",
			  "daemon's cgroup") &&
	      charge_case(&p, 0, 0, "/sys", "/sys/daemon", "daemon's cgroup") &&
	      charge_case(&p, 0, 0, "/", "/sys/daemon", "daemon's cgroup"),
	      "policy: never the daemon's cgroup, its parent, the root");
	check(charge_case(&p, 0, 0, "/sys/daemon2", "/sys/daemon", NULL) &&
	      charge_case(&p, 0, 0, "/sys/daemon/sub", "/sys/daemon", NULL),
	      "policy: a sibling with the same prefix, a cgroup below the daemon's: allowed");
	check(charge_case(&p, 0, 0, "/a", NULL, "unknown"),
	      "policy: the daemon's own cgroup unknown: refused");
	check(!policy_add_target(&p, "/apps/") && !policy_add_target(&p, "/games"),
	      "policy: --forward-to-cgroup rules added");
	check(charge_case(&p, 1001, 1000, "/apps", "/sys/daemon", NULL) &&
	      charge_case(&p, 1001, 1000, "/games/x/y", "/sys/daemon", NULL),
	      "policy: into --forward-to-cgroup (or below) for another uid: allowed");
	check(charge_case(&p, 1000, 1000, "/appsx", "/sys/daemon",
			  "--forward-to-cgroup") &&
	      charge_case(&p, 0, 0, "/a", "/sys/daemon", "--forward-to-cgroup"),
	      "policy: outside them, even for its own uid, even for root: refused");
	check(charge_case(&p, 0, 0, "/apps", "/apps/daemon", "daemon's cgroup"),
	      "policy: the daemon's parent, even in --forward-to-cgroup: refused");
}

/* Whether @text is the strings that follow (NULL-terminated), end to end. */
static bool is(const char *text, ...)
{
	const char *piece;
	bool same = true;
	va_list ap;

	va_start(ap, text);
	while (same && (piece = va_arg(ap, const char *))) {
		same = !strncmp(text, piece, strlen(piece));
		text += same ? strlen(piece) : 0;
	}
	va_end(ap);
	return same && !*text;
}

/* --- log.c ------------------------------------------------------------------ */

/* In a child with fds 0, 1, 2 closed: does log_init() open them? */
static bool std_fds_case(void)
{
	char link[64], path[32];
	int status, fd, ok = 1;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(0);
		close(1);
		close(2);
		log_init(false);
		for (fd = 0; fd <= 2; fd++) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			n = readlink(path, link, sizeof(link) - 1);
			link[n > 0 ? n : 0] = '\0';
			ok &= !strcmp(link, "/dev/null");
		}
		fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		_exit(ok && fd > 2 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

static void test_log(void)
{
	struct log_decision ok = {
		.pid = 42, .uid = 1000, .cgroup = "/apps/cam",
		.for_pid = LOG_FOR_SELF, .heap = "system", .size = 4194304,
		.name = "frame 1", .charged = "/apps/cam", .charged_id = 1234,
	};
	struct log_decision no = {
		.pid = 43, .uid = 1001, .cgroup = "/apps/comp", .for_pid = 57,
		.for_cgroup = "/apps/game", .heap = "cma", .size = 8192,
		.name = "", .status = -EPERM,
		.reason = "this peer may not ask on behalf of another process",
	};
	struct log_decision odd = {
		.pid = 1, .for_pid = LOG_FOR_BADFD, .heap = "a\"b\\c\nd",
		.name = "\x7f\x80", .status = -EBADF,
	};
	char buf[LOG_LINE_MAX], ebuf[16];
	size_t len;

	len = log_format_decision(buf, sizeof(buf), &ok);
	check(is(buf, "alloc pid=42 uid=1000 cgroup=\"/apps/cam\" for=self ",
		 "heap=\"system\" size=4194304 name=\"frame 1\" ",
		 "result=ok charged=\"/apps/cam\" charged_id=1234\n", NULL) &&
	      len == strlen(buf), "log: an allowed request");
	printf("# %s", buf);
	log_format_decision(buf, sizeof(buf), &no);
	check(is(buf, "alloc pid=43 uid=1001 cgroup=\"/apps/comp\" ",
		 "for=57 for_cgroup=\"/apps/game\" ",
		 "heap=\"cma\" size=8192 name=\"\" result=EPERM ",
		 "reason=\"this peer may not ask on behalf of another process\"\n",
		 NULL),
	      "log: a refused forward");
	printf("# %s", buf);
	log_format_decision(buf, sizeof(buf), &odd);
	check(is(buf, "alloc pid=1 uid=0 cgroup=? for=badfd ",
		 "heap=\"a\\\"b\\\\c\\x0ad\" size=0 name=\"\\x7f\\x80\" ",
		 "result=EBADF reason=\"Bad file descriptor\"\n", NULL),
	      "log: quotes, backslashes and control bytes escaped, errno text as the reason");
	printf("# %s", buf);
	ok.charged = "";
	ok.for_pid = LOG_FOR_EXITED;
	ok.heap = NULL;
	log_format_decision(buf, sizeof(buf), &ok);
	check(is(buf, "alloc pid=42 uid=1000 cgroup=\"/apps/cam\" for=exited ",
		 "result=ok charged=none charged_id=1234\n", NULL),
	      "log: no request fields, exited target, charged=none");
	{
		char big[4000], heap[64], name[32];
		struct log_decision huge = {
			.cgroup = big, .for_pid = 7, .for_cgroup = big,
			.heap = heap, .name = name, .charged = big,
		};

		/* Each byte escaped to 4: 16000 bytes per field. */
		memset(big, '\n', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		memset(heap, 1, sizeof(heap) - 1);
		heap[sizeof(heap) - 1] = '\0';
		memset(name, 2, sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		len = log_format_decision(buf, sizeof(buf), &huge);
		check(len == strlen(buf) && len < sizeof(buf) &&
		      buf[len - 1] == '\n' && !memchr(buf, '\n', len - 1) &&
		      strstr(buf, " result=ok charged=\"\\x0a") &&
		      strstr(buf, "...\" charged_id=0\n") &&
		      strstr(buf, " heap=\"\\x01") && strstr(buf, " name=\"\\x02"),
		      "log: fields too long are cut, each, and the line keeps its result (%zu bytes)",
		      len);
		huge.status = -EPERM;
		huge.reason = big;
		len = log_format_decision(buf, sizeof(buf), &huge);
		check(len < sizeof(buf) && strstr(buf, " result=EPERM reason=\"") &&
		      !strcmp(buf + len - 5, "...\"\n"),
		      "log: so is the reason, after the result");
		len = log_format_refused(buf, sizeof(buf), 1, 2, big, big);
		check(len < sizeof(buf) && strstr(buf, "...\" reason=\"\\x0a"),
		      "log: and the fields of a closed connection");
	}
	{
		struct log_ratelimit rl = { 0 };
		unsigned int n1 = 0, n2 = 0, n3 = 0;

		check(log_ratelimit_at(&rl, 5000, &n1) && n1 == 1 &&
		      !log_ratelimit_at(&rl, 5500, &n2) &&
		      !log_ratelimit_at(&rl, 5999, &n2) &&
		      log_ratelimit_at(&rl, 6000, &n2) && n2 == 3 &&
		      !log_ratelimit_at(&rl, 6100, &n3) &&
		      log_ratelimit_at(&rl, 60000, &n3) && n3 == 2,
		      "log: rate limit: a line a second, each with the events it stands for");
	}
	check(std_fds_case(),
	      "log: closed fds 0, 1, 2 become /dev/null first: no other file takes the log");
	log_format_refused(buf, sizeof(buf), 5, 6, NULL, "bad magic");
	check(!strcmp(buf, "close pid=5 uid=6 cgroup=? reason=\"bad magic\"\n"),
	      "log: a closed connection");
	check(!strcmp(log_errno_name(-EPROTONOSUPPORT, ebuf, sizeof(ebuf)),
		      "EPROTONOSUPPORT") &&
	      !strcmp(log_errno_name(4000, ebuf, sizeof(ebuf)), "E4000"),
	      "log: errno names");
}

/* --- peer.c -------------------------------------------------------------- */

static pid_t idle_process(uid_t uid, const char *cg);
static void stop_process(pid_t pid);

static int pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

/* Our own cgroup v2 path. */
static void own_cgroup(char *buf, size_t size)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, size, "%s", line + 3);
		}
	if (f)
		fclose(f);
}

/*
 * In a child where pidfd_send_signal() fails with EACCES, as a security
 * module may make it: is the cgroup of a live process still read? (The
 * check that the pid was not reused must need no right over the process.)
 */
static bool liveness_case(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_send_signal, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(filter), .filter = filter };
	char cg[4096];
	int status, pidfd;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pidfd = pidfd_open(getppid());
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(2);
		_exit(peer_cgroup(pidfd, cg, sizeof(cg)) ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

static void test_peer(void)
{
	char cg[4096], mine[4096];
	int pidfd = pidfd_open(getpid()), null, status, ret;
	siginfo_t info;
	pid_t child;

	own_cgroup(mine, sizeof(mine));
	check(peer_pid(pidfd) == getpid(), "peer: a pidfd's pid");
	check(!peer_cgroup(pidfd, cg, sizeof(cg)) && !strcmp(cg, mine),
	      "peer: a pidfd's cgroup (%s)", mine);
	check(peer_cgroup(pidfd, cg, 1) == -ENAMETOOLONG,
	      "peer: a buffer too small is -ENAMETOOLONG");
	close(pidfd);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	check(liveness_case(),
	      "peer: the cgroup is read where signalling the process is refused");
	check(peer_pid(null) == -EBADF && peer_cgroup(null, cg, sizeof(cg)) ==
	      -EBADF, "peer: /dev/null is not a pidfd: -EBADF");
	close(null);
	check(peer_pid(999999) == -EBADF, "peer: no such fd: -EBADF");
	{
		pid_t other = idle_process(1000, NULL);
		int fd = pidfd_open(other);
		uid_t uid = 0;

		ret = peer_uid(fd, &uid);
		check(!ret && uid == 1000, "peer: a pidfd's real uid (%u)", uid);
		stop_process(other);
		check(peer_uid(fd, &uid) == -ESRCH,
		      "peer: the uid of a reaped process: -ESRCH");
		close(fd);
	}
	child = fork();
	if (!child)
		_exit(0);
	pidfd = pidfd_open(child);
	/* A zombie: it has exited, and is not reaped yet (WNOWAIT). */
	waitid(P_PID, child, &info, WEXITED | WNOWAIT);
	check(peer_pid(pidfd) == child && !peer_cgroup(pidfd, cg, sizeof(cg)),
	      "peer: a zombie still has its pid and cgroup");
	waitpid(child, &status, 0);
	check(peer_pid(pidfd) == -ESRCH &&
	      peer_cgroup(pidfd, cg, sizeof(cg)) == -ESRCH,
	      "peer: a reaped process: -ESRCH");
	close(pidfd);
}

/* --- listen.c ------------------------------------------------------------- */

static int connect_path(const char *path, int type)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_listen(void)
{
	char path[100], big[200];
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, fd2, stale, c;

	snprintf(path, sizeof(path), "%s/sock", tmpdir);
	fd = listen_path(path);
	check(fd >= 0 && !stat(path, &st) && (st.st_mode & 0777) == 0666 &&
	      (fcntl(fd, F_GETFL) & O_NONBLOCK),
	      "listen: a new socket, mode 0666, non-blocking");
	c = connect_path(path, SOCK_SEQPACKET);
	check(c >= 0, "listen: it takes connections");
	close(c);
	fd2 = listen_path(path);
	check(fd2 == -EADDRINUSE && connect_path(path, SOCK_SEQPACKET) >= 0,
	      "listen: a live socket is left alone: -EADDRINUSE");
	close(fd);
	unlink(path);

	/* A socket file nobody listens on any more. */
	stale = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	bind(stale, (struct sockaddr *)&addr, sizeof(addr));
	close(stale);
	fd = listen_path(path);
	check(fd >= 0 && connect_path(path, SOCK_SEQPACKET) >= 0,
	      "listen: a stale socket file is replaced");
	close(fd);
	unlink(path);

	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	check(listen_path(path) == -EEXIST && !stat(path, &st) &&
	      S_ISREG(st.st_mode), "listen: a file that is no socket: -EEXIST, kept");
	unlink(path);
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	check(listen_path(big) == -ENAMETOOLONG, "listen: a path too long");
	snprintf(path, sizeof(path), "%s/no/such/dir/sock", tmpdir);
	check(listen_path(path) == -ENOENT, "listen: no such directory");
}

/*
 * In a child: put a socket of @type (listening if @listening) at fd 3, and
 * @extra more fds after it, set LISTEN_* to @pid_env or our pid, run
 * listen_systemd(). Exit status: 0 if it returned @want, LISTEN_* are
 * unset (when they were ours), and the extra fds are closed.
 */
static bool systemd_case(int type, bool listening, int extra,
			 const char *pid_env, int want)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char num[32];
	int status, fd, i, ret;
	pid_t pid = fork();

	if (pid == 0) {
		fd = socket(AF_UNIX, type, 0);
		/* An address length of just the family: autobind. */
		if (listening && (bind(fd, (struct sockaddr *)&addr,
				       sizeof(sa_family_t)) || listen(fd, 1)))
			_exit(5);
		dup2(fd, LISTEN_FDS_START);
		for (i = 1; i <= extra; i++)
			dup2(fd, LISTEN_FDS_START + i);
		if (fd != LISTEN_FDS_START)
			close(fd);
		snprintf(num, sizeof(num), "%d", (int)getpid());
		setenv("LISTEN_PID", pid_env ? pid_env : num, 1);
		snprintf(num, sizeof(num), "%d", extra + 1);
		setenv("LISTEN_FDS", num, 1);
		ret = listen_systemd();
		if (ret != want) {
			fprintf(stderr, "listen_systemd: %d\n", ret);
			_exit(1);
		}
		if (!pid_env && (getenv("LISTEN_PID") || getenv("LISTEN_FDS")))
			_exit(2);
		for (i = 1; i <= extra; i++)
			if (fcntl(LISTEN_FDS_START + i, F_GETFD) != -1)
				_exit(3);
		if (ret >= 0 && !(fcntl(ret, F_GETFD) & FD_CLOEXEC))
			_exit(4);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("# child status %#x\n", status);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_systemd(void)
{
	check(systemd_case(SOCK_SEQPACKET, true, 0, NULL, LISTEN_FDS_START),
	      "systemd: the passed socket is fd 3, variables unset");
	check(systemd_case(SOCK_SEQPACKET, true, 2, NULL, LISTEN_FDS_START),
	      "systemd: further passed fds are closed");
	check(systemd_case(SOCK_SEQPACKET, true, 0, "1", -ENOENT),
	      "systemd: LISTEN_PID of another process: not ours, -ENOENT");
	check(systemd_case(SOCK_STREAM, true, 0, NULL, -EINVAL),
	      "systemd: a stream socket is refused: -EINVAL");
	check(systemd_case(SOCK_SEQPACKET, false, 0, NULL, -EINVAL),
	      "systemd: a socket not listening is refused: -EINVAL");
}

/* --- privileges.c (as root) ---------------------------------------------- */

/* The hex value of @key in /proc/self/status, or ~0. */
static unsigned long long status_hex(const char *key)
{
	char line[256];
	unsigned long long v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtoull(line + strlen(key), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

/* In a child: drop as told, then compare the sets: exit 0 if as wanted. */
static bool drop_case(bool set_user, bool keep_cap, int want,
		      unsigned long long caps)
{
	const gid_t groups[] = { 10, 20 };
	int status, ret;
	pid_t pid = fork();

	if (pid == 0) {
		/* Groups to drop: root may have none. */
		if (setgroups(ARRAY_SIZE(groups), groups))
			_exit(6);
		ret = privileges_drop(set_user, 65534, 65533, keep_cap);
		if (ret != want)
			_exit(1);
		if (ret)
			_exit(0);
		if (set_user && (getuid() != 65534 || geteuid() != 65534 ||
				 getgid() != 65533 || getgroups(0, NULL)))
			_exit(2);
		if (status_hex("CapEff:") != caps ||
		    status_hex("CapPrm:") != caps ||
		    status_hex("CapAmb:") != (keep_cap ? caps : 0))
			_exit(3);
		if (privileges_have_sys_resource() != !!caps)
			_exit(4);
		/* Nothing to gain back: bounding set, no_new_privs, securebits. */
		if (set_user && (status_hex("CapBnd:") != caps ||
				 status_hex("CapInh:") != (keep_cap ? caps : 0)))
			_exit(7);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			_exit(8);
		if (set_user && prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) !=
		    (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
		     SECBIT_NO_CAP_AMBIENT_RAISE |
		     SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED))
			_exit(9);
		/* Once dropped, it cannot be kept again. */
		if (keep_cap && privileges_drop(false, 0, 0, false))
			_exit(5);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("# child status %#x\n", status);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_privileges(void)
{
	const unsigned long long sys_resource = 1ULL << 24;
	char line[512];
	int status;
	pid_t pid;

	int have = privileges_have_sys_resource();

	if (geteuid()) {
		skip("privileges", "not root");
		return;
	}
	if (have) {
		check(drop_case(true, true, 0, sys_resource),
		      "privileges: --user --keep-cap-sys-resource: uid, gid, no groups, CAP_SYS_RESOURCE permitted, effective, inheritable, ambient, bounding; no_new_privs, securebits locked");
		check(drop_case(false, true, 0, sys_resource),
		      "privileges: --keep-cap-sys-resource alone: only that one");
	} else {
		/* A container without it (the guest test has it). */
		check(drop_case(true, true, -EPERM, 0),
		      "privileges: --keep-cap-sys-resource without it: -EPERM");
	}
	check(drop_case(true, false, 0, 0),
	      "privileges: --user alone: no capability at all, none in the bounding set; no_new_privs, securebits locked");
	pid = fork();
	if (pid == 0) {
		privileges_drop(true, 65534, 65534, false);
		_exit(privileges_drop(false, 0, 0, true) == -EPERM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "privileges: keeping a capability not held: -EPERM");
	privileges_describe(line, sizeof(line));
	check(strstr(line, "uid 0 gid 0") &&
	      strstr(line, have ? ": CAP_SYS_RESOURCE, may" :
			     ": no CAP_SYS_RESOURCE, may"),
	      "privileges: described: %s", line);
}

/* --- handle.c without a heap --------------------------------------------- */

/* Run handle_packet() for a peer of @uid, stderr in @log: its result. */
static int handle_as(uid_t uid, const struct allocd_config *cfg,
		     const void *pkt, size_t len, const int *fds,
		     unsigned int nfds, struct dmabuf_allocd_reply *rep, int *buf,
		     char *log, size_t size)
{
	int saved = dup(2), tmp = open(tmpdir, O_TMPFILE | O_RDWR, 0600);
	struct peer_id who = {
		.pidfd = pidfd_open(getpid()), .pid = getpid(), .uid = uid,
	};
	ssize_t n;
	int ret;

	dup2(tmp, 2);
	ret = handle_packet(cfg, &who, pkt, len, 0, fds, nfds, rep, buf);
	dup2(saved, 2);
	close(saved);
	n = pread(tmp, log, size - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(tmp);
	close(who.pidfd);
	return ret;
}

/* The same as ourselves. */
static int handle_logged(const struct allocd_config *cfg, const void *pkt,
			 size_t len, const int *fds, unsigned int nfds,
			 struct dmabuf_allocd_reply *rep, int *buf,
			 char *log, size_t size)
{
	return handle_as(getuid(), cfg, pkt, len, fds, nfds, rep, buf, log,
			 size);
}

/*
 * A process that waits to be killed, as @uid, in cgroup @cg (a directory
 * under the cgroup v2 mount; NULL: ours): its pid, or -1. It has its uid
 * when this returns: it says so through a pipe, where a sleep would only
 * make it likely.
 */
static pid_t idle_process(uid_t uid, const char *cg)
{
	char path[512], num[16], ready = 0;
	int fd, ends[2];
	pid_t pid;

	if (pipe2(ends, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ends[0]);
		if (uid && setresuid(uid, uid, uid))
			_exit(1);
		if (write(ends[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ends[1]);
	if (pid > 0 && read(ends[0], &ready, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ends[0]);
	if (pid < 0 || !cg)
		return pid;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(num, sizeof(num), "%d", (int)pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, num, strlen(num)) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	if (fd >= 0)
		close(fd);
	return pid;
}

static void stop_process(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/*
 * A new cgroup below ours on the cgroup v2 mount: its directory in @dir,
 * its path as /proc/PID/cgroup shows it in @name; or -1 if there is none
 * to make one in.
 */
static int make_cgroup(char *dir, size_t dsize, char *name, size_t nsize)
{
	char line[4096], mine[512], mnt[1024] = "", root[1024];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - cgroup2 ..." */
	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, " - cgroup2 ") &&
		    sscanf(line, "%*s %*s %*s %1023s %1023s", root, mnt) == 2 &&
		    !strcmp(root, "/"))
			break;
		mnt[0] = '\0';
	}
	if (f)
		fclose(f);
	own_cgroup(mine, sizeof(mine));
	if (!mnt[0] || !mine[0])
		return -1;
	snprintf(name, nsize, "%s%sallocd-unit-%d", mine,
		 strcmp(mine, "/") ? "/" : "", (int)getpid());
	snprintf(dir, dsize, "%s%s", mnt, name);
	return mkdir(dir, 0755) && errno != EEXIST ? -1 : 0;
}

/*
 * Who a trusted peer may forward for: not the daemon, nor a process in the
 * daemon's cgroup or above; a process of its own uid, or any for root;
 * with --forward-to-cgroup, a process in one of those cgroups.
 */
static void test_forward_targets(void)
{
	struct dmabuf_allocd_request r = good_request();
	struct dmabuf_allocd_reply rep;
	struct allocd_config cfg;
	char log[4096], msg[256], dir[2048], name[600];
	pid_t p1000, p1001;
	int fd1000, fd1001, self, buf, ret;

	SET(r.heap, "no-such-heap");
	r.flags = DMABUF_ALLOCD_FOR_PIDFD;
	parse(&cfg, msg, sizeof(msg), "--allow-forward-uid", "0",
	      "--allow-forward-uid", "1000", "--allow-forward-uid", "1001",
	      NULL);
	self = pidfd_open(getpid());
	ret = handle_logged(&cfg, &r, sizeof(r), &self, 1, &rep, &buf, log,
			    sizeof(log));
	check(!ret && rep.status == -EPERM &&
	      strstr(log, "result=EPERM reason=\"the target is in the daemon's cgroup"),
	      "forward: for the daemon itself, even from root: -EPERM, logged");
	printf("# %s", log);
	close(self);

	if (getuid() || make_cgroup(dir, sizeof(dir), name, sizeof(name))) {
		skip("forward:", "no cgroup v2 to make one in, or not root");
		return;
	}
	p1000 = idle_process(1000, dir);
	p1001 = idle_process(1001, dir);
	fd1000 = pidfd_open(p1000);
	fd1001 = pidfd_open(p1001);
	ret = handle_as(1000, &cfg, &r, sizeof(r), &fd1000, 1, &rep, &buf, log,
			sizeof(log));
	check(!ret && rep.status == -ENOENT,
	      "forward: for a process of the peer's uid in another cgroup: served (-ENOENT, no heap)");
	ret = handle_as(0, &cfg, &r, sizeof(r), &fd1000, 1, &rep, &buf, log,
			sizeof(log));
	check(!ret && rep.status == -ENOENT,
	      "forward: from root, for another uid: served");
	ret = handle_as(1001, &cfg, &r, sizeof(r), &fd1000, 1, &rep, &buf, log,
			sizeof(log));
	check(!ret && rep.status == -EPERM &&
	      strstr(log, "reason=\"the target is another uid's process"),
	      "forward: for another uid's process: -EPERM, logged");
	printf("# %s", log);

	parse(&cfg, msg, sizeof(msg), "--allow-forward-uid", "1001",
	      "--allow-forward-uid", "0", "--forward-to-cgroup", name, NULL);
	ret = handle_as(1001, &cfg, &r, sizeof(r), &fd1000, 1, &rep, &buf, log,
			sizeof(log));
	check(!ret && rep.status == -ENOENT,
	      "forward: inside --forward-to-cgroup, for another uid: served");
	parse(&cfg, msg, sizeof(msg), "--allow-forward-uid", "1001",
	      "--allow-forward-uid", "0", "--forward-to-cgroup", "/elsewhere",
	      NULL);
	ret = handle_as(0, &cfg, &r, sizeof(r), &fd1001, 1, &rep, &buf, log,
			sizeof(log));
	check(!ret && rep.status == -EPERM &&
	      strstr(log, "reason=\"the target is not in a cgroup of --forward-to-cgroup\""),
	      "forward: outside --forward-to-cgroup, even from root, even its own uid: -EPERM");
	printf("# %s", log);
	close(fd1000);
	close(fd1001);
	stop_process(p1000);
	stop_process(p1001);
	usleep(50000);
	rmdir(dir);
}

static void test_handle(void)
{
	struct dmabuf_allocd_request r = good_request();
	struct dmabuf_allocd_reply rep;
	struct allocd_config cfg;
	char log[4096], mine[2048], msg[256], want[4200];
	int fd, pidfd, buf, ret;

	own_cgroup(mine, sizeof(mine));
	parse(&cfg, msg, sizeof(msg), "--allow-forward-uid", "4242", NULL);
	SET(r.heap, "no-such-heap");
	ret = handle_logged(&cfg, &r, sizeof(r), NULL, 0, &rep, &buf, log,
			    sizeof(log));
	snprintf(want, sizeof(want), "alloc pid=%d uid=%u cgroup=\"%s\" ",
		 (int)getpid(), getuid(), mine);
	check(!ret && rep.status == -ENOENT && rep.seq == 77 && buf == -1 &&
	      is(log, want, "for=self heap=\"no-such-heap\" size=4096 ",
		 "name=\"frame\" result=ENOENT reason=\"no such heap\"\n", NULL),
	      "handle: no such heap: -ENOENT, logged");
	printf("# %s", log);

	r.flags = DMABUF_ALLOCD_FOR_PIDFD;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ret = handle_logged(&cfg, &r, sizeof(r), &fd, 1, &rep, &buf, log,
			    sizeof(log));
	check(!ret && rep.status == -EBADF && buf == -1 &&
	      strstr(log, " for=badfd ") && strstr(log, "result=EBADF") &&
	      fcntl(fd, F_GETFD) >= 0,
	      "handle: a forwarded fd that is no pidfd: -EBADF, the fd left to the caller");
	close(fd);

	pidfd = pidfd_open(getppid());
	ret = handle_logged(&cfg, &r, sizeof(r), &pidfd, 1, &rep, &buf, log,
			    sizeof(log));
	snprintf(want, sizeof(want), " for=%d for_cgroup=\"", (int)getppid());
	check(!ret && rep.status == -EPERM && buf == -1 &&
	      strstr(log, want) && strstr(log, "result=EPERM reason=\"this peer may not"),
	      "handle: a forward from a peer not allowed: -EPERM, logged");
	printf("# %s", log);

	/* Allowed to forward, but not for a process in our own cgroup. */
	parse(&cfg, msg, sizeof(msg), "--allow-forward-cgroup", mine, NULL);
	ret = handle_logged(&cfg, &r, sizeof(r), &pidfd, 1, &rep, &buf, log,
			    sizeof(log));
	check(!ret && rep.status == -EPERM && strstr(log, "daemon's cgroup"),
	      "handle: a forward from an allowed cgroup for a process in the daemon's: -EPERM");
	parse(&cfg, msg, sizeof(msg), "--allow-forward-uid", "0", "--max-size",
	      "4K", NULL);
	r.len = 8192;
	ret = handle_logged(&cfg, &r, sizeof(r), &pidfd, 1, &rep, &buf, log,
			    sizeof(log));
	check(!ret && rep.status == -EFBIG && strstr(log, "result=EFBIG"),
	      "handle: over --max-size: -EFBIG, logged");
	close(pidfd);
	r.magic = 1;
	ret = handle_logged(&cfg, &r, sizeof(r), NULL, 0, &rep, &buf, log,
			    sizeof(log));
	check(ret == REQUEST_CLOSE && strstr(log, "close pid=") &&
	      strstr(log, "reason=\"bad magic\""),
	      "handle: bad magic: close the connection, logged");
}

/* --- server.c, with real clients ------------------------------------------ */

static char sock_path[128], log_path[128];

/* Start server_run() in a child with @args: its pid. */
static pid_t start_server(int *lfd, ...)
{
	char *argv[40] = { "dmabuf-allocd" }, *a;
	struct allocd_config cfg;
	int argc = 1, logfd;
	sigset_t set;
	va_list ap;
	pid_t pid;

	va_start(ap, lfd);
	while ((a = va_arg(ap, char *)) && argc < 39)
		argv[argc++] = a;
	va_end(ap);
	snprintf(sock_path, sizeof(sock_path), "%s/server.sock", tmpdir);
	snprintf(log_path, sizeof(log_path), "%s/server.log", tmpdir);
	unlink(sock_path);
	*lfd = listen_path(sock_path);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (options_parse(&cfg, argc, argv, stderr, stderr))
			_exit(2);
		logfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			     0600);
		dup2(logfd, 2);
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_BLOCK, &set, NULL);
		_exit(server_run(*lfd, &cfg) ? 1 : 0);
	}
	close(*lfd);
	return pid;
}

/* Send @r (seq @seq) with @nfds copies of stdin; returns sendmsg()'s. */
static ssize_t send_req(int sock, const void *r, size_t len, int nfds,
			int flags)
{
	union {
		char buf[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)r, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	int fds[16], i;

	for (i = 0; i < nfds; i++)
		fds[i] = 0;
	if (nfds) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL | flags);
}

/* Receive a reply within 2 s: its length (0: closed), -1 on error. */
static ssize_t recv_reply(int sock, struct dmabuf_allocd_reply *rep,
			  int *nfds)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = rep, .iov_len = sizeof(*rep) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct timeval tv = { .tv_sec = 2 };
	ssize_t n;

	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(rep, 0, sizeof(*rep));
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	*nfds = CMSG_FIRSTHDR(&msg) ? 1 : 0;
	return n;
}

/* One request, one reply: the reply's status, or 1 if none came. */
static int ask(int sock, struct dmabuf_allocd_request *r, int nfds)
{
	struct dmabuf_allocd_reply rep;
	int got;

	if (send_req(sock, r, sizeof(*r), nfds, 0) != sizeof(*r) ||
	    recv_reply(sock, &rep, &got) != sizeof(rep) || got ||
	    rep.seq != r->seq || rep.magic != DMABUF_ALLOCD_MAGIC)
		return 1;
	return rep.status;
}

static int count_fds(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Wait up to 2 s for @pid to have @want fds open. */
static bool fds_become(pid_t pid, int want)
{
	int i;

	for (i = 0; i < 200 && count_fds(pid) != want; i++)
		usleep(10000);
	return count_fds(pid) == want;
}

/* How many times @text is in the server's log. */
static int log_count(const char *text)
{
	char buf[65536], *at;
	int fd = open(log_path, O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[len > 0 ? len : 0] = '\0';
	for (at = strstr(buf, text); at; at = strstr(at + 1, text))
		n++;
	return n;
}

static bool log_has(const char *text)
{
	char buf[65536];
	int fd = open(log_path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, text);
}

static void test_server(void)
{
	struct dmabuf_allocd_request r = good_request(), bad;
	struct dmabuf_allocd_reply rep;
	unsigned char big[600] = { 0 };
	int lfd, a, b, c, extra, base, got, status, i, sent, ok;
	bool settled;
	pid_t pid;

	SET(r.heap, "no-such-heap");
	pid = start_server(&lfd, "--max-clients", "3", "--max-clients-per-uid",
			   "3", "--max-outstanding", "2", "--allow-forward-uid",
			   "4242", NULL);
	a = connect_path(sock_path, SOCK_SEQPACKET);
	check(ask(a, &r, 0) == -ENOENT, "server: a request is answered (-ENOENT: no heap here)");
	base = count_fds(pid);

	bad = r;
	bad.flags = 4;
	check(ask(a, &bad, 0) == -EINVAL && ask(a, &r, 0) == -ENOENT,
	      "server: -EINVAL, and the connection goes on");
	bad = r;
	bad.version = 2;
	check(ask(a, &bad, 0) == -EPROTONOSUPPORT,
	      "server: version 2: -EPROTONOSUPPORT");
	bad = r;
	bad.flags = DMABUF_ALLOCD_FOR_PIDFD;
	check(ask(a, &bad, 1) == -EBADF, "server: a forwarded fd that is no pidfd: -EBADF");
	check(ask(a, &bad, 10) == -EBADF && fds_become(pid, base),
	      "server: 10 fds (more than it reads): -EBADF, none kept");
	check(ask(a, &r, 3) == -EBADF && fds_become(pid, base),
	      "server: fds without FOR_PIDFD: -EBADF, none kept");
	memcpy(big, &r, sizeof(r));
	check(send_req(a, big, 300, 0, 0) == 300 &&
	      recv_reply(a, &rep, &got) == sizeof(rep) &&
	      rep.status == -EPROTONOSUPPORT && rep.seq == r.seq,
	      "server: an oversized packet: -EPROTONOSUPPORT");
	check(send_req(a, big, sizeof(big), 0, 0) == sizeof(big) &&
	      recv_reply(a, &rep, &got) == sizeof(rep) &&
	      rep.status == -EPROTONOSUPPORT,
	      "server: one larger than its buffer (MSG_TRUNC): -EPROTONOSUPPORT");
	check(send_req(a, &r, 20, 2, 0) == 20 &&
	      recv_reply(a, &rep, &got) == 0 && fds_become(pid, base - 2),
	      "server: a short packet with fds closes the connection, fds closed");
	check(log_has("reason=\"packet shorter than its size field\""),
	      "server: the close is logged");
	close(a);

	/* --max-clients 3 */
	a = connect_path(sock_path, SOCK_SEQPACKET);
	b = connect_path(sock_path, SOCK_SEQPACKET);
	c = connect_path(sock_path, SOCK_SEQPACKET);
	extra = connect_path(sock_path, SOCK_SEQPACKET);
	check(ask(c, &r, 0) == -ENOENT &&
	      recv_reply(extra, &rep, &got) == 0,
	      "server: a 4th client over --max-clients 3 is closed at once");
	check(log_has("reason=\"too many clients (--max-clients), 1 refused\""),
	      "server: and logged");
	/*
	 * The daemon closes sockets in a thread of its own, so the count is
	 * awaited, not read: @base was one client's socket and pidfd; now
	 * three clients', the refused one's closed, then c's.
	 */
	close(extra);
	settled = fds_become(pid, base + 4);
	close(c);
	check(settled && fds_become(pid, base + 2),
	      "server: a client that leaves is forgotten, its 2 fds closed");
	c = connect_path(sock_path, SOCK_SEQPACKET);
	check(ask(c, &r, 0) == -ENOENT, "server: once one left, another is taken");
	base = count_fds(pid);

	/* b never reads: its replies queue, then the daemon stops reading it. */
	for (sent = 0; sent < 1000; sent++) {
		r.seq = 1000 + sent;
		if (send_req(b, &r, sizeof(r), 0, MSG_DONTWAIT) != sizeof(r))
			break;
	}
	r.seq = 77;
	check(sent > 2 && sent < 1000,
	      "server: a client that does not read is no longer read (%d sent before its socket filled)",
	      sent);
	check(ask(c, &r, 0) == -ENOENT,
	      "server: meanwhile another client is served");
	ok = 1;
	for (i = 0; i < sent && ok; i++)
		ok = recv_reply(b, &rep, &got) == sizeof(rep) &&
		     rep.seq == (unsigned int)(1000 + i) &&
		     rep.status == -ENOENT;
	check(ok, "server: once it reads, it gets all %d replies, in order",
	      sent);
	check(ask(b, &r, 0) == -ENOENT, "server: and it is served again");

	/* a sends plenty and goes: what was queued for it is dropped. */
	for (i = 0; i < 200; i++)
		if (send_req(a, &r, sizeof(r), 0, MSG_DONTWAIT) != sizeof(r))
			break;
	close(a);
	check(fds_become(pid, base - 2),
	      "server: a client gone with replies queued: its fds are closed");

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "server: SIGTERM: exit 0");
	check(log_has("Terminated: exiting"), "server: the exit is logged");
	close(b);
	close(c);
}

/*
 * A child of uid 1000 that holds 2 connections and tries 4 more, then
 * after a second one more: it writes on @out how many of the 4, then of
 * the 1, were closed at once, and waits to be killed.
 */
static pid_t greedy_uid(int out)
{
	int socks[7], closed, i;
	pid_t pid = fork();
	char byte;

	if (pid)
		return pid;
	if (setresuid(1000, 1000, 1000))
		_exit(1);
	for (i = 0; i < 6; i++)
		socks[i] = connect_path(sock_path, SOCK_SEQPACKET);
	usleep(300000);
	for (i = 0, closed = 0; i < 6; i++)
		closed += socks[i] >= 0 && recv(socks[i], &byte, 1,
						MSG_DONTWAIT) == 0;
	if (write(out, &closed, sizeof(closed)) < 0)
		_exit(1);
	usleep(1100000);
	socks[6] = connect_path(sock_path, SOCK_SEQPACKET);
	usleep(300000);
	closed = socks[6] >= 0 && recv(socks[6], &byte, 1, MSG_DONTWAIT) == 0;
	if (write(out, &closed, sizeof(closed)) < 0)
		_exit(1);
	pause();
	_exit(0);
}

/* One uid holding its share of the slots does not keep another uid out. */
static void test_per_uid(void)
{
	struct dmabuf_allocd_request r = good_request();
	int lfd, fds[2], closed = -1, later = -1, sock, status;
	pid_t pid, greedy;

	SET(r.heap, "no-such-heap");
	/* uid 1000 must reach the socket. */
	chmod(tmpdir, 0711);
	pid = start_server(&lfd, "--max-clients", "4", "--max-clients-per-uid",
			   "2", NULL);
	if (pipe2(fds, O_CLOEXEC))
		return;
	greedy = greedy_uid(fds[1]);
	close(fds[1]);
	if (read(fds[0], &closed, sizeof(closed)) != sizeof(closed))
		closed = -1;
	check(closed == 4,
	      "per uid: of uid 1000's 6 connections, the 4 past --max-clients-per-uid 2 are closed at once (%d)",
	      closed);
	sock = connect_path(sock_path, SOCK_SEQPACKET);
	check(sock >= 0 && ask(sock, &r, 0) == -ENOENT,
	      "per uid: meanwhile uid 0 is served (--max-clients 4)");
	if (read(fds[0], &later, sizeof(later)) != sizeof(later))
		later = -1;
	check(later == 1 && log_count("reason=\"too many clients of this uid") == 2 &&
	      log_has(" uid=1000 ") &&
	      log_has("this uid (--max-clients-per-uid), 1 refused\"") &&
	      log_has("this uid (--max-clients-per-uid), 4 refused\""),
	      "per uid: logged once a second at most, with the refusals each line stands for");
	close(fds[0]);
	close(sock);
	stop_process(greedy);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && !WEXITSTATUS(status), "per uid: exit 0");
}

/* --- a close() that blocks: the closer thread ----------------------------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * A TCP socket whose last close() blocks for an hour: SO_LINGER {1, 3600}
 * and data queued for a peer (@peer, with its @listener) that never reads,
 * so that the FIN cannot go out. Or -1.
 */
static int lingering_socket(int *peer, int *listener)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct linger linger = { .l_onoff = 1, .l_linger = 3600 };
	socklen_t len = sizeof(addr);
	static char junk[65536];
	int rcvbuf = 4096, s, i, full = 0;

	*peer = -1;
	*listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(*listener, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(*listener, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(*listener, 1) ||
	    getsockname(*listener, (struct sockaddr *)&addr, &len))
		return -1;
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (setsockopt(s, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger)) ||
	    connect(s, (struct sockaddr *)&addr, sizeof(addr)))
		return -1;
	*peer = accept4(*listener, NULL, NULL, SOCK_CLOEXEC);
	fcntl(s, F_SETFL, O_NONBLOCK);
	/* Until the peer's window and our send buffer stay full. */
	for (i = 0; i < 10000 && full < 3; i++) {
		if (write(s, junk, sizeof(junk)) >= 0) {
			full = 0;
		} else if (errno == EAGAIN) {
			full++;
			usleep(20000);
		} else {
			return -1;
		}
	}
	return *peer >= 0 && full == 3 ? s : -1;
}

/* Wait up to @ms for @pid to exit: its status, or -1 (then it is killed). */
static int exits_within(pid_t pid, int ms)
{
	long long end = now_ms() + ms;
	int status;

	while (now_ms() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Send @r with fd @fd (FOR_PIDFD): 0 or -1. */
static int send_fd(int sock, struct dmabuf_allocd_request *r, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl = { 0 };
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(*r) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	r->flags = DMABUF_ALLOCD_FOR_PIDFD;
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == sizeof(*r) ? 0 : -1;
}

/* Send @r (FOR_PIDFD) with @n copies of /dev/null (253 at most): 0 or -1. */
static int send_nfds(int sock, struct dmabuf_allocd_request *r, int n)
{
	union {
		char buf[CMSG_SPACE(253 * sizeof(int))];
		struct cmsghdr align;
	} ctl = { 0 };
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(*r) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), i, ret;

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(n * sizeof(int));
	for (i = 0; i < n; i++)
		memcpy(CMSG_DATA(cmsg) + i * sizeof(int), &fd, sizeof(int));
	r->flags = DMABUF_ALLOCD_FOR_PIDFD;
	ret = sendmsg(sock, &msg, MSG_NOSIGNAL) == sizeof(*r) ? 0 : -1;
	close(fd);
	return ret;
}

/* The status of the next reply on @sock, or 1 if none came in 2 s. */
static int reply_status(int sock)
{
	struct dmabuf_allocd_reply rep;
	int got;

	return recv_reply(sock, &rep, &got) == sizeof(rep) ? rep.status : 1;
}

/* An honest request on a new connection: its status and how long it took. */
static int timed_ask(struct dmabuf_allocd_request *r, long long *ms)
{
	long long start = now_ms();
	int sock = connect_path(sock_path, SOCK_SEQPACKET), ret;

	r->flags = 0;
	ret = sock < 0 ? 1 : ask(sock, r, 0);
	*ms = now_ms() - start;
	if (sock >= 0)
		close(sock);
	return ret;
}

/*
 * A client hands the daemon an fd whose last close() blocks: with a request
 * (the daemon closes what it received), and in the unread queue of a
 * connection it then drops. Neither may stop the event loop: the closer
 * thread gets stuck instead, and SIGTERM still ends the daemon. The daemon
 * is stopped while the fd is sent and the test's own copy closed, so that
 * the daemon holds the last reference.
 */
static void test_stuck_close(void)
{
	struct dmabuf_allocd_request r = good_request();
	struct dmabuf_allocd_reply rep;
	int lfd, a, s, peer[2], listener[2], i, status, ret, got;
	long long ms;
	pid_t pid;

	SET(r.heap, "no-such-heap");
	pid = start_server(&lfd, "--max-clients", "8", NULL);
	a = connect_path(sock_path, SOCK_SEQPACKET);
	s = lingering_socket(&peer[0], &listener[0]);
	if (!check(s >= 0 && a >= 0 && ask(a, &r, 0) == -ENOENT,
		   "stuck close: a TCP socket whose close() blocks")) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return;
	}
	kill(pid, SIGSTOP);
	ret = send_fd(a, &r, s);
	close(s);
	kill(pid, SIGCONT);
	check(!ret && reply_status(a) == -EBADF,
	      "stuck close: it is forwarded (no pidfd): -EBADF, replied");
	ret = timed_ask(&r, &ms);
	check(ret == -ENOENT && ms < 2000,
	      "stuck close: with the closer stuck on it, another client is served (%d, %lld ms)",
	      ret, ms);

	/* Unread in the queue of a client that is gone before it is read. */
	s = lingering_socket(&peer[1], &listener[1]);
	kill(pid, SIGSTOP);
	a = connect_path(sock_path, SOCK_SEQPACKET);
	ret = send_fd(a, &r, s);
	close(s);
	close(a);
	kill(pid, SIGCONT);
	usleep(100000);
	check(!ret, "stuck close: another such fd left unread by a client gone");
	ret = timed_ask(&r, &ms);
	check(ret == -ENOENT && ms < 2000,
	      "stuck close: its socket closed, another client is served (%d, %lld ms)",
	      ret, ms);
	check(log_has("reason=\"the forwarded fd is not a pidfd\""),
	      "stuck close: the refusal was logged");

	/*
	 * The fds sent pile up behind the stuck close; with 512 of them
	 * waiting, a client that sends more is dropped, not read, lest the
	 * kernel close them in the loop once the daemon is out of fds.
	 */
	a = connect_path(sock_path, SOCK_SEQPACKET);
	for (i = 0, ret = 0; i < 3; i++)
		ret |= send_nfds(a, &r, 200) || reply_status(a) != -EBADF;
	check(!ret, "stuck close: 3 x 200 fds sent, each time -EBADF");
	ret = send_nfds(a, &r, 1) ? 2 : recv_reply(a, &rep, &got);
	check(ret == 0 && log_has("sent fds while 60") &&
	      log_has("fds wait to be closed (a close() is stuck), 1 refused\""),
	      "stuck close: then a client that sends fds is dropped unread, logged (%d)",
	      ret);
	close(a);
	ret = timed_ask(&r, &ms);
	check(ret == -ENOENT && ms < 2000,
	      "stuck close: one that sends none is still served (%d, %lld ms)",
	      ret, ms);

	kill(pid, SIGTERM);
	status = exits_within(pid, 5000);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "stuck close: SIGTERM: exit 0 within 5 s (status %#x)", status);
	for (i = 0; i < 2; i++) {
		close(peer[i]);
		close(listener[i]);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/allocd-unit.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("1..0 # SKIP no temporary directory\n");
		return 1;
	}
	test_request();
	test_options();
	test_policy();
	test_policy_targets();
	test_log();
	test_peer();
	test_listen();
	test_systemd();
	test_privileges();
	test_handle();
	test_forward_targets();
	test_server();
	test_per_uid();
	test_stuck_close();
	unlink(sock_path);
	unlink(log_path);
	rmdir(tmpdir);
	return tap_done();
}
