/* SPDX-License-Identifier: LGPL-2.1-only OR MIT */
/* libsfd internals: not installed, not exported from libsfd.so. */
#ifndef LIBSFD_INTERNAL_H
#define LIBSFD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "sfd.h"

#define SFD_HIDDEN __attribute__((visibility("hidden")))

/*
 * An options struct of @user_sz bytes is valid if it holds at least the
 * size field and every byte past the fields this library knows
 * (@known_sz) is zero, as libbpf's OPTS_VALID().
 */
SFD_HIDDEN bool sfd__opts_valid(const void *opts, size_t user_sz, size_t known_sz);

/* True if field @f of *@o lies within the caller's o->sz. */
#define SFD_OPTS_HAS(o, f) \
	((o) && (o)->sz >= offsetof(__typeof__(*(o)), f) + sizeof((o)->f))
#define SFD_OPTS_GET(o, f, def) (SFD_OPTS_HAS(o, f) ? (o)->f : (def))

/* Parse fdinfo text (not necessarily NUL-terminated) into @info. */
SFD_HIDDEN int sfd__parse_fdinfo(const char *text, size_t len, struct sfd_info *info);

#endif
