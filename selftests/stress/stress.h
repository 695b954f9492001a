/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the stress tests in selftests/stress/: raw syscalls, filter
 * programs, privilege changes, /proc readers, the setuid helper program and
 * the kernel-memory check that ends every race.
 *
 * Every helper returns 0 or a negative errno unless it says otherwise, and
 * none keeps state of its own. Nothing here sleeps to synchronise: callers
 * use pipes, pidfds and waitpid().
 */
#ifndef STRESS_H
#define STRESS_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/filter.h>
#include <linux/membarrier.h>
#include <linux/seccomp_detached.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD			O_EXCL
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF		0x7fc00000U
#endif

/*
 * Iteration counts: the full form (make stress) runs STRESS_FULL of each;
 * the quick form of make check is built with -DSTRESS_DIVISOR=20.
 */
#ifndef STRESS_DIVISOR
#define STRESS_DIVISOR			1
#endif
#define STRESS_N(full)			((full) / STRESS_DIVISOR)

/* The unprivileged uids of the tests; the guest has no passwd entries. */
#define UID_A				1000
#define UID_B				1001

/*
 * Probe syscalls: the filters the stress tests attach act only on these,
 * and nothing in the tests' own machinery calls them, so a filter that
 * lands anywhere, the test process included, never changes the test.
 */
#define PROBE_ERRNO			__NR_getpgid	/* ERRNO(EDOM) filters */
#define PROBE_NOTIF			__NR_getsid	/* USER_NOTIF filters */

static inline long sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(__NR_seccomp, op, flags, args);
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(__NR_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig)
{
	return syscall(__NR_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* seccomp(SECCOMP_ATTACH_FILTER): the return value, or -errno. */
static inline long attach_filter(int pidfd, int fd, unsigned int flags)
{
	struct seccomp_attach_filter a = {
		.size = sizeof(a), .pidfd = pidfd, .filter_fd = fd,
	};
	long ret = sys_seccomp(SECCOMP_ATTACH_FILTER, flags, &a);

	return ret < 0 ? -errno : ret;
}

/*
 * A program that returns @action for syscall @nr and allows everything else
 * (@nr < 0: @action for nothing, allow all). @insns must hold 4.
 */
static inline unsigned short probe_prog(struct sock_filter *insns, int nr,
					__u32 action)
{
	struct sock_filter p[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	if (nr < 0) {
		insns[0] = p[3];
		return 1;
	}
	memcpy(insns, p, sizeof(p));
	return 4;
}

/* A detached filter returning @action on @nr (see probe_prog()); fd or -errno. */
static inline int create_probe_filter(int nr, __u32 action, unsigned int flags)
{
	struct sock_filter insns[4];
	struct sock_fprog prog = { .filter = insns };
	int fd;

	prog.len = probe_prog(insns, nr, action);
	fd = sys_seccomp(SECCOMP_SET_MODE_FILTER,
			 SECCOMP_FILTER_FLAG_DETACHED | flags, &prog);
	return fd < 0 ? -errno : fd;
}

/* Install an allow-everything filter on the calling thread (needs NNP or cap). */
static inline int install_allow_filter(unsigned int flags)
{
	struct sock_filter insns[4];
	struct sock_fprog prog = { .filter = insns };

	prog.len = probe_prog(insns, -1, SECCOMP_RET_ALLOW);
	return sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog) < 0 ? -errno : 0;
}

/* Become @uid/@uid for real: no supplementary groups, all ids changed. */
static inline int drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/*
 * Become @uid keeping only @cap (effective and permitted); @cap < 0 keeps
 * none.
 */
static inline int drop_to_with_cap(uid_t uid, int cap)
{
	cap_value_t v = cap;
	cap_t caps;
	int ret = 0;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -errno;
	ret = drop_to(uid);
	if (ret)
		return ret;
	caps = cap_init();
	if (!caps)
		return -ENOMEM;
	if (cap >= 0 && (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) ||
			 cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET)))
		ret = -EINVAL;
	if (!ret && cap_set_proc(caps))
		ret = -errno;
	cap_free(caps);
	if (!ret && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0))
		ret = -errno;
	return ret;
}

/*
 * The number after "@field:" in /proc/@pid/task/@tid/status (@tid 0: the
 * process' status), or -errno; -ENOENT if the task or field is gone.
 */
static inline long status_field(pid_t pid, pid_t tid, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long v = -ENOENT;
	FILE *f;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Read exactly @len bytes; 0, -EPIPE at end of file, or -errno. */
static inline int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static inline int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* "EPERM", or "0" for 0, or the number; for messages only. */
static inline const char *errname(long err)
{
	static __thread char buf[24];
	const char *s;

	if (err == 0)
		return "0";
	if (err > 0) {
		snprintf(buf, sizeof(buf), "+%ld", err);
		return buf;
	}
	s = strerrorname_np(-err);
	if (s)
		return s;
	snprintf(buf, sizeof(buf), "%ld", err);
	return buf;
}

/* ------------------------------------------------------ the setuid helper */

/*
 * The stress binaries double as a setuid-root helper: a copy of the
 * running binary made setuid root, run as `PROG --setuid-helper RFD WFD`.
 * It reports what it is from its first instructions on, before anything
 * else can change it:
 *	struct setuid_report { ruid, euid, seccomp mode, filters } first,
 * then waits for one byte on RFD, reports again and exits 0. The caller
 * checks that a filter present in the second report was present in the
 * first: no filter may appear on a privileged program after its execve().
 */
#define SETUID_HELPER_ARG		"--setuid-helper"

struct setuid_report {
	int ruid, euid;
	long mode, filters;
};

static inline void setuid_report_fill(struct setuid_report *r)
{
	r->ruid = getuid();
	r->euid = geteuid();
	r->mode = status_field(getpid(), 0, "Seccomp");
	r->filters = status_field(getpid(), 0, "Seccomp_filters");
}

/* Call first thing in main(); returns only if not run as the helper. */
static inline void setuid_helper_main(int argc, char **argv)
{
	struct setuid_report r;
	int rfd, wfd;
	char c;

	if (argc != 4 || strcmp(argv[1], SETUID_HELPER_ARG))
		return;
	rfd = atoi(argv[2]);
	wfd = atoi(argv[3]);
	setuid_report_fill(&r);
	if (write_full(wfd, &r, sizeof(r)))
		_exit(2);
	if (read_full(rfd, &c, 1))
		_exit(3);
	setuid_report_fill(&r);
	_exit(write_full(wfd, &r, sizeof(r)) ? 4 : 0);
}

/*
 * Copy /proc/self/exe to @path as a setuid-root program (mode 04755); the
 * caller must be root. 0 or -errno.
 */
static inline int make_setuid_copy(const char *path)
{
	char buf[65536];
	int in, out, ret = 0;
	ssize_t n;

	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	unlink(path);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		ret = write_full(out, buf, n);
		if (ret)
			break;
	}
	if (n < 0)
		ret = -errno;
	if (!ret && (fchown(out, 0, 0) || fchmod(out, 04755)))
		ret = -errno;
	close(in);
	if (close(out) && !ret)
		ret = -errno;
	return ret;
}

/* ------------------------------------------------------ kernel memory */

/*
 * The end-of-race memory check. Kernel memory is measured by what the guest
 * can read: /proc/meminfo's SUnreclaim (every object of the series is
 * unreclaimable slab, charged with GFP_KERNEL_ACCOUNT) and, on the debug
 * kernels, kmemleak. Freed filters and nodes go through RCU and the tasks
 * that held them are reaped through RCU too, so before comparing the check
 * waits for grace periods (membarrier(MEMBARRIER_CMD_GLOBAL) is a
 * synchronize_rcu()) and drops caches, a bounded number of times.
 */
struct mem_baseline {
	long sunreclaim_kb;
	bool kmemleak;
	bool kmemleak_failed;	/* reports found (or no scan) before the test */
};

#define KMEMLEAK "/sys/kernel/debug/kmemleak"

static inline long meminfo_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long v = -ENOENT;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write_full(fd, s, strlen(s)))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Wait for RCU grace periods to pass and let freed slabs go: caches are
 * dropped, and every slab cache is asked to give back its empty slabs
 * (/sys/kernel/slab/CACHE/shrink, where the kernel has it).
 */
static inline void mem_settle(void)
{
	char path[320];
	struct dirent *d;
	DIR *dir;
	int i;

	for (i = 0; i < 3; i++)
		syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	write_file("/proc/sys/vm/drop_caches", "3");
	dir = opendir("/sys/kernel/slab");
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", d->d_name);
		write_file(path, "1");
	}
	if (dir)
		closedir(dir);
	for (i = 0; i < 3; i++)
		syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
}

/*
 * Ask kmemleak for a scan and print what it reports, prefixed with @what.
 * 0 if it reports nothing; -1 if it reports something or cannot scan (a
 * kmemleak that turned itself off, for one, must not read as clean).
 * Objects younger than kmemleak's minimum age (5 s) are not reported yet:
 * a leak at the very end of a test is found by the next test's baseline
 * scan, or by the scan vm-run makes after the last program.
 */
static inline int kmemleak_scan(const char *what)
{
	char buf[4096];
	ssize_t n;
	int fd, err;

	err = write_file(KMEMLEAK, "scan");
	if (err) {
		printf("# %s: kmemleak scan failed: %s\n", what, strerror(-err));
		return -1;
	}
	fd = open(KMEMLEAK, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("# %s: cannot read %s: %s\n", what, KMEMLEAK, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	err = errno;
	close(fd);
	if (n < 0) {
		printf("# %s: reading %s: %s\n", what, KMEMLEAK, strerror(err));
		return -1;
	}
	if (n > 0) {
		buf[n] = 0;
		printf("# %s: kmemleak reports:\n%s\n", what, buf);
		return -1;
	}
	return 0;
}

/*
 * Take the baseline before a test. kmemleak is scanned first and anything it
 * reports already fails this test's check (it was leaked by whatever ran
 * before: an earlier test of this program, or another program), so that
 * clearing the list for this test never hides a leak.
 */
static inline void mem_baseline(struct mem_baseline *b)
{
	b->kmemleak = !access(KMEMLEAK, W_OK);
	b->kmemleak_failed = false;
	if (b->kmemleak) {
		b->kmemleak_failed = kmemleak_scan("before this test") != 0;
		write_file(KMEMLEAK, "clear");
	}
	mem_settle();
	b->sunreclaim_kb = meminfo_kb("SUnreclaim");
}

/*
 * After a test of @iterations whose tasks are all reaped and fds closed:
 * 0 if unreclaimable slab is back within @slack_kb of the baseline within
 * a bounded number of settle rounds and kmemleak (if present) found nothing
 * before or after the test; else prints what it found to stdout and
 * returns -1.
 */
static inline int mem_check(const struct mem_baseline *b, const char *what,
			    long slack_kb)
{
	long now = -1;
	int round, ret = 0;

	for (round = 0; round < 20; round++) {
		mem_settle();
		now = meminfo_kb("SUnreclaim");
		if (now <= b->sunreclaim_kb + slack_kb)
			break;
	}
	printf("# %s: SUnreclaim %ld kB before, %ld kB after (%d settle rounds, slack %ld kB)\n",
	       what, b->sunreclaim_kb, now, round + 1, slack_kb);
	if (now > b->sunreclaim_kb + slack_kb) {
		printf("# %s: unreclaimable slab grew by %ld kB and stayed after 20 RCU grace-period rounds\n",
		       what, now - b->sunreclaim_kb);
		ret = -1;
	}

	if (b->kmemleak) {
		if (b->kmemleak_failed) {
			printf("# %s: kmemleak had reports (or could not scan) before the test\n",
			       what);
			ret = -1;
		}
		if (kmemleak_scan(what))
			ret = -1;
		else
			printf("# %s: kmemleak scan clean\n", what);
	}
	return ret;
}

#endif /* STRESS_H */
