// SPDX-License-Identifier: GPL-2.0
/*
 * libsfd in a VM: a supervisor serves the user notifications of two
 * children from the one detached filter fd with epoll, sees nothing before
 * the first attach, and EPOLLHUP once no task uses the filter.
 */
#include "sfd_util.h"
#include <sys/epoll.h>
#include "kselftest_harness.h"

TEST(epoll_serves_two_children)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct seccomp_notif *req = NULL;
	SFD_OPTS(sfd_info, info);
	struct sfd_profile *p;
	struct kid a, b;
	int fd, ep, n, ret, served = 0;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	ASSERT_EQ(0, sfd_load_notify_profile(&p));
	fd = sfd_profile_create(p, 0);
	sfd_profile_free(p);
	ASSERT_LE(0, fd) TH_LOG("sfd_profile_create: %s", strerror(-fd));
	ASSERT_EQ(0, sfd_info(fd, &info));
	EXPECT_EQ(1, info.listener);	/* the program can return USER_NOTIF */
	ASSERT_EQ(0, sfd_notif_alloc(&req, NULL));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.fd = fd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));

	/* Before the first attach: no events at all (not even EPOLLHUP). */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	ASSERT_EQ(0, kid_start(&a, true, kid_notified, NULL));
	ASSERT_EQ(0, kid_start(&b, true, kid_notified, NULL));
	ASSERT_EQ(0, sfd_attach(a.pidfd, fd, 0));
	ASSERT_EQ(0, sfd_attach(b.pidfd, fd, 0));
	kid_go(&a);
	kid_go(&b);

	while (served < 2 * NOTIFS_PER_KID) {
		/* The timeout is a safety net for a child that died, no more. */
		n = epoll_wait(ep, &ev, 1, SAFETY_NET_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			TH_LOG("no notification within %d ms after %d: a child died or hangs",
			       SAFETY_NET_MS, served);
			break;
		}
		if (n != 1 || !(ev.events & EPOLLIN)) {
			TH_LOG("epoll_wait %d events 0x%x after %d notifications",
			       n, n == 1 ? ev.events : 0, served);
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
		ASSERT_EQ(2 * NOTIFS_PER_KID, served);
	}
	EXPECT_EQ(KID_OK, kid_wait(&a));
	EXPECT_EQ(KID_OK, kid_wait(&b));

	/* Nobody uses the filter any more: hang-up. */
	n = epoll_wait(ep, &ev, 1, 0);
	EXPECT_EQ(1, n);
	EXPECT_TRUE(ev.events & EPOLLHUP) TH_LOG("events 0x%x", ev.events);

	sfd_notif_free(req, NULL);
	close(ep);
	close(fd);
}

TEST_HARNESS_MAIN
