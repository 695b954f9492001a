// SPDX-License-Identifier: GPL-2.0
/*
 * make demo: smoke test of detached seccomp filters on the running kernel.
 *
 * Creates one detached filter (getppid() -> EPERM), forks two children,
 * attaches the filter to both through pidfds, shows that both get EPERM while
 * the parent does not, and prints the filter fd's fdinfo. Exits non-zero, with
 * a clear message, on a kernel without the feature.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/seccomp_detached.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

static long sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(__NR_seccomp, op, flags, args);
}

static void show_fdinfo(int fd)
{
	char path[64], buf[4096];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	if (f < 0) {
		perror(path);
		return;
	}
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	printf("--- %s ---\n%s---\n", path, buf);
}

int main(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(insns) / sizeof(insns[0]), .filter = insns };
	int go[2][2], fd, i, failed = 0;
	pid_t child[2];
	struct utsname u;

	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	printf("smoke: kernel %s\n", u.release);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		perror("PR_SET_NO_NEW_PRIVS");
		return 1;
	}
	fd = sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_DETACHED, &prog);
	if (fd < 0) {
		int e = errno;

		if (e == EINVAL)
			printf("smoke: FAIL: this kernel does not support detached seccomp filters "
			       "(SECCOMP_FILTER_FLAG_DETACHED -> EINVAL): not the patched kernel?\n");
		else
			printf("smoke: FAIL: creating a detached filter: %s\n", strerror(e));
		return 2;
	}
	printf("smoke: detached filter fd %d (getppid -> EPERM); parent's seccomp mode %d\n",
	       fd, prctl(PR_GET_SECCOMP, 0, 0, 0, 0));

	for (i = 0; i < 2; i++) {
		if (pipe(go[i]))
			return perror("pipe"), 1;
		child[i] = fork();
		if (child[i] < 0)
			return perror("fork"), 1;
		if (child[i] == 0) {
			char c;
			long r;

			close(go[i][1]);
			if (read(go[i][0], &c, 1) != 1)
				_exit(3);
			errno = 0;
			r = syscall(__NR_getppid);
			printf("smoke: child %d (pid %d): getppid() = %ld (%s)\n", i, getpid(), r,
			       r < 0 ? strerror(errno) : "allowed");
			_exit(r == -1 && errno == EPERM ? 0 : 1);
		}
		close(go[i][0]);
	}

	for (i = 0; i < 2; i++) {
		struct seccomp_attach_filter att = { .filter_fd = fd };

		att.pidfd = syscall(__NR_pidfd_open, child[i], 0);
		if (att.pidfd < 0)
			return perror("pidfd_open"), 1;
		if (sys_seccomp(SECCOMP_ATTACH_FILTER, 0, &att)) {
			printf("smoke: FAIL: SECCOMP_ATTACH_FILTER to child %d: %s\n", i, strerror(errno));
			failed = 1;
		} else {
			printf("smoke: attached to child %d (pid %d)\n", i, child[i]);
		}
		close(att.pidfd);
	}
	show_fdinfo(fd);

	for (i = 0; i < 2; i++) {
		int st;

		if (write(go[i][1], "x", 1) != 1)
			failed = 1;
		waitpid(child[i], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("smoke: FAIL: child %d was not restricted (status 0x%x)\n", i, st);
			failed = 1;
		}
	}
	errno = 0;
	if (syscall(__NR_getppid) < 0) {
		printf("smoke: FAIL: the parent itself got filtered: %s\n", strerror(errno));
		failed = 1;
	} else {
		printf("smoke: parent: getppid() allowed (filter not installed on the creator)\n");
	}
	printf("smoke: %s\n", failed ? "FAIL" : "OK: one detached filter enforced on two tasks");
	return failed;
}
