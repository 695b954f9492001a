/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What sfd-bench and sfd-scenarios share: the clock, statistics, the
 * "key value" results format, and small syscall and /proc helpers.
 */
#ifndef SFD_BENCHUTIL_H
#define SFD_BENCHUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The clock.  The guest of scripts/vm-run has no usable clocksource (no
 * ACPI, so no HPET or PM timer; the TSC cannot be calibrated and is marked
 * unstable; CLOCK_MONOTONIC runs on jiffies, 4 ms steps at HZ=250).  So
 * intervals are read with RDTSC in user space (QEMU TCG: the host's TSC;
 * with -icount: the virtual clock, one tick per ns) and converted with a
 * rate calibrated against CLOCK_MONOTONIC, edge to edge of its steps.
 */
static inline uint64_t now_ticks(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* ns per TSC tick: set by main() from --ticks-per-ns or calibrate() */
extern double ns_per_tick;

static inline double ticks_ns(uint64_t dt)
{
	return (double)dt * ns_per_tick;
}

static inline double ticks_us(uint64_t dt)
{
	return (double)dt * ns_per_tick / 1e3;
}

/*
 * TSC ticks per ns over at least @ms milliseconds, between two steps of
 * CLOCK_MONOTONIC; @res_ns, if not NULL, gets the size of its last step.
 */
double calibrate(int ms, uint64_t *res_ns);

/* print "PROGRAM: message" on stderr and exit 1 */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* median, p10 and p90 (nearest rank), min, max, mean of the non-NaN values */
struct stats { double median, p10, p90, min, max, mean; int n; };
struct stats stats_of(const double *v, int n);

/* results: "key value" lines; integers exactly, others to 6 digits */
void put(const char *key, double v);
void putf(double v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* KEY.median, KEY.p10, KEY.p90, KEY.min, KEY.max */
void put_stats(const struct stats *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* the values in kB of @n /proc/meminfo lines named by @keys; dies if one lacks */
void read_meminfo(const char *const *keys, int n, long *kb);

/* /proc/vmallocinfo: pages per allocating function ("+offset" cut off) */
#define VI_MAX 256
struct vinfo {
	int n;
	int dropped;		/* functions beyond VI_MAX, not counted */
	char name[VI_MAX][64];
	long pages[VI_MAX];
};
/* 0, or -errno if /proc/vmallocinfo cannot be read (@v is then empty) */
int read_vmallocinfo(struct vinfo *v);
/* the pages of the functions whose names start with @prefix */
long vinfo_pages(const struct vinfo *v, const char *prefix);

/* "Seccomp:" mode and "Seccomp_filters:" count from /proc/PID/status */
int seccomp_status(pid_t pid, int *mode, int *filters);
/* let deferred frees (RCU, bpf_prog_free_deferred work) run */
void settle(void);

long sys_seccomp(unsigned int op, unsigned int flags, void *args);
int pidfd_open(pid_t pid);
/* the whole buffer, retrying on EINTR and short counts; 0 or -1 */
int read_full(int fd, void *buf, size_t len);
int write_full(int fd, const void *buf, size_t len);

#endif
