// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-lifecycle: the cgroup churner and the racer.
 *
 * The churner removes and recreates the pool cgroups (rmdir fails with
 * EBUSY while a client is inside) and sets their memory.max and
 * memory.high at random, while the allocators charge them.
 *
 * The racer creates and removes RACE_CG as fast as it can while two
 * threads open it and move a buffer's charge to it: the transfer's lookup
 * of a cgroup being removed (its css still online, its files gone).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "lifecycle.h"

#define MiB		(1024L * 1024)
#define MAX_HEADROOM	(2 * MiB)

static bool exists[NR_POOL];

static void toggle(int i)
{
	char path[64];
	int err;

	pool_path(path, sizeof(path), i);
	if (exists[i]) {
		err = rmdir(path) ? errno : 0;
		tally(OP_RMDIR, err);
		if (!err || err == ENOENT)
			exists[i] = false;
	} else {
		err = mkdir(path, 0755) ? errno : 0;
		tally(OP_MKDIR, err);
		if (!err || err == EEXIST)
			exists[i] = true;
	}
}

/*
 * A random limit from 4M to 32M, or max. memory.max stays MAX_HEADROOM
 * above the current usage: the dma-buf charges cannot be reclaimed, and a
 * limit below them would have the OOM killer kill the clients inside.
 * Charges then fail with ENOMEM when they would pass it.
 */
static void set_limit(uint64_t *rng, int i, bool high)
{
	long v = (4 + below(rng, 29)) * MiB, cur;
	char path[80], text[32];

	snprintf(path, sizeof(path), PARENT "/cg%d/memory.current", i);
	cur = get_value(path, NULL);
	if (!high && cur >= 0 && v < cur + MAX_HEADROOM)
		v = cur + MAX_HEADROOM;
	if (below(rng, 8))
		snprintf(text, sizeof(text), "%ld", v);
	else
		snprintf(text, sizeof(text), "max");
	snprintf(path, sizeof(path), PARENT "/cg%d/memory.%s", i,
		 high ? "high" : "max");
	tally(high ? OP_SET_HIGH : OP_SET_MAX, put_file(path, text));
}

void run_churn(uint64_t seed)
{
	uint64_t rng = seed ^ 0xc4c4ULL;
	int i;

	for (i = 0; i < NR_POOL; i++)
		exists[i] = true;	/* the coordinator made them all */
	while (!stopping()) {
		i = below(&rng, NR_POOL);
		switch (below(&rng, 4)) {
		case 0:
		case 1:
			toggle(i);
			break;
		case 2:
			set_limit(&rng, i, false);
			break;
		default:
			set_limit(&rng, i, true);
			break;
		}
		usleep(below(&rng, 2000));
	}
}

struct racer {
	int buf;
	uint64_t rng;
};

/*
 * Drop CAP_SYS_RESOURCE from this thread's effective set (capset() changes
 * one thread): root still owns the cgroup's files, so its transfers are
 * then checked against them, which is what races with their removal.
 */
static int drop_sys_resource(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_SYS_RESOURCE / 32].effective &=
		~(1U << (CAP_SYS_RESOURCE % 32));
	return syscall(SYS_capset, &hdr, data);
}

static void *race_xfer(void *arg)
{
	struct dma_buf_xfer_charge xfer = { .flags = DMA_BUF_XFER_CHARGE_CGROUP };
	struct racer *r = arg;
	int fd;

	if (drop_sys_resource()) {
		perror("# racer: dropping CAP_SYS_RESOURCE");
		exit(1);
	}
	while (!stopping()) {
		fd = open(RACE_CG, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		tally(OP_RACE_OPEN, fd < 0 ? errno : 0);
		if (fd < 0)
			continue;
		xfer.target_fd = fd;
		tally(OP_RACE_XFER,
		      ioctl(r->buf, DMA_BUF_IOCTL_XFER_CHARGE, &xfer) ? errno : 0);
		close(fd);
	}
	return NULL;
}

static void race_mkdir(uint64_t *rng)
{
	int err;

	while (!stopping()) {
		err = mkdir(RACE_CG, 0755) ? errno : 0;
		tally(OP_RACE_MKDIR, err);
		if (err)
			continue;
		/* Vary the cgroup's lifetime: none, a yield, or a little. */
		switch (below(rng, 4)) {
		case 0:
			break;
		case 1:
			sched_yield();
			break;
		default:
			usleep(below(rng, 300));
			break;
		}
		tally(OP_RACE_RMDIR, rmdir(RACE_CG) ? errno : 0);
	}
}

void run_racer(uint64_t seed)
{
	struct racer r[2] = { { -1, seed ^ 0x7ace1ULL }, { -1, seed ^ 0x7ace2ULL } };
	uint64_t rng = seed ^ 0x7aceULL;
	pthread_t t[2];
	int heap, i;

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < 2 && heap >= 0; i++) {
		struct dma_heap_allocation_data data = {
			.len = 64 << 10,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};

		if (!ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data))
			r[i].buf = data.fd;
	}
	if (heap < 0 || r[0].buf < 0 || r[1].buf < 0) {
		perror("# racer: allocating its buffers");
		exit(1);
	}
	close(heap);
	for (i = 0; i < 2; i++) {
		if (pthread_create(&t[i], NULL, race_xfer, &r[i])) {
			printf("# racer: pthread_create failed\n");
			exit(1);
		}
	}
	race_mkdir(&rng);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		close(r[i].buf);
	}
}
