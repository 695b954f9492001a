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
#include <sys/types.h>
#include <linux/types.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
/*
 * The detached-filter uapi (SECCOMP_FILTER_FLAG_DETACHED,
 * SECCOMP_ATTACH_FILTER, struct seccomp_attach_filter, PIDFD_SELF_*),
 * installed with this header; each definition is skipped when the system's
 * kernel headers already have it.
 */
#include <sfd/seccomp_detached.h>

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

/*
 * sfd_attach() on a pidfd the library opens.  sfd_attach_pid() opens a
 * process pidfd for @pid: every thread of the process gets the filter, all
 * or none.  sfd_attach_tid() opens a PIDFD_THREAD pidfd for thread @tid:
 * that thread only, unless @flags has SECCOMP_FILTER_FLAG_TSYNC.  A pid can
 * be reused once its process is reaped: pass a pidfd to sfd_attach() when
 * the target is not the caller's own unreaped child.
 */
int sfd_attach_pid(pid_t pid, int filter_fd, unsigned int flags);
int sfd_attach_tid(pid_t tid, int filter_fd, unsigned int flags);

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

/*
 * Framed form: one message carries a versioned header (magic, version,
 * size, flags, arch, name) and exactly one fd.  The receiver rejects
 * anything else and closes every fd that came with a rejected message:
 * -EPROTO (not a libsfd frame), -EPROTONOSUPPORT (other version),
 * -EBADMSG (wrong size, data or control truncated), -ETOOMANYREFS (more
 * than one fd), -ENOMSG (no fd), -ECONNRESET (peer closed).
 */
#define SFD_FD_MSG_MAGIC	0x46444653u	/* "SFDF" in host byte order */
#define SFD_FD_MSG_VERSION	1
#define SFD_FD_NAME_MAX		64

/* Flags of a frame: what the fd is; other bits are the application's. */
#define SFD_FD_LISTENER		(1u << 0)	/* the fd serves user notifications */
#define SFD_FD_DETACHED		(1u << 1)	/* a detached filter (else a NEW_LISTENER fd) */

struct sfd_fd_msg {
	size_t sz;			/* sizeof(struct sfd_fd_msg) */
	__u32 version;			/* receiver: the frame's version */
	__u32 flags;			/* SFD_FD_* and the application's bits */
	__u32 arch;			/* AUDIT_ARCH_* the program is for, 0 = unspecified */
	char name[SFD_FD_NAME_MAX];	/* NUL-terminated: a profile name or digest */
};

/* Send @fd with the header built from @msg (NULL: no name, flags, arch). */
int sfd_send_fd_msg(int sock, int fd, const struct sfd_fd_msg *msg);

/*
 * Receive one frame; fills @msg (may be NULL) and returns the fd,
 * O_CLOEXEC.  @flags: 0 or MSG_DONTWAIT.
 */
int sfd_recv_fd_msg(int sock, unsigned int flags, struct sfd_fd_msg *msg);

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

/*
 * Dispatching: a context holds request and response buffers of the sizes
 * the kernel reports (SECCOMP_GET_NOTIF_SIZES), used for both the receive
 * and the answer.  One context per thread; a context is not thread-safe.
 */
struct sfd_notif_ctx;

struct sfd_notif_ctx_opts {
	size_t sz;			/* sizeof(struct sfd_notif_ctx_opts) */
	/*
	 * The kernel's sizes when the caller already has them (from the
	 * kernel that made the fd, e.g. across a sandbox that forbids
	 * seccomp(2)); 0 = ask the running kernel.
	 */
	__u16 notif_size;
	__u16 resp_size;
};

int sfd_notif_ctx_new(const struct sfd_notif_ctx_opts *opts, struct sfd_notif_ctx **out);
void sfd_notif_ctx_free(struct sfd_notif_ctx *ctx);

/*
 * A handler sees the request and a zeroed response whose id is set.  It
 * returns 0 to have @resp sent, SFD_NOTIF_PENDING to answer later itself
 * (sfd_notif_respond()), or a negative errno that the syscall then fails
 * with.
 */
#define SFD_NOTIF_PENDING 1
typedef int (*sfd_notif_handler_t)(const struct seccomp_notif *req,
				   struct seccomp_notif_resp *resp, void *arg);

/*
 * Read one notification from @fd, run @handler, send its answer.  Call
 * it when poll/epoll/io_uring reports @fd readable.  Returns 1 when a
 * notification was handled, 0 when there was nothing to do (it vanished:
 * the task died or the syscall was interrupted), -ENOTCONN when no task
 * uses the filter any more, or another negative errno.
 */
int sfd_notif_dispatch(struct sfd_notif_ctx *ctx, int fd,
		       sfd_notif_handler_t handler, void *arg);

/* ---- running a process under a filter ----------------------------------- */

/* Flags of struct sfd_spawn_opts. */
#define SFD_SPAWN_KEEP_PRIVS	(1u << 0)	/* do not set no_new_privs */

struct sfd_spawn_opts {
	size_t sz;			/* sizeof(struct sfd_spawn_opts) */
	__u32 flags;			/* SFD_SPAWN_* */
	/*
	 * Namespaces the child gets: any of CLONE_NEWUSER, CLONE_NEWPID,
	 * CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET.
	 */
	__u64 clone_flags;
	/* With CLONE_NEWUSER: uid_map/gid_map text ("0 1000 1\n"), or NULL. */
	const char *uid_map;
	const char *gid_map;
	/* Environment of the new program; NULL = the caller's environ. */
	char *const *envp;
	/* SECCOMP_FILTER_FLAG_* for the attach (0 or TSYNC, see sfd_attach). */
	__u32 attach_flags;
	/*
	 * A classic program the child loads itself with
	 * SECCOMP_SET_MODE_FILTER just before execve(), after the attach; with
	 * load_flags (e.g. SECCOMP_FILTER_FLAG_NEW_LISTENER, whose fd the
	 * child sends back: *listener of sfd_spawn_prog()).
	 */
	const struct sock_fprog *prog;
	__u32 load_flags;
};

/*
 * Start @path with @argv in a child held before execve() until
 * @filter_fd (-1: none) is attached to it by process pidfd; the child
 * then sets no_new_privs (unless SFD_SPAWN_KEEP_PRIVS), loads opts->prog
 * if given, and execs.  Returns the child's pidfd (O_CLOEXEC) and its pid
 * in *@pid (may be NULL).  Any failure before the exec, in the child or
 * in the attach, kills and reaps the child and returns -errno.
 */
int sfd_spawn(const char *path, char *const argv[], int filter_fd,
	      const struct sfd_spawn_opts *opts, pid_t *pid);

/*
 * Probe and fall back: if the kernel has detached filters, create one from
 * @prog with @create_flags and attach it to the held child (*@listener =
 * the filter fd, a listener if @prog can notify); if not, the child loads
 * @prog itself with SECCOMP_SET_MODE_FILTER (with NEW_LISTENER when @prog
 * can notify, *@listener = that fd), else *@listener = -1.  One call
 * either way; returns the pidfd.  @listener may be NULL.
 */
int sfd_spawn_prog(const char *path, char *const argv[],
		   const struct sock_fprog *prog, unsigned int create_flags,
		   const struct sfd_spawn_opts *opts, pid_t *pid, int *listener);

/* ---- OCI seccomp agent ------------------------------------------------- */

/* What sfd_agent_recv() got. */
enum sfd_agent_kind {
	SFD_AGENT_OCI = 1,	/* a runtime's containerProcessState (runc, crun) */
	SFD_AGENT_FRAME = 2,	/* a libsfd frame (sfd_send_fd_msg) */
};

struct sfd_agent_msg {
	enum sfd_agent_kind kind;
	/*
	 * The fd to serve: the "seccompFd" of a state, or the frame's fd.
	 * Owned by the message until the caller takes it (sets it to -1).
	 */
	int listener;
	/* SFD_AGENT_FRAME: the frame's header. */
	struct sfd_fd_msg frame;
	/* SFD_AGENT_OCI: the state's fields (strings owned by the message). */
	const char *oci_version;
	pid_t pid;			/* container process, as the runtime sees it */
	const char *metadata;		/* listenerMetadata, "" if absent */
	const char *id;			/* state.id */
	const char *status;		/* state.status */
	const char *bundle;		/* state.bundle */
	pid_t state_pid;		/* state.pid, 0 if absent */
	/* Every fd received, in SCM_RIGHTS order, and its name from "fds". */
	int nfds;
	int *fds;
	const char *const *fd_names;
	/* The whole JSON text, NUL-terminated. */
	const char *json;
};

/*
 * Read one message from @conn, a connection accepted on a listenerPath
 * socket (one containerProcessState per connection, read to EOF) or a
 * socket that carries libsfd frames, and parse it.  A malformed document,
 * a names/fds count mismatch or a missing "seccompFd" is -EBADMSG, all fds
 * closed.  Free with sfd_agent_msg_free(), which closes every fd the
 * caller did not take.
 */
int sfd_agent_recv(int conn, struct sfd_agent_msg **out);
void sfd_agent_msg_free(struct sfd_agent_msg *msg);

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

/*
 * SECCOMP_FILTER_FLAG_* the profile's "flags" ask for (LOG, SPEC_ALLOW,
 * WAIT_KILLABLE_RECV; TSYNC is accepted and ignored, as runc does);
 * sfd_profile_create() adds them.  -EINVAL if @p is NULL.
 */
int sfd_profile_flags(const struct sfd_profile *p);
/* "listenerPath" / "listenerMetadata", owned by @p; NULL if absent or empty. */
const char *sfd_profile_listener_path(const struct sfd_profile *p);
const char *sfd_profile_listener_metadata(const struct sfd_profile *p);

/*
 * SHA-256 over the program and the flags (see sfd_profile_digest(3)):
 * equal digests mean sfd_profile_create() makes the same filter, so a
 * manager can keep one filter fd per digest.
 */
#define SFD_PROFILE_DIGEST_SIZE 32
int sfd_profile_digest(const struct sfd_profile *p, __u8 digest[SFD_PROFILE_DIGEST_SIZE]);

#ifdef __cplusplus
}
#endif

#endif /* LIBSFD_SFD_H */
