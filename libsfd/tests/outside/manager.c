// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * An outside container manager: built against an installed libsfd with
 * nothing but `pkg-config --static --cflags --libs libsfd` (mk/outside.mk),
 * run on the patched kernel.  It builds a filter from a profile, stashes
 * the fd in another process, gets it handed back over SCM_RIGHTS, and
 * attaches it to a new process (held before exec) and to a running one;
 * each step is one TAP result, checked by what the filtered process sees.
 *
 * The profile allows everything but getppid(), which fails with EPERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sfd.h>

static const char profile[] =
	"{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": "
	"[\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1 } ] }";

static int n_test, n_fail;

static void result(int ok, const char *what, const char *why)
{
	n_test++;
	if (ok) {
		printf("ok %d %s\n", n_test, what);
	} else {
		n_fail++;
		printf("not ok %d %s: %s\n", n_test, what, why);
	}
	fflush(stdout);
}

/* In a filtered process: 0 if getppid() is denied with EPERM. */
static int probe(void)
{
	errno = 0;
	return syscall(SYS_getppid) == -1 && errno == EPERM ? 0 : 3;
}

/* The stash: keeps the one fd it is given and hands a copy to each asker. */
static int stash(int sock)
{
	struct sfd_fd_msg m = { .sz = sizeof(m) };
	char req;
	int fd;

	fd = sfd_recv_fd_msg(sock, 0, &m);
	if (fd < 0 || strcmp(m.name, "outside"))
		return 1;
	while (read(sock, &req, 1) == 1)
		if (sfd_send_fd_msg(sock, fd, &m))
			return 1;
	return 0;
}

static int exit_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	struct sfd_fd_msg m = { .sz = sizeof(m) };
	struct sfd_info info = { .sz = sizeof(info) };
	char why[160], go = 'g';
	struct sfd_profile *p;
	int sv[2], gate[2], fd, got, ret, st;
	pid_t stash_pid, pid;

	if (argc > 1 && !strcmp(argv[1], "--probe"))
		return probe();

	printf("1..5\n");
	ret = sfd_probe();
	if (ret) {
		printf("not ok 1 build: sfd_probe(): %s: this kernel lacks detached filters\n",
		       strerror(-ret));
		return 1;
	}

	/* build */
	ret = sfd_profile_load_oci_buf(profile, strlen(profile), NULL, &p);
	fd = ret ? ret : sfd_profile_create(p, 0);
	if (!ret)
		sfd_profile_free(p);
	snprintf(why, sizeof(why), "%s", strerror(fd < 0 ? -fd : 0));
	result(fd >= 0, "build: a profile compiled into a detached filter fd", why);
	if (fd < 0)
		return 1;

	/* stash: another process holds the only copy */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return perror("socketpair"), 1;
	stash_pid = fork();
	if (stash_pid < 0)
		return perror("fork"), 1;
	if (!stash_pid) {
		close(sv[0]);
		close(fd);
		_exit(stash(sv[1]));
	}
	close(sv[1]);
	snprintf(m.name, sizeof(m.name), "outside");
	m.flags = SFD_FD_DETACHED;
	ret = sfd_send_fd_msg(sv[0], fd, &m);
	close(fd);
	result(!ret, "stash: the fd sent to the stash process, the manager's copy closed",
	       strerror(-ret));

	/* hand off: a copy comes back over SCM_RIGHTS, framed */
	memset(&m, 0, sizeof(m));
	m.sz = sizeof(m);
	fd = write(sv[0], &go, 1) == 1 ? sfd_recv_fd_msg(sv[0], 0, &m) : -errno;
	snprintf(why, sizeof(why), "%s (name '%s')", fd < 0 ? strerror(-fd) : "wrong frame",
		 m.name);
	result(fd >= 0 && !strcmp(m.name, "outside") && (m.flags & SFD_FD_DETACHED),
	       "hand off: the stash hands a copy back", why);
	close(sv[0]);	/* the stash sees EOF and exits */
	st = exit_status(stash_pid);
	if (fd < 0)
		return 1;

	/* attach to a new process, held before exec until it is filtered */
	{
		char *cargv[] = { "/proc/self/exe", "--probe", NULL };

		got = sfd_spawn("/proc/self/exe", cargv, fd, NULL, &pid);
		ret = got < 0 ? got : exit_status(pid);
		if (got >= 0)
			close(got);
		snprintf(why, sizeof(why), "%s", got < 0 ? strerror(-got) :
			 ret == 3 ? "getppid() was not denied" : "child failed");
		result(ret == 0, "attach: a spawned process runs under the filter from exec on",
		       why);
	}

	/* attach to a running process (whole process, by pidfd) */
	if (pipe(gate))
		return perror("pipe"), 1;
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (!pid) {
		close(gate[1]);
		if (read(gate[0], &go, 1) != 1)
			_exit(2);
		_exit(probe());
	}
	close(gate[0]);
	ret = sfd_attach_pid(pid, fd, 0);
	got = sfd_info(fd, &info);
	if (write(gate[1], &go, 1) != 1)
		ret = ret ? ret : -errno;
	close(gate[1]);
	st = exit_status(pid);
	snprintf(why, sizeof(why), "attach %s, exit %d, nodes %u", strerror(-ret), st,
		 got ? 0 : info.nodes);
	result(!ret && st == 0 && !got && info.nodes == 1,
	       "attach: a running process is filtered by pidfd, one node", why);
	close(fd);
	return n_fail ? 1 : 0;
}
