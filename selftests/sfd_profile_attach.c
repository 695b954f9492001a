// SPDX-License-Identifier: GPL-2.0
/*
 * libsfd in a VM: an OCI profile built once, created as a detached filter
 * and attached to forked children through their pidfds.
 */
#include "sfd_util.h"
#include "kselftest_harness.h"

TEST(profile_blocks_in_attached_child)
{
	struct sfd_profile *p;
	const char *which;
	struct kid k;
	int fd, ret;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	ret = sfd_load_base_profile(&p, &which);
	ASSERT_EQ(0, ret) TH_LOG("loading %s: %s", which, strerror(-ret));
	TH_LOG("profile: %s, %u instructions", which, sfd_profile_prog(p)->len);
	fd = sfd_profile_create(p, 0);
	sfd_profile_free(p);
	ASSERT_LE(0, fd) TH_LOG("sfd_profile_create: %s", strerror(-fd));

	ASSERT_EQ(0, kid_start(&k, true, kid_check_blocked, NULL));
	ret = sfd_attach(k.pidfd, fd, 0);
	EXPECT_EQ(0, ret) TH_LOG("sfd_attach: %s", strerror(-ret));
	kid_go(&k);
	EXPECT_EQ(KID_OK, kid_wait(&k));
	close(fd);
}

/* The filter stays with the child after the creator closes its fd. */
TEST(filter_outlives_closed_fd)
{
	struct kid k;
	int fd;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	fd = sfd_base_filter();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kid_start(&k, true, kid_check_blocked, NULL));
	EXPECT_EQ(0, sfd_attach(k.pidfd, fd, 0));
	close(fd);
	kid_go(&k);
	EXPECT_EQ(KID_OK, kid_wait(&k));
}

/*
 * A child without no_new_privs: the attacher needs CAP_SYS_ADMIN, else
 * EACCES (docs/semantics.md), decided by libcap, not the uid.
 */
TEST(attach_without_nnp_needs_cap_sys_admin)
{
	struct kid k;
	int fd, ret;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	fd = sfd_base_filter();
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, kid_start(&k, false, kid_check_blocked, NULL));
	ret = sfd_attach(k.pidfd, fd, 0);
	if (have_cap_sys_admin()) {
		EXPECT_EQ(0, ret) TH_LOG("with CAP_SYS_ADMIN: %s", strerror(-ret));
		kid_go(&k);
		EXPECT_EQ(KID_OK, kid_wait(&k));
	} else {
		EXPECT_EQ(-EACCES, ret);
		kid_wait(&k);
	}
	close(fd);
}

TEST(attach_to_reaped_child_is_esrch)
{
	struct kid k;
	int fd, pidfd;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	fd = sfd_base_filter();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kid_start(&k, true, kid_idle, NULL));
	pidfd = dup(k.pidfd);
	ASSERT_LE(0, pidfd);
	kid_go(&k);
	EXPECT_EQ(KID_OK, kid_wait(&k));
	EXPECT_EQ(-ESRCH, sfd_attach(pidfd, fd, 0));
	close(pidfd);
	close(fd);
}

TEST(library_rejects_what_the_kernel_would)
{
	struct sfd_profile *p;
	const char *which;
	int fd, pipefd[2];

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	ASSERT_EQ(0, sfd_load_base_profile(&p, &which));
	/* TSYNC and NEW_LISTENER make no sense at creation. */
	EXPECT_EQ(-EINVAL, sfd_profile_create(p, SECCOMP_FILTER_FLAG_TSYNC));
	EXPECT_EQ(-EINVAL, sfd_profile_create(p, SECCOMP_FILTER_FLAG_NEW_LISTENER));
	/* Nor does waiting killably for a program that never notifies. */
	EXPECT_EQ(-EINVAL, sfd_profile_create(p, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV));
	fd = sfd_profile_create(p, SECCOMP_FILTER_FLAG_LOG);
	sfd_profile_free(p);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, prctl(PR_GET_SECCOMP, 0, 0, 0, 0));	/* nothing installed */

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	EXPECT_EQ(-EINVAL, sfd_attach_self(pipefd[0], 0));	/* not a filter */
	EXPECT_EQ(-EBADF, sfd_attach(pipefd[0], fd, 0));	/* not a pidfd */
	EXPECT_EQ(-EINVAL, sfd_attach_self(fd, SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
}

TEST_HARNESS_MAIN
