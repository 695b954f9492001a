// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * sfd_notif_ctx_new()/sfd_notif_dispatch() end to end on an ordinary
 * SECCOMP_FILTER_FLAG_NEW_LISTENER listener, which every kernel since 5.0
 * has and which answers the same ioctls as a detached filter.
 *
 * The notified task is this program re-executed ("notified" mode): under
 * valgrind, which does not know seccomp(2), the exec'd child runs natively,
 * installs the filter, and sends the listener with the kernel's
 * SECCOMP_GET_NOTIF_SIZES answer, so the dispatch paths run under valgrind
 * too.  A child that cannot install a listener (the tests already run under
 * someone's listener: EBUSY) says why, and the test skips instead of
 * waiting for an fd that never comes.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp_detached.h>

#include "sfd.h"
#include "tap.h"

/* What the child sends: the sizes, or why it has no listener. */
struct hello {
	int err;		/* 0, or the errno of the step that failed */
	struct seccomp_notif_sizes sizes;
};

enum { STEP_VAL = 1, STEP_CONTINUE, STEP_ERRNO, STEP_PENDING, NSTEPS = STEP_PENDING };

static struct sock_filter notify_getppid[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static int send_hello(int sock, int fd, const struct hello *h)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)h, .iov_len = sizeof(*h) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	memset(&u, 0, sizeof(u));
	if (fd >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == sizeof(*h) ? 0 : -1;
}

/* Notified mode: runs natively even when the test runs under valgrind. */
static int notified_main(int sock)
{
	struct sock_fprog prog = {
		.len = sizeof(notify_getppid) / sizeof(notify_getppid[0]),
		.filter = notify_getppid,
	};
	struct hello h = { 0 };
	pid_t parent = getppid();
	int listener;

	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &h.sizes) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		h.err = errno;
		send_hello(sock, -1, &h);
		return 100;
	}
	listener = (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
				SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0) {
		h.err = errno;
		send_hello(sock, -1, &h);
		return 101;
	}
	if (send_hello(sock, listener, &h))
		return 102;
	close(listener);
	close(sock);

	if (syscall(__NR_getppid) != 4242)
		return STEP_VAL;
	if (syscall(__NR_getppid) != parent)
		return STEP_CONTINUE;
	if (syscall(__NR_getppid) != -1 || errno != EACCES)
		return STEP_ERRNO;
	if (syscall(__NR_getppid) != 7)
		return STEP_PENDING;
	return 0;
}

struct served {
	int step;
	__u32 pid;
	__u64 pending_id;
	int bad;
};

static int handler(const struct seccomp_notif *req, struct seccomp_notif_resp *resp,
		   void *arg)
{
	struct served *s = arg;

	s->step++;
	if (req->pid != s->pid || req->data.nr != __NR_getppid || resp->id != req->id ||
	    resp->val || resp->error || resp->flags)
		s->bad++;
	switch (s->step) {
	case STEP_VAL:
		resp->val = 4242;
		return 0;
	case STEP_CONTINUE:
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		return 0;
	case STEP_ERRNO:
		return -EACCES;
	case STEP_PENDING:
		s->pending_id = req->id;
		return SFD_NOTIF_PENDING;
	}
	s->bad++;
	return -ENOSYS;
}

static const char *self_exe;

static int dispatch_serves_a_listener(void)
{
	struct sfd_notif_ctx *ctx = NULL;
	struct served s = { 0 };
	struct hello h = { 0 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &h, .iov_len = sizeof(h) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	int sv[2], listener = -1, status, ret = FAIL, r;
	char arg[16];
	pid_t child;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		char *argv[] = { (char *)self_exe, "notified", arg, NULL };

		snprintf(arg, sizeof(arg), "%d", sv[1]);
		fcntl(sv[1], F_SETFD, 0);
		execv(self_exe, argv);
		_exit(103);
	}
	/* Only the child holds its end: its death ends the wait below. */
	close(sv[1]);
	memset(&u, 0, sizeof(u));
	r = (int)recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC);
	if (r == sizeof(h) && CMSG_FIRSTHDR(&msg))
		memcpy(&listener, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	if (listener < 0) {
		waitpid(child, &status, 0);
		close(sv[0]);
		if (r == sizeof(h) && h.err == EBUSY)
			SKIP_BECAUSE("already under another listener (EBUSY)");
		printf("# no listener from the child: recvmsg %d, err %d, status 0x%x\n",
		       r, h.err, status);
		return FAIL;
	}
	s.pid = (__u32)child;

	{
		SFD_OPTS(sfd_notif_ctx_opts, o,
			 .notif_size = h.sizes.seccomp_notif,
			 .resp_size = h.sizes.seccomp_notif_resp);

		r = sfd_notif_ctx_new(&o, &ctx);
		if (r) {
			printf("# sfd_notif_ctx_new: %d\n", r);
			goto out;
		}
	}
	while (s.step < NSTEPS) {
		struct pollfd pfd = { .fd = listener, .events = POLLIN };

		/* A safety net only: the child answers within its own steps. */
		r = poll(&pfd, 1, 30000);
		if (r != 1) {
			printf("# no notification after step %d (poll %d)\n", s.step, r);
			goto out;
		}
		r = sfd_notif_dispatch(ctx, listener, handler, &s);
		if (r < 0) {
			printf("# dispatch after step %d: %d\n", s.step, r);
			goto out;
		}
	}
	if (s.bad) {
		printf("# handler saw %d unexpected requests\n", s.bad);
		goto out;
	}
	/* Nothing else pending: dispatch does not block, answers 0. */
	r = sfd_notif_dispatch(ctx, listener, handler, &s);
	if (r != 0) {
		printf("# dispatch with nothing pending: %d\n", r);
		goto out;
	}
	r = sfd_notif_respond(listener, s.pending_id, 0, 7, 0);
	if (r) {
		printf("# answering the pending one: %d\n", r);
		goto out;
	}
	ret = PASS;
out:
	if (ret != PASS)
		kill(child, SIGKILL);
	if (waitpid(child, &status, 0) != child) {
		ret = FAIL;
	} else if (ret == PASS && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		printf("# child status 0x%x\n", status);
		ret = FAIL;
	}
	/* The filter has no task any more: hang-up. */
	if (ret == PASS) {
		r = sfd_notif_dispatch(ctx, listener, handler, &s);
		if (r != -ENOTCONN) {
			printf("# dispatch after the child: %d\n", r);
			ret = FAIL;
		}
	}
	sfd_notif_ctx_free(ctx);
	close(listener);
	close(sv[0]);
	return ret;
}

static int handler_unused(const struct seccomp_notif *req,
			  struct seccomp_notif_resp *resp, void *arg)
{
	(void)req;
	(void)resp;
	(void)arg;
	return 0;
}

static int ctx_rejects_bad_arguments(void)
{
	SFD_OPTS(sfd_notif_ctx_opts, o, .notif_size = 80);
	struct sfd_notif_ctx *ctx = NULL;
	int p[2];

	CHECK_EQ(sfd_notif_ctx_new(NULL, NULL), -EINVAL);
	CHECK_EQ(sfd_notif_ctx_new(&o, &ctx), -EINVAL);	/* one size only */
	o.resp_size = 8;
	CHECK_EQ(sfd_notif_ctx_new(&o, &ctx), -EINVAL);	/* smaller than the ABI */
	o.sz = 2;
	CHECK_EQ(sfd_notif_ctx_new(&o, &ctx), -EINVAL);
	sfd_notif_ctx_free(NULL);

	o.sz = sizeof(o);
	o.notif_size = sizeof(struct seccomp_notif);
	o.resp_size = sizeof(struct seccomp_notif_resp);
	CHECK_EQ(sfd_notif_ctx_new(&o, &ctx), 0);
	CHECK_EQ(sfd_notif_dispatch(NULL, 0, handler_unused, NULL), -EINVAL);
	CHECK_EQ(sfd_notif_dispatch(ctx, 0, NULL, NULL), -EINVAL);
	CHECK_EQ(sfd_notif_dispatch(ctx, -1, handler_unused, NULL), -EBADF);
	/* Not a listener: readable, but the receive is refused. */
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sfd_notif_dispatch(ctx, p[0], handler_unused, NULL), 0);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(sfd_notif_dispatch(ctx, p[0], handler_unused, NULL), -ENOTTY);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(sfd_notif_dispatch(ctx, p[0], handler_unused, NULL), -EBADF);
	sfd_notif_ctx_free(ctx);
	return PASS;
}

static int ctx_uses_the_kernel_sizes(void)
{
	struct sfd_notif_ctx *ctx = NULL;
	struct seccomp_notif_sizes sizes;

	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes))
		SKIP_BECAUSE("seccomp(2) unavailable here (valgrind?)");
	CHECK_EQ(sfd_notif_ctx_new(NULL, &ctx), 0);
	sfd_notif_ctx_free(ctx);
	return PASS;
}

static const struct tap_test tests[] = {
	{ "ctx_rejects_bad_arguments", ctx_rejects_bad_arguments },
	{ "ctx_uses_the_kernel_sizes", ctx_uses_the_kernel_sizes },
	{ "dispatch_serves_a_listener", dispatch_serves_a_listener },
};

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "notified"))
		return notified_main(atoi(argv[2]));
	self_exe = argv[0];
	return tap_run(tests, (int)(sizeof(tests) / sizeof(tests[0])));
}
