// SPDX-License-Identifier: GPL-2.0
/*
 * insn-profile: a QEMU TCG plugin that counts the guest kernel's
 * instructions by translation block, for bench/profile.
 *
 *   qemu-system-x86_64 ... -plugin build/host/insn-profile.so,out=FILE
 *
 * At exit FILE holds one line per kernel address at which a block
 * started, "ADDRESS INSTRUCTIONS" (hex, decimal): how many instructions
 * blocks starting there executed, all vCPUs together. bench/profile maps
 * the addresses to functions with the kernel's System.map. A block that
 * an interrupt cuts short counts whole: an approximation, the same one in
 * every run.
 *
 * Debian's QEMU is built with plugin support but ships neither plugins
 * nor their header: qemu-plugin-v1.h declares the few calls used here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-plugin-v1.h"

/* The x86-64 kernel's half of the address space */
#define KERNEL_START 0xffff800000000000ULL

/*
 * One translation of a block: QEMU adds the block's instruction count to
 * @insns each time it runs (inline, no call). A block translated again
 * (after a flush) gets a new entry; the output adds them up by address.
 */
struct block {
	uint64_t vaddr;
	uint64_t insns;
};

static struct block **blocks;
static size_t nr_blocks, cap_blocks;
static const char *out_path;

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	(void)id;
	if (vaddr < KERNEL_START)
		return;
	/* Translation is serialised by QEMU: no lock is needed here. */
	if (nr_blocks == cap_blocks) {
		size_t cap = cap_blocks ? 2 * cap_blocks : 65536;
		struct block **nb = realloc(blocks, cap * sizeof(*nb));

		if (!nb)
			return;
		blocks = nb;
		cap_blocks = cap;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return;
	b->vaddr = vaddr;
	blocks[nr_blocks++] = b;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->insns,
						 qemu_plugin_tb_n_insns(tb));
}

static int by_vaddr(const void *x, const void *y)
{
	const struct block *a = *(struct block *const *)x;
	const struct block *b = *(struct block *const *)y;

	return (a->vaddr > b->vaddr) - (a->vaddr < b->vaddr);
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
	FILE *f = fopen(out_path, "w");
	size_t i = 0, j;

	(void)id;
	(void)userdata;
	if (!f) {
		perror(out_path);
		return;
	}
	qsort(blocks, nr_blocks, sizeof(*blocks), by_vaddr);
	while (i < nr_blocks) {
		uint64_t sum = 0;

		for (j = i; j < nr_blocks && blocks[j]->vaddr == blocks[i]->vaddr; j++)
			sum += blocks[j]->insns;
		if (sum)
			fprintf(f, "%llx %llu\n", (unsigned long long)blocks[i]->vaddr,
				(unsigned long long)sum);
		i = j;
	}
	fclose(f);
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
	if (!out_path) {
		fprintf(stderr, "insn-profile: usage: -plugin insn-profile.so,out=FILE\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
