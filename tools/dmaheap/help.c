// SPDX-License-Identifier: GPL-2.0
/* The --help texts. */
#include "verbs.h"

static const char help_none[] =
	"usage: dmaheap VERB [OPTION...]\n"
	"Allocate dma-buf heap buffers, charge them to a memory cgroup, and say\n"
	"which cgroup pays for a buffer.\n"
	"\n"
	"  list    the heaps\n"
	"  alloc   allocate buffers, charged to the caller, a process or a cgroup,\n"
	"          and hold them for a while or while a command runs\n"
	"  xfer    move a buffer's charge to a process's cgroup or a cgroup\n"
	"  who     which cgroup pays for a buffer\n"
	"  probe   whether this kernel can charge another cgroup\n"
	"\n"
	"dmaheap VERB --help says more; dmaheap --version its version.\n"
	"Exit status: 0 done, 1 failed, 2 bad usage.\n";

static const char help_list[] =
	"usage: dmaheap list\n"
	"Print the dma-buf heaps of /dev/dma_heap, one per line.\n"
	"Exit status: 0 if there is one, 1 if there is none.\n";

static const char help_alloc[] =
	"usage: dmaheap alloc [--heap NAME] --size SIZE [--size SIZE]...\n"
	"                     [--for-pid PID | --for-cgroup PATH] [--name NAME]\n"
	"                     [--service [SOCKET]] [--hold SECONDS | -- CMD [ARG...]]\n"
	"Allocate one buffer per --size and print one line per buffer: its size,\n"
	"the pid and fd that hold it, its inode number and the cgroup that pays.\n"
	"Then hold the buffers for SECONDS, or while CMD runs, and free them.\n"
	"\n"
	"  -H, --heap NAME        the heap (default: system; dmaheap list)\n"
	"  -s, --size SIZE        bytes, or K, M, G (KiB, MiB, GiB: powers of 1024)\n"
	"  -p, --for-pid PID      charge PID's memory cgroup (charge_pid_fd)\n"
	"  -c, --for-cgroup PATH  then move the charge to the cgroup v2 directory\n"
	"                         PATH; if that fails the buffer is freed\n"
	"  -n, --name NAME        name the buffers (at most 31 bytes)\n"
	"      --service [SOCKET] ask dmabuf-allocd (default socket\n"
	"                         /run/dmabuf-allocd.sock); with --for-pid it\n"
	"                         forwards a pidfd of PID\n"
	"      --hold SECONDS     hold the buffers that long\n"
	"  -- CMD [ARG...]        hold them while CMD runs\n"
	"\n"
	"Exit status: 1 if any allocation failed, else CMD's, else 0; 2 on bad\n"
	"usage.\n";

static const char help_xfer[] =
	"usage: dmaheap xfer (FD | /proc/PID/fd/FD) (--to-pid PID | --to-cgroup PATH)\n"
	"Move the charge of a buffer: one of dmaheap's own fds (inherited), or\n"
	"another process's, taken with pidfd_getfd(2) (which needs ptrace\n"
	"rights over it).\n"
	"\n"
	"  -p, --to-pid PID       to the memory cgroup of PID\n"
	"  -c, --to-cgroup PATH   to the cgroup v2 directory PATH\n"
	"\n"
	"Exit status: 0 moved, 1 not, 2 bad usage.\n";

static const char help_who[] =
	"usage: dmaheap who [--json] (FD | /proc/PID/fd/FD)...\n"
	"Print which cgroup pays for each buffer (its path and id), and the\n"
	"buffer's size, inode number, exporter and name, from its fdinfo.\n"
	"\n"
	"      --json             one JSON array instead of a table\n"
	"\n"
	"Exit status: 0 if every buffer was read, 1 if not, 2 bad usage.\n";

static const char help_probe[] =
	"usage: dmaheap probe\n"
	"Say whether the running kernel honours charge_pid_fd (charges another\n"
	"process's cgroup) and whether dma_heap.mem_accounting is on.\n"
	"Exit status: 0 supported, 1 not supported, 2 cannot tell.\n";

const char *help_text(enum verb verb)
{
	switch (verb) {
	case VERB_LIST:
		return help_list;
	case VERB_ALLOC:
		return help_alloc;
	case VERB_XFER:
		return help_xfer;
	case VERB_WHO:
		return help_who;
	case VERB_PROBE:
		return help_probe;
	case VERB_NONE:
		break;
	}
	return help_none;
}
