// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * sfdctl: detached seccomp filters from the command line, on libsfd.
 *
 *   sfdctl compile PROFILE [-- CMD...]      profile -> detached fd, its state
 *   sfdctl serve --socket PATH PROFILE...   the stash: compile once, hand out fds
 *   sfdctl run SOURCE [--ns LIST] -- CMD    a command held, attached, released
 *   sfdctl attach SOURCE PID [--thread]     a running process (every thread)
 *   sfdctl info (--fd N | --pid PID | SOURCE)
 *   sfdctl agent SOURCE [--policy P]        serve user notifications
 *
 * SOURCE is --socket PATH --name NAME (a stash) or --profile FILE.
 * Exit codes: 0 ok, 1 the operation failed, 2 usage; `run` passes the
 * command's status through (128+N for signal N) and uses 125 for its own
 * failures, 126/127 when the command cannot be executed / found.
 * See sfdctl(1).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sfd.h>

#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define EXIT_RUN_FAIL	125	/* run: sfdctl failed before the command ran */

/* The environment variable `compile ... -- CMD` passes the fd number in. */
#define FD_ENV "SFD_FILTER_FD"

static const char *verb = "sfdctl";

static void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sfdctl: %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* strerror() starting in lower case, to read as part of one line. */
static const char *estr(int e)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s", strerror(e < 0 ? -e : e));
	if (buf[0] && isupper((unsigned char)buf[0]) && islower((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sfdctl: %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see sfdctl --help)\n");
	return EXIT_USAGE;
}

static const char usage_text[] =
"usage: sfdctl VERB [OPTIONS] ...\n"
"\n"
"  compile PROFILE [-- CMD ARGS...]\n"
"        compile an OCI/Docker seccomp profile into a detached filter fd and\n"
"        print its state; with CMD, run CMD with the fd open (number in $" FD_ENV ")\n"
"  serve --socket PATH [--ready-fd N] [NAME=]PROFILE...\n"
"        compile each profile once (one fd per digest) and hand its fd to\n"
"        clients asking by name, tag or digest; SIGTERM/SIGINT end it and\n"
"        remove PATH\n"
"  run SOURCE [--ns LIST] [--join PID] [--time] [--ready-fd N] -- CMD ARGS...\n"
"        start CMD held before exec, attach the filter by pidfd, let it run,\n"
"        exit with its status.  --ns: user,pid,mnt,uts,ipc,net (new ones);\n"
"        --join PID: enter PID's namespaces first (as an exec into a container);\n"
"        --load (with --profile): the child compiles and loads the profile itself;\n"
"        --uid-map MAP: uid_map and gid_map with --ns user (default: our uid\n"
"        and gid as 0, \"0 UID 1\", as unshare -r);\n"
"        --time: say how long it took to have the command under the filter;\n"
"        --ready-fd N: write the command's pid to fd N once it runs\n"
"  attach SOURCE PID [--thread] [--time]\n"
"        attach the filter to a running process, every thread of it (a process\n"
"        pidfd, all or none); --thread: that one thread only\n"
"  info (--fd N | --pid PID | SOURCE | --clock)\n"
"        a filter's fdinfo (insns, tag, listener, nodes) and whether it is in use,\n"
"        or a process's Seccomp lines from /proc/PID/status; --clock: the clock\n"
"        --time uses and the TSC rate (for SFDCTL_TSC_MHZ in a guest)\n"
"  agent SOURCE|--listen PATH [--policy allow|deny|log|FILE] [--ready-fd N]\n"
"        [-- CMD ARGS...]\n"
"        serve the filter's user notifications: allow = let the syscall run,\n"
"        deny = fail it with EPERM, log = print it and let it run; a FILE has\n"
"        lines \"SYSCALL allow|deny|log\" (\"*\" for the rest, default deny).\n"
"        Exits when no task uses the filter any more.  --listen PATH: also take\n"
"        the listeners runc and crun send to a profile's listenerPath, and\n"
"        serve until signalled.\n"
"\n"
"  SOURCE: --socket PATH --name NAME (a stash of `sfdctl serve`) or --profile FILE\n"
"\n"
"Exit status: 0 ok, 1 the operation failed, 2 usage error; run: the command's\n"
"status (128+N for signal N), 125 if sfdctl failed, 126/127 command not\n"
"executable/not found.  See sfdctl(1).\n";

/* ---- options shared by the verbs ------------------------------------- */

struct source {
	const char *socket;
	const char *name;
	const char *profile;
	int fd;			/* --fd, -1 if not given */
};

static long parse_long(const char *what, const char *s, long min, long max, int *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		*ret = usage_err("%s: '%s' is not a number in %ld..%ld", what, s, min, max);
		return -1;
	}
	*ret = 0;
	return v;
}

/*
 * SOURCE, where a verb gets its detached filter: every verb that takes one
 * lists SOURCE_OPTIONS in its long options, "s:n:p:" in its short ones
 * ("f:" and "fd" too where an inherited fd is allowed), and hands each
 * option to source_opt() before its own.
 */
#define SOURCE_OPTIONS \
	{ "socket", required_argument, NULL, 's' }, \
	{ "name", required_argument, NULL, 'n' }, \
	{ "profile", required_argument, NULL, 'p' }

/* 1 if @c is a SOURCE option (*ret: 0, or the usage error's exit status), else 0 */
static int source_opt(struct source *src, int c, int *ret)
{
	*ret = 0;
	switch (c) {
	case 's':
		src->socket = optarg;
		return 1;
	case 'n':
		src->name = optarg;
		return 1;
	case 'p':
		src->profile = optarg;
		return 1;
	case 'f':
		src->fd = (int)parse_long("--fd", optarg, 0, INT_MAX, ret);
		return 1;
	}
	return 0;
}

/* ---- profiles ---------------------------------------------------------- */

static int load_profile(const char *path, struct sfd_profile **out)
{
	char ebuf[512] = "";
	SFD_OPTS(sfd_profile_opts, opts, .errbuf = ebuf, .errbuf_len = sizeof(ebuf));
	int ret = sfd_profile_load_oci(path, &opts, out);

	if (ret < 0) {
		if (ebuf[0] && strstr(ebuf, path))
			err_msg("%s", ebuf);
		else
			err_msg("%s: %s", path, ebuf[0] ? ebuf : estr(ret));
	}
	return ret;
}

static void create_failed(const char *what, int ret)
{
	if (sfd_probe() == -EOPNOTSUPP)
		err_msg("%s: this kernel has no detached seccomp filters", what);
	else
		err_msg("%s: creating the detached filter: %s", what, estr(ret));
}

/* Compile @path into a new detached filter; returns the fd or -1. */
static int compile_profile(const char *path, struct sfd_profile **keep)
{
	struct sfd_profile *p;
	int fd;

	if (load_profile(path, &p) < 0)
		return -1;
	fd = sfd_profile_create(p, 0);
	if (fd < 0) {
		create_failed(path, fd);
		sfd_profile_free(p);
		return -1;
	}
	if (keep)
		*keep = p;
	else
		sfd_profile_free(p);
	return fd;
}

#define DIGEST_HEX (2 * SFD_PROFILE_DIGEST_SIZE + 1)

/* The profile's digest in hex: the key a manager caches one fd by. */
static void digest_hex(const struct sfd_profile *p, char out[DIGEST_HEX])
{
	__u8 d[SFD_PROFILE_DIGEST_SIZE];
	int i;

	out[0] = '\0';
	if (sfd_profile_digest(p, d) < 0)
		return;
	for (i = 0; i < SFD_PROFILE_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void tag_hex(const struct sfd_info *info, char out[17])
{
	int i;

	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", info->tag[i]);
}

/* ---- the stash protocol ------------------------------------------------ */
/*
 * A client connects and writes one request line: "get NAME\n" (NAME: a
 * profile name or its tag in hex) or "list\n".  The server answers "get"
 * with "ok\n" followed by one libsfd frame (sfd_send_fd_msg) carrying the
 * fd, or with "error: MESSAGE\n"; "list" with one line per profile
 * ("NAME TAG INSNS LISTENER NODES") and then closes.
 */
#define STASH_LINE_MAX 256

/* Read one line (without its newline) byte by byte, so no frame is eaten. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return n ? -EBADMSG : -ECONNRESET;
		if (c == '\n')
			break;
		if (n + 1 >= len)
			return -EMSGSIZE;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return (int)n;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int stash_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		err_msg("%s: socket path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		err_msg("socket: %s", estr(errno));
		return -1;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_msg("%s: %s", path, estr(errno));
		close(s);
		return -1;
	}
	return s;
}

/* Ask the stash at @path for @name; returns the fd or -1. */
static int stash_get(const char *path, const char *name)
{
	SFD_OPTS(sfd_fd_msg, msg);
	char line[STASH_LINE_MAX];
	int s, fd, ret;

	if (strchr(name, '\n') || strlen(name) >= DIGEST_HEX) {
		err_msg("'%s': not a profile name", name);
		return -1;
	}
	s = stash_connect(path);
	if (s < 0)
		return -1;
	snprintf(line, sizeof(line), "get %s\n", name);
	ret = write_all(s, line, strlen(line));
	if (ret == 0)
		ret = read_line(s, line, sizeof(line));
	if (ret < 0) {
		err_msg("%s: %s", path, ret == -ECONNRESET ?
			"the stash closed the connection" : estr(ret));
		close(s);
		return -1;
	}
	if (strcmp(line, "ok")) {
		err_msg("%s: %s", path, strncmp(line, "error: ", 7) ? line : line + 7);
		close(s);
		return -1;
	}
	fd = sfd_recv_fd_msg(s, 0, &msg);
	close(s);
	if (fd < 0) {
		err_msg("%s: receiving the filter fd: %s", path, estr(fd));
		return -1;
	}
	return fd;
}

/* The filter fd a verb works on, from a stash, a profile or --fd. */
static int source_fd(const struct source *src)
{
	if (src->fd >= 0)
		return src->fd;
	if (src->socket)
		return stash_get(src->socket, src->name);
	return compile_profile(src->profile, NULL);
}

static int check_source(const struct source *src, bool fd_ok)
{
	int n = !!src->socket + !!src->profile + (src->fd >= 0);

	if (n == 0)
		return usage_err("say where the filter comes from: --socket PATH --name NAME, "
				 "--profile FILE%s", fd_ok ? " or --fd N" : "");
	if (n > 1)
		return usage_err("give only one of --socket, --profile%s", fd_ok ? ", --fd" : "");
	if (src->socket && !src->name)
		return usage_err("--socket needs --name NAME");
	if (src->name && !src->socket)
		return usage_err("--name needs --socket PATH");
	return 0;
}

/* ---- printing state ---------------------------------------------------- */

/* Whether any task uses @fd: poll() says POLLHUP once none does. */
static const char *use_state(int fd, const struct sfd_info *info)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 0) < 0)
		return "unknown";
	if (p.revents & POLLHUP)
		return "unused (POLLHUP: it was attached, no task uses it now)";
	if (info->nodes)
		return (p.revents & POLLIN) ? "in use (notifications pending)" : "in use";
	return "never attached";
}

/* Print @header (if any), then @fd's state; or one error line. */
static int print_fd_info(int fd, const char *indent, const char *header)
{
	SFD_OPTS(sfd_info, info);
	char tag[17];
	int ret = sfd_info(fd, &info);

	if (ret < 0) {
		err_msg("fd %d: %s", fd, ret == -EINVAL ?
			"not a detached seccomp filter" : estr(ret));
		return -1;
	}
	tag_hex(&info, tag);
	if (header)
		printf("%s\n", header);
	printf("%sinsns:    %u\n", indent, info.insns);
	printf("%stag:      %s\n", indent, tag);
	printf("%slistener: %s\n", indent, info.listener ? "yes (SCMP_ACT_NOTIFY rules)" : "no");
	printf("%snodes:    %u\n", indent, info.nodes);
	printf("%sstate:    %s\n", indent, use_state(fd, &info));
	return 0;
}

static int print_pid_info(pid_t pid)
{
	static const char *const keys[] = { "Name:", "NoNewPrivs:", "Seccomp:", "Seccomp_filters:" };
	char path[64], line[512];
	unsigned int threads = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f) {
		err_msg("pid %d: %s", pid, errno == ENOENT ? "no such process" : estr(errno));
		return -1;
	}
	printf("pid %d:\n", pid);
	while (fgets(line, sizeof(line), f)) {
		size_t i;

		if (!strncmp(line, "Threads:", 8))
			threads = (unsigned int)strtoul(line + 8, NULL, 10);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				printf("  %s", line);
	}
	fclose(f);
	printf("  Threads:\t%u\n", threads);
	/*
	 * Per-thread: a process attach covers all threads, so they agree;
	 * a mismatch means a --thread attach or a thread's own filter.
	 */
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (threads > 1)
		printf("  (threads: see %s/*/status)\n", path);
	return 0;
}

/* ---- compile ----------------------------------------------------------- */

static int cmd_compile(int argc, char **argv)
{
	struct sfd_profile *p;
	const char *const *skipped;
	char num[16], digest[DIGEST_HEX];
	int fd, n, i;

	if (argc < 2 || argv[1][0] == '-')
		return usage_err("compile PROFILE [-- CMD ARGS...]");
	if (argc > 2 && (strcmp(argv[2], "--") || argc == 3))
		return usage_err("after PROFILE: -- CMD ARGS...");
	fd = compile_profile(argv[1], &p);
	if (fd < 0)
		return EXIT_FAIL;
	digest_hex(p, digest);
	printf("profile:  %s\n", argv[1]);
	printf("digest:   %s\n", digest);
	if (sfd_profile_listener_path(p))
		printf("listenerPath: %s\n", sfd_profile_listener_path(p));
	printf("fd:       %d\n", fd);
	if (print_fd_info(fd, "", NULL) < 0)
		return EXIT_FAIL;
	n = sfd_profile_skipped(p, &skipped);
	if (n > 0) {
		printf("skipped:  %d unknown to libseccomp:", n);
		for (i = 0; skipped[i]; i++)
			printf(" %s", skipped[i]);
		printf("\n");
	}
	sfd_profile_free(p);
	fflush(stdout);
	if (argc == 2)
		return 0;

	/* Hold the fd for CMD: clear O_CLOEXEC and say which one it is. */
	if (fcntl(fd, F_SETFD, 0) < 0) {
		err_msg("fd %d: %s", fd, estr(errno));
		return EXIT_FAIL;
	}
	snprintf(num, sizeof(num), "%d", fd);
	setenv(FD_ENV, num, 1);
	execvp(argv[3], argv + 3);
	err_msg("%s: %s", argv[3], estr(errno));
	return errno == ENOENT ? 127 : 126;
}

/* ---- serve ------------------------------------------------------------- */

struct stash_entry {
	char name[SFD_FD_NAME_MAX];
	char tag[17];
	char digest[DIGEST_HEX];
	int fd;
	__u32 flags;
};

static void serve_one(int c, const struct stash_entry *e, int n)
{
	char line[STASH_LINE_MAX], out[STASH_LINE_MAX + 64];
	struct timeval tv = { .tv_sec = 5 };
	int i, ret;

	/* A client that connects and says nothing must not stall the stash. */
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ret = read_line(c, line, sizeof(line));
	if (ret < 0)
		return;
	if (!strcmp(line, "list")) {
		for (i = 0; i < n; i++) {
			SFD_OPTS(sfd_info, info);

			if (sfd_info(e[i].fd, &info) < 0)
				continue;
			snprintf(out, sizeof(out), "%s %s %u %u %u %s\n", e[i].name, e[i].tag,
				 info.insns, info.listener, info.nodes, e[i].digest);
			if (write_all(c, out, strlen(out)) < 0)
				return;
		}
		return;
	}
	if (strncmp(line, "get ", 4)) {
		snprintf(out, sizeof(out), "error: bad request '%.64s'\n", line);
		write_all(c, out, strlen(out));
		return;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(line + 4, e[i].name) || !strcmp(line + 4, e[i].tag) ||
		    !strcmp(line + 4, e[i].digest)) {
			SFD_OPTS(sfd_fd_msg, msg, .flags = e[i].flags);

			snprintf(msg.name, sizeof(msg.name), "%s", e[i].name);
			if (write_all(c, "ok\n", 3) == 0)
				sfd_send_fd_msg(c, e[i].fd, &msg);
			return;
		}
	}
	snprintf(out, sizeof(out), "error: no profile named '%.64s' in the stash\n", line + 4);
	write_all(c, out, strlen(out));
}

static int signal_fd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		err_msg("signalfd: %s", estr(errno));
	return fd;
}

/* Tell whoever waits on --ready-fd that we are ready, then close it. */
static void ready(int fd)
{
	if (fd < 0)
		return;
	if (write_all(fd, "ready\n", 6) < 0)
		err_msg("--ready-fd %d: %s", fd, estr(errno));
	close(fd);
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stash_entry *e;
	const char *path = NULL;
	int c, i, n, ret, ready_fd = -1, ls = -1, sfd = -1, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "+s:r:h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'r':
			ready_fd = (int)parse_long("--ready-fd", optarg, 0, INT_MAX, &ret);
			if (ret)
				return ret;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_err("serve --socket PATH [NAME=]PROFILE...");
		}
	}
	if (!path)
		return usage_err("serve needs --socket PATH");
	if (optind >= argc)
		return usage_err("serve needs at least one PROFILE");
	if (strlen(path) >= sizeof(sa.sun_path))
		return usage_err("%s: socket path too long", path);
	n = argc - optind;
	e = calloc((size_t)n, sizeof(*e));
	if (!e) {
		err_msg("%s", estr(ENOMEM));
		return EXIT_FAIL;
	}
	for (i = 0; i < n; i++)
		e[i].fd = -1;

	for (i = 0; i < n; i++) {
		const char *arg = argv[optind + i], *file = arg, *eq = strchr(arg, '=');
		const char *slash = strchr(arg, '/');
		SFD_OPTS(sfd_info, info);
		struct sfd_profile *p;
		int j;

		if (eq && (!slash || eq < slash)) {
			snprintf(e[i].name, sizeof(e[i].name), "%.*s", (int)(eq - arg), arg);
			file = eq + 1;
		} else {
			const char *base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
			size_t len = strlen(base);

			if (len > 5 && !strcmp(base + len - 5, ".json"))
				len -= 5;
			snprintf(e[i].name, sizeof(e[i].name), "%.*s", (int)len, base);
		}
		if (!e[i].name[0] || strpbrk(e[i].name, " \n")) {
			rc = usage_err("'%s': a profile name must be non-empty, without blanks", arg);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(e[j].name, e[i].name)) {
				rc = usage_err("two profiles named '%s' (use NAME=PROFILE)", e[i].name);
				goto out;
			}
		if (load_profile(file, &p) < 0)
			goto out;
		digest_hex(p, e[i].digest);
		/* One filter per digest: the same filter under two names shares its fd. */
		for (j = 0; j < i; j++)
			if (e[i].digest[0] && !strcmp(e[j].digest, e[i].digest))
				break;
		if (j < i) {
			e[i].fd = dup(e[j].fd);
			if (e[i].fd < 0)
				err_msg("%s: dup: %s", file, estr(errno));
		} else {
			e[i].fd = sfd_profile_create(p, 0);
			if (e[i].fd < 0)
				create_failed(file, e[i].fd);
		}
		sfd_profile_free(p);
		if (e[i].fd < 0)
			goto out;
		if (sfd_info(e[i].fd, &info) < 0) {
			err_msg("%s: reading the filter's fdinfo failed", file);
			goto out;
		}
		tag_hex(&info, e[i].tag);
		e[i].flags = SFD_FD_DETACHED | (info.listener ? SFD_FD_LISTENER : 0);
		if (j < i)
			printf("serve: %s: %s, the same filter as %s (digest %.16s...)\n",
			       e[i].name, file, e[j].name, e[i].digest);
		else
			printf("serve: %s: %s, %u insns, tag %s, digest %.16s...%s\n", e[i].name,
			       file, info.insns, e[i].tag, e[i].digest,
			       info.listener ? ", listener" : "");
	}

	sfd = signal_fd();
	if (sfd < 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_msg("%s: %s", path, estr(errno));
		goto out;
	}
	if (listen(ls, 64) < 0) {
		err_msg("%s: listen: %s", path, estr(errno));
		unlink(path);
		goto out;
	}
	printf("serve: listening on %s\n", path);
	fflush(stdout);
	ready(ready_fd);

	for (;;) {
		struct pollfd p[2] = { { .fd = ls, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err_msg("poll: %s", estr(errno));
			break;
		}
		if (p[1].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				printf("serve: %s: removing %s\n", strsignal((int)si.ssi_signo), path);
			rc = 0;
			break;
		}
		if (p[0].revents & POLLIN) {
			int cl = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

			if (cl < 0)
				continue;
			serve_one(cl, e, n);
			close(cl);
		}
	}
	unlink(path);
out:
	if (ls >= 0)
		close(ls);
	if (sfd >= 0)
		close(sfd);
	for (i = 0; i < n; i++)
		if (e[i].fd >= 0)
			close(e[i].fd);
	free(e);
	fflush(stdout);
	return rc;
}

/* ---- run --------------------------------------------------------------- */

static const struct {
	const char *name;
	int flag;
	const char *proc;
} ns_names[] = {
	{ "user", CLONE_NEWUSER, "user" },
	{ "pid", CLONE_NEWPID, "pid" },
	{ "mnt", CLONE_NEWNS, "mnt" },
	{ "uts", CLONE_NEWUTS, "uts" },
	{ "ipc", CLONE_NEWIPC, "ipc" },
	{ "net", CLONE_NEWNET, "net" },
};
#define NR_NS (sizeof(ns_names) / sizeof(ns_names[0]))

static int parse_ns(const char *list, __u64 *flags)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	*flags = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < NR_NS; i++)
			if (!strcmp(tok, ns_names[i].name))
				break;
		if (i == NR_NS) {
			ret = usage_err("--ns: unknown namespace '%s' (user,pid,mnt,uts,ipc,net)", tok);
			break;
		}
		*flags |= (__u64)ns_names[i].flag;
	}
	free(copy);
	return ret;
}

/*
 * run --time.  Intervals come from CLOCK_MONOTONIC_RAW, unless that clock
 * is coarse (a VM without a usable clocksource runs it on jiffies, 4 ms
 * steps): then from the TSC, at the rate $SFDCTL_TSC_MHZ says or, without
 * it, a rate measured against CLOCK_MONOTONIC_RAW over 200 ms, edge to
 * edge of its steps; the line printed says which.
 */
struct stopwatch {
	struct timespec ts;
	__u64 tsc;
};

#if defined(__x86_64__) || defined(__i386__)
static __u64 read_tsc(void)
{
	__u32 lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((__u64)hi << 32) | lo;
}
#define HAVE_TSC 1
#else
static __u64 read_tsc(void)
{
	return 0;
}
#define HAVE_TSC 0
#endif

static double ts_us(const struct timespec *ts)
{
	return (double)ts->tv_sec * 1e6 + (double)ts->tv_nsec / 1e3;
}

static void sw_start(struct stopwatch *sw)
{
	clock_gettime(CLOCK_MONOTONIC_RAW, &sw->ts);
	sw->tsc = read_tsc();
}

/* TSC ticks per microsecond, measured over >= @ms of the coarse clock. */
static double tsc_calibrate(int ms)
{
	struct timespec a, b;
	__u64 t0, t1;
	double m0;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	do
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	while (b.tv_sec == a.tv_sec && b.tv_nsec == a.tv_nsec);
	t0 = read_tsc();
	m0 = ts_us(&b);
	do {
		a = b;
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	} while (ts_us(&b) - m0 < ms * 1e3 || (b.tv_sec == a.tv_sec && b.tv_nsec == a.tv_nsec));
	t1 = read_tsc();
	return (double)(t1 - t0) / (ts_us(&b) - m0);
}

/* Microseconds since sw_start(); *@how says how they were measured. */
static double sw_elapsed_us(const struct stopwatch *sw, char *how, size_t len)
{
	struct timespec now, res;
	__u64 tsc = read_tsc();
	const char *env = getenv("SFDCTL_TSC_MHZ");
	double mhz;

	clock_gettime(CLOCK_MONOTONIC_RAW, &now);
	if (!HAVE_TSC || clock_getres(CLOCK_MONOTONIC_RAW, &res) ||
	    (res.tv_sec == 0 && res.tv_nsec <= 1000)) {
		snprintf(how, len, "CLOCK_MONOTONIC_RAW");
		return ts_us(&now) - ts_us(&sw->ts);
	}
	mhz = env ? strtod(env, NULL) : 0;
	if (mhz > 0) {
		snprintf(how, len, "TSC at %.3f MHz from SFDCTL_TSC_MHZ", mhz);
	} else {
		mhz = tsc_calibrate(200);
		snprintf(how, len, "TSC at %.3f MHz, measured against CLOCK_MONOTONIC_RAW", mhz);
	}
	return (double)(tsc - sw->tsc) / mhz;
}

/* Reap the child (by its pidfd when there is one): its status to pass on. */
static int wait_status(int pidfd, pid_t pid)
{
	siginfo_t si = { 0 };
	idtype_t type = pidfd >= 0 ? P_PIDFD : P_PID;
	id_t id = pidfd >= 0 ? (id_t)pidfd : (id_t)pid;

	while (waitid(type, id, &si, WEXITED) < 0)
		if (errno != EINTR)
			return EXIT_RUN_FAIL;
	if (si.si_code == CLD_EXITED)
		return si.si_status;
	return 128 + si.si_status;
}

/*
 * The namespaces of @pid that differ from ours, as CLONE_NEW* flags, and
 * the pidfd to setns() with.
 */
static int join_flags(pid_t pid, int *flags)
{
	size_t i;

	*flags = 0;
	for (i = 0; i < NR_NS; i++) {
		char a[64], b[64];
		struct stat sa, sb;

		snprintf(a, sizeof(a), "/proc/%d/ns/%s", pid, ns_names[i].proc);
		snprintf(b, sizeof(b), "/proc/self/ns/%s", ns_names[i].proc);
		if (stat(a, &sa) < 0) {
			err_msg("--join %d: %s: %s", pid, a, estr(errno));
			return -1;
		}
		if (stat(b, &sb) == 0 && (sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev))
			*flags |= ns_names[i].flag;
	}
	return 0;
}

struct run_opts {
	__u64 clone_flags;
	pid_t join;
	bool load;
	bool time;
	int ready_fd;
	const char *uid_map;
	const char *gid_map;
};

/* run --ready-fd: the command runs; tell its pid, then close the fd. */
static int ready_pid(int fd, pid_t pid)
{
	char buf[32];
	int ret;

	if (fd < 0)
		return 0;
	snprintf(buf, sizeof(buf), "%d\n", pid);
	ret = write_all(fd, buf, strlen(buf));
	close(fd);
	if (ret < 0)
		err_msg("--ready-fd %d: %s", fd, estr(ret));
	return ret < 0 ? -1 : 0;
}

/*
 * The program execve() is given for @cmd: as execvp() finds it on $PATH.
 * Returns @cmd itself when it has a slash or nothing on $PATH matches
 * (execve() then answers why).
 */
static const char *find_program(const char *cmd, char *buf, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;

	if (strchr(cmd, '/') || !path)
		return cmd;
	for (p = path; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if ((size_t)snprintf(buf, len, "%.*s/%s", (int)(end - p),
				     end == p ? "." : p, cmd) >= len)
			continue;
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return cmd;
}

/*
 * Spawn @argv under @fd (or, with @prog, have the child load @prog itself)
 * and wait for it.  Returns the exit status to pass on.
 */
static int spawn_and_wait(char **argv, int fd, const struct sock_fprog *prog,
			  const struct run_opts *ro, const struct stopwatch *sw)
{
	SFD_OPTS(sfd_spawn_opts, so, .clone_flags = ro->clone_flags, .prog = prog);
	char buf[PATH_MAX];
	const char *prog_path = find_program(argv[0], buf, sizeof(buf));
	pid_t pid = 0;
	int pidfd;

	if (ro->clone_flags & CLONE_NEWUSER) {
		so.uid_map = ro->uid_map;
		so.gid_map = ro->gid_map;
	}
	pidfd = sfd_spawn(prog_path, argv, fd, &so, &pid);
	if (pidfd < 0) {
		if (pidfd == -ENOENT)
			err_msg("%s: command not found", argv[0]);
		else if (pidfd == -EACCES || pidfd == -ENOEXEC)
			err_msg("%s: cannot execute: %s", argv[0], estr(pidfd));
		else
			err_msg("%s: starting it under the filter: %s", argv[0], estr(pidfd));
		return pidfd == -ENOENT ? 127 : (pidfd == -EACCES || pidfd == -ENOEXEC) ?
			126 : EXIT_RUN_FAIL;
	}
	if (ro->time) {
		char how[96];
		double us = sw_elapsed_us(sw, how, sizeof(how));

		fprintf(stderr, "sfdctl: run: under the filter in %.1f us (%s; %s)\n", us,
			prog ? "compile + load in the child" : "attach the detached fd by pidfd",
			how);
	}
	if (fd >= 0)
		close(fd);
	if (ready_pid(ro->ready_fd, pid) < 0) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		wait_status(pidfd, pid);
		return EXIT_RUN_FAIL;
	}
	return wait_status(pidfd, pid);
}

/*
 * `run --join PID`: a child enters PID's namespaces (it is the process
 * that setns() needs: the pid namespace applies to its children), becomes
 * the namespace's root, and spawns the command there under the filter.
 */
static int run_joined(char **argv, int fd, const struct run_opts *ro,
		      const struct stopwatch *sw)
{
	int tpidfd, flags, status;
	pid_t child, parent;

	if (join_flags(ro->join, &flags) < 0)
		return EXIT_RUN_FAIL;
	tpidfd = (int)syscall(SYS_pidfd_open, ro->join, 0);
	if (tpidfd < 0) {
		err_msg("--join %d: %s", ro->join, estr(errno));
		return EXIT_RUN_FAIL;
	}
	fflush(NULL);
	parent = getpid();
	child = fork();
	if (child < 0) {
		err_msg("fork: %s", estr(errno));
		return EXIT_RUN_FAIL;
	}
	if (child == 0) {
		struct run_opts inner = *ro;

		/* Dies with us: no process is left behind in the container. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(EXIT_RUN_FAIL);
		if (flags && setns(tpidfd, flags) < 0) {
			err_msg("--join %d: setns: %s", ro->join, estr(errno));
			_exit(EXIT_RUN_FAIL);
		}
		if ((flags & CLONE_NEWUSER) && (setgid(0) < 0 || setuid(0) < 0)) {
			err_msg("--join %d: becoming the namespace's root: %s", ro->join, estr(errno));
			_exit(EXIT_RUN_FAIL);
		}
		close(tpidfd);
		inner.clone_flags = 0;
		_exit(spawn_and_wait(argv, fd, NULL, &inner, sw));
	}
	close(tpidfd);
	if (fd >= 0)
		close(fd);
	if (ro->ready_fd >= 0)
		close(ro->ready_fd);	/* the child tells */
	status = wait_status(-1, child);
	return status;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option lo[] = {
		SOURCE_OPTIONS,
		{ "ns", required_argument, NULL, 'N' },
		{ "join", required_argument, NULL, 'j' },
		{ "load", no_argument, NULL, 'l' },
		{ "time", no_argument, NULL, 't' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "uid-map", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct source src = { .fd = -1 };
	struct run_opts ro = { .ready_fd = -1 };
	struct sfd_profile *p = NULL;
	char map[64], gmap[64];
	int c, ret, fd, rc;
	struct stopwatch sw;

	while ((c = getopt_long(argc, argv, "+s:n:p:N:j:ltr:u:h", lo, NULL)) != -1) {
		if (source_opt(&src, c, &ret)) {
			if (ret)
				return ret;
			continue;
		}
		switch (c) {
		case 'N':
			ret = parse_ns(optarg, &ro.clone_flags);
			if (ret)
				return ret;
			break;
		case 'j':
			ro.join = (pid_t)parse_long("--join", optarg, 1, INT_MAX, &ret);
			if (ret)
				return ret;
			break;
		case 'l': ro.load = true; break;
		case 't': ro.time = true; break;
		case 'r':
			ro.ready_fd = (int)parse_long("--ready-fd", optarg, 0, INT_MAX, &ret);
			if (ret)
				return ret;
			break;
		case 'u':
			snprintf(map, sizeof(map), "%s\n", optarg);
			ro.uid_map = map;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_err("run SOURCE [--ns LIST] [--join PID] -- CMD ARGS...");
		}
	}
	ret = check_source(&src, false);
	if (ret)
		return ret;
	if (optind >= argc)
		return usage_err("no command given: -- CMD ARGS...");
	if (ro.load && !src.profile)
		return usage_err("--load needs --profile FILE");
	if (ro.join && (ro.clone_flags || ro.load))
		return usage_err("--join enters existing namespaces: no --ns or --load with it");
	argv += optind;
	/*
	 * The child keeps our uid and gid: mapped to root in its namespace it
	 * keeps its capabilities there across execve() (as unshare -r).
	 */
	snprintf(gmap, sizeof(gmap), "0 %u 1\n", (unsigned int)getgid());
	ro.gid_map = ro.uid_map ? ro.uid_map : gmap;
	if (!ro.uid_map) {
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)getuid());
		ro.uid_map = map;
	}

	sw_start(&sw);
	if (ro.load) {
		/* The classic way, for comparison: compile here, load in the child. */
		if (load_profile(src.profile, &p) < 0)
			return EXIT_RUN_FAIL;
		rc = spawn_and_wait(argv, -1, sfd_profile_prog(p), &ro, &sw);
		sfd_profile_free(p);
		return rc;
	}
	fd = source_fd(&src);
	if (fd < 0)
		return EXIT_RUN_FAIL;
	if (ro.join)
		return run_joined(argv, fd, &ro, &sw);
	sw_start(&sw);
	return spawn_and_wait(argv, fd, NULL, &ro, &sw);
}

/* ---- attach ------------------------------------------------------------ */

static int cmd_attach(int argc, char **argv)
{
	static const struct option lo[] = {
		SOURCE_OPTIONS,
		{ "thread", no_argument, NULL, 't' },
		{ "time", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct source src = { .fd = -1 };
	struct stopwatch sw;
	bool thread = false, timed = false;
	pid_t pid;
	int c, ret, fd;

	while ((c = getopt_long(argc, argv, "s:n:p:th", lo, NULL)) != -1) {
		if (source_opt(&src, c, &ret)) {
			if (ret)
				return ret;
			continue;
		}
		switch (c) {
		case 't': thread = true; break;
		case 'T': timed = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_err("attach SOURCE PID [--thread]");
		}
	}
	ret = check_source(&src, false);
	if (ret)
		return ret;
	if (optind != argc - 1)
		return usage_err("attach needs exactly one PID");
	pid = (pid_t)parse_long("PID", argv[optind], 1, INT_MAX, &ret);
	if (ret)
		return ret;
	fd = source_fd(&src);
	if (fd < 0)
		return EXIT_FAIL;
	sw_start(&sw);
	ret = thread ? sfd_attach_tid(pid, fd, 0) : sfd_attach_pid(pid, fd, 0);
	if (timed && ret == 0) {
		char how[96];
		double us = sw_elapsed_us(&sw, how, sizeof(how));

		fprintf(stderr, "sfdctl: attach: under the filter in %.1f us "
			"(pidfd_open + attach; %s)\n", us, how);
	}
	close(fd);
	if (ret < 0) {
		const char *why = estr(ret);

		switch (ret) {
		case -ESRCH:
			why = thread ? "no such thread, or it is exiting" :
				"no such process, or its threads' filters diverged";
			break;
		case -EEXIST:
			why = "this filter is already attached there";
			break;
		case -EBUSY:
			why = "it already has a user-notification listener";
			break;
		case -EACCES:
			why = "it lacks no_new_privs and we lack CAP_SYS_ADMIN over it";
			break;
		}
		err_msg("%s %d: %s", thread ? "thread" : "process", pid, why);
		return EXIT_FAIL;
	}
	printf("attached to %s %d%s\n", thread ? "thread" : "process", pid,
	       thread ? "" : " (every thread)");
	return 0;
}

/* ---- info -------------------------------------------------------------- */

static int cmd_info(int argc, char **argv)
{
	static const struct option lo[] = {
		SOURCE_OPTIONS,
		{ "fd", required_argument, NULL, 'f' },
		{ "pid", required_argument, NULL, 'P' },
		{ "clock", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct source src = { .fd = -1 };
	bool clock = false;
	char header[PATH_MAX + 64];
	pid_t pid = 0;
	int c, ret, fd;

	while ((c = getopt_long(argc, argv, "s:n:p:f:P:h", lo, NULL)) != -1) {
		if (source_opt(&src, c, &ret)) {
			if (ret)
				return ret;
			continue;
		}
		switch (c) {
		case 'c': clock = true; break;
		case 'P':
			pid = (pid_t)parse_long("--pid", optarg, 1, INT_MAX, &ret);
			if (ret)
				return ret;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_err("info (--fd N | --pid PID | SOURCE)");
		}
	}
	if (optind != argc)
		return usage_err("info: unexpected '%s'", argv[optind]);
	if (clock) {
		struct timespec res;

		if (pid || src.socket || src.profile || src.fd >= 0)
			return usage_err("--clock shows the clock; give nothing else with it");
		clock_getres(CLOCK_MONOTONIC_RAW, &res);
		printf("clock: CLOCK_MONOTONIC_RAW, resolution %ld ns\n",
		       (long)(res.tv_sec * 1000000000L + res.tv_nsec));
		if (HAVE_TSC)
			printf("tsc_mhz: %.3f (measured against it over 200 ms)\n",
			       tsc_calibrate(200));
		return 0;
	}
	if (pid) {
		if (src.socket || src.profile || src.fd >= 0)
			return usage_err("--pid shows a process; give no filter with it");
		/*
		 * The kernel shows a task's filter count, not which filters they
		 * are, so whether it is under a given fd cannot be read here.
		 */
		return print_pid_info(pid) < 0 ? EXIT_FAIL : 0;
	}
	ret = check_source(&src, true);
	if (ret)
		return ret;
	fd = source_fd(&src);
	if (fd < 0)
		return EXIT_FAIL;
	if (src.socket)
		snprintf(header, sizeof(header), "%s (stash %s):", src.name, src.socket);
	else if (src.profile)
		snprintf(header, sizeof(header), "%s (compiled now):", src.profile);
	else
		snprintf(header, sizeof(header), "fd %d:", fd);
	ret = print_fd_info(fd, "  ", header);
	if (fd != src.fd)
		close(fd);
	return ret < 0 ? EXIT_FAIL : 0;
}

/* ---- agent ------------------------------------------------------------- */

enum verdict { V_ALLOW, V_DENY, V_LOG };

struct rule {
	char *name;
	enum verdict v;
};

struct policy {
	struct rule *rules;
	int n;
	enum verdict dflt;
	unsigned long served;
};

static int parse_verdict(const char *s, enum verdict *v)
{
	if (!strcmp(s, "allow"))
		*v = V_ALLOW;
	else if (!strcmp(s, "deny"))
		*v = V_DENY;
	else if (!strcmp(s, "log"))
		*v = V_LOG;
	else
		return -1;
	return 0;
}

static void policy_free(struct policy *pol)
{
	int i;

	for (i = 0; i < pol->n; i++)
		free(pol->rules[i].name);
	free(pol->rules);
}

static int policy_load(const char *arg, struct policy *pol)
{
	char line[256];
	int lineno = 0;
	FILE *f;

	memset(pol, 0, sizeof(*pol));
	pol->dflt = V_DENY;
	if (parse_verdict(arg, &pol->dflt) == 0)
		return 0;
	f = fopen(arg, "re");
	if (!f) {
		err_msg("--policy %s: %s (want allow, deny, log or a file)", arg, estr(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[128], act[32], extra[2];
		enum verdict v;
		struct rule *r;
		int n;

		lineno++;
		if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t\n")] == '\0')
			continue;
		n = sscanf(line, "%127s %31s %1s", name, act, extra);
		if (n != 2 || parse_verdict(act, &v) < 0) {
			err_msg("--policy %s:%d: want \"SYSCALL allow|deny|log\"", arg, lineno);
			goto fail;
		}
		if (!strcmp(name, "*")) {
			pol->dflt = v;
			continue;
		}
		if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR) {
			err_msg("--policy %s:%d: unknown syscall '%s'", arg, lineno, name);
			goto fail;
		}
		r = realloc(pol->rules, sizeof(*r) * (size_t)(pol->n + 1));
		if (!r || !(name[0] && (r[pol->n].name = strdup(name)))) {
			if (r)
				pol->rules = r;
			err_msg("%s", estr(ENOMEM));
			goto fail;
		}
		pol->rules = r;
		r[pol->n++].v = v;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	policy_free(pol);
	return -1;
}

static int agent_handle(const struct seccomp_notif *req, struct seccomp_notif_resp *resp,
			void *arg)
{
	struct policy *pol = arg;
	char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
	enum verdict v = pol->dflt;
	int i;

	for (i = 0; name && i < pol->n; i++)
		if (!strcmp(name, pol->rules[i].name))
			v = pol->rules[i].v;
	pol->served++;
	if (v != V_ALLOW) {
		printf("agent: pid %u: %s(%#llx, %#llx, %#llx) -> %s\n", req->pid,
		       name ? name : "?", (unsigned long long)req->data.args[0],
		       (unsigned long long)req->data.args[1],
		       (unsigned long long)req->data.args[2],
		       v == V_DENY ? "EPERM" : "continue");
		fflush(stdout);
	}
	free(name);
	if (v == V_DENY)
		return -EPERM;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	return 0;
}

/* The fds an agent serves: the SOURCE's and those runtimes sent it. */
#define AGENT_MAX_FDS 256

struct served {
	int fd;
	bool owned;		/* close it when done (not the caller's --fd) */
	char what[96];
};

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		err_msg("%s: socket path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0) {
		err_msg("%s: %s", path, estr(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/*
 * A connection on --listen: what runc or crun send to a profile's
 * listenerPath (their containerProcessState and the listener fd), or a
 * libsfd frame.  Returns the fd to serve, or -1.
 */
static int agent_accept(int ls, char *what, size_t len)
{
	struct timeval tv = { .tv_sec = 5 };
	struct sfd_agent_msg *msg;
	int c, fd, ret;

	c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return -1;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ret = sfd_agent_recv(c, &msg);
	close(c);
	if (ret < 0) {
		err_msg("--listen: a connection sent no usable listener: %s", estr(ret));
		return -1;
	}
	fd = msg->listener;
	msg->listener = -1;
	if (msg->kind == SFD_AGENT_OCI)
		snprintf(what, len, "container %s (pid %d)", msg->id ? msg->id : "?", msg->pid);
	else
		snprintf(what, len, "%s", msg->frame.name[0] ? msg->frame.name : "a frame's fd");
	sfd_agent_msg_free(msg);
	return fd;
}

static int cmd_agent(int argc, char **argv)
{
	static const struct option lo[] = {
		SOURCE_OPTIONS,
		{ "fd", required_argument, NULL, 'f' },
		{ "listen", required_argument, NULL, 'l' },
		{ "policy", required_argument, NULL, 'P' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct source src = { .fd = -1 };
	const char *policy = "log", *listen_path = NULL;
	struct sfd_notif_ctx *ctx = NULL;
	struct served *sv;
	struct pollfd *pfd;
	struct policy pol;
	int c, i, n = 0, ret, sigfd = -1, ls = -1, ready_fd = -1, rc = EXIT_FAIL;
	pid_t pid = 0;
	int pidfd = -1;

	while ((c = getopt_long(argc, argv, "+s:n:p:f:l:P:r:h", lo, NULL)) != -1) {
		if (source_opt(&src, c, &ret)) {
			if (ret)
				return ret;
			continue;
		}
		switch (c) {
		case 'l': listen_path = optarg; break;
		case 'P': policy = optarg; break;
		case 'r':
			ready_fd = (int)parse_long("--ready-fd", optarg, 0, INT_MAX, &ret);
			if (ret)
				return ret;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_err("agent SOURCE [--listen PATH] [--policy allow|deny|log|FILE] [-- CMD]");
		}
	}
	if (!listen_path || src.socket || src.profile || src.fd >= 0) {
		ret = check_source(&src, true);
		if (ret)
			return ret;
	}
	if (src.profile && optind >= argc)
		return usage_err("agent --profile FILE needs a command to run under it: -- CMD ARGS...");
	if (!src.profile && optind < argc)
		return usage_err("agent: a command (-- CMD) goes with --profile only");
	if (policy_load(policy, &pol) < 0)
		return EXIT_FAIL;
	sv = calloc(AGENT_MAX_FDS, sizeof(*sv));
	pfd = calloc(AGENT_MAX_FDS + 2, sizeof(*pfd));
	if (!sv || !pfd) {
		err_msg("%s", estr(ENOMEM));
		goto out;
	}
	if (src.socket || src.profile || src.fd >= 0) {
		SFD_OPTS(sfd_info, info);
		int fd = source_fd(&src);

		if (fd < 0)
			goto out;
		sv[n].fd = fd;
		sv[n].owned = fd != src.fd;
		snprintf(sv[n++].what, sizeof(sv[0].what), "%s",
			 src.socket ? src.name : src.profile ? src.profile : "the fd");
		if (sfd_info(fd, &info) < 0 || !info.listener) {
			err_msg("the filter has no SCMP_ACT_NOTIFY rule: nothing to serve");
			goto out;
		}
	}
	ret = sfd_notif_ctx_new(NULL, &ctx);
	if (ret < 0) {
		err_msg("notification buffers: %s", estr(ret));
		goto out;
	}
	sigfd = signal_fd();
	if (sigfd < 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	if (listen_path) {
		ls = listen_unix(listen_path);
		if (ls < 0)
			goto out;
	}
	if (src.profile) {
		SFD_OPTS(sfd_spawn_opts, so);
		char buf[PATH_MAX];

		argv += optind;
		pidfd = sfd_spawn(find_program(argv[0], buf, sizeof(buf)), argv, sv[0].fd, &so, &pid);
		if (pidfd < 0) {
			err_msg("%s: starting it under the filter: %s", argv[0], estr(pidfd));
			goto out;
		}
	}
	if (n)
		printf("agent: serving %s (policy %s)\n", sv[0].what, policy);
	if (listen_path)
		printf("agent: listening on %s for runtimes' listeners (policy %s)\n",
		       listen_path, policy);
	fflush(stdout);
	ready(ready_fd);

	/*
	 * Without --listen the agent ends with its one filter; with it, it
	 * serves until signalled, dropping each fd no task uses any more.
	 */
	for (;;) {
		int np = 0;

		pfd[np++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		pfd[np++] = (struct pollfd){ .fd = ls, .events = POLLIN };
		for (i = 0; i < n; i++)
			pfd[np++] = (struct pollfd){ .fd = sv[i].fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			err_msg("poll: %s", estr(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			printf("agent: signalled, %lu notification(s) served\n", pol.served);
			rc = 0;
			break;
		}
		if (pfd[1].revents & POLLIN) {
			char what[96];
			int fd = agent_accept(ls, what, sizeof(what));

			if (fd >= 0 && n == AGENT_MAX_FDS) {
				err_msg("--listen: already serving %d fds; %s refused", n, what);
				close(fd);
			} else if (fd >= 0) {
				sv[n].fd = fd;
				sv[n].owned = true;
				snprintf(sv[n++].what, sizeof(sv[0].what), "%s", what);
				printf("agent: serving %s\n", what);
			}
		}
		for (i = n - 1; i >= 0; i--) {
			short rev = pfd[2 + i].revents;
			bool gone = false;

			if (rev & POLLIN) {
				ret = sfd_notif_dispatch(ctx, sv[i].fd, agent_handle, &pol);
				if (ret == -ENOTCONN) {
					gone = true;
				} else if (ret < 0) {
					err_msg("%s: serving a notification: %s", sv[i].what, estr(ret));
					gone = true;
				}
			} else if (rev & (POLLHUP | POLLERR | POLLNVAL)) {
				gone = true;
			}
			if (!gone)
				continue;
			printf("agent: POLLHUP: no task uses %s any more; %lu notification(s) "
			       "served\n", sv[i].what, pol.served);
			if (sv[i].owned)
				close(sv[i].fd);
			sv[i] = sv[--n];
		}
		fflush(stdout);
		if (!n && !listen_path) {
			rc = 0;
			break;
		}
	}
	if (pidfd >= 0) {
		int st = wait_status(pidfd, pid);

		if (rc == 0)
			rc = st;
		close(pidfd);
	}
out:
	fflush(stdout);
	if (ls >= 0) {
		close(ls);
		unlink(listen_path);
	}
	if (ctx)
		sfd_notif_ctx_free(ctx);
	if (sigfd >= 0)
		close(sigfd);
	for (i = 0; sv && i < n; i++)
		if (sv[i].owned)
			close(sv[i].fd);
	free(sv);
	free(pfd);
	policy_free(&pol);
	return rc;
}

/* ---- main -------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} verbs[] = {
	{ "compile", cmd_compile },
	{ "serve", cmd_serve },
	{ "run", cmd_run },
	{ "attach", cmd_attach },
	{ "info", cmd_info },
	{ "agent", cmd_agent },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].name))
			continue;
		verb = verbs[i].name;
		return verbs[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "sfdctl: unknown verb '%s' (see sfdctl --help)\n", argv[1]);
	return EXIT_USAGE;
}
