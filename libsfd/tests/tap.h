/* SPDX-License-Identifier: LGPL-2.1-only OR MIT */
/*
 * A tiny TAP producer for libsfd's host tests.  Each test is a function
 * returning PASS, FAIL or SKIP (77, as liburing's tests); the plan is the
 * table's length, printed first.  CHECK() explains a failure as a TAP
 * comment and fails the test.
 */
#ifndef LIBSFD_TAP_H
#define LIBSFD_TAP_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PASS 0
#define FAIL 1
#define SKIP 77

struct tap_test {
	const char *name;
	int (*fn)(void);
};

/* Set by a test before it returns SKIP. */
static const char *tap_skip_reason;

#define SKIP_BECAUSE(reason) do { tap_skip_reason = (reason); return SKIP; } while (0)

#define CHECK(cond) do {							\
	if (!(cond)) {								\
		printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		return FAIL;							\
	}									\
} while (0)

/* CHECK(a == b) for integers, printing both values. */
#define CHECK_EQ(a, b) do {							\
	long long _a = (long long)(a), _b = (long long)(b);			\
	if (_a != _b) {								\
		printf("# %s:%d: %s == %s failed: %lld != %lld\n",		\
		       __FILE__, __LINE__, #a, #b, _a, _b);			\
		return FAIL;							\
	}									\
} while (0)

/* Number of open fds, to prove error paths leak none. */
static inline int tap_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

static inline int tap_run(const struct tap_test *tests, int n)
{
	int i, failed = 0;

	printf("1..%d\n", n);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		int ret;

		tap_skip_reason = NULL;
		ret = tests[i].fn();
		if (ret == PASS) {
			printf("ok %d - %s\n", i + 1, tests[i].name);
		} else if (ret == SKIP) {
			printf("ok %d - %s # SKIP %s\n", i + 1, tests[i].name,
			       tap_skip_reason ? tap_skip_reason : "");
		} else {
			printf("not ok %d - %s\n", i + 1, tests[i].name);
			failed++;
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}

#define TAP_MAIN(table)								\
int main(void)									\
{										\
	return tap_run(table, (int)(sizeof(table) / sizeof(table[0])));	\
}

#endif
