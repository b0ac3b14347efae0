// SPDX-License-Identifier: GPL-2.0
/* The fdinfo parser of libdmaheap on samples of what the kernel prints. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "dmaheap.h"
#include "internal.h"
#include "unit-test.h"

/* The generic part every fdinfo starts with */
#define GENERIC "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1042\n"

static const char charged[] = GENERIC
	"size:\t4194304\ncount:\t1\nexp_name:\tsystem\n"
	"charged_cgroup:\t/top_test/client-a\ncharged_cgroup_id:\t38\n";

static const char named[] = GENERIC
	"size:\t8192\ncount:\t3\nexp_name:\tcma\nname:\tcamera preview\n"
	"charged_cgroup:\tnone\n";

static const char older[] = GENERIC
	"size:\t4096\ncount:\t1\nexp_name:\tsystem\nname:\tx\n";

static const char not_dmabuf[] = GENERIC;

/* The path could not be made: the kernel prints the id alone */
static const char id_only[] = GENERIC
	"size:\t4096\ncount:\t1\nexp_name:\tsystem\ncharged_cgroup_id:\t77\n";

/* A name with a newline tries to pass for the charge of another cgroup */
static const char spoof[] = GENERIC
	"size:\t4096\ncount:\t1\nexp_name:\tsystem\n"
	"name:\tx\ncharged_cgroup:\t/fake\ncharged_cgroup_id:\t99\n"
	"charged_cgroup:\t/real\ncharged_cgroup_id:\t5\n";

/* The same on an uncharged buffer */
static const char spoof_none[] = GENERIC
	"size:\t4096\ncount:\t1\nexp_name:\tsystem\n"
	"name:\tx\ncharged_cgroup:\t/fake\ncharged_cgroup_id:\t99\n"
	"charged_cgroup:\tnone\n";

/* On a charged buffer whose path could not be made, a faked "none" */
static const char spoof_id_only[] = GENERIC
	"size:\t4096\ncount:\t1\nexp_name:\tsystem\n"
	"name:\tx\ncharged_cgroup:\tnone\ncharged_cgroup_id:\t5\n";

/* On an uncharged buffer, a faked id before the kernel's "none" */
static const char spoof_id_none[] = GENERIC
	"size:\t4096\ncount:\t1\nexp_name:\tsystem\n"
	"name:\tx\ncharged_cgroup_id:\t9\ncharged_cgroup:\tnone\n";

/* A faked size and exporter: the kernel printed its own before the name */
static const char spoof_size[] = GENERIC
	"size:\t4096\ncount:\t1\nexp_name:\tsystem\n"
	"name:\ta\nsize:\t1\nexp_name:\tcma\ncharged_cgroup:\tnone\n";

static const char long_exporter[] = GENERIC
	"size:\t4096\ncount:\t1\n"
	"exp_name:\tan-exporter-with-a-name-of-forty-bytes!!\n"
	"charged_cgroup:\tnone\n";

void test_fdinfo(void)
{
	struct dmaheap_info info;
	int ret;

	ret = dmaheap__parse_fdinfo(charged, &info);
	check(!ret && info.size == 4194304 && info.ino == 1042 &&
	      info.charged == 1 && info.cgroup_id == 38 &&
	      !strcmp(info.cgroup, "/top_test/client-a") &&
	      !strcmp(info.exporter, "system") && !info.name[0],
	      "fdinfo: a charged buffer");

	memset(&info, 0x55, sizeof(info));
	ret = dmaheap__parse_fdinfo(named, &info);
	check(!ret && info.size == 8192 && info.ino == 1042 &&
	      !info.charged && !info.cgroup_id && !info.cgroup[0] &&
	      !strcmp(info.exporter, "cma") &&
	      !strcmp(info.name, "camera preview"),
	      "fdinfo: a named buffer, charged to none");

	ret = dmaheap__parse_fdinfo(older, &info);
	check(ret == -EOPNOTSUPP,
	      "fdinfo: a kernel without charged_cgroup is -EOPNOTSUPP");
	ret = dmaheap__parse_fdinfo(not_dmabuf, &info);
	check(ret == -EBADF, "fdinfo: not a dma-buf (no exp_name) is -EBADF");
	ret = dmaheap__parse_fdinfo("", &info);
	check(ret == -EBADF, "fdinfo: nothing at all is -EBADF");

	ret = dmaheap__parse_fdinfo(id_only, &info);
	check(!ret && info.charged && info.cgroup_id == 77 && !info.cgroup[0],
	      "fdinfo: an id without a path is charged, path unknown");

	ret = dmaheap__parse_fdinfo(spoof, &info);
	check(!ret && info.charged && info.cgroup_id == 5 &&
	      !strcmp(info.cgroup, "/real") && !strcmp(info.name, "x"),
	      "fdinfo: lines faked by a name lose to the kernel's");
	ret = dmaheap__parse_fdinfo(spoof_none, &info);
	check(!ret && !info.charged && !info.cgroup_id && !info.cgroup[0],
	      "fdinfo: a faked charge on an uncharged buffer loses");

	ret = dmaheap__parse_fdinfo(spoof_id_only, &info);
	check(!ret && info.charged && info.cgroup_id == 5 && !info.cgroup[0],
	      "fdinfo: a faked \"none\" before the kernel's id loses");
	ret = dmaheap__parse_fdinfo(spoof_id_none, &info);
	check(!ret && !info.charged && !info.cgroup_id && !info.cgroup[0],
	      "fdinfo: a faked id before the kernel's \"none\" loses");
	ret = dmaheap__parse_fdinfo(spoof_size, &info);
	check(!ret && info.size == 4096 && !strcmp(info.exporter, "system") &&
	      !strcmp(info.name, "a"),
	      "fdinfo: a faked size or exporter loses to the kernel's");

	ret = dmaheap__parse_fdinfo(long_exporter, &info);
	check(!ret && strlen(info.exporter) == sizeof(info.exporter) - 1 &&
	      !strncmp(info.exporter, "an-exporter-with", 16),
	      "fdinfo: a long exporter name is cut, NUL-terminated");
}
