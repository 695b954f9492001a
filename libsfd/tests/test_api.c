// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * Argument validation of sfd_create/sfd_attach/sfd_notif_*, the answer of a
 * kernel without detached filters, and the notification helpers end to end
 * over an ordinary SECCOMP_FILTER_FLAG_NEW_LISTENER listener (which every
 * kernel since 5.0 has), handed to the supervisor with sfd_send_fd().
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp_detached.h>

#include "sfd.h"
#include "tap.h"

static struct sock_filter allow_insn = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
static const struct sock_fprog allow_prog = { .len = 1, .filter = &allow_insn };

/* -errno of a raw seccomp(2) call. */
static long raw_seccomp(unsigned int op, unsigned int flags, void *args)
{
	long ret = syscall(__NR_seccomp, op, flags, args);

	return ret < 0 ? -errno : ret;
}

/* seccomp(2) is there at all (valgrind does not know it, for one). */
static bool have_seccomp(void)
{
	struct seccomp_notif_sizes sizes;

	return raw_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0;
}

static int create_rejects_bad_arguments(void)
{
	struct sock_fprog prog = allow_prog;
	static const unsigned int bad_flags[] = {
		SECCOMP_FILTER_FLAG_TSYNC,
		SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
		SECCOMP_FILTER_FLAG_NEW_LISTENER,
		SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG,
		1u << 31,
	};
	size_t i;

	CHECK_EQ(sfd_create(NULL, 0), -EINVAL);
	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++)
		CHECK_EQ(sfd_create(&prog, bad_flags[i]), -EINVAL);
	prog.len = 0;
	CHECK_EQ(sfd_create(&prog, 0), -EINVAL);
	prog.len = BPF_MAXINSNS + 1;
	CHECK_EQ(sfd_create(&prog, 0), -EINVAL);
	prog.len = 1;
	prog.filter = NULL;
	CHECK_EQ(sfd_create(&prog, 0), -EINVAL);
	CHECK_EQ(sfd_profile_create(NULL, 0), -EINVAL);
	return PASS;
}

static int attach_rejects_bad_arguments(void)
{
	static const unsigned int bad_flags[] = {
		SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
		SECCOMP_FILTER_FLAG_LOG,
		SECCOMP_FILTER_FLAG_NEW_LISTENER,
		SECCOMP_FILTER_FLAG_DETACHED,
		SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_SPEC_ALLOW,
	};
	size_t i;

	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		CHECK_EQ(sfd_attach(0, 0, bad_flags[i]), -EINVAL);
		CHECK_EQ(sfd_attach_self(0, bad_flags[i]), -EINVAL);
	}
	CHECK_EQ(sfd_attach(0, -1, 0), -EBADF);
	CHECK_EQ(sfd_attach_self(-1, SECCOMP_FILTER_FLAG_TSYNC), -EBADF);
	CHECK_EQ(sfd_attach(-1, 0, 0), -EBADF);
	CHECK_EQ(sfd_attach(PIDFD_SELF_THREAD - 2, 0, 0), -EBADF);
	return PASS;
}

static int attach_by_id_rejects_bad_arguments(void)
{
	int before = tap_count_fds(), fd;

	CHECK_EQ(sfd_attach_pid(0, 0, 0), -ESRCH);
	CHECK_EQ(sfd_attach_pid(-5, 0, 0), -ESRCH);
	CHECK_EQ(sfd_attach_tid(0, 0, 0), -ESRCH);
	CHECK_EQ(sfd_attach_pid(getpid(), -1, 0), -EBADF);
	CHECK_EQ(sfd_attach_tid(getpid(), -1, 0), -EBADF);
	CHECK_EQ(sfd_attach_pid(getpid(), 0, SECCOMP_FILTER_FLAG_LOG), -EINVAL);
	CHECK_EQ(sfd_attach_tid(getpid(), 0, SECCOMP_FILTER_FLAG_LOG), -EINVAL);
	/* No such process: pidfd_open's answer (valgrind does not know it). */
	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd >= 0)
		close(fd);
	if (fd >= 0 || errno != ENOSYS)
		CHECK_EQ(sfd_attach_pid(0x3ffffff0, 0, 0), -ESRCH);
	CHECK_EQ(tap_count_fds(), before);	/* the pidfds were closed */
	return PASS;
}

/* The v2 argument of SECCOMP_ATTACH_FILTER, as sfd_attach() fills it. */
static int attach_struct_is_v2(void)
{
	CHECK_EQ(sizeof(struct seccomp_attach_filter), SECCOMP_ATTACH_FILTER_SIZE_VER0);
	CHECK_EQ(offsetof(struct seccomp_attach_filter, size), 0);
	CHECK_EQ(offsetof(struct seccomp_attach_filter, pidfd), 4);
	CHECK_EQ(offsetof(struct seccomp_attach_filter, filter_fd), 8);
	CHECK_EQ(offsetof(struct seccomp_attach_filter, flags), 12);
	return PASS;
}

static int notif_helpers_reject_bad_arguments(void)
{
	struct seccomp_notif req;
	int p[2];

	CHECK_EQ(sfd_notif_alloc(NULL, NULL), -EINVAL);
	CHECK_EQ(sfd_notif_recv(-1, &req), -EBADF);
	CHECK_EQ(sfd_notif_recv(0, NULL), -EINVAL);
	CHECK_EQ(sfd_notif_respond(-1, 1, 0, 0, 0), -EBADF);
	CHECK_EQ(sfd_notif_respond(0, 1, EPERM, 0, 0), -EINVAL);
	CHECK_EQ(sfd_notif_respond(0, 1, -4096, 0, 0), -EINVAL);
	CHECK_EQ(sfd_notif_respond(0, 1, 0, 0, 2), -EINVAL);
	CHECK_EQ(sfd_notif_respond(0, 1, 0, 5, SECCOMP_USER_NOTIF_FLAG_CONTINUE), -EINVAL);
	CHECK_EQ(sfd_notif_respond(0, 1, -EPERM, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE), -EINVAL);
	CHECK_EQ(sfd_notif_continue(-1, 1), -EBADF);
	CHECK_EQ(sfd_notif_id_valid(-1, 1), -EBADF);
	CHECK_EQ(sfd_notif_addfd(0, 1, 0, -1, SECCOMP_ADDFD_FLAG_SETFD), -EINVAL);
	CHECK_EQ(sfd_notif_addfd(0, 1, 0, -1, O_NONBLOCK), -EINVAL);
	CHECK_EQ(sfd_notif_addfd(0, 1, -1, -1, 0), -EBADF);
	CHECK_EQ(sfd_notif_addfd(0, 1, 0, -2, 0), -EBADF);
	CHECK_EQ(sfd_notif_addfd(-1, 1, 0, -1, 0), -EBADF);

	/* Not a listener at all. */
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sfd_notif_id_valid(p[0], 1), -ENOTTY);
	CHECK_EQ(sfd_notif_recv(p[0], &req), -ENOTTY);
	close(p[0]);
	close(p[1]);
	return PASS;
}

static int notif_alloc_covers_kernel_sizes(void)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	size_t i;

	if (!have_seccomp())
		SKIP_BECAUSE("seccomp(2) unavailable here (valgrind?)");
	CHECK_EQ(raw_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes), 0);
	CHECK_EQ(sfd_notif_alloc(&req, &resp), 0);
	CHECK(req && resp);
	for (i = 0; i < sizes.seccomp_notif; i++)
		CHECK(((unsigned char *)req)[i] == 0);
	sfd_notif_free(req, resp);
	CHECK_EQ(sfd_notif_alloc(&req, NULL), 0);
	sfd_notif_free(req, NULL);
	sfd_notif_free(NULL, NULL);
	return PASS;
}

/*
 * On a kernel without the feature, the new flag and the new operation are
 * unknown: both answer EINVAL.  A kernel with the feature answers EFAULT for
 * SECCOMP_ATTACH_FILTER with a NULL argument (docs/semantics.md), so that
 * is how this test tells them apart without the library.
 */
static int kernel_without_feature_answers_einval(void)
{
	long probe = raw_seccomp(SECCOMP_ATTACH_FILTER, 0, NULL);
	int fd;

	if (probe == -ENOSYS)
		SKIP_BECAUSE("seccomp(2) unavailable here (valgrind?)");
	if (probe != -EINVAL)
		SKIP_BECAUSE("running kernel has detached filters; see selftests/sfd_*");
	fd = sfd_create(&allow_prog, 0);
	if (fd >= 0)
		close(fd);
	CHECK_EQ(fd, -EINVAL);
	CHECK_EQ(sfd_probe(), -EOPNOTSUPP);
	CHECK_EQ(sfd_attach_self(0, 0), -EINVAL);
	return PASS;
}

/* ---- notification helpers over a NEW_LISTENER fd -------------------- */

enum { STEP_VAL = 1, STEP_CONTINUE, STEP_ERROR, STEP_ADDFD, NSTEPS = STEP_ADDFD };

/* getppid() raises a notification, everything else is allowed. */
static struct sock_filter notify_getppid[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static __attribute__((noreturn)) void notified_child(int sock, pid_t parent)
{
	struct sock_fprog prog = {
		.len = sizeof(notify_getppid) / sizeof(notify_getppid[0]),
		.filter = notify_getppid,
	};
	struct stat st;
	long ret;
	int listener;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(100);
	listener = (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
				SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0)
		_exit(errno == EBUSY ? 110 : 101);
	if (sfd_send_fd(sock, listener))
		_exit(102);
	close(listener);

	if (syscall(__NR_getppid) != 4242)
		_exit(STEP_VAL);
	if (syscall(__NR_getppid) != parent)
		_exit(STEP_CONTINUE);
	if (syscall(__NR_getppid) != -1 || errno != EACCES)
		_exit(STEP_ERROR);
	ret = syscall(__NR_getppid);
	if (ret < 0 || fstat((int)ret, &st) || !S_ISFIFO(st.st_mode) ||
	    !(fcntl((int)ret, F_GETFD) & FD_CLOEXEC))
		_exit(STEP_ADDFD);
	_exit(0);
}

static int notif_helpers_serve_a_listener(void)
{
	struct seccomp_notif *req = NULL;
	int sv[2], p[2], listener = -1, status, step, ret = FAIL;
	pid_t parent = getpid(), child;

	if (!have_seccomp())
		SKIP_BECAUSE("seccomp(2) unavailable here (valgrind?)");
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sfd_notif_alloc(&req, NULL), 0);
	child = fork();
	CHECK(child >= 0);
	if (child == 0)
		notified_child(sv[1], parent);
	/*
	 * Only the child holds its end: if it cannot install a listener (the
	 * tests run under someone else's: EBUSY), the receive ends with
	 * ECONNRESET instead of waiting forever.
	 */
	close(sv[1]);
	sv[1] = -1;

	listener = sfd_recv_fd(sv[0], 0);
	if (listener < 0) {
		if (waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 110) {
			child = -1;
			ret = SKIP;
			tap_skip_reason = "already under another listener (EBUSY)";
			goto out;
		}
		child = -1;
		printf("# sfd_recv_fd: %d, child status 0x%x\n", listener, status);
		goto out;
	}
	for (step = 1; step <= NSTEPS; step++) {
		int r = sfd_notif_recv(listener, req);

		if (r || req->pid != (__u32)child || req->data.nr != __NR_getppid) {
			printf("# step %d: recv %d pid %u nr %d\n", step, r,
			       req->pid, req->data.nr);
			goto out;
		}
		if (sfd_notif_id_valid(listener, req->id)) {
			printf("# step %d: id not valid\n", step);
			goto out;
		}
		switch (step) {
		case STEP_VAL:
			r = sfd_notif_respond(listener, req->id, 0, 4242, 0);
			break;
		case STEP_CONTINUE:
			r = sfd_notif_continue(listener, req->id);
			break;
		case STEP_ERROR:
			r = sfd_notif_respond(listener, req->id, -EACCES, 0, 0);
			break;
		case STEP_ADDFD:
			r = sfd_notif_addfd(listener, req->id, p[0], -1,
					    SECCOMP_ADDFD_FLAG_SEND | O_CLOEXEC);
			r = r < 0 ? r : 0;
			break;
		}
		if (r) {
			printf("# step %d: answer %d\n", step, r);
			goto out;
		}
		if (sfd_notif_id_valid(listener, req->id) != -ENOENT) {
			printf("# step %d: id still valid after the answer\n", step);
			goto out;
		}
	}
	ret = PASS;
out:
	if (ret != PASS && child > 0)
		kill(child, SIGKILL);
	if (child < 0)
		;	/* reaped above */
	else if (waitpid(child, &status, 0) != child)
		ret = FAIL;
	else if (ret == PASS && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		printf("# child status 0x%x\n", status);
		ret = FAIL;
	}
	sfd_notif_free(req, NULL);
	if (listener >= 0)
		close(listener);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	return ret;
}

static const struct tap_test tests[] = {
	{ "create_rejects_bad_arguments", create_rejects_bad_arguments },
	{ "attach_rejects_bad_arguments", attach_rejects_bad_arguments },
	{ "attach_by_id_rejects_bad_arguments", attach_by_id_rejects_bad_arguments },
	{ "attach_struct_is_v2", attach_struct_is_v2 },
	{ "notif_helpers_reject_bad_arguments", notif_helpers_reject_bad_arguments },
	{ "notif_alloc_covers_kernel_sizes", notif_alloc_covers_kernel_sizes },
	{ "kernel_without_feature_answers_einval", kernel_without_feature_answers_einval },
	{ "notif_helpers_serve_a_listener", notif_helpers_serve_a_listener },
};

TAP_MAIN(tests)
