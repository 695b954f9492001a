// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * libsfd: passing a filter fd with a versioned header, so the receiver
 * knows what it got and rejects what it did not expect.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plumbing.h"

void sfd__close_cmsg_fds(struct msghdr *msg)
{
	struct cmsghdr *cmsg;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
		size_t i, n;

		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

int sfd__cmsg_fds(struct msghdr *msg, int *fds, int max)
{
	struct cmsghdr *cmsg;
	int nfds = 0;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
		size_t i, n;

		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++, nfds++)
			if (nfds < max)
				memcpy(&fds[nfds], CMSG_DATA(cmsg) + i * sizeof(int),
				       sizeof(int));
	}
	return nfds;
}

int sfd__check_frame(const void *data, size_t len, int nfds, int msg_flags,
		     struct sfd_fd_msg *out)
{
	struct sfd_wire_hdr h;

	if (msg_flags & MSG_CTRUNC)
		return -EBADMSG;	/* fds were lost: never trust the rest */
	/* Magic first, so that a foreign message is called foreign. */
	if (len < sizeof(h.magic))
		return len ? -EPROTO : -EBADMSG;
	memcpy(&h.magic, data, sizeof(h.magic));
	if (h.magic != SFD_FD_MSG_MAGIC)
		return -EPROTO;
	if (len < offsetof(struct sfd_wire_hdr, flags))
		return -EBADMSG;
	memcpy(&h, data, offsetof(struct sfd_wire_hdr, flags));
	if (h.version != SFD_FD_MSG_VERSION)
		return -EPROTONOSUPPORT;
	if (h.size != sizeof(h) || len != sizeof(h) || (msg_flags & MSG_TRUNC))
		return -EBADMSG;
	memcpy(&h, data, sizeof(h));
	if (!memchr(h.name, '\0', sizeof(h.name)))
		return -EBADMSG;
	if (nfds == 0)
		return -ENOMSG;
	if (nfds > 1)
		return -ETOOMANYREFS;
	if (out) {
		if (SFD_OPTS_HAS(out, version))
			out->version = h.version;
		if (SFD_OPTS_HAS(out, flags))
			out->flags = h.flags;
		if (SFD_OPTS_HAS(out, arch))
			out->arch = h.arch;
		if (SFD_OPTS_HAS(out, name))
			memcpy(out->name, h.name, sizeof(h.name));
	}
	return 0;
}

int sfd__send_with_fd(int sock, int fd, const void *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;
	int saved = errno, ret = 0;
	ssize_t n;

	if (sock < 0 || fd < 0)
		return -EBADF;
	memset(&u, 0, sizeof(u));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));

	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;	/* a stream socket took part of it: unusable */
	errno = saved;
	return ret;
}

int sfd_send_fd_msg(int sock, int fd, const struct sfd_fd_msg *m)
{
	struct sfd_wire_hdr h;

	if (m && !sfd__opts_valid(m, m->sz, sizeof(*m)))
		return -EINVAL;
	if (sock < 0 || fd < 0)
		return -EBADF;
	memset(&h, 0, sizeof(h));
	h.magic = SFD_FD_MSG_MAGIC;
	h.version = SFD_FD_MSG_VERSION;
	h.size = sizeof(h);
	h.flags = SFD_OPTS_GET(m, flags, 0);
	h.arch = SFD_OPTS_GET(m, arch, 0);
	if (SFD_OPTS_HAS(m, name)) {
		size_t len = strnlen(m->name, sizeof(m->name));

		if (len == sizeof(m->name))
			return -ENAMETOOLONG;
		memcpy(h.name, m->name, len);
	}
	return sfd__send_with_fd(sock, fd, &h, sizeof(h));
}

int sfd_recv_fd_msg(int sock, unsigned int flags, struct sfd_fd_msg *m)
{
	union {
		char buf[CMSG_SPACE(SFD_MAX_MSG_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct sfd_wire_hdr h;
	struct iovec iov = { .iov_base = &h, .iov_len = sizeof(h) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	int saved = errno, ret, fd = -1, nfds;
	ssize_t n;

	if (flags & ~(unsigned int)MSG_DONTWAIT)
		return -EINVAL;
	if (m && !sfd__opts_valid(m, m->sz, sizeof(*m)))
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
	nfds = sfd__cmsg_fds(&msg, &fd, 1);
	if (n == 0 && nfds == 0 && !(msg.msg_flags & MSG_CTRUNC)) {
		ret = -ECONNRESET;
		goto out;
	}
	ret = sfd__check_frame(&h, (size_t)n, nfds, msg.msg_flags, m);
	if (ret)
		sfd__close_cmsg_fds(&msg);
	else
		ret = fd;
out:
	errno = saved;
	return ret;
}
