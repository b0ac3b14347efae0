// SPDX-License-Identifier: GPL-2.0
/*
 * One request, from the packet to the reply: the checks that need nothing
 * but the packet (request.c), then those that look at the system (is the
 * forwarded fd a pidfd, may this peer forward), then the allocation, which
 * the kernel charges to the client's cgroup or refuses. Every outcome is
 * one log line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "dmaheap.h"
#include "handle.h"
#include "heaps.h"
#include "log.h"
#include "peer.h"
#include "request.h"

/* Why the kernel or the library refused, in the daemon's words. */
static const char *alloc_reason(int err)
{
	switch (-err) {
	case ENOMEM:
		return "does not fit under memory.max, or the heap is out of memory";
	case EPERM:
		return "the daemon may not charge that cgroup: no CAP_SYS_RESOURCE, not delegated";
	case EACCES:
		return "refused by a security module";
	case ESRCH:
		return "the process to charge has exited";
	case EOPNOTSUPP:
		return "the kernel cannot charge another cgroup";
	case ENOENT:
		return "no such heap";
	default:
		return NULL;
	}
}

/*
 * The forwarded pidfd @pidfd from @who, in @cgroup: 0 if it may be
 * charged, or -errno with @d->reason. Fills @d's for_* fields. First, may
 * @who forward at all; then, may it name that process (policy.c): the
 * kernel checks only the daemon's authority, not the forwarder's.
 */
static int check_forward(const struct allocd_config *cfg,
			 const struct peer_id *who, const char *cgroup,
			 int pidfd, struct log_decision *d,
			 char *for_cgroup, size_t size)
{
	pid_t pid = peer_pid(pidfd);
	char own[PATH_MAX];
	uid_t target_uid;
	int ret;

	if (pid == -EBADF) {
		d->for_pid = LOG_FOR_BADFD;
		d->reason = "the forwarded fd is not a pidfd";
		return -EBADF;
	}
	d->for_pid = pid > 0 ? pid : LOG_FOR_EXITED;
	ret = pid > 0 ? peer_cgroup(pidfd, for_cgroup, size) : pid;
	if (!ret)
		d->for_cgroup = for_cgroup;
	if (policy_may_forward(&cfg->policy, who->uid, cgroup)) {
		d->reason = "this peer may not ask on behalf of others (--allow-forward-*)";
		return -EPERM;
	}
	if (!ret)
		ret = peer_uid(pidfd, &target_uid);
	if (ret) {
		d->reason = ret == -ESRCH ? "the process to charge has exited" :
			    "cannot read the cgroup and uid of the process to charge";
		return ret == -ESRCH ? -ESRCH : -EPERM;
	}
	ret = policy_may_charge(&cfg->policy, who->uid, target_uid, for_cgroup,
				peer_own_cgroup(own, sizeof(own)) ? NULL : own,
				&d->reason);
	return ret;
}

/*
 * Whether a forward charged @charged, the daemon's cgroup or one above it:
 * the target moved there after it was checked. Read from the buffer, what
 * the kernel did, it cannot race.
 */
static bool charged_above_us(const char *charged)
{
	char own[PATH_MAX];

	return charged[0] && (peer_own_cgroup(own, sizeof(own)) ||
			      policy_cgroup_under(own, charged));
}

/* Allocate, name and describe the buffer: its fd, or -errno. */
static int allocate(const struct dmabuf_allocd_request *req, int pidfd,
		    bool forwarded, struct dmaheap_info *info,
		    struct log_decision *d)
{
	/* The daemon's own copy is close-on-exec whatever the client wants. */
	unsigned int flags = req->fd_flags ? req->fd_flags | O_CLOEXEC : 0;
	int heap, buf, ret;

	heap = heaps_get(req->heap);
	if (heap < 0) {
		d->reason = heap == -ENOENT ? "no such heap" : NULL;
		return heap;
	}
	buf = dmaheap_alloc_fd(heap, req->len, flags, pidfd);
	if (buf < 0) {
		d->reason = alloc_reason(buf);
		return buf;
	}
	if (req->name[0]) {
		ret = dmaheap_set_name(buf, req->name);
		if (ret) {
			/* Closing the only fd uncharges: nothing is left. */
			close(buf);
			d->reason = "cannot name the buffer";
			return ret;
		}
	}
	if (dmaheap_info(buf, info)) {
		/* The buffer is good; only the log and cgroup_id lose. */
		memset(info, 0, sizeof(*info));
		info->size = lseek(buf, 0, SEEK_END);
		lseek(buf, 0, SEEK_SET);
	} else {
		d->charged = info->cgroup;
	}
	if (forwarded && d->charged && charged_above_us(d->charged)) {
		close(buf);
		d->reason = "the target moved into the daemon's cgroup or one above it";
		return -EPERM;
	}
	d->charged_id = info->cgroup_id;
	return buf;
}

/*
 * The requester's cgroup into @d, for the log and the forward policy, read
 * once and only when needed: reading it through procfs costs more than
 * the allocation (three files), and a quiet daemon's successful requests
 * need it neither for a log line nor, unless forwarded, for a decision.
 */
static void peer_cgroup_of(const struct peer_id *who, char *cgroup,
			   size_t size, struct log_decision *d)
{
	if (!d->cgroup && !peer_cgroup(who->pidfd, cgroup, size))
		d->cgroup = cgroup;
}

int handle_packet(const struct allocd_config *cfg, const struct peer_id *who,
		  const void *pkt, size_t len, int msg_flags,
		  const int *fds, unsigned int nfds,
		  struct dmabuf_allocd_reply *rep, int *buf)
{
	struct log_decision d = { .pid = who->pid, .uid = who->uid };
	char cgroup[PATH_MAX], for_cgroup[PATH_MAX];
	struct dmabuf_allocd_request req;
	struct dmaheap_info info;
	int status;

	*buf = -1;
	status = request_decode(pkt, len, msg_flags, nfds, cfg->max_size,
				&req, &d.reason);
	if (status == REQUEST_CLOSE) {
		peer_cgroup_of(who, cgroup, sizeof(cgroup), &d);
		log_refused(who->pid, who->uid, d.cgroup, d.reason);
		return REQUEST_CLOSE;
	}
	/* Heap and name go in the log only once known to be strings. */
	if (status != -EPROTONOSUPPORT && memchr(req.heap, 0, sizeof(req.heap)) &&
	    memchr(req.name, 0, sizeof(req.name))) {
		d.heap = req.heap;
		d.name = req.name;
		d.size = req.len;
	}
	if (!status && (req.flags & DMABUF_ALLOCD_FOR_PIDFD)) {
		peer_cgroup_of(who, cgroup, sizeof(cgroup), &d);
		status = check_forward(cfg, who, d.cgroup, fds[0], &d,
				       for_cgroup, sizeof(for_cgroup));
	}
	if (!status) {
		status = allocate(&req, d.for_pid ? fds[0] : who->pidfd,
				  d.for_pid != LOG_FOR_SELF, &info, &d);
		if (status >= 0) {
			*buf = status;
			status = 0;
		}
	}
	d.status = status;
	request_reply(rep, req.seq, status, status ? 0 : info.size,
		      status ? 0 : info.cgroup_id);
	if (log_decision_wanted(&d)) {
		peer_cgroup_of(who, cgroup, sizeof(cgroup), &d);
		log_decision(&d);
	}
	return 0;
}

void handle_refused(const struct peer_id *who, const char *reason)
{
	char cgroup[PATH_MAX];
	int known = who->pidfd >= 0 &&
		    !peer_cgroup(who->pidfd, cgroup, sizeof(cgroup));

	log_refused(who->pid, who->uid, known ? cgroup : NULL, reason);
}
