// SPDX-License-Identifier: GPL-2.0
/*
 * A pidfd names a process race-free; procfs names it by pid. Going from
 * one to the other is safe only if the pidfd's process is checked to be
 * alive after the pid was used: then the pid cannot have been reused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer.h"

/* Read the file at @path into @buf, NUL-terminated: length or -errno. */
static ssize_t read_text(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

/* The line of @text that starts with @key, past the key; or NULL. */
static char *find_line(char *text, const char *key)
{
	size_t len = strlen(key);
	char *line = text;

	while (line && *line) {
		if (!strncmp(line, key, len))
			return line + len;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

pid_t peer_pid(int pidfd)
{
	char path[64], buf[1024], *pid;
	ssize_t n;
	long nr;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	n = read_text(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT ? -EBADF : n;
	/* Only a pidfd's fdinfo has "Pid:" (the kernel's pidfd_show_fdinfo). */
	pid = find_line(buf, "Pid:\t");
	if (!pid)
		return -EBADF;
	nr = strtol(pid, NULL, 10);
	return nr > 0 ? (pid_t)nr : -ESRCH;
}

/*
 * /proc/PID/@file of @pidfd's process in @buf: its length, or -errno. The
 * pidfd's "Pid:" is read again afterwards: if it is still PID, the process
 * has not been reaped, so PID was not anybody else's meanwhile. (Once the
 * process is reaped, "Pid:" is -1.) Needs no right over the process.
 */
static ssize_t read_proc(int pidfd, const char *file, char *buf, size_t size)
{
	pid_t pid = peer_pid(pidfd);
	char path[64];
	ssize_t n;

	if (pid < 0)
		return pid;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	n = read_text(path, buf, size);
	if (n < 0)
		return n == -ENOENT || n == -ESRCH ? -ESRCH : n;
	if (peer_pid(pidfd) != pid)
		return -ESRCH;
	return n;
}

/* The cgroup v2 path in @text, a /proc/PID/cgroup, in @buf: 0 or -errno. */
static int cgroup_line(char *text, char *buf, size_t size)
{
	char *line, *end;
	size_t len;

	/* The cgroup v2 line is "0::/path" (v1 hierarchies count from 1). */
	line = find_line(text, "0::");
	if (!line)
		return -ENOENT;
	end = strchr(line, '\n');
	len = end ? (size_t)(end - line) : strlen(line);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, line, len);
	buf[len] = '\0';
	return 0;
}

int peer_cgroup(int pidfd, char *buf, size_t size)
{
	char text[4096];
	ssize_t n = read_proc(pidfd, "cgroup", text, sizeof(text));

	return n < 0 ? n : cgroup_line(text, buf, size);
}

int peer_own_cgroup(char *buf, size_t size)
{
	char text[4096];
	ssize_t n = read_text("/proc/self/cgroup", text, sizeof(text));

	return n < 0 ? n : cgroup_line(text, buf, size);
}

int peer_uid(int pidfd, uid_t *uid)
{
	char text[4096], *line, *end;
	ssize_t n = read_proc(pidfd, "status", text, sizeof(text));
	unsigned long nr;

	if (n < 0)
		return n;
	/* "Uid:\treal\teffective\tsaved\tfs": the real one. */
	line = find_line(text, "Uid:\t");
	if (!line)
		return -ENOENT;
	errno = 0;
	nr = strtoul(line, &end, 10);
	if (errno || end == line || *end != '\t')
		return -ENOENT;
	*uid = nr;
	return 0;
}
