// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * libsfd: creating, attaching, inspecting and passing detached seccomp
 * filters, and serving their user notifications.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/seccomp_detached.h>

#include "internal.h"
#include "plumbing.h"

#define SFD_CREATE_FLAGS (SECCOMP_FILTER_FLAG_LOG | \
			  SECCOMP_FILTER_FLAG_SPEC_ALLOW | \
			  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | \
			  SECCOMP_FILTER_FLAG_DETACHED)

/* Largest errno a syscall can answer (include/linux/err.h MAX_ERRNO). */
#define SFD_MAX_ERRNO 4095

/* seccomp(2) with the result as -errno; errno is saved and restored. */
static long sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	int saved = errno;
	long ret = syscall(__NR_seccomp, op, flags, args);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

bool sfd__opts_valid(const void *opts, size_t user_sz, size_t known_sz)
{
	const unsigned char *p = opts;
	size_t i;

	if (user_sz < sizeof(size_t))
		return false;
	for (i = known_sz; i < user_sz; i++)
		if (p[i])
			return false;
	return true;
}

int sfd_probe(void)
{
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &insn };
	int fd = sfd_create(&prog, 0);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	/*
	 * Without the feature the kernel rejects the unknown flag before it
	 * looks at privileges, so EACCES proves the flag was understood.
	 */
	if (fd == -EACCES)
		return 0;
	if (fd == -EINVAL || fd == -ENOSYS)
		return -EOPNOTSUPP;
	return fd;
}

int sfd_create(const struct sock_fprog *prog, unsigned int flags)
{
	if (!prog || (flags & ~SFD_CREATE_FLAGS))
		return -EINVAL;
	if (prog->len == 0 || prog->len > BPF_MAXINSNS || !prog->filter)
		return -EINVAL;
	return (int)sys_seccomp(SECCOMP_SET_MODE_FILTER,
				flags | SECCOMP_FILTER_FLAG_DETACHED,
				(void *)prog);
}

static bool attach_flags_valid(unsigned int flags)
{
	return flags == 0 || flags == SECCOMP_FILTER_FLAG_TSYNC ||
	       flags == (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
}

int sfd_attach(int pidfd, int filter_fd, unsigned int flags)
{
	struct seccomp_attach_filter args = {
		.size = sizeof(args),
		.pidfd = pidfd,
		.filter_fd = filter_fd,
		.flags = 0,
	};
	long ret;

	if (!attach_flags_valid(flags))
		return -EINVAL;
	if (filter_fd < 0)
		return -EBADF;
	if (pidfd < 0 && pidfd != PIDFD_SELF_THREAD &&
	    pidfd != PIDFD_SELF_THREAD_GROUP)
		return -EBADF;

	ret = sys_seccomp(SECCOMP_ATTACH_FILTER, flags, &args);
	/*
	 * TSYNC without _ESRCH answers the TID of the thread that diverged;
	 * a process target without TSYNC already answers ESRCH for that.
	 */
	if (ret > 0)
		return -ESRCH;
	return (int)ret;
}

int sfd_attach_self(int filter_fd, unsigned int flags)
{
	return sfd_attach(PIDFD_SELF_THREAD, filter_fd, flags);
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL	/* linux/pidfd.h, 6.9 */
#endif

static int attach_by_id(pid_t id, unsigned int pidfd_flags, int filter_fd,
			unsigned int flags)
{
	int saved = errno, pidfd, ret;

	if (!attach_flags_valid(flags))
		return -EINVAL;
	if (id <= 0)
		return -ESRCH;
	if (filter_fd < 0)
		return -EBADF;
	pidfd = (int)syscall(SYS_pidfd_open, id, pidfd_flags);
	if (pidfd < 0) {
		ret = -errno;
		errno = saved;
		return ret;
	}
	ret = sfd_attach(pidfd, filter_fd, flags);
	close(pidfd);
	errno = saved;
	return ret;
}

int sfd_attach_pid(pid_t pid, int filter_fd, unsigned int flags)
{
	/* A process pidfd: the kernel covers every thread, all or none. */
	return attach_by_id(pid, 0, filter_fd, flags);
}

int sfd_attach_tid(pid_t tid, int filter_fd, unsigned int flags)
{
	return attach_by_id(tid, PIDFD_THREAD, filter_fd, flags);
}

/* ---- fdinfo ------------------------------------------------------------- */

/* Parse an unsigned decimal that must end the line. */
static int parse_u64_line(const char *p, const char *end, __u64 *out)
{
	__u64 v = 0;
	bool digits = false;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
		digits = true;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (!digits || p != end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parse exactly 2 * @n hex digits that must end the line into @out. */
static int parse_hex_line(const char *p, const char *end, __u8 *out, size_t n)
{
	size_t i;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - p) != 2 * n)
		return -EINVAL;
	for (i = 0; i < 2 * n; i++) {
		char c = p[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -EINVAL;
		if (i % 2)
			out[i / 2] = (__u8)(out[i / 2] | d);
		else
			out[i / 2] = (__u8)(d << 4);
	}
	return 0;
}

enum { FDI_INSNS, FDI_TAG, FDI_LISTENER, FDI_NODES, FDI_NR };

int sfd__parse_fdinfo(const char *text, size_t len, struct sfd_info *info)
{
	static const char *const keys[FDI_NR] = {
		[FDI_INSNS] = "seccomp_insns:",
		[FDI_TAG] = "seccomp_tag:",
		[FDI_LISTENER] = "seccomp_listener:",
		[FDI_NODES] = "seccomp_nodes:",
	};
	__u64 vals[FDI_NR] = { 0 };
	__u8 tag[sizeof(info->tag)] = { 0 };
	unsigned int seen = 0;
	const char *p = text, *end = text + len;

	if (!text || !info || !sfd__opts_valid(info, info->sz, sizeof(*info)))
		return -EINVAL;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t i;

		if (!eol)
			eol = end;
		for (i = 0; i < FDI_NR; i++) {
			size_t kl = strlen(keys[i]);
			int ret;

			if ((size_t)(eol - p) < kl || memcmp(p, keys[i], kl))
				continue;
			if (seen & (1u << i))
				return -EINVAL;	/* duplicate line */
			if (i == FDI_TAG)
				ret = parse_hex_line(p + kl, eol, tag, sizeof(tag));
			else
				ret = parse_u64_line(p + kl, eol, &vals[i]);
			if (ret)
				return -EINVAL;
			seen |= 1u << i;
		}
		p = eol + 1;
	}
	/* All four, so a v1 kernel's fdinfo (seccomp_users, no tag) is refused. */
	if (seen != (1u << FDI_NR) - 1)
		return -EINVAL;
	if (vals[FDI_INSNS] > UINT32_MAX || vals[FDI_NODES] > UINT32_MAX ||
	    vals[FDI_LISTENER] > 1)
		return -EINVAL;

	if (SFD_OPTS_HAS(info, insns))
		info->insns = (__u32)vals[FDI_INSNS];
	if (SFD_OPTS_HAS(info, nodes))
		info->nodes = (__u32)vals[FDI_NODES];
	if (SFD_OPTS_HAS(info, tag))
		memcpy(info->tag, tag, sizeof(tag));
	if (SFD_OPTS_HAS(info, listener))
		info->listener = (__u32)vals[FDI_LISTENER];
	return 0;
}

int sfd_info(int filter_fd, struct sfd_info *info)
{
	char path[64], buf[4096];
	size_t len = 0;
	int saved = errno, fd, ret;

	if (!info || !sfd__opts_valid(info, info->sz, sizeof(*info)))
		return -EINVAL;
	if (filter_fd < 0)
		return -EBADF;
	if (fcntl(filter_fd, F_GETFD) < 0) {
		ret = -errno;
		goto out;
	}

	snprintf(path, sizeof(path), "/proc/thread-self/fdinfo/%d", filter_fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (len == sizeof(buf)) {
			/* fdinfo of a filter is short; more means another kind. */
			ret = -EINVAL;
			close(fd);
			goto out;
		}
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			close(fd);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	ret = sfd__parse_fdinfo(buf, len, info);
out:
	errno = saved;
	return ret;
}

/* ---- SCM_RIGHTS --------------------------------------------------------- */

int sfd_send_fd(int sock, int fd)
{
	static const char byte = 'F';

	return sfd__send_with_fd(sock, fd, &byte, 1);
}

/* Room for more fds than we accept, to tell "several" from "truncated". */
#define SFD_RECV_MAX_FDS 8

int sfd_recv_fd(int sock, unsigned int flags)
{
	union {
		char buf[CMSG_SPACE(SFD_RECV_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	int saved = errno, ret = -EBADMSG, nfds;
	ssize_t n;

	if (flags & ~(unsigned int)MSG_DONTWAIT)
		return -EINVAL;
	if (sock < 0)
		return -EBADF;

	memset(&u, 0, sizeof(u));
	do
		n = recvmsg(sock, &msg, (int)flags | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	if (n == 0 && msg.msg_controllen == 0) {
		ret = -ECONNRESET;	/* peer closed, nothing sent */
		goto out;
	}

	nfds = sfd__cmsg_fds(&msg, &ret, 1);
	/* Exactly one fd, in a message nobody truncated, or nothing. */
	if (nfds != 1 || (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
		sfd__close_cmsg_fds(&msg);
		ret = -EBADMSG;
	}
out:
	errno = saved;
	return ret;
}

/* ---- user notifications --------------------------------------------- */

static int xioctl(int fd, unsigned long req, void *arg)
{
	int saved = errno, ret;

	if (fd < 0)
		return -EBADF;
	ret = ioctl(fd, req, arg);
	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

int sfd_notif_alloc(struct seccomp_notif **req, struct seccomp_notif_resp **resp)
{
	struct seccomp_notif_sizes sizes = { 0 };
	struct seccomp_notif *q = NULL;
	struct seccomp_notif_resp *r = NULL;
	size_t qsz, rsz;
	long ret;

	if (!req && !resp)
		return -EINVAL;
	ret = sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
	if (ret < 0)
		return (int)ret;

	qsz = sizes.seccomp_notif > sizeof(*q) ? sizes.seccomp_notif : sizeof(*q);
	rsz = sizes.seccomp_notif_resp > sizeof(*r) ?
		sizes.seccomp_notif_resp : sizeof(*r);
	if (req) {
		q = calloc(1, qsz);
		if (!q)
			return -ENOMEM;
	}
	if (resp) {
		r = calloc(1, rsz);
		if (!r) {
			free(q);
			return -ENOMEM;
		}
	}
	if (req)
		*req = q;
	if (resp)
		*resp = r;
	return 0;
}

void sfd_notif_free(struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
	free(req);
	free(resp);
}

int sfd_notif_recv(int fd, struct seccomp_notif *req)
{
	if (!req)
		return -EINVAL;
	/* The kernel insists on a zeroed buffer (check_zeroed_user()). */
	memset(req, 0, sizeof(*req));
	return xioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req);
}

int sfd_notif_respond(int fd, __u64 id, __s32 error, __s64 val, __u32 flags)
{
	struct seccomp_notif_resp resp = {
		.id = id,
		.error = error,
		.val = val,
		.flags = flags,
	};

	if (error > 0 || error < -SFD_MAX_ERRNO)
		return -EINVAL;
	if (flags & ~(__u32)SECCOMP_USER_NOTIF_FLAG_CONTINUE)
		return -EINVAL;
	if ((flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE) && (error || val))
		return -EINVAL;
	return xioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

int sfd_notif_continue(int fd, __u64 id)
{
	return sfd_notif_respond(fd, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

int sfd_notif_id_valid(int fd, __u64 id)
{
	return xioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id);
}

int sfd_notif_addfd(int fd, __u64 id, int srcfd, int newfd, unsigned int flags)
{
	struct seccomp_notif_addfd addfd = {
		.id = id,
		.srcfd = (__u32)srcfd,
	};

	if (flags & ~(unsigned int)(SECCOMP_ADDFD_FLAG_SEND | O_CLOEXEC))
		return -EINVAL;
	if (srcfd < 0 || newfd < -1)
		return -EBADF;
	if (newfd >= 0) {
		addfd.flags |= SECCOMP_ADDFD_FLAG_SETFD;
		addfd.newfd = (__u32)newfd;
	}
	if (flags & SECCOMP_ADDFD_FLAG_SEND)
		addfd.flags |= SECCOMP_ADDFD_FLAG_SEND;
	if (flags & O_CLOEXEC)
		addfd.newfd_flags = O_CLOEXEC;
	return xioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
}
