// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * sfd_profile_*(): OCI profiles built into BPF.  The programs are checked by
 * running them on made-up seccomp_data in a small classic-BPF interpreter
 * (bpf_run.h),
 * and loaded the ordinary way (SECCOMP_SET_MODE_FILTER) in a child, so the
 * result is proven without a kernel that has detached filters.
 *
 * Arch set: the main arch is the native one; the profile's archMap entry
 * for it adds the sub-architectures (x86_64 + x86 + x32 for Docker's
 * profile on x86_64: 1,260 instructions with libseccomp 2.5.4, its binary
 * tree and the -ENOSYS prefix).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <seccomp.h>

#include "sfd.h"
#include "tap.h"
#include "bpf_run.h"

#define DOCKER_PROFILE "../../shared/profiles/docker-default.json"
#define TEST_PROFILE "profiles/sfd-test.json"

static __u32 eval(const struct sfd_profile *p, __u32 arch, int nr, __u64 a0)
{
	return bpf_eval(p, arch, nr, a0, 0);
}

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define X32(nr) ((nr) | 0x40000000)

/*
 * x86_64 syscall numbers: the decisions below are checked for an x86_64
 * build (opts.arch), whatever the host, since the interpreter needs no kernel.
 */
enum {
	X_read = 0, X_socket = 41, X_clone = 56, X_getpid = 39, X_kill = 62,
	X_ptrace = 101, X_getppid = 110, X_personality = 135, X_arch_prctl = 158,
	X_chroot = 161, X_mount = 165, X_reboot = 169, X_unshare = 272,
	X_clone3 = 435,
};

static int load(const char *path, const struct sfd_profile_opts *opts,
		struct sfd_profile **p)
{
	int ret = sfd_profile_load_oci(path, opts, p);

	if (ret && opts && opts->errbuf)
		printf("# load %s: %d %s\n", path, ret, opts->errbuf);
	return ret;
}

/* ---- Docker's default profile --------------------------------------- */

static int docker_profile_builds_about_1000_insns(void)
{
	char err[256] = "";
	SFD_OPTS(sfd_profile_opts, opts, .errbuf = err, .errbuf_len = sizeof(err),
		 .arch = SCMP_ARCH_X86_64);
	struct sfd_profile *p;
	const char *const *names;
	unsigned int len;
	int n;

	if (access(DOCKER_PROFILE, R_OK))
		SKIP_BECAUSE(DOCKER_PROFILE " not present");
	CHECK_EQ(load(DOCKER_PROFILE, &opts, &p), 0);
	len = sfd_profile_prog(p)->len;
	printf("# docker-default.json: %u instructions (x86_64+x86+x32)\n", len);
	n = sfd_profile_skipped(p, &names);
	printf("# %d syscall names unknown to libseccomp %u.%u.%u:", n, seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
	for (; *names; names++)
		printf(" %s", *names);
	printf("\n");
	sfd_profile_free(p);
	CHECK(len >= 800 && len <= 1300);
	CHECK(n >= 0 && n < 40);
	return PASS;
}

static int docker_profile_decides_like_docker(void)
{
	SFD_OPTS(sfd_profile_opts, opts, .arch = SCMP_ARCH_X86_64);
	struct sfd_profile *p;
	int ret = FAIL;

	if (access(DOCKER_PROFILE, R_OK))
		SKIP_BECAUSE(DOCKER_PROFILE " not present");
	CHECK_EQ(load(DOCKER_PROFILE, &opts, &p), 0);
	if (eval(p, AUDIT_ARCH_X86_64, X_getpid, 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_reboot, 0) != ERRNO(EPERM) ||
	    eval(p, AUDIT_ARCH_X86_64, X_unshare, 0) != ERRNO(EPERM) ||
	    eval(p, AUDIT_ARCH_X86_64, X_clone3, 0) != ERRNO(ENOSYS) ||
	    eval(p, AUDIT_ARCH_X86_64, X_clone, 0x11 /* SIGCHLD */) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_clone, 0x20000 /* CLONE_NEWNS */) != ERRNO(EPERM) ||
	    eval(p, AUDIT_ARCH_X86_64, X_personality, 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_personality, 0xffffffff) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_personality, 1) != ERRNO(EPERM) ||
	    eval(p, AUDIT_ARCH_X86_64, X_socket, 2 /* AF_INET */) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_socket, 40 /* AF_VSOCK */) != ERRNO(EPERM) ||
	    eval(p, AUDIT_ARCH_X86_64, X_ptrace, 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_I386, 20 /* getpid */, 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_I386, 88 /* reboot */, 0) != ERRNO(EPERM) ||
	    eval(p, AUDIT_ARCH_X86_64, X32(X_getpid), 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_AARCH64, 172 /* getpid */, 0) != SECCOMP_RET_KILL_THREAD) {
		printf("# a decision differs from Docker's\n");
		goto out;
	}
	ret = PASS;
out:
	sfd_profile_free(p);
	return ret;
}

static int docker_profile_honours_caps(void)
{
	static const char *const admin[] = { "CAP_SYS_ADMIN", NULL };
	static const char *const none[] = { NULL };
	SFD_OPTS(sfd_profile_opts, with_admin, .caps = admin, .arch = SCMP_ARCH_X86_64);
	SFD_OPTS(sfd_profile_opts, without, .caps = none, .arch = SCMP_ARCH_X86_64);
	struct sfd_profile *a, *n;
	int ret = FAIL;

	if (access(DOCKER_PROFILE, R_OK))
		SKIP_BECAUSE(DOCKER_PROFILE " not present");
	CHECK_EQ(load(DOCKER_PROFILE, &with_admin, &a), 0);
	if (load(DOCKER_PROFILE, &without, &n)) {
		sfd_profile_free(a);
		return FAIL;
	}
	if (eval(a, AUDIT_ARCH_X86_64, X_unshare, 0) != SECCOMP_RET_ALLOW ||
	    eval(a, AUDIT_ARCH_X86_64, X_clone, 0x20000) != SECCOMP_RET_ALLOW ||
	    eval(a, AUDIT_ARCH_X86_64, X_clone3, 0) != SECCOMP_RET_ALLOW ||
	    eval(n, AUDIT_ARCH_X86_64, X_chroot, 0) != ERRNO(EPERM)) {
		printf("# caps not honoured\n");
		goto out;
	}
	ret = PASS;
out:
	sfd_profile_free(a);
	sfd_profile_free(n);
	return ret;
}

/* The kernel itself accepts the program and enforces it in a child. */
static int docker_profile_enforced_by_kernel(void)
{
	struct sfd_profile *p;
	int status;
	pid_t pid;

	if (access(DOCKER_PROFILE, R_OK))
		SKIP_BECAUSE(DOCKER_PROFILE " not present");
	if (syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0,
		    &(__u32){ SECCOMP_RET_ALLOW }) && errno == ENOSYS)
		SKIP_BECAUSE("seccomp(2) unavailable here (valgrind?)");
	CHECK_EQ(load(DOCKER_PROFILE, NULL, &p), 0);
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, sfd_profile_prog(p)))
			_exit(10);
		if (syscall(__NR_unshare, 0) != -1 || errno != EPERM)
			_exit(11);
		if (syscall(__NR_getpid) <= 0)
			_exit(12);
		_exit(0);
	}
	sfd_profile_free(p);
	CHECK(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	return PASS;
}

/* ---- the project's own test profile ---------------------------------- */

static int own_profile_covers_the_format(void)
{
	char err[256] = "";
	SFD_OPTS(sfd_profile_opts, opts, .errbuf = err, .errbuf_len = sizeof(err),
		 .kernel = "6.12.0", .arch = SCMP_ARCH_X86_64);
	SFD_OPTS(sfd_profile_opts, old, .kernel = "4.7.10", .arch = SCMP_ARCH_X86_64);
	struct sfd_profile *p, *o;
	const char *const *names;
	int ret = FAIL;

	CHECK_EQ(load(TEST_PROFILE, &opts, &p), 0);
	if (load(TEST_PROFILE, &old, &o)) {
		sfd_profile_free(p);
		return FAIL;
	}
	if (sfd_profile_skipped(p, &names) != 1 || !names[0] ||
	    strcmp(names[0], "no_such_syscall_for_libsfd") || names[1]) {
		printf("# skipped names wrong\n");
		goto out;
	}
	if (eval(p, AUDIT_ARCH_X86_64, X_getpid, 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_mount, 0) != ERRNO(13) ||
	    eval(p, AUDIT_ARCH_X86_64, X_getppid, 0) != SECCOMP_RET_USER_NOTIF ||
	    eval(p, AUDIT_ARCH_X86_64, X_reboot, 0) != ERRNO(1) ||
	    eval(p, AUDIT_ARCH_X86_64, X_kill, 0) != SECCOMP_RET_LOG ||
	    eval(p, AUDIT_ARCH_X86_64, X_personality, 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_personality, 8) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_personality, 1) != ERRNO(13) ||
	    eval(p, AUDIT_ARCH_X86_64, X_clone, 0x11) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_clone, 0x20000) != ERRNO(13) ||
	    /* Past the largest number the applying rules name (exit_group, 231). */
	    eval(p, AUDIT_ARCH_X86_64, X_unshare, 0) != ERRNO(ENOSYS) ||
	    eval(p, AUDIT_ARCH_X86_64, X_arch_prctl, 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, X_ptrace, 0) != SECCOMP_RET_ALLOW ||
	    eval(o, AUDIT_ARCH_X86_64, X_ptrace, 0) != ERRNO(13) ||
	    eval(p, AUDIT_ARCH_I386, 20 /* getpid */, 0) != SECCOMP_RET_ALLOW) {
		printf("# a decision differs from the profile\n");
		goto out;
	}
	ret = PASS;
out:
	sfd_profile_free(p);
	sfd_profile_free(o);
	return ret;
}

static int foreign_arch_selects_its_archmap_entry(void)
{
	SFD_OPTS(sfd_profile_opts, opts, .arch = SCMP_ARCH_AARCH64);
	struct sfd_profile *p;
	int ret = FAIL;

	CHECK_EQ(load(TEST_PROFILE, &opts, &p), 0);
	if (eval(p, AUDIT_ARCH_AARCH64, 172 /* getpid */, 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_ARM, 20 /* getpid */, 0) != SECCOMP_RET_ALLOW ||
	    eval(p, AUDIT_ARCH_X86_64, 39, 0) != SECCOMP_RET_KILL_THREAD) {
		printf("# aarch64 build wrong\n");
		goto out;
	}
	ret = PASS;
out:
	sfd_profile_free(p);
	return ret;
}

static int buffer_loader_matches_file_loader(void)
{
	static const char json[] =
		"{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		"  { \"names\": [\"reboot\"], \"action\": \"SCMP_ACT_KILL_PROCESS\" } ] }\n";
	struct sfd_profile *p;
	int ret = FAIL;

	CHECK_EQ(sfd_profile_load_oci_buf(json, sizeof(json) - 1, NULL, &p), 0);
	if (eval(p, seccomp_arch_native(), seccomp_syscall_resolve_name("reboot"), 0) != SECCOMP_RET_KILL_PROCESS ||
	    eval(p, seccomp_arch_native(), seccomp_syscall_resolve_name("getpid"), 0) !=
		SECCOMP_RET_ALLOW)
		goto out;
	CHECK_EQ(sfd_profile_skipped(p, NULL), 0);
	ret = PASS;
out:
	sfd_profile_free(p);
	return ret;
}

/* ---- errors ------------------------------------------------------------ */

/* Load @json, expect @err and a message containing @needle; nothing returned. */
static int expect_error(const char *json, int err, const char *needle)
{
	char buf[256] = "";
	SFD_OPTS(sfd_profile_opts, opts, .errbuf = buf, .errbuf_len = sizeof(buf));
	struct sfd_profile *p = (struct sfd_profile *)&opts;	/* poisoned */
	int ret = sfd_profile_load_oci_buf(json, strlen(json), &opts, &p);

	if (ret != err || p != NULL || !strstr(buf, needle)) {
		printf("# %s\n#  -> %d (want %d) \"%s\" (want \"%s\")\n", json, ret,
		       err, buf, needle);
		return FAIL;
	}
	printf("# %d: %s\n", ret, buf);
	return PASS;
}

static int missing_file_is_enoent(void)
{
	char buf[256] = "";
	SFD_OPTS(sfd_profile_opts, opts, .errbuf = buf, .errbuf_len = sizeof(buf));
	struct sfd_profile *p;

	CHECK_EQ(sfd_profile_load_oci("/nonexistent/profile.json", &opts, &p), -ENOENT);
	CHECK(p == NULL);
	CHECK(strstr(buf, "/nonexistent/profile.json"));
	CHECK_EQ(sfd_profile_load_oci("/", &opts, &p), -EISDIR);
	return PASS;
}

static int invalid_json_is_einval(void)
{
	if (expect_error("{ \"defaultAction\": ", -EINVAL, "invalid JSON") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\" ", -EINVAL, "invalid JSON") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", }", -EINVAL, "invalid JSON") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\" } trailing", -EINVAL,
			 "invalid JSON") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\" } {}", -EINVAL,
			 "invalid JSON") ||
	    expect_error("", -EINVAL, "invalid JSON"))
		return FAIL;
	return PASS;
}

static int wrong_types_are_einval(void)
{
	if (expect_error("[]", -EINVAL, "expected a JSON object") ||
	    expect_error("{}", -EINVAL, "defaultAction: missing") ||
	    expect_error("{ \"defaultAction\": 1 }", -EINVAL,
			 "profile.defaultAction: expected string") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {} }",
			 -EINVAL, "profile.syscalls: expected array") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ 3 ] }",
			 -EINVAL, "syscalls[0]: expected object") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
			 "[ { \"names\": [\"read\", 7], \"action\": \"SCMP_ACT_KILL\" } ] }",
			 -EINVAL, "syscalls[0].names[1]: expected string") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
			 "[ { \"names\": [\"read\"] } ] }",
			 -EINVAL, "syscalls[0].action: missing") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1 }",
			 -EINVAL, "must not be negative") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
			 "[ { \"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\", "
			 "\"args\": [ { \"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\" } ] } ] }",
			 -EINVAL, "index: missing or greater than 5") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
			 "[ { \"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\", "
			 "\"args\": [ { \"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_XX\" } ] } ] }",
			 -EINVAL, "unknown operator \"SCMP_CMP_XX\"") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
			 "[ { \"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\", "
			 "\"includes\": { \"caps\": \"CAP_SYS_ADMIN\" } } ] }",
			 -EINVAL, "syscalls[0].includes.caps: expected array") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
			 "[ { \"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\", "
			 "\"includes\": { \"minKernel\": \"four\" } } ] }",
			 -EINVAL, "bad version") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", "
			 "\"architectures\": [ \"SCMP_ARCH_PDP11\" ] }",
			 -EINVAL, "unknown architecture \"SCMP_ARCH_PDP11\""))
		return FAIL;
	return PASS;
}

static int unknown_action_is_einval(void)
{
	if (expect_error("{ \"defaultAction\": \"SCMP_ACT_MAYBE\" }", -EINVAL,
			 "unknown action \"SCMP_ACT_MAYBE\"") ||
	    expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
			 "[ { \"names\": [\"read\"], \"action\": \"scmp_act_kill\" } ] }",
			 -EINVAL, "syscalls[0]: unknown action \"scmp_act_kill\""))
		return FAIL;
	return PASS;
}

static int bad_arguments_are_einval(void)
{
	struct { struct sfd_profile_opts o; long future; } big;
	struct sfd_profile_opts small;
	struct sfd_profile *p;
	char tiny[8];
	SFD_OPTS(sfd_profile_opts, trunc, .errbuf = tiny, .errbuf_len = sizeof(tiny));
	SFD_OPTS(sfd_profile_opts, badarch, .arch = 0x1234);

	CHECK_EQ(sfd_profile_load_oci(NULL, NULL, &p), -EINVAL);
	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, NULL, NULL), -EINVAL);
	CHECK_EQ(sfd_profile_load_oci_buf(NULL, 0, NULL, &p), -EINVAL);
	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, &badarch, &p), -EINVAL);

	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, &big.o, &p), 0);
	sfd_profile_free(p);
	big.future = 1;
	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, &big.o, &p), -EINVAL);
	memset(&small, 0, sizeof(small));
	small.sz = 2;
	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, &small, &p), -EINVAL);
	/* An old caller that knows only sz and arch gets the defaults. */
	small.sz = offsetof(struct sfd_profile_opts, caps);
	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, &small, &p), 0);
	sfd_profile_free(p);

	/* Messages are truncated, always terminated. */
	CHECK_EQ(sfd_profile_load_oci("/nonexistent", &trunc, &p), -ENOENT);
	CHECK_EQ(strlen(tiny), sizeof(tiny) - 1);

	CHECK(sfd_profile_prog(NULL) == NULL);
	CHECK_EQ(sfd_profile_skipped(NULL, NULL), -EINVAL);
	sfd_profile_free(NULL);
	return PASS;
}

static int errors_leak_no_fds(void)
{
	int before = tap_count_fds(), i;
	struct sfd_profile *p;

	for (i = 0; i < 3; i++) {
		sfd_profile_load_oci("/nonexistent", NULL, &p);
		sfd_profile_load_oci_buf("{", 1, NULL, &p);
		sfd_profile_load_oci_buf("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
					 "[{\"names\":[\"read\"],\"action\":\"X\"}]}",
					 62, NULL, &p);
		CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, NULL, &p), 0);
		sfd_profile_free(p);
	}
	CHECK_EQ(tap_count_fds(), before);
	return PASS;
}

static const struct tap_test tests[] = {
	{ "docker_profile_builds_about_1000_insns", docker_profile_builds_about_1000_insns },
	{ "docker_profile_decides_like_docker", docker_profile_decides_like_docker },
	{ "docker_profile_honours_caps", docker_profile_honours_caps },
	{ "docker_profile_enforced_by_kernel", docker_profile_enforced_by_kernel },
	{ "own_profile_covers_the_format", own_profile_covers_the_format },
	{ "foreign_arch_selects_its_archmap_entry", foreign_arch_selects_its_archmap_entry },
	{ "buffer_loader_matches_file_loader", buffer_loader_matches_file_loader },
	{ "missing_file_is_enoent", missing_file_is_enoent },
	{ "invalid_json_is_einval", invalid_json_is_einval },
	{ "wrong_types_are_einval", wrong_types_are_einval },
	{ "unknown_action_is_einval", unknown_action_is_einval },
	{ "bad_arguments_are_einval", bad_arguments_are_einval },
	{ "errors_leak_no_fds", errors_leak_no_fds },
};

int main(void)
{
	/*
	 * libseccomp sizes its feature set (NOTIFY, KILL_PROCESS...) by asking
	 * the running kernel; where seccomp(2) is missing (under valgrind) it
	 * would refuse those actions, so pretend to a 5.0 kernel (API level 5).
	 */
	if (syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0,
		    &(__u32){ SECCOMP_RET_ALLOW }) && errno == ENOSYS) {
		printf("# seccomp(2) unavailable: libseccomp API level set to 5\n");
		seccomp_api_set(5);
	}
	return tap_run(tests, (int)(sizeof(tests) / sizeof(tests[0])));
}
