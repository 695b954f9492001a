/* SPDX-License-Identifier: LGPL-2.1-only OR MIT */
/*
 * libsfd's sources and tests are built with -Isrc/compat so that
 * <linux/seccomp_detached.h> resolves to the copy libsfd carries and
 * installs (include/sfd/seccomp_detached.h), never to ../uapi: the library
 * builds on its own, wherever it is copied.  New code includes "sfd.h",
 * which already pulls the definitions in.
 */
#include <sfd/seccomp_detached.h>
