// SPDX-License-Identifier: GPL-2.0
/*
 * libsfd in a VM: sfd_spawn() runs a program under a detached filter from
 * its first instruction, in new user, pid, mount, uts, ipc and net
 * namespaces if asked; its failures (exec, attach) come back as -errno with
 * the child reaped; sfd_spawn_prog() takes the detached path on this kernel
 * and hands back the listener.
 *
 * The spawned program is this one in "child" mode, which checks what it was
 * promised and answers through its exit status.
 */
#include "sfd_util.h"
#include <sched.h>
#include <sys/stat.h>
#include "kselftest_harness.h"

/* argv: child CHECK...; exit 0 when all hold, else 20 + index of the first miss. */
static int child_main(int argc, char **argv)
{
	struct stat st;
	int i;

	for (i = 2; i < argc; i++) {
		const char *c = argv[i];
		bool ok;

		if (!strcmp(c, "marked"))
			ok = marked();
		else if (!strcmp(c, "notified"))
			ok = syscall(SYS_getppid) == 4242;
		else if (!strcmp(c, "nnp"))
			ok = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
		else if (!strcmp(c, "no-nnp"))
			ok = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0;
		else if (!strcmp(c, "pid1"))
			ok = getpid() == 1;
		else if (!strcmp(c, "root"))
			ok = getuid() == 0 && getgid() == 0;
		else if (!strncmp(c, "mntns!=", 7))
			ok = !stat("/proc/self/ns/mnt", &st) &&
			     st.st_ino != strtoull(c + 7, NULL, 10);
		else if (!strcmp(c, "hostname"))
			ok = sethostname("sfd-child", 9) == 0;
		else
			ok = false;
		if (!ok)
			return 20 + i;
	}
	return 0;
}

static int reap(int pidfd, pid_t pid)
{
	int status;

	close(pidfd);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

TEST(spawned_program_runs_under_the_filter)
{
	char *argv[] = { "/proc/self/exe", "child", "marked", "nnp", NULL };
	pid_t pid;
	int fd, pidfd;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	fd = mark_filter();
	ASSERT_LE(0, fd);
	pidfd = sfd_spawn("/proc/self/exe", argv, fd, NULL, &pid);
	ASSERT_LE(0, pidfd) TH_LOG("sfd_spawn: %s", strerror(-pidfd));
	EXPECT_EQ(0, reap(pidfd, pid));
	close(fd);
}

TEST(namespaces_user_pid_mount_uts)
{
	char mnt[64];
	char *argv[] = { "/proc/self/exe", "child", "marked", "pid1", "root", mnt,
			 "hostname", NULL };
	char uid_map[32], gid_map[32];
	SFD_OPTS(sfd_spawn_opts, o,
		 .clone_flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS |
				CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET,
		 .uid_map = uid_map, .gid_map = gid_map);
	struct stat st;
	pid_t pid;
	int fd, pidfd;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	ASSERT_EQ(0, stat("/proc/self/ns/mnt", &st));
	snprintf(mnt, sizeof(mnt), "mntns!=%llu", (unsigned long long)st.st_ino);
	snprintf(uid_map, sizeof(uid_map), "0 %d 1\n", (int)getuid());
	snprintf(gid_map, sizeof(gid_map), "0 %d 1\n", (int)getgid());
	fd = mark_filter();
	ASSERT_LE(0, fd);
	pidfd = sfd_spawn("/proc/self/exe", argv, fd, &o, &pid);
	ASSERT_LE(0, pidfd) TH_LOG("sfd_spawn: %s", strerror(-pidfd));
	EXPECT_EQ(0, reap(pidfd, pid));
	close(fd);
}

TEST(exec_failure_is_reported_and_reaped)
{
	char *argv[] = { "missing", NULL };
	int fd;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	fd = mark_filter();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, sfd_spawn("/nonexistent", argv, fd, NULL, NULL));
	EXPECT_TRUE(no_children());
	close(fd);
}

TEST(attach_failure_is_reported_and_reaped)
{
	char *argv[] = { "/proc/self/exe", "child", NULL };
	int fd;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	fd = mark_filter();
	ASSERT_LE(0, fd);
	/* Not a detached filter. */
	EXPECT_EQ(-EINVAL, sfd_spawn("/proc/self/exe", argv, STDIN_FILENO, NULL, NULL));
	EXPECT_TRUE(no_children());
	/* A manager that is itself filtered attaches to no other process. */
	ASSERT_EQ(0, sfd_attach_self(fd, 0));
	EXPECT_EQ(-EPERM, sfd_spawn("/proc/self/exe", argv, fd, NULL, NULL));
	EXPECT_TRUE(no_children());
	close(fd);
}

static int answer_4242(const struct seccomp_notif *req, struct seccomp_notif_resp *resp,
		       void *arg)
{
	(void)arg;
	if (req->data.nr != SYS_getppid)
		return -ENOSYS;
	resp->val = 4242;
	return 0;
}

TEST(spawn_prog_takes_the_detached_path)
{
	char *argv[] = { "/proc/self/exe", "child", "notified", "nnp", NULL };
	struct sfd_notif_ctx *ctx;
	SFD_OPTS(sfd_info, info);
	struct sfd_profile *p;
	int pidfd, listener, ret;
	pid_t pid;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	ASSERT_EQ(0, sfd_load_notify_profile(&p));
	pidfd = sfd_spawn_prog("/proc/self/exe", argv, sfd_profile_prog(p), 0, NULL,
			       &pid, &listener);
	sfd_profile_free(p);
	ASSERT_LE(0, pidfd) TH_LOG("sfd_spawn_prog: %s", strerror(-pidfd));
	/* The detached filter itself, not a NEW_LISTENER fd of the child. */
	ASSERT_EQ(0, sfd_info(listener, &info));
	EXPECT_EQ(1, info.listener);
	EXPECT_EQ(1, info.nodes);
	ASSERT_EQ(0, sfd_notif_ctx_new(NULL, &ctx));
	ret = wait_ready(listener, POLLIN);
	ASSERT_TRUE(ret > 0 && (ret & POLLIN))
		TH_LOG("no notification from the child (%d): did it die?", ret);
	EXPECT_EQ(1, sfd_notif_dispatch(ctx, listener, answer_4242, NULL));
	EXPECT_EQ(0, reap(pidfd, pid));
	EXPECT_EQ(-ENOTCONN, sfd_notif_dispatch(ctx, listener, answer_4242, NULL));
	sfd_notif_ctx_free(ctx);
	close(listener);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "child"))
		return child_main(argc, argv);
	return test_harness_run(argc, argv);
}
