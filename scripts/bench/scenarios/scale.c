// SPDX-License-Identifier: GPL-2.0
/*
 * scale: N (1,000) live containers per method, each an unprivileged task
 * (uid 65534, no capabilities, no_new_privs), started one after another
 * and kept alive until all N are up:
 *
 *   none  no filter                  B  each loads the cached program
 *   C     the manager (root) creates one detached filter and attaches it
 *         to each by pidfd
 *
 * All N are forked and ready first, then the filter is applied to one
 * after another, so memory is read three times: before, ready, after.
 * 1. Kernel memory of the N: /proc/meminfo (Slab, VmallocUsed, Percpu)
 *    and /proc/vmallocinfo (JIT packs: bpf_prog_pack_alloc; programs:
 *    bpf_prog_alloc/realloc): live (after - before) and apply (after -
 *    ready), each minus the same for "none".
 *    At the kernel's default net.core.bpf_jit_limit.  "none" runs again
 *    last (none2): its difference from the first bounds the noise.
 * 2. The JIT limit: net.core.bpf_jit_limit set to s->jit_limit, B and C
 *    again.  A JIT charge over the limit fails for a caller that is not
 *    bpf_capable(); with CONFIG_BPF_JIT_ALWAYS_ON the load then fails
 *    with ENOTSUPP (524), without it the program runs in the interpreter.
 *    Each container reports its seccomp() result and times 3 batches of
 *    300 calls of personality(0xffffffff) (the program runs for it); the
 *    fastest batch is classified against two references measured first
 *    in this boot: the program JITed (a root load) and interpreted (a
 *    load with net.core.bpf_jit_enable = 0); the threshold is their
 *    geometric mean.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#define PROBE_CALLS 300
#define PROBE_BATCHES 3
#define JIT_LIMIT "/proc/sys/net/core/bpf_jit_limit"
#define JIT_ENABLE "/proc/sys/net/core/bpf_jit_enable"

enum { SC_NONE, SC_B, SC_C };
static const char *const sc_name[] = { "none", "B", "C" };

struct report { int32_t idx, status; uint64_t probe; };

/* close every fd >= 3 but the three given (any order) */
static void keep3(int a, int b, int c)
{
	int v[3] = { a, b, c }, i, j, lo = 3;

	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (v[j] < v[i]) {
				int t = v[i];

				v[i] = v[j];
				v[j] = t;
			}
	for (i = 0; i < 3; i++) {
		if (v[i] > lo)
			syscall(__NR_close_range, lo, v[i] - 1, 0);
		lo = v[i] + 1;
	}
	syscall(__NR_close_range, lo, ~0U, 0);
}

/*
 * TSC ticks of PROBE_CALLS personality(0xffffffff): the fastest of PROBE_BATCHES
 * batches of PROBE_CALLS calls, after PROBE_CALLS untimed ones.  Under
 * TCG a freshly JITed program is new guest code that QEMU translates on
 * its first runs, and the host's neighbours add noise; neither must count.
 */
static uint64_t probe(void)
{
	uint64_t t0, dt, best = UINT64_MAX;
	int b, i;

	for (i = 0; i < PROBE_CALLS; i++)
		syscall(__NR_personality, 0xffffffffUL);
	for (b = 0; b < PROBE_BATCHES; b++) {
		t0 = now_ticks();
		for (i = 0; i < PROBE_CALLS; i++)
			syscall(__NR_personality, 0xffffffffUL);
		dt = now_ticks() - t0;
		if (dt < best)
			best = dt;
	}
	return best;
}

static __attribute__((noreturn)) void container(const struct scen *s, int m, int idx,
						int unpriv, int cmd_r, int done_w, int rel_r)
{
	struct report rep = { idx, 0, 0 };
	char c;

	keep3(cmd_r, done_w, rel_r);
	if (unpriv && drop_privileges())
		_exit(101);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(102);
	if (write(done_w, &rep, sizeof(rep)) != sizeof(rep))	/* ready */
		_exit(103);
	if (read(cmd_r, &c, 1) != 1)
		_exit(104);
	if (m == SC_B)
		rep.status = sys_seccomp(SECCOMP_SET_MODE_FILTER, 0,
					 (void *)sfd_profile_prog(s->prof)) ? -errno : 0;
	if (!rep.status)
		rep.probe = probe();
	if (write(done_w, &rep, sizeof(rep)) != sizeof(rep))
		_exit(105);
	while (read(rel_r, &c, 1) > 0)	/* until the manager closes it */
		;
	_exit(0);
}

/*
 * /proc readings once the frees of the previous round have landed: the
 * programs of 1,000 exited containers go through RCU and a workqueue
 * (bpf_prog_free_deferred), and their JIT packs after them.  Read until
 * VmallocUsed and the JIT packs stay put across one settle() and Slab
 * moves by less than 256 kB, at most 30 times.
 */
static struct mem read_mem_stable(int *tries)
{
	struct mem a, b;
	int i;

	settle();
	a = read_mem();
	for (i = 1; i < 30; i++) {
		settle();
		b = read_mem();
		if (b.kb[MEM_VMALLOC] == a.kb[MEM_VMALLOC] && b.jit_pages == a.jit_pages &&
		    labs(b.kb[MEM_SLAB] - a.kb[MEM_SLAB]) < 256)
			break;
		a = b;
	}
	*tries = i;
	return b;
}

struct round {
	int n, load_failures, first_failure, first_errno, attach_failures;
	int interp, first_interp, bad_status, settle_before, settle_ready, settle_after;
	bool classified;	/* the JIT/interpreter threshold was usable */
	unsigned nodes;
	struct mem before, ready, after;
	struct stats probe_ns;
};

static void round_of(const struct scen *s, int m, int n, int unpriv, double thresh_ns,
		     struct round *out)
{
	int done[2], rel[2], i, fd = -1;
	pid_t *pid = calloc((size_t)n, sizeof(pid_t));
	int *cmdw = calloc((size_t)n, sizeof(int));
	double *pr = calloc((size_t)n, sizeof(double));

	if (!pid || !pr || !cmdw)
		die("out of memory");
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->classified = thresh_ns > 0;
	out->first_failure = out->first_interp = -1;
	if (pipe2(done, O_CLOEXEC) || pipe2(rel, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	out->before = read_mem_stable(&out->settle_before);
	/* all N forked and ready (unprivileged, no_new_privs, no filter yet) */
	for (i = 0; i < n; i++) {
		struct report rep;
		int cmd[2];

		if (pipe2(cmd, O_CLOEXEC))
			die("pipe: %s", strerror(errno));
		pid[i] = fork();
		if (pid[i] < 0)
			die("scale: fork %d: %s", i, strerror(errno));
		if (!pid[i])
			container(s, m, i, unpriv, cmd[0], done[1], rel[0]);
		close(cmd[0]);
		cmdw[i] = cmd[1];
		if (read_full(done[0], &rep, sizeof(rep)) || rep.idx != i)
			die("scale %s: container %d did not start", sc_name[m], i);
	}
	out->ready = read_mem_stable(&out->settle_ready);
	/* then the filter, one container after another (C: created here) */
	if (m == SC_C) {
		fd = sfd_profile_create(s->prof, 0);
		if (fd < 0)
			die("scale: sfd_profile_create: %s", strerror(-fd));
	}
	for (i = 0; i < n; i++) {
		struct report rep;

		if (m == SC_C) {
			int pidfd = pidfd_open(pid[i]), r;

			if (pidfd < 0)
				die("pidfd_open: %s", strerror(errno));
			r = sfd_attach(pidfd, fd, 0);
			if (r)
				out->attach_failures++;
			close(pidfd);
		}
		if (write(cmdw[i], "g", 1) != 1 || read_full(done[0], &rep, sizeof(rep)))
			die("scale %s: container %d died", sc_name[m], i);
		close(cmdw[i]);
		pr[i] = NAN;
		if (rep.status) {
			if (!out->load_failures++) {
				out->first_failure = i;
				out->first_errno = -rep.status;
			}
			continue;
		}
		pr[i] = ticks_ns(rep.probe) / PROBE_CALLS;
		if (thresh_ns > 0 && pr[i] > thresh_ns && !out->interp++)
			out->first_interp = i;
	}
	out->after = read_mem_stable(&out->settle_after);
	for (i = 0; i < n; i++) {
		int mode, filters, want = m == SC_NONE ? 0 : 1;

		if (seccomp_status(pid[i], &mode, &filters) ||
		    (filters >= 0 && filters != want && !(m == SC_B && isnan(pr[i]))))
			out->bad_status++;
	}
	if (fd >= 0) {
		SFD_OPTS(sfd_info, info);

		if (!sfd_info(fd, &info))
			out->nodes = info.nodes;
	}
	out->probe_ns = stats_of(pr, n);
	close(rel[1]);
	for (i = 0; i < n; i++)
		reap_ok(pid[i], "scale");
	close(rel[0]);
	close(done[0]);
	close(done[1]);
	if (fd >= 0)
		close(fd);
	free(pid);
	free(cmdw);
	free(pr);
}

/* ns per probe call of one root container loading the program */
static double reference_probe(const struct scen *s)
{
	struct round r;

	round_of(s, SC_B, 3, 0, 0, &r);
	if (r.load_failures)
		die("scale: a root load failed: %s", strerror(r.first_errno));
	return r.probe_ns.median;
}

static void put_round(const char *pre, const struct round *r, const struct round *base)
{
	int k;

	putf(r->n, "%s.n", pre);
	putf(r->load_failures, "%s.load_failures", pre);
	putf(r->first_failure, "%s.first_failure_index", pre);
	putf(r->first_errno, "%s.first_failure_errno", pre);
	putf(r->attach_failures, "%s.attach_failures", pre);
	putf(r->classified ? r->interp : NAN, "%s.interpreted", pre);
	putf(r->classified ? r->first_interp : NAN, "%s.first_interpreted_index", pre);
	putf(r->bad_status, "%s.bad_status", pre);
	putf(r->nodes, "%s.fdinfo_nodes", pre);
	putf(r->settle_before, "%s.settle_readings_before", pre);
	putf(r->settle_ready, "%s.settle_readings_ready", pre);
	putf(r->settle_after, "%s.settle_readings_after", pre);
	put_stats(&r->probe_ns, "%s.personality_ns", pre);
	for (k = 0; k < MEM__N; k++) {
		double d = r->after.kb[k] - r->before.kb[k];

		if (base)
			d -= base->after.kb[k] - base->before.kb[k];
		putf(d, "%s.mem_kb.%s", pre, mem_key[k]);
	}
	putf((r->after.jit_pages - r->before.jit_pages) * 4.0 -
	     (base ? (base->after.jit_pages - base->before.jit_pages) * 4.0 : 0),
	     "%s.mem_kb.jit_packs", pre);
	putf((r->after.prog_pages - r->before.prog_pages) * 4.0 -
	     (base ? (base->after.prog_pages - base->before.prog_pages) * 4.0 : 0),
	     "%s.mem_kb.bpf_progs", pre);
	if (base) {
		double kern = 0, apply = 0;

		for (k = MEM_SLAB; k <= MEM_PERCPU; k++) {
			kern += (r->after.kb[k] - r->before.kb[k]) -
				(base->after.kb[k] - base->before.kb[k]);
			apply += (r->after.kb[k] - r->ready.kb[k]) -
				 (base->after.kb[k] - base->ready.kb[k]);
		}
		/* live: the N containers with their filter, minus N unfiltered ones */
		putf(kern, "%s.mem_kb.kernel_total", pre);
		putf(kern / r->n, "%s.mem_kb.kernel_per_container", pre);
		/* apply: the filter step alone (all N already up), minus none's */
		putf(apply, "%s.mem_kb.apply_total", pre);
		putf(apply / r->n, "%s.mem_kb.apply_per_container", pre);
		putf((r->after.jit_pages - r->ready.jit_pages) * 4.0, "%s.mem_kb.apply_jit_packs", pre);
		putf((r->after.prog_pages - r->ready.prog_pages) * 4.0, "%s.mem_kb.apply_bpf_progs", pre);
	}
}

void scen_scale(const struct scen *s)
{
	struct round none, b, c, none2, bl, cl;
	double jit_ns, interp_ns, thresh;
	long def_limit, enable;
	int r, pin;

	def_limit = read_long_file(JIT_LIMIT);
	enable = read_long_file(JIT_ENABLE);
	if (def_limit < 0 || enable < 0)
		die("scale: %s / %s unreadable (CONFIG_BPF_JIT?)", JIT_LIMIT, JIT_ENABLE);
	putf(def_limit, "scale.jit_limit_default");
	putf(enable, "scale.jit_enable");

	/*
	 * Held to the end: keeps one BPF JIT pack (2 MB of vmalloc that JIT
	 * images share) allocated, so that a round whose few images fit in
	 * it is not charged a whole new pack because the previous round's
	 * packs were freed.
	 */
	pin = sfd_profile_create(s->prof, 0);
	if (pin < 0)
		die("scale: sfd_profile_create: %s", strerror(-pin));
	jit_ns = reference_probe(s);
	putf(jit_ns, "scale.ref.jit_personality_ns");
	/*
	 * With BPF_JIT_ALWAYS_ON (the bench kernel's config, as distribution
	 * kernels') net.core.bpf_jit_enable cannot be 0: there is no
	 * interpreter, and a load whose JIT image does not fit under
	 * net.core.bpf_jit_limit fails with ENOTSUPP (524), counted by the
	 * rounds as a load failure.  Without it, such a load succeeds and runs
	 * interpreted: then each container's program is timed against an
	 * interpreted reference.  That is a timing, so never a failure: when
	 * the two references come out too close (plain TCG on a loaded host),
	 * no container is classified and the counts are reported as nan.
	 */
	thresh = 0;
	r = write_long_file(JIT_ENABLE, 0);
	putf(r == -EINVAL, "scale.jit_always_on");
	if (r && r != -EINVAL)
		die("scale: %s = 0: %s", JIT_ENABLE, strerror(-r));
	if (!r) {
		interp_ns = reference_probe(s);
		r = write_long_file(JIT_ENABLE, enable);
		if (r)
			die("scale: restoring %s: %s", JIT_ENABLE, strerror(-r));
		putf(interp_ns, "scale.ref.interp_personality_ns");
		if (interp_ns >= 1.5 * jit_ns)
			thresh = sqrt(jit_ns * interp_ns);
		else
			fprintf(stderr, "sfd-scenarios: scale: interpreted (%.0f ns) and JITed "
				"(%.0f ns) program too close to tell apart: JIT use not "
				"classified in this run\n", interp_ns, jit_ns);
		putf(thresh, "scale.ref.threshold_ns");
	}
	putf(thresh > 0, "scale.ref.classified");

	fprintf(stderr, "sfd-scenarios: scale: %d containers, default JIT limit\n", s->n);
	round_of(s, SC_NONE, s->n, 1, thresh, &none);
	round_of(s, SC_B, s->n, 1, thresh, &b);
	round_of(s, SC_C, s->n, 1, thresh, &c);
	round_of(s, SC_NONE, s->n, 1, thresh, &none2);
	put_round("scale.none", &none, NULL);
	put_round("scale.B", &b, &none);
	put_round("scale.C", &c, &none);
	/* the baseline against itself: the noise of the memory readings */
	put_round("scale.none2", &none2, &none);

	fprintf(stderr, "sfd-scenarios: scale: JIT limit %ld\n", s->jit_limit);
	r = write_long_file(JIT_LIMIT, s->jit_limit);
	if (r)
		die("scale: %s = %ld: %s", JIT_LIMIT, s->jit_limit, strerror(-r));
	putf(s->jit_limit, "scale.jit_limit_set");
	round_of(s, SC_B, s->n, 1, thresh, &bl);
	round_of(s, SC_C, s->n, 1, thresh, &cl);
	r = write_long_file(JIT_LIMIT, def_limit);
	if (r)
		die("scale: restoring %s: %s", JIT_LIMIT, strerror(-r));
	put_round("scale.limit.B", &bl, NULL);
	put_round("scale.limit.C", &cl, NULL);
	close(pin);
	/* the sanity of the quick form: every container accounted for */
	if (b.load_failures || c.attach_failures || cl.attach_failures || cl.load_failures ||
	    none.bad_status || b.bad_status || c.bad_status || cl.bad_status)
		die("scale: failures outside the JIT-limit round (see the keys above)");
}
