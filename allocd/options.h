/* SPDX-License-Identifier: GPL-2.0 */
/* dmabuf-allocd's command line. */
#ifndef ALLOCD_OPTIONS_H
#define ALLOCD_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "policy.h"

#define OPTIONS_MAX_SIZE_DEFAULT	(256ULL << 20)
#define OPTIONS_MAX_CLIENTS_DEFAULT	128
#define OPTIONS_MAX_OUTSTANDING_DEFAULT	8
/* Each queued reply holds an fd: keep a client's share of them bounded. */
#define OPTIONS_MAX_OUTSTANDING_LIMIT	1024

struct allocd_config {
	const char *socket_path;	/* DMAHEAP_ALLOCD_SOCKET by default */
	uint64_t max_size;		/* bytes, per buffer */
	unsigned int max_clients;	/* connections at once */
	unsigned int max_clients_per_uid;	/* of them, of one uid */
	unsigned int max_outstanding;	/* replies queued per client */
	bool quiet;			/* -q: errors only */
	bool keep_cap;			/* --keep-cap-sys-resource */
	bool set_user;			/* --user given */
	uid_t uid;
	gid_t gid;
	struct allocd_policy policy;	/* --allow-forward-*, --forward-to-* */
};

/* What options_parse() returns for --help, which it has printed. */
#define OPTIONS_HELP 1

/*
 * options_parse - fill @cfg from the command line (its defaults first)
 *
 * Returns 0; OPTIONS_HELP after printing the usage on @out; or -EINVAL
 * after printing what is wrong on @err (main() exits 2 then), also for
 * --keep-cap-sys-resource without --user in a process of euid 0, which
 * would keep root's files and uid with it. @cfg keeps pointers into @argv.
 */
int options_parse(struct allocd_config *cfg, int argc, char **argv,
		  FILE *out, FILE *err);

/*
 * options_parse_size - "4096", "64K", "256M", "1G" (binary units) in
 * @bytes: 0, or -EINVAL (not a size, 0, or too large)
 */
int options_parse_size(const char *text, uint64_t *bytes);

/* options_parse_user - "UID" or "UID:GID" (GID defaults to UID): 0 or -EINVAL */
int options_parse_user(const char *text, uid_t *uid, gid_t *gid);

#endif
