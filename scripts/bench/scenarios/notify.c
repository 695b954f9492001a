// SPDX-License-Identifier: GPL-2.0
/*
 * notify: user-notification round trips per second.  A four-instruction
 * program returns USER_NOTIF for getppid(2) and allows everything else.
 * K notifying tasks (1 and 4) each call getppid() n/K times; the manager
 * receives every notification and answers it (return value 0), and the
 * rate is round trips / (first "start" byte written .. last answer sent).
 *
 *   detached   the program is a detached filter (sfd_create: a listener),
 *              attached to each task by pidfd; the manager reads its fd
 *   listener   a task (the "zygote") installs the same program with
 *              SECCOMP_FILTER_FLAG_NEW_LISTENER, passes the listener fd
 *              to the manager over a unix socket and forks the K tasks,
 *              which inherit the filter
 *   detached_zygote  the zygote attaches the manager's detached fd to
 *              itself instead and forks the K tasks: the same process
 *              tree as "listener", only the filter differs
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static const int task_counts[] = { 1, 4 };

/* wait for "start", then call getppid() @iters times */
static __attribute__((noreturn)) void notifier(int ready_w, int start_r, int iters)
{
	char c = 'r';
	int i;

	if (write(ready_w, &c, 1) != 1 || read(start_r, &c, 1) != 1)
		_exit(101);
	for (i = 0; i < iters; i++)
		if (syscall(__NR_getppid) != 0)	/* the manager answers 0 */
			_exit(102);
	_exit(0);
}

/* answer @total notifications on @fd; returns the ticks from start to the last answer */
static uint64_t serve(int fd, int start_w, int k, int total)
{
	struct seccomp_notif *req;
	uint64_t t0, t1;
	char go[8] = "gggggggg";
	int i, r;

	r = sfd_notif_alloc(&req, NULL);
	if (r)
		die("sfd_notif_alloc: %s", strerror(-r));
	t0 = now_ticks();
	if (write(start_w, go, (size_t)k) != k)
		die("start: %s", strerror(errno));
	for (i = 0; i < total; i++) {
		r = sfd_notif_recv(fd, req);
		if (r)
			die("notify: sfd_notif_recv: %s", strerror(-r));
		r = sfd_notif_respond(fd, req->id, 0, 0, 0);
		if (r)
			die("notify: sfd_notif_respond: %s", strerror(-r));
	}
	t1 = now_ticks();
	sfd_notif_free(req, NULL);
	return t1 - t0;
}

static double run_detached(const struct sock_fprog *prog, int k, int iters)
{
	int ready[2], start[2], fd, i, r;
	pid_t pid[8];
	uint64_t dt;
	char c;

	fd = sfd_create(prog, 0);
	if (fd < 0)
		die("notify: sfd_create: %s", strerror(-fd));
	if (pipe2(ready, O_CLOEXEC) || pipe2(start, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	for (i = 0; i < k; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork: %s", strerror(errno));
		if (!pid[i]) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
				_exit(100);
			notifier(ready[1], start[0], iters);
		}
	}
	for (i = 0; i < k; i++) {
		int pidfd;

		if (read(ready[0], &c, 1) != 1)
			die("notify: a task died before it was ready");
		pidfd = pidfd_open(pid[i]);
		if (pidfd < 0)
			die("pidfd_open: %s", strerror(errno));
		r = sfd_attach(pidfd, fd, 0);
		if (r)
			die("notify: sfd_attach: %s", strerror(-r));
		close(pidfd);
	}
	dt = serve(fd, start[1], k, k * iters);
	for (i = 0; i < k; i++)
		reap_ok(pid[i], "notify detached");
	close(fd);
	close(ready[0]);
	close(ready[1]);
	close(start[0]);
	close(start[1]);
	return (double)k * iters / (ticks_ns(dt) / 1e9);
}

/* @dfd < 0: NEW_LISTENER; else the zygote attaches detached filter @dfd */
static double run_zygote(const struct sock_fprog *prog, int dfd, int k, int iters)
{
	int ready[2], start[2], sk[2], fd, i;
	pid_t zyg;
	uint64_t dt;
	char c;

	if (pipe2(ready, O_CLOEXEC) || pipe2(start, O_CLOEXEC) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk))
		die("pipe: %s", strerror(errno));
	zyg = fork();
	if (zyg < 0)
		die("fork: %s", strerror(errno));
	if (!zyg) {
		int lfd, st, bad = 0;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(100);
		if (dfd >= 0) {
			if (sfd_attach_self(dfd, 0) || sfd_send_fd(sk[1], dfd))
				_exit(103);
			close(dfd);
		} else {
			lfd = (int)sys_seccomp(SECCOMP_SET_MODE_FILTER,
					       SECCOMP_FILTER_FLAG_NEW_LISTENER, (void *)prog);
			if (lfd < 0 || sfd_send_fd(sk[1], lfd))
				_exit(103);
			close(lfd);
		}
		for (i = 0; i < k; i++) {
			pid_t p = fork();

			if (p < 0)
				_exit(104);
			if (!p)
				notifier(ready[1], start[0], iters);
		}
		for (i = 0; i < k; i++)
			if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
				bad = 1;
		_exit(bad ? 105 : 0);
	}
	fd = sfd_recv_fd(sk[0], 0);
	if (fd < 0)
		die("notify: receiving the listener fd: %s", strerror(-fd));
	for (i = 0; i < k; i++)
		if (read(ready[0], &c, 1) != 1)
			die("notify: a task died before it was ready");
	if (dfd >= 0) {
		close(fd);	/* the same filter as dfd: serve that */
		fd = dfd;
	}
	dt = serve(fd, start[1], k, k * iters);
	reap_ok(zyg, "notify zygote");
	if (fd != dfd)
		close(fd);
	close(sk[0]);
	close(sk[1]);
	close(ready[0]);
	close(ready[1]);
	close(start[0]);
	close(start[1]);
	return (double)k * iters / (ticks_ns(dt) / 1e9);
}

void scen_notify(const struct scen *s)
{
	struct sock_filter insns[4];
	struct sock_fprog prog;
	double *d = calloc((size_t)s->reps, sizeof(double));
	double *l = calloc((size_t)s->reps, sizeof(double));
	double *z = calloc((size_t)s->reps, sizeof(double));
	unsigned t;
	int r, dfd;

	if (!d || !l || !z)
		die("out of memory");
	small_filter(insns, &prog, __NR_getppid, SECCOMP_RET_USER_NOTIF);
	for (t = 0; t < sizeof(task_counts) / sizeof(task_counts[0]); t++) {
		int k = task_counts[t], iters = s->n / k > 0 ? s->n / k : 1;
		struct stats sd, sl, sz;

		dfd = sfd_create(&prog, 0);
		if (dfd < 0)
			die("notify: sfd_create: %s", strerror(-dfd));
		run_detached(&prog, k, iters > 10 ? 10 : iters);	/* warm-up */
		run_zygote(&prog, -1, k, iters > 10 ? 10 : iters);
		run_zygote(&prog, dfd, k, iters > 10 ? 10 : iters);
		/* alternate, so that drift of the host hits all alike */
		for (r = 0; r < s->reps; r++) {
			d[r] = run_detached(&prog, k, iters);
			l[r] = run_zygote(&prog, -1, k, iters);
			z[r] = run_zygote(&prog, dfd, k, iters);
		}
		close(dfd);
		sd = stats_of(d, s->reps);
		sl = stats_of(l, s->reps);
		sz = stats_of(z, s->reps);
		put_stats(&sd, "notify.detached.t%d.per_s", k);
		put_stats(&sl, "notify.listener.t%d.per_s", k);
		put_stats(&sz, "notify.detached_zygote.t%d.per_s", k);
		putf(sd.median / sl.median, "notify.t%d.detached_vs_listener", k);
		putf(sz.median / sl.median, "notify.t%d.detached_zygote_vs_listener", k);
		putf((double)k * iters, "notify.t%d.round_trips", k);
	}
	putf(s->reps, "notify.reps");
	free(d);
	free(l);
	free(z);
}
