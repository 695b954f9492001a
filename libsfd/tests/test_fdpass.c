// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/* sfd_send_fd()/sfd_recv_fd(): SCM_RIGHTS round trips and rejected messages. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sfd.h"
#include "tap.h"

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Send @n copies of @fd in one SCM_RIGHTS message, the way a stranger might. */
static int send_raw(int sock, int fd, int n, const char *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(64 * sizeof(int))];
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

static int round_trip_gives_the_same_file_cloexec(void)
{
	int sv[2], p[2], fd, type;
	int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };

	for (type = 0; type < 3; type++) {
		CHECK_EQ(socketpair(AF_UNIX, types[type] | SOCK_CLOEXEC, 0, sv), 0);
		CHECK_EQ(pipe2(p, 0), 0);
		CHECK_EQ(sfd_send_fd(sv[0], p[1]), 0);
		fd = sfd_recv_fd(sv[1], 0);
		CHECK(fd >= 0);
		CHECK(fd != p[1]);
		CHECK(same_file(fd, p[1]));
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		/* It really is the pipe: write through the copy, read the original. */
		CHECK_EQ(write(fd, "x", 1), 1);
		{
			char c = 0;

			CHECK_EQ(read(p[0], &c, 1), 1);
			CHECK_EQ(c, 'x');
		}
		close(fd);
		close(p[0]);
		close(p[1]);
		close(sv[0]);
		close(sv[1]);
	}
	return PASS;
}

static int several_messages_in_a_row(void)
{
	int sv[2], fds[3], i, before = tap_count_fds();

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(sfd_send_fd(sv[0], sv[0]), 0);
	for (i = 0; i < 3; i++) {
		fds[i] = sfd_recv_fd(sv[1], 0);
		CHECK(fds[i] >= 0);
		CHECK(same_file(fds[i], sv[0]));
	}
	for (i = 0; i < 3; i++)
		close(fds[i]);
	close(sv[0]);
	close(sv[1]);
	CHECK_EQ(tap_count_fds(), before);
	return PASS;
}

static int two_fds_rejected_without_leak(void)
{
	int sv[2], before = tap_count_fds();

	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(send_raw(sv[0], sv[0], 2, "F", 1), 0);
	CHECK_EQ(sfd_recv_fd(sv[1], 0), -EBADMSG);
	close(sv[0]);
	close(sv[1]);
	CHECK_EQ(tap_count_fds(), before);
	return PASS;
}

static int truncated_control_rejected_without_leak(void)
{
	int sv[2], before = tap_count_fds();

	/* More fds than the receiver has room for: MSG_CTRUNC. */
	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(send_raw(sv[0], sv[0], 40, "F", 1), 0);
	CHECK_EQ(sfd_recv_fd(sv[1], 0), -EBADMSG);
	close(sv[0]);
	close(sv[1]);
	CHECK_EQ(tap_count_fds(), before);
	return PASS;
}

static int truncated_datagram_rejected_without_leak(void)
{
	int sv[2], before = tap_count_fds();

	CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(send_raw(sv[0], sv[0], 1, "longer", 6), 0);
	CHECK_EQ(sfd_recv_fd(sv[1], 0), -EBADMSG);
	close(sv[0]);
	close(sv[1]);
	CHECK_EQ(tap_count_fds(), before);
	return PASS;
}

static int message_without_fd_is_ebadmsg(void)
{
	int sv[2];

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(send_raw(sv[0], -1, 0, "F", 1), 0);
	CHECK_EQ(sfd_recv_fd(sv[1], 0), -EBADMSG);
	close(sv[0]);
	close(sv[1]);
	return PASS;
}

static int closed_peer_is_econnreset(void)
{
	int sv[2];

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[0]);
	CHECK_EQ(sfd_recv_fd(sv[1], 0), -ECONNRESET);
	close(sv[1]);
	return PASS;
}

static int dontwait_on_empty_socket_is_eagain(void)
{
	int sv[2];

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(sfd_recv_fd(sv[1], MSG_DONTWAIT), -EAGAIN);
	close(sv[0]);
	close(sv[1]);
	return PASS;
}

static int bad_arguments(void)
{
	int sv[2], p[2];

	CHECK_EQ(sfd_send_fd(-1, 0), -EBADF);
	CHECK_EQ(sfd_send_fd(0, -1), -EBADF);
	CHECK_EQ(sfd_recv_fd(-1, 0), -EBADF);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(sfd_recv_fd(sv[1], MSG_PEEK), -EINVAL);
	CHECK_EQ(sfd_recv_fd(sv[1], MSG_CMSG_CLOEXEC), -EINVAL);
	close(sv[0]);
	CHECK_EQ(sfd_send_fd(sv[1], 0), -EPIPE);
	close(sv[1]);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sfd_send_fd(p[1], 0), -ENOTSOCK);
	CHECK_EQ(sfd_recv_fd(p[0], 0), -ENOTSOCK);
	close(p[0]);
	close(p[1]);
	return PASS;
}

static const struct tap_test tests[] = {
	{ "round_trip_gives_the_same_file_cloexec", round_trip_gives_the_same_file_cloexec },
	{ "several_messages_in_a_row", several_messages_in_a_row },
	{ "two_fds_rejected_without_leak", two_fds_rejected_without_leak },
	{ "truncated_control_rejected_without_leak", truncated_control_rejected_without_leak },
	{ "truncated_datagram_rejected_without_leak", truncated_datagram_rejected_without_leak },
	{ "message_without_fd_is_ebadmsg", message_without_fd_is_ebadmsg },
	{ "closed_peer_is_econnreset", closed_peer_is_econnreset },
	{ "dontwait_on_empty_socket_is_eagain", dontwait_on_empty_socket_is_eagain },
	{ "bad_arguments", bad_arguments },
};

TAP_MAIN(tests)
