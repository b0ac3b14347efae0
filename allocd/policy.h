/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which peers dmabuf-allocd trusts to ask "on behalf of" another process,
 * and which processes they may name.
 */
#ifndef ALLOCD_POLICY_H
#define ALLOCD_POLICY_H

#include <stddef.h>
#include <sys/types.h>

/* How many of each --allow-forward-* option the command line may give. */
#define POLICY_MAX 32

struct allocd_policy {
	uid_t uids[POLICY_MAX];
	size_t n_uids;
	/* Paths as /proc/PID/cgroup shows them, without a trailing '/'. */
	const char *cgroups[POLICY_MAX];
	size_t cgroup_lens[POLICY_MAX];
	size_t n_cgroups;
	/* --forward-to-cgroup: the cgroups forwards may charge, if any */
	const char *targets[POLICY_MAX];
	size_t target_lens[POLICY_MAX];
	size_t n_targets;
};

/*
 * policy_add_uid - trust peers of uid @text (decimal): 0, -EINVAL if @text
 * is not a uid, -E2BIG beyond POLICY_MAX.
 */
int policy_add_uid(struct allocd_policy *p, const char *text);

/*
 * policy_add_cgroup - trust peers in cgroup @path or below it; @path is as
 * /proc/PID/cgroup shows it ("/system.slice/compositor.service") and must
 * stay valid. 0, -EINVAL if it does not start with '/' or has an empty,
 * "." or ".." component, -E2BIG beyond POLICY_MAX.
 */
int policy_add_cgroup(struct allocd_policy *p, const char *path);

/*
 * policy_add_target - let forwards charge cgroup @path and below it
 * (--forward-to-cgroup); as policy_add_cgroup() otherwise
 */
int policy_add_target(struct allocd_policy *p, const char *path);

/*
 * policy_may_forward - may a peer of @uid in cgroup @cgroup (NULL: unknown,
 * its process is gone) forward requests? 0 if so, -EPERM if not.
 */
int policy_may_forward(const struct allocd_policy *p, uid_t uid,
		       const char *cgroup);

/*
 * policy_may_charge - may a forward from a (trusted) peer of uid @uid
 * charge the process of real uid @target_uid in cgroup @target, the daemon
 * being in cgroup @own (NULL: unknown)?
 *
 * Never the daemon's own cgroup or one above it, where no limit of a
 * client's applies. Then, with --forward-to-cgroup, a cgroup under one of
 * those; without, a process of the peer's own uid, or any if the peer is
 * root. The kernel's check comes on top, but it is the daemon's authority
 * it checks, not the peer's.
 *
 * Returns 0, or -EPERM with the reason in @reason.
 */
int policy_may_charge(const struct allocd_policy *p, uid_t uid,
		      uid_t target_uid, const char *target, const char *own,
		      const char **reason);

/* policy_cgroup_under - whether cgroup @cgroup is @top or below it */
int policy_cgroup_under(const char *cgroup, const char *top);

#endif
