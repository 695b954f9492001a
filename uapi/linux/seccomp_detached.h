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

/**
 * struct seccomp_attach_filter - argument of SECCOMP_ATTACH_FILTER
 * @pidfd:     target task: a pidfd, PIDFD_SELF_THREAD or PIDFD_SELF_THREAD_GROUP
 * @filter_fd: fd returned by SECCOMP_SET_MODE_FILTER with
 *             SECCOMP_FILTER_FLAG_DETACHED
 */
struct seccomp_attach_filter {
	__s32 pidfd;
	__u32 filter_fd;
};
#endif

/* SECCOMP_SET_MODE_FILTER flag: build the filter, install nothing, return an fd. */
#ifndef SECCOMP_FILTER_FLAG_DETACHED
#define SECCOMP_FILTER_FLAG_DETACHED	(1UL << 6)
#endif
#ifndef SECCOMP_FILTER_DETACHED
#define SECCOMP_FILTER_DETACHED		SECCOMP_FILTER_FLAG_DETACHED
#endif

/* Self-referencing pidfd sentinels (mainline <linux/fcntl.h> since 6.17). */
#ifndef PIDFD_SELF_THREAD
#define PIDFD_SELF_THREAD		-10000
#endif
#ifndef PIDFD_SELF_THREAD_GROUP
#define PIDFD_SELF_THREAD_GROUP		-10001
#endif

#endif /* _UAPI_LINUX_SECCOMP_DETACHED_H */
