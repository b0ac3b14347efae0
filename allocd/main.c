// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-allocd: the reference central allocator. Clients ask over a UNIX
 * socket (lib/dmabuf-allocd.h) for dma-buf heap buffers, and each buffer
 * is charged to the memory cgroup of the client that asked, known from
 * the socket (SO_PEERPIDFD), or of the process a trusted peer asks for.
 *
 * Startup, in this order: the heaps and the socket while still privileged,
 * then down to the configured uid and capabilities, then the event loop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "heaps.h"
#include "listen.h"
#include "log.h"
#include "options.h"
#include "privileges.h"
#include "server.h"

/*
 * Each client holds a socket, a pidfd and up to --max-outstanding buffers:
 * raise the soft fd limit to the hard one, and say if even that is short.
 */
static void raise_fd_limit(const struct allocd_config *cfg)
{
	unsigned long long need = (unsigned long long)cfg->max_clients *
				  (cfg->max_outstanding + 2) + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_error("fd limit %llu is below the %llu the client limits may use",
			  (unsigned long long)rl.rlim_cur, need);
}

int main(int argc, char **argv)
{
	struct allocd_config cfg;
	bool own_socket = false, systemd;
	char line[512];
	sigset_t set;
	int ret, fd;

	ret = options_parse(&cfg, argc, argv, stdout, stderr);
	if (ret)
		return ret == OPTIONS_HELP ? 0 : 2;
	if (log_init(cfg.quiet))
		return 1;

	/* A client that goes away must not kill us; signals come as events. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise_fd_limit(&cfg);

	ret = heaps_open_all();
	if (ret <= 0) {
		log_error("no heap to allocate from in /dev/dma_heap%s%s",
			  ret ? ": " : "", ret ? strerror(-ret) : "");
		return 1;
	}
	fd = listen_systemd();
	systemd = fd != -ENOENT;
	if (!systemd) {
		fd = listen_path(cfg.socket_path);
		own_socket = fd >= 0;
	}
	if (fd < 0) {
		if (systemd)
			log_error("cannot listen on fd %d, the socket systemd passed: %s",
				  LISTEN_FDS_START, fd == -EINVAL ?
				  "not a listening AF_UNIX SOCK_SEQPACKET socket" :
				  strerror(-fd));
		else
			log_error("cannot listen on %s: %s", cfg.socket_path,
				  fd == -EADDRINUSE ? "a daemon is listening there" :
				  strerror(-fd));
		heaps_close_all();
		return 1;
	}
	ret = privileges_drop(cfg.set_user, cfg.uid, cfg.gid, cfg.keep_cap);
	if (ret) {
		log_error("cannot drop privileges: %s", ret == -EPERM &&
			  cfg.keep_cap ? "no CAP_SYS_RESOURCE to keep" :
			  strerror(-ret));
		ret = 1;
		goto out;
	}
	privileges_describe(line, sizeof(line));
	log_info("listening on %s; %s", own_socket ? cfg.socket_path :
		 "the socket systemd passed (fd 3)", line);
	ret = server_run(fd, &cfg);
	if (ret)
		log_error("event loop: %s", strerror(-ret));
	ret = ret ? 1 : 0;
out:
	/*
	 * The listening socket is left to exit(): connections not accepted
	 * yet may hold fds in flight, whose close could block here.
	 */
	/* Best effort: once unprivileged the directory may not let us. */
	if (own_socket)
		unlink(cfg.socket_path);
	heaps_close_all();
	return ret;
}
