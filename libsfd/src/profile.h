/* SPDX-License-Identifier: LGPL-2.1-only OR MIT */
/* Internals shared by the profile sources; not installed, not exported. */
#ifndef LIBSFD_PROFILE_H
#define LIBSFD_PROFILE_H

#include <linux/filter.h>
#include <linux/types.h>

#include "internal.h"

/* At most this many architectures in one profile's arch set. */
#define SFD_PROFILE_MAX_ARCHES 16

/*
 * The -ENOSYS prefix: one entry per libseccomp architecture of the
 * profile, with the largest syscall number its rules name for it (0 when
 * they name none it knows, and then it gets no check).
 */
struct sfd_enosys_arch {
	__u32 token;		/* SCMP_ARCH_* */
	int max_nr;
};

/*
 * Build the prefix for @arches into a newly allocated array (*out, *len);
 * *len == 0 and *out == NULL when no architecture has a syscall to guard.
 */
SFD_HIDDEN int sfd__enosys_prefix(const struct sfd_enosys_arch *arches, unsigned int n,
				  struct sock_filter **out, unsigned int *len);

#endif
