/* SPDX-License-Identifier: GPL-2.0 */
/* What a pidfd says about its process: its pid, cgroup and uid. */
#ifndef ALLOCD_PEER_H
#define ALLOCD_PEER_H

#include <stddef.h>
#include <sys/types.h>

/*
 * peer_pid - the pid @pidfd refers to, in our pid namespace: > 0; -ESRCH if
 * its process has been reaped (or lives outside our pid namespace); -EBADF
 * if @pidfd is not a pidfd (its fdinfo has no "Pid:" line)
 */
pid_t peer_pid(int pidfd);

/*
 * peer_cgroup - the cgroup v2 path of @pidfd's process, as /proc/PID/cgroup
 * shows it, in @buf
 *
 * Read through the pid, then checked to be still that process's (the
 * pidfd's fdinfo still says that pid: the process has not been reaped):
 * had the process exited and its pid been reused meanwhile, the path read
 * would be another process's. Returns 0; peer_pid()'s errors, -ESRCH if
 * the process is gone; -ENOENT if it has no cgroup v2 line; -ENAMETOOLONG
 * if @buf is too small.
 */
int peer_cgroup(int pidfd, char *buf, size_t size);

/* peer_own_cgroup - the daemon's own cgroup v2 path, as peer_cgroup() */
int peer_own_cgroup(char *buf, size_t size);

/*
 * peer_uid - the real uid of @pidfd's process (/proc/PID/status), checked
 * as peer_cgroup() does: 0, or its errors
 */
int peer_uid(int pidfd, uid_t *uid);

#endif
