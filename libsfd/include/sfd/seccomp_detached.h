/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Detached seccomp filters: the userspace view of the kernel series in
 * kernel-patches/. Include this instead of (or after) <linux/seccomp.h>; it
 * only adds what the installed kernel headers lack, so it keeps working once
 * they carry the real definitions.
 */
#ifndef _UAPI_LINUX_SECCOMP_DETACHED_H
#define _UAPI_LINUX_SECCOMP_DETACHED_H

#include <linux/types.h>
#include <linux/seccomp.h>

/* seccomp(2) operation: attach a detached filter to a task. */
#ifndef SECCOMP_ATTACH_FILTER
#define SECCOMP_ATTACH_FILTER		4
#endif

/*
 * The argument of SECCOMP_ATTACH_FILTER, keyed on the size macro that came
 * with it: headers that define the macro define the struct too. (Headers of
 * the unreleased v1 series, which had SECCOMP_ATTACH_FILTER with an 8-byte
 * struct and no size macro, make this a redefinition error on purpose.)
 */
#ifndef SECCOMP_ATTACH_FILTER_SIZE_VER0
/**
 * struct seccomp_attach_filter - argument of SECCOMP_ATTACH_FILTER
 * @size:      sizeof(struct seccomp_attach_filter); the kernel reads it as
 *             sched_setattr() reads struct sched_attr
 * @pidfd:     target: a process pidfd (every thread of it, all or none), a
 *             PIDFD_THREAD pidfd (that thread), PIDFD_SELF_THREAD or
 *             PIDFD_SELF_THREAD_GROUP
 * @filter_fd: fd returned by SECCOMP_SET_MODE_FILTER with
 *             SECCOMP_FILTER_FLAG_DETACHED
 * @flags:     per-attach flags; none is defined yet, must be 0
 */
struct seccomp_attach_filter {
	__u32 size;
	__s32 pidfd;
	__s32 filter_fd;
	__u32 flags;
};
#define SECCOMP_ATTACH_FILTER_SIZE_VER0	16	/* sizeof first published struct */
#endif

/* SECCOMP_SET_MODE_FILTER flag: build the filter, install nothing, return an fd. */
#ifndef SECCOMP_FILTER_FLAG_DETACHED
#define SECCOMP_FILTER_FLAG_DETACHED	(1UL << 6)
#endif
#ifndef SECCOMP_FILTER_DETACHED
#define SECCOMP_FILTER_DETACHED		SECCOMP_FILTER_FLAG_DETACHED
#endif

/*
 * Self-referencing pidfd sentinels. They live in <linux/fcntl.h> in mainline
 * (since 6.17), not in <linux/seccomp.h>; this header does not include it
 * (it does not mix with glibc's <fcntl.h>) and repeats them, token for token.
 */
#ifndef PIDFD_SELF_THREAD
#define PIDFD_SELF_THREAD		-10000
#endif
#ifndef PIDFD_SELF_THREAD_GROUP
#define PIDFD_SELF_THREAD_GROUP		-10001
#endif

#endif /* _UAPI_LINUX_SECCOMP_DETACHED_H */
