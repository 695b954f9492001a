// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer of SECCOMP_SET_MODE_FILTER | SECCOMP_FILTER_FLAG_DETACHED
 * and SECCOMP_ATTACH_FILTER: several worker processes (root, unprivileged
 * with no_new_privs, unprivileged under their own filter), each with several
 * threads, make random calls with random fds, pidfds of live, dead, foreign
 * and kernel tasks, random flags, struct sizes and bytes, unmapped and
 * read-only memory, while other threads close and replace the same fds.
 *
 * Every answer must be success or an errno that docs/semantics.md lists for
 * that call; some inputs must get one errno exactly (unknown seccomp(2)
 * flags: EINVAL; an unreadable struct: EFAULT). Anything else fails the run
 * and names the call. The seed is printed; STRESS_SEED=N reproduces a run's
 * per-thread call sequences (their interleaving is the scheduler's).
 *
 * Every filter the fuzzer can create acts only on two probe syscalls that
 * nothing here calls (ERRNO on getpgid, USER_NOTIF on getsid, LOG on
 * getpgid) and allows everything else, so a filter that lands on a worker,
 * a victim or any other task never changes what it does.
 */
#include "stress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/random.h>

#include "kselftest_harness.h"

#define FUZZ_CALLS	STRESS_N(120000)	/* over all workers and threads */
#define WORKERS		4
#define THREADS		3
#define SLOTS		24
#define MAX_ERRNO	134

#define FLAG_TSYNC	SECCOMP_FILTER_FLAG_TSYNC
#define FLAG_ESRCH	SECCOMP_FILTER_FLAG_TSYNC_ESRCH

/* Counters of all workers, in a shared mapping. */
struct fuzz_stats {
	atomic_long attach_ok, attach_tid, create_ok, closes;
	atomic_long attach_err[MAX_ERRNO + 1];
	atomic_long create_err[MAX_ERRNO + 1];
	atomic_long bad;
	atomic_int bad_msg_taken;
	char bad_msg[512];
};

/* Tasks the fuzzer aims at; their pids stay valid for the whole run. */
struct fuzz_world {
	pid_t pids[16];		/* victims, zombie, dead, kthreadd, workers */
	int nr_pids;
	struct fuzz_stats *stats;
	unsigned long long seed;
};

struct fuzz_thread {
	const struct fuzz_world *w;
	int *slots;			/* the worker's fd pool, shared by its threads */
	unsigned long long rng;
	long calls;
	char *page;			/* two writable pages */
	char *ro;			/* one read-only page */
	char *guard;			/* a writable page followed by an unmapped one */
	char *unmapped;
};

static unsigned long long splitmix(unsigned long long *x)
{
	unsigned long long z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd(struct fuzz_thread *t, unsigned int n)
{
	return splitmix(&t->rng) % n;
}

static void bad(struct fuzz_thread *t, const char *fmt, ...)
{
	struct fuzz_stats *s = t->w->stats;
	va_list ap;

	atomic_fetch_add(&s->bad, 1);
	if (atomic_exchange(&s->bad_msg_taken, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(s->bad_msg, sizeof(s->bad_msg), fmt, ap);
	va_end(ap);
}

/* One of the safe programs (see the file comment) into @insns; its length. */
static unsigned short safe_prog(struct fuzz_thread *t, struct sock_filter *insns)
{
	switch (rnd(t, 5)) {
	case 0:
		return probe_prog(insns, -1, SECCOMP_RET_ALLOW);
	case 1:
		return probe_prog(insns, PROBE_ERRNO, SECCOMP_RET_ERRNO | EDOM);
	case 2:
		return probe_prog(insns, PROBE_NOTIF, SECCOMP_RET_USER_NOTIF);
	case 3:
		return probe_prog(insns, PROBE_ERRNO, SECCOMP_RET_LOG);
	default:
		/* A "RET A" program: a listener by the creation rule. */
		insns[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				offsetof(struct seccomp_data, nr));
		insns[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				PROBE_NOTIF, 0, 2);
		insns[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM,
				SECCOMP_RET_USER_NOTIF);
		insns[3] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
		insns[4] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
				SECCOMP_RET_ALLOW);
		return 5;
	}
}

/* A fresh fd for a slot: a safe filter or a pidfd of some task; -errno. */
static int fresh_resource(struct fuzz_thread *t)
{
	const struct fuzz_world *w = t->w;
	struct sock_filter insns[8];
	struct sock_fprog prog = { .filter = insns };
	int fd;

	switch (rnd(t, 4)) {
	case 0:
	case 1:
		prog.len = safe_prog(t, insns);
		fd = sys_seccomp(SECCOMP_SET_MODE_FILTER,
				 SECCOMP_FILTER_FLAG_DETACHED, &prog);
		break;
	case 2:
		fd = sys_pidfd_open(w->pids[rnd(t, w->nr_pids)], 0);
		break;
	default:
		fd = sys_pidfd_open(w->pids[rnd(t, w->nr_pids)], PIDFD_THREAD);
		break;
	}
	return fd < 0 ? -errno : fd;
}

static int pick_fd(struct fuzz_thread *t)
{
	switch (rnd(t, 10)) {
	case 0:
		return rnd(t, 64);			/* any small fd */
	case 1:
		return (int)splitmix(&t->rng);		/* anything */
	default:
		return __atomic_load_n(&t->slots[rnd(t, SLOTS)], __ATOMIC_RELAXED);
	}
}

static unsigned int pick_flags(struct fuzz_thread *t)
{
	static const unsigned int common[] = {
		0, 0, 0, FLAG_TSYNC, FLAG_TSYNC, FLAG_TSYNC | FLAG_ESRCH, FLAG_ESRCH,
	};

	if (rnd(t, 10) < 8)
		return common[rnd(t, sizeof(common) / sizeof(common[0]))];
	return (unsigned int)splitmix(&t->rng) & (rnd(t, 2) ? 0xff : ~0u);
}

static bool attach_errno_documented(long err)
{
	switch (-err) {
	case EINVAL: case EFAULT: case E2BIG: case EBADF: case ESRCH:
	case EPERM: case EACCES: case EEXIST: case EBUSY: case ENOMEM:
	case EINTR:
		return true;
	}
	return false;
}

static void fuzz_attach(struct fuzz_thread *t)
{
	struct fuzz_stats *s = t->w->stats;
	struct seccomp_attach_filter a;
	unsigned int flags = pick_flags(t);
	bool flags_ok = !(flags & ~(FLAG_TSYNC | FLAG_ESRCH)) &&
			(!(flags & FLAG_ESRCH) || (flags & FLAG_TSYNC));
	bool must_fault = false;
	void *where;
	size_t room = 2 * 4096;
	unsigned int i;
	long ret;

	a.size = SECCOMP_ATTACH_FILTER_SIZE_VER0;
	switch (rnd(t, 10)) {
	case 0:
		a.size = rnd(t, 64);
		break;
	case 1:
		a.size = 4096 - 8 + rnd(t, 16);
		break;
	case 2:
		a.size = (__u32)splitmix(&t->rng);
		break;
	}
	switch (rnd(t, 10)) {
	case 0:
		a.pidfd = PIDFD_SELF_THREAD;
		break;
	case 1:
		a.pidfd = PIDFD_SELF_THREAD_GROUP;
		break;
	case 2:
		a.pidfd = -10005 + (int)rnd(t, 10010);
		break;
	default:
		a.pidfd = pick_fd(t);
	}
	a.filter_fd = pick_fd(t);
	a.flags = rnd(t, 10) ? 0 : (__u32)splitmix(&t->rng);

	switch (rnd(t, 12)) {
	case 0:
		where = NULL;
		must_fault = true;
		break;
	case 1:
		where = t->unmapped;
		must_fault = true;
		break;
	case 2:
		/* Read-only memory holds a struct written before mprotect(). */
		where = t->ro + 8 * rnd(t, 4);
		room = 4096 - 32;
		break;
	case 3:
		/* The struct ends at an unmapped page: big sizes fault or E2BIG. */
		where = t->guard + 4096 - sizeof(a) + 8 * rnd(t, 2);
		room = t->guard + 4096 - (char *)where;
		memcpy(where, &a, room < sizeof(a) ? room : sizeof(a));
		/* A size the kernel accepts makes it read past the mapping. */
		if (room < a.size && a.size >= SECCOMP_ATTACH_FILTER_SIZE_VER0 &&
		    a.size <= 4096)
			must_fault = true;
		break;
	default:
		where = t->page;
		memset(t->page, 0, 2 * 4096);
		memcpy(where, &a, sizeof(a));
		if (rnd(t, 4) == 0) {	/* a non-zero tail */
			i = sizeof(a) + rnd(t, 64);
			t->page[i] = 1 + rnd(t, 255);
		}
		break;
	}

	ret = sys_seccomp(SECCOMP_ATTACH_FILTER, flags, where);
	ret = ret < 0 ? -errno : ret;

	if (ret == 0) {
		atomic_fetch_add(&s->attach_ok, 1);
	} else if (ret > 0) {
		atomic_fetch_add(&s->attach_tid, 1);
		if (!(flags & FLAG_TSYNC) || (flags & FLAG_ESRCH) || !flags_ok)
			bad(t, "attach flags %#x returned a positive value %ld", flags, ret);
	} else {
		if (-ret <= MAX_ERRNO)
			atomic_fetch_add(&s->attach_err[-ret], 1);
		if (!attach_errno_documented(ret))
			bad(t, "attach flags %#x pidfd %d filter_fd %d size %u: undocumented %s",
			    flags, a.pidfd, a.filter_fd, a.size, errname(ret));
	}
	if (!flags_ok && ret != -EINVAL)
		bad(t, "attach with invalid seccomp(2) flags %#x answered %s, not EINVAL",
		    flags, errname(ret));
	else if (flags_ok && must_fault && ret != -EFAULT)
		bad(t, "attach with an unreadable struct at %p answered %s, not EFAULT",
		    where, errname(ret));
}

static void fuzz_create(struct fuzz_thread *t)
{
	static const unsigned int common[] = {
		0, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, FLAG_TSYNC,
		SECCOMP_FILTER_FLAG_NEW_LISTENER,
	};
	struct fuzz_stats *s = t->w->stats;
	struct sock_filter *insns = (void *)(t->page + 1024);
	struct sock_fprog *prog = (void *)t->page;
	unsigned int flags;
	void *where = prog;
	int fd, old, slot;
	long ret;

	flags = rnd(t, 10) < 8 ? common[rnd(t, 6)] : (unsigned int)splitmix(&t->rng);
	flags |= SECCOMP_FILTER_FLAG_DETACHED;
	prog->len = safe_prog(t, insns);
	prog->filter = insns;
	switch (rnd(t, 10)) {
	case 0:
		prog->len = 0;
		break;
	case 1:
		prog->len = 4097 + rnd(t, 60000);
		break;
	case 2:
		where = rnd(t, 2) ? NULL : t->unmapped;
		break;
	case 3:
		prog->filter = rnd(t, 2) ? NULL : (void *)t->unmapped;
		break;
	}

	fd = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, where);
	ret = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		atomic_fetch_add(&s->create_ok, 1);
		/* Into a random slot; what was there is closed. */
		slot = rnd(t, SLOTS);
		old = __atomic_exchange_n(&t->slots[slot], fd, __ATOMIC_RELAXED);
		close(old);
		return;
	}
	if (-ret <= MAX_ERRNO)
		atomic_fetch_add(&s->create_err[-ret], 1);
	if (ret != -EINVAL && ret != -EFAULT && ret != -EACCES)
		bad(t, "create flags %#x len %u: undocumented %s", flags, prog->len,
		    errname(ret));
}

/* Close a slot's fd under the other threads' feet, and maybe refill it. */
static void fuzz_close(struct fuzz_thread *t)
{
	int slot = rnd(t, SLOTS), fd = -1, old;

	if (rnd(t, 3))
		fd = fresh_resource(t);
	old = __atomic_exchange_n(&t->slots[slot], fd < 0 ? -1 : fd, __ATOMIC_RELAXED);
	if (old >= 0)
		close(old);
	atomic_fetch_add(&t->w->stats->closes, 1);
}

static void *fuzz_thread_main(void *arg)
{
	struct fuzz_thread *t = arg;
	long i;

	for (i = 0; i < t->calls; i++) {
		unsigned int c = rnd(t, 20);

		if (c < 15)
			fuzz_attach(t);
		else if (c < 19)
			fuzz_create(t);
		else
			fuzz_close(t);
	}
	return NULL;
}

/* A worker process: its kind, its pool, its threads. Never returns. */
static void worker(const struct fuzz_world *w, int idx, int start)
{
	struct fuzz_thread th[THREADS];
	pthread_t tid[THREADS];
	int slots[SLOTS], i;
	char *map, c;

	if (idx % 2) {
		if (drop_to(UID_A) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(10);
		/* The last odd worker is confined by a filter of its own. */
		if (idx == WORKERS - 1 && install_allow_filter(FLAG_TSYNC))
			_exit(11);
	}
	if (read_full(start, &c, 1))
		_exit(12);

	map = mmap(NULL, THREADS * 6 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		_exit(13);
	for (i = 0; i < THREADS; i++) {
		char *base = map + i * 6 * 4096;
		struct seccomp_attach_filter *ro = (void *)(base + 2 * 4096);

		th[i] = (struct fuzz_thread){
			.w = w, .slots = slots, .calls = FUZZ_CALLS / (WORKERS * THREADS),
			.page = base, .ro = base + 2 * 4096, .guard = base + 3 * 4096,
			.unmapped = base + 4 * 4096,
		};
		th[i].rng = w->seed ^ ((unsigned long long)idx << 32 | i);
		splitmix(&th[i].rng);
		ro->size = 16;
		ro->pidfd = PIDFD_SELF_THREAD;
		ro->filter_fd = 3 + rnd(&th[i], 40);
		if (mprotect(th[i].ro, 4096, PROT_READ) ||
		    munmap(th[i].unmapped, 2 * 4096))
			_exit(14);
	}
	for (i = 0; i < SLOTS; i++) {
		slots[i] = fresh_resource(&th[0]);
		if (slots[i] < 0)
			slots[i] = -1;
	}
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&tid[i], NULL, fuzz_thread_main, &th[i]))
			_exit(15);
	for (i = 0; i < THREADS; i++)
		pthread_join(tid[i], NULL);
	_exit(0);
}

static void victim(uid_t uid, bool nnp, int threads, int ready)
{
	pthread_t t;
	int i;

	if (uid && (drop_to(uid) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)))
		_exit(10);
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(11);
	for (i = 0; i < threads; i++)
		if (pthread_create(&t, NULL, (void *(*)(void *))pause, NULL))
			_exit(12);
	write_full(ready, "r", 1);
	for (;;)
		pause();
}

FIXTURE(fuzz) {
	pid_t kids[16];
	int nr_kids;
	struct fuzz_stats *stats;
};

FIXTURE_SETUP(fuzz)
{
	self->nr_kids = 0;
	self->stats = mmap(NULL, sizeof(*self->stats), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->stats);
	memset(self->stats, 0, sizeof(*self->stats));
	if (geteuid() != 0)
		SKIP(return, "the fuzzer needs root to make unprivileged workers and foreign victims");
}

FIXTURE_TEARDOWN(fuzz)
{
	int i;

	for (i = 0; i < self->nr_kids; i++) {
		kill(self->kids[i], SIGKILL);
		waitpid(self->kids[i], NULL, 0);
	}
	munmap(self->stats, sizeof(*self->stats));
}

TEST_F_TIMEOUT(fuzz, random_calls_get_documented_answers, 3000)
{
	static const struct { uid_t uid; bool nnp; int threads; } victims[] = {
		{ 0, true, 0 }, { UID_A, true, 0 }, { UID_A, false, 0 },
		{ UID_B, false, 0 }, { UID_A, true, 3 },
	};
	struct fuzz_world w = { .stats = self->stats };
	struct fuzz_stats *s = self->stats;
	int ready[2], start[2], i, status, failed = 0;
	const char *env = getenv("STRESS_SEED");
	pid_t pid, dead;
	char c;

	if (env) {
		w.seed = strtoull(env, NULL, 0);
	} else {
		ASSERT_EQ(sizeof(w.seed), getrandom(&w.seed, sizeof(w.seed), 0));
	}
	printf("# seed %llu (STRESS_SEED=%llu reproduces), %d calls, %d workers x %d threads\n",
	       w.seed, w.seed, FUZZ_CALLS, WORKERS, THREADS);

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(start, O_CLOEXEC));
	for (i = 0; i < (int)(sizeof(victims) / sizeof(victims[0])); i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			victim(victims[i].uid, victims[i].nnp, victims[i].threads, ready[1]);
		self->kids[self->nr_kids++] = pid;
		w.pids[w.nr_pids++] = pid;
		ASSERT_EQ(0, read_full(ready[0], &c, 1));
	}
	/* A zombie (reaped at teardown) and a reaped process. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	self->kids[self->nr_kids++] = pid;
	w.pids[w.nr_pids++] = pid;
	dead = fork();
	ASSERT_LE(0, dead);
	if (dead == 0)
		_exit(0);
	ASSERT_EQ(dead, waitpid(dead, NULL, 0));
	w.pids[w.nr_pids++] = dead;
	w.pids[w.nr_pids++] = 2;		/* kthreadd */
	w.pids[w.nr_pids++] = getpid() + 100000;	/* likely no task at all */

	/* Workers see each other: each one's pid is known to those forked later. */
	for (i = 0; i < WORKERS; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(start[1]);
			worker(&w, i, start[0]);
		}
		self->kids[self->nr_kids++] = pid;
		w.pids[w.nr_pids++] = pid;
	}
	close(start[0]);
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, write_full(start[1], "go", 1));
	close(start[1]);

	for (i = self->nr_kids - WORKERS; i < self->nr_kids; i++) {
		ASSERT_EQ(self->kids[i], waitpid(self->kids[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed++;
			TH_LOG("worker %d ended with status %#x", i, status);
		}
		self->kids[i] = 0;
	}
	self->nr_kids -= WORKERS;

	printf("# attach: %ld ok, %ld TSYNC thread ids", atomic_load(&s->attach_ok),
	       atomic_load(&s->attach_tid));
	for (i = 0; i <= MAX_ERRNO; i++)
		if (atomic_load(&s->attach_err[i]))
			printf(", %ld %s", atomic_load(&s->attach_err[i]), errname(-i));
	printf("\n# create: %ld ok", atomic_load(&s->create_ok));
	for (i = 0; i <= MAX_ERRNO; i++)
		if (atomic_load(&s->create_err[i]))
			printf(", %ld %s", atomic_load(&s->create_err[i]), errname(-i));
	printf("\n# %ld closes under the other threads\n", atomic_load(&s->closes));

	EXPECT_EQ(0, failed);
	EXPECT_EQ(0, atomic_load(&s->bad))
		TH_LOG("%ld wrong answers, the first: %s", atomic_load(&s->bad), s->bad_msg);
}

int main(int argc, char **argv)
{
	setuid_helper_main(argc, argv);
	return test_harness_run(argc, argv);
}
