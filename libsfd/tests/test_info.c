// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/* sfd_info(): the fdinfo parser on fabricated text, and real fds that are not filters. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "sfd.h"
#include "../src/internal.h"
#include "tap.h"

/* What a detached filter's fdinfo looks like (docs/semantics.md). */
static const char good[] =
	"pos:\t0\n"
	"flags:\t02000002\n"
	"mnt_id:\t16\n"
	"ino:\t1057\n"
	"seccomp_insns:\t1001\n"
	"seccomp_tag:\t0123456789abcdef\n"
	"seccomp_listener:\t1\n"
	"seccomp_nodes:\t2\n";

static const __u8 good_tag[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

static int parse(const char *text, struct sfd_info *info)
{
	return sfd__parse_fdinfo(text, strlen(text), info);
}

static int parses_the_four_fields(void)
{
	SFD_OPTS(sfd_info, info);

	CHECK_EQ(parse(good, &info), 0);
	CHECK_EQ(info.insns, 1001);
	CHECK_EQ(info.nodes, 2);
	CHECK_EQ(info.listener, 1);
	CHECK(!memcmp(info.tag, good_tag, sizeof(good_tag)));
	return PASS;
}

static int accepts_any_order_and_no_final_newline(void)
{
	SFD_OPTS(sfd_info, info);

	CHECK_EQ(parse("seccomp_listener: 0\nseccomp_nodes:\t3\nflags:\t0\n"
		       "seccomp_tag:\tFFEEDDCCBBAA9988\nseccomp_insns:\t4096", &info), 0);
	CHECK_EQ(info.insns, 4096);
	CHECK_EQ(info.nodes, 3);
	CHECK_EQ(info.listener, 0);
	CHECK(info.tag[0] == 0xff && info.tag[7] == 0x88);
	return PASS;
}

static int ignores_unknown_seccomp_lines(void)
{
	SFD_OPTS(sfd_info, info);

	CHECK_EQ(parse("seccomp_insns:\t1\nseccomp_future:\tx\n"
		       "seccomp_tag:\t0000000000000000\nseccomp_listener:\t0\n"
		       "seccomp_nodes:\t0\n", &info), 0);
	CHECK_EQ(info.insns, 1);
	return PASS;
}

static int rejects_a_missing_line(void)
{
	SFD_OPTS(sfd_info, info);

	CHECK_EQ(parse("pos:\t0\nseccomp_insns:\t5\nseccomp_nodes:\t1\n"
		       "seccomp_listener:\t0\n", &info), -EINVAL);
	CHECK_EQ(parse("pos:\t0\nseccomp_insns:\t5\nseccomp_nodes:\t1\n"
		       "seccomp_tag:\t0123456789abcdef\n", &info), -EINVAL);
	CHECK_EQ(parse("pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t3\n", &info), -EINVAL);
	CHECK_EQ(parse("", &info), -EINVAL);
	return PASS;
}

/* A v1 kernel's fdinfo: seccomp_users, no tag, no listener. */
static int rejects_v1_fdinfo(void)
{
	SFD_OPTS(sfd_info, info);

	CHECK_EQ(parse("seccomp_insns:\t1001\nseccomp_nodes:\t1\n"
		       "seccomp_users:\t2\n", &info), -EINVAL);
	return PASS;
}

static int rejects_malformed_values(void)
{
#define REST_TAG "seccomp_tag:\t0123456789abcdef\n"
#define REST "seccomp_nodes:\t1\nseccomp_listener:\t0\n" REST_TAG
	static const char *const bad[] = {
		"seccomp_insns:\t\n" REST,
		"seccomp_insns:\t12x\n" REST,
		"seccomp_insns:\t-1\n" REST,
		"seccomp_insns:\t4294967296\n" REST,
		"seccomp_insns:\t1\nseccomp_insns:\t2\n" REST,
		"seccomp_insns:\t1\nseccomp_nodes:\t4294967296\n"
			"seccomp_listener:\t0\n" REST_TAG,
		"seccomp_insns:\t1\nseccomp_nodes:\t1\nseccomp_listener:\t2\n" REST_TAG,
		"seccomp_insns:\t1\nseccomp_nodes:\t1\nseccomp_listener:\t\n" REST_TAG,
		"seccomp_insns:\t1\nseccomp_nodes:\t1\nseccomp_listener:\t0\n"
			"seccomp_tag:\t0123456789abcde\n",
		"seccomp_insns:\t1\nseccomp_nodes:\t1\nseccomp_listener:\t0\n"
			"seccomp_tag:\t0123456789abcdef0\n",
		"seccomp_insns:\t1\nseccomp_nodes:\t1\nseccomp_listener:\t0\n"
			"seccomp_tag:\t0123456789abcdeg\n",
		"seccomp_insns:\t1\nseccomp_nodes:\t1\nseccomp_listener:\t0\n"
			"seccomp_tag:\t01234567 89abcdef\n",
		"seccomp_insns:\t1\nseccomp_nodes:\t1\nseccomp_listener:\t0\n"
			"seccomp_tag:\t\n",
		"seccomp_insns:\t1\n" REST REST_TAG,
	};
#undef REST
#undef REST_TAG
	SFD_OPTS(sfd_info, info);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &info) != -EINVAL) {
			printf("# accepted case %zu\n", i);
			return FAIL;
		}
	}
	return PASS;
}

static int respects_the_size_field(void)
{
	struct { struct sfd_info info; __u64 future; } big;
	struct sfd_info info;

	/* An older caller's smaller struct: fields past sz are not written. */
	memset(&info, 0xab, sizeof(info));
	info.sz = offsetof(struct sfd_info, nodes);
	CHECK_EQ(parse(good, &info), 0);
	CHECK_EQ(info.insns, 1001);
	CHECK_EQ(info.nodes, 0xabababab);

	/* Up to nodes (0.1's callers that never read users), then up to tag. */
	memset(&info, 0xab, sizeof(info));
	info.sz = offsetof(struct sfd_info, tag);
	CHECK_EQ(parse(good, &info), 0);
	CHECK_EQ(info.nodes, 2);
	CHECK(info.tag[0] == 0xab && info.listener == 0xabababab);
	info.sz = offsetof(struct sfd_info, listener);
	CHECK_EQ(parse(good, &info), 0);
	CHECK(!memcmp(info.tag, good_tag, sizeof(good_tag)));
	CHECK_EQ(info.listener, 0xabababab);

	/* A newer caller's bigger struct: fine while the unknown tail is zero. */
	memset(&big, 0, sizeof(big));
	big.info.sz = sizeof(big);
	CHECK_EQ(parse(good, &big.info), 0);
	big.future = 1;
	CHECK_EQ(parse(good, &big.info), -EINVAL);

	info.sz = 0;
	CHECK_EQ(parse(good, &info), -EINVAL);
	CHECK_EQ(sfd_info(0, NULL), -EINVAL);
	return PASS;
}

static int other_fd_kinds_are_einval(void)
{
	SFD_OPTS(sfd_info, info);
	int p[2], ret;

	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	ret = sfd_info(p[0], &info);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(ret, -EINVAL);
	return PASS;
}

static int closed_or_negative_fd_is_ebadf(void)
{
	SFD_OPTS(sfd_info, info);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(sfd_info(fd, &info), -EBADF);
	CHECK_EQ(sfd_info(-1, &info), -EBADF);
	return PASS;
}

static int leaves_errno_alone(void)
{
	SFD_OPTS(sfd_info, info);

	errno = 1234;
	CHECK_EQ(sfd_info(999999, &info), -EBADF);
	CHECK_EQ(errno, 1234);
	return PASS;
}

static const struct tap_test tests[] = {
	{ "parses_the_four_fields", parses_the_four_fields },
	{ "accepts_any_order_and_no_final_newline", accepts_any_order_and_no_final_newline },
	{ "ignores_unknown_seccomp_lines", ignores_unknown_seccomp_lines },
	{ "rejects_a_missing_line", rejects_a_missing_line },
	{ "rejects_v1_fdinfo", rejects_v1_fdinfo },
	{ "rejects_malformed_values", rejects_malformed_values },
	{ "respects_the_size_field", respects_the_size_field },
	{ "other_fd_kinds_are_einval", other_fd_kinds_are_einval },
	{ "closed_or_negative_fd_is_ebadf", closed_or_negative_fd_is_ebadf },
	{ "leaves_errno_alone", leaves_errno_alone },
};

TAP_MAIN(tests)
