/* SPDX-License-Identifier: LGPL-2.1-only OR MIT */
/* libsfd internals shared by the plumbing sources (fdpass, agent, spawn). */
#ifndef LIBSFD_PLUMBING_H
#define LIBSFD_PLUMBING_H

#include <stddef.h>
#include <sys/socket.h>
#include "internal.h"

/* The frame's header on the wire: host byte order, no padding. */
struct sfd_wire_hdr {
	__u32 magic;		/* SFD_FD_MSG_MAGIC */
	__u16 version;		/* SFD_FD_MSG_VERSION */
	__u16 size;		/* sizeof(struct sfd_wire_hdr) of that version */
	__u32 flags;
	__u32 arch;
	char name[SFD_FD_NAME_MAX];
};

/* Most fds a received message may carry before it counts as truncated. */
#define SFD_MAX_MSG_FDS 16

/*
 * Send @len bytes of @data with @fd in one SCM_RIGHTS message; -EIO if the
 * socket took only part of the data.
 */
SFD_HIDDEN int sfd__send_with_fd(int sock, int fd, const void *data, size_t len);

/* Close every fd of every SCM_RIGHTS header of @msg. */
SFD_HIDDEN void sfd__close_cmsg_fds(struct msghdr *msg);

/* Copy up to @max fds of @msg into @fds; returns how many it carried. */
SFD_HIDDEN int sfd__cmsg_fds(struct msghdr *msg, int *fds, int max);

/*
 * Check a received frame (@len bytes of data, @nfds fds, @msg_flags of
 * recvmsg) and fill @out; 0 or the -errno of sfd_recv_fd_msg(3).
 */
SFD_HIDDEN int sfd__check_frame(const void *data, size_t len, int nfds,
				int msg_flags, struct sfd_fd_msg *out);

#endif
