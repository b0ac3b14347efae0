/* SPDX-License-Identifier: GPL-2.0 */
/* Running as an unprivileged uid, with or without CAP_SYS_RESOURCE. */
#ifndef ALLOCD_PRIVILEGES_H
#define ALLOCD_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * privileges_drop - become @uid:@gid with no supplementary group (if
 * @set_user), and hold CAP_SYS_RESOURCE and no other capability (if
 * @keep_cap: permitted, effective, inheritable and ambient) or none at
 * all (if @set_user without @keep_cap). With neither, nothing changes.
 * Then no_new_privs is set; and with @set_user (which needs root's
 * CAP_SETPCAP), the bounding set holds the kept capability alone, and the
 * securebits are locked: uid 0 gets no capability, none survives a uid
 * change, no ambient one can be raised.
 *
 * Returns 0, or a negative errno (-EPERM: @keep_cap without
 * CAP_SYS_RESOURCE to keep); the process may then be half-way, and must
 * exit.
 */
int privileges_drop(bool set_user, uid_t uid, gid_t gid, bool keep_cap);

/* privileges_have_sys_resource - 1 if CAP_SYS_RESOURCE is effective, 0 if
 * not, or a negative errno
 */
int privileges_have_sys_resource(void);

/*
 * privileges_describe - a line for the startup log: the uid and gid, the
 * effective capabilities (hex, as /proc/PID/status shows them), and
 * which of the kernel's two rules lets the daemon charge its clients
 */
void privileges_describe(char *buf, size_t size);

#endif
