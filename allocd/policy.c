// SPDX-License-Identifier: GPL-2.0
/*
 * Who may forward, and for whom. Forwarding lets a peer name the cgroup
 * that pays, with the daemon's authority, so it is for the few services
 * the administrator names (a compositor, a camera service), by uid or by
 * cgroup; and they may name only their own uid's processes, or those in
 * the cgroups the administrator names. A cgroup rule covers the subtree
 * below it: whoever controls a cgroup controls its children too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int policy_add_uid(struct allocd_policy *p, const char *text)
{
	unsigned long uid;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	uid = strtoul(text, &end, 10);
	/* (uid_t)-1 means "no uid" to setresuid() and chown(). */
	if (errno || *end || uid >= (uid_t)-1)
		return -EINVAL;
	if (p->n_uids == POLICY_MAX)
		return -E2BIG;
	p->uids[p->n_uids++] = uid;
	return 0;
}

/* Whether @path's components between '/'s are all real names. */
static int cgroup_path_ok(const char *path, size_t len)
{
	const char *c = path + 1, *end = path + len, *slash;
	size_t n;

	while (c < end) {
		slash = memchr(c, '/', end - c);
		n = (slash ? slash : end) - c;
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		c += n + 1;
	}
	return 1;
}

/* Add @path to @paths and @lens, of which there are @n: 0 or -errno. */
static int add_path(const char **paths, size_t *lens, size_t *n,
		    const char *path)
{
	size_t len = strlen(path);

	if (path[0] != '/')
		return -EINVAL;
	/* "/a/b/" is "/a/b"; "/" stays "/" (every cgroup). */
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (!cgroup_path_ok(path, len))
		return -EINVAL;
	if (*n == POLICY_MAX)
		return -E2BIG;
	paths[*n] = path;
	lens[(*n)++] = len;
	return 0;
}

int policy_add_cgroup(struct allocd_policy *p, const char *path)
{
	return add_path(p->cgroups, p->cgroup_lens, &p->n_cgroups, path);
}

int policy_add_target(struct allocd_policy *p, const char *path)
{
	return add_path(p->targets, p->target_lens, &p->n_targets, path);
}

/* Whether @cgroup is @rule (@len bytes) or below it. */
static int cgroup_under(const char *cgroup, const char *rule, size_t len)
{
	if (len == 1)
		return 1;
	return !strncmp(cgroup, rule, len) &&
	       (cgroup[len] == '\0' || cgroup[len] == '/');
}

int policy_may_forward(const struct allocd_policy *p, uid_t uid,
		       const char *cgroup)
{
	size_t i;

	for (i = 0; i < p->n_uids; i++)
		if (p->uids[i] == uid)
			return 0;
	for (i = 0; cgroup && i < p->n_cgroups; i++)
		if (cgroup_under(cgroup, p->cgroups[i], p->cgroup_lens[i]))
			return 0;
	return -EPERM;
}

int policy_cgroup_under(const char *cgroup, const char *top)
{
	size_t len = strlen(top);

	while (len > 1 && top[len - 1] == '/')
		len--;
	return cgroup_under(cgroup, top, len);
}

int policy_may_charge(const struct allocd_policy *p, uid_t uid,
		      uid_t target_uid, const char *target, const char *own,
		      const char **reason)
{
	size_t i;

	*reason = "the daemon's own cgroup is unknown";
	if (!own)
		return -EPERM;
	/* Above the daemon, or the daemon's: no client's limit applies. */
	*reason = "the target is in the daemon's cgroup or one above it";
	if (policy_cgroup_under(own, target))
		return -EPERM;
	*reason = NULL;
	for (i = 0; i < p->n_targets; i++)
		if (cgroup_under(target, p->targets[i], p->target_lens[i]))
			return 0;
	if (p->n_targets) {
		*reason = "the target is not in a cgroup of --forward-to-cgroup";
		return -EPERM;
	}
	if (uid == 0 || uid == target_uid)
		return 0;
	*reason = "the target is another uid's process (and no --forward-to-cgroup)";
	return -EPERM;
}
