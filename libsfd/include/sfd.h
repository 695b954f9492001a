/* SPDX-License-Identifier: LGPL-2.1-only OR MIT */
/*
 * libsfd: helpers for detached seccomp filters.
 *
 * A detached filter is a seccomp program the kernel has verified and
 * prepared but installed nowhere; userspace holds it as a file descriptor,
 * attaches it to any number of tasks, passes it over SCM_RIGHTS, and reads
 * user notifications from it.  See docs/semantics.md and libsfd(7).
 *
 * Conventions (as liburing and libbpf):
 *  - every function returning int answers 0 (or a non-negative value that
 *    its man page describes) on success and a negative errno on failure;
 *    errno is neither set nor read for the result;
 *  - the library keeps no global state; every object is the caller's;
 *  - options structs start with a size field (sz) so they can grow;
 *    declare them with SFD_OPTS(), which zeroes the struct and sets sz.
 */
#ifndef LIBSFD_SFD_H
#define LIBSFD_SFD_H

#include <stddef.h>
#include <string.h>
#include <linux/types.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBSFD_MAJOR_VERSION 0
#define LIBSFD_MINOR_VERSION 2

/*
 * SFD_OPTS(type, name, .field = value, ...) declares `struct type name`,
 * zero-initialised (padding included) with name.sz = sizeof(struct type).
 */
#define SFD_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE) {						\
			.sz = sizeof(struct TYPE),			\
			__VA_ARGS__					\
		};							\
	})

/* ---- probing ---------------------------------------------------------- */

/* 0 if the running kernel supports detached filters, -EOPNOTSUPP if not. */
int sfd_probe(void);

/* ---- creating and attaching --------------------------------------------- */

/*
 * Build @prog into a detached filter.  @flags: 0 or any of
 * SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW, _WAIT_KILLABLE_RECV (the library
 * adds SECCOMP_FILTER_FLAG_DETACHED); _WAIT_KILLABLE_RECV is -EINVAL for a
 * program that cannot return SECCOMP_RET_USER_NOTIF.  Returns a new
 * O_CLOEXEC fd.
 */
int sfd_create(const struct sock_fprog *prog, unsigned int flags);

/*
 * Attach @filter_fd to the target named by @pidfd.  A process pidfd (not
 * opened with PIDFD_THREAD) or PIDFD_SELF_THREAD_GROUP names a whole
 * process: every thread gets the filter, all or none, and threads whose
 * filter chains diverged make it fail with -ESRCH.  A PIDFD_THREAD pidfd
 * or PIDFD_SELF_THREAD names that one thread.  @flags: 0,
 * SECCOMP_FILTER_FLAG_TSYNC or SECCOMP_FILTER_FLAG_TSYNC |
 * SECCOMP_FILTER_FLAG_TSYNC_ESRCH; TSYNC extends a thread target to its
 * whole process, and a TSYNC conflict is reported as -ESRCH too.
 */
int sfd_attach(int pidfd, int filter_fd, unsigned int flags);

/* sfd_attach(PIDFD_SELF_THREAD, filter_fd, flags): the calling thread. */
int sfd_attach_self(int filter_fd, unsigned int flags);

/* ---- inspecting --------------------------------------------------------- */

struct sfd_info {
	size_t sz;		/* sizeof(struct sfd_info), set by caller */
	__u32 insns;		/* instructions in the program */
	__u32 nodes;		/* live nodes (one per distinct base chain) */
	/*
	 * The program's tag: the first 8 bytes of the SHA-256 digest of its
	 * struct sock_filter array as given to sfd_create(), as BPF's prog_tag.
	 */
	__u8 tag[8];
	__u32 listener;		/* 1 if the program can return USER_NOTIF */
};

/* Fill @info from /proc/thread-self/fdinfo/<filter_fd>. */
int sfd_info(int filter_fd, struct sfd_info *info);

/* ---- passing fds over a unix socket ---------------------------------- */

/* Send @fd over the connected AF_UNIX socket @sock (one byte, SCM_RIGHTS). */
int sfd_send_fd(int sock, int fd);

/*
 * Receive exactly one fd sent by sfd_send_fd(); it comes O_CLOEXEC.
 * @flags: 0 or MSG_DONTWAIT.  Returns the fd.
 */
int sfd_recv_fd(int sock, unsigned int flags);

/* ---- user notifications --------------------------------------------- */

/*
 * Allocate a zeroed request and response buffer, each at least as large
 * as both the kernel's (SECCOMP_GET_NOTIF_SIZES) and this header's struct.
 * Either pointer may be NULL if that buffer is not wanted.
 */
int sfd_notif_alloc(struct seccomp_notif **req, struct seccomp_notif_resp **resp);
void sfd_notif_free(struct seccomp_notif *req, struct seccomp_notif_resp *resp);

/* Zero @req and wait for the next notification on @fd (the filter fd). */
int sfd_notif_recv(int fd, struct seccomp_notif *req);

/*
 * Answer notification @id: the syscall returns @error (0 or a negative
 * errno) if non-zero, else @val.  @flags: 0 or
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE (then @error and @val must be 0).
 */
int sfd_notif_respond(int fd, __u64 id, __s32 error, __s64 val, __u32 flags);

/* Let the notified syscall run: respond with SECCOMP_USER_NOTIF_FLAG_CONTINUE. */
int sfd_notif_continue(int fd, __u64 id);

/* 0 if notification @id is still pending, -ENOENT if not. */
int sfd_notif_id_valid(int fd, __u64 id);

/*
 * Install a copy of @srcfd into the notifying task.  @newfd: -1 for the
 * lowest free number, else that exact number (SECCOMP_ADDFD_FLAG_SETFD).
 * @flags: 0 or any of SECCOMP_ADDFD_FLAG_SEND, O_CLOEXEC.  Returns the fd
 * number in the target.
 */
int sfd_notif_addfd(int fd, __u64 id, int srcfd, int newfd, unsigned int flags);

/* ---- OCI profiles ------------------------------------------------------- */

struct sfd_profile;

struct sfd_profile_opts {
	size_t sz;		/* sizeof(struct sfd_profile_opts) */
	/*
	 * Main architecture, an AUDIT_ARCH_* / SCMP_ARCH_* value; 0 means
	 * the native one.  It selects the profile's archMap entry (the arch
	 * plus its subArchitectures) and the name matched by
	 * includes/excludes "arches" (Go names: "amd64", "arm64", ...).
	 */
	__u32 arch;
	/*
	 * Capabilities matched by includes/excludes "caps": a NULL-terminated
	 * list of names ("CAP_SYS_ADMIN").  NULL means Docker's default set.
	 */
	const char *const *caps;
	/* Kernel release matched by "minKernel"; NULL means uname -r. */
	const char *kernel;
	/* If errbuf_len > 0, a failure writes a NUL-terminated message here. */
	char *errbuf;
	size_t errbuf_len;
};

int sfd_profile_load_oci(const char *path, const struct sfd_profile_opts *opts,
			 struct sfd_profile **out);
int sfd_profile_load_oci_buf(const char *buf, size_t len,
			     const struct sfd_profile_opts *opts,
			     struct sfd_profile **out);
/* The BPF program; owned by @p. */
const struct sock_fprog *sfd_profile_prog(const struct sfd_profile *p);
/* sfd_create(sfd_profile_prog(p), flags). */
int sfd_profile_create(const struct sfd_profile *p, unsigned int flags);
/*
 * Syscall names of the profile that libseccomp could not resolve and
 * that were therefore left out.  Returns their count; if @names is not
 * NULL, *names points to a NULL-terminated array owned by @p.
 */
int sfd_profile_skipped(const struct sfd_profile *p, const char *const **names);
void sfd_profile_free(struct sfd_profile *p);

#ifdef __cplusplus
}
#endif

#endif /* LIBSFD_SFD_H */
