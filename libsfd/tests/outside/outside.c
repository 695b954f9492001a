// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * An outside program: built by `make check-install` against an installed
 * libsfd with nothing but `pkg-config --cflags --libs libsfd`.  It uses
 * every uapi name the API mentions, which the system's kernel headers may
 * lack (Debian 12's do), and calls into the shared library.
 */
#include <stdio.h>
#include <string.h>

#include <sfd.h>

int main(void)
{
	static const char json[] =
		"{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
		"[ { \"names\": [\"reboot\"], \"action\": \"SCMP_ACT_ERRNO\" } ] }";
	struct seccomp_attach_filter attach = {
		.size = SECCOMP_ATTACH_FILTER_SIZE_VER0,
		.pidfd = PIDFD_SELF_THREAD,
		.filter_fd = -1,
	};
	unsigned long flag = SECCOMP_FILTER_FLAG_DETACHED;
	int op = SECCOMP_ATTACH_FILTER, group = PIDFD_SELF_THREAD_GROUP;
	struct sfd_profile *p;
	__u8 digest[32];
	int ret;

	if (sizeof(attach) != SECCOMP_ATTACH_FILTER_SIZE_VER0 || !flag || !op ||
	    group == attach.pidfd) {
		printf("outside: uapi definitions wrong\n");
		return 1;
	}
	ret = sfd_profile_load_oci_buf(json, strlen(json), NULL, &p);
	if (ret) {
		printf("outside: sfd_profile_load_oci_buf: %d\n", ret);
		return 1;
	}
	ret = sfd_profile_digest(p, digest);
	printf("# install: outside program: %u instructions, sfd_probe() = %d, digest %02x%02x...\n",
	       sfd_profile_prog(p)->len, sfd_probe(), digest[0], digest[1]);
	sfd_profile_free(p);
	return ret ? 1 : 0;
}
