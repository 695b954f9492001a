// SPDX-License-Identifier: GPL-2.0
/*
 * sfd-bench: how a container manager applies one seccomp profile to N new
 * "containers" (forked children with no_new_privs, blocked on a pipe),
 * measured side by side in one run:
 *
 *   none  children get no filter (baseline for memory; its "apply" is one
 *         pipe round trip: tell the child, it answers)
 *   A     today's way (runc, LXC): each child builds the profile with
 *         libseccomp (JSON already in memory) and loads it itself
 *   B     crun-like: the manager builds the BPF once, each child loads the
 *         cached program itself with SECCOMP_SET_MODE_FILTER
 *   C     detached: the manager creates one detached filter once and
 *         attaches it to each child by pidfd (SECCOMP_ATTACH_FILTER)
 *   C2    as C, but the children were forked from a process that already
 *         had a small filter: every child has the same base chain
 *   C3    as C, but each child first installs its own small filter: every
 *         child has a different base chain, so each gets its own node
 *
 * For each: per-container apply time (manager's view), kernel memory for N
 * live containers (/proc/meminfo), the detached fd's fdinfo, and the cost
 * of an allowed syscall once filtered.  Output: "key value" lines between
 * "#BEGIN RESULTS" and "#END RESULTS", then a human-readable summary.
 *
 * usage: sfd-bench [--n N] [--iters I] [--reps R] [--warmup W]
 *                  [--ticks-per-ns T] PROFILE.json
 *        sfd-bench --calibrate      print the TSC rate (run it on the host)
 *        sfd-bench --native [--n N] PROFILE.json
 *                                   none, A and B only (no detached filters
 *                                   needed): a native anchor, run on the host
 * Exit: 0 ok; 1 a measurement failed; 2 usage; 3 the kernel lacks
 * detached seccomp filters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/seccomp_detached.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sfd.h>

#include "benchutil.h"

#ifndef __NR_close_range
#define __NR_close_range 436
#endif

enum method { M_NONE, M_A, M_B, M_C, M_C2, M_C3, M_NONE2, M__N };
static const char *const mname[M__N] = { "none", "A", "B", "C", "C2", "C3", "none2" };
static const char *const mdesc[M__N] = {
	"no filter (pipe round trip only)",
	"per-container libseccomp build + load (runc/LXC)",
	"cached BPF, child loads it (crun)",
	"detached filter, attach by pidfd",
	"detached, children share a base filter",
	"detached, each child has its own base filter",
	"no filter (baseline repeated at the end)",
};

/* child -> manager, one atomic write (< PIPE_BUF) on the shared done pipe */
struct msg {
	int32_t idx;
	int32_t status;		/* 0 or -errno */
	uint64_t t[3];		/* TSC ticks; 0 = not measured */
};

struct kid {
	pid_t pid;
	int pidfd;
	int cmd_w;		/* manager writes commands here */
};

static struct {
	int n, iters, reps, warmup, calib_ms;
	double tpn;		/* --ticks-per-ns; 0: calibrate in the guest */
	const char *profile_path;
	char *json;
	size_t json_len;
	struct sfd_profile *prof;	/* built by the manager (B, C*) */
	int done_r, done_w;
} g = { .n = 200, .iters = 100000, .reps = 5, .warmup = 16, .calib_ms = 1000 };

/* a small pre-existing filter: allow everything but acct(2) */
static struct sock_filter base_insns[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_acct, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static struct sock_fprog base_prog = {
	.len = sizeof(base_insns) / sizeof(base_insns[0]), .filter = base_insns,
};

/* ---- /proc ------------------------------------------------------------ */

/*
 * The last two are not /proc/meminfo lines: PcpFree is the free pages held
 * on the per-CPU lists (/proc/zoneinfo "count:"), which MemAvailable does
 * not count (up to "high", ~9 MB here); MemAvailPcp = MemAvailable + PcpFree.
 */
#define MI_KEYS 9
#define MI_FILE 7	/* keys read from /proc/meminfo */
enum { MI_AVAIL = 3, MI_PCP = 7, MI_AVAILPCP = 8 };
static const char *const mi_key[MI_KEYS] = {
	"Slab", "SUnreclaim", "VmallocUsed", "MemAvailable", "Percpu", "PageTables",
	"KernelStack", "PcpFree", "MemAvailPcp",
};
struct meminfo { long kb[MI_KEYS]; };

static struct meminfo read_meminfo_pcp(void)
{
	struct meminfo m;
	char line[256];
	FILE *f;

	read_meminfo(mi_key, MI_FILE, m.kb);
	m.kb[MI_PCP] = 0;
	f = fopen("/proc/zoneinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *c = strstr(line, "count:");

			if (c)
				m.kb[MI_PCP] += strtol(c + 6, NULL, 10) * (sysconf(_SC_PAGESIZE) / 1024);
		}
		fclose(f);
	}
	m.kb[MI_AVAILPCP] = m.kb[MI_AVAIL] + m.kb[MI_PCP];
	return m;
}

/* print "PREFIX.CALLER delta_pages" for every function whose pages changed */
static void put_vinfo_delta(const char *prefix, const struct vinfo *a, const struct vinfo *b)
{
	int i, j;

	for (i = 0; i < b->n; i++) {
		long before = 0;

		for (j = 0; j < a->n; j++)
			if (!strcmp(a->name[j], b->name[i]))
				before = a->pages[j];
		if (b->pages[i] != before)
			putf(b->pages[i] - before, "%s.%s", prefix, b->name[i]);
	}
	for (j = 0; j < a->n; j++) {
		for (i = 0; i < b->n; i++)
			if (!strcmp(a->name[j], b->name[i]))
				break;
		if (i == b->n)
			putf(-a->pages[j], "%s.%s", prefix, a->name[j]);
	}
}

/* ---- the container ------------------------------------------------------ */

static void send_msg(int idx, int status, uint64_t t0, uint64_t t1, uint64_t t2)
{
	struct msg m = { idx, status, { t0, t1, t2 } };

	if (write(g.done_w, &m, sizeof(m)) != sizeof(m))
		_exit(100);
}

/* close every fd >= 3 but @a and @b */
static void keep_only(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		syscall(__NR_close_range, 3, lo - 1, 0);
	if (hi > lo + 1)
		syscall(__NR_close_range, lo + 1, hi - 1, 0);
	syscall(__NR_close_range, hi + 1, ~0U, 0);
}

static __attribute__((noreturn)) void container(enum method m, int idx, int cmd_r)
{
	const struct sock_fprog *prog;
	struct sfd_profile *p;
	uint64_t t0, t1, t2;
	char c;
	long r;
	int i;

	keep_only(cmd_r, g.done_w);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(101);
	if (m == M_C3 && sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &base_prog))
		_exit(102);
	send_msg(idx, 0, 0, 0, 0);	/* ready */

	for (;;) {
		if (read(cmd_r, &c, 1) != 1)
			_exit(0);
		switch (c) {
		case 'g':	/* apply */
			t0 = now_ticks();
			t1 = t2 = 0;
			r = 0;
			if (m == M_A) {
				SFD_OPTS(sfd_profile_opts, opts);
				r = sfd_profile_load_oci_buf(g.json, g.json_len, &opts, &p);
				t1 = now_ticks();
				if (!r) {
					prog = sfd_profile_prog(p);
					r = sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, (void *)prog);
					r = r ? -errno : 0;
					/* p stays: after the filter, free() may need munmap */
				}
				t2 = now_ticks();
			} else if (m == M_B) {
				prog = sfd_profile_prog(g.prof);
				r = sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, (void *)prog);
				r = r ? -errno : 0;
				t1 = now_ticks();
			}
			send_msg(idx, (int)r, t0, t1, t2);
			break;
		case 's':	/* cheap allowed syscall, answered from the action cache */
			for (i = 0; i < g.iters; i++)
				syscall(__NR_getpid);
			send_msg(idx, 0, 0, 0, 0);
			break;
		case 'p':	/* argument-dependent syscall: the BPF program runs */
			for (i = 0; i < g.iters; i++)
				syscall(__NR_personality, 0xffffffffUL);
			send_msg(idx, 0, 0, 0, 0);
			break;
		case 'q':
		default:
			_exit(0);
		}
	}
}

/* ---- the manager ------------------------------------------------------- */

static struct msg recv_msg(void)
{
	struct msg m;

	if (read_full(g.done_r, &m, sizeof(m)))
		die("done pipe: %s", errno ? strerror(errno) : "EOF");
	return m;
}

/*
 * Start n containers for method m.  C2: they are forked by a "zygote" that
 * installed base_prog before forking, so all share one base chain.
 * Returns the zygote's pid (C2) or 0.
 */
static pid_t spawn(enum method m, struct kid *k, int n)
{
	int (*cmd)[2] = calloc((size_t)n, sizeof(*cmd));
	pid_t zyg = 0, pid;
	int zp[2], i;

	for (i = 0; i < n; i++)
		if (pipe2(cmd[i], O_CLOEXEC))
			die("pipe: %s", strerror(errno));
	if (m == M_C2) {
		if (pipe(zp))
			die("pipe: %s", strerror(errno));
		zyg = fork();
		if (zyg < 0)
			die("fork: %s", strerror(errno));
		if (!zyg) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
			    sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &base_prog))
				_exit(103);
			for (i = 0; i < n; i++) {
				pid = fork();
				if (pid < 0)
					_exit(104);
				if (!pid)
					container(m, i, cmd[i][0]);
				if (write(zp[1], &pid, sizeof(pid)) != sizeof(pid))
					_exit(105);
			}
			keep_only(zp[1], zp[1]);
			while (wait(NULL) > 0 || errno == EINTR)
				;
			_exit(0);
		}
		close(zp[1]);
		for (i = 0; i < n; i++)
			if (read_full(zp[0], &k[i].pid, sizeof(pid_t)))
				die("zygote died (status of its children unknown)");
		close(zp[0]);
	} else {
		for (i = 0; i < n; i++) {
			pid = fork();
			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (!pid)
				container(m, i, cmd[i][0]);
			k[i].pid = pid;
		}
	}
	for (i = 0; i < n; i++) {
		close(cmd[i][0]);
		k[i].cmd_w = cmd[i][1];
	}
	free(cmd);
	for (i = 0; i < n; i++) {
		struct msg r = recv_msg();

		if (r.status)
			die("container %d failed to start", r.idx);
	}
	for (i = 0; i < n; i++) {
		k[i].pidfd = pidfd_open(k[i].pid);
		if (k[i].pidfd < 0)
			die("pidfd_open(%d): %s", k[i].pid, strerror(errno));
	}
	return zyg;
}

static void reap(struct kid *k, int n, pid_t zyg)
{
	int i, st;

	for (i = 0; i < n; i++) {
		if (write(k[i].cmd_w, "q", 1) != 1)
			die("quit: %s", strerror(errno));
		close(k[i].cmd_w);
	}
	if (zyg) {
		waitpid(zyg, &st, 0);
	} else {
		for (i = 0; i < n; i++)
			waitpid(k[i].pid, &st, 0);
	}
	for (i = 0; i < n; i++)
		close(k[i].pidfd);
}

/* manager-side round trip: send c to kid i, wait for its answer */
static struct msg roundtrip(struct kid *k, char c, uint64_t *t0, uint64_t *t1)
{
	struct msg r;

	*t0 = now_ticks();
	if (write(k->cmd_w, &c, 1) != 1)
		die("command: %s", strerror(errno));
	r = recv_msg();
	*t1 = now_ticks();
	return r;
}

struct result {
	int have;
	struct stats apply, part1, part2;	/* us */
	double first_us;			/* apply time of container 0 */
	double once_us;				/* create (C*) */
	struct meminfo before, ready, applied;
	struct vinfo vi_ready, vi_applied;
	unsigned nodes;
	double getpid_ns, personality_ns;
	int bad_status;
};
static struct result res[M__N];
static double rt_median_ns = NAN;	/* pipe round trip, from "none" */

static double ns_per_call(struct kid *k, int n, char c)
{
	double *v = calloc((size_t)g.reps, sizeof(double));
	uint64_t t0, t1;
	struct stats s;
	int r, i;

	for (r = 0; r < g.reps; r++) {
		i = g.reps > 1 ? (int)((long)r * (n - 1) / (g.reps - 1)) : 0;
		roundtrip(&k[i], c, &t0, &t1);
		v[r] = (ticks_us(t1 - t0) * 1e3 - (isnan(rt_median_ns) ? 0 : rt_median_ns)) / g.iters;
	}
	s = stats_of(v, g.reps);
	free(v);
	return s.median;
}

static int expected_filters(enum method m)
{
	switch (m) {
	case M_NONE: case M_NONE2: return 0;
	case M_C2: case M_C3: return 2;
	default: return 1;
	}
}

static void round_of(enum method m, int n, int measure)
{
	struct kid *k = calloc((size_t)n, sizeof(*k));
	double *tot = calloc((size_t)n, sizeof(double));
	double *p1 = calloc((size_t)n, sizeof(double));
	double *p2 = calloc((size_t)n, sizeof(double));
	struct result *out = &res[m];
	uint64_t t0, t1;
	int i, fd = -1, mode, filters;
	pid_t zyg;

	settle();
	if (measure)
		out->before = read_meminfo_pcp();
	zyg = spawn(m, k, n);
	if (measure) {
		settle();
		out->ready = read_meminfo_pcp();
		read_vmallocinfo(&out->vi_ready);
	}

	if (m == M_C || m == M_C2 || m == M_C3) {
		t0 = now_ticks();
		fd = sfd_profile_create(g.prof, 0);
		t1 = now_ticks();
		if (fd < 0)
			die("sfd_profile_create: %s", strerror(-fd));
		out->once_us = ticks_us(t1 - t0);
		for (i = 0; i < n; i++) {
			int r;

			t0 = now_ticks();
			r = sfd_attach(k[i].pidfd, fd, 0);
			t1 = now_ticks();
			if (r)
				die("%s: sfd_attach(child %d): %s", mname[m], i, strerror(-r));
			tot[i] = ticks_us(t1 - t0);
			p1[i] = p2[i] = NAN;
		}
		/* same pipe traffic as the other methods (untimed, no-op) */
		for (i = 0; i < n; i++)
			roundtrip(&k[i], 'g', &t0, &t1);
	} else {
		for (i = 0; i < n; i++) {
			struct msg r = roundtrip(&k[i], 'g', &t0, &t1);

			if (r.status)
				die("%s: child %d: %s", mname[m], i, strerror(-r.status));
			tot[i] = ticks_us(t1 - t0);
			p1[i] = p2[i] = NAN;
			if (m == M_A) {
				/* build (in the child), then load (seccomp(2) alone) */
				p1[i] = ticks_us(r.t[1] - r.t[0]);
				if (r.t[2])
					p2[i] = ticks_us(r.t[2] - r.t[1]);
			} else if (m == M_B && r.t[1]) {
				p1[i] = ticks_us(r.t[1] - r.t[0]);	/* load */
			}
		}
	}

	out->bad_status = 0;
	for (i = 0; i < n; i++) {
		if (seccomp_status(k[i].pid, &mode, &filters) ||
		    mode != (expected_filters(m) ? 2 : 0) ||
		    (filters >= 0 && filters != expected_filters(m)))
			out->bad_status++;
	}
	if (out->bad_status)
		die("%s: %d of %d containers do not show the expected seccomp state",
		    mname[m], out->bad_status, n);

	if (measure) {
		settle();
		out->applied = read_meminfo_pcp();
		read_vmallocinfo(&out->vi_applied);
		if (fd >= 0) {
			SFD_OPTS(sfd_info, info);
			int r = sfd_info(fd, &info);

			if (r)
				die("sfd_info: %s", strerror(-r));
			out->nodes = info.nodes;
		}
		out->apply = stats_of(tot, n);
		out->first_us = tot[0];
		out->part1 = stats_of(p1, n);
		out->part2 = stats_of(p2, n);
		if (m == M_NONE)
			rt_median_ns = out->apply.median * 1e3;
		out->getpid_ns = out->personality_ns = NAN;
		if (m != M_C3 && m != M_NONE2 && g.iters > 0) {
			out->getpid_ns = ns_per_call(k, n, 's');
			out->personality_ns = ns_per_call(k, n, 'p');
		}
		out->have = 1;
	}
	reap(k, n, zyg);
	if (fd >= 0)
		close(fd);
	free(k);
	free(tot);
	free(p1);
	free(p2);
}

static double apply_only(enum method m)
{
	static const int keys[] = { 0, 2, 4 };	/* Slab, VmallocUsed, Percpu */
	double sum = 0;
	unsigned i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int k = keys[i];
		double base = ((res[M_NONE].applied.kb[k] - res[M_NONE].ready.kb[k]) +
			       (res[M_NONE2].applied.kb[k] - res[M_NONE2].ready.kb[k])) / 2.0;

		sum += res[m].applied.kb[k] - res[m].ready.kb[k] - base;
	}
	return sum / g.n;
}

/* ---- one-time costs ------------------------------------------------------ */

static void one_time(int with_create, struct stats *build, struct stats *create)
{
	enum { R = 5 };
	double b[R], c[R];
	struct sfd_profile *p;
	uint64_t t0, t1;
	int i, fd;

	for (i = 0; i < R; i++) {
		SFD_OPTS(sfd_profile_opts, opts);

		t0 = now_ticks();
		if (sfd_profile_load_oci_buf(g.json, g.json_len, &opts, &p))
			die("profile build failed");
		t1 = now_ticks();
		b[i] = ticks_us(t1 - t0);
		sfd_profile_free(p);
	}
	*build = stats_of(b, R);
	if (!with_create)
		return;
	for (i = 0; i < R; i++) {
		t0 = now_ticks();
		fd = sfd_profile_create(g.prof, 0);
		t1 = now_ticks();
		if (fd < 0)
			die("sfd_profile_create: %s", strerror(-fd));
		c[i] = ticks_us(t1 - t0);
		close(fd);
	}
	*create = stats_of(c, R);
}

static void read_file(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", path, strerror(errno));
	g.json_len = (size_t)st.st_size;
	g.json = malloc(g.json_len + 1);
	if (!g.json || read_full(fd, g.json, g.json_len))
		die("%s: read failed", path);
	g.json[g.json_len] = 0;
	close(fd);
}

static void first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "?");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
}

/*
 * --native: the parts that need no detached filters (none, A, B, syscall
 * costs), on whatever kernel runs this, with CLOCK_MONOTONIC as the
 * reference: an anchor for the emulated numbers.  Memory is not reported
 * (a shared host is too noisy for it).
 */
static int native_main(void)
{
	static const enum method order[] = { M_NONE, M_A, M_B };
	struct stats build;
	struct utsname u;
	unsigned j;
	int p[2], r;

	SFD_OPTS(sfd_profile_opts, opts);
	if (pipe(p))
		die("pipe: %s", strerror(errno));
	g.done_r = p[0];
	g.done_w = p[1];
	read_file(g.profile_path);
	r = sfd_profile_load_oci_buf(g.json, g.json_len, &opts, &g.prof);
	if (r)
		die("%s: %s", g.profile_path, strerror(-r));
	ns_per_tick = 1.0 / (g.tpn > 0 ? g.tpn : calibrate(g.calib_ms, NULL));
	uname(&u);
	printf("#BEGIN RESULTS\n");
	printf("kernel %s\n", u.release);
	printf("cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	putf(1.0 / ns_per_tick, "tsc_ticks_per_ns.used");
	putf(sfd_profile_prog(g.prof)->len, "profile.insns");
	putf(g.n, "n");
	putf(g.iters, "iters");
	one_time(0, &build, NULL);
	putf(build.median, "once.build_us.median");
	putf(build.min, "once.build_us.min");
	putf(build.max, "once.build_us.max");
	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
		enum method m = order[j];
		struct result *x = &res[m];

		round_of(m, g.n, 1);
		putf(x->apply.median, "%s.apply_us.median", mname[m]);
		putf(x->apply.p90, "%s.apply_us.p90", mname[m]);
		if (m == M_A) {
			putf(x->part1.median, "A.build_us.median");
			putf(x->part2.median, "A.load_us.median");
		}
		if (m == M_B)
			putf(x->part1.median, "B.load_us.median");
		putf(x->getpid_ns, "%s.getpid_ns", mname[m]);
		putf(x->personality_ns, "%s.personality_ns", mname[m]);
	}
	printf("#END RESULTS\n");
	printf("\nnative on %s: build %.0f us; apply median A %.0f us (build %.0f + load %.0f), "
	       "B %.0f us (load %.0f), pipe round trip %.1f us\n", u.release, build.median,
	       res[M_A].apply.median, res[M_A].part1.median, res[M_A].part2.median,
	       res[M_B].apply.median, res[M_B].part1.median, res[M_NONE].apply.median);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: sfd-bench [--n N] [--iters I] [--reps R] [--warmup W] [--ticks-per-ns T] PROFILE.json\n"
		"       sfd-bench --calibrate   (print the TSC's ticks per ns)\n"
		"       sfd-bench --native [--n N] PROFILE.json   (A and B only, any kernel)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "n", required_argument, NULL, 'n' },
		{ "iters", required_argument, NULL, 'i' },
		{ "reps", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "ticks-per-ns", required_argument, NULL, 't' },
		{ "calibrate", no_argument, NULL, 'c' },
		{ "native", no_argument, NULL, 'N' },
		{ 0 }
	};
	struct stats build, create;
	double build_med, create_med;
	static const enum method order[] = { M_NONE, M_A, M_B, M_C, M_C2, M_C3, M_NONE2 };
	char errbuf[256], clocksrc[64], jit[16];
	const char *const *skipped;
	struct rlimit rl;
	struct utsname u;
	int o, r, nskip, pin_fd, calib_only = 0, native = 0;
	uint64_t step;
	double tpn, tpn_end;
	unsigned j;
	enum method m;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'n': g.n = atoi(optarg); break;
		case 'i': g.iters = atoi(optarg); break;
		case 'r': g.reps = atoi(optarg); break;
		case 'w': g.warmup = atoi(optarg); break;
		case 't': g.tpn = strtod(optarg, NULL); break;
		case 'c': calib_only = 1; break;
		case 'N': native = 1; break;
		default: usage();
		}
	}
	if (calib_only) {
		/* on a host with a real clocksource: the TSC rate QEMU TCG exposes */
		printf("%.6f\n", calibrate(g.calib_ms, NULL));
		return 0;
	}
	if (optind != argc - 1 || g.n < 2 || g.reps < 1 || g.iters < 0 || g.warmup < 0)
		usage();
	g.profile_path = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	if (native)
		return native_main();
	r = sfd_probe();
	if (r) {
		uname(&u);
		fprintf(stderr, "sfd-bench: FATAL: kernel %s lacks detached seccomp filters "
			"(sfd_probe: %s)\n", u.release, strerror(-r));
		return 3;
	}

	/* 2 fds per container in the manager */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	{
		int p[2];

		if (pipe(p))
			die("pipe: %s", strerror(errno));
		g.done_r = p[0];
		g.done_w = p[1];
	}

	read_file(g.profile_path);
	{
		SFD_OPTS(sfd_profile_opts, opts, .errbuf = errbuf, .errbuf_len = sizeof(errbuf));

		r = sfd_profile_load_oci_buf(g.json, g.json_len, &opts, &g.prof);
		if (r)
			die("%s: %s", g.profile_path, errbuf[0] ? errbuf : strerror(-r));
	}
	nskip = sfd_profile_skipped(g.prof, &skipped);
	/*
	 * Held for the whole run: keeps one BPF JIT pack (2 MB of vmalloc,
	 * shared by every JITed program) allocated, so that its one-time step
	 * in VmallocUsed does not land in whichever round happens to JIT first.
	 */
	pin_fd = sfd_profile_create(g.prof, 0);
	if (pin_fd < 0)
		die("sfd_profile_create: %s", strerror(-pin_fd));
	tpn = calibrate(g.calib_ms, &step);
	ns_per_tick = 1.0 / (g.tpn > 0 ? g.tpn : tpn);

	uname(&u);
	first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		   clocksrc, sizeof(clocksrc));
	first_line("/proc/sys/net/core/bpf_jit_enable", jit, sizeof(jit));

	printf("#BEGIN RESULTS\n");
	printf("kernel %s\n", u.release);
	printf("clocksource %s\n", clocksrc);
	printf("cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("bpf_jit_enable %s\n", jit);
	putf(step, "clock_step_ns");
	putf(tpn, "tsc_ticks_per_ns.guest_calibrated");
	putf(1.0 / ns_per_tick, "tsc_ticks_per_ns.used");
	printf("profile %s\n", g.profile_path);
	putf(sfd_profile_prog(g.prof)->len, "profile.insns");
	putf(nskip, "profile.skipped_names");
	putf(g.n, "n");
	putf(g.iters, "iters");
	putf(g.reps, "reps");

	one_time(1, &build, &create);
	build_med = build.median;
	create_med = create.median;
	putf(build.median, "once.build_us.median");
	putf(build.min, "once.build_us.min");
	putf(build.max, "once.build_us.max");
	putf(create.median, "once.create_us.median");
	putf(create.min, "once.create_us.min");
	putf(create.max, "once.create_us.max");

	/* warm-up: every method once, small, unmeasured (slab caches, JIT packs) */
	if (g.warmup >= 2)
		for (j = 0; j < sizeof(order) / sizeof(order[0]); j++)
			round_of(order[j], g.warmup, 0);

	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
		struct result *x;
		char pre[64];
		int i;

		m = order[j];
		fprintf(stderr, "sfd-bench: %s ...\n", mname[m]);
		round_of(m, g.n, 1);
		x = &res[m];
		snprintf(pre, sizeof(pre), "%s.apply_us", mname[m]);
		putf(x->apply.median, "%s.median", pre);
		putf(x->apply.p90, "%s.p90", pre);
		putf(x->apply.min, "%s.min", pre);
		putf(x->apply.max, "%s.max", pre);
		putf(x->apply.mean, "%s.mean", pre);
		putf(x->first_us, "%s.first", pre);
		if (m == M_A) {
			putf(x->part1.median, "A.build_us.median");
			putf(x->part1.p90, "A.build_us.p90");
			putf(x->part2.median, "A.load_us.median");
			putf(x->part2.p90, "A.load_us.p90");
		}
		if (m == M_B) {
			putf(x->part1.median, "B.load_us.median");
			putf(x->part1.p90, "B.load_us.p90");
		}
		if (m == M_C || m == M_C2 || m == M_C3) {
			putf(x->once_us, "%s.create_us", mname[m]);
			putf(x->nodes, "%s.fdinfo.seccomp_nodes", mname[m]);
		}
		for (i = 0; i < MI_KEYS; i++) {
			putf(x->applied.kb[i] - x->before.kb[i], "%s.mem_kb.%s.delta_live",
			     mname[m], mi_key[i]);
			putf(x->applied.kb[i] - x->ready.kb[i], "%s.mem_kb.%s.delta_apply",
			     mname[m], mi_key[i]);
		}
		putf(x->getpid_ns, "%s.getpid_ns", mname[m]);
		putf(x->personality_ns, "%s.personality_ns", mname[m]);
		snprintf(pre, sizeof(pre), "%s.vmalloc_pages_apply", mname[m]);
		put_vinfo_delta(pre, &x->vi_ready, &x->vi_applied);
	}

	/*
	 * Per container: (live delta of the method - live delta of the
	 * baseline) / N, baseline = mean of "none" and "none2".
	 */
	for (m = M_A; m <= M_C3; m++) {
		int i;

		for (i = 0; i < MI_KEYS; i++) {
			double base = ((res[M_NONE].applied.kb[i] - res[M_NONE].before.kb[i]) +
				       (res[M_NONE2].applied.kb[i] - res[M_NONE2].before.kb[i])) / 2.0;
			double d = res[m].applied.kb[i] - res[m].before.kb[i];

			putf((d - base) / g.n, "%s.per_container_kb.%s", mname[m], mi_key[i]);
		}
	}
	/* the same from the apply step alone: (after apply - children ready) */
	for (m = M_A; m <= M_C3; m++) {
		int i;

		for (i = 0; i < MI_KEYS; i++) {
			double base = ((res[M_NONE].applied.kb[i] - res[M_NONE].ready.kb[i]) +
				       (res[M_NONE2].applied.kb[i] - res[M_NONE2].ready.kb[i])) / 2.0;
			double d = res[m].applied.kb[i] - res[m].ready.kb[i];

			putf((d - base) / g.n, "%s.apply_only_kb.%s", mname[m], mi_key[i]);
		}
	}
	{
		int i;

		for (i = 0; i < MI_KEYS; i++)
			putf(((res[M_NONE2].applied.kb[i] - res[M_NONE2].before.kb[i]) -
			      (res[M_NONE].applied.kb[i] - res[M_NONE].before.kb[i])) / (double)g.n,
			     "baseline_spread_per_container_kb.%s", mi_key[i]);
	}
	tpn_end = calibrate(g.calib_ms / 2, NULL);
	putf(tpn_end, "tsc_ticks_per_ns.guest_calibrated_end");
	printf("#END RESULTS\n");

	/* ---- human-readable ---- */
	close(pin_fd);
	printf("\nsfd-bench on %s (%s clocksource), profile %s: %u BPF insns, N=%d\n",
	       u.release, clocksrc, g.profile_path, sfd_profile_prog(g.prof)->len, g.n);
	printf("one-time: build profile %.0f us (median of 5), create detached fd %.0f us\n",
	       build_med, create_med);
	printf("pipe round trip (none): %.0f us median\n\n", res[M_NONE].apply.median);
	printf("%-5s %-46s %9s %9s %8s %8s %8s %8s %9s %9s\n", "", "", "apply us", "apply us",
	       "slab kB", "unrecl", "vmalloc", "avail", "getpid", "personal");
	printf("%-5s %-46s %9s %9s %8s %8s %8s %8s %9s %9s\n", "", "", "median", "p90",
	       "/cont.", "kB/cont", "kB/cont", "kB/cont", "ns/call", "ns/call");
	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
		double base[MI_KEYS];
		int i;

		m = order[j];
		for (i = 0; i < MI_KEYS; i++)
			base[i] = ((res[M_NONE].applied.kb[i] - res[M_NONE].before.kb[i]) +
				   (res[M_NONE2].applied.kb[i] - res[M_NONE2].before.kb[i])) / 2.0;
		printf("%-5s %-46s %9.1f %9.1f", mname[m], mdesc[m],
		       res[m].apply.median, res[m].apply.p90);
		if (m == M_NONE || m == M_NONE2) {
			printf(" %8s %8s %8s %8s", "-", "-", "-", "-");
		} else {
			static const int col[] = { 0, 1, 2, MI_AVAILPCP };

			for (i = 0; i < 4; i++) {
				int c = col[i];
				double d = res[m].applied.kb[c] - res[m].before.kb[c] - base[c];

				/* MemAvailable shrinks: show the drop as a positive cost */
				printf(" %8.2f", (c == MI_AVAILPCP ? -d : d) / g.n);
			}
		}
		printf(" %9.0f %9.0f\n", res[m].getpid_ns, res[m].personality_ns);
	}
	printf("\nA split: build %.0f us + load %.0f us (child side, medians); "
	       "B load %.0f us (child side)\n",
	       res[M_A].part1.median, res[M_A].part2.median, res[M_B].part1.median);
	printf("fdinfo after N attaches: C nodes=%u; C2 nodes=%u; C3 nodes=%u\n",
	       res[M_C].nodes, res[M_C2].nodes, res[M_C3].nodes);
	printf("kernel memory of the apply step alone, kB per container "
	       "(Slab+Vmalloc+Percpu): A %.2f, B %.2f, C %.2f, C2 %.2f, C3 %.2f\n",
	       apply_only(M_A), apply_only(M_B), apply_only(M_C), apply_only(M_C2),
	       apply_only(M_C3));
	printf("ratios (median apply): A/C %.1f, B/C %.1f, A/B %.1f\n",
	       res[M_A].apply.median / res[M_C].apply.median,
	       res[M_B].apply.median / res[M_C].apply.median,
	       res[M_A].apply.median / res[M_B].apply.median);
	return 0;
}
