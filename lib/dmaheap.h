/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libdmaheap: allocate dma-buf heap buffers and say who pays for them.
 *
 * The memcg accounting series charges each dma-buf heap buffer to a memory
 * cgroup: the caller's, or the one of a process named by a pidfd
 * (charge_pid_fd), and lets the charge move later
 * (DMA_BUF_IOCTL_XFER_CHARGE). This library wraps those calls, and the
 * plain heap calls Android's libdmabufheap (BufferAllocator) users know:
 * open a heap by name, allocate, CPU sync, name a buffer, list the heaps.
 *
 * Conventions, for every function unless its comment says otherwise:
 * - the result is >= 0 on success and a negative errno on failure; errno
 *   itself is left as the failed system call left it;
 * - a failed call leaves nothing behind: no fd open, no charge made, no
 *   buffer allocated;
 * - every fd the library returns is close-on-exec unless @fd_flags says
 *   otherwise, and every fd it opens for itself is closed before it
 *   returns;
 * - the functions are thread-safe (but for one dmaheap_allocd_alloc() at a
 *   time per socket); the only state the library keeps is the cached
 *   answer of dmaheap_probe().
 *
 * Charged calls (a pidfd, a pid, a transfer) first ask dmaheap_probe(): on
 * a kernel without the series, which ignores charge_pid_fd and would
 * charge the caller, they fail with -EOPNOTSUPP instead.
 */
#ifndef DMAHEAP_H
#define DMAHEAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DMAHEAP_VERSION_MAJOR 1
#define DMAHEAP_VERSION_MINOR 0

/* The directory of the heaps' device nodes. */
#define DMAHEAP_DEV_DIR "/dev/dma_heap"

/* fd_flags of a new buffer when the caller passes 0: O_RDWR | O_CLOEXEC */
#define DMAHEAP_FD_FLAGS_DEFAULT 0

/* "1.0", the library's version (of the shared object actually loaded) */
const char *dmaheap_version(void);

/* --- heaps ------------------------------------------------------------ */

/*
 * dmaheap_open - open the heap @name (a file name in /dev/dma_heap)
 *
 * Returns the heap's fd (O_RDONLY | O_CLOEXEC): -EINVAL if @name is empty,
 * "." or "..", or holds a '/'; -ENOENT if there is no such heap.
 */
int dmaheap_open(const char *name);

/*
 * dmaheap_list - the names of the heaps, sorted
 * @names: set to a NULL-terminated array; free it with dmaheap_list_free()
 *
 * Returns the number of heaps (0 with an empty array if /dev/dma_heap does
 * not exist), -EINVAL if @names is NULL, or -ENOMEM.
 */
int dmaheap_list(char ***names);
void dmaheap_list_free(char **names);

/* --- allocation --------------------------------------------------------- */

/*
 * dmaheap_alloc - allocate @len bytes from the heap @heap, charged to the
 * caller's memory cgroup (when the kernel accounts dma-buf heaps at all)
 * @fd_flags: the new fd's flags, O_CLOEXEC and O_ACCMODE; 0 means
 *	O_RDWR | O_CLOEXEC
 *
 * Returns the buffer's fd. Errors: dmaheap_open()'s; -EINVAL if @len is 0,
 * @fd_flags has other bits, or its access mode is O_ACCMODE (3, none); the
 * ioctl's: -ENOMEM if the heap is out of memory or the charge does not fit
 * under memory.max (no OOM kill).
 */
int dmaheap_alloc(const char *heap, size_t len, unsigned int fd_flags);

/*
 * dmaheap_alloc_for_pidfd - allocate, charged to the memory cgroup of the
 * process (or thread) @pidfd refers to
 *
 * @pidfd may be 0: the library passes the kernel a duplicate, since
 * charge_pid_fd 0 means "the caller". Errors besides dmaheap_alloc()'s:
 * -EOPNOTSUPP if the kernel cannot charge another cgroup (no series, or
 * memory on cgroup v1); -EBADF if @pidfd is not a pidfd, or negative (-1
 * too: a service whose SO_PEERPIDFD or pidfd_open() failed must not pay
 * for its client unawares; dmaheap_alloc() charges the caller); -ESRCH if its
 * process has exited; -EPERM if the caller may neither move a process into
 * the target's cgroup nor holds CAP_SYS_RESOURCE; -EACCES if a security
 * module refuses.
 */
int dmaheap_alloc_for_pidfd(const char *heap, size_t len,
			    unsigned int fd_flags, int pidfd);

/*
 * dmaheap_alloc_for_pid - the same, for a pid: the library opens a pidfd
 * of @pid and closes it. Only safe when @pid cannot be reused meanwhile (a
 * child not yet reaped, or a pid just read from a trusted source); a
 * service should take the client's pidfd (SO_PEERPIDFD) instead.
 * Errors besides dmaheap_alloc_for_pidfd()'s: -ESRCH if there is no such
 * process; -EINVAL if @pid is not positive, or is the id of a thread that
 * does not lead its process (pidfd_open()'s EINVAL).
 */
int dmaheap_alloc_for_pid(const char *heap, size_t len,
			  unsigned int fd_flags, pid_t pid);

/*
 * dmaheap_alloc_fd - the call the others are made of: allocate from the
 * open heap @heap_fd (a service keeps its heaps open), charged to @pidfd's
 * cgroup, or to the caller's if @pidfd is -1.
 */
int dmaheap_alloc_fd(int heap_fd, size_t len, unsigned int fd_flags,
		     int pidfd);

/* --- buffers -------------------------------------------------------------- */

/* Flags of dmaheap_sync_start() and dmaheap_sync_end() */
#define DMAHEAP_SYNC_READ	0x1U
#define DMAHEAP_SYNC_WRITE	0x2U
#define DMAHEAP_SYNC_RW		(DMAHEAP_SYNC_READ | DMAHEAP_SYNC_WRITE)

/*
 * dmaheap_sync_start, dmaheap_sync_end - bracket CPU access to a mapped
 * buffer (DMA_BUF_IOCTL_SYNC). @flags is DMAHEAP_SYNC_READ, _WRITE or _RW:
 * -EINVAL for anything else. Retried on EINTR for as long as it comes; on
 * EAGAIN up to 100 times, 1 ms apart, then -EAGAIN.
 */
int dmaheap_sync_start(int buf, unsigned int flags);
int dmaheap_sync_end(int buf, unsigned int flags);

/*
 * dmaheap_set_name - name a buffer (DMA_BUF_SET_NAME), as fdinfo, bufinfo
 * and dmabuf-top show it. -ENAMETOOLONG beyond DMAHEAP_NAME_MAX bytes;
 * -EINVAL for NULL or a name with a newline (fdinfo prints it as a line).
 */
#define DMAHEAP_NAME_MAX 31
int dmaheap_set_name(int buf, const char *name);

/* --- charges --------------------------------------------------------------- */

/*
 * dmaheap_probe - does the running kernel honour charge_pid_fd?
 *
 * Returns 1 if it does, 0 if it does not (a kernel without the series
 * ignores the field and charges the caller), or a negative errno if it
 * cannot tell (-ENOENT: no heap to ask; -EACCES: none the caller may
 * open). It asks once, with a charge_pid_fd that is not a pidfd (a kernel
 * with the series refuses it, -EBADF, before allocating; one without
 * allocates a page, which is freed at once); the answer is cached for the
 * process, errors are not. dmaheap_alloc_fd() lets it ask the caller's
 * heap instead, but only if that fd is shown to be a heap (not O_PATH, a
 * character device of the class dma_heap in /sys/dev/char); any other fd
 * is not asked. A transfer needs no heap: when the probe cannot tell, the
 * transfers let the kernel answer (-ENOTTY, a kernel without the series,
 * becomes -EOPNOTSUPP).
 */
int dmaheap_probe(void);

/*
 * dmaheap_xfer_to_pidfd, _to_pid, _to_cgroup_fd, _to_cgroup - move the
 * charge of buffer @buf to the memory cgroup of a process, or to the one
 * that pays for a cgroup v2 directory (an fd of it, or its path)
 *
 * All or nothing: if the target cannot take the charge the old one stays.
 * Errors: -EOPNOTSUPP if the kernel cannot transfer (no series, memory on
 * cgroup v1, accounting off, a buffer not from a heap); -EINVAL if the
 * target is the root cgroup; -ENOMEM if it does not fit under the target's
 * memory.max; -EBADF, -ESRCH, -EPERM and -EACCES as for
 * dmaheap_alloc_for_pidfd(), -EINVAL for @pid as for
 * dmaheap_alloc_for_pid(); the path's open() errors.
 */
int dmaheap_xfer_to_pidfd(int buf, int pidfd);
int dmaheap_xfer_to_pid(int buf, pid_t pid);
int dmaheap_xfer_to_cgroup_fd(int buf, int cgroup_fd);
int dmaheap_xfer_to_cgroup(int buf, const char *path);

/* What fdinfo says about a buffer (dmaheap_info) */
struct dmaheap_info {
	uint64_t size;		/* bytes */
	uint64_t ino;		/* the buffer's inode number (bufinfo, maps) */
	uint64_t cgroup_id;	/* charged cgroup's id; 0 if uncharged */
	int charged;		/* 1 if a cgroup pays, 0 if none does */
	char exporter[32];	/* "system", "cma", ... */
	char name[DMAHEAP_NAME_MAX + 1];	/* "" if unnamed */
	/* charged cgroup's path, as /proc/PID/cgroup shows it; "" if none */
	char cgroup[4096];
};

/*
 * dmaheap_info - read the fdinfo of dma-buf @buf (dmaheap_info_at: of fd
 * @fd of process @pid, as /proc/PID/fdinfo/FD)
 *
 * Returns 0. Errors: -EBADF if @buf is not open, or not a dma-buf;
 * -EOPNOTSUPP if the kernel does not show the charged cgroup (no series, or
 * an older one); the open errors of procfs (-ENOENT, also when /proc is not
 * mounted; -EACCES). A name with a newline (set with the raw ioctl) is cut
 * there, and cannot fake the charge: the kernel prints it last.
 */
int dmaheap_info(int buf, struct dmaheap_info *info);
int dmaheap_info_at(pid_t pid, int fd, struct dmaheap_info *info);

/* --- the reference allocator service, dmabuf-allocd -------------------------- */

/* Its socket when the caller names none */
#define DMAHEAP_ALLOCD_SOCKET "/run/dmabuf-allocd.sock"

/*
 * dmaheap_allocd_connect - connect to dmabuf-allocd's socket @path (NULL:
 * DMAHEAP_ALLOCD_SOCKET). Returns the socket (close-on-exec).
 */
int dmaheap_allocd_connect(const char *path);

/*
 * dmaheap_allocd_alloc - ask dmabuf-allocd, over @sock, for a buffer of
 * @len bytes from @heap, named @name (NULL: unnamed), charged to the caller
 * or, if @for_pidfd is not -1, to that process (the service honours that
 * only for the peers it trusts to forward requests)
 *
 * The call is synchronous whatever the socket's flags (O_NONBLOCK,
 * SO_RCVTIMEO): it waits for the reply (poll(), signals do not end the
 * wait), and skips well-formed replies to earlier calls that gave up (their
 * fds closed). One call at a time per socket: two threads on one socket
 * could take each other's replies. Every fd a reply brings but the buffer
 * (SCM_RIGHTS, SCM_PIDFD with SO_PASSPIDFD) is closed.
 *
 * Returns the buffer's fd: the status the service replied with (its
 * allocation's errno, -EPERM for a forward it does not allow), or the
 * socket's errors (-EPIPE, -ECONNRESET), or -EPROTO for a reply that does
 * not follow the wire format (its len must be at least @len and less than
 * @len rounded up to pages plus a page; 0, with cgroup_id 0, on failure).
 */
int dmaheap_allocd_alloc(int sock, const char *heap, size_t len,
			 unsigned int fd_flags, const char *name,
			 int for_pidfd);

#ifdef __cplusplus
}
#endif

#endif
