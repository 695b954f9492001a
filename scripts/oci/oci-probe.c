// SPDX-License-Identifier: GPL-2.0
/*
 * oci-probe: the workload of the OCI tests, static, inside the container.
 * Each argument is one probe; each prints one line:
 *
 *   mkdir     mkdir(2) of a fresh directory in /tmp (then removed):
 *             "mkdir ok" or "mkdir errno N (NAME)"
 *   symlink   symlink(2) in /tmp (then removed): same form
 *   getppid   "getppid N": the value getppid(2) returned, or
 *             "getppid errno N (NAME)" if it failed (a supervisor's answer)
 *   filters   "filters N": Seccomp_filters of every thread of this process
 *             (the lowest), from /proc/self/task/ * /status
 *   tsc       "tsc TICKS": the time stamp counter (lfence; rdtsc), the
 *             benchmark's timestamp; no syscall
 *   calibrate MS
 *             "tsc_per_ns R": TSC ticks per CLOCK_MONOTONIC nanosecond over
 *             MS milliseconds, measured from one clock step to another: the
 *             guest's CLOCK_MONOTONIC may run on jiffies (4 ms steps) when
 *             the kernel could not calibrate the TSC (docs/benchmarks.md)
 *
 * Exits 0 unless a probe could not run at all (unknown name: 2).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline unsigned long long tsc(void)
{
	unsigned int lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((unsigned long long)hi << 32) | lo;
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double calibrate(long ms)
{
	long long t, a, b;
	unsigned long long c0, c1;

	t = mono_ns();
	while ((a = mono_ns()) == t)
		;
	c0 = tsc();
	while ((b = mono_ns()) < a + ms * 1000000LL)
		;
	t = b;
	while ((b = mono_ns()) == t)
		;
	c1 = tsc();
	return (double)(c1 - c0) / (double)(b - a);
}

static void report(const char *name, long ret)
{
	if (ret < 0)
		printf("%s errno %d (%s)\n", name, errno, strerrorname_np(errno));
	else
		printf("%s ok\n", name);
}

static int thread_filters(void)
{
	int lowest = -1;
	struct dirent *e;
	DIR *d = opendir("/proc/self/task");

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], line[256];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			int n;

			if (sscanf(line, "Seccomp_filters: %d", &n) == 1 &&
			    (lowest < 0 || n < lowest))
				lowest = n;
		}
		fclose(f);
	}
	closedir(d);
	return lowest;
}

int main(int argc, char **argv)
{
	char path[64];
	int i;

	for (i = 1; i < argc; i++) {
		const char *p = argv[i];

		if (!strcmp(p, "mkdir")) {
			snprintf(path, sizeof(path), "/tmp/probe-dir.%d", getpid());
			report(p, syscall(SYS_mkdir, path, 0700));
			rmdir(path);
		} else if (!strcmp(p, "symlink")) {
			snprintf(path, sizeof(path), "/tmp/probe-link.%d", getpid());
			report(p, syscall(SYS_symlink, "target", path));
			unlink(path);
		} else if (!strcmp(p, "getppid")) {
			long r = syscall(SYS_getppid);

			if (r < 0)
				report(p, r);
			else
				printf("getppid %ld\n", r);
		} else if (!strcmp(p, "filters")) {
			printf("filters %d\n", thread_filters());
		} else if (!strcmp(p, "tsc")) {
			printf("tsc %llu\n", tsc());
		} else if (!strcmp(p, "calibrate") && i + 1 < argc && atol(argv[i + 1]) > 0) {
			printf("tsc_per_ns %.6f\n", calibrate(atol(argv[++i])));
		} else {
			fprintf(stderr, "oci-probe: unknown probe '%s'\n", p);
			return 2;
		}
		fflush(stdout);
	}
	return 0;
}
