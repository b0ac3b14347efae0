// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel lets a process charge another cgroup if it holds
 * CAP_SYS_RESOURCE, or if it could move itself into that cgroup (a subtree
 * delegated to its uid). The daemon needs nothing else, so it keeps at most
 * that one capability, and makes sure it cannot get any other back: the
 * bounding set, no_new_privs, and securebits that make uid 0 powerless.
 * Raw capget()/capset(): no libcap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/securebits.h>

#include "privileges.h"

/* The two 32-bit words of version 3 capability sets. */
struct caps {
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
};

static int caps_get(struct caps *c)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &h, c->d) ? -errno : 0;
}

static int caps_set(const struct caps *c)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capset, &h, c->d) ? -errno : 0;
}

/* Capability sets holding @cap only (-1: none) in every set. */
static void caps_only(struct caps *c, int cap)
{
	memset(c, 0, sizeof(*c));
	if (cap < 0)
		return;
	c->d[CAP_TO_INDEX(cap)].effective = CAP_TO_MASK(cap);
	c->d[CAP_TO_INDEX(cap)].permitted = CAP_TO_MASK(cap);
	c->d[CAP_TO_INDEX(cap)].inheritable = CAP_TO_MASK(cap);
}

static int change_user(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/*
 * Empty the bounding set but for @keep (-1: none), so that nothing the
 * process could exec, nor a file capability, gives it more.
 */
static int bound_to(int keep)
{
	int cap;

	/* Up to the last capability the kernel knows: then EINVAL. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (cap != keep && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -errno;
	return 0;
}

/* Locked for good: uid 0 is nobody special, no capability comes back. */
#define SECBITS_LOCKS	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | \
			 SECBIT_NO_SETUID_FIXUP_LOCKED)
#define SECBITS_FINAL	(SECBITS_LOCKS | SECBIT_KEEP_CAPS_LOCKED | \
			 SECBIT_NO_CAP_AMBIENT_RAISE | \
			 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

static int set_securebits(unsigned long bits)
{
	return prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) ? -errno : 0;
}

/*
 * As root (--user): bounding set, securebits, uid. To keep a capability
 * through the uid change, keep_caps is on; it also keeps CAP_SETPCAP,
 * which the last securebits need.
 */
static int become_user(uid_t uid, gid_t gid, bool keep_cap)
{
	int ret;

	ret = bound_to(keep_cap ? CAP_SYS_RESOURCE : -1);
	if (!ret)
		ret = set_securebits(keep_cap ? SECBITS_LOCKS | SECBIT_KEEP_CAPS :
				     SECBITS_FINAL);
	if (!ret)
		ret = change_user(uid, gid);
	return ret;
}

/* Hold CAP_SYS_RESOURCE alone, ambient too; with --user, lock up after. */
static int keep_sys_resource(bool set_user)
{
	struct caps c;
	int ret;

	caps_only(&c, CAP_SYS_RESOURCE);
	if (set_user) {
		c.d[CAP_TO_INDEX(CAP_SETPCAP)].permitted |= CAP_TO_MASK(CAP_SETPCAP);
		c.d[CAP_TO_INDEX(CAP_SETPCAP)].effective |= CAP_TO_MASK(CAP_SETPCAP);
	}
	ret = caps_set(&c);
	if (ret)
		return ret;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_RESOURCE, 0, 0))
		return -errno;
	if (!set_user)
		return 0;
	ret = set_securebits(SECBITS_FINAL);
	if (ret)
		return ret;
	/* And now without CAP_SETPCAP. */
	caps_only(&c, CAP_SYS_RESOURCE);
	return caps_set(&c);
}

int privileges_drop(bool set_user, uid_t uid, gid_t gid, bool keep_cap)
{
	struct caps c;
	int ret;

	if (!set_user && !keep_cap)
		return 0;
	if (keep_cap) {
		ret = caps_get(&c);
		if (ret)
			return ret;
		if (!(c.d[CAP_TO_INDEX(CAP_SYS_RESOURCE)].permitted &
		      CAP_TO_MASK(CAP_SYS_RESOURCE)))
			return -EPERM;
	}
	if (set_user) {
		ret = become_user(uid, gid, keep_cap);
		if (ret)
			return ret;
	}
	/* Ambient first: a capability leaving the sets would drop it anyway. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -errno;
	if (keep_cap) {
		ret = keep_sys_resource(set_user);
	} else {
		caps_only(&c, -1);
		ret = caps_set(&c);
	}
	if (ret)
		return ret;
	/* Nothing the daemon could exec may gain privileges either. */
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}

int privileges_have_sys_resource(void)
{
	struct caps c;
	int ret = caps_get(&c);

	if (ret)
		return ret;
	return !!(c.d[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective &
		  CAP_TO_MASK(CAP_SYS_RESOURCE));
}

void privileges_describe(char *buf, size_t size)
{
	unsigned long long eff = 0;
	struct caps c;
	int sys_resource = privileges_have_sys_resource();

	if (!caps_get(&c))
		eff = (unsigned long long)c.d[1].effective << 32 |
		      c.d[0].effective;
	snprintf(buf, size,
		 "privileges: uid %u gid %u, effective capabilities %016llx: %s",
		 (unsigned int)geteuid(), (unsigned int)getegid(), eff,
		 sys_resource > 0 ?
		 "CAP_SYS_RESOURCE, may charge any client's cgroup" :
		 "no CAP_SYS_RESOURCE, may charge only the cgroups it could move itself into (a subtree delegated to its uid)");
}
