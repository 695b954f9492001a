// SPDX-License-Identifier: GPL-2.0
/*
 * churn: N containers one after another, each gone before the next starts,
 * so no node outlives its container (nobody else is filtered by the
 * profile): every C attach builds the node on the empty base chain.
 * Per container, the apply step only (as in sfd-bench): A and B from
 * "go" to the child's answer (one pipe round trip included), C the
 * SECCOMP_ATTACH_FILTER call.  After each C container is reaped the
 * detached fd must report 0 nodes.
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

enum { CH_A, CH_B, CH_C, CH__N };
static const char *const ch_name[CH__N] = { "A", "B", "C" };

static void child(const struct scen *s, int m, int cmd_r, int ans_w)
{
	struct sfd_profile *p;
	char c;
	long r = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(101);
	if (write(ans_w, &r, sizeof(r)) != sizeof(r))	/* ready */
		_exit(102);
	if (read(cmd_r, &c, 1) != 1)
		_exit(103);
	if (m == CH_A) {
		SFD_OPTS(sfd_profile_opts, opts);
		r = sfd_profile_load_oci_buf(s->json, s->json_len, &opts, &p);
		if (!r)
			r = sys_seccomp(SECCOMP_SET_MODE_FILTER, 0,
					(void *)sfd_profile_prog(p)) ? -errno : 0;
	} else if (m == CH_B) {
		r = sys_seccomp(SECCOMP_SET_MODE_FILTER, 0,
				(void *)sfd_profile_prog(s->prof)) ? -errno : 0;
	}
	if (write(ans_w, &r, sizeof(r)) != sizeof(r))
		_exit(104);
	if (read(cmd_r, &c, 1) != 0)	/* until the manager closes: quit */
		_exit(105);
	_exit(0);
}

void scen_churn(const struct scen *s)
{
	double *v = calloc((size_t)s->n, sizeof(double));
	int m, i, fd;

	if (!v)
		die("out of memory");
	fd = sfd_profile_create(s->prof, 0);
	if (fd < 0)
		die("churn: sfd_profile_create: %s", strerror(-fd));
	for (m = 0; m < CH__N; m++) {
		struct stats st;

		for (i = 0; i < s->n; i++) {
			int cmd[2], ans[2], mode, filters, pidfd = -1;
			uint64_t t0, t1;
			long r;
			pid_t pid;

			if (pipe2(cmd, O_CLOEXEC) || pipe2(ans, O_CLOEXEC))
				die("pipe: %s", strerror(errno));
			pid = fork();
			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (!pid) {
				close(cmd[1]);
				close(ans[0]);
				child(s, m, cmd[0], ans[1]);
			}
			close(cmd[0]);
			close(ans[1]);
			if (read_full(ans[0], &r, sizeof(r)) || r)
				die("churn: container %d did not start", i);
			if (m == CH_C) {
				pidfd = pidfd_open(pid);
				if (pidfd < 0)
					die("pidfd_open: %s", strerror(errno));
				t0 = now_ticks();
				r = sfd_attach(pidfd, fd, 0);
				t1 = now_ticks();
				if (r)
					die("churn: sfd_attach: %s", strerror((int)-r));
				if (write(cmd[1], "g", 1) != 1 || read_full(ans[0], &r, sizeof(r)))
					die("churn: container %d died", i);
			} else {
				t0 = now_ticks();
				if (write(cmd[1], "g", 1) != 1 || read_full(ans[0], &r, sizeof(r)))
					die("churn: container %d died", i);
				t1 = now_ticks();
				if (r)
					die("churn %s: container %d: %s", ch_name[m], i,
					    strerror((int)-r));
			}
			v[i] = ticks_us(t1 - t0);
			if (seccomp_status(pid, &mode, &filters) || mode != 2 ||
			    (filters >= 0 && filters != 1))
				die("churn %s: container %d: Seccomp %d, %d filters",
				    ch_name[m], i, mode, filters);
			close(cmd[1]);
			reap_ok(pid, "churn");
			close(ans[0]);
			if (pidfd >= 0)
				close(pidfd);
			if (m == CH_C) {
				SFD_OPTS(sfd_info, info);

				/* the node dies with its last task */
				r = sfd_info(fd, &info);
				if (r)
					die("sfd_info: %s", strerror((int)-r));
				if (info.nodes != 0)
					die("churn: %u nodes left after container %d exited",
					    info.nodes, i);
			}
		}
		st = stats_of(v, s->n);
		put_stats(&st, "churn.%s.apply_us", ch_name[m]);
	}
	putf(s->n, "churn.n");
	close(fd);
	free(v);
}
