// SPDX-License-Identifier: GPL-2.0
/*
 * dmaheap's host test: sizes in and out, every verb's arguments, the hints
 * for each errno, the error paths that need no dma-buf heap, and what
 * alloc --service asks a stand-in of dmabuf-allocd. TAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dmabuf-allocd.h"
#include "args.h"
#include "errors.h"
#include "size.h"
#include "verbs.h"
#include "../common/tap.h"

/* Make @s one line, for a TAP line */
static char *one_line(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (*p == '\n')
			*p = p[1] ? '|' : '\0';
	return s;
}

/* --- sizes ---------------------------------------------------------------- */

static void size_in(const char *s, int want_ret, size_t want)
{
	size_t len = 0;
	int ret = size_parse(s, &len);

	if (want_ret)
		check(ret == want_ret, "size '%s' is refused: %s (got %d)", s,
		      strerror(-want_ret), ret);
	else
		check(!ret && len == want, "size '%s' is %zu bytes (got %d, %zu)",
		      s, want, ret, len);
}

static void size_out(uint64_t len, const char *want)
{
	char buf[SIZE_FORMAT_MAX];
	size_t back = 0;

	size_format(len, buf);
	check(!strcmp(buf, want) && !size_parse(buf, &back) && back == len,
	      "%llu bytes print as %s and read back (got %s, %zu)",
	      (unsigned long long)len, want, buf, back);
}

static void test_sizes(void)
{
	size_in("4096", 0, 4096);
	size_in("4096B", 0, 4096);
	size_in("4096b", 0, 4096);
	size_in("4K", 0, 4096);
	size_in("4k", 0, 4096);
	size_in("4KiB", 0, 4096);
	size_in("4kib", 0, 4096);
	size_in("8m", 0, 8 << 20);
	size_in("8MiB", 0, 8 << 20);
	size_in("2G", 0, 2ULL << 30);
	size_in("2gib", 0, 2ULL << 30);
	size_in("1.5G", 0, 3ULL << 29);
	size_in("0.5K", 0, 512);
	size_in("007M", 0, 7 << 20);
	size_in("18446744073709551615", 0, SIZE_MAX);
	size_in("17179869183G", 0, 17179869183ULL << 30);
	size_in("1.1K", -EINVAL, 0);	/* 1126.4 bytes */
	size_in("0", -EINVAL, 0);
	size_in("0K", -EINVAL, 0);
	size_in("0.0M", -EINVAL, 0);
	size_in("", -EINVAL, 0);
	size_in("-1", -EINVAL, 0);
	size_in("+1", -EINVAL, 0);
	size_in(" 1", -EINVAL, 0);
	size_in("1M ", -EINVAL, 0);
	size_in("1Mx", -EINVAL, 0);
	size_in("1MB", -EINVAL, 0);
	size_in("1T", -EINVAL, 0);
	size_in("0x10", -EINVAL, 0);
	size_in("1.", -EINVAL, 0);
	size_in(".5M", -EINVAL, 0);
	size_in("1.0000000001G", -EINVAL, 0);
	size_in("M", -EINVAL, 0);
	size_in("18446744073709551616", -ERANGE, 0);
	size_in("99999999999999999999999", -ERANGE, 0);
	size_in("17179869184G", -ERANGE, 0);
	size_in("16777216T", -EINVAL, 0);

	size_out(1, "1B");
	size_out(1023, "1023B");
	size_out(4096, "4K");
	size_out(4097, "4097B");
	size_out(1536, "1.5K");
	size_out(16 << 20, "16M");
	size_out(1280 << 10, "1.25M");
	size_out(3ULL << 29, "1.5G");
	size_out((3ULL << 30) + (1 << 20), "3073M");
	size_out(1ULL << 40, "1024G");
	size_out(UINT64_MAX, "18446744073709551615B");
}

/* --- arguments ------------------------------------------------------------ */

#define MAX_WORDS 32

/* Split @line at blanks into @argv (argv[0] "dmaheap") and parse it */
static int parse(const char *line, struct args *a, char *err, size_t errlen,
		 char *copy, char **argv)
{
	char *word, *save;
	int argc = 0;

	argv[argc++] = "dmaheap";
	snprintf(copy, 1024, "%s", line);
	for (word = strtok_r(copy, " ", &save); word && argc < MAX_WORDS - 1;
	     word = strtok_r(NULL, " ", &save))
		argv[argc++] = word;
	argv[argc] = NULL;
	return args_parse(argc, argv, a, err, errlen);
}

static struct args args;

/* @line parses; returns &args for the caller to check */
static struct args *good(const char *line)
{
	static char copy[1024], *argv[MAX_WORDS], err[512];
	int ret = parse(line, &args, err, sizeof(err), copy, argv);

	if (ret)
		check(false, "'%s' parses (got %d: %s)", line, ret, err);
	return &args;
}

/* @line is bad usage, and the message holds @want */
static void bad(const char *line, const char *want)
{
	char copy[1024], *argv[MAX_WORDS], err[512];
	int ret = parse(line, &args, err, sizeof(err), copy, argv);

	check(ret == -EINVAL && strstr(err, want) && !strchr(err, '\n'),
	      "'%s' is refused: %s", line, want);
	if (ret != -EINVAL || !strstr(err, want))
		diag("got %d: %s", ret, one_line(err));
}

static void test_args_alloc(void)
{
	struct args *a;

	a = good("alloc --size 16M");
	check(a->verb == VERB_ALLOC && a->nsizes == 1 && a->sizes[0] == 16 << 20 &&
	      !strcmp(a->heap, "system") && !a->for_pid && !a->for_cgroup &&
	      !a->name && !a->service && a->hold == -1 && !a->cmd,
	      "alloc --size 16M: one buffer from system, charged to the caller");
	a = good("alloc -H cma -s 1M --size=2M -s3M -p 42 -n buf --hold 5");
	check(!strcmp(a->heap, "cma") && a->nsizes == 3 && a->sizes[0] == 1 << 20 &&
	      a->sizes[1] == 2 << 20 && a->sizes[2] == 3 << 20 && a->for_pid == 42 &&
	      !strcmp(a->name, "buf") && a->hold == 5,
	      "alloc: short, long and --opt=value forms");
	a = good("alloc --size 4K --for-cgroup /sys/fs/cgroup/b -- sh -c true");
	check(!strcmp(a->for_cgroup, "/sys/fs/cgroup/b") && a->cmd &&
	      !strcmp(a->cmd[0], "sh") && !strcmp(a->cmd[1], "-c") &&
	      !strcmp(a->cmd[2], "true") && !a->cmd[3],
	      "alloc --for-cgroup PATH -- CMD ARG...: the command is the rest");
	a = good("alloc --size 4K -- dmaheap alloc --size 1M --hold 1");
	check(a->nsizes == 1 && a->hold == -1 && a->cmd && !strcmp(a->cmd[0], "dmaheap"),
	      "alloc: options after -- are CMD's");
	a = good("alloc --service --size 4K --for-pid 7");
	check(a->service && !a->socket && a->for_pid == 7,
	      "alloc --service: the default socket, and --for-pid forwards");
	a = good("alloc --service /tmp/s --size 4K");
	check(a->service && !strcmp(a->socket, "/tmp/s"), "alloc --service SOCKET");
	a = good("alloc --service=/tmp/t --size 4K");
	check(a->service && !strcmp(a->socket, "/tmp/t"), "alloc --service=SOCKET");
	a = good("alloc --size 4K --hold 0");
	check(a->hold == 0, "alloc --hold 0");
	a = good("alloc --size 1M --name 0123456789012345678901234567890");
	check(a->name && strlen(a->name) == 31, "alloc --name of 31 bytes");
	a = good("alloc --help");
	check(a->help && a->verb == VERB_ALLOC, "alloc --help needs no --size");

	bad("alloc", "--size SIZE is missing");
	bad("alloc --heap system", "--size SIZE is missing");
	bad("alloc --size", "--size needs a value");
	bad("alloc --size 0", "bad size '0'");
	bad("alloc --size 8X", "bad size '8X'");
	bad("alloc --size -4K", "bad size '-4K'");
	bad("alloc --size 99999999999G", "too large");
	bad("alloc --size 1M --for-pid 1 --for-cgroup /x", "--for-pid and --for-cgroup conflict");
	bad("alloc --size 1M --service --for-cgroup /x", "--service and --for-cgroup conflict");
	bad("alloc --size 1M --hold 3 -- true", "--hold and -- CMD conflict");
	bad("alloc --size 1M --", "-- needs a command");
	bad("alloc --size 1M --for-pid 0", "bad pid '0'");
	bad("alloc --size 1M --for-pid -5", "bad pid '-5'");
	bad("alloc --size 1M --for-pid 12x", "bad pid '12x'");
	bad("alloc --size 1M --for-pid 2147483648", "bad pid '2147483648'");
	bad("alloc --size 1M --for-pid 1 --for-pid 2", "--for-pid given twice");
	bad("alloc --size 1M --hold 1 --hold 2", "--hold given twice");
	bad("alloc --size 1M --hold -1", "bad --hold '-1'");
	bad("alloc --size 1M --bogus --help", "unknown option '--bogus'");
	bad("alloc --size 1M --hold 1.5", "bad --hold '1.5'");
	bad("alloc --size 1M --name 01234567890123456789012345678901", "1 to 31 bytes");
	bad("alloc --size 1M --name=", "1 to 31 bytes");
	bad("alloc --size 1M --heap=", "--heap needs a heap name");
	bad("alloc --size 1M --for-cgroup=", "needs a cgroup v2 directory");
	bad("alloc --size 1M --service=", "--service= needs a socket");
	bad("alloc --size 1M --to-pid 1", "unknown option '--to-pid'");
	bad("alloc --size 1M --json", "unknown option '--json'");
	bad("alloc --size 1M --help=yes", "--help takes no value");
	bad("alloc 1M", "unexpected argument '1M'");
	bad("alloc --size 1M --for-pid", "--for-pid needs a value");
}

static void test_args_others(void)
{
	struct args *a;

	a = good("list");
	check(a->verb == VERB_LIST, "list");
	a = good("probe");
	check(a->verb == VERB_PROBE, "probe");
	a = good("--version");
	check(a->verb == VERB_NONE && a->version, "--version");
	a = good("--help");
	check(a->verb == VERB_NONE && a->help, "--help");
	a = good("-h");
	check(a->verb == VERB_NONE && a->help, "-h");
	a = good("who 3 /proc/42/fd/7 /proc/self/fd/9 --json");
	check(a->verb == VERB_WHO && a->json && a->nbufs == 3 &&
	      a->bufs[0].pid == 0 && a->bufs[0].fd == 3 &&
	      a->bufs[1].pid == 42 && a->bufs[1].fd == 7 &&
	      !strcmp(a->bufs[1].text, "/proc/42/fd/7") &&
	      a->bufs[2].pid == 0 && a->bufs[2].fd == 9,
	      "who FD /proc/PID/fd/FD /proc/self/fd/FD --json");
	a = good("xfer /proc/42/fd/7 --to-pid 43");
	check(a->verb == VERB_XFER && a->nbufs == 1 && a->bufs[0].pid == 42 &&
	      a->to_pid == 43 && !a->to_cgroup, "xfer /proc/PID/fd/FD --to-pid PID");
	a = good("xfer -c /sys/fs/cgroup/b 5");
	check(a->to_cgroup && !strcmp(a->to_cgroup, "/sys/fs/cgroup/b") &&
	      a->bufs[0].fd == 5 && !a->to_pid, "xfer -c PATH FD");
	a = good("xfer --to-pid 9 -- 5");
	check(a->nbufs == 1 && a->bufs[0].fd == 5, "xfer: -- ends the options");
	a = good("who --help");
	check(a->help && a->verb == VERB_WHO, "who --help");

	bad("", "no verb");
	bad("frobnicate", "unknown verb 'frobnicate'");
	bad("--frobnicate", "unknown option '--frobnicate'");
	bad("--version list", "unexpected argument 'list'");
	bad("list --version", "unknown option '--version'");
	bad("list extra", "unexpected argument 'extra'");
	bad("probe --json", "unknown option '--json'");
	bad("who", "give a buffer");
	bad("who abc", "bad buffer 'abc'");
	bad("who /proc/0/fd/1", "bad buffer '/proc/0/fd/1'");
	bad("who /proc/42/fd/", "bad buffer '/proc/42/fd/'");
	bad("who /proc/42/fdinfo/3", "bad buffer '/proc/42/fdinfo/3'");
	bad("who /proc/x/fd/3", "bad buffer '/proc/x/fd/3'");
	bad("who /dev/null", "bad buffer '/dev/null'");
	bad("xfer 3", "give one of --to-pid PID and --to-cgroup PATH");
	bad("xfer 3 --to-pid 4 --to-cgroup /x", "give one of --to-pid PID and --to-cgroup PATH");
	bad("xfer --to-pid 4", "give one buffer");
	bad("xfer 3 4 --to-pid 4", "give one buffer");
	bad("xfer 3 --to-pid nobody", "bad pid 'nobody'");
	bad("xfer 3 --size 1M --to-pid 4", "unknown option '--size'");
}

/* args_parse() writes nothing but @args: argv is as it was */
static void test_args_pure(void)
{
	char w[][16] = { "dmaheap", "alloc", "--size=1M", "--service=/s", "--",
			 "cat", "x" };
	char *argv[8];
	int i;

	for (i = 0; i < 7; i++)
		argv[i] = w[i];
	argv[7] = NULL;
	char err[256];

	args_parse(7, argv, &args, err, sizeof(err));
	check(!strcmp(w[2], "--size=1M") && !strcmp(w[3], "--service=/s") &&
	      !strcmp(w[4], "--") && argv[4] == w[4] && !argv[7] &&
	      args.cmd == &argv[5], "args_parse leaves argv alone");
}

/* --- hints ---------------------------------------------------------------- */

static void check_hint(unsigned int ctx, int err, const char *want)
{
	char buf[512];
	const char *h = error_hint(ctx, err, buf, sizeof(buf));

	check(h && strstr(h, want), "hint for %s (ctx %#x) says '%s' (got '%s')",
	      strerrorname_np(err), ctx, want, h ? h : "(none)");
}

/* The brief's own example */
#define EPERM_HINT "the caller needs authority over the target's cgroup or " \
	"CAP_SYS_RESOURCE (see README: who may charge whom)"

static void test_hints(void)
{
	char a[512], b[512];
	char buf[1024];

	error_format(buf, sizeof(buf), HINT_PID | HINT_HEAP, -EPERM,
		     "cannot charge pid 1234");
	check(!strcmp(buf, "cannot charge pid 1234: Operation not permitted: " EPERM_HINT),
	      "EPERM charging a pid: the message names the cause and the way out (got '%s')",
	      buf);
	error_format(buf, sizeof(buf), 0, -EIO, "x");
	check(!strcmp(buf, "x: Input/output error"), "no hint: just strerror (got '%s')", buf);
	check(!strcmp(error_hint(HINT_HEAP, ENOENT, a, sizeof(a)),
		      error_hint(HINT_HEAP, -ENOENT, b, sizeof(b))),
	      "a hint is the same for err and -err");

	check_hint(HINT_PID, EPERM, "CAP_SYS_RESOURCE");
	check_hint(HINT_CGROUP, EPERM, "who may charge whom");
	check_hint(HINT_PID, EACCES, "security module");
	check_hint(HINT_CGROUP, EACCES, "charge_cgroup");
	check_hint(HINT_PID, ESRCH, "exited");
	check_hint(HINT_PID, EBADF, "not a pidfd");
	check_hint(HINT_PID | HINT_HEAP, ENOMEM, "memory.max");
	check_hint(HINT_PID | HINT_HEAP, ENOMEM, "heap is out of memory");
	check_hint(HINT_HEAP, ENOMEM, "memory.max");
	check_hint(HINT_HEAP, ENOMEM, "heap is out of memory");
	check_hint(HINT_PID, EOPNOTSUPP, "lacks the memcg accounting series");
	check_hint(HINT_PID, EOPNOTSUPP, "mem_accounting is off");
	check_hint(HINT_CGROUP, EOPNOTSUPP, "cgroup v1");
	check_hint(HINT_PID | HINT_HEAP, EOPNOTSUPP, "dmaheap probe");
	check_hint(HINT_XFER | HINT_PID, EOPNOTSUPP, "not from a dma-buf heap");
	check_hint(HINT_HEAP, ENOENT, "dmaheap list");
	check_hint(HINT_PID | HINT_HEAP, ENOENT, "no such heap");
	check_hint(HINT_HEAP, EACCES, "/dev/dma_heap");
	check_hint(HINT_CGROUP, ENOTDIR, "cgroup v2 directory");
	check_hint(HINT_CGROUP, EBADF, "not a cgroup v2 directory");
	check_hint(HINT_CGROUP | HINT_XFER, EBADF, "not a cgroup v2 directory");
	check_hint(HINT_CGROUP, ENOENT, "no such cgroup directory");
	check_hint(HINT_CGROUP, EINVAL, "root cgroup");
	check_hint(HINT_SOCKET, ECONNREFUSED, "is dmabuf-allocd running?");
	check_hint(HINT_SOCKET, ENOENT, "is dmabuf-allocd running?");
	check_hint(HINT_SOCKET, EACCES, "permission to connect");
	check_hint(HINT_FORWARD | HINT_SERVICE | HINT_HEAP | HINT_PID, EPERM,
		   "peers its command line trusts");
	/* a plain request: the service has no authority over our cgroup */
	check_hint(HINT_SERVICE | HINT_HEAP, EPERM, "delegated");
	check_hint(HINT_SERVICE | HINT_HEAP, EFBIG, "--max-size");
	check_hint(HINT_SERVICE | HINT_HEAP, EOPNOTSUPP, "series");
	/* pidfd_open() of a thread id: not the root cgroup's hint */
	check_hint(HINT_PID | HINT_HEAP, EINVAL, "thread id");
	check_hint(HINT_PID | HINT_XFER, EINVAL, "root cgroup");
	check_hint(HINT_CGROUP | HINT_XFER, EINVAL, "root cgroup");
	check_hint(HINT_SERVICE | HINT_HEAP, ENOENT, "no such heap");
	check_hint(HINT_SERVICE, EPROTO, "wire format");
	check_hint(HINT_GETFD, EPERM, "ptrace");
	check_hint(HINT_GETFD, ESRCH, "no such process");
	check_hint(HINT_GETFD, EBADF, "no such fd");
	check_hint(HINT_PIDFD, ESRCH, "no such process");
	check_hint(HINT_INFO, EBADF, "not a dma-buf");
	check_hint(HINT_INFO, ENOENT, "no such process");
	check_hint(HINT_INFO, EACCES, "fdinfo");
	check_hint(HINT_INFO, EOPNOTSUPP, "does not name the charged cgroup");
	check_hint(HINT_XFER, EBADF, "not a dma-buf");
	check_hint(HINT_PROBE | HINT_HEAP, ENOENT, "no dma-buf heap to ask");
}

/* --- help ----------------------------------------------------------------- */

static void help_has(enum verb verb, const char *const *words)
{
	const char *text = help_text(verb);
	const char *missing = NULL;

	for (; *words; words++)
		if (!strstr(text, *words))
			missing = *words;
	check(!missing, "dmaheap %s --help names every option (missing: %s)",
	      args_verb_name(verb), missing ? missing : "none");
}

static void test_help(void)
{
	static const char *const none[] = { "list", "alloc", "xfer", "who", "probe",
					    "--version", "Exit status", NULL };
	static const char *const alloc[] = { "--heap", "--size", "--for-pid",
					     "--for-cgroup", "--name", "--service",
					     "--hold", "-- CMD", "Exit status", NULL };
	static const char *const xfer[] = { "--to-pid", "--to-cgroup",
					    "/proc/PID/fd/FD", "pidfd_getfd", NULL };
	static const char *const who[] = { "--json", "/proc/PID/fd/FD", NULL };
	static const char *const probe[] = { "charge_pid_fd", "mem_accounting",
					     "2 cannot tell", NULL };
	static const char *const list[] = { "Exit status", NULL };

	help_has(VERB_NONE, none);
	help_has(VERB_ALLOC, alloc);
	help_has(VERB_XFER, xfer);
	help_has(VERB_WHO, who);
	help_has(VERB_PROBE, probe);
	help_has(VERB_LIST, list);
}

/* --- error paths that need no heap ------------------------------------------ */

/*
 * Run @verb on @line with stderr into @err and stdout into /dev/null;
 * returns its exit status
 */
static int run_verb(int (*verb)(const struct args *), const char *line,
		    char *err, size_t errlen)
{
	char copy[1024], *argv[MAX_WORDS], msg[512];
	FILE *tmp = tmpfile();
	int saved, saved_out, null, status;
	size_t n;

	if (!tmp || parse(line, &args, msg, sizeof(msg), copy, argv)) {
		snprintf(err, errlen, "cannot run '%s'", line);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	saved = dup(2);
	saved_out = dup(1);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	dup2(fileno(tmp), 2);
	dup2(null, 1);
	status = verb(&args);
	fflush(stderr);
	fflush(stdout);
	dup2(saved, 2);
	dup2(saved_out, 1);
	close(saved);
	close(saved_out);
	close(null);
	rewind(tmp);
	n = fread(err, 1, errlen - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	return status;
}

/* Exit status @want and exactly one stderr line "dmaheap: ...@msg..." */
static void fails(int (*verb)(const struct args *), const char *line,
		  int want, const char *msg)
{
	char err[2048];
	int status = run_verb(verb, line, err, sizeof(err));
	char *nl = strchr(err, '\n');
	int good = status == want && !strncmp(err, "dmaheap: ", 9) &&
		   strstr(err, msg) && nl && !nl[1];

	check(good, "'dmaheap %s' exits %d: %s", line, want, msg);
	if (!good)
		diag("got %d: %s", status, one_line(err));
}

static void test_errors(void)
{
	char line[256], path[64], err[512];
	int pipefd[2], sock, status;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	pid_t gone;

	if (pipe2(pipefd, O_CLOEXEC)) {
		check(false, "pipe: %s", strerror(errno));
		return;
	}
	snprintf(line, sizeof(line), "who %d", pipefd[0]);
	fails(cmd_who, line, EXIT_FAILED, "not a dma-buf");
	snprintf(line, sizeof(line), "xfer %d --to-pid 1", pipefd[0]);
	fails(cmd_xfer, line, EXIT_FAILED, "not a dma-buf");
	snprintf(line, sizeof(line), "xfer /proc/self/fd/%d --to-cgroup /", pipefd[1]);
	fails(cmd_xfer, line, EXIT_FAILED, "not a dma-buf");
	fails(cmd_who, "who 999", EXIT_FAILED,
	      "999: Bad file descriptor: that fd is not a dma-buf (or not open)");

	/* A pid that was and is no more */
	gone = fork();
	if (!gone)
		_exit(0);
	waitpid(gone, NULL, 0);
	snprintf(line, sizeof(line), "xfer /proc/%d/fd/3 --to-pid 1", (int)gone);
	fails(cmd_xfer, line, EXIT_FAILED, "cannot open pid");
	fails(cmd_xfer, line, EXIT_FAILED, "there is no such process");
	snprintf(line, sizeof(line), "who /proc/%d/fd/3", (int)gone);
	fails(cmd_who, line, EXIT_FAILED, "no such process, or it has no such fd");
	snprintf(line, sizeof(line), "xfer /proc/%d/fd/999 --to-pid 1", (int)getpid());
	fails(cmd_xfer, line, EXIT_FAILED, "that process has no such fd");

	/* who: one bad buffer fails the command, the good part still prints */
	snprintf(line, sizeof(line), "who --json %d 998", pipefd[0]);
	status = run_verb(cmd_who, line, err, sizeof(err));
	check(status == EXIT_FAILED && strstr(err, "998: Bad file descriptor"),
	      "who --json: each bad buffer is reported (got %d: %s)", status,
	      one_line(err));

	fails(cmd_alloc, "alloc --heap no-such-heap --size 1M", EXIT_FAILED,
	      "1M from no-such-heap: cannot allocate: No such file or directory: no such heap (dmaheap list shows them)");
	fails(cmd_alloc, "alloc --heap ../x --size 1M", EXIT_FAILED,
	      "a heap name is a file name");

	snprintf(path, sizeof(path), "/tmp/dmaheap-cli-test.%d", (int)getpid());
	snprintf(line, sizeof(line), "alloc --size 1M --service %s", path);
	fails(cmd_alloc, line, EXIT_FAILED, "no such socket: is dmabuf-allocd running?");
	/* Bound and not listening: the connection is refused */
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)))
		check(false, "bind %s: %s", path, strerror(errno));
	fails(cmd_alloc, line, EXIT_FAILED, "Connection refused: nobody listens");
	close(sock);
	unlink(path);
	snprintf(line, sizeof(line), "alloc --size 1M --service /tmp/x --for-pid %d",
		 (int)gone);
	fails(cmd_alloc, line, EXIT_FAILED, "cannot charge pid");

	close(pipefd[0]);
	close(pipefd[1]);
}

/* --- alloc --service, against a stand-in of dmabuf-allocd --------------------- */

/* The pid of pidfd @fd, from its fdinfo; 0 if it is none */
static pid_t pidfd_pid(int fd)
{
	char path[64], line[256];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %d", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

/* Is @req, with its @nfds fds, what "--size 1M --name nm" for @pid asks? */
static int request_ok(const struct dmabuf_allocd_request *req, ssize_t n,
		      const int *fds, int nfds, pid_t pid)
{
	if (n != sizeof(*req) || req->magic != DMABUF_ALLOCD_MAGIC ||
	    req->len != 1 << 20 || strcmp(req->heap, "system") ||
	    strcmp(req->name, "nm"))
		return 0;
	if (!pid)
		return !req->flags && !nfds;
	return req->flags == DMABUF_ALLOCD_FOR_PIDFD && nfds == 1 &&
	       pidfd_pid(fds[0]) == pid;
}

/*
 * Answer one request on @lsock, in a child: -EXDEV if it is the one
 * request_ok() wants for @pid, else -ENOTUNIQ. Returns the child's pid.
 */
static pid_t fake_service(int lsock, pid_t pid)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct dmabuf_allocd_request req;
	struct dmabuf_allocd_reply rep;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	int fds[4], nfds = 0, sock;
	pid_t child = fork();
	ssize_t n;

	if (child)
		return child;
	sock = accept(lsock, NULL, NULL);
	memset(&req, 0, sizeof(req));
	n = recvmsg(sock, &msg, 0);
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_type == SCM_RIGHTS)
			for (; nfds < 4 && CMSG_LEN(sizeof(int) * (nfds + 1)) <= cmsg->cmsg_len;
			     nfds++)
				memcpy(&fds[nfds], CMSG_DATA(cmsg) + nfds * sizeof(int),
				       sizeof(int));
	memset(&rep, 0, sizeof(rep));
	rep.magic = DMABUF_ALLOCD_MAGIC;
	rep.version = DMABUF_ALLOCD_VERSION;
	rep.size = sizeof(rep);
	rep.seq = req.seq;
	rep.status = request_ok(&req, n, fds, nfds, pid) ? -EXDEV : -ENOTUNIQ;
	send(sock, &rep, sizeof(rep), 0);
	_exit(0);
}

static void test_service(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char path[64], line[256], ran[64], err[1024];
	int lsock, status;
	pid_t sleeper, server;

	snprintf(path, sizeof(path), "/tmp/dmaheap-cli-test.%d.sock", (int)getpid());
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	lsock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lsock, 4)) {
		check(false, "a socket for the stand-in service: %s", strerror(errno));
		return;
	}
	sleeper = fork();
	if (!sleeper) {
		pause();
		_exit(0);
	}

	server = fake_service(lsock, 0);
	snprintf(line, sizeof(line), "alloc --service %s --size 1M --name nm", path);
	fails(cmd_alloc, line, EXIT_FAILED,
	      "1M from system: dmabuf-allocd cannot allocate: Invalid cross-device link");
	waitpid(server, NULL, 0);

	server = fake_service(lsock, sleeper);
	snprintf(line, sizeof(line), "alloc --service=%s -n nm -s 1M --for-pid %d",
		 path, (int)sleeper);
	fails(cmd_alloc, line, EXIT_FAILED, "Invalid cross-device link");
	waitpid(server, NULL, 0);

	/* An unreachable service fails every allocation, and CMD still runs */
	snprintf(ran, sizeof(ran), "/tmp/dmaheap-cli-test.%d.ran", (int)getpid());
	snprintf(line, sizeof(line), "alloc --service /nonexistent -s 1M -s 2M -- touch %s",
		 ran);
	status = run_verb(cmd_alloc, line, err, sizeof(err));
	check(status == EXIT_FAILED && !access(ran, F_OK),
	      "alloc --service with no service: exit 1, and CMD ran (got %d)", status);
	unlink(ran);

	kill(sleeper, SIGKILL);
	waitpid(sleeper, NULL, 0);
	close(lsock);
	unlink(path);
}

int main(void)
{
	test_sizes();
	test_args_alloc();
	test_args_others();
	test_args_pure();
	test_hints();
	test_help();
	test_errors();
	test_service();
	return tap_done();
}
