/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line, parsed into a struct args: no output, no system call,
 * nothing but @args written, so that the host test can call it.
 */
#ifndef DMAHEAP_TOOL_ARGS_H
#define DMAHEAP_TOOL_ARGS_H

#include <stddef.h>
#include <sys/types.h>

#define ARGS_MAX_SIZES	64	/* buffers per alloc */
#define ARGS_MAX_BUFS	64	/* buffers per who */

enum verb {
	VERB_NONE,	/* only --help or --version */
	VERB_LIST,
	VERB_ALLOC,
	VERB_XFER,
	VERB_WHO,
	VERB_PROBE,
};

/* A buffer named on the command line: "FD", or "/proc/PID/fd/FD" */
struct buf_ref {
	const char *text;	/* as given */
	pid_t pid;		/* 0: one of our own fds */
	int fd;
};

struct args {
	enum verb verb;
	int help;		/* --help: the verb's help (or the general one) */
	int version;		/* --version */

	/* alloc */
	const char *heap;	/* "system" unless --heap */
	size_t sizes[ARGS_MAX_SIZES];
	int nsizes;
	pid_t for_pid;		/* 0: none */
	const char *for_cgroup;	/* NULL: none */
	const char *name;	/* NULL: none */
	int service;		/* ask dmabuf-allocd */
	const char *socket;	/* NULL: DMAHEAP_ALLOCD_SOCKET */
	long hold;		/* seconds; -1: no --hold */
	char **cmd;		/* after "--", NULL-terminated; NULL: none */

	/* xfer, who */
	struct buf_ref bufs[ARGS_MAX_BUFS];
	int nbufs;
	pid_t to_pid;		/* 0: none */
	const char *to_cgroup;	/* NULL: none */
	int json;		/* who --json */
};

/*
 * args_parse - parse @argc/@argv (argv[0] the program, argv[@argc] NULL)
 * into @args
 *
 * Returns 0, or -EINVAL with a one-line message in @err (@errlen bytes)
 * for bad usage. @args points into @argv.
 */
int args_parse(int argc, char **argv, struct args *args, char *err,
	       size_t errlen);

/* args_pid - parse a pid: decimal, 1 to INT_MAX. 0 or -EINVAL. */
int args_pid(const char *s, pid_t *pid);

/* args_buf - parse "FD", "/proc/PID/fd/FD" or "/proc/self/fd/FD" */
int args_buf(const char *s, struct buf_ref *ref);

/* The verb's name ("alloc"), or "" for VERB_NONE */
const char *args_verb_name(enum verb verb);

#endif
