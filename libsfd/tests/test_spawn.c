// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * sfd_spawn()/sfd_spawn_prog() on any kernel: the child's pre-exec steps
 * (no_new_privs, loading a program itself, execve) and their errors, the
 * attach failure path (child killed and reaped, no fd left), and the
 * fallback of sfd_spawn_prog() where the kernel lacks detached filters.
 * The attach path on a patched kernel is selftests/sfd_spawn.c.
 *
 * The spawned program is this one again, in "child" mode: it checks what
 * it was promised and answers through its exit status.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp_detached.h>

#include "sfd.h"
#include "tap.h"

static const char *self_exe;

/* getppid() answers EPERM... */
static struct sock_filter deny_getppid[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static const struct sock_fprog deny_prog = { .len = 4, .filter = deny_getppid };

/* ...or raises a user notification. */
static struct sock_filter notify_getppid[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static const struct sock_fprog notify_prog = { .len = 4, .filter = notify_getppid };

/*
 * Child mode: argv = child NNP GETPPID, NNP the expected no_new_privs,
 * GETPPID "eperm", "4242" or "any".  Exit 0 if all holds.
 */
static int child_main(char **argv)
{
	long r;

	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != atoi(argv[2]))
		return 10;
	r = syscall(__NR_getppid);
	if (!strcmp(argv[3], "eperm") && !(r == -1 && errno == EPERM))
		return 11;
	if (!strcmp(argv[3], "4242") && r != 4242)
		return 12;
	return 0;
}

static bool have_seccomp(void)
{
	struct seccomp_notif_sizes sizes;

	return syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0;
}

/* Reap through the pidfd's pid; the exit code, or -1. */
static int reap(int pidfd, pid_t pid)
{
	int status;

	close(pidfd);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* No child of ours is left, zombie or not. */
static bool no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

/* clone3 or pidfd_open (valgrind knows neither) is there. */
static bool can_spawn(void)
{
	char *argv[] = { (char *)self_exe, "child", "1", "any", NULL };
	pid_t pid;
	int pidfd = sfd_spawn(self_exe, argv, -1, NULL, &pid);

	if (pidfd < 0)
		return pidfd != -ENOSYS;	/* any other error: fail below */
	reap(pidfd, pid);
	return true;
}

#define SKIP_WITHOUT_SPAWN() do {						\
	if (!can_spawn())							\
		SKIP_BECAUSE("no clone3 nor pidfd_open here (valgrind?)");	\
} while (0)

static int spawn_sets_nnp_and_runs(void)
{
	char *argv[] = { (char *)self_exe, "child", "1", "any", NULL };
	char *argv0[] = { (char *)self_exe, "child", "0", "any", NULL };
	SFD_OPTS(sfd_spawn_opts, keep, .flags = SFD_SPAWN_KEEP_PRIVS);
	pid_t pid = 0;
	int pidfd;

	SKIP_WITHOUT_SPAWN();

	pidfd = sfd_spawn(self_exe, argv, -1, NULL, &pid);
	CHECK(pidfd >= 0);
	CHECK(pid > 0);
	CHECK(fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(reap(pidfd, pid), 0);

	pidfd = sfd_spawn(self_exe, argv0, -1, &keep, &pid);
	CHECK(pidfd >= 0);
	CHECK_EQ(reap(pidfd, pid), 0);
	CHECK(no_children());
	return PASS;
}

static int exec_failure_is_reported(void)
{
	char *argv[] = { "nonexistent", NULL };
	int before = tap_count_fds();

	SKIP_WITHOUT_SPAWN();

	CHECK_EQ(sfd_spawn("/nonexistent/program", argv, -1, NULL, NULL), -ENOENT);
	CHECK_EQ(sfd_spawn("/dev/null", argv, -1, NULL, NULL), -EACCES);
	CHECK_EQ(tap_count_fds(), before);
	CHECK(no_children());
	return PASS;
}

/* A kernel without the feature refuses the attach: the child never runs. */
static int attach_failure_kills_and_reaps(void)
{
	char *argv[] = { (char *)self_exe, "child", "1", "any", NULL };
	int p[2], before, ret;

	SKIP_WITHOUT_SPAWN();

	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	before = tap_count_fds();
	ret = sfd_spawn(self_exe, argv, p[0], NULL, NULL);
	if (ret >= 0)
		close(ret);
	/* A pipe is no filter: EINVAL with or without the feature. */
	CHECK_EQ(ret, -EINVAL);
	CHECK_EQ(tap_count_fds(), before);
	CHECK(no_children());
	close(p[0]);
	close(p[1]);
	return PASS;
}

static int child_loads_its_program(void)
{
	char *argv[] = { (char *)self_exe, "child", "1", "eperm", NULL };
	SFD_OPTS(sfd_spawn_opts, o, .prog = &deny_prog);
	pid_t pid;
	int pidfd;

	if (!have_seccomp())
		SKIP_BECAUSE("seccomp(2) unavailable here (valgrind?)");
	pidfd = sfd_spawn(self_exe, argv, -1, &o, &pid);
	CHECK(pidfd >= 0);
	CHECK_EQ(reap(pidfd, pid), 0);

	/* A program the kernel refuses: its errno, and no child. */
	o.load_flags = SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	CHECK_EQ(sfd_spawn(self_exe, argv, -1, &o, &pid), -EINVAL);
	o.load_flags = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	CHECK_EQ(sfd_spawn(self_exe, argv, -1, &o, &pid), -EINVAL);
	CHECK(no_children());
	return PASS;
}

/* The fallback where the kernel lacks detached filters, else the real thing. */
static int spawn_prog_falls_back(void)
{
	char *argv[] = { (char *)self_exe, "child", "1", "eperm", NULL };
	char *nargv[] = { (char *)self_exe, "child", "1", "4242", NULL };
	struct seccomp_notif req;
	int pidfd, listener = -2, ret;
	pid_t pid;

	if (!have_seccomp())
		SKIP_BECAUSE("seccomp(2) unavailable here (valgrind?)");
	if (sfd_probe() == 0)
		SKIP_BECAUSE("running kernel has detached filters; see selftests/sfd_spawn");

	pidfd = sfd_spawn_prog(self_exe, argv, &deny_prog, 0, NULL, &pid, &listener);
	CHECK(pidfd >= 0);
	CHECK_EQ(listener, -1);		/* the program cannot notify */
	CHECK_EQ(reap(pidfd, pid), 0);

	/* A notifying program: the child's NEW_LISTENER fd comes back. */
	pidfd = sfd_spawn_prog(self_exe, nargv, &notify_prog, 0, NULL, &pid, &listener);
	CHECK(pidfd >= 0);
	CHECK(listener >= 0);
	ret = sfd_notif_recv(listener, &req);
	if (ret == 0 && req.pid == (__u32)pid && req.data.nr == __NR_getppid)
		ret = sfd_notif_respond(listener, req.id, 0, 4242, 0);
	else if (ret == 0)
		ret = -EPROTO;
	if (ret)
		kill(pid, SIGKILL);
	close(listener);
	CHECK_EQ(ret, 0);
	CHECK_EQ(reap(pidfd, pid), 0);
	CHECK(no_children());
	return PASS;
}

static int bad_arguments(void)
{
	char *argv[] = { (char *)self_exe, NULL };
	char *empty[] = { NULL };
	SFD_OPTS(sfd_spawn_opts, o);
	int before = tap_count_fds(), l;

	CHECK_EQ(sfd_spawn(NULL, argv, -1, NULL, NULL), -EINVAL);
	CHECK_EQ(sfd_spawn(self_exe, NULL, -1, NULL, NULL), -EINVAL);
	CHECK_EQ(sfd_spawn(self_exe, empty, -1, NULL, NULL), -EINVAL);
	CHECK_EQ(sfd_spawn(self_exe, argv, -2, NULL, NULL), -EBADF);
	o.flags = 1u << 7;
	CHECK_EQ(sfd_spawn(self_exe, argv, -1, &o, NULL), -EINVAL);
	o.flags = 0;
	o.clone_flags = CLONE_VM;
	CHECK_EQ(sfd_spawn(self_exe, argv, -1, &o, NULL), -EINVAL);
	o.clone_flags = CLONE_NEWPID;
	o.uid_map = "0 0 1\n";		/* a map without a user namespace */
	CHECK_EQ(sfd_spawn(self_exe, argv, -1, &o, NULL), -EINVAL);
	o.clone_flags = 0;
	o.uid_map = NULL;
	o.load_flags = SECCOMP_FILTER_FLAG_LOG;	/* flags without a program */
	CHECK_EQ(sfd_spawn(self_exe, argv, -1, &o, NULL), -EINVAL);
	o.load_flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
	o.prog = &deny_prog;		/* its listener would be lost */
	CHECK_EQ(sfd_spawn(self_exe, argv, -1, &o, NULL), -EINVAL);
	o.load_flags = 0;
	o.attach_flags = SECCOMP_FILTER_FLAG_LOG;
	CHECK_EQ(sfd_spawn(self_exe, argv, -1, &o, NULL), -EINVAL);
	o.attach_flags = 0;
	o.sz = 3;
	CHECK_EQ(sfd_spawn(self_exe, argv, -1, &o, NULL), -EINVAL);
	o.sz = sizeof(o);
	/* sfd_spawn_prog: its own program only, known create flags. */
	CHECK_EQ(sfd_spawn_prog(self_exe, argv, &deny_prog, 0, &o, NULL, &l), -EINVAL);
	CHECK_EQ(l, -1);
	o.prog = NULL;
	CHECK_EQ(sfd_spawn_prog(self_exe, argv, NULL, 0, &o, NULL, &l), -EINVAL);
	CHECK_EQ(sfd_spawn_prog(self_exe, argv, &deny_prog, SECCOMP_FILTER_FLAG_TSYNC,
				&o, NULL, &l), -EINVAL);
	CHECK_EQ(tap_count_fds(), before);
	CHECK(no_children());
	return PASS;
}

static const struct tap_test tests[] = {
	{ "spawn_sets_nnp_and_runs", spawn_sets_nnp_and_runs },
	{ "exec_failure_is_reported", exec_failure_is_reported },
	{ "attach_failure_kills_and_reaps", attach_failure_kills_and_reaps },
	{ "child_loads_its_program", child_loads_its_program },
	{ "spawn_prog_falls_back", spawn_prog_falls_back },
	{ "bad_arguments", bad_arguments },
};

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "child"))
		return child_main(argv);
	self_exe = argv[0];
	return tap_run(tests, (int)(sizeof(tests) / sizeof(tests[0])));
}
