/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A snapshot of dma-buf memory: every buffer a process holds (through an fd
 * or a mapping), who holds it, which cgroup it is charged to (fdinfo's
 * charged_cgroup), and every cgroup's "dmabuf" in memory.stat.
 */
#ifndef DMABUF_TOP_SNAPSHOT_H
#define DMABUF_TOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct process {
	pid_t pid;
	char comm[32];
	int cgroup;		/* index in snapshot.cgroups, or -1 */
};

/* One process holding one buffer, through fds, mappings or both. */
struct holder {
	int process;		/* index in snapshot.processes */
	int fds, maps;
};

struct buffer {
	unsigned long ino;	/* fdinfo's "ino", bufinfo's "ino" */
	unsigned long long size;
	char exporter[32];
	char name[64];
	bool known;		/* fdinfo read: the fields below are valid */
	bool charge_shown;	/* fdinfo has charged_cgroup (a patched kernel) */
	bool charged;		/* charged to charged_path; false: "none" */
	char *charged_path;	/* from the reader's cgroup namespace */
	unsigned long long charged_id;
	int charged_cgroup;	/* index in snapshot.cgroups, or -1 */
	struct holder *holders;
	int nr_holders;
};

struct cgroup {
	char *path;		/* "/" for the root of the cgroup2 mount */
	unsigned long long id;		/* inode number of its directory */
	int parent;		/* index, -1 for the root */
	bool has_stat;		/* memory.stat read, with a "dmabuf" key */
	unsigned long long charged;	/* memory.stat "dmabuf": this and below */
	/* Computed by snapshot_account() */
	unsigned long long held;		/* buffers held by processes here or below */
	unsigned long long proportional;	/* each buffer's size split among holders */
};

/* What the reader could not see: with it, the figures are lower bounds. */
struct unreadable {
	int processes;		/* fds or maps not readable */
	int fdinfo;		/* buffers whose fdinfo could not be read */
	int cgroups;		/* memory.stat not readable */
	int first_errno;
};

struct snapshot {
	char *cgroup_root;	/* where cgroup2 is mounted */
	struct process *processes;
	int nr_processes;
	struct buffer *buffers;	/* sorted by ino */
	int nr_buffers;
	struct cgroup *cgroups;	/* sorted by path: parents first */
	int nr_cgroups;
	struct unreadable unreadable;
	bool memcg;		/* cgroup2 has the memory controller */
};

/*
 * snapshot_take - read /proc and the cgroup2 tree at @cgroup_root (NULL:
 * find it in /proc/self/mountinfo). Returns 0 or a negative errno; what
 * could not be read is counted in snap->unreadable, not an error.
 */
int snapshot_take(struct snapshot *snap, const char *cgroup_root);
void snapshot_free(struct snapshot *snap);

/* The index of the cgroup at @path, or -1. */
int snapshot_cgroup(const struct snapshot *snap, const char *path);

/* Is cgroup @c at or below cgroup @ancestor? */
bool snapshot_cgroup_within(const struct snapshot *snap, int c, int ancestor);

/*
 * snapshot_account - per cgroup, the held and proportional bytes: a buffer
 * counts once in each cgroup at or above one of its holders' cgroups; its
 * proportional share goes to each distinct holder cgroup, its size split
 * evenly (the remainder byte by byte to the first ones), and adds up the
 * tree like memory.stat does.
 */
void snapshot_account(struct snapshot *snap);

/*
 * Is the buffer charged to a cgroup none of its holders lives in (or below)?
 * An allocator paying for a client's buffer, or a buffer whose client has
 * gone. False for a buffer that carries no charge.
 */
bool buffer_charged_elsewhere(const struct snapshot *snap,
			      const struct buffer *buf);

#endif
