// SPDX-License-Identifier: GPL-2.0
/*
 * libsfd in a VM: sfd_info() shows one node shared by every child attached
 * from the same base chain, a node of its own for a child whose chain
 * differs, and the program's tag and listener bit (docs/semantics.md,
 * "Nodes, sharing, fdinfo").
 */
#include "sfd_util.h"
#include "kselftest_harness.h"

/* Body: install an ordinary allow-all filter, then report ready again. */
static int kid_with_own_filter(void *arg)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	int *pipes = arg;	/* [0] read "attached", [1] write "installed" */
	char c;

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return 1;
	if (write(pipes[1], "i", 1) != 1 || read(pipes[0], &c, 1) != 1)
		return KID_ABORTED;
	return kid_check_blocked(NULL);
}

static int create_base(struct __test_metadata *_metadata, __u32 *len)
{
	struct sfd_profile *p;
	const char *which;
	int fd;

	if (sfd_load_base_profile(&p, &which))
		return -1;
	*len = sfd_profile_prog(p)->len;
	fd = sfd_profile_create(p, 0);
	sfd_profile_free(p);
	if (fd < 0)
		TH_LOG("sfd_profile_create: %s", strerror(-fd));
	return fd;
}

TEST(children_from_same_base_share_one_node)
{
	SFD_OPTS(sfd_info, info);
	SFD_OPTS(sfd_info, again);
	struct kid a, b;
	__u32 len;
	int fd, fd2;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	fd = create_base(_metadata, &len);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, sfd_info(fd, &info));
	EXPECT_EQ(len, info.insns);
	EXPECT_EQ(0, info.nodes);
	EXPECT_EQ(0, info.listener);

	/* The tag is the program's: the same program gives the same tag. */
	fd2 = create_base(_metadata, &len);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sfd_info(fd2, &again));
	EXPECT_EQ(0, memcmp(info.tag, again.tag, sizeof(info.tag)));
	close(fd2);

	ASSERT_EQ(0, kid_start(&a, true, kid_check_blocked, NULL));
	ASSERT_EQ(0, kid_start(&b, true, kid_check_blocked, NULL));
	EXPECT_EQ(0, sfd_attach(a.pidfd, fd, 0));
	EXPECT_EQ(0, sfd_attach(b.pidfd, fd, 0));
	ASSERT_EQ(0, sfd_info(fd, &info));
	EXPECT_EQ(len, info.insns);
	EXPECT_EQ(1, info.nodes);

	/* The same filter twice on one task: EEXIST, nothing changes. */
	EXPECT_EQ(-EEXIST, sfd_attach(a.pidfd, fd, 0));
	ASSERT_EQ(0, sfd_info(fd, &info));
	EXPECT_EQ(1, info.nodes);

	kid_go(&a);
	kid_go(&b);
	EXPECT_EQ(KID_OK, kid_wait(&a));
	EXPECT_EQ(KID_OK, kid_wait(&b));
	/* Reaped tasks use nothing any more: the node is gone. */
	ASSERT_EQ(0, sfd_info(fd, &info));
	EXPECT_EQ(0, info.nodes);
	close(fd);
}

TEST(child_with_other_chain_gets_own_node)
{
	SFD_OPTS(sfd_info, info);
	int to_kid[2], from_kid[2], pipes[2];
	struct kid a, b, c;
	__u32 len;
	char ch;
	int fd;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	fd = create_base(_metadata, &len);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe2(to_kid, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(from_kid, O_CLOEXEC));
	pipes[0] = to_kid[0];
	pipes[1] = from_kid[1];

	ASSERT_EQ(0, kid_start(&a, true, kid_check_blocked, NULL));
	ASSERT_EQ(0, kid_start(&b, true, kid_check_blocked, NULL));
	ASSERT_EQ(0, kid_start(&c, true, kid_with_own_filter, pipes));
	kid_go(&c);
	ASSERT_EQ(1, read(from_kid[0], &ch, 1));	/* c installed its filter */

	EXPECT_EQ(0, sfd_attach(a.pidfd, fd, 0));
	EXPECT_EQ(0, sfd_attach(b.pidfd, fd, 0));
	EXPECT_EQ(0, sfd_attach(c.pidfd, fd, 0));
	ASSERT_EQ(0, sfd_info(fd, &info));
	EXPECT_EQ(len, info.insns);
	EXPECT_EQ(2, info.nodes);

	ASSERT_EQ(1, write(to_kid[1], "a", 1));
	kid_go(&a);
	kid_go(&b);
	EXPECT_EQ(KID_OK, kid_wait(&a));
	EXPECT_EQ(KID_OK, kid_wait(&b));
	EXPECT_EQ(KID_OK, kid_wait(&c));
	close(to_kid[0]);
	close(to_kid[1]);
	close(from_kid[0]);
	close(from_kid[1]);
	close(fd);
}

TEST_HARNESS_MAIN
