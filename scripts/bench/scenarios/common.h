/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of sfd-scenarios: /proc readers and the process helpers
 * every scenario uses (the clock, statistics and results format are in
 * ../benchutil.h).
 */
#ifndef SFD_SCENARIOS_COMMON_H
#define SFD_SCENARIOS_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/filter.h>

#include <sfd.h>

#include "../benchutil.h"

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

/* set: profiles built meanwhile stay linear (see common.c) */
extern int build_linear;

/* ---- /proc ---- */
enum { MEM_SLAB, MEM_VMALLOC, MEM_PERCPU, MEM_PAGETABLES, MEM_KSTACK, MEM__N };
extern const char *const mem_key[MEM__N];
struct mem {
	long kb[MEM__N];
	long jit_pages;		/* /proc/vmallocinfo: bpf_prog_pack_alloc */
	long prog_pages;	/* /proc/vmallocinfo: bpf_prog_alloc*, bpf_prog_realloc */
};
struct mem read_mem(void);
long read_long_file(const char *path);
int write_long_file(const char *path, long v);

/* ---- processes ---- */
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
