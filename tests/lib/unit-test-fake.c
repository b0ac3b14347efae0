// SPDX-License-Identifier: GPL-2.0
/*
 * What the unit tests need to play the kernel: a child process to run a
 * check in (the probe's answer is cached per process, a seccomp filter is
 * for good), and a seccomp filter that answers an ioctl in the kernel's
 * place, so that the library's handling of each answer can be seen on a
 * host that has no heaps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/types.h>

#include "unit-test.h"

#if defined(__x86_64__)
#define FAKE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FAKE_ARCH AUDIT_ARCH_AARCH64
#endif

/* The low half of the ioctl's request, the second argument */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FAKE_ARG1 (offsetof(struct seccomp_data, args) + 8)
#else
#define FAKE_ARG1 (offsetof(struct seccomp_data, args) + 12)
#endif

int fake_ioctl(unsigned long request, int err)
{
#ifdef FAKE_ARCH
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FAKE_ARCH, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, FAKE_ARG1),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)request, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* errno 0: the call "succeeds" and writes nothing back */
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_ERRNO | ((__u32)err & SECCOMP_RET_DATA)),
	};
	struct sock_fprog prog = {
		.len = ARRAY_SIZE(filter),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
#else
	(void)request;
	(void)err;
	return -EOPNOTSUPP;
#endif
}

int run_child(int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* A library call that never returns is a failure too. */
		alarm(10);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status)) {
		diag("the child was killed by signal %d", WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}
