// SPDX-License-Identifier: GPL-2.0
/*
 * libsfd in a VM: an unprivileged manager (uid and gid 1000, no
 * capabilities: dropped with setresuid/setresgid and checked with libcap)
 * runs a program in a user namespace it owns.  The child keeps its
 * privileges (no no_new_privs), which the attach allows because the manager
 * has CAP_SYS_ADMIN in that namespace; without the namespace the same
 * attach is refused with EACCES and the child never runs.
 *
 * The manager cannot create a filter without no_new_privs, and must not set
 * it on itself (its children would inherit it): a short-lived builder
 * process does, and hands the filter over SCM_RIGHTS in a libsfd frame.
 */
#include "sfd_util.h"
#include <grp.h>
#include <sched.h>
#include <sys/socket.h>
#include "kselftest_harness.h"

#define MANAGER_UID 1000
#define MANAGER_GID 1000

enum { M_OK, M_DROP = 10, M_CAPS, M_BUILDER, M_RECV, M_FRAME, M_SPAWN, M_CHILD,
       M_NOT_REFUSED, M_LEFT_CHILD };

/* argv: child CHECK...; as sfd_spawn.c's child. */
static int child_main(int argc, char **argv)
{
	int i;

	for (i = 2; i < argc; i++) {
		const char *c = argv[i];
		bool ok;

		if (!strcmp(c, "marked"))
			ok = marked();
		else if (!strcmp(c, "no-nnp"))
			ok = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0;
		else if (!strcmp(c, "root"))
			ok = getuid() == 0 && getgid() == 0;
		else if (!strcmp(c, "pid1"))
			ok = getpid() == 1;
		else
			ok = false;
		if (!ok)
			return 20 + i;
	}
	return 0;
}

/* Drop to MANAGER_UID for real: all ids, supplementary groups, every capability. */
static int drop_privileges(void)
{
	cap_t caps;
	int ret;

	if (setgroups(0, NULL) || setresgid(MANAGER_GID, MANAGER_GID, MANAGER_GID) ||
	    setresuid(MANAGER_UID, MANAGER_UID, MANAGER_UID))
		return -errno;
	caps = cap_init();		/* all clear */
	if (!caps)
		return -ENOMEM;
	ret = cap_set_proc(caps);
	cap_free(caps);
	if (ret)
		return -errno;
	/* setresuid(0 -> 1000) cleared them already; prove it. */
	caps = cap_get_proc();
	if (!caps)
		return -ENOMEM;
	ret = 0;
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		cap_flag_value_t e = CAP_CLEAR, p = CAP_CLEAR;

		cap_get_flag(caps, c, CAP_EFFECTIVE, &e);
		cap_get_flag(caps, c, CAP_PERMITTED, &p);
		if (e == CAP_SET || p == CAP_SET)
			ret = -EPERM;
	}
	cap_free(caps);
	/* setuid made us non-dumpable; the children's maps need /proc access. */
	if (!ret && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		ret = -errno;
	return ret;
}

/* The builder: no_new_privs, build, send in a frame, exit. */
static __attribute__((noreturn)) void builder(int sock)
{
	SFD_OPTS(sfd_fd_msg, m, .flags = SFD_FD_DETACHED);
	int fd;

	strcpy(m.name, "mark");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(1);
	fd = mark_filter();
	if (fd < 0 || sfd_send_fd_msg(sock, fd, &m))
		_exit(2);
	_exit(0);
}

static int manager(bool userns)
{
	char *argv[] = { "/proc/self/exe", "child", "marked", "no-nnp", "root", "pid1", NULL };
	char *plain_argv[] = { "/proc/self/exe", "child", NULL };
	SFD_OPTS(sfd_spawn_opts, o, .flags = SFD_SPAWN_KEEP_PRIVS,
		 .clone_flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS,
		 .uid_map = "0 1000 1\n", .gid_map = "0 1000 1\n");
	SFD_OPTS(sfd_spawn_opts, plain, .flags = SFD_SPAWN_KEEP_PRIVS);
	SFD_OPTS(sfd_fd_msg, m);
	int sv[2], fd, pidfd, status;
	pid_t b, pid;

	if (drop_privileges())
		return M_DROP;
	if (have_cap_sys_admin())
		return M_CAPS;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return M_BUILDER;
	b = fork();
	if (b < 0)
		return M_BUILDER;
	if (b == 0)
		builder(sv[1]);
	close(sv[1]);
	fd = sfd_recv_fd_msg(sv[0], 0, &m);
	close(sv[0]);
	if (waitpid(b, &status, 0) != b || !WIFEXITED(status) || WEXITSTATUS(status))
		return M_BUILDER;
	if (fd < 0)
		return M_RECV;
	if (strcmp(m.name, "mark") || m.flags != SFD_FD_DETACHED)
		return M_FRAME;

	if (!userns) {
		/* The child keeps its privileges, and we have none over it. */
		pidfd = sfd_spawn(plain_argv[0], plain_argv, fd, &plain, NULL);
		if (pidfd != -EACCES)
			return M_NOT_REFUSED;
		if (waitpid(-1, NULL, WNOHANG) >= 0 || errno != ECHILD)
			return M_LEFT_CHILD;
		return M_OK;
	}
	pidfd = sfd_spawn(argv[0], argv, fd, &o, &pid);
	if (pidfd < 0) {
		fprintf(stderr, "# sfd_spawn in a user namespace: %s\n", strerror(-pidfd));
		return M_SPAWN;
	}
	close(pidfd);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "# child status 0x%x\n", status);
		return M_CHILD;
	}
	close(fd);
	return M_OK;
}

static void run_manager(struct __test_metadata *_metadata, bool userns)
{
	int status;
	pid_t pid;

	SKIP_WITHOUT_DETACHED();
	if (getuid() != 0 || !have_cap_sys_admin())
		SKIP(return, "needs root to drop to uid %d", MANAGER_UID);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(manager(userns));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("manager status 0x%x", status);
	EXPECT_EQ(M_OK, WEXITSTATUS(status));
}

TEST(unprivileged_manager_attaches_in_its_user_namespace)
{
	run_manager(_metadata, true);
}

TEST(unprivileged_manager_refused_outside_its_namespace)
{
	run_manager(_metadata, false);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "child"))
		return child_main(argc, argv);
	return test_harness_run(argc, argv);
}
