// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded races of SECCOMP_ATTACH_FILTER, STRESS_N(10000) iterations each,
 * with the outcome counts printed. They extend the kernel series' own
 * seccomp_detached_races.c (which races attach against the target's own
 * filters, its exit, thread creation, fork, and other attachers) with:
 * exit and fork at volume with their invariants counted, execve() of a
 * setuid program, the target's own TSYNC, the filter fd's last close from
 * a thread sharing the fd table, notifications pending while the fd
 * closes, and the fd in flight over SCM_RIGHTS when its sender dies.
 *
 * Every race ends with its tasks reaped and fds closed, then checks kernel
 * memory: unreclaimable slab back at its baseline after bounded RCU grace
 * periods, and kmemleak clean where the kernel has it (see stress.h).
 */
#include "stress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "kselftest_harness.h"

#define ITERATIONS	STRESS_N(10000)
/*
 * Unreclaimable slab allowed to stay after a race: slab pages kept by the
 * caches it warmed up (up to about 200 kB seen after settling). A leak of
 * one node or filter (>= 256 bytes) in half the iterations of the full form
 * is above it; rarer leaks are kmemleak's to find, on the debug kernels.
 */
#define SLACK_KB	1024
/* A hang fails its race by name; the full form's limit covers a debug kernel under TCG. */
#define TIMEOUT		(STRESS_DIVISOR == 1 ? 6000 : 900)

static int outcome_slot(long ret)
{
	return ret > 0 ? 0 : (int)-ret;		/* slot 0: success or a tid */
}

struct tally {
	long n[140];
};

static void tally_add(struct tally *t, long ret)
{
	int s = outcome_slot(ret);

	if (s >= 0 && s < 140)
		t->n[s]++;
}

static void tally_print(const char *what, const struct tally *t)
{
	int i;

	printf("# %s:", what);
	for (i = 0; i < 140; i++)
		if (t->n[i])
			printf(" %ld %s", t->n[i], i ? errname(-i) : "0");
	printf("\n");
}

static pid_t fork_parked(bool nnp, int threads);

static void *park_thread(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* A root child that parks (with @threads more threads); its pid. */
static pid_t fork_parked(bool nnp, int threads)
{
	int p[2], i;
	pthread_t t;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(10);
		for (i = 0; i < threads; i++)
			if (pthread_create(&t, NULL, park_thread, NULL))
				_exit(11);
		write_full(p[1], "r", 1);
		park_thread(NULL);
	}
	close(p[1]);
	if (pid > 0 && read_full(p[0], &c, 1))
		pid = -EPIPE;
	close(p[0]);
	return pid;
}

static void end_child(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

FIXTURE(race) {
	struct mem_baseline mem;
};

FIXTURE_SETUP(race)
{
	if (geteuid() != 0)
		SKIP(return, "the races need root (unprivileged callers are made from it)");
	mem_baseline(&self->mem);
}

FIXTURE_TEARDOWN(race)
{
}

#define MEM_CHECK(what) \
	EXPECT_EQ(0, mem_check(&self->mem, what, SLACK_KB))

/* ------------------------------------------------ attach vs target exit */

TEST_F_TIMEOUT(race, attach_vs_target_exit, TIMEOUT)
{
	struct tally t = { 0 };
	int fd, i, pidfd, bad = 0;
	pid_t pid;
	long ret;

	fd = create_probe_filter(PROBE_ERRNO, SECCOMP_RET_ERRNO | EDOM, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ITERATIONS; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int k;

			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			for (k = 0; k < i % 8; k++)
				getppid();
			_exit(0);
		}
		pidfd = sys_pidfd_open(pid, i % 3 ? 0 : PIDFD_THREAD);
		ASSERT_LE(0, pidfd);
		ret = attach_filter(pidfd, fd, i % 5 ? 0 : SECCOMP_FILTER_FLAG_TSYNC);
		tally_add(&t, ret);
		if (ret != 0 && ret != -ESRCH && ret != -EACCES && !bad++)
			TH_LOG("iteration %d: attach answered %s", i, errname(ret));
		/* EACCES: the child had not set no_new_privs yet (root has CAP_SYS_ADMIN: never). */
		close(pidfd);
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	}
	close(fd);
	tally_print("attach vs exit", &t);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, t.n[EACCES]);
	MEM_CHECK("attach vs exit");
}

/* ------------------------------------------------ attach vs setuid execve */

/*
 * A caller of uid 1000 attaches to its own child while that child (uid
 * 1000, no no_new_privs, no capabilities) runs execve() of a setuid-root
 * program. With CAP_SYS_ADMIN (and no CAP_SYS_PTRACE) the caller may attach
 * before the exec and not after (the ptrace check refuses the privileged
 * program); without, it may never. The program reports its own Seccomp
 * state first thing in main() and again once the attach has returned: a
 * filter must be there at the first report if and only if the attach
 * succeeded, and none may appear later; every round's program must have run
 * privileged. What userspace cannot see is an attach that passed its check
 * before the exec and installed the filter after commit_creds() but before
 * main(): the unprivileged caller's rounds catch that class (any success
 * fails them), and the cred_guard_mutex argument in the series covers it.
 */
struct setuid_outcome {
	long ret;
	struct setuid_report first, second;
	int status;
};

static int setuid_round(const char *path, int fd, int delay,
			struct setuid_outcome *o)
{
	int go[2], rep[2], ctl[2], pidfd;
	char c = 'g', rs[16], ws[16];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) || pipe(rep) || pipe(ctl))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		cap_t none = cap_init();

		close(go[1]);
		close(rep[0]);
		close(ctl[1]);
		if (!none || cap_set_proc(none))
			_exit(20);
		snprintf(rs, sizeof(rs), "%d", ctl[0]);
		snprintf(ws, sizeof(ws), "%d", rep[1]);
		if (read_full(go[0], &c, 1))
			_exit(21);
		execl(path, path, SETUID_HELPER_ARG, rs, ws, (char *)NULL);
		_exit(22);
	}
	close(go[0]);
	close(rep[1]);
	close(ctl[0]);
	pidfd = sys_pidfd_open(pid, 0);
	if (pidfd < 0)
		return -errno;
	write_full(go[1], &c, 1);
	/* Spread the attach over the child's way through execve(). */
	while (delay--)
		syscall(__NR_getppid);
	o->ret = attach_filter(pidfd, fd, 0);
	if (read_full(rep[0], &o->first, sizeof(o->first)))
		o->first.euid = -1;
	write_full(ctl[1], &c, 1);
	if (read_full(rep[0], &o->second, sizeof(o->second)))
		o->second.euid = -1;
	waitpid(pid, &o->status, 0);
	close(pidfd);
	close(go[1]);
	close(rep[0]);
	close(ctl[1]);
	return 0;
}

/* In a forked child: become uid 1000 (with CAP_SYS_ADMIN if @admin), run the rounds. */
static void setuid_attacher(const char *path, bool admin, int rounds, int out)
{
	struct tally t = { 0 };
	struct setuid_outcome o;
	int i, fd, bad = 0, skipped = 0;
	char msg[200] = "";

	fd = create_probe_filter(PROBE_ERRNO, SECCOMP_RET_ERRNO | EDOM, 0);
	if (fd < 0 || drop_to_with_cap(UID_A, admin ? CAP_SYS_ADMIN : -1))
		_exit(30);
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		_exit(31);
	for (i = 0; i < rounds; i++) {
		memset(&o, 0, sizeof(o));
		if (setuid_round(path, fd, (i % 32) * 40, &o))
			_exit(32);
		tally_add(&t, o.ret);
		if (o.first.euid != 0 || o.first.ruid != UID_A) {
			/* Not privileged, or no report: the exec failed or the program died. */
			if (!skipped++ && !bad++)
				snprintf(msg, sizeof(msg),
					 "round %d: attach %s, the setuid program reported euid %d ruid %d, status %#x",
					 i, errname(o.ret), o.first.euid, o.first.ruid, o.status);
			continue;
		}
		if ((o.ret == 0) != (o.first.filters == 1) ||
		    o.second.filters != o.first.filters ||
		    !(o.ret == 0 || o.ret == -EPERM || (!admin && o.ret == -EACCES)) ||
		    (!admin && o.ret == 0) || !WIFEXITED(o.status) || WEXITSTATUS(o.status)) {
			if (!bad++)
				snprintf(msg, sizeof(msg),
					 "round %d: attach %s, setuid program saw %ld then %ld filters, status %#x",
					 i, errname(o.ret), o.first.filters, o.second.filters, o.status);
		}
	}
	printf("# %s caller:", admin ? "CAP_SYS_ADMIN" : "unprivileged");
	for (i = 0; i < 140; i++)
		if (t.n[i])
			printf(" %ld %s", t.n[i], i ? errname(-i) : "0 (filter there at the first report)");
	printf("; %d rounds where the program was not privileged\n", skipped);
	if (bad)
		printf("# %d violations, the first: %s\n", bad, msg);
	fflush(stdout);
	_exit(skipped == rounds ? 2 : bad ? 1 : 0);
}

TEST_F_TIMEOUT(race, attach_vs_setuid_execve, TIMEOUT)
{
	char path[64];
	int admin, status;
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/attach-races-setuid.%d", getpid());
	ASSERT_EQ(0, make_setuid_copy(path));
	for (admin = 1; admin >= 0; admin--) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			setuid_attacher(path, admin, ITERATIONS / 2, 1);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
			unlink(path);
			SKIP(return, "the setuid program never ran privileged (nosuid /tmp?)");
		}
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("%s attacher ended with status %#x",
			       admin ? "CAP_SYS_ADMIN" : "unprivileged", status);
	}
	unlink(path);
	MEM_CHECK("attach vs setuid execve");
}

/* ------------------------------------------------ attach vs TSYNC in target */

#define TSYNC_PER_ROUND	16

/*
 * The target's leader installs TSYNC_PER_ROUND filters of its own with
 * TSYNC while the test attaches as many detached filters by process pidfd
 * (with or without TSYNC); in every other round one of them goes to a
 * thread pidfd of the other thread instead, which makes that thread
 * diverge, so the TSYNCs and process attaches after it fail. Both sides
 * wait a number of null syscalls that varies with the round and the call
 * before each of theirs, and the thread attach waits until the target has
 * made a number of its TSYNCs that sweeps its whole sequence over the
 * rounds, so that the divergence falls before, among and after them; the
 * counts show where it fell, and it must have fallen among them.
 *
 * Every answer is the one expected for its place: 0 before the divergence
 * (and in even rounds), after it the other thread's tid with TSYNC and
 * ESRCH without. Every filter is accounted for, on both threads: the
 * leader has its own successful TSYNCs plus the successful process
 * attaches; the other thread the same in even rounds, one more (the
 * thread attach) in odd ones, since every success came before the
 * divergence.
 */
struct tsync_target {
	int go, report;
	pthread_t other;
};

static void *tsync_other(void *arg)
{
	return park_thread(arg);
}

/* @n null syscalls: a delay that moves one side of a race against the other. */
static void spread(int n)
{
	while (n-- > 0)
		syscall(__NR_getppid);
}

/*
 * The TSYNC target: sends its other thread's tid, runs its own TSYNCs when
 * told, sends their results. Exit codes: 10 setup, 11 no go, 12 a TSYNC
 * failed, 13 a report could not be sent.
 */
static void tsync_target_main(int go, int report, int round)
{
	long res[2] = { 0, 0 };	/* successes, thread ids */
	pthread_t th;
	pid_t tid;
	char c;
	int i;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    pthread_create(&th, NULL, tsync_other, NULL))
		_exit(10);
	/* The other thread's tid, for the test's thread pidfd. */
	tid = 0;
	while (!tid) {
		char path[64];
		DIR *d;
		struct dirent *e;

		snprintf(path, sizeof(path), "/proc/self/task");
		d = opendir(path);
		while (d && (e = readdir(d)))
			if (atoi(e->d_name) > 0 && atoi(e->d_name) != gettid())
				tid = atoi(e->d_name);
		if (d)
			closedir(d);
	}
	if (write_full(report, &tid, sizeof(tid)))
		_exit(13);
	if (read_full(go, &c, 1))
		_exit(11);
	for (i = 0; i < TSYNC_PER_ROUND; i++) {
		struct sock_filter insns[4];
		struct sock_fprog prog = { .filter = insns };
		long r;

		spread((round * 7 + i * 13) % 40);
		prog.len = probe_prog(insns, -1, SECCOMP_RET_ALLOW);
		r = sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
		if (r == 0)
			res[0]++;
		else if (r > 0)
			res[1]++;
		else
			_exit(12);
	}
	if (write_full(report, res, sizeof(res)))
		_exit(13);
	read_full(go, &c, 1);
	_exit(0);
}

/* The target sent no report: reap it, say how it ended, fail. */
static void tsync_target_lost(struct __test_metadata *_metadata, pid_t pid, int round)
{
	int st = 0;

	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	TH_LOG("round %d: the TSYNC target sent no report; it %s %d", round,
	       WIFEXITED(st) ? "exited with" : "was killed by signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	ASSERT_TRUE(0);
}

TEST_F_TIMEOUT(race, attach_vs_tsync_in_target, TIMEOUT)
{
	int fds[TSYNC_PER_ROUND], rounds = ITERATIONS / TSYNC_PER_ROUND;
	struct tally t = { 0 };
	long own_ok = 0, own_tid = 0, res[2], expect, where[3] = { 0, 0, 0 };
	int r, i, go[2], rep[2], pidfd, tpidfd, bad = 0;
	long leader_before, leader_after, other_before, other_after, proc_ok;
	pid_t pid, other;
	unsigned int flags;
	long ret;

	for (i = 0; i < TSYNC_PER_ROUND; i++) {
		fds[i] = create_probe_filter(PROBE_ERRNO, SECCOMP_RET_ERRNO | EDOM, 0);
		ASSERT_LE(0, fds[i]);
	}
	for (r = 0; r < rounds; r++) {
		ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
		ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(go[1]);
			close(rep[0]);
			tsync_target_main(go[0], rep[1], r);
		}
		close(go[0]);
		close(rep[1]);
		if (read_full(rep[0], &other, sizeof(other)))
			tsync_target_lost(_metadata, pid, r);
		pidfd = sys_pidfd_open(pid, 0);
		tpidfd = sys_pidfd_open(other, PIDFD_THREAD);
		ASSERT_LE(0, pidfd);
		ASSERT_LE(0, tpidfd);
		leader_before = status_field(pid, pid, "Seccomp_filters");
		other_before = status_field(pid, other, "Seccomp_filters");
		proc_ok = 0;
		ASSERT_EQ(0, write_full(go[1], "g", 1));
		for (i = 0; i < TSYNC_PER_ROUND; i++) {
			flags = (i + r) % 4 == 1 ? SECCOMP_FILTER_FLAG_TSYNC : 0;
			spread((r * 11 + i * 5) % 40);
			if (r % 2 && i == TSYNC_PER_ROUND / 2) {
				/*
				 * Let the target's own TSYNCs get ahead by a
				 * number that sweeps 0..TSYNC_PER_ROUND over the
				 * odd rounds, so that the divergence lands at
				 * every point of its sequence, racing the next.
				 */
				long want = leader_before + proc_ok + r / 2 % (TSYNC_PER_ROUND + 1), f;
				struct pollfd exited = { .fd = pidfd, .events = POLLIN };

				/* a target that died early fails below, not here */
				do
					f = status_field(pid, pid, "Seccomp_filters");
				while (f >= 0 && f < want && !poll(&exited, 1, 0));
				ret = attach_filter(tpidfd, fds[i], 0);
				expect = 0;
			} else {
				ret = attach_filter(pidfd, fds[i], flags);
				proc_ok += ret == 0;
				expect = !(r % 2) || i < TSYNC_PER_ROUND / 2 ? 0 :
					 flags & SECCOMP_FILTER_FLAG_TSYNC ? other : -ESRCH;
			}
			tally_add(&t, ret);
			if (ret != expect && !bad++)
				TH_LOG("round %d, attach %d (flags %#x): answered %s (%ld), expected %ld",
				       r, i, flags, errname(ret), ret, expect);
		}
		if (read_full(rep[0], res, sizeof(res)))
			tsync_target_lost(_metadata, pid, r);
		own_ok += res[0];
		own_tid += res[1];
		/*
		 * In odd rounds, where the target's own TSYNCs fell against the
		 * thread attach: all before it, some on each side, all after.
		 */
		if (r % 2)
			where[res[0] == TSYNC_PER_ROUND ? 0 : res[0] ? 1 : 2]++;
		leader_after = status_field(pid, pid, "Seccomp_filters");
		other_after = status_field(pid, other, "Seccomp_filters");
		if (leader_after != leader_before + res[0] + proc_ok && !bad++)
			TH_LOG("round %d: leader has %ld filters, expected %ld + %ld own + %ld attached",
			       r, leader_after, leader_before, res[0], proc_ok);
		if (other_after != other_before + res[0] + proc_ok + r % 2 && !bad++)
			TH_LOG("round %d: the other thread has %ld filters, expected %ld + %ld own + %ld attached + %d",
			       r, other_after, other_before, res[0], proc_ok, r % 2);
		close(go[1]);
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
		close(rep[0]);
		close(pidfd);
		close(tpidfd);
	}
	for (i = 0; i < TSYNC_PER_ROUND; i++)
		close(fds[i]);
	tally_print("attach vs TSYNC: attach", &t);
	printf("# attach vs TSYNC: the target's own TSYNC: %ld 0, %ld thread ids\n",
	       own_ok, own_tid);
	printf("# attach vs TSYNC: odd rounds with the target's TSYNCs all before the thread attach: %ld, on both sides of it: %ld, all after it: %ld\n",
	       where[0], where[1], where[2]);
	EXPECT_EQ(0, bad);
	/* 300 odd rounds in the full form; the quick one's 15 may all miss. */
	if (STRESS_DIVISOR == 1)
		EXPECT_LT(0, where[1]) TH_LOG("no thread attach fell among the target's TSYNCs");
	MEM_CHECK("attach vs TSYNC");
}

/* ------------------------------------------------ attach vs fork */

/*
 * The target forks in a loop; the test attaches to the whole process and
 * then raises a flag. A child forked after the target saw the flag must
 * carry the filter; one forked before may or may not.
 */
TEST_F_TIMEOUT(race, attach_vs_fork, TIMEOUT)
{
	atomic_int *flag;
	long forks = 0, inherited = 0, bad = 0, attached = 0;
	int fd, i, ready[2], rep[2], pidfd, status;
	long counts[3];
	pid_t pid;
	long ret;
	char c;

	flag = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, flag);
	fd = create_probe_filter(PROBE_ERRNO, SECCOMP_RET_ERRNO | EDOM, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ITERATIONS; i++) {
		atomic_store(flag, 0);
		ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
		ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			long n[3] = { 0, 0, 0 };	/* forks, inherited, violations */
			bool seen;

			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			write_full(ready[1], "r", 1);
			do {
				int st;
				pid_t k;

				seen = atomic_load(flag);
				k = fork();
				if (k < 0)
					_exit(10);
				if (k == 0) {
					long f = status_field(getpid(), 0, "Seccomp_filters");

					_exit(f > 0 ? 1 : (seen ? 2 : 0));
				}
				waitpid(k, &st, 0);
				n[0]++;
				n[1] += WEXITSTATUS(st) == 1;
				n[2] += WEXITSTATUS(st) == 2;
			} while (!seen);
			write_full(rep[1], n, sizeof(n));
			_exit(0);
		}
		close(ready[1]);
		close(rep[1]);
		ASSERT_EQ(0, read_full(ready[0], &c, 1));
		pidfd = sys_pidfd_open(pid, 0);
		ASSERT_LE(0, pidfd);
		ret = attach_filter(pidfd, fd, 0);
		atomic_store(flag, 1);
		ASSERT_EQ(0, ret) TH_LOG("iteration %d: attach answered %s", i, errname(ret));
		attached++;
		ASSERT_EQ(0, read_full(rep[0], counts, sizeof(counts)));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		forks += counts[0];
		inherited += counts[1];
		bad += counts[2];
		close(pidfd);
		close(ready[0]);
		close(rep[0]);
	}
	close(fd);
	munmap(flag, 4096);
	printf("# attach vs fork: %ld attaches, %ld forks, %ld children inherited the filter, %ld forked after it and lack it\n",
	       attached, forks, inherited, bad);
	EXPECT_EQ(0, bad);
	MEM_CHECK("attach vs fork");
}

/* ------------------------------------------------ last close vs attach */

/*
 * One thread attaches a fresh filter fd to a parked process while another
 * thread of the same process (same fd table) closes that fd: the attach
 * either took its reference first (0) or finds no fd (EBADF). The victim's
 * filter count must equal the successes.
 */
struct close_race {
	pthread_barrier_t start, done;
	int fd, pidfd, rounds;
	long ret;
};

static void *close_race_attacher(void *arg)
{
	struct close_race *cr = arg;
	int i;

	for (i = 0; i < cr->rounds; i++) {
		pthread_barrier_wait(&cr->start);
		cr->ret = attach_filter(cr->pidfd, cr->fd, 0);
		pthread_barrier_wait(&cr->done);
	}
	return NULL;
}

#define VICTIM_ROUNDS	1000

TEST_F_TIMEOUT(race, last_close_vs_attach_in_sibling_thread, TIMEOUT)
{
	struct close_race cr;
	struct tally t = { 0 };
	long ok = 0, bad = 0, f;
	int i, left = ITERATIONS;
	pthread_t th;
	pid_t victim;

	while (left > 0) {
		cr.rounds = left < VICTIM_ROUNDS ? left : VICTIM_ROUNDS;
		left -= cr.rounds;
		victim = fork_parked(true, 0);
		ASSERT_LT(0, victim);
		cr.pidfd = sys_pidfd_open(victim, 0);
		ASSERT_LE(0, cr.pidfd);
		pthread_barrier_init(&cr.start, NULL, 2);
		pthread_barrier_init(&cr.done, NULL, 2);
		ASSERT_EQ(0, pthread_create(&th, NULL, close_race_attacher, &cr));
		ok = 0;
		for (i = 0; i < cr.rounds; i++) {
			cr.fd = create_probe_filter(-1, SECCOMP_RET_ALLOW, 0);
			ASSERT_LE(0, cr.fd);
			pthread_barrier_wait(&cr.start);
			close(cr.fd);
			pthread_barrier_wait(&cr.done);
			tally_add(&t, cr.ret);
			ok += cr.ret == 0;
			if (cr.ret != 0 && cr.ret != -EBADF && !bad++)
				TH_LOG("attach racing close answered %s", errname(cr.ret));
		}
		pthread_join(th, NULL);
		pthread_barrier_destroy(&cr.start);
		pthread_barrier_destroy(&cr.done);
		f = status_field(victim, 0, "Seccomp_filters");
		if (f != ok && !bad++)
			TH_LOG("the victim has %ld filters after %ld successful attaches", f, ok);
		close(cr.pidfd);
		end_child(victim);
	}
	tally_print("last close vs attach", &t);
	EXPECT_EQ(0, bad);
	MEM_CHECK("last close vs attach");
}

/* ------------------------------------------------ notifications vs close */

/*
 * A listener is attached to a child, which then calls the notifying
 * syscall; the test closes the only fd at a varying point: at once, after
 * the notification is pending (poll), or after receiving it. The child's
 * syscall must end with ENOSYS every time, and the child must not hang.
 */
#define NOTIF_PER_CHILD	100

static void notif_child(int go, int report)
{
	long r;
	char c;

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	while (!read_full(go, &c, 1)) {
		r = syscall(PROBE_NOTIF, 0);
		r = r < 0 ? -errno : r;
		if (write_full(report, &r, sizeof(r)))
			_exit(10);
	}
	_exit(0);
}

TEST_F_TIMEOUT(race, pending_notification_vs_close, TIMEOUT)
{
	struct seccomp_notif *req;
	struct seccomp_notif_sizes sizes;
	struct tally t = { 0 }, how = { 0 };
	int i, fd, go[2], rep[2], pidfd = -1, bad = 0;
	pid_t child = 0;
	struct pollfd pfd;
	long ret, r;

	ASSERT_EQ(0, sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes));
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	ASSERT_NE(NULL, req);
	for (i = 0; i < ITERATIONS; i++) {
		if (i % NOTIF_PER_CHILD == 0) {
			if (child) {
				close(go[1]);
				close(rep[0]);
				close(pidfd);
				ASSERT_EQ(child, waitpid(child, NULL, 0));
			}
			ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
			ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
			child = fork();
			ASSERT_LE(0, child);
			if (child == 0) {
				close(go[1]);
				close(rep[0]);
				notif_child(go[0], rep[1]);
			}
			close(go[0]);
			close(rep[1]);
			pidfd = sys_pidfd_open(child, 0);
			ASSERT_LE(0, pidfd);
		}
		fd = create_probe_filter(PROBE_NOTIF, SECCOMP_RET_USER_NOTIF, 0);
		ASSERT_LE(0, fd);
		ret = attach_filter(pidfd, fd, 0);
		ASSERT_EQ(0, ret) TH_LOG("iteration %d: attaching the listener: %s", i, errname(ret));
		ASSERT_EQ(0, write_full(go[1], "g", 1));
		switch (i % 3) {
		case 0:		/* close at once: before, during or after the syscall entry */
			spread((i / 3) % 64);
			break;
		case 1:		/* once a notification is pending */
			pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
			if (poll(&pfd, 1, -1) != 1 && !bad++)
				TH_LOG("iteration %d: poll: %s", i, strerror(errno));
			break;
		case 2:		/* once it has been received and not answered */
			memset(req, 0, sizes.seccomp_notif);
			if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) && !bad++)
				TH_LOG("iteration %d: NOTIF_RECV: %s", i, strerror(errno));
			break;
		}
		tally_add(&how, -(i % 3));
		close(fd);
		ASSERT_EQ(0, read_full(rep[0], &r, sizeof(r)));
		tally_add(&t, r);
		if (r != -ENOSYS && !bad++)
			TH_LOG("iteration %d (close %s): the notifying syscall returned %s",
			       i, i % 3 == 0 ? "at once" : i % 3 == 1 ? "when pending" : "after RECV",
			       errname(r));
	}
	close(go[1]);
	close(rep[0]);
	close(pidfd);
	ASSERT_EQ(child, waitpid(child, NULL, 0));
	free(req);
	printf("# notifications vs close: %ld closed at once, %ld while pending, %ld after RECV\n",
	       how.n[0], how.n[1], how.n[2]);
	tally_print("notifications vs close: the notifying syscall", &t);
	EXPECT_EQ(0, bad);
	MEM_CHECK("notifications vs close");
}

/* ------------------------------------------------ SCM_RIGHTS, sender dies */

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -errno;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * A child creates a filter (a listener or not), attaches it to itself or
 * not, sends the fd and exits. The test then, by turns: receives it and
 * attaches it to a parked process (every 100th iteration) and closes it;
 * receives and closes it; closes the socket with the fd still in flight;
 * or puts the receiving socket in flight on itself too, so that only the
 * unix garbage collector can free the cycle. Half the time it waits for
 * the sender to be dead first, half the time it races its exit. The four
 * choices take their turns at different paces (i % 4, i / 4, i / 8,
 * i / 16), so every combination of them comes round.
 */
TEST_F_TIMEOUT(race, scm_rights_in_flight_when_sender_dies, TIMEOUT)
{
	struct tally t = { 0 };
	long modes[4] = { 0 };
	int i, sv[2], fd, pidfd = -1, bad = 0, attached = 0, status;
	bool listener, self_attached, waited;
	pid_t sender, victim = 0;
	long ret;

	for (i = 0; i < ITERATIONS; i++) {
		if (i % VICTIM_ROUNDS == 0) {
			if (victim) {
				close(pidfd);
				end_child(victim);
			}
			victim = fork_parked(true, 0);
			ASSERT_LT(0, victim);
			pidfd = sys_pidfd_open(victim, 0);
			ASSERT_LE(0, pidfd);
		}
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
		waited = (i / 4) % 2;
		listener = (i / 8) % 2;
		self_attached = (i / 16) % 2;
		sender = fork();
		ASSERT_LE(0, sender);
		if (sender == 0) {
			int f;

			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			f = listener ? create_probe_filter(PROBE_NOTIF, SECCOMP_RET_USER_NOTIF, 0)
				     : create_probe_filter(PROBE_ERRNO, SECCOMP_RET_ERRNO | EDOM, 0);
			if (f < 0)
				_exit(10);
			if (self_attached && attach_filter(PIDFD_SELF_THREAD, f, 0))
				_exit(11);
			_exit(send_fd(sv[1], f) ? 12 : 0);
		}
		if (waited) {
			ASSERT_EQ(sender, waitpid(sender, &status, 0));
			ASSERT_EQ(0, status) TH_LOG("iteration %d: sender status %#x", i, status);
		}
		switch (i % 4) {
		case 0:
			fd = recv_fd(sv[0]);
			ASSERT_LE(0, fd) TH_LOG("iteration %d: recvmsg: %s", i, errname(fd));
			/*
			 * Every 100th: into the victim (a new one every
			 * VICTIM_ROUNDS iterations). A listener is refused
			 * (EBUSY) by a victim that has one already.
			 */
			ret = i % 100 ? 0 : attach_filter(pidfd, fd, 0);
			tally_add(&t, ret);
			attached += i % 100 == 0 && ret == 0;
			if (ret && !(ret == -EBUSY && listener) && !bad++)
				TH_LOG("iteration %d: attaching the received fd: %s", i, errname(ret));
			close(fd);
			break;
		case 1:
			fd = recv_fd(sv[0]);
			ASSERT_LE(0, fd) TH_LOG("iteration %d: recvmsg: %s", i, errname(fd));
			close(fd);
			break;
		case 2:
			break;
		case 3:
			/* sv[0] in flight on its own queue: a cycle for the GC. */
			ASSERT_EQ(0, send_fd(sv[1], sv[0]));
			break;
		}
		modes[i % 4]++;
		close(sv[0]);
		close(sv[1]);
		if (!waited) {
			ASSERT_EQ(sender, waitpid(sender, &status, 0));
			ASSERT_EQ(0, status) TH_LOG("iteration %d: sender status %#x", i, status);
		}
	}
	close(pidfd);
	end_child(victim);
	printf("# SCM_RIGHTS: %ld received and attached/closed, %ld received and closed, %ld dropped in flight, %ld in a GC cycle; %d attached\n",
	       modes[0], modes[1], modes[2], modes[3], attached);
	EXPECT_EQ(0, bad);
	MEM_CHECK("SCM_RIGHTS in flight");
}

int main(int argc, char **argv)
{
	setuid_helper_main(argc, argv);
	return test_harness_run(argc, argv);
}
