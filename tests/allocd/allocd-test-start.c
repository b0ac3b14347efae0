// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's startup: bad options, a socket path that is taken (by a
 * live daemon, a stale socket file, a file that is no socket), and socket
 * activation as systemd does it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allocd-test.h"

/* Run dmabuf-allocd with @arg (and a socket @sock): its exit status. */
static int run_once(const char *name, const char *sock, const char *arg)
{
	struct daemon d = { 0 };
	int status = -1;
	char *argv[5];

	argv[0] = ALLOCD;
	argv[1] = "--socket";
	argv[2] = (char *)sock;
	argv[3] = (char *)arg;
	argv[4] = NULL;
	/* Not @sock, which may be live: wait for the daemon to exit. */
	snprintf(d.sock, sizeof(d.sock), RUNDIR "/never.sock");
	if (!daemon_exec(&d, name, "daemon", -1, argv, &status)) {
		daemon_stop(&d);
		return -1;
	}
	return status;
}

/* A listening socket at @path, as systemd would make it; or -1. */
static int bound(const char *path, bool listening)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    (listening && (chmod(path, 0666) || listen(fd, 8)))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_socket_taken(struct daemon *live)
{
	struct daemon d = { 0 };
	struct stat st;
	int status, fd;

	status = run_once("bad-option", RUNDIR "/unused.sock", "--bogus");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 2,
	      "startup: an unknown option: exit 2 (status %#x)", status);
	status = run_once("keep-cap-root", RUNDIR "/unused.sock",
			  "--keep-cap-sys-resource");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 2,
	      "startup: --keep-cap-sys-resource as root without --user: exit 2 (status %#x)",
	      status);
	status = run_once("help", RUNDIR "/unused.sock", "--help");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "startup: --help: exit 0");
	status = run_once("second", live->sock, "-q");
	fd = connect_to(live->sock);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 1 && fd >= 0,
	      "startup: a live daemon's socket: exit 1, the socket left alone");
	if (fd >= 0)
		close(fd);

	fd = bound(RUNDIR "/stale.sock", false);
	close(fd);
	snprintf(d.sock, sizeof(d.sock), RUNDIR "/stale.sock");
	check(fd >= 0 && !daemon_exec(&d, "stale", "daemon", -1,
				      (char *[]){ ALLOCD, "--socket", d.sock, NULL },
				      &status) &&
	      log_has(&d, "removing the stale socket", NULL),
	      "startup: a stale socket file is replaced");
	status = daemon_stop(&d);
	check(WIFEXITED(status) && !WEXITSTATUS(status), "startup: and it exits 0");

	fd = open(RUNDIR "/file.sock", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	close(fd);
	status = run_once("file", RUNDIR "/file.sock", "-q");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
	      !stat(RUNDIR "/file.sock", &st) && S_ISREG(st.st_mode),
	      "startup: a file that is no socket: exit 1, the file left alone");
	unlink(RUNDIR "/file.sock");
}

static void test_systemd(void)
{
	struct daemon d = { 0 };
	struct client c = { 0 };
	struct outcome out;
	int status = 0, fd, ret;

	snprintf(d.sock, sizeof(d.sock), RUNDIR "/systemd.sock");
	fd = bound(d.sock, true);
	if (!check(fd >= 0 && !daemon_exec(&d, "systemd", "daemon", fd,
					   (char *[]){ ALLOCD, NULL }, &status),
		   "systemd: started with the socket as fd 3 (status %#x)",
		   status)) {
		close(fd);
		return;
	}
	close(fd);
	check(log_has(&d, "listening on the socket systemd passed", NULL),
	      "systemd: it says it uses the socket passed");
	if (client_start(&c, "a", 1000)) {
		check(false, "systemd: a client in a");
	} else {
		ret = client_alloc(&c, OP_LIB, d.sock, 1024 * 1024, "", FOR_NONE,
				   &out);
		check(ret >= 0 && out.info_cgroup_id == cg_id("a") &&
		      cg_dmabuf_is("a", 1024 * 1024),
		      "systemd: a client is served and pays");
		client_stop(&c);
	}
	status = daemon_stop(&d);
	check(WIFEXITED(status) && !WEXITSTATUS(status) && !access(d.sock, F_OK),
	      "systemd: exit 0, the socket (systemd's) left in place");
	unlink(d.sock);
}

/* A socket systemd passed that does not listen: the log names fd 3. */
static void test_systemd_bad(void)
{
	struct daemon d = { 0 };
	int status = 0, fd, ret;

	snprintf(d.sock, sizeof(d.sock), RUNDIR "/unlistened.sock");
	fd = bound(d.sock, false);
	ret = fd >= 0 ? daemon_exec(&d, "unlistened", "daemon", fd,
				    (char *[]){ ALLOCD, "--socket",
						RUNDIR "/other.sock", NULL },
				    &status) : 0;
	check(fd >= 0 && ret && WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
	      log_has(&d, "cannot listen on fd 3, the socket systemd passed: not a listening",
		      NULL),
	      "systemd: a socket passed that does not listen: exit 1, and the log names fd 3 (status %#x)",
	      status);
	if (!ret)
		daemon_stop(&d);
	if (fd >= 0)
		close(fd);
	unlink(d.sock);
}

void test_startup(struct daemon *d)
{
	test_socket_taken(d);
	test_systemd();
	test_systemd_bad();
}
