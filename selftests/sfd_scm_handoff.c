// SPDX-License-Identifier: GPL-2.0
/*
 * libsfd in a VM: the manager builds the filter once and hands the fd over
 * SCM_RIGHTS to another process, which attaches it (to its own child, or to
 * itself) after the creator has closed its copy.
 */
#include "sfd_util.h"
#include <sys/socket.h>
#include "kselftest_harness.h"

enum { HELPER_OK, HELPER_RECV = 10, HELPER_INFO, HELPER_KID, HELPER_ATTACH,
       HELPER_KID_FAILED, HELPER_NNP, HELPER_SELF_BLOCKED };

/* The other process: receive the fd, then attach it to a child of its own. */
static int helper_attach_child(int sock, __u32 len)
{
	SFD_OPTS(sfd_info, info);
	struct kid k;
	int fd = sfd_recv_fd(sock, 0);

	if (fd < 0)
		return HELPER_RECV;
	if (sfd_info(fd, &info) || info.insns != len)
		return HELPER_INFO;
	if (kid_start(&k, true, kid_check_blocked, NULL))
		return HELPER_KID;
	if (sfd_attach(k.pidfd, fd, 0)) {
		kid_wait(&k);
		return HELPER_ATTACH;
	}
	kid_go(&k);
	return kid_wait(&k) == KID_OK ? HELPER_OK : HELPER_KID_FAILED;
}

/* The other process: receive the fd and confine itself with it. */
static int helper_attach_self(int sock)
{
	int fd = sfd_recv_fd(sock, 0);

	if (fd < 0)
		return HELPER_RECV;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return HELPER_NNP;
	if (sfd_attach_self(fd, 0))
		return HELPER_ATTACH;
	return kid_check_blocked(NULL) == KID_OK ? HELPER_OK : HELPER_SELF_BLOCKED;
}

static void handoff(struct __test_metadata *_metadata, bool self)
{
	struct sfd_profile *p;
	const char *which;
	int sv[2], fd, status;
	__u32 len;
	pid_t helper;

	ASSERT_EQ(0, sfd_load_base_profile(&p, &which));
	len = sfd_profile_prog(p)->len;
	fd = sfd_profile_create(p, 0);
	sfd_profile_free(p);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));

	helper = fork();
	ASSERT_LE(0, helper);
	if (helper == 0) {
		close(sv[0]);
		close(fd);
		_exit(self ? helper_attach_self(sv[1]) : helper_attach_child(sv[1], len));
	}
	close(sv[1]);
	EXPECT_EQ(0, sfd_send_fd(sv[0], fd));
	close(fd);	/* the creator's copy is irrelevant from here */
	close(sv[0]);
	ASSERT_EQ(helper, waitpid(helper, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("helper status 0x%x", status);
	EXPECT_EQ(HELPER_OK, WEXITSTATUS(status));
}

TEST(handoff_then_attach_to_helpers_child)
{
	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	handoff(_metadata, false);
}

TEST(handoff_then_attach_self)
{
	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	handoff(_metadata, true);
}

TEST_HARNESS_MAIN
