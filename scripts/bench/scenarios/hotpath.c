// SPDX-License-Identifier: GPL-2.0
/*
 * hotpath: the cost of one syscall in a task filtered by the profile,
 * per way the filter got there:
 *
 *   unfiltered   no filter
 *   B            the profile as libsfd builds it, which is as runc builds
 *                it (libseccomp's binary tree, SCMP_FLTATR_CTL_OPTIMIZE
 *                = 2, for more than 32 syscalls), loaded by the task
 *                (SECCOMP_SET_MODE_FILTER): runc's program
 *   C            the same program as a detached filter, attached by pidfd
 *   linear_B     libseccomp's default linear program of the same profile
 *   linear_C     (crun, LXC), loaded / attached
 *
 * and per syscall:
 *
 *   allowed      getpid(): allowed for any argument, so answered by the
 *                kernel's action cache without running the program
 *   argcheck     personality(0xffffffff): allowed for some arguments
 *                only, the program runs and checks the argument (allowed)
 *   denied       kexec_load(0, 0, NULL, 0): not in the profile, the
 *                program runs to its default action (EPERM)
 *
 * s->iters calls per sample, s->reps samples in one task, median per call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

enum { HP_NONE, HP_B, HP_C, HP_LB, HP_LC, HP__N };
static const char *const hp_name[HP__N] = { "unfiltered", "B", "C", "linear_B", "linear_C" };
enum { SY_ALLOWED, SY_ARGCHECK, SY_DENIED, SY__N };
static const char *const sy_name[SY__N] = { "allowed", "argcheck", "denied" };

static long call(int sy)
{
	switch (sy) {
	case SY_ALLOWED:
		return syscall(__NR_getpid);
	case SY_ARGCHECK:
		return syscall(__NR_personality, 0xffffffffUL);
	default:
		return syscall(__NR_kexec_load, 0UL, 0UL, NULL, 0UL);
	}
}

/* in the filtered task: ns per call of each syscall, written to @out_w */
static __attribute__((noreturn)) void task(const struct scen *s, const struct sock_fprog *load,
					   int go_r, int out_w)
{
	double res[SY__N], *v = calloc((size_t)s->reps, sizeof(double));
	int sy, r, i;
	char c;

	if (!v || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(101);
	if (load && sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, (void *)load))
		_exit(102);
	c = 'r';
	if (write(out_w, &c, 1) != 1 || read(go_r, &c, 1) != 1)	/* attached */
		_exit(103);
	for (sy = 0; sy < SY__N; sy++) {
		struct stats st;

		for (i = 0; i < 1000; i++)	/* warm */
			call(sy);
		for (r = 0; r < s->reps; r++) {
			uint64_t t0 = now_ticks();

			for (i = 0; i < s->iters; i++)
				call(sy);
			v[r] = ticks_ns(now_ticks() - t0) / s->iters;
		}
		st = stats_of(v, s->reps);
		res[sy] = st.median;
	}
	if (write_full(out_w, res, sizeof(res)))
		_exit(104);
	_exit(0);
}

static void measure(const struct scen *s, const struct sock_fprog *load, int attach_fd,
		    double res[SY__N])
{
	int go[2], out[2];
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		close(go[1]);
		close(out[0]);
		task(s, load, go[0], out[1]);
	}
	close(go[0]);
	close(out[1]);
	if (read(out[0], &c, 1) != 1)
		die("hotpath: the task died before it was ready");
	if (attach_fd >= 0) {
		int pidfd = pidfd_open(pid), r;

		if (pidfd < 0)
			die("pidfd_open: %s", strerror(errno));
		r = sfd_attach(pidfd, attach_fd, 0);
		if (r)
			die("hotpath: sfd_attach: %s", strerror(-r));
		close(pidfd);
	}
	if (write(go[1], "g", 1) != 1 || read_full(out[0], res, sizeof(double) * SY__N))
		die("hotpath: the task died");
	reap_ok(pid, "hotpath");
	close(go[1]);
	close(out[0]);
}

void scen_hotpath(const struct scen *s)
{
	double res[HP__N][SY__N];
	int m, sy, fd, lfd;

	fd = sfd_profile_create(s->prof, 0);
	if (fd < 0)
		die("hotpath: sfd_profile_create: %s", strerror(-fd));
	lfd = sfd_profile_create(s->linear, 0);
	if (lfd < 0)
		die("hotpath: sfd_profile_create (linear): %s", strerror(-lfd));
	putf(sfd_profile_prog(s->prof)->len, "hotpath.tree.insns");
	putf(sfd_profile_prog(s->linear)->len, "hotpath.linear.insns");
	for (m = 0; m < HP__N; m++) {
		switch (m) {
		case HP_NONE: measure(s, NULL, -1, res[m]); break;
		case HP_B: measure(s, sfd_profile_prog(s->prof), -1, res[m]); break;
		case HP_C: measure(s, NULL, fd, res[m]); break;
		case HP_LB: measure(s, sfd_profile_prog(s->linear), -1, res[m]); break;
		case HP_LC: measure(s, NULL, lfd, res[m]); break;
		}
		for (sy = 0; sy < SY__N; sy++)
			putf(res[m][sy], "hotpath.%s.%s_ns", hp_name[m], sy_name[sy]);
	}
	for (sy = 0; sy < SY__N; sy++) {
		putf(res[HP_C][sy] / res[HP_B][sy], "hotpath.C_vs_B.%s", sy_name[sy]);
		putf(res[HP_C][sy] / res[HP_LB][sy], "hotpath.C_vs_linear_B.%s", sy_name[sy]);
		putf(res[HP_LC][sy] / res[HP_LB][sy], "hotpath.linear_C_vs_linear_B.%s",
		     sy_name[sy]);
	}
	putf(s->iters, "hotpath.iters");
	close(fd);
	close(lfd);
}
