/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the libsfd VM tests (selftests/sfd_*.c): children that
 * wait on a pipe until the test has attached a filter to them, privilege
 * decided with libcap, and the profiles the tests build.
 *
 * Synchronisation is pipes and waitpid only, never sleep.  A child blocked on
 * its "go" pipe exits when the test process dies (read returns 0), and one
 * blocked in a notification exits when the filter fd closes (ENOSYS), so a
 * failed ASSERT leaves nothing behind.
 */
#ifndef SFD_SELFTEST_UTIL_H
#define SFD_SELFTEST_UTIL_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp_detached.h>

#include "sfd.h"

/* Exit codes of test children; anything else is a failure step. */
#define KID_OK		0
#define KID_ABORTED	99	/* the test went away before "go" */

/*
 * A profile of the project's own, used when Docker's is not available in
 * the VM: default EPERM, ordinary syscalls allowed, unshare not.  As runc,
 * libsfd answers ENOSYS for syscalls newer than every one a profile names;
 * getrandom and rseq are newer than unshare, so unshare gets the EPERM.
 */
static const char sfd_own_profile[] =
	"{ \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
	"  \"archMap\": [ { \"architecture\": \"SCMP_ARCH_X86_64\",\n"
	"                 \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"] } ],\n"
	"  \"syscalls\": [ { \"action\": \"SCMP_ACT_ALLOW\", \"names\": [\n"
	"    \"read\", \"write\", \"close\", \"exit\", \"exit_group\", \"getpid\",\n"
	"    \"gettid\", \"getppid\", \"brk\", \"mmap\", \"munmap\", \"mprotect\",\n"
	"    \"rt_sigreturn\", \"rt_sigprocmask\", \"rt_sigaction\", \"futex\",\n"
	"    \"fstat\", \"newfstatat\", \"prctl\", \"wait4\", \"kill\",\n"
	"    \"clone\", \"fork\", \"socket\", \"sendmsg\", \"recvmsg\",\n"
	"    \"getrandom\", \"rseq\" ] } ] }\n";

/*
 * A supervisor's profile: getppid() raises a user notification,
 * everything else is allowed.
 */
static const char sfd_notify_profile[] =
	"{ \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
	"  \"syscalls\": [ { \"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\" } ] }\n";

static inline bool have_cap_sys_admin(void)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t caps = cap_get_proc();

	if (!caps)
		return false;
	if (cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v))
		v = CAP_CLEAR;
	cap_free(caps);
	return v == CAP_SET;
}

/*
 * Load Docker's default profile if the VM has it ($SFD_PROFILE, /, or the
 * repository's sibling shared/ when run from the checkout), else the
 * project's own.  *which names what was loaded.
 */
static inline int sfd_load_base_profile(struct sfd_profile **p, const char **which)
{
	const char *candidates[] = {
		getenv("SFD_PROFILE"),
		"/docker-default.json",
		"../shared/profiles/docker-default.json",
		"../../shared/profiles/docker-default.json",
	};
	size_t i;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (!candidates[i] || access(candidates[i], R_OK))
			continue;
		*which = candidates[i];
		return sfd_profile_load_oci(candidates[i], NULL, p);
	}
	*which = "libsfd's own test profile";
	return sfd_profile_load_oci_buf(sfd_own_profile, sizeof(sfd_own_profile) - 1,
					NULL, p);
}

/* A detached filter of the base profile: its fd, or -errno. */
static inline int sfd_base_filter(void)
{
	struct sfd_profile *p;
	const char *which;
	int fd;

	fd = sfd_load_base_profile(&p, &which);
	if (fd)
		return fd;
	fd = sfd_profile_create(p, 0);
	sfd_profile_free(p);
	return fd;
}

static inline int sfd_load_notify_profile(struct sfd_profile **p)
{
	return sfd_profile_load_oci_buf(sfd_notify_profile,
					sizeof(sfd_notify_profile) - 1, NULL, p);
}

struct kid {
	pid_t pid;
	int pidfd;
	int go;		/* write end: release the child */
};

/*
 * Fork a child that optionally sets no_new_privs, reports ready, waits for
 * "go" and exits with body(arg).  Returns 0 once the child is ready and
 * k->pidfd refers to it.
 */
static inline int kid_start(struct kid *k, bool nnp, int (*body)(void *), void *arg)
{
	int ready[2], go[2];
	char c;

	k->pid = -1;
	k->pidfd = -1;
	k->go = -1;
	if (pipe2(ready, O_CLOEXEC))
		return -errno;
	if (pipe2(go, O_CLOEXEC)) {
		close(ready[0]);
		close(ready[1]);
		return -errno;
	}
	k->pid = fork();
	if (k->pid < 0)
		return -errno;
	if (k->pid == 0) {
		close(ready[0]);
		close(go[1]);
		if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(98);
		if (write(ready[1], "r", 1) != 1)
			_exit(KID_ABORTED);
		if (read(go[0], &c, 1) != 1)
			_exit(KID_ABORTED);
		_exit(body(arg));
	}
	close(ready[1]);
	close(go[0]);
	k->go = go[1];
	if (read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		return -ECHILD;
	}
	close(ready[0]);
	k->pidfd = (int)syscall(SYS_pidfd_open, k->pid, 0);
	return k->pidfd < 0 ? -errno : 0;
}

static inline void kid_go(struct kid *k)
{
	if (k->go >= 0) {
		if (write(k->go, "g", 1) != 1)
			kill(k->pid, SIGKILL);
		close(k->go);
		k->go = -1;
	}
}

/* Reap the child; returns its exit code, or 128 + signal. */
static inline int kid_wait(struct kid *k)
{
	int status;

	if (k->go >= 0) {
		close(k->go);	/* unreleased: it exits KID_ABORTED */
		k->go = -1;
	}
	if (k->pidfd >= 0) {
		close(k->pidfd);
		k->pidfd = -1;
	}
	if (k->pid <= 0)
		return -1;
	if (waitpid(k->pid, &status, 0) != k->pid)
		return -1;
	k->pid = -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Body: the base profile's verdicts, as seen from inside the child. */
static inline int kid_check_blocked(void *unused)
{
	(void)unused;
	if (syscall(SYS_unshare, 0) != -1 || errno != EPERM)
		return 1;
	if (syscall(SYS_getpid) != getpid())	/* allowed */
		return 2;
	return KID_OK;
}

/* Body: do nothing, stay the same until released. */
static inline int kid_idle(void *unused)
{
	(void)unused;
	return KID_OK;
}

/* Notifications each supervised child raises (getppid) before it exits. */
#define NOTIFS_PER_KID 3

/*
 * Body of a supervised child: each getppid() is answered by the supervisor
 * with the caller's own pid.
 */
static inline int kid_notified(void *unused)
{
	int i;

	(void)unused;
	for (i = 0; i < NOTIFS_PER_KID; i++)
		if (syscall(SYS_getppid) != getpid())
			return 10 + i;
	return KID_OK;
}

/* Serve one pending notification: getppid() returns the caller's pid. */
static inline int serve_one(int fd, struct seccomp_notif *req)
{
	int ret = sfd_notif_recv(fd, req);

	if (ret)
		return ret;
	if (req->data.nr != SYS_getppid) {
		sfd_notif_respond(fd, req->id, -ENOSYS, 0, 0);
		return -EPROTO;
	}
	return sfd_notif_respond(fd, req->id, 0, req->pid, 0);
}

/* Detached filters are there, else SKIP the test. */
#define SKIP_WITHOUT_DETACHED() do {						\
	int _p = sfd_probe();							\
	if (_p == -EOPNOTSUPP)							\
		SKIP(return, "kernel lacks SECCOMP_FILTER_FLAG_DETACHED");	\
	ASSERT_EQ(0, _p) TH_LOG("sfd_probe: %s", strerror(-_p));		\
} while (0)

/* Creating needs no_new_privs or CAP_SYS_ADMIN: take no_new_privs. */
#define TAKE_NNP() ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))

/* ---- the tests' own mark: a filter whose effect a child can see --------- */

/* getppid() fails with this errno under mark_filter(); nothing else changes. */
#define MARK_ERRNO 1234

static inline int mark_filter(void)
{
	static struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | MARK_ERRNO),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = insns };

	return sfd_create(&prog, 0);
}

/* The calling thread runs under mark_filter(). */
static inline bool marked(void)
{
	return syscall(SYS_getppid) == -1 && errno == MARK_ERRNO;
}

/* The Seccomp: field of /proc/<pid>/task/<tid>/status (2 = filter), or -1. */
static inline int task_seccomp_mode(pid_t pid, pid_t tid)
{
	char path[64], line[128];
	int mode = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}

/*
 * Wait until @fd reports @events.  The timeout is a safety net for a peer
 * that died without closing its end, never a synchronisation: a test that
 * hits it fails with a message saying so.  Returns revents, or -ETIMEDOUT.
 */
#define SAFETY_NET_MS 60000

static inline int wait_ready(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&pfd, 1, SAFETY_NET_MS);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : pfd.revents;
}

#endif /* SFD_SELFTEST_UTIL_H */
