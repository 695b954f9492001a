// SPDX-License-Identifier: GPL-2.0
/*
 * sfd-scenarios: the container-manager scenarios beside sfd-bench's
 * per-container rounds, each in its own file:
 *
 *   churn    containers started one after another, each gone before the
 *            next: no node outlives its container (churn.c)
 *   spawn    fork + filter + exec of a trivial program per second (spawn.c)
 *   notify   user-notification round trips, detached fd vs NEW_LISTENER
 *            (notify.c)
 *   scale    1,000 live unprivileged containers: kernel memory, and
 *            net.core.bpf_jit_limit (scale.c)
 *   hotpath  one syscall under the filter: loaded, attached, and runc's
 *            binary-tree build of the same profile (hotpath.c)
 *
 * usage: sfd-scenarios [--only LIST] [--churn-n N] [--spawn-n N]
 *            [--notify-n N] [--scale-n N] [--iters I] [--reps R]
 *            [--jit-limit BYTES] [--ticks-per-ns T] [--exec PATH] PROFILE.json
 * Output: "key value" lines between "#BEGIN RESULTS" and "#END RESULTS".
 * Exit: 0 ok; 1 a measurement failed; 2 usage; 3 the kernel lacks
 * detached seccomp filters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common.h"

static const struct {
	const char *name;
	void (*run)(const struct scen *s);
} scenarios[] = {
	{ "hotpath", scen_hotpath },
	{ "churn", scen_churn },
	{ "spawn", scen_spawn },
	{ "notify", scen_notify },
	{ "scale", scen_scale },
};
#define NSCEN (sizeof(scenarios) / sizeof(scenarios[0]))

static void usage(void)
{
	fprintf(stderr, "usage: sfd-scenarios [--only hotpath,churn,spawn,notify,scale] "
		"[--churn-n N] [--spawn-n N] [--notify-n N] [--scale-n N] [--iters I] "
		"[--reps R] [--jit-limit BYTES] [--ticks-per-ns T] [--exec PATH] PROFILE.json\n");
	exit(2);
}

static void read_profile(struct scen *s, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", path, strerror(errno));
	s->json_len = (size_t)st.st_size;
	s->json = malloc(s->json_len + 1);
	if (!s->json || read_full(fd, s->json, s->json_len))
		die("%s: read failed", path);
	s->json[s->json_len] = 0;
	close(fd);
}

static long number(const char *opt, const char *v, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > max) {
		fprintf(stderr, "sfd-scenarios: %s: not a number from 1 to %ld: '%s'\n",
			opt, max, v);
		exit(2);
	}
	return n;
}

static int positive(const char *opt, const char *v)
{
	return (int)number(opt, v, 1000000);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "churn-n", required_argument, NULL, 'c' },
		{ "spawn-n", required_argument, NULL, 's' },
		{ "notify-n", required_argument, NULL, 'y' },
		{ "scale-n", required_argument, NULL, 'S' },
		{ "iters", required_argument, NULL, 'i' },
		{ "reps", required_argument, NULL, 'r' },
		{ "jit-limit", required_argument, NULL, 'j' },
		{ "ticks-per-ns", required_argument, NULL, 't' },
		{ "exec", required_argument, NULL, 'e' },
		{ 0 }
	};
	int churn_n = 200, spawn_n = 100, notify_n = 2000, scale_n = 1000;
	struct scen s = { .reps = 5, .iters = 100000, .jit_limit = 2 << 20,
			  .exec_path = "/bench/true" };
	const char *only = NULL;
	char errbuf[256];
	struct rlimit rl;
	struct utsname u;
	double tpn = 0;
	unsigned i;
	int o, r;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'o': only = optarg; break;
		case 'c': churn_n = positive("--churn-n", optarg); break;
		case 's': spawn_n = positive("--spawn-n", optarg); break;
		case 'y': notify_n = positive("--notify-n", optarg); break;
		case 'S': scale_n = positive("--scale-n", optarg); break;
		case 'i': s.iters = positive("--iters", optarg); break;
		case 'r': s.reps = positive("--reps", optarg); break;
		case 'j': s.jit_limit = number("--jit-limit", optarg, 1L << 40); break;
		case 't': tpn = strtod(optarg, NULL); break;
		case 'e': s.exec_path = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	if (only) {
		char *list = strdup(only), *tok, *save;

		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			for (i = 0; i < NSCEN; i++)
				if (!strcmp(tok, scenarios[i].name))
					break;
			if (i == NSCEN) {
				fprintf(stderr, "sfd-scenarios: --only: no scenario '%s'\n", tok);
				exit(2);
			}
		}
		free(list);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	r = sfd_probe();
	if (r) {
		uname(&u);
		fprintf(stderr, "sfd-scenarios: FATAL: kernel %s lacks detached seccomp filters "
			"(sfd_probe: %s)\n", u.release, strerror(-r));
		return 3;
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	read_profile(&s, argv[optind]);
	{
		SFD_OPTS(sfd_profile_opts, opts, .errbuf = errbuf, .errbuf_len = sizeof(errbuf));

		errbuf[0] = 0;
		r = sfd_profile_load_oci_buf(s.json, s.json_len, &opts, &s.prof);
		if (r)
			die("%s: %s", argv[optind], errbuf[0] ? errbuf : strerror(-r));
		build_linear = 1;
		r = sfd_profile_load_oci_buf(s.json, s.json_len, &opts, &s.linear);
		build_linear = 0;
		if (r)
			die("%s (linear): %s", argv[optind], errbuf[0] ? errbuf : strerror(-r));
	}
	ns_per_tick = 1.0 / (tpn > 0 ? tpn : calibrate(1000, NULL));

	uname(&u);
	printf("#BEGIN RESULTS\n");
	printf("kernel %s\n", u.release);
	printf("cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	putf(1.0 / ns_per_tick, "tsc_ticks_per_ns.used");
	putf(sfd_profile_prog(s.prof)->len, "profile.insns");
	putf(sfd_profile_prog(s.linear)->len, "profile.linear_insns");
	for (i = 0; i < NSCEN; i++) {
		char key[32];

		if (only) {
			char *list = strdup(only), *tok, *save;
			int want = 0;

			for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				want |= !strcmp(tok, scenarios[i].name);
			free(list);
			if (!want)
				continue;
		}
		if (!strcmp(scenarios[i].name, "churn"))
			s.n = churn_n;
		else if (!strcmp(scenarios[i].name, "spawn"))
			s.n = spawn_n;
		else if (!strcmp(scenarios[i].name, "notify"))
			s.n = notify_n;
		else
			s.n = scale_n;
		fprintf(stderr, "sfd-scenarios: %s ...\n", scenarios[i].name);
		scenarios[i].run(&s);
		snprintf(key, sizeof(key), "%s.done", scenarios[i].name);
		put(key, 1);
	}
	printf("#END RESULTS\n");
	return 0;
}
