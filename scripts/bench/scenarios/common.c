// SPDX-License-Identifier: GPL-2.0
/* Shared pieces of sfd-scenarios (see common.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <math.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

double ns_per_tick = NAN;

/*
 * libsfd builds a profile of more than 32 syscalls as runc does, with
 * libseccomp's binary tree (SCMP_FLTATR_CTL_OPTIMIZE = 2).  For the
 * hot-path comparison the bench also wants libseccomp's default linear
 * program of the same profile: sfd-scenarios is linked with
 * -Wl,--wrap=seccomp_attr_set, and while build_linear is set the
 * optimisation request is dropped.
 */
int build_linear;
int __real_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value);
int __wrap_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value);
int __wrap_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value)
{
	if (build_linear && attr == SCMP_FLTATR_CTL_OPTIMIZE)
		return 0;
	return __real_seccomp_attr_set(ctx, attr, value);
}

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "sfd-scenarios: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per ns over >= ms milliseconds, edge to edge of the clock's steps */
double calibrate(int ms)
{
	uint64_t m0, m1, m, t0, t1;

	m = mono_ns();
	while ((m0 = mono_ns()) == m)
		;
	t0 = now_ticks();
	m = m0;
	while (m < m0 + (uint64_t)ms * 1000000ull)
		m = mono_ns();
	while ((m1 = mono_ns()) == m)
		;
	t1 = now_ticks();
	return (double)(t1 - t0) / (double)(m1 - m0);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median, p10/p90 (nearest rank), min, max, mean of the non-NaN values */
struct stats stats_of(const double *v, int n)
{
	struct stats s = { NAN, NAN, NAN, NAN, NAN, NAN, 0 };
	double *c = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)), sum = 0;
	int i, k = 0;

	if (!c)
		die("out of memory");
	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			c[k++] = v[i];
	if (k) {
		qsort(c, (size_t)k, sizeof(double), cmp_dbl);
		for (i = 0; i < k; i++)
			sum += c[i];
		s.median = k % 2 ? c[k / 2] : (c[k / 2 - 1] + c[k / 2]) / 2;
		s.p10 = c[(int)ceil(0.1 * k) - 1 < 0 ? 0 : (int)ceil(0.1 * k) - 1];
		s.p90 = c[(int)ceil(0.9 * k) - 1];
		s.min = c[0];
		s.max = c[k - 1];
		s.mean = sum / k;
		s.n = k;
	}
	free(c);
	return s;
}

void put(const char *key, double v)
{
	if (isnan(v))
		printf("%s nan\n", key);
	else if (v == floor(v) && fabs(v) < 1e15)
		printf("%s %.0f\n", key, v);
	else
		printf("%s %.4g\n", key, v);
}

void putf(double v, const char *fmt, ...)
{
	char key[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	put(key, v);
}

void put_stats(const struct stats *s, const char *fmt, ...)
{
	char key[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	putf(s->median, "%s.median", key);
	putf(s->p10, "%s.p10", key);
	putf(s->p90, "%s.p90", key);
	putf(s->min, "%s.min", key);
	putf(s->max, "%s.max", key);
}

const char *const mem_key[MEM__N] = {
	"Slab", "VmallocUsed", "Percpu", "PageTables", "KernelStack",
};

static void read_vmallocinfo(struct mem *m)
{
	char line[512], *tok, *save, *caller;
	FILE *f = fopen("/proc/vmallocinfo", "r");
	long pages;
	int k;

	m->jit_pages = m->prog_pages = 0;
	if (!f)
		die("/proc/vmallocinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		caller = NULL;
		pages = 0;
		for (k = 0, tok = strtok_r(line, " \t\n", &save); tok;
		     k++, tok = strtok_r(NULL, " \t\n", &save)) {
			if (k == 2 && strncmp(tok, "pages=", 6))
				caller = tok;
			if (!strncmp(tok, "pages=", 6))
				pages = atol(tok + 6);
		}
		if (!caller)
			continue;
		if (!strncmp(caller, "bpf_prog_pack_alloc", 19))
			m->jit_pages += pages;
		else if (!strncmp(caller, "bpf_prog_alloc", 14) ||
			 !strncmp(caller, "bpf_prog_realloc", 16))
			m->prog_pages += pages;
	}
	fclose(f);
}

struct mem read_mem(void)
{
	static const char *const file_key[MEM__N] = {
		"Slab", "VmallocUsed", "Percpu", "PageTables", "KernelStack",
	};
	struct mem m;
	char line[256];
	FILE *f;
	int i;

	for (i = 0; i < MEM__N; i++)
		m.kb[i] = -1;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < MEM__N; i++) {
			size_t l = strlen(file_key[i]);

			if (!strncmp(line, file_key[i], l) && line[l] == ':')
				m.kb[i] = strtol(line + l + 1, NULL, 10);
		}
	}
	fclose(f);
	for (i = 0; i < MEM__N; i++)
		if (m.kb[i] < 0)
			die("/proc/meminfo lacks %s", file_key[i]);
	read_vmallocinfo(&m);
	return m;
}

/* let deferred frees (RCU, bpf_prog_free_deferred work) run */
void settle(void)
{
	struct timespec ts = { 0, 500 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	sync();
	nanosleep(&ts, NULL);
}

int seccomp_status(pid_t pid, int *mode, int *filters)
{
	char path[64], line[256];
	FILE *f;

	*mode = *filters = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Seccomp:", 8))
			*mode = atoi(line + 8);
		else if (!strncmp(line, "Seccomp_filters:", 16))
			*filters = atoi(line + 16);
	}
	fclose(f);
	return 0;
}

long read_long_file(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -EIO;
	return strtol(buf, NULL, 10);
}

int write_long_file(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), len, ret = 0;

	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", v);
	if (write(fd, buf, (size_t)len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

long sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(__NR_seccomp, op, flags, args);
}

int pidfd_open(pid_t pid)
{
	return (int)syscall(__NR_pidfd_open, pid, 0);
}

int read_full(int fd, void *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t r = read(fd, (char *)buf + off, len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

int write_full(int fd, const void *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t r = write(fd, (const char *)buf + off, len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

/*
 * Become an unprivileged user for real: no supplementary groups, uid and
 * gid 65534, every capability set empty (the uid change clears the
 * permitted and effective sets; the bounding set is dropped first, while
 * CAP_SETPCAP is still held).  Checked afterwards with libcap.
 */
int drop_privileges(void)
{
	cap_t caps;
	int c, ret;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (cap_drop_bound((cap_value_t)c) && errno != EINVAL)
			return -errno;
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -errno;
	caps = cap_init();
	if (!caps)
		return -ENOMEM;
	ret = cap_set_proc(caps) ? -errno : 0;
	cap_free(caps);
	if (ret)
		return ret;
	caps = cap_get_proc();
	if (!caps)
		return -errno;
	for (c = 0; c <= CAP_LAST_CAP && !ret; c++) {
		cap_flag_value_t v;

		if (cap_get_flag(caps, (cap_value_t)c, CAP_EFFECTIVE, &v) || v == CAP_SET)
			ret = -EPERM;
	}
	cap_free(caps);
	return ret;
}

void reap_ok(pid_t pid, const char *what)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("%s: waitpid(%d): %s", what, pid, strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("%s: child %d %s %d", what, pid,
		    WIFEXITED(st) ? "exited with" : "killed by signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

void small_filter(struct sock_filter insns[4], struct sock_fprog *prog, int nr, __u32 ret)
{
	struct sock_filter f[4] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	memcpy(insns, f, sizeof(f));
	prog->len = 4;
	prog->filter = insns;
}
