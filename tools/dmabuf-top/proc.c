// SPDX-License-Identifier: GPL-2.0
/*
 * Who holds which dma-buf: every process's fds (/proc/PID/fd, a dma-buf's
 * link reads "/dmabuf:NAME") and mappings (/proc/PID/maps), and each
 * buffer's fdinfo: size, exporter, name, and the cgroup it is charged to.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"

/* One process's hold on one buffer, before they are grouped by buffer */
struct hold {
	unsigned long ino;
	int process;
	int fds, maps;
	char range[48];		/* a mapping's START-END, for map_files */
	unsigned long long map_len;
};

struct scan {
	struct snapshot *snap;
	struct hold *holds;
	int nr_holds, cap_holds;
	struct buffer *info;	/* buffers whose fdinfo was read */
	int nr_info, cap_info;
	int *by_ino;		/* open addressing: index + 1 in info, 0 free */
	unsigned int nr_slots;
	int cap_processes;
};

static void *grow(void *arr, int *cap, int nr, size_t size)
{
	void *n;

	if (nr < *cap)
		return arr;
	n = realloc(arr, (*cap ? *cap * 2 : 256) * size);
	if (n)
		*cap = *cap ? *cap * 2 : 256;
	return n;
}

static void note_unreadable(struct snapshot *snap, int *count, int err)
{
	(*count)++;
	if (!snap->unreadable.first_errno)
		snap->unreadable.first_errno = err;
}

/* Parse a dma-buf's fdinfo into @b; false if it is not one. */
static bool parse_fdinfo(char *text, struct buffer *b)
{
	char *line, *val, *save;
	bool is_dmabuf = false;

	memset(b, 0, sizeof(*b));
	b->charged_cgroup = -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		val = strchr(line, ':');
		if (!val)
			continue;
		*val++ = 0;
		val += strspn(val, " \t");
		if (!strcmp(line, "ino")) {
			b->ino = strtoul(val, NULL, 10);
		} else if (!strcmp(line, "size")) {
			b->size = strtoull(val, NULL, 10);
		} else if (!strcmp(line, "exp_name")) {
			snprintf(b->exporter, sizeof(b->exporter), "%s", val);
			is_dmabuf = true;
		} else if (!strcmp(line, "name")) {
			snprintf(b->name, sizeof(b->name), "%s", val);
		} else if (!strcmp(line, "charged_cgroup")) {
			b->charge_shown = true;
			b->charged = strcmp(val, "none") != 0;
			free(b->charged_path);
			b->charged_path = b->charged ? strdup(val) : NULL;
		} else if (!strcmp(line, "charged_cgroup_id")) {
			b->charged_id = strtoull(val, NULL, 10);
		}
	}
	b->known = is_dmabuf;
	return is_dmabuf;
}

static int by_ino(const void *a, const void *b)
{
	unsigned long x = ((const struct buffer *)a)->ino;
	unsigned long y = ((const struct buffer *)b)->ino;

	return x < y ? -1 : x > y;
}

static unsigned int ino_slot(const struct scan *s, unsigned long ino)
{
	unsigned int i = (unsigned int)(ino * 2654435761u) & (s->nr_slots - 1);

	while (s->by_ino[i] && s->info[s->by_ino[i] - 1].ino != ino)
		i = (i + 1) & (s->nr_slots - 1);
	return i;
}

static struct buffer *find_info(struct scan *s, unsigned long ino)
{
	unsigned int i;

	if (!s->nr_slots)
		return NULL;
	i = ino_slot(s, ino);
	return s->by_ino[i] ? &s->info[s->by_ino[i] - 1] : NULL;
}

/* Keep the table at most half full: rebuild it twice as large. */
static int grow_slots(struct scan *s)
{
	unsigned int n = s->nr_slots ? s->nr_slots * 2 : 1024;
	int i;

	free(s->by_ino);
	s->by_ino = calloc(n, sizeof(*s->by_ino));
	if (!s->by_ino)
		return -ENOMEM;
	s->nr_slots = n;
	for (i = 0; i < s->nr_info; i++)
		s->by_ino[ino_slot(s, s->info[i].ino)] = i + 1;
	return 0;
}

static int add_info(struct scan *s, struct buffer *b)
{
	struct buffer *n = grow(s->info, &s->cap_info, s->nr_info, sizeof(*b));

	if (n)
		s->info = n;
	if (!n || (2 * (s->nr_info + 1) > (int)s->nr_slots && grow_slots(s))) {
		free(b->charged_path);
		return -ENOMEM;
	}
	s->info[s->nr_info++] = *b;
	s->by_ino[ino_slot(s, b->ino)] = s->nr_info;
	return 0;
}

static int add_hold(struct scan *s, unsigned long ino, int process,
		    const char *range, unsigned long long map_len)
{
	struct hold *h;
	int i;

	/* The same buffer again in this process: its holds are the last. */
	for (i = s->nr_holds - 1; i >= 0 && s->holds[i].process == process; i--) {
		if (s->holds[i].ino != ino)
			continue;
		if (range)
			s->holds[i].maps++;
		else
			s->holds[i].fds++;
		return 0;
	}
	h = grow(s->holds, &s->cap_holds, s->nr_holds, sizeof(*h));
	if (!h)
		return -ENOMEM;
	s->holds = h;
	h = &s->holds[s->nr_holds++];
	memset(h, 0, sizeof(*h));
	h->ino = ino;
	h->process = process;
	if (range) {
		h->maps = 1;
		snprintf(h->range, sizeof(h->range), "%s", range);
		h->map_len = map_len;
	} else {
		h->fds = 1;
	}
	return 0;
}

/* The fds of process @pid (index @process) that are dma-bufs. */
static int scan_fds(struct scan *s, int piddir, int process)
{
	char link[64], text[4096], path[300];
	struct buffer b;
	struct dirent *de;
	int fddir, ret = 0;
	ssize_t n;
	DIR *dir;

	fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir < 0)
		return -errno;
	dir = fdopendir(fddir);
	if (!dir) {
		close(fddir);
		return -errno;
	}
	while (!ret && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(fddir, de->d_name, link, sizeof(link) - 1);
		if (n < 0) {
			if (errno == EACCES || errno == EPERM) {
				ret = -errno;
				break;
			}
			continue;	/* closed meanwhile */
		}
		link[n] = 0;
		if (strncmp(link, "/dmabuf:", 8))
			continue;
		snprintf(path, sizeof(path), "fdinfo/%s", de->d_name);
		n = read_file(piddir, path, text, sizeof(text));
		if (n < 0 || !parse_fdinfo(text, &b)) {
			if (n == -EACCES || n == -EPERM)
				note_unreadable(s->snap, &s->snap->unreadable.fdinfo,
						(int)-n);
			continue;
		}
		ret = add_hold(s, b.ino, process, NULL, 0);
		if (!ret && !find_info(s, b.ino))
			ret = add_info(s, &b);
		else
			free(b.charged_path);
	}
	closedir(dir);
	return ret;
}

/* The mappings of dma-bufs: "START-END PERMS OFF DEV INODE /dmabuf:NAME" */
static int scan_maps(struct scan *s, int piddir, int process)
{
	char *line = NULL, range[48];
	unsigned long long start, end;
	unsigned long ino;
	size_t cap = 0;
	int fd, ret = 0;
	FILE *f;

	fd = openat(piddir, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return -errno;
	}
	while (!ret && getline(&line, &cap, f) > 0) {
		if (!strstr(line, " /dmabuf:"))
			continue;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %lu", &start, &end,
			   &ino) != 3)
			continue;
		snprintf(range, sizeof(range), "%llx-%llx", start, end);
		ret = add_hold(s, ino, process, range, end - start);
	}
	if (!ret && ferror(f))
		ret = -errno;
	free(line);
	fclose(f);
	return ret;
}

static int scan_process(struct scan *s, int procfd, pid_t pid)
{
	struct snapshot *snap = s->snap;
	char name[16], text[4096], *p;
	struct process *proc;
	int piddir, ret, err;
	ssize_t n;

	snprintf(name, sizeof(name), "%d", pid);
	piddir = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir < 0)
		return 0;	/* gone */
	proc = grow(snap->processes, &s->cap_processes, snap->nr_processes,
		    sizeof(*proc));
	if (!proc) {
		close(piddir);
		return -ENOMEM;
	}
	snap->processes = proc;
	proc = &snap->processes[snap->nr_processes];
	memset(proc, 0, sizeof(*proc));
	proc->pid = pid;
	proc->cgroup = -1;
	if (read_file(piddir, "comm", proc->comm, sizeof(proc->comm)) > 0)
		proc->comm[strcspn(proc->comm, "\n")] = 0;
	/* cgroup v2's line: "0::/PATH" */
	n = read_file(piddir, "cgroup", text, sizeof(text));
	if (n > 0) {
		p = strstr(text, "0::");
		if (p && (p == text || p[-1] == '\n')) {
			p += 3;
			p[strcspn(p, "\n")] = 0;
			proc->cgroup = snapshot_cgroup(snap, p);
		}
	}

	ret = scan_fds(s, piddir, snap->nr_processes);
	err = ret == -EACCES || ret == -EPERM ? ret : 0;
	if (!ret || err) {
		ret = scan_maps(s, piddir, snap->nr_processes);
		if (ret == -EACCES || ret == -EPERM) {
			err = ret;
			ret = 0;
		}
	}
	close(piddir);
	if (ret == -ENOENT || ret == -ESRCH)
		ret = 0;	/* exited meanwhile */
	if (err)
		note_unreadable(snap, &snap->unreadable.processes, -err);
	if (!ret)
		snap->nr_processes++;
	return ret;
}

/* A line of debugfs' bufinfo into @b; false if it describes no buffer. */
static bool parse_bufinfo_line(char *line, struct buffer *b)
{
	char *col[9], *p;
	int n;

	line[strcspn(line, "\n")] = 0;
	/* The path, last, is the rest of the line: it may hold tabs. */
	for (n = 0, p = line; n < 9 && p; n++) {
		col[n] = p;
		p = n < 8 ? strchr(p, '\t') : NULL;
		if (p)
			*p++ = 0;
	}
	if (n < 7 || !isdigit((unsigned char)col[0][0]))
		return false;
	memset(b, 0, sizeof(*b));
	b->ino = strtoul(col[5], NULL, 10);
	b->size = strtoull(col[0], NULL, 10);
	snprintf(b->exporter, sizeof(b->exporter), "%s", col[4]);
	if (strcmp(col[6], "<none>"))
		snprintf(b->name, sizeof(b->name), "%s", col[6]);
	b->known = true;
	b->charged_cgroup = -1;
	if (n == 9) {
		b->charge_shown = true;
		b->charged = col[8][0] == '/';
		b->charged_id = strtoull(col[7], NULL, 10);
		b->charged_path = b->charged ? strdup(col[8]) : NULL;
	}
	return true;
}

/*
 * Buffers only mapped, not held by any fd: a mapping gives the inode
 * number, not the buffer (reopening it through map_files does not give a
 * dma-buf file), but debugfs' bufinfo describes every buffer, with the
 * charged cgroup as its last two columns on a patched kernel:
 * size flags mode count exp_name ino name cgroup_id cgroup (tabs).
 * Read once, for those whose fdinfo no fd gave.
 */
static int add_bufinfo(struct scan *s)
{
	char *line = NULL;
	struct buffer b;
	size_t cap = 0;
	int ret = 0;
	FILE *f;

	f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");
	if (!f)
		return 0;	/* map_only_info() counts what stays unknown */
	while (!ret && getline(&line, &cap, f) > 0) {
		if (!parse_bufinfo_line(line, &b))
			continue;
		if (find_info(s, b.ino))
			free(b.charged_path);
		else
			ret = add_info(s, &b);
	}
	free(line);
	fclose(f);
	return ret;
}

/* A mapped buffer that neither an fd nor bufinfo described */
static void map_only_info(struct scan *s, const struct hold *h,
			  struct buffer *b)
{
	memset(b, 0, sizeof(*b));
	b->ino = h->ino;
	b->size = h->map_len;
	b->charged_cgroup = -1;
	note_unreadable(s->snap, &s->snap->unreadable.fdinfo,
			access("/sys/kernel/debug/dma_buf/bufinfo", R_OK) ?
			errno : ENOENT);
}

static int by_hold_ino(const void *a, const void *b)
{
	const struct hold *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->process - y->process;
}

/* Group the holds by buffer, with each buffer's fdinfo. */
static int make_buffers(struct scan *s)
{
	struct snapshot *snap = s->snap;
	struct buffer *b, *info;
	int i, j, n, ret;

	for (i = 0; i < s->nr_holds; i++) {
		if (!find_info(s, s->holds[i].ino)) {
			ret = add_bufinfo(s);
			if (ret)
				return ret;
			break;
		}
	}
	qsort(s->holds, s->nr_holds, sizeof(*s->holds), by_hold_ino);
	for (i = 0, n = 0; i < s->nr_holds; i++)
		n += !i || s->holds[i].ino != s->holds[i - 1].ino;
	snap->buffers = calloc(n ? n : 1, sizeof(*snap->buffers));
	if (!snap->buffers)
		return -ENOMEM;
	for (i = 0; i < s->nr_holds; i = j) {
		for (j = i; j < s->nr_holds && s->holds[j].ino == s->holds[i].ino; j++)
			;
		b = &snap->buffers[snap->nr_buffers++];
		info = find_info(s, s->holds[i].ino);
		if (info) {
			*b = *info;
			info->charged_path = NULL;	/* moved */
		} else {
			map_only_info(s, &s->holds[i], b);
		}
		if (b->charged_path)
			b->charged_cgroup = snapshot_cgroup(snap, b->charged_path);
		b->holders = calloc(j - i, sizeof(*b->holders));
		if (!b->holders)
			return -ENOMEM;
		for (; i < j; i++) {
			struct holder *h = &b->holders[b->nr_holders];

			/* Several mappings of one process sort together */
			if (b->nr_holders && h[-1].process == s->holds[i].process) {
				h[-1].fds += s->holds[i].fds;
				h[-1].maps += s->holds[i].maps;
				continue;
			}
			h->process = s->holds[i].process;
			h->fds = s->holds[i].fds;
			h->maps = s->holds[i].maps;
			b->nr_holders++;
		}
	}
	qsort(snap->buffers, snap->nr_buffers, sizeof(*snap->buffers), by_ino);
	return 0;
}

int scan_processes(struct snapshot *snap)
{
	struct scan s = { .snap = snap };
	pid_t self = getpid();
	struct dirent *de;
	int procfd, ret = 0, i;
	DIR *dir;

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	dir = fdopendir(procfd);
	if (!dir) {
		close(procfd);
		return -errno;
	}
	while (!ret && (de = readdir(dir))) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (pid != self)
			ret = scan_process(&s, procfd, pid);
	}
	if (!ret)
		ret = make_buffers(&s);
	closedir(dir);
	for (i = 0; i < s.nr_info; i++)
		free(s.info[i].charged_path);
	free(s.info);
	free(s.by_ino);
	free(s.holds);
	return ret;
}
