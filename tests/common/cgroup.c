// SPDX-License-Identifier: GPL-2.0
/* cgroup v2 and dma-buf helpers shared by the project's test programs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"

int cg_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

ssize_t cg_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

long cg_dmabuf(const char *cgroup)
{
	char path[256], buf[8192], *p;

	snprintf(path, sizeof(path), "%s/memory.stat", cgroup);
	if (cg_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\ndmabuf ");
	return p ? atol(p + strlen("\ndmabuf ")) : -1;
}

bool cg_dmabuf_settles(const char *cgroup, long expect)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (cg_dmabuf(cgroup) == expect)
			return true;
		usleep(10000);
	}
	return false;
}

int cg_memory_current(const char *cgroup, unsigned long long *bytes)
{
	char path[256], buf[32], *end;

	snprintf(path, sizeof(path), "%s/memory.current", cgroup);
	if (cg_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	*bytes = strtoull(buf, &end, 10);
	return errno || end == buf ? -1 : 0;
}

bool cg_current_near(unsigned long long bytes, unsigned long long expected)
{
	/* Written so that neither side can wrap. */
	if (bytes >= expected)
		return bytes - expected <= CG_CURRENT_SLACK;
	return expected - bytes <= CG_CURRENT_SLACK;
}

bool dmabuf_accounting(void)
{
	char c = 'N';
	int fd = open("/sys/module/dma_heap/parameters/mem_accounting",
		      O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 'N';
		close(fd);
	}
	return c == 'Y';
}
