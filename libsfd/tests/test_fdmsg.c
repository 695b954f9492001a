// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * sfd_send_fd_msg()/sfd_recv_fd_msg(): the framed form round-trips its
 * header, and every foreign, truncated or miscounted message is refused
 * with its own errno and no fd left open.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/audit.h>

#include "sfd.h"
#include "tap.h"

/* The wire header as documented in sfd_send_fd_msg(3). */
struct wire {
	__u32 magic;
	__u16 version;
	__u16 size;
	__u32 flags;
	__u32 arch;
	char name[SFD_FD_NAME_MAX];
};

static struct wire good_wire(void)
{
	struct wire w;

	memset(&w, 0, sizeof(w));
	w.magic = SFD_FD_MSG_MAGIC;
	w.version = SFD_FD_MSG_VERSION;
	w.size = sizeof(w);
	strcpy(w.name, "forged");
	return w;
}

/* Send @len bytes of @data with @n copies of @fd. */
static int send_raw(int sock, int fd, int n, const void *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(32 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	int i;

	memset(&u, 0, sizeof(u));
	if (n) {
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
		for (i = 0; i < n; i++)
			memcpy(CMSG_DATA(cmsg) + (size_t)i * sizeof(int), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int header_round_trips(void)
{
	SFD_OPTS(sfd_fd_msg, out, .flags = SFD_FD_LISTENER | SFD_FD_DETACHED | (1u << 20),
		 .arch = AUDIT_ARCH_X86_64);
	SFD_OPTS(sfd_fd_msg, in);
	struct stat a, b;
	int sv[2], p[2], fd;

	strcpy(out.name, "docker-default@sha256:0123");
	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sfd_send_fd_msg(sv[0], p[0], &out), 0);
	fd = sfd_recv_fd_msg(sv[1], 0, &in);
	CHECK(fd >= 0);
	CHECK(!fstat(fd, &a) && !fstat(p[0], &b) && a.st_ino == b.st_ino);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(in.version, SFD_FD_MSG_VERSION);
	CHECK_EQ(in.flags, out.flags);
	CHECK_EQ(in.arch, AUDIT_ARCH_X86_64);
	CHECK(!strcmp(in.name, out.name));
	close(fd);

	/* No header options and no out-param: an empty header, still an fd. */
	CHECK_EQ(sfd_send_fd_msg(sv[0], p[1], NULL), 0);
	fd = sfd_recv_fd_msg(sv[1], 0, NULL);
	CHECK(fd >= 0);
	close(fd);

	/* A stream socket carries frames too. */
	close(sv[0]);
	close(sv[1]);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(sfd_send_fd_msg(sv[0], p[0], &out), 0);
	CHECK_EQ(sfd_send_fd_msg(sv[0], p[1], NULL), 0);
	fd = sfd_recv_fd_msg(sv[1], 0, &in);
	CHECK(fd >= 0 && !strcmp(in.name, out.name));
	close(fd);
	fd = sfd_recv_fd_msg(sv[1], 0, &in);
	CHECK(fd >= 0 && in.name[0] == '\0' && in.flags == 0);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	return PASS;
}

/* Send one crafted message and expect @err and no new fd. */
static int expect_refused(int type, int nfds, const void *data, size_t len, int err)
{
	SFD_OPTS(sfd_fd_msg, in);
	int sv[2], p[2], before, ret;

	CHECK_EQ(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(send_raw(sv[0], p[0], nfds, data, len), 0);
	before = tap_count_fds();
	ret = sfd_recv_fd_msg(sv[1], MSG_DONTWAIT, &in);
	if (ret >= 0)
		close(ret);
	CHECK_EQ(ret, err);
	CHECK_EQ(tap_count_fds(), before);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	return PASS;
}

static int foreign_message_is_eproto(void)
{
	struct wire w = good_wire();

	/* The legacy one-byte form, and text: neither is a frame. */
	if (expect_refused(SOCK_SEQPACKET, 1, "F", 1, -EPROTO) != PASS)
		return FAIL;
	if (expect_refused(SOCK_SEQPACKET, 1, "{\"ociVersion\":\"1.0.2\"}", 22, -EPROTO) != PASS)
		return FAIL;
	w.magic ^= 1;
	return expect_refused(SOCK_SEQPACKET, 1, &w, sizeof(w), -EPROTO);
}

static int other_version_is_eprotonosupport(void)
{
	struct wire w = good_wire();

	w.version = SFD_FD_MSG_VERSION + 1;
	return expect_refused(SOCK_SEQPACKET, 1, &w, sizeof(w), -EPROTONOSUPPORT);
}

static int wrong_size_or_truncated_is_ebadmsg(void)
{
	struct { struct wire w; char extra[8]; } big;
	struct wire w = good_wire();

	/* Declared size other than the version's. */
	w.size = sizeof(w) + 8;
	if (expect_refused(SOCK_SEQPACKET, 1, &w, sizeof(w), -EBADMSG) != PASS)
		return FAIL;
	/* Short: a header cut after its magic and version. */
	w = good_wire();
	if (expect_refused(SOCK_SEQPACKET, 1, &w, 8, -EBADMSG) != PASS)
		return FAIL;
	/* Long: the datagram is cut by the receiver (MSG_TRUNC). */
	memset(&big, 0, sizeof(big));
	big.w = good_wire();
	if (expect_refused(SOCK_DGRAM, 1, &big, sizeof(big), -EBADMSG) != PASS)
		return FAIL;
	/* A name without its NUL. */
	w = good_wire();
	memset(w.name, 'a', sizeof(w.name));
	return expect_refused(SOCK_SEQPACKET, 1, &w, sizeof(w), -EBADMSG);
}

static int control_truncated_is_ebadmsg(void)
{
	struct wire w = good_wire();

	/* More fds than the receiver has room for: MSG_CTRUNC. */
	return expect_refused(SOCK_SEQPACKET, 32, &w, sizeof(w), -EBADMSG);
}

static int two_fds_are_etoomanyrefs(void)
{
	struct wire w = good_wire();

	return expect_refused(SOCK_SEQPACKET, 2, &w, sizeof(w), -ETOOMANYREFS);
}

static int no_fd_is_enomsg(void)
{
	struct wire w = good_wire();

	return expect_refused(SOCK_SEQPACKET, 0, &w, sizeof(w), -ENOMSG);
}

static int closed_peer_and_bad_arguments(void)
{
	SFD_OPTS(sfd_fd_msg, m);
	int sv[2];

	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(sfd_recv_fd_msg(sv[1], MSG_DONTWAIT, NULL), -EAGAIN);
	close(sv[0]);
	CHECK_EQ(sfd_recv_fd_msg(sv[1], 0, NULL), -ECONNRESET);
	close(sv[1]);

	CHECK_EQ(sfd_recv_fd_msg(-1, 0, NULL), -EBADF);
	CHECK_EQ(sfd_recv_fd_msg(0, MSG_PEEK, NULL), -EINVAL);
	CHECK_EQ(sfd_send_fd_msg(-1, 0, NULL), -EBADF);
	CHECK_EQ(sfd_send_fd_msg(0, -1, NULL), -EBADF);
	memset(m.name, 'x', sizeof(m.name));
	CHECK_EQ(sfd_send_fd_msg(0, 0, &m), -ENAMETOOLONG);
	m.sz = 1;
	CHECK_EQ(sfd_send_fd_msg(0, 0, &m), -EINVAL);
	CHECK_EQ(sfd_recv_fd_msg(0, 0, &m), -EINVAL);
	return PASS;
}

static const struct tap_test tests[] = {
	{ "header_round_trips", header_round_trips },
	{ "foreign_message_is_eproto", foreign_message_is_eproto },
	{ "other_version_is_eprotonosupport", other_version_is_eprotonosupport },
	{ "wrong_size_or_truncated_is_ebadmsg", wrong_size_or_truncated_is_ebadmsg },
	{ "control_truncated_is_ebadmsg", control_truncated_is_ebadmsg },
	{ "two_fds_are_etoomanyrefs", two_fds_are_etoomanyrefs },
	{ "no_fd_is_enomsg", no_fd_is_enomsg },
	{ "closed_peer_and_bad_arguments", closed_peer_and_bad_arguments },
};

TAP_MAIN(tests)
