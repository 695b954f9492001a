// SPDX-License-Identifier: GPL-2.0
/*
 * libsfd in a VM: attaching to a running multi-threaded process.  A
 * process pidfd (sfd_attach_pid) covers every thread; a thread pidfd
 * (sfd_attach_tid) covers that thread only, and the whole process with
 * SECCOMP_FILTER_FLAG_TSYNC.  Checked from outside (each task's Seccomp:
 * field) and from inside (which threads see the filter's errno).
 */
#include "sfd_util.h"
#include <dirent.h>
#include <pthread.h>
#include "kselftest_harness.h"

#define NTHREADS 4
#define NTASKS (NTHREADS + 1)

struct mt_kid {
	pid_t pid;
	int pidfd;
	int go;				/* write end: NTASKS bytes release all */
	pid_t tids[NTASKS];		/* [0] the leader */
};

struct thread_arg {
	int go;
	int idx;
	pid_t *tids;
	pthread_barrier_t *barrier;
	unsigned int *marked;
};

/* Wait for "go", then record whether this thread sees the filter. */
static void go_and_check(struct thread_arg *a)
{
	char c;

	if (read(a->go, &c, 1) != 1)
		_exit(KID_ABORTED);
	if (marked())
		__atomic_or_fetch(a->marked, 1u << a->idx, __ATOMIC_SEQ_CST);
}

static void *thread_main(void *p)
{
	struct thread_arg *a = p;

	a->tids[a->idx] = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(a->barrier);
	go_and_check(a);
	return NULL;
}

/* The child: NTHREADS threads and the leader, all waiting; exits with the mask of marked ones. */
static __attribute__((noreturn)) void mt_child(int ready, int go)
{
	struct thread_arg args[NTASKS];
	pthread_t th[NTASKS];
	pthread_barrier_t barrier;
	pid_t tids[NTASKS];
	unsigned int mask = 0;
	int i;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(98);
	pthread_barrier_init(&barrier, NULL, NTASKS);
	for (i = 0; i < NTASKS; i++)
		args[i] = (struct thread_arg){ go, i, tids, &barrier, &mask };
	for (i = 1; i < NTASKS; i++)
		if (pthread_create(&th[i], NULL, thread_main, &args[i]))
			_exit(97);
	tids[0] = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&barrier);
	if (write(ready, tids, sizeof(tids)) != sizeof(tids))
		_exit(KID_ABORTED);
	go_and_check(&args[0]);
	for (i = 1; i < NTASKS; i++)
		pthread_join(th[i], NULL);
	_exit((int)mask);
}

static int mt_start(struct mt_kid *k)
{
	int ready[2], go[2];

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		return -errno;
	k->pid = fork();
	if (k->pid < 0)
		return -errno;
	if (k->pid == 0) {
		close(ready[0]);
		close(go[1]);
		mt_child(ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	k->go = go[1];
	/* EOF instead of the tids: the child died; never a hang. */
	if (read(ready[0], k->tids, sizeof(k->tids)) != sizeof(k->tids)) {
		close(ready[0]);
		return -ECHILD;
	}
	close(ready[0]);
	k->pidfd = (int)syscall(SYS_pidfd_open, k->pid, 0);
	return k->pidfd < 0 ? -errno : 0;
}

/* Release every task and reap: the mask of tasks that saw the filter. */
static int mt_finish(struct mt_kid *k)
{
	char go[NTASKS];
	int status;

	memset(go, 'g', sizeof(go));
	if (write(k->go, go, sizeof(go)) != sizeof(go))
		kill(k->pid, SIGKILL);
	close(k->go);
	close(k->pidfd);
	if (waitpid(k->pid, &status, 0) != k->pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Mask of the tasks whose Seccomp: field says "filter". */
static unsigned int filtered_mask(struct mt_kid *k)
{
	unsigned int mask = 0;
	int i;

	for (i = 0; i < NTASKS; i++)
		if (task_seccomp_mode(k->pid, k->tids[i]) == 2)
			mask |= 1u << i;
	return mask;
}

#define ALL ((1u << NTASKS) - 1)

FIXTURE(mt) {
	struct mt_kid k;
	int fd;
};

FIXTURE_SETUP(mt)
{
	self->fd = -1;
	self->k.pid = -1;
	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	self->fd = mark_filter();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mt_start(&self->k));
	ASSERT_EQ(0, filtered_mask(&self->k));
}

FIXTURE_TEARDOWN(mt)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(mt, process_pidfd_covers_every_thread)
{
	ASSERT_EQ(0, sfd_attach_pid(self->k.pid, self->fd, 0));
	EXPECT_EQ(ALL, filtered_mask(&self->k));
	EXPECT_EQ(ALL, mt_finish(&self->k));
}

TEST_F(mt, thread_pidfd_covers_that_thread_only)
{
	ASSERT_EQ(0, sfd_attach_tid(self->k.tids[2], self->fd, 0));
	EXPECT_EQ(1u << 2, filtered_mask(&self->k));
	EXPECT_EQ(1u << 2, mt_finish(&self->k));
}

TEST_F(mt, thread_pidfd_with_tsync_covers_the_process)
{
	ASSERT_EQ(0, sfd_attach_tid(self->k.tids[3], self->fd, SECCOMP_FILTER_FLAG_TSYNC));
	EXPECT_EQ(ALL, filtered_mask(&self->k));
	EXPECT_EQ(ALL, mt_finish(&self->k));
}

TEST_F(mt, diverged_thread_fails_the_process_attach)
{
	int other = mark_filter();

	ASSERT_LE(0, other);
	/* One thread gets a filter of its own: its chain is no ancestor. */
	ASSERT_EQ(0, sfd_attach_tid(self->k.tids[1], other, 0));
	EXPECT_EQ(-ESRCH, sfd_attach_pid(self->k.pid, self->fd, 0));
	/* All or nothing: only the thread with its own filter is filtered. */
	EXPECT_EQ(1u << 1, filtered_mask(&self->k));
	EXPECT_EQ(1u << 1, mt_finish(&self->k));
	close(other);
}

TEST(attach_by_pid_rejects_bad_ids)
{
	int fd;

	SKIP_WITHOUT_DETACHED();
	TAKE_NNP();
	fd = mark_filter();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ESRCH, sfd_attach_pid(0, fd, 0));
	EXPECT_EQ(-ESRCH, sfd_attach_tid(-1, fd, 0));
	EXPECT_EQ(-EBADF, sfd_attach_pid(getpid(), -1, 0));
	EXPECT_EQ(-EINVAL, sfd_attach_pid(getpid(), fd, SECCOMP_FILTER_FLAG_LOG));
	close(fd);
}

TEST_HARNESS_MAIN
