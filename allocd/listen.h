/* SPDX-License-Identifier: GPL-2.0 */
/* dmabuf-allocd's listening socket: its own, or one systemd passed. */
#ifndef ALLOCD_LISTEN_H
#define ALLOCD_LISTEN_H

/*
 * Connections waiting to be accepted. Clients that connect faster than the
 * daemon serves them wait in connect() past that, rather than queue up by
 * thousands ahead of everyone else.
 */
#define LISTEN_BACKLOG 64

/* The first fd systemd passes (SD_LISTEN_FDS_START). */
#define LISTEN_FDS_START 3

/*
 * listen_systemd - the socket systemd passed (socket activation: LISTEN_PID
 * is our pid, LISTEN_FDS at least 1), made non-blocking and close-on-exec;
 * further fds are closed and the variables unset. Returns the fd,
 * -ENOENT if systemd passed none, or -EINVAL if fd 3 is not a listening
 * AF_UNIX SOCK_SEQPACKET socket.
 */
int listen_systemd(void);

/*
 * listen_path - a new listening SOCK_SEQPACKET socket at @path, mode 0666
 * (anyone may ask: each pays for its own buffers). A stale socket file
 * (nobody listening) is replaced; a live one is left alone: -EADDRINUSE.
 * Other errors: -EEXIST (a file that is not a socket), -ENAMETOOLONG, and
 * those of socket(), bind(), listen().
 */
int listen_path(const char *path);

#endif
