// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * libsfd: starting a program that runs under a filter from its first
 * instruction.  The child is held before execve() until the parent has
 * attached the filter by pidfd; it reports every failure of its own steps
 * over a SOCK_SEQPACKET pair, and the parent reaps it on every error.
 *
 * Protocol (child -> parent, one record per message):
 *   'R'            ready: no_new_privs set, waiting for "go"
 *   'L' <fd>       the program is loaded; its NEW_LISTENER fd is <fd>
 *   'E' <errno>    a step failed; the child exits
 * and parent -> child: 'G' (go: the filter is attached), 'A' (the listener
 * was taken).  The socket is O_CLOEXEC: EOF after 'G' means execve() ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sched.h>
#include <linux/seccomp_detached.h>

#include "plumbing.h"

extern char **environ;

#define SFD_SPAWN_NS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | \
		      CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
#define SFD_SPAWN_FLAGS SFD_SPAWN_KEEP_PRIVS
#define SFD_LOAD_FLAGS (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | \
			SECCOMP_FILTER_FLAG_NEW_LISTENER | \
			SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

struct rec {
	char type;
	int val;
};

/* ---- the child: raw system calls only (it may come from a threaded parent) */

static __attribute__((noreturn)) void child_fail(int sock, int err)
{
	struct rec r = { .type = 'E', .val = err };

	(void)!write(sock, &r, sizeof(r));
	_exit(127);
}

static __attribute__((noreturn)) void
child_run(int sock, const char *path, char *const argv[], char *const envp[],
	  const struct sfd_spawn_opts *o)
{
	struct rec r = { .type = 'R' };
	char c;
	long fd;

	if (!(o->flags & SFD_SPAWN_KEEP_PRIVS) &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		child_fail(sock, errno);
	if (write(sock, &r, sizeof(r)) != sizeof(r))
		_exit(127);
	/* Anything but "go" (EOF: the parent gave up) ends the child. */
	if (read(sock, &c, 1) != 1 || c != 'G')
		_exit(127);
	if (o->prog) {
		fd = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, o->load_flags,
			     o->prog);
		if (fd < 0)
			child_fail(sock, errno);
		if (o->load_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
			/* O_CLOEXEC already: it stays here only until execve. */
			r.type = 'L';
			r.val = (int)fd;
			if (write(sock, &r, sizeof(r)) != sizeof(r) ||
			    read(sock, &c, 1) != 1 || c != 'A')
				_exit(127);
		}
	}
	execve(path, argv, envp);
	child_fail(sock, errno);
}

/* ---- the parent ------------------------------------------------------- */

static int write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	size_t len = strlen(text);
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

static int write_maps(pid_t pid, const struct sfd_spawn_opts *o)
{
	int ret;

	if (o->uid_map) {
		ret = write_file(pid, "uid_map", o->uid_map);
		if (ret)
			return ret;
	}
	if (o->gid_map) {
		ret = write_file(pid, "gid_map", o->gid_map);
		/* Unprivileged: gid_map needs setgroups denied first. */
		if (ret == -EPERM) {
			ret = write_file(pid, "setgroups", "deny");
			if (!ret)
				ret = write_file(pid, "gid_map", o->gid_map);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* Read one record; -ECHILD on EOF. */
static int read_rec(int sock, struct rec *r)
{
	ssize_t n;

	do
		n = recv(sock, r, sizeof(*r), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECHILD;
	if (n != sizeof(*r))
		return -EPROTO;
	return 0;
}

static int send_byte(int sock, char c)
{
	ssize_t n;

	do
		n = send(sock, &c, 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -errno;
}

static pid_t start_child(__u64 ns, int *pidfd)
{
	struct clone_args args = {
		.flags = CLONE_PIDFD | ns,
		.pidfd = (__u64)(unsigned long)pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid = (pid_t)syscall(__NR_clone3, &args, sizeof(args));

	if (pid < 0 && errno == ENOSYS && !ns) {
		/* No clone3 (valgrind, seccomp'd sandboxes): fork + pidfd_open. */
		pid = fork();
		if (pid > 0) {
			*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
			if (*pidfd < 0) {
				int err = errno;

				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				errno = err;
				return -1;
			}
		}
	}
	return pid;
}

static int spawn(const char *path, char *const argv[], int filter_fd,
		 const struct sfd_spawn_opts *o, pid_t *pid_out, int *listener)
{
	char *const *envp = o->envp ? o->envp : environ;
	int sv[2], pidfd = -1, ret, lfd = -1;
	struct rec r;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = start_child(o->clone_flags, &pidfd);
	if (pid < 0) {
		ret = -errno;
		close(sv[0]);
		close(sv[1]);
		return ret;
	}
	if (pid == 0) {
		close(sv[0]);
		child_run(sv[1], path, argv, envp, o);
	}
	close(sv[1]);

	ret = read_rec(sv[0], &r);
	if (!ret && r.type == 'E')
		ret = -r.val;
	else if (!ret && r.type != 'R')
		ret = -EPROTO;
	if (!ret && (o->clone_flags & CLONE_NEWUSER))
		ret = write_maps(pid, o);
	if (!ret && filter_fd >= 0)
		ret = sfd_attach(pidfd, filter_fd, o->attach_flags);
	if (!ret)
		ret = send_byte(sv[0], 'G');
	while (!ret) {
		ret = read_rec(sv[0], &r);
		if (ret == -ECHILD) {
			ret = 0;	/* execve() closed the socket: running */
			break;
		}
		if (ret)
			break;
		if (r.type == 'E') {
			ret = -r.val;
		} else if (r.type == 'L' && lfd < 0 && listener) {
			lfd = (int)syscall(__NR_pidfd_getfd, pidfd, r.val, 0);
			ret = lfd < 0 ? -errno : send_byte(sv[0], 'A');
		} else {
			ret = -EPROTO;
		}
	}
	close(sv[0]);
	if (ret) {
		/* Never leave a child that is not under its filter. */
		syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(pidfd);
		if (lfd >= 0)
			close(lfd);
		return ret;
	}
	if (pid_out)
		*pid_out = pid;
	if (listener)
		*listener = lfd;
	return pidfd;
}

/* Copy the caller's options (any size) into a full struct and check them. */
static int get_opts(const struct sfd_spawn_opts *in, struct sfd_spawn_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (!in)
		return 0;
	if (!sfd__opts_valid(in, in->sz, sizeof(*in)))
		return -EINVAL;
	memcpy(o, in, in->sz < sizeof(*o) ? in->sz : sizeof(*o));
	o->sz = sizeof(*o);
	if ((o->flags & ~SFD_SPAWN_FLAGS) || (o->clone_flags & ~(__u64)SFD_SPAWN_NS))
		return -EINVAL;
	if ((o->uid_map || o->gid_map) && !(o->clone_flags & CLONE_NEWUSER))
		return -EINVAL;
	if (o->load_flags & ~(__u32)SFD_LOAD_FLAGS)
		return -EINVAL;
	if (o->load_flags && !o->prog)
		return -EINVAL;
	if (o->prog && (!o->prog->filter || !o->prog->len ||
			o->prog->len > BPF_MAXINSNS))
		return -EINVAL;
	if (o->attach_flags != 0 && o->attach_flags != SECCOMP_FILTER_FLAG_TSYNC &&
	    o->attach_flags != (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		return -EINVAL;
	return 0;
}

int sfd_spawn(const char *path, char *const argv[], int filter_fd,
	      const struct sfd_spawn_opts *opts, pid_t *pid)
{
	struct sfd_spawn_opts o;
	int saved = errno, ret;

	if (!path || !argv || !argv[0])
		return -EINVAL;
	ret = get_opts(opts, &o);
	if (ret)
		return ret;
	/* A listener would be lost: sfd_spawn_prog() returns it. */
	if (o.load_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		return -EINVAL;
	if (filter_fd < -1)
		return -EBADF;
	ret = spawn(path, argv, filter_fd, &o, pid, NULL);
	errno = saved;
	return ret;
}

/* As the kernel decides "listener": a RET K of USER_NOTIF, or any RET A. */
static bool prog_can_notify(const struct sock_fprog *prog)
{
	unsigned int i;

	for (i = 0; i < prog->len; i++) {
		const struct sock_filter *f = &prog->filter[i];

		if (BPF_CLASS(f->code) != BPF_RET)
			continue;
		if (BPF_RVAL(f->code) == BPF_A)
			return true;
		if (BPF_RVAL(f->code) == BPF_K &&
		    (f->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			return true;
	}
	return false;
}

int sfd_spawn_prog(const char *path, char *const argv[],
		   const struct sock_fprog *prog, unsigned int create_flags,
		   const struct sfd_spawn_opts *opts, pid_t *pid, int *listener)
{
	struct sfd_spawn_opts o;
	int saved = errno, ret, fd;

	if (listener)
		*listener = -1;
	if (!path || !argv || !argv[0] || !prog || !prog->filter ||
	    !prog->len || prog->len > BPF_MAXINSNS)
		return -EINVAL;
	if (create_flags & ~(unsigned int)(SECCOMP_FILTER_FLAG_LOG |
					   SECCOMP_FILTER_FLAG_SPEC_ALLOW |
					   SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
		return -EINVAL;
	ret = get_opts(opts, &o);
	if (ret)
		return ret;
	if (o.prog)
		return -EINVAL;		/* one program: @prog */

	ret = sfd_probe();
	if (ret == 0) {
		fd = sfd_create(prog, create_flags);
		if (fd < 0)
			return fd;
		ret = spawn(path, argv, fd, &o, pid, NULL);
		if (ret >= 0 && listener)
			*listener = fd;
		else
			close(fd);
	} else if (ret == -EOPNOTSUPP) {
		o.prog = prog;
		o.load_flags = create_flags;
		if (prog_can_notify(prog))
			o.load_flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		else
			o.load_flags &= ~(__u32)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		ret = spawn(path, argv, -1, &o, pid, listener);
	}
	errno = saved;
	return ret;
}
