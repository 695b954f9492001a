/* SPDX-License-Identifier: LGPL-2.1-only OR MIT */
/* SHA-256 (FIPS 180-4) for sfd_profile_digest(); not exported. */
#ifndef LIBSFD_PROFILE_SHA256_H
#define LIBSFD_PROFILE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define SFD_SHA256_SIZE 32

SFD_HIDDEN void sfd__sha256(const void *data, size_t len, uint8_t out[SFD_SHA256_SIZE]);

#endif
