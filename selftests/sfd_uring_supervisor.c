// SPDX-License-Identifier: GPL-2.0
/*
 * libsfd in a VM: a supervisor serves the user notifications of two
 * children from the one detached filter fd, waiting with io_uring
 * (IORING_OP_POLL_ADD), and sees EPOLLHUP once no task uses the filter.
 */
#include "sfd_util.h"
#include <poll.h>
#include <liburing.h>
#include "kselftest_harness.h"

/* Arm a one-shot poll on @fd and return its revents (or -errno). */
static int uring_poll(struct io_uring *ring, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct __kernel_timespec ts = { .tv_sec = SAFETY_NET_MS / 1000 };
	struct io_uring_cqe *cqe;
	int ret;

	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, fd, POLLIN);
	ret = io_uring_submit(ring);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	/* The timeout is a safety net for a child that died, no more. */
	ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	if (ret)
		return ret == -ETIME ? -ETIMEDOUT : ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

TEST(uring_serves_two_children)
{
	struct seccomp_notif *req = NULL;
	struct sfd_profile *p;
	struct io_uring ring;
	struct kid a, b;
	int fd, ret, served = 0, revents;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "io_uring unavailable: %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, sfd_load_notify_profile(&p));
	fd = sfd_profile_create(p, 0);
	sfd_profile_free(p);
	ASSERT_LE(0, fd) TH_LOG("sfd_profile_create: %s", strerror(-fd));
	ASSERT_EQ(0, sfd_notif_alloc(&req, NULL));

	ASSERT_EQ(0, kid_start(&a, true, kid_notified, NULL));
	ASSERT_EQ(0, kid_start(&b, true, kid_notified, NULL));
	ASSERT_EQ(0, sfd_attach(a.pidfd, fd, 0));
	ASSERT_EQ(0, sfd_attach(b.pidfd, fd, 0));
	kid_go(&a);
	kid_go(&b);

	while (served < 2 * NOTIFS_PER_KID) {
		revents = uring_poll(&ring, fd);
		if (revents == -ETIMEDOUT) {
			TH_LOG("no notification within %d ms after %d: a child died or hangs",
			       SAFETY_NET_MS, served);
			break;
		}
		if (revents < 0 || !(revents & POLLIN)) {
			TH_LOG("poll answered %d after %d notifications", revents, served);
			break;
		}
		ret = serve_one(fd, req);
		if (ret) {
			TH_LOG("serving: %s", strerror(-ret));
			break;
		}
		served++;
	}
	EXPECT_EQ(2 * NOTIFS_PER_KID, served);
	if (served < 2 * NOTIFS_PER_KID) {
		/* Unblock a child stuck in a notification (ENOSYS), then reap. */
		close(fd);
		kid_wait(&a);
		kid_wait(&b);
		io_uring_queue_exit(&ring);
		ASSERT_EQ(2 * NOTIFS_PER_KID, served);
	}
	EXPECT_EQ(KID_OK, kid_wait(&a));
	EXPECT_EQ(KID_OK, kid_wait(&b));

	/* Nobody uses the filter any more: hang-up. */
	revents = uring_poll(&ring, fd);
	EXPECT_TRUE(revents > 0 && (revents & POLLHUP)) TH_LOG("revents %d", revents);

	sfd_notif_free(req, NULL);
	io_uring_queue_exit(&ring);
	close(fd);
}

TEST_HARNESS_MAIN
