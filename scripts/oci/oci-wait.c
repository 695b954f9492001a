// SPDX-License-Identifier: GPL-2.0
/*
 * oci-wait PID...: wait until every PID has exited.
 *
 * A container's init is not the manager's child (the runtime's `create`
 * process started it and exited), so neither wait(2) nor the shell's wait
 * can see it; a pidfd can. Each PID is polled through pidfd_open(2) until
 * it reports POLLIN (the process exited, reaped or not). A PID already gone
 * counts as exited. Exit status 0, or 1 with the reason on stderr (2 for a
 * usage error).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int wait_exit(const char *arg)
{
	struct pollfd pfd = { .events = POLLIN };
	char *end;
	long pid;
	int ret;

	errno = 0;
	pid = strtol(arg, &end, 10);
	if (errno || end == arg || *end || pid < 1 || pid > INT_MAX) {
		fprintf(stderr, "oci-wait: '%s' is not a pid\n", arg);
		return -1;
	}
	pfd.fd = syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pfd.fd < 0) {
		/*
		 * ESRCH: gone. EINVAL: being reaped right now (the pid is
		 * still in the table but no longer leads a process).
		 */
		if (errno == ESRCH || errno == EINVAL)
			return 0;
		fprintf(stderr, "oci-wait: pidfd_open(%ld): %s\n", pid, strerror(errno));
		return -1;
	}
	do
		ret = poll(&pfd, 1, -1);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		fprintf(stderr, "oci-wait: poll on the pidfd of %ld: %s\n", pid, strerror(errno));
	close(pfd.fd);
	return ret < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: oci-wait PID...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (wait_exit(argv[i]))
			return 1;
	return 0;
}
