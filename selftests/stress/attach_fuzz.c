// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer of SECCOMP_SET_MODE_FILTER | SECCOMP_FILTER_FLAG_DETACHED
 * and SECCOMP_ATTACH_FILTER: several worker processes (root, unprivileged
 * with no_new_privs, unprivileged under their own filter, unprivileged with
 * neither no_new_privs nor CAP_SYS_ADMIN), each with several threads, make
 * random calls with random fds, pidfds of live, dead, foreign and kernel
 * tasks, random flags, struct sizes and bytes, unmapped and read-only
 * memory, while other threads close and replace the same fds. Each worker
 * also kills and reaps a victim of its own halfway through, under the feet
 * of the threads that attach through pidfds of it.
 *
 * Every answer must be success or an errno that docs/semantics.md lists for
 * that call, and where the input alone decides the answer it must be that
 * answer: rows 1 to 5 of "Attaching" (flags, the struct's memory, size,
 * tail and attach.flags) for every attach, the rows of "Creating" that
 * apply for every create. The workers' kinds add their own rules: the
 * confined worker never attaches outside its process, the one without
 * no_new_privs or CAP_SYS_ADMIN never to itself. About one call in twenty
 * is a fixed probe: an attach of a filter root created, through a pidfd
 * the parent opened before the workers forked and that no worker closes
 * (kthreadd, a reaped task, the zombie, the root victim), a self sentinel
 * or a pidfd of the worker's victim once reaped, whose answer is known
 * exactly for the worker's kind; these are counted apart. Anything else
 * fails the run and names the call. The seed is printed; STRESS_SEED=N
 * reproduces a run's per-thread call sequences (their interleaving is the
 * scheduler's).
 *
 * The run ends with every task reaped and every fd closed, then checks
 * kernel memory as attach_races.c does (see stress.h).
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

/*
 * The harness leaves a parameter unused; this file builds clean with
 * -Wextra, so that warning alone is silenced, for the harness only.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#define FUZZ_CALLS	STRESS_N(120000)	/* over all workers and threads */
#define WORKERS		5
#define THREADS		3
#define SLOTS		24
#define MAX_ERRNO	134
#define NR_FIX_FILTERS	2
/*
 * Unreclaimable slab allowed to stay after the run: slab pages kept by the
 * caches it warmed up (attach_races.c sees up to about 200 kB after
 * settling). The full form creates some 5,000 filters: one leaked per
 * create (256 bytes of struct seccomp_detached, its program's copies on
 * top) is above it. A node leaked on each of its some 1,500 successful
 * attaches (a 512-byte kmalloc each, holding its filter) comes near or
 * above it. Rarer leaks are kmemleak's to find, on the debug kernels.
 */
#define SLACK_KB	1024

_Static_assert(FUZZ_CALLS % (WORKERS * THREADS) == 0,
	       "every thread makes the same number of calls");

#define FLAG_TSYNC	SECCOMP_FILTER_FLAG_TSYNC
#define FLAG_ESRCH	SECCOMP_FILTER_FLAG_TSYNC_ESRCH

/* The flags a detached filter may carry ("Creating" in docs/semantics.md). */
#define CREATE_FLAGS	(SECCOMP_FILTER_FLAG_DETACHED | SECCOMP_FILTER_FLAG_LOG | \
			 SECCOMP_FILTER_FLAG_SPEC_ALLOW | \
			 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

enum fuzz_kind {
	KIND_ROOT,		/* uid 0, every capability */
	KIND_NNP,		/* uid 1000, no_new_privs */
	KIND_CONFINED,		/* uid 1000, no_new_privs, its own filter */
	KIND_PLAIN,		/* uid 1000, neither no_new_privs nor a capability */
};

static const char *const kind_names[] = {
	[KIND_ROOT] = "root", [KIND_NNP] = "no_new_privs",
	[KIND_CONFINED] = "confined", [KIND_PLAIN] = "plain",
};

/*
 * The workers, in the order they are forked; each knows the pids of those
 * forked before it. The confined one comes last, so that every other
 * worker is among the tasks it must not reach; the plain one comes after
 * the no_new_privs one, a uid-1000 target it may attach to.
 */
static const enum fuzz_kind worker_kinds[WORKERS] = {
	KIND_ROOT, KIND_NNP, KIND_ROOT, KIND_PLAIN, KIND_CONFINED,
};

/*
 * Targets of the fixed probes and their answers, by the rows of
 * "Attaching" in docs/semantics.md. The filter is always a valid detached
 * one and the pidfd a valid pidfd or a self sentinel, so rows 6 to 8 pass.
 */
enum fuzz_fixed {
	FIX_KTHREADD,		/* kthreadd: EPERM for everyone (row 10) */
	FIX_REAPED,		/* process pidfd of a reaped task: ESRCH (row 9) */
	FIX_REAPED_THREAD,	/* its PIDFD_THREAD pidfd: ESRCH (row 9) */
	FIX_ZOMBIE,		/* process pidfd of a zombie: ESRCH (row 9) */
	FIX_ROOT_VICTIM,	/* see fixed_probe() */
	FIX_SELF,		/* the plain worker itself: EACCES (row 13) */
	FIX_OWN_DEAD,		/* the worker's own victim, reaped: ESRCH (row 9) */
	NR_FIXED
};

static const char *const fixed_names[] = {
	[FIX_KTHREADD] = "kthreadd", [FIX_REAPED] = "a reaped process",
	[FIX_REAPED_THREAD] = "a reaped thread", [FIX_ZOMBIE] = "the zombie",
	[FIX_ROOT_VICTIM] = "the root victim",
	[FIX_SELF] = "the plain worker itself",
	[FIX_OWN_DEAD] = "the worker's own reaped victim",
};

/* Counters of all workers, in a shared mapping. */
struct fuzz_stats {
	atomic_long attach_ok, attach_tid, create_ok, closes;
	atomic_long attach_err[MAX_ERRNO + 1];
	atomic_long create_err[MAX_ERRNO + 1];
	atomic_long fixed[NR_FIXED][MAX_ERRNO + 1];	/* [0]: success */
	atomic_long fixed_root_ok[NR_FIX_FILTERS];
	atomic_long plain_self, plain_self_eacces;
	atomic_long confined_out, confined_out_eperm;
	atomic_long victims_killed;
	atomic_long bad;
	atomic_int bad_msg_taken;
	char bad_msg[512];
};

/* Tasks the fuzzer aims at; their pids stay valid for the whole run. */
struct fuzz_world {
	pid_t pids[16];		/* victims, zombie, dead, kthreadd, workers */
	int nr_pids;
	/*
	 * Opened by the parent before the workers fork and closed by no
	 * worker: kept out of the slots, they name the same task or filter
	 * for the whole run, which the fixed probes' answers depend on.
	 */
	int fix_pidfd[NR_FIXED];	/* -1 for FIX_SELF and FIX_OWN_DEAD */
	int fix_filter[NR_FIX_FILTERS];	/* root's, neither a listener */
	struct fuzz_stats *stats;
	unsigned long long seed;
};

/* A worker process' state, shared by its threads. */
struct fuzz_worker {
	enum fuzz_kind kind;
	int slots[SLOTS];		/* the fd pool */
	pid_t victim;			/* its own victim, killed halfway */
	int victim_fd[2];		/* process and thread pidfds of it, out of the pool */
	bool victim_reaped;		/* thread 0 writes it; read by it, or after the join */
};

struct fuzz_thread {
	const struct fuzz_world *w;
	struct fuzz_worker *wk;
	int *slots;			/* wk->slots, shared by the worker's threads */
	int idx;
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

static bool is_self(int pidfd)
{
	return pidfd == PIDFD_SELF_THREAD || pidfd == PIDFD_SELF_THREAD_GROUP;
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

/*
 * The creation rule of a listener (docs/semantics.md): a RET K whose action
 * is USER_NOTIF, or any RET A.
 */
static bool prog_is_listener(const struct sock_filter *insns, unsigned short len)
{
	unsigned short i;

	for (i = 0; i < len; i++) {
		if (insns[i].code == (BPF_RET | BPF_A))
			return true;
		if (insns[i].code == (BPF_RET | BPF_K) &&
		    (insns[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			return true;
	}
	return false;
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
		if (t->wk->kind == KIND_PLAIN) {
			/* It may not create filters (EACCES): it holds root's. */
			fd = fcntl(w->fix_filter[rnd(t, NR_FIX_FILTERS)],
				   F_DUPFD_CLOEXEC, 0);
			break;
		}
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

/*
 * The answer of rows 1 to 5 of "Attaching" for @flags and the struct at
 * @where: they depend on the caller's input alone, and the first failing
 * row answers, so the answer is exact. 0 if all five pass; @k then holds
 * the struct as the kernel reads it. @why names the row that answered.
 *
 * The kernel reads the struct as sched_setattr() reads its own: the size
 * first (row 2 if that is unreadable), rows 3 and 4 on it, then the tail
 * past the known struct and the struct, where an unreadable byte faults.
 * All memory of a thread from t->page up to t->unmapped is mapped.
 */
static long attach_header_answer(const struct fuzz_thread *t, unsigned int flags,
				 const void *where, struct seccomp_attach_filter *k,
				 const char **why)
{
	const unsigned char *p = where;
	size_t room = 0, i;
	__u32 size;

	memset(k, 0, sizeof(*k));
	if ((const char *)where >= t->page && (const char *)where < t->unmapped)
		room = t->unmapped - (const char *)where;

	if ((flags & ~(FLAG_TSYNC | FLAG_ESRCH)) ||
	    ((flags & FLAG_ESRCH) && !(flags & FLAG_TSYNC))) {
		*why = "row 1, seccomp(2) flags";
		return -EINVAL;
	}
	if (room < sizeof(size)) {
		*why = "row 2, unreadable struct";
		return -EFAULT;
	}
	memcpy(&size, p, sizeof(size));
	if (size < SECCOMP_ATTACH_FILTER_SIZE_VER0) {
		*why = "row 3, size < 16";
		return -EINVAL;
	}
	if (size > 4096) {
		*why = "row 4, size > PAGE_SIZE";
		return -E2BIG;
	}
	for (i = sizeof(*k); i < size && i < room; i++) {
		if (p[i]) {
			*why = "row 4, a non-zero byte past the struct";
			return -E2BIG;
		}
	}
	if (size > room) {
		*why = "row 2, the struct runs into unmapped memory";
		return -EFAULT;
	}
	memcpy(k, p, sizeof(*k));
	if (k->flags) {
		*why = "row 5, attach.flags";
		return -EINVAL;
	}
	*why = "";
	return 0;
}

static void fuzz_attach(struct fuzz_thread *t)
{
	struct fuzz_stats *s = t->w->stats;
	enum fuzz_kind kind = t->wk->kind;
	struct seccomp_attach_filter a, k;
	unsigned int flags = pick_flags(t);
	const char *why;
	void *where;
	size_t room;
	unsigned int i;
	long ret, want;

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
		break;
	case 1:
		where = t->unmapped;
		break;
	case 2:
		/* Read-only memory holds a struct written before mprotect(). */
		where = t->ro + 8 * rnd(t, 4);
		break;
	case 3:
		/* The struct ends at an unmapped page: big sizes fault or E2BIG. */
		where = t->guard + 4096 - sizeof(a) + 8 * rnd(t, 2);
		room = t->guard + 4096 - (char *)where;
		memcpy(where, &a, room < sizeof(a) ? room : sizeof(a));
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

	/* Decided before the call: nothing but this thread writes its pages. */
	want = attach_header_answer(t, flags, where, &k, &why);

	ret = sys_seccomp(SECCOMP_ATTACH_FILTER, flags, where);
	ret = ret < 0 ? -errno : ret;

	if (ret == 0) {
		atomic_fetch_add(&s->attach_ok, 1);
	} else if (ret > 0) {
		atomic_fetch_add(&s->attach_tid, 1);
		if (!(flags & FLAG_TSYNC) || (flags & FLAG_ESRCH))
			bad(t, "attach flags %#x returned a positive value %ld", flags, ret);
	} else {
		if (-ret <= MAX_ERRNO)
			atomic_fetch_add(&s->attach_err[-ret], 1);
		if (!attach_errno_documented(ret))
			bad(t, "attach flags %#x pidfd %d filter_fd %d size %u: undocumented %s",
			    flags, a.pidfd, a.filter_fd, a.size, errname(ret));
	}
	if (want) {
		if (ret != want)
			bad(t, "attach flags %#x struct at %p (size %u, attach.flags %#x written) answered %s, not %s (%s)",
			    flags, where, a.size, a.flags, errname(ret), errname(want), why);
		return;
	}

	/*
	 * Rows 6 on depend on what the fds name, which the other threads
	 * change under this call; the worker's kind still rules out some
	 * answers whatever they name. No pid a worker knows is its own
	 * (check_not_named()), so only the self sentinels name its process.
	 */
	if (kind == KIND_CONFINED && !is_self(k.pidfd)) {
		/* Row 11, before every row that could let it through. */
		atomic_fetch_add(&s->confined_out, 1);
		if (ret == -EPERM)
			atomic_fetch_add(&s->confined_out_eperm, 1);
		if (ret >= 0)
			bad(t, "the confined worker attached outside its process: pidfd %d filter_fd %d flags %#x answered %s",
			    k.pidfd, k.filter_fd, flags, errname(ret));
	}
	if (kind == KIND_PLAIN && is_self(k.pidfd)) {
		/* Row 13, first line; a TSYNC conflict (row 19) comes after it. */
		atomic_fetch_add(&s->plain_self, 1);
		if (ret == -EACCES)
			atomic_fetch_add(&s->plain_self_eacces, 1);
		if (ret >= 0)
			bad(t, "the worker without no_new_privs or CAP_SYS_ADMIN attached to itself: pidfd %d filter_fd %d flags %#x answered %s",
			    k.pidfd, k.filter_fd, flags, errname(ret));
	}
}

/* The rows of "Creating" that fail a call, and their errnos. */
enum {
	CR_FLAGS,		/* a flag a detached filter cannot carry */
	CR_KILLABLE,		/* WAIT_KILLABLE_RECV, the program cannot notify */
	CR_LEN,			/* prog.len 0 or > BPF_MAXINSNS */
	CR_POINTER,		/* prog or prog.filter unreadable */
	CR_NULL,		/* prog.filter NULL */
	CR_PRIV,		/* neither no_new_privs nor CAP_SYS_ADMIN */
	NR_CR
};

static const struct { const char *what; int err; } create_rows[NR_CR] = {
	[CR_FLAGS] = { "a flag a detached filter cannot carry", EINVAL },
	[CR_KILLABLE] = { "WAIT_KILLABLE_RECV on a program that cannot notify", EINVAL },
	[CR_LEN] = { "prog.len 0 or over BPF_MAXINSNS", EINVAL },
	[CR_POINTER] = { "an unreadable prog or prog.filter", EFAULT },
	[CR_NULL] = { "a NULL prog.filter", EINVAL },
	[CR_PRIV] = { "a caller with neither no_new_privs nor CAP_SYS_ADMIN", EACCES },
};

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
	unsigned int flags, rows = 0, r;
	bool listener, readable = true;
	void *where = prog;
	int fd, old, slot;
	long ret;

	flags = rnd(t, 10) < 8 ? common[rnd(t, 6)] : (unsigned int)splitmix(&t->rng);
	flags |= SECCOMP_FILTER_FLAG_DETACHED;
	prog->len = safe_prog(t, insns);
	prog->filter = insns;
	listener = prog_is_listener(insns, prog->len);
	switch (rnd(t, 10)) {
	case 0:
		prog->len = 0;
		rows |= 1u << CR_LEN;
		break;
	case 1:
		prog->len = 4097 + rnd(t, 60000);
		rows |= 1u << CR_LEN;
		break;
	case 2:
		where = rnd(t, 2) ? NULL : t->unmapped;
		rows |= 1u << CR_POINTER;
		readable = false;
		break;
	case 3:
		/* A NULL program is the BPF loader's EINVAL, an unmapped one EFAULT. */
		if (rnd(t, 2)) {
			prog->filter = NULL;
			rows |= 1u << CR_NULL;
		} else {
			prog->filter = (void *)t->unmapped;
			rows |= 1u << CR_POINTER;
		}
		readable = false;
		break;
	}
	/*
	 * semantics.md gives the rows of creating no order: where several
	 * apply, the answer may be any of their errnos, never success.
	 */
	if (flags & ~CREATE_FLAGS)
		rows |= 1u << CR_FLAGS;
	if ((flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && readable && !listener)
		rows |= 1u << CR_KILLABLE;
	if (t->wk->kind == KIND_PLAIN)
		rows |= 1u << CR_PRIV;

	fd = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, where);
	ret = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		atomic_fetch_add(&s->create_ok, 1);
		if (rows)
			bad(t, "create flags %#x len %u succeeded despite %s",
			    flags, prog->len, create_rows[__builtin_ctz(rows)].what);
		/* Into a random slot; what was there is closed. */
		slot = rnd(t, SLOTS);
		old = __atomic_exchange_n(&t->slots[slot], fd, __ATOMIC_RELAXED);
		close(old);
		return;
	}
	if (-ret <= MAX_ERRNO)
		atomic_fetch_add(&s->create_err[-ret], 1);
	if (!rows) {
		bad(t, "create flags %#x len %u: a valid create failed with %s",
		    flags, prog->len, errname(ret));
		return;
	}
	for (r = 0; r < NR_CR; r++)
		if ((rows & (1u << r)) && -ret == create_rows[r].err)
			return;
	bad(t, "create flags %#x len %u answered %s, not an errno of the rows that apply (the first: %s)",
	    flags, prog->len, errname(ret), create_rows[__builtin_ctz(rows)].what);
}

/*
 * An attach through the fixed fds, whose answer the world and the
 * worker's kind decide alone (see enum fuzz_fixed). The seccomp(2) flags
 * are valid ones, and change none of these answers.
 */
static void fixed_probe(struct fuzz_thread *t)
{
	static const unsigned int flag_sets[] = { 0, FLAG_TSYNC, FLAG_TSYNC | FLAG_ESRCH };
	const struct fuzz_world *w = t->w;
	struct fuzz_stats *s = w->stats;
	enum fuzz_kind kind = t->wk->kind;
	int which, can[NR_FIXED], pidfd;
	unsigned int flags, f, n = 0;
	long ret, want = -ESRCH;

	for (which = 0; which < FIX_SELF; which++)
		can[n++] = which;
	if (kind == KIND_PLAIN)
		can[n++] = FIX_SELF;
	/* Thread 0 reaped it itself: from then on it is dead for certain. */
	if (t->idx == 0 && t->wk->victim_reaped)
		can[n++] = FIX_OWN_DEAD;
	which = can[rnd(t, n)];
	flags = flag_sets[rnd(t, 3)];
	f = rnd(t, NR_FIX_FILTERS);

	pidfd = w->fix_pidfd[which];
	switch (which) {
	case FIX_KTHREADD:
		/* Row 10 comes before rows 11 to 13: no caller gets further. */
		want = -EPERM;
		break;
	case FIX_ROOT_VICTIM:
		/*
		 * It has no_new_privs, so row 13 lets everyone through: a
		 * uid-1000 worker is refused by row 12 (the ptrace check, uid
		 * 0 against 1000), the confined one by row 11 already.
		 */
		want = kind == KIND_ROOT ? 0 : -EPERM;
		break;
	case FIX_SELF:
		pidfd = rnd(t, 2) ? PIDFD_SELF_THREAD : PIDFD_SELF_THREAD_GROUP;
		want = -EACCES;
		break;
	case FIX_OWN_DEAD:
		pidfd = t->wk->victim_fd[rnd(t, 2)];
		break;
	}

	ret = attach_filter(pidfd, w->fix_filter[f], flags);
	if (ret <= 0 && -ret <= MAX_ERRNO)
		atomic_fetch_add(&s->fixed[which][-ret], 1);

	if (which == FIX_ROOT_VICTIM && kind == KIND_ROOT) {
		/*
		 * Root passes every permission row. The filter is no listener
		 * (no EBUSY) and the victim has one thread (no row 19): the
		 * first success puts it in the victim's chain for good, and
		 * every later attach of it is EEXIST (row 15), unless the
		 * chain is full (ENOMEM, rows 17 and 18).
		 */
		if (ret == 0 && atomic_fetch_add(&s->fixed_root_ok[f], 1))
			bad(t, "fixed filter %u attached to the root victim a second time", f);
		/*
		 * Another root worker may have put a filter on this one, which
		 * is confined from then on (row 11). Filters only ever come,
		 * so a worker unconfined after the call was so during it.
		 */
		else if (ret == -EPERM && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == SECCOMP_MODE_FILTER)
			return;
		else if (ret && ret != -EEXIST && ret != -ENOMEM)
			bad(t, "fixed probe of the root victim (filter %u, flags %#x) by a root worker answered %s, not 0, EEXIST or ENOMEM",
			    f, flags, errname(ret));
		return;
	}
	if (ret != want)
		bad(t, "fixed probe of %s (pidfd %d, filter %u, flags %#x) by the %s worker answered %s, not %s",
		    fixed_names[which], pidfd, f, flags, kind_names[kind],
		    errname(ret), errname(want));
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

/*
 * Halfway through thread 0's calls: fresh pidfds of the worker's own victim
 * go into two slots, and the victim is killed and reaped while the other
 * threads attach through whatever the slots hold, so those pidfds name a
 * live, an exiting, a zombie and a reaped task in turn.
 */
static void kill_own_victim(struct fuzz_thread *t)
{
	struct fuzz_worker *wk = t->wk;
	int i, fd, old, status;

	for (i = 0; i < 2; i++) {
		fd = fcntl(wk->victim_fd[i], F_DUPFD_CLOEXEC, 0);
		old = __atomic_exchange_n(&t->slots[rnd(t, SLOTS)], fd, __ATOMIC_RELAXED);
		if (old >= 0)
			close(old);
	}
	if (sys_pidfd_send_signal(wk->victim_fd[0], SIGKILL) ||
	    waitpid(wk->victim, &status, 0) != wk->victim) {
		bad(t, "the %s worker could not kill and reap its victim %d: %s",
		    kind_names[wk->kind], wk->victim, strerror(errno));
		return;
	}
	wk->victim_reaped = true;
	atomic_fetch_add(&t->w->stats->victims_killed, 1);
}

/*
 * No pid of the world may be this thread or its process: fuzz_attach()
 * takes every pidfd but the self sentinels to name a task outside the
 * worker's process. A worker knows only the pids of tasks forked before it,
 * so only a reused pid (of the reaped task, or the one meant to have no
 * task) could break this.
 */
static void check_not_named(struct fuzz_thread *t)
{
	const struct fuzz_world *w = t->w;
	pid_t pid = getpid(), tid = gettid();
	int i;

	for (i = 0; i < w->nr_pids; i++)
		if (w->pids[i] == pid || w->pids[i] == tid)
			bad(t, "pid %d of the world names the %s worker %d itself (thread %d)",
			    w->pids[i], kind_names[t->wk->kind], pid, tid);
}

static void *fuzz_thread_main(void *arg)
{
	struct fuzz_thread *t = arg;
	long i;

	check_not_named(t);
	for (i = 0; i < t->calls; i++) {
		unsigned int c = rnd(t, 20);

		if (t->idx == 0 && i == t->calls / 2)
			kill_own_victim(t);
		if (c == 0)
			fixed_probe(t);
		else if (c < 15)
			fuzz_attach(t);
		else if (c < 19)
			fuzz_create(t);
		else
			fuzz_close(t);
	}
	return NULL;
}

/* A worker's own victim: parked until its worker kills it, or dies. */
static void own_victim(pid_t worker)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || getppid() != worker)
		_exit(1);
	for (;;)
		pause();
}

/* Every exit of a worker reaps its victim first. */
static void worker_exit(struct fuzz_worker *wk, int status)
{
	if (wk->victim > 0 && !wk->victim_reaped) {
		kill(wk->victim, SIGKILL);
		waitpid(wk->victim, NULL, 0);
	}
	_exit(status);
}

/* A worker process: its kind, its pool, its threads. Never returns. */
static void worker(const struct fuzz_world *w, int idx, int start)
{
	struct fuzz_worker wk = { .kind = worker_kinds[idx], .victim = -1 };
	struct fuzz_thread th[THREADS];
	pthread_t tid[THREADS];
	pid_t me = getpid();
	char *map, c;
	int i;

	switch (wk.kind) {
	case KIND_ROOT:
		break;
	case KIND_NNP:
	case KIND_CONFINED:
		if (drop_to(UID_A) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(10);
		if (wk.kind == KIND_CONFINED && install_allow_filter(FLAG_TSYNC))
			_exit(11);
		break;
	case KIND_PLAIN:
		/* drop_to() leaves no capability; the rules need no NNP either. */
		if (drop_to(UID_A) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			_exit(10);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
			_exit(16);
		break;
	}

	/* Its own victim, with its credentials, forked before any thread. */
	wk.victim = fork();
	if (wk.victim < 0)
		_exit(17);
	if (wk.victim == 0)
		own_victim(me);
	wk.victim_fd[0] = sys_pidfd_open(wk.victim, 0);
	wk.victim_fd[1] = sys_pidfd_open(wk.victim, PIDFD_THREAD);
	if (wk.victim_fd[0] < 0 || wk.victim_fd[1] < 0)
		worker_exit(&wk, 18);

	if (read_full(start, &c, 1))
		worker_exit(&wk, 12);

	map = mmap(NULL, THREADS * 6 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		worker_exit(&wk, 13);
	for (i = 0; i < THREADS; i++) {
		char *base = map + i * 6 * 4096;
		struct seccomp_attach_filter *ro = (void *)(base + 2 * 4096);

		th[i] = (struct fuzz_thread){
			.w = w, .wk = &wk, .slots = wk.slots, .idx = i,
			.calls = FUZZ_CALLS / (WORKERS * THREADS),
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
			worker_exit(&wk, 14);
	}
	/*
	 * The pool starts with pidfds of the own victim, and for the plain
	 * worker, which cannot create any, with root's filters.
	 */
	for (i = 0; i < SLOTS; i++) {
		if (i < 2)
			wk.slots[i] = fcntl(wk.victim_fd[i], F_DUPFD_CLOEXEC, 0);
		else if (i < 2 + NR_FIX_FILTERS && wk.kind == KIND_PLAIN)
			wk.slots[i] = fcntl(w->fix_filter[i - 2], F_DUPFD_CLOEXEC, 0);
		else
			wk.slots[i] = fresh_resource(&th[0]);
		if (wk.slots[i] < 0)
			wk.slots[i] = -1;
	}
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&tid[i], NULL, fuzz_thread_main, &th[i]))
			worker_exit(&wk, 15);
	for (i = 0; i < THREADS; i++)
		pthread_join(tid[i], NULL);
	worker_exit(&wk, 0);
}

static void *park(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
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
		if (pthread_create(&t, NULL, park, NULL))
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
		if (self->kids[i] <= 0)
			continue;
		kill(self->kids[i], SIGKILL);
		waitpid(self->kids[i], NULL, 0);
	}
	munmap(self->stats, sizeof(*self->stats));
}

static void print_counts(const atomic_long *counts)
{
	int i;

	if (atomic_load(&counts[0]))
		printf(", %ld ok", atomic_load(&counts[0]));
	for (i = 1; i <= MAX_ERRNO; i++)
		if (atomic_load(&counts[i]))
			printf(", %ld %s", atomic_load(&counts[i]), errname(-i));
}

static void print_summary(const struct fuzz_stats *s)
{
	long total;
	int i, j;

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
	for (i = 0; i < NR_FIXED; i++) {
		for (total = 0, j = 0; j <= MAX_ERRNO; j++)
			total += atomic_load(&s->fixed[i][j]);
		printf("# fixed probes of %s: %ld", fixed_names[i], total);
		print_counts(s->fixed[i]);
		printf("\n");
	}
	printf("# the plain worker's attaches to itself past rows 1-5: %ld, %ld EACCES\n",
	       atomic_load(&s->plain_self), atomic_load(&s->plain_self_eacces));
	printf("# the confined worker's attaches past rows 1-5 not through a self sentinel: %ld, %ld EPERM\n",
	       atomic_load(&s->confined_out), atomic_load(&s->confined_out_eperm));
	printf("# %ld of %d workers' own victims killed and reaped halfway\n",
	       atomic_load(&s->victims_killed), WORKERS);
}

/*
 * The tasks and fixed fds of the world, made before any worker forks. The
 * victims and the zombie go to self->kids: the test reaps them before it
 * checks memory.
 */
static void make_world(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fuzz) *self, struct fuzz_world *w)
{
	static const struct { uid_t uid; bool nnp; int threads; } victims[] = {
		{ 0, true, 0 }, { UID_A, true, 0 }, { UID_A, false, 0 },
		{ UID_B, false, 0 }, { UID_A, true, 3 },
	};
	int ready[2], gate[2], i, status;
	pid_t pid, dead;
	siginfo_t si;
	char c;

	for (i = 0; i < NR_FIXED; i++)
		w->fix_pidfd[i] = -1;
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	for (i = 0; i < (int)(sizeof(victims) / sizeof(victims[0])); i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			victim(victims[i].uid, victims[i].nnp, victims[i].threads, ready[1]);
		self->kids[self->nr_kids++] = pid;
		w->pids[w->nr_pids++] = pid;
		ASSERT_EQ(0, read_full(ready[0], &c, 1));
	}
	close(ready[0]);
	close(ready[1]);
	/* victims[0]: uid 0 with no_new_privs. */
	w->fix_pidfd[FIX_ROOT_VICTIM] = sys_pidfd_open(self->kids[0], 0);
	ASSERT_LE(0, w->fix_pidfd[FIX_ROOT_VICTIM]);

	/* A zombie, reaped only after the workers: a zombie all along. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	self->kids[self->nr_kids++] = pid;
	w->pids[w->nr_pids++] = pid;
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	w->fix_pidfd[FIX_ZOMBIE] = sys_pidfd_open(pid, 0);
	ASSERT_LE(0, w->fix_pidfd[FIX_ZOMBIE]);

	/*
	 * A reaped process, its pidfds opened while it lived. It exits when
	 * the gate closes, so no other task may hold the gate's write end.
	 */
	ASSERT_EQ(0, pipe2(gate, O_CLOEXEC));
	dead = fork();
	ASSERT_LE(0, dead);
	if (dead == 0) {
		close(gate[1]);
		read_full(gate[0], &c, 1);
		_exit(0);
	}
	w->fix_pidfd[FIX_REAPED] = sys_pidfd_open(dead, 0);
	w->fix_pidfd[FIX_REAPED_THREAD] = sys_pidfd_open(dead, PIDFD_THREAD);
	close(gate[0]);
	close(gate[1]);
	ASSERT_EQ(dead, waitpid(dead, &status, 0));
	ASSERT_LE(0, w->fix_pidfd[FIX_REAPED]);
	ASSERT_LE(0, w->fix_pidfd[FIX_REAPED_THREAD]);
	w->pids[w->nr_pids++] = dead;

	w->pids[w->nr_pids++] = 2;		/* kthreadd */
	w->fix_pidfd[FIX_KTHREADD] = sys_pidfd_open(2, 0);
	ASSERT_LE(0, w->fix_pidfd[FIX_KTHREADD]);
	w->pids[w->nr_pids++] = getpid() + 100000;	/* likely no task at all */

	/* Root's filters, which the plain worker holds too; no listener. */
	w->fix_filter[0] = create_probe_filter(PROBE_ERRNO, SECCOMP_RET_ERRNO | EDOM, 0);
	w->fix_filter[1] = create_probe_filter(PROBE_ERRNO, SECCOMP_RET_LOG,
					       SECCOMP_FILTER_FLAG_LOG);
	ASSERT_LE(0, w->fix_filter[0]);
	ASSERT_LE(0, w->fix_filter[1]);
}

TEST_F_TIMEOUT(fuzz, random_calls_get_documented_answers, 3000)
{
	struct fuzz_world w = { .stats = self->stats };
	struct fuzz_stats *s = self->stats;
	const char *env = getenv("STRESS_SEED");
	int start[2], i, status, failed = 0;
	struct mem_baseline base;
	pid_t pid;

	if (env) {
		w.seed = strtoull(env, NULL, 0);
	} else {
		ASSERT_EQ((ssize_t)sizeof(w.seed), getrandom(&w.seed, sizeof(w.seed), 0));
	}
	printf("# seed %llu (STRESS_SEED=%llu reproduces), %d calls, %d workers x %d threads\n",
	       w.seed, w.seed, FUZZ_CALLS, WORKERS, THREADS);
	/* The fixed probe of kthreadd means a kernel thread (row 10). */
	ASSERT_EQ(1, status_field(2, 0, "Kthread"))
		TH_LOG("pid 2 is not a kernel thread: the fuzzer needs the initial pid namespace");

	/* Everything made from here on is gone again before mem_check(). */
	mem_baseline(&base);
	make_world(_metadata, self, &w);

	/* Workers see each other: each one's pid is known to those forked later. */
	ASSERT_EQ(0, pipe2(start, O_CLOEXEC));
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

	for (i = 0; i < WORKERS; i++) {
		pid = self->kids[self->nr_kids - WORKERS + i];
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed++;
			TH_LOG("%s worker %d ended with status %#x",
			       kind_names[worker_kinds[i]], i, status);
		}
		self->kids[self->nr_kids - WORKERS + i] = 0;
	}
	self->nr_kids -= WORKERS;
	print_summary(s);

	/* Every task reaped and every fd closed before memory is compared. */
	for (i = 0; i < NR_FIXED; i++)
		if (w.fix_pidfd[i] >= 0)
			close(w.fix_pidfd[i]);
	for (i = 0; i < NR_FIX_FILTERS; i++)
		close(w.fix_filter[i]);
	for (i = 0; i < self->nr_kids; i++) {
		/* The zombie takes the signal too, and nothing happens. */
		ASSERT_EQ(0, kill(self->kids[i], SIGKILL));
		ASSERT_EQ(self->kids[i], waitpid(self->kids[i], &status, 0));
		self->kids[i] = 0;
	}
	self->nr_kids = 0;
	EXPECT_EQ(0, mem_check(&base, "fuzz", SLACK_KB));

	EXPECT_EQ(0, failed);
	EXPECT_EQ(WORKERS, atomic_load(&s->victims_killed));
	EXPECT_EQ(0, atomic_load(&s->bad))
		TH_LOG("%ld wrong answers, the first: %s", atomic_load(&s->bad), s->bad_msg);
}

int main(int argc, char **argv)
{
	setuid_helper_main(argc, argv);
	return test_harness_run(argc, argv);
}
