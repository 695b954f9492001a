// SPDX-License-Identifier: GPL-2.0
/* What sfd-bench and sfd-scenarios share (see benchutil.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

double ns_per_tick = NAN;

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", program_invocation_short_name);
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

double calibrate(int ms, uint64_t *res_ns)
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
	if (res_ns)
		*res_ns = m1 - m;
	return (double)(t1 - t0) / (double)(m1 - m0);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

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
		printf("%s %.6g\n", key, v);
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

void read_meminfo(const char *const *keys, int n, long *kb)
{
	char line[256];
	FILE *f;
	int i;

	for (i = 0; i < n; i++)
		kb[i] = -1;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < n; i++) {
			size_t l = strlen(keys[i]);

			if (!strncmp(line, keys[i], l) && line[l] == ':')
				kb[i] = strtol(line + l + 1, NULL, 10);
		}
	}
	fclose(f);
	for (i = 0; i < n; i++)
		if (kb[i] < 0)
			die("/proc/meminfo lacks %s", keys[i]);
}

int read_vmallocinfo(struct vinfo *v)
{
	char line[512], *tok, *save, *caller;
	FILE *f = fopen("/proc/vmallocinfo", "r");
	long pages;
	int i, k;

	v->n = v->dropped = 0;
	if (!f)
		return -errno;
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
		if (!caller || !pages)
			continue;
		caller[strcspn(caller, "+")] = 0;
		for (i = 0; i < v->n; i++)
			if (!strcmp(v->name[i], caller))
				break;
		if (i == v->n) {
			if (v->n == VI_MAX) {
				v->dropped++;
				continue;
			}
			snprintf(v->name[v->n], sizeof(v->name[0]), "%s", caller);
			v->pages[v->n++] = 0;
		}
		v->pages[i] += pages;
	}
	fclose(f);
	return 0;
}

long vinfo_pages(const struct vinfo *v, const char *prefix)
{
	long pages = 0;
	int i;

	for (i = 0; i < v->n; i++)
		if (!strncmp(v->name[i], prefix, strlen(prefix)))
			pages += v->pages[i];
	return pages;
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

void settle(void)
{
	struct timespec ts = { 0, 500 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	sync();
	nanosleep(&ts, NULL);
}

long sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(__NR_seccomp, op, flags, args);
}

int pidfd_open(pid_t pid)
{
	return (int)syscall(__NR_pidfd_open, pid, 0);
}

/* read(2) or write(2) all of @len bytes, retrying on EINTR and short counts */
static int io_full(int fd, char *buf, size_t len, int wr)
{
	size_t off = 0;

	while (off < len) {
		ssize_t r = wr ? write(fd, buf + off, len - off) : read(fd, buf + off, len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

int read_full(int fd, void *buf, size_t len)
{
	return io_full(fd, buf, len, 0);
}

int write_full(int fd, const void *buf, size_t len)
{
	return io_full(fd, (char *)buf, len, 1);
}
