/* SPDX-License-Identifier: GPL-2.0 */
/* dmabuf-allocd's event loop. */
#ifndef ALLOCD_SERVER_H
#define ALLOCD_SERVER_H

#include "options.h"

/*
 * server_run - serve the clients of the listening socket @listen_fd (non-
 * blocking) until SIGTERM or SIGINT, which the caller has blocked
 *
 * Returns 0 after a signal, or a negative errno if the loop itself fails.
 * Every client's pidfd and queued buffer is closed on return, and its
 * socket handed to the closer thread (closer.h), which the caller's exit
 * ends; @listen_fd stays open.
 */
int server_run(int listen_fd, const struct allocd_config *cfg);

#endif
