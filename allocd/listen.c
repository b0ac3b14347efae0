// SPDX-License-Identifier: GPL-2.0
/*
 * The listening socket. systemd's socket activation protocol is simple
 * enough not to need libsystemd: LISTEN_PID names the process the fds are
 * for, LISTEN_FDS how many there are, from fd 3 on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"

/* An int from the environment variable @name, or -1. */
static long env_number(const char *name)
{
	const char *text = getenv(name);
	char *end;
	long n;

	if (!text || text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	n = strtol(text, &end, 10);
	return errno || *end ? -1 : n;
}

static int sockopt_int(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int val;

	if (getsockopt(fd, SOL_SOCKET, opt, &val, &len))
		return -1;
	return val;
}

int listen_systemd(void)
{
	long pid = env_number("LISTEN_PID"), n = env_number("LISTEN_FDS");
	int fd = LISTEN_FDS_START, flags;
	long i;

	if (pid != (long)getpid() || n < 1)
		return -ENOENT;
	/* Not for our children, if any; and the fds are ours alone. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n > 1)
		log_error("systemd passed %ld sockets, using fd %d only", n, fd);
	for (i = 1; i < n && i < 1024; i++)
		close(fd + i);
	if (sockopt_int(fd, SO_DOMAIN) != AF_UNIX ||
	    sockopt_int(fd, SO_TYPE) != SOCK_SEQPACKET ||
	    sockopt_int(fd, SO_ACCEPTCONN) != 1)
		return -EINVAL;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC))
		return -errno;
	return fd;
}

/*
 * Whether a socket is listening at @addr: 1 if so, 0 if the file is a
 * stale socket, -EEXIST if it is no socket, or -errno.
 */
static int live(const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, ret;

	if (lstat(addr->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	/* Non-blocking: a live daemon with a full backlog says EAGAIN. */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) ?
	      errno : 0;
	close(fd);
	/* ECONNREFUSED: a socket file nobody listens on. */
	return ret == ECONNREFUSED ? 0 : 1;
}

int listen_path(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, ret, tries;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (tries = 0; tries < 2; tries++) {
		if (!bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
			break;
		ret = -errno;
		if (ret != -EADDRINUSE || tries)
			goto fail;
		ret = live(&addr);
		if (ret > 0)
			ret = -EADDRINUSE;
		if (ret < 0)
			goto fail;
		log_info("removing the stale socket %s", path);
		if (unlink(path) && errno != ENOENT) {
			ret = -errno;
			goto fail;
		}
	}
	if (chmod(path, 0666) || listen(fd, LISTEN_BACKLOG)) {
		ret = -errno;
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}
