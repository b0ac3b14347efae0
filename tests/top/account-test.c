// SPDX-License-Identifier: GPL-2.0
/*
 * account-test: dmabuf-top's accounting on made-up snapshots, on the host.
 * Held bytes count a buffer once per cgroup at or above a holder; the
 * proportional shares split it among the holders' cgroups, add up the
 * tree, and sum to the buffers' sizes; "charged elsewhere" is a charge no
 * holder lives in or below. TAP.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/dmabuf-top/snapshot.h"
#include "../common/tap.h"

/* The tree, sorted by path as scan_cgroups() leaves it */
static const char *const paths[] = { "/", "/a", "/a/x", "/a/y", "/b" };
enum { ROOT, A, AX, AY, B, NR_CG };
static const int parents[] = { -1, ROOT, A, A, ROOT };

static struct cgroup cgroups[NR_CG];
static struct process procs[] = {
	{ .pid = 10, .comm = "x1", .cgroup = AX },
	{ .pid = 11, .comm = "x2", .cgroup = AX },
	{ .pid = 20, .comm = "y", .cgroup = AY },
	{ .pid = 30, .comm = "b", .cgroup = B },
	{ .pid = 40, .comm = "lost", .cgroup = -1 },
};

static struct holder h_shared[] = { { 0, 1, 0 }, { 1, 1, 0 }, { 2, 0, 1 }, { 3, 1, 1 } };
static struct holder h_x[] = { { 0, 2, 0 } };
static struct holder h_b[] = { { 3, 1, 0 } };
static struct holder h_lost[] = { { 4, 1, 0 } };

static struct buffer buffers[] = {
	/* 10 bytes held in x (twice), y and b: shares 4 3 3, remainder first */
	{ .ino = 1, .size = 10, .charged = true, .charged_path = "/a/x",
	  .charged_cgroup = AX, .holders = h_shared, .nr_holders = 4 },
	/* held in x, charged to its parent: not elsewhere */
	{ .ino = 2, .size = 100, .charged = true, .charged_path = "/a",
	  .charged_cgroup = A, .holders = h_x, .nr_holders = 1 },
	/* held in b, charged to a/y: elsewhere */
	{ .ino = 3, .size = 1000, .charged = true, .charged_path = "/a/y",
	  .charged_cgroup = AY, .holders = h_b, .nr_holders = 1 },
	/* no charge: never elsewhere; held only by a process of no cgroup */
	{ .ino = 4, .size = 5, .charged = false, .charged_cgroup = -1,
	  .holders = h_lost, .nr_holders = 1 },
	/* charged to a cgroup not in the tree (outside the namespace) */
	{ .ino = 5, .size = 7, .charged = true, .charged_path = "/../z",
	  .charged_cgroup = -1, .holders = h_x, .nr_holders = 1 },
};

int main(void)
{
	struct snapshot snap = {
		.processes = procs, .nr_processes = 5,
		.buffers = buffers, .nr_buffers = 5,
		.cgroups = cgroups, .nr_cgroups = NR_CG,
	};
	unsigned long long leaves;
	int i;

	printf("1..10\n");
	for (i = 0; i < NR_CG; i++) {
		cgroups[i].path = (char *)paths[i];
		cgroups[i].parent = parents[i];
	}
	snapshot_account(&snap);

	check(cgroups[AX].held == 10 + 100 + 7 && cgroups[AY].held == 10 &&
	      cgroups[B].held == 10 + 1000,
	      "held: each buffer a leaf's processes hold, once");
	check(cgroups[A].held == 10 + 100 + 7,
	      "held: a buffer held in two children counts once in the parent");
	check(cgroups[ROOT].held == 10 + 100 + 1000 + 7,
	      "held: the root counts every buffer once (not the one of no cgroup)");
	check(cgroups[AX].proportional == 4 + 100 + 7 &&
	      cgroups[AY].proportional == 3 && cgroups[B].proportional == 3 + 1000,
	      "proportional: 10 bytes among 3 cgroups is 4 3 3");
	check(cgroups[A].proportional == 4 + 100 + 7 + 3,
	      "proportional: a parent sums its children");
	leaves = cgroups[AX].proportional + cgroups[AY].proportional +
		 cgroups[B].proportional;
	check(leaves == 10 + 100 + 1000 + 7 && cgroups[ROOT].proportional == leaves,
	      "proportional: the shares add up to the buffers' sizes");
	check(!buffer_charged_elsewhere(&snap, &buffers[0]),
	      "not elsewhere: a holder lives in the charged cgroup");
	check(!buffer_charged_elsewhere(&snap, &buffers[1]),
	      "not elsewhere: the holder lives below the charged cgroup");
	check(buffer_charged_elsewhere(&snap, &buffers[2]) &&
	      buffer_charged_elsewhere(&snap, &buffers[4]),
	      "elsewhere: charged to a sibling, or outside the tree");
	check(!buffer_charged_elsewhere(&snap, &buffers[3]),
	      "not elsewhere: a buffer without a charge");
	return tap_failed();
}
