// SPDX-License-Identifier: GPL-2.0
/*
 * The permission matrix of SECCOMP_ATTACH_FILTER: every cell of the tables
 * in docs/permission-matrix.md is one case here. The expected values come
 * from that page through gen-matrix (matrix.h, made at build time); this
 * file only knows how to make each caller, target and naming real.
 *
 * The test process must be root in the VM: callers and targets are forked
 * children that drop privilege for real (setresuid, libcap, unshare).
 */
#include "stress.h"

#include <pthread.h>

#include "kselftest_harness.h"

enum caller {
	CALLER_root, CALLER_cap_sys_admin, CALLER_plain, CALLER_userns_owner,
	CALLER_confined,
};

enum target {
	TARGET_same_uid_nnp, TARGET_same_uid, TARGET_other_uid,
	TARGET_setuid_exec, TARGET_child_userns, TARGET_child_pidns,
	TARGET_zombie, TARGET_leader_exited,
};

enum naming {
	NAMING_process, NAMING_process_tsync, NAMING_thread, NAMING_thread_tsync,
};

enum self_naming {
	SELF_self_thread, SELF_self_thread_tsync, SELF_self_group,
	SELF_own_process, SELF_own_thread, SELF_sibling, SELF_sibling_tsync,
};

/* What a caller child reports: the attach's result, or the setup step that failed. */
struct verdict {
	int step;		/* 0: attach ran; else the failing setup step */
	long ret;		/* attach's return value / -errno, or the step's -errno */
};

static const char *const step_names[] = {
	"attach", "drop privilege", "unshare(CLONE_NEWUSER)", "setns(user)",
	"no_new_privs", "install own filter", "pidfd_open", "sibling thread",
};

enum { STEP_ATTACH, STEP_DROP, STEP_UNSHARE, STEP_SETNS, STEP_NNP,
       STEP_FILTER, STEP_PIDFD, STEP_SIBLING };

/*
 * Turn the calling (single-threaded) child into @caller. @userns_pid, if
 * not 0, is a task whose user namespace userns_owner joins instead of
 * creating one. Returns 0 or the failing step, with *err set.
 */
static int become_caller(enum caller caller, pid_t userns_pid, long *err)
{
	char path[64];
	int fd;

	switch (caller) {
	case CALLER_root:
		return 0;
	case CALLER_cap_sys_admin:
		*err = drop_to_with_cap(UID_A, CAP_SYS_ADMIN);
		return *err ? STEP_DROP : 0;
	case CALLER_plain:
	case CALLER_userns_owner:
	case CALLER_confined:
		*err = drop_to_with_cap(UID_A, -1);
		if (*err)
			return STEP_DROP;
		break;
	}
	if (caller == CALLER_userns_owner && userns_pid) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", userns_pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWUSER)) {
			*err = -errno;
			return STEP_SETNS;
		}
		close(fd);
	} else if (caller == CALLER_userns_owner) {
		if (unshare(CLONE_NEWUSER)) {
			*err = -errno;
			return STEP_UNSHARE;
		}
	}
	return 0;
}

/* The confined caller's own state, set on the calling thread only. */
static int confine(long *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		*err = -errno;
		return STEP_NNP;
	}
	*err = install_allow_filter(0);
	return *err ? STEP_FILTER : 0;
}

/* Fork a caller; returns its verdict (or a failed step 99 with -errno). */
static struct verdict run_caller(int (*body)(void *arg, long *err), void *arg)
{
	struct verdict v = { .step = 99, .ret = -EPIPE };
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return (struct verdict){ 99, -errno };
	pid = fork();
	if (pid < 0)
		return (struct verdict){ 99, -errno };
	if (pid == 0) {
		struct verdict mine = { 0 };

		close(p[0]);
		mine.step = body(arg, &mine.ret);
		_exit(write_full(p[1], &mine, sizeof(mine)) ? 1 : 0);
	}
	close(p[1]);
	read_full(p[0], &v, sizeof(v));
	close(p[0]);
	waitpid(pid, &status, 0);
	return v;
}

/* ------------------------------------------------------------- targets */

struct target_proc {
	pid_t pid;		/* the process, as the test sees it */
	pid_t live;		/* a thread of it that lives (for status reads) */
	pid_t reap;		/* the test's child to reap */
	int pidfd;		/* pidfd_open(pid, 0) */
	int tpidfd;		/* pidfd_open(pid, PIDFD_THREAD) */
	int trigger;		/* write end: one byte ends the zombie / the leader */
	bool alive;		/* has a live thread whose filters can be counted */
};

struct leader_args {
	int ready;
	pthread_t leader;
};

/*
 * The thread that outlives the leader: it reports once the leader is gone
 * (joined: the kernel clears the leader's tid word in exit_mm(), after
 * PF_EXITING is set).
 */
static void *leader_exited_thread(void *arg)
{
	struct leader_args *a = arg;
	pid_t tid = gettid();

	if (pthread_join(a->leader, NULL))
		_exit(30);
	write_full(a->ready, &tid, sizeof(tid));
	for (;;)
		pause();
	return NULL;
}

static void park(void)
{
	for (;;)
		pause();
}

/* In the forked target child: become @kind, report a pid on @ready, park. */
static void target_child(enum target kind, int ready, int trigger,
			 const char *setuid_path)
{
	struct leader_args la = { .ready = ready };
	pid_t me = getpid(), t;
	int tp[2];
	pthread_t th;
	char c, rs[16], ws[16];

	switch (kind) {
	case TARGET_same_uid_nnp:
	case TARGET_same_uid:
	case TARGET_child_userns:
	case TARGET_zombie:
	case TARGET_leader_exited:
	case TARGET_setuid_exec:
		if (drop_to(UID_A))
			_exit(10);
		break;
	case TARGET_other_uid:
		if (drop_to(UID_B))
			_exit(10);
		break;
	case TARGET_child_pidns:
		/* The test's child stays in the caller's pid namespace; its child is pid 1 below it. */
		if (unshare(CLONE_NEWPID) || pipe2(tp, O_CLOEXEC))
			_exit(11);
		t = fork();
		if (t < 0)
			_exit(12);
		if (t == 0) {
			if (drop_to(UID_A) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
			    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
				_exit(10);
			write_full(tp[1], "r", 1);
			park();
		}
		close(tp[1]);
		if (read_full(tp[0], &c, 1) || write_full(ready, &t, sizeof(t)))
			_exit(13);
		waitpid(t, NULL, 0);
		_exit(0);
	}

	/* As after an ordinary execve() by that uid, not a setuid(). */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		_exit(9);

	switch (kind) {
	case TARGET_same_uid_nnp:
	case TARGET_other_uid:
	case TARGET_leader_exited:
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(14);
		break;
	case TARGET_child_userns:
		if (unshare(CLONE_NEWUSER))
			_exit(15);
		break;
	case TARGET_setuid_exec:
		snprintf(rs, sizeof(rs), "%d", trigger);
		snprintf(ws, sizeof(ws), "%d", ready);
		execl(setuid_path, setuid_path, SETUID_HELPER_ARG, rs, ws, (char *)NULL);
		_exit(16);
	default:
		break;
	}

	if (kind == TARGET_leader_exited) {
		la.leader = pthread_self();
		if (pthread_create(&th, NULL, leader_exited_thread, &la))
			_exit(17);
		if (write_full(ready, &me, sizeof(me)) || read_full(trigger, &c, 1))
			_exit(18);
		pthread_exit(NULL);
	}
	if (write_full(ready, &me, sizeof(me)))
		_exit(19);
	if (kind == TARGET_zombie) {
		read_full(trigger, &c, 1);
		_exit(0);
	}
	park();
}

/* Spawn target @kind; 0 or a message in @why. */
static int target_spawn(struct target_proc *t, enum target kind,
			const char *setuid_path, const char **why)
{
	struct setuid_report sr;
	int ready[2], trig[2];
	siginfo_t si;

	memset(t, 0, sizeof(*t));
	t->pidfd = t->tpidfd = t->trigger = -1;
	if (pipe(ready) || pipe(trig)) {
		*why = "pipe";
		return -errno;
	}
	t->reap = fork();
	if (t->reap < 0) {
		*why = "fork";
		return -errno;
	}
	if (t->reap == 0) {
		close(ready[0]);
		close(trig[1]);
		target_child(kind, ready[1], trig[0], setuid_path);
		_exit(20);
	}
	close(ready[1]);
	close(trig[0]);
	t->trigger = trig[1];
	t->pid = t->reap;

	if (kind == TARGET_setuid_exec) {
		if (read_full(ready[0], &sr, sizeof(sr))) {
			*why = "the setuid helper did not report";
			close(ready[0]);
			return -EPIPE;
		}
		if (sr.euid != 0 || sr.ruid != UID_A) {
			*why = "the setuid helper did not gain euid 0 (a nosuid /tmp?)";
			close(ready[0]);
			return -EPERM;
		}
		t->live = t->pid;
	} else if (read_full(ready[0], &t->live, sizeof(t->live))) {
		*why = "the target did not report";
		close(ready[0]);
		return -EPIPE;
	}
	if (kind == TARGET_child_pidns)
		t->pid = t->live;

	t->pidfd = sys_pidfd_open(t->pid, 0);
	t->tpidfd = sys_pidfd_open(t->pid, PIDFD_THREAD);
	if (t->pidfd < 0 || t->tpidfd < 0) {
		*why = "pidfd_open of the target";
		close(ready[0]);
		return -errno;
	}
	t->alive = true;

	if (kind == TARGET_zombie) {
		write_full(t->trigger, "x", 1);
		if (waitid(P_PIDFD, t->pidfd, &si, WEXITED | WNOWAIT)) {
			*why = "waitid(WNOWAIT) for the zombie";
			return -errno;
		}
		t->alive = false;
	} else if (kind == TARGET_leader_exited) {
		/* The surviving thread reports its tid once the leader is gone. */
		write_full(t->trigger, "x", 1);
		if (read_full(ready[0], &t->live, sizeof(t->live))) {
			*why = "the leader_exited target's thread did not report";
			close(ready[0]);
			return -EPIPE;
		}
	}
	close(ready[0]);
	return 0;
}

static void target_end(struct target_proc *t)
{
	if (t->reap > 0) {
		if (t->pidfd >= 0)
			sys_pidfd_send_signal(t->pidfd, SIGKILL);
		kill(t->reap, SIGKILL);
		waitpid(t->reap, NULL, 0);
	}
	if (t->pidfd >= 0)
		close(t->pidfd);
	if (t->tpidfd >= 0)
		close(t->tpidfd);
	if (t->trigger >= 0)
		close(t->trigger);
	t->reap = 0;
}

/* ------------------------------------------------------------- remote */

FIXTURE(remote) {
	struct target_proc t;
	int fd;
	char setuid_path[64];
};

FIXTURE_VARIANT(remote) {
	enum caller caller;
	enum target target;
	enum naming naming;
	int expected;
	const char *expected_name;
};

FIXTURE(self) {
	int fd;
};

FIXTURE_VARIANT(self) {
	enum caller caller;
	enum self_naming naming;
	int expected;
	const char *expected_name;
};

/* One variant per cell of docs/permission-matrix.md. */
#include "matrix.h"

struct remote_args {
	enum caller caller;
	enum naming naming;
	const struct target_proc *t;
	int fd;
	bool in_target_userns;
};

static int remote_caller(void *arg, long *err)
{
	const struct remote_args *a = arg;
	unsigned int flags = 0;
	int step, pidfd;

	step = become_caller(a->caller, a->in_target_userns ? a->t->live : 0, err);
	if (!step && a->caller == CALLER_confined)
		step = confine(err);
	if (step)
		return step;

	pidfd = a->t->pidfd;
	if (a->naming == NAMING_thread || a->naming == NAMING_thread_tsync)
		pidfd = a->t->tpidfd;
	if (a->naming == NAMING_process_tsync || a->naming == NAMING_thread_tsync)
		flags = SECCOMP_FILTER_FLAG_TSYNC;
	*err = attach_filter(pidfd, a->fd, flags);
	return STEP_ATTACH;
}

FIXTURE_SETUP(remote)
{
	const char *why = "";
	int ret;

	self->t.reap = 0;
	self->fd = -1;
	self->setuid_path[0] = 0;
	if (geteuid() != 0)
		SKIP(return, "the matrix needs root to make its callers and targets");
	self->fd = create_probe_filter(PROBE_ERRNO, SECCOMP_RET_ERRNO | EDOM, 0);
	ASSERT_LE(0, self->fd) TH_LOG("creating the detached filter: %s", errname(self->fd));
	if (variant->target == TARGET_setuid_exec) {
		snprintf(self->setuid_path, sizeof(self->setuid_path),
			 "/tmp/permission-matrix-setuid.%d", getpid());
		ret = make_setuid_copy(self->setuid_path);
		ASSERT_EQ(0, ret) TH_LOG("setuid copy %s: %s", self->setuid_path, errname(ret));
	}
	ret = target_spawn(&self->t, variant->target, self->setuid_path, &why);
	ASSERT_EQ(0, ret) TH_LOG("target: %s: %s", why, errname(ret));
}

FIXTURE_TEARDOWN(remote)
{
	target_end(&self->t);
	if (self->fd >= 0)
		close(self->fd);
	if (self->setuid_path[0])
		unlink(self->setuid_path);
}

TEST_F_TIMEOUT(remote, attach, 300)
{
	struct remote_args a = {
		.caller = variant->caller, .naming = variant->naming,
		.t = &self->t, .fd = self->fd,
		.in_target_userns = variant->target == TARGET_child_userns,
	};
	long before = 0, after = 0;
	struct verdict v;

	if (self->t.alive) {
		before = status_field(self->t.pid, self->t.live, "Seccomp_filters");
		ASSERT_LE(0, before);
	}
	v = run_caller(remote_caller, &a);
	ASSERT_EQ(STEP_ATTACH, v.step)
		TH_LOG("caller setup failed at %s: %s",
		       v.step < 8 ? step_names[v.step] : "fork/report", errname(v.ret));
	EXPECT_EQ(-variant->expected, v.ret)
		TH_LOG("docs/permission-matrix.md says %s, the kernel answered %s",
		       variant->expected_name, errname(v.ret));
	if (self->t.alive) {
		after = status_field(self->t.pid, self->t.live, "Seccomp_filters");
		EXPECT_EQ(before + (v.ret == 0), after)
			TH_LOG("Seccomp_filters of the target went from %ld to %ld after %s",
			       before, after, errname(v.ret));
	}
}

/* ------------------------------------------------------------- self */

struct sibling {
	int ready;
};

static void *sibling_thread(void *arg)
{
	struct sibling *s = arg;
	pid_t tid = gettid();

	write_full(s->ready, &tid, sizeof(tid));
	park();
	return NULL;
}

struct self_args {
	enum caller caller;
	enum self_naming naming;
	int fd;
};

static int self_caller(void *arg, long *err)
{
	const struct self_args *a = arg;
	unsigned int flags = 0;
	struct sibling s;
	int step, p[2], pidfd = -1;
	pthread_t th;
	pid_t sib;

	step = become_caller(a->caller, 0, err);
	if (step)
		return step;
	/* The sibling is made after the privilege change, before NNP and the filter. */
	if (pipe2(p, O_CLOEXEC)) {
		*err = -errno;
		return STEP_SIBLING;
	}
	s.ready = p[1];
	*err = -pthread_create(&th, NULL, sibling_thread, &s);
	if (*err || (*err = read_full(p[0], &sib, sizeof(sib))))
		return STEP_SIBLING;
	if (a->caller == CALLER_confined) {
		step = confine(err);
		if (step)
			return step;
	}

	switch (a->naming) {
	case SELF_self_thread_tsync:
		flags = SECCOMP_FILTER_FLAG_TSYNC;
		/* fallthrough */
	case SELF_self_thread:
		pidfd = PIDFD_SELF_THREAD;
		break;
	case SELF_self_group:
		pidfd = PIDFD_SELF_THREAD_GROUP;
		break;
	case SELF_own_process:
		pidfd = sys_pidfd_open(getpid(), 0);
		break;
	case SELF_own_thread:
		pidfd = sys_pidfd_open(gettid(), PIDFD_THREAD);
		break;
	case SELF_sibling_tsync:
		flags = SECCOMP_FILTER_FLAG_TSYNC;
		/* fallthrough */
	case SELF_sibling:
		pidfd = sys_pidfd_open(sib, PIDFD_THREAD);
		break;
	}
	if (pidfd == -1) {
		*err = -errno;
		return STEP_PIDFD;
	}
	*err = attach_filter(pidfd, a->fd, flags);
	return STEP_ATTACH;
}

FIXTURE_SETUP(self)
{
	self->fd = -1;
	if (geteuid() != 0)
		SKIP(return, "the matrix needs root to make its callers");
	self->fd = create_probe_filter(PROBE_ERRNO, SECCOMP_RET_ERRNO | EDOM, 0);
	ASSERT_LE(0, self->fd) TH_LOG("creating the detached filter: %s", errname(self->fd));
}

FIXTURE_TEARDOWN(self)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F_TIMEOUT(self, attach, 300)
{
	struct self_args a = {
		.caller = variant->caller, .naming = variant->naming, .fd = self->fd,
	};
	struct verdict v = run_caller(self_caller, &a);

	ASSERT_EQ(STEP_ATTACH, v.step)
		TH_LOG("caller setup failed at %s: %s",
		       v.step < 8 ? step_names[v.step] : "fork/report", errname(v.ret));
	EXPECT_EQ(-variant->expected, v.ret)
		TH_LOG("docs/permission-matrix.md says %s, the kernel answered %s",
		       variant->expected_name, errname(v.ret));
}

int main(int argc, char **argv)
{
	setuid_helper_main(argc, argv);
	return test_harness_run(argc, argv);
}
