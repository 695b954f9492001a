/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of sfd-scenarios: the clock, statistics, the results
 * format, /proc readers and the process helpers every scenario uses.
 */
#ifndef SFD_SCENARIOS_COMMON_H
#define SFD_SCENARIOS_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/filter.h>

#include <sfd.h>

/* what every scenario gets from main() */
struct scen {
	int n;			/* containers / spawns / round trips, per scenario */
	int reps;		/* repetitions of a rate measurement */
	int iters;		/* syscalls per hot-path sample */
	long jit_limit;		/* bytes for net.core.bpf_jit_limit in "scale" */
	const char *exec_path;	/* the trivial program "spawn" executes */
	char *json;		/* the profile, in memory */
	size_t json_len;
	struct sfd_profile *prof;	/* built by the manager */
	/* the same profile as libseccomp's default linear program */
	struct sfd_profile *linear;
};

/* ---- clock: user-space TSC, converted with a known rate ---- */
static inline uint64_t now_ticks(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

extern double ns_per_tick;
/* set: profiles built meanwhile stay linear (see common.c) */
extern int build_linear;
static inline double ticks_ns(uint64_t dt)
{
	return (double)dt * ns_per_tick;
}
static inline double ticks_us(uint64_t dt)
{
	return (double)dt * ns_per_tick / 1e3;
}
double calibrate(int ms);

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- statistics ---- */
struct stats { double median, p10, p90, min, max, mean; int n; };
struct stats stats_of(const double *v, int n);

/* ---- results: "key value" lines ---- */
void put(const char *key, double v);
void putf(double v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* KEY.median, KEY.p10, KEY.p90, KEY.min, KEY.max */
void put_stats(const struct stats *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- /proc ---- */
enum { MEM_SLAB, MEM_VMALLOC, MEM_PERCPU, MEM_PAGETABLES, MEM_KSTACK, MEM__N };
extern const char *const mem_key[MEM__N];
struct mem {
	long kb[MEM__N];
	long jit_pages;		/* /proc/vmallocinfo: bpf_prog_pack_alloc */
	long prog_pages;	/* /proc/vmallocinfo: bpf_prog_alloc*, bpf_prog_realloc */
};
struct mem read_mem(void);
void settle(void);
int seccomp_status(pid_t pid, int *mode, int *filters);
long read_long_file(const char *path);
int write_long_file(const char *path, long v);

/* ---- processes ---- */
long sys_seccomp(unsigned int op, unsigned int flags, void *args);
int pidfd_open(pid_t pid);
int read_full(int fd, void *buf, size_t len);
int write_full(int fd, const void *buf, size_t len);
/* setgroups(0), uid/gid 65534, empty capability sets (libcap), checked */
int drop_privileges(void);
/* waitpid; dies unless the child exited with status 0 */
void reap_ok(pid_t pid, const char *what);

/* a four-instruction filter: allow everything but @nr, which gets @ret */
void small_filter(struct sock_filter insns[4], struct sock_fprog *prog, int nr, __u32 ret);

/* the scenarios; each prints its keys */
void scen_churn(const struct scen *s);
void scen_spawn(const struct scen *s);
void scen_notify(const struct scen *s);
void scen_scale(const struct scen *s);
void scen_hotpath(const struct scen *s);

#endif
