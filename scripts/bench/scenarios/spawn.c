// SPDX-License-Identifier: GPL-2.0
/*
 * spawn: fork + filter + exec of a trivial static program (s->exec_path,
 * which exits 0) and wait for it, one at a time, N times per method:
 *
 *   none  no filter
 *   A     the child builds the profile with libseccomp and loads it
 *   B     the child loads the manager's cached program
 *   C     the child attaches the manager's detached fd (inherited) to
 *         itself with SECCOMP_ATTACH_FILTER, by hand: fork, attach, exec
 *   helper_C     libsfd's sfd_spawn(): the child is held before execve()
 *                until the manager has attached the fd by pidfd
 *   helper_none  sfd_spawn() with no filter (the helper's own cost)
 *
 * Every child sets no_new_privs first, whatever the method.  Timed from
 * just before fork() to waitpid()'s return; the rate is 1 / median.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

enum { SP_NONE, SP_A, SP_B, SP_C, SP_HELPER_NONE, SP_HELPER_C, SP__N };
static const char *const sp_name[SP__N] = {
	"none", "A", "B", "C", "helper_none", "helper_C",
};

static __attribute__((noreturn)) void child(const struct scen *s, int m, int fd)
{
	char *const argv[] = { (char *)s->exec_path, NULL };
	char *const envp[] = { NULL };
	struct sfd_profile *p;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(101);
	switch (m) {
	case SP_A: {
		SFD_OPTS(sfd_profile_opts, opts);

		if (sfd_profile_load_oci_buf(s->json, s->json_len, &opts, &p) ||
		    sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, (void *)sfd_profile_prog(p)))
			_exit(102);
		break;
	}
	case SP_B:
		if (sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, (void *)sfd_profile_prog(s->prof)))
			_exit(103);
		break;
	case SP_C:
		if (sfd_attach_self(fd, 0))
			_exit(104);
		break;
	}
	execve(s->exec_path, argv, envp);
	_exit(105);
}

void scen_spawn(const struct scen *s)
{
	double *v = calloc((size_t)s->n, sizeof(double)), med[SP__N];
	int m, i, fd;

	if (!v)
		die("out of memory");
	if (access(s->exec_path, X_OK))
		die("spawn: %s: %s", s->exec_path, strerror(errno));
	/* inherited by each child, which attaches it before its exec */
	fd = sfd_profile_create(s->prof, 0);
	if (fd < 0)
		die("spawn: sfd_profile_create: %s", strerror(-fd));
	for (m = 0; m < SP__N; m++) {
		struct stats st;

		for (i = -2; i < s->n; i++) {	/* two unmeasured warm-ups */
			uint64_t t0, t1;
			pid_t pid;

			t0 = now_ticks();
			if (m == SP_HELPER_NONE || m == SP_HELPER_C) {
				char *const argv[] = { (char *)s->exec_path, NULL };
				char *const envp[] = { NULL };
				SFD_OPTS(sfd_spawn_opts, opts, .envp = envp);
				int pidfd = sfd_spawn(s->exec_path, argv,
						      m == SP_HELPER_C ? fd : -1, &opts, &pid);

				if (pidfd < 0)
					die("spawn: sfd_spawn: %s", strerror(-pidfd));
				reap_ok(pid, sp_name[m]);
				close(pidfd);
			} else {
				pid = fork();
				if (pid < 0)
					die("fork: %s", strerror(errno));
				if (!pid)
					child(s, m, fd);
				reap_ok(pid, sp_name[m]);
			}
			t1 = now_ticks();
			if (i >= 0)
				v[i] = ticks_us(t1 - t0);
		}
		st = stats_of(v, s->n);
		put_stats(&st, "spawn.%s.us", sp_name[m]);
		med[m] = st.median;
		putf(1e6 / st.median, "spawn.%s.per_s", sp_name[m]);
	}
	for (m = SP_A; m < SP__N; m++)
		putf(med[m] / med[SP_NONE], "spawn.%s.vs_none", sp_name[m]);
	putf(s->n, "spawn.n");
	close(fd);
	free(v);
}
