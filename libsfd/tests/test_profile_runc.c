// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * sfd_profile_*() read profiles as runc does: flags, listener fields, the
 * binary tree past 32 entries, the -ENOSYS prefix, the format's limits,
 * de-duplication, non-regular files, and the digest.
 *
 * The programs are compared byte for byte with what libseccomp generates
 * for the same rules, built here by a deliberately plain reference (one
 * seccomp_rule_add per name, moby's includes/excludes), and run in the
 * small classic-BPF interpreter of bpf_run.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/audit.h>
#include <seccomp.h>

#include "sfd.h"
#include "tap.h"
#include "bpf_run.h"

#define DOCKER_PROFILE "../../shared/profiles/docker-default.json"
#define TEST_PROFILE "profiles/sfd-test.json"
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define X32(nr) ((nr) | 0x40000000)

static const char *const docker_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
	"CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

static char *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	*len = (size_t)read(fd, buf, (size_t)st.st_size);
	buf[*len] = '\0';
	close(fd);
	return buf;
}

/* ---- the reference: libseccomp called the plainest way ----------------- */

static __u32 ref_action(const char *name, json_object *err)
{
	__u32 e = err ? (__u32)json_object_get_int(err) : EPERM;

	if (!strcmp(name, "SCMP_ACT_ALLOW")) return SCMP_ACT_ALLOW;
	if (!strcmp(name, "SCMP_ACT_ERRNO")) return SCMP_ACT_ERRNO(e);
	if (!strcmp(name, "SCMP_ACT_LOG")) return SCMP_ACT_LOG;
	if (!strcmp(name, "SCMP_ACT_NOTIFY")) return SCMP_ACT_NOTIFY;
	if (!strcmp(name, "SCMP_ACT_TRAP")) return SCMP_ACT_TRAP;
	if (!strcmp(name, "SCMP_ACT_KILL_PROCESS")) return SCMP_ACT_KILL_PROCESS;
	return SCMP_ACT_KILL_THREAD;
}

static bool ref_has(json_object *arr, const char *s)
{
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return true;
	return false;
}

/* moby's filter for an x86_64 build, Docker's caps, kernel 6.12. */
static bool ref_applies(json_object *rule)
{
	json_object *f, *v;
	const char *const *c;
	size_t i;

	if (json_object_object_get_ex(rule, "excludes", &f)) {
		if (json_object_object_get_ex(f, "arches", &v) && ref_has(v, "amd64"))
			return false;
		for (c = docker_caps; json_object_object_get_ex(f, "caps", &v) && *c; c++)
			if (ref_has(v, *c))
				return false;
		if (json_object_object_get_ex(f, "minKernel", &v))
			return false;	/* every minKernel of the profiles <= 6.12 */
	}
	if (json_object_object_get_ex(rule, "includes", &f)) {
		if (json_object_object_get_ex(f, "arches", &v) && !ref_has(v, "amd64"))
			return false;
		if (json_object_object_get_ex(f, "caps", &v)) {
			for (i = 0; i < json_object_array_length(v); i++) {
				const char *want = json_object_get_string(json_object_array_get_idx(v, i));

				for (c = docker_caps; *c && strcmp(*c, want); c++)
					;
				if (!*c)
					return false;
			}
		}
	}
	return true;
}

/*
 * The program libseccomp makes of @json for x86_64 (+ the archMap's
 * subArchitectures); @tree: 1 = runc's rule (> 32 names), 0 = never.
 */
static int ref_build(const char *json, int tree, struct sock_fprog *out)
{
	json_object *root = json_tokener_parse(json), *v, *rules, *err = NULL;
	scmp_filter_ctx ctx;
	size_t i, j, k, names = 0;
	struct stat st;
	int fd, ret = -1;

	json_object_object_get_ex(root, "defaultErrnoRet", &err);
	json_object_object_get_ex(root, "defaultAction", &v);
	ctx = seccomp_init(ref_action(json_object_get_string(v), err));
	if (seccomp_arch_native() != SCMP_ARCH_X86_64) {
		seccomp_arch_add(ctx, SCMP_ARCH_X86_64);
		seccomp_arch_remove(ctx, seccomp_arch_native());
	}
	if (json_object_object_get_ex(root, "archMap", &v)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i), *a, *subs;

			json_object_object_get_ex(e, "architecture", &a);
			if (strcmp(json_object_get_string(a), "SCMP_ARCH_X86_64"))
				continue;
			json_object_object_get_ex(e, "subArchitectures", &subs);
			for (j = 0; subs && j < json_object_array_length(subs); j++)
				seccomp_arch_add(ctx, !strcmp(json_object_get_string(
					json_object_array_get_idx(subs, j)), "SCMP_ARCH_X86") ?
					SCMP_ARCH_X86 : SCMP_ARCH_X32);
		}
	}
	json_object_object_get_ex(root, "syscalls", &rules);
	for (i = 0; rules && i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i), *n, *a, *e = NULL, *args = NULL;
		struct scmp_arg_cmp cmp[6];
		unsigned int ncmp = 0, seen = 0;
		bool or_args = false;
		__u32 act, def;

		if (!ref_applies(r))
			continue;
		json_object_object_get_ex(r, "errnoRet", &e);
		json_object_object_get_ex(r, "action", &a);
		act = ref_action(json_object_get_string(a), e);
		json_object_object_get_ex(root, "defaultAction", &v);
		def = ref_action(json_object_get_string(v), err);
		json_object_object_get_ex(r, "args", &args);
		for (k = 0; args && k < json_object_array_length(args); k++, ncmp++) {
			json_object *c = json_object_array_get_idx(args, k), *x;
			const char *op;

			json_object_object_get_ex(c, "index", &x);
			cmp[k].arg = (unsigned int)json_object_get_int(x);
			json_object_object_get_ex(c, "value", &x);
			cmp[k].datum_a = json_object_get_uint64(x);
			cmp[k].datum_b = json_object_object_get_ex(c, "valueTwo", &x) ?
					 json_object_get_uint64(x) : 0;
			json_object_object_get_ex(c, "op", &x);
			op = json_object_get_string(x);
			cmp[k].op = !strcmp(op, "SCMP_CMP_EQ") ? SCMP_CMP_EQ :
				    !strcmp(op, "SCMP_CMP_NE") ? SCMP_CMP_NE :
				    !strcmp(op, "SCMP_CMP_GE") ? SCMP_CMP_GE :
				    !strcmp(op, "SCMP_CMP_GT") ? SCMP_CMP_GT :
				    !strcmp(op, "SCMP_CMP_LE") ? SCMP_CMP_LE :
				    !strcmp(op, "SCMP_CMP_LT") ? SCMP_CMP_LT : SCMP_CMP_MASKED_EQ;
			if (seen & (1u << cmp[k].arg))
				or_args = true;
			seen |= 1u << cmp[k].arg;
		}
		if (!json_object_object_get_ex(r, "names", &n))
			json_object_object_get_ex(r, "name", &n);
		for (j = 0; j < (json_object_is_type(n, json_type_array) ?
				 json_object_array_length(n) : 1); j++) {
			int nr = seccomp_syscall_resolve_name(json_object_get_string(
				json_object_is_type(n, json_type_array) ?
				json_object_array_get_idx(n, j) : n));

			names++;
			if (nr == __NR_SCMP_ERROR || act == def)
				continue;
			if (or_args)
				for (k = 0; k < ncmp; k++)
					seccomp_rule_add_array(ctx, act, nr, 1, &cmp[k]);
			else
				seccomp_rule_add_array(ctx, act, nr, ncmp, ncmp ? cmp : NULL);
		}
	}
	if (tree && names > 32)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	fd = memfd_create("ref", MFD_CLOEXEC);
	if (fd >= 0 && !seccomp_export_bpf(ctx, fd) && !fstat(fd, &st)) {
		out->filter = malloc((size_t)st.st_size);
		out->len = (unsigned short)(st.st_size / 8);
		if (out->filter && pread(fd, out->filter, (size_t)st.st_size, 0) == st.st_size)
			ret = 0;
	}
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	json_object_put(root);
	return ret;
}

/*
 * sfd's program is @prefix instructions of -ENOSYS prefix followed by
 * exactly the reference's bytes.
 */
static int same_as_reference(const char *json, const struct sfd_profile *p,
			     unsigned int *prefix)
{
	const struct sock_fprog *prog = sfd_profile_prog(p);
	struct sock_fprog ref = { 0 };
	int ret = FAIL;

	if (ref_build(json, 1, &ref))
		return FAIL;
	if (prog->len >= ref.len &&
	    !memcmp(prog->filter + (prog->len - ref.len), ref.filter,
		    ref.len * sizeof(*ref.filter))) {
		*prefix = prog->len - ref.len;
		ret = PASS;
	} else {
		unsigned int i, off = prog->len > ref.len ? prog->len - ref.len : 0;

		for (i = 0; i < ref.len && off + i < prog->len &&
		     !memcmp(&prog->filter[off + i], &ref.filter[i], sizeof(ref.filter[i])); i++)
			;
		printf("# %u instructions, reference %u: they differ at the reference's %u\n",
		       prog->len, ref.len, i);
	}
	free(ref.filter);
	return ret;
}

static int load_x86_64(const char *json, struct sfd_profile **p)
{
	char err[256] = "";
	SFD_OPTS(sfd_profile_opts, opts, .arch = SCMP_ARCH_X86_64, .kernel = "6.12",
		 .errbuf = err, .errbuf_len = sizeof(err));
	int ret = sfd_profile_load_oci_buf(json, strlen(json), &opts, p);

	if (ret)
		printf("# load: %d %s\n", ret, err);
	return ret;
}

/* Compare a profile given as text with the reference; print the prefix. */
static int compare_text(const char *what, const char *json, unsigned int want_prefix)
{
	struct sfd_profile *p;
	unsigned int prefix = 0;
	int ret;

	CHECK_EQ(load_x86_64(json, &p), 0);
	ret = same_as_reference(json, p, &prefix);
	if (ret == PASS)
		printf("# %s: %u instructions = %u prefix + libseccomp's %u, byte for byte\n",
	       what, sfd_profile_prog(p)->len, prefix, sfd_profile_prog(p)->len - prefix);
	sfd_profile_free(p);
	if (ret == PASS && prefix != want_prefix) {
		printf("# prefix %u, want %u\n", prefix, want_prefix);
		ret = FAIL;
	}
	return ret;
}

/* ---- byte for byte -------------------------------------------------- */

static int docker_profile_is_libseccomps_bytes(void)
{
	size_t len;
	char *json = read_file(DOCKER_PROFILE, &len);
	int ret;

	if (!json)
		SKIP_BECAUSE(DOCKER_PROFILE " not present");
	/*
	 * Prefix: ld arch, jeq x86_64, jeq i386, ja, then x86_64+x32's
	 * section (6) and i386's (4).
	 */
	ret = compare_text("docker-default.json", json, 14);
	free(json);
	return ret;
}

static int own_profile_is_libseccomps_bytes(void)
{
	size_t len;
	char *json = read_file(TEST_PROFILE, &len);
	int ret;

	CHECK(json);
	ret = compare_text("sfd-test.json", json, 14);
	free(json);
	return ret;
}

/* 40 names: past runc's 32, so libseccomp's binary tree. */
static const char tree_profile[] =
	"{ \"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [ { \"names\": ["
	"\"read\", \"write\", \"open\", \"close\", \"stat\", \"fstat\", \"lstat\", \"poll\","
	"\"lseek\", \"mmap\", \"mprotect\", \"munmap\", \"brk\", \"rt_sigaction\","
	"\"rt_sigprocmask\", \"rt_sigreturn\", \"ioctl\", \"pread64\", \"pwrite64\","
	"\"readv\", \"writev\", \"access\", \"pipe\", \"select\", \"sched_yield\","
	"\"mremap\", \"msync\", \"mincore\", \"madvise\", \"shmget\", \"shmat\","
	"\"shmctl\", \"dup\", \"dup2\", \"pause\", \"nanosleep\", \"getitimer\","
	"\"alarm\", \"setitimer\", \"getpid\" ], \"action\": \"SCMP_ACT_ALLOW\" } ] }";

static int tree_profile_is_libseccomps_bytes(void)
{
	struct sock_fprog plain = { 0 };
	struct sfd_profile *p;
	int ret = FAIL;

	if (compare_text("40 names, binary tree", tree_profile, 0))
		return FAIL;
	/* And the tree is really there: not the linear list. */
	CHECK_EQ(ref_build(tree_profile, 0, &plain), 0);
	CHECK_EQ(load_x86_64(tree_profile, &p), 0);
	if (plain.len != sfd_profile_prog(p)->len ||
	    memcmp(plain.filter, sfd_profile_prog(p)->filter, plain.len * 8))
		ret = PASS;
	else
		printf("# the program is libseccomp's linear one\n");
	free(plain.filter);
	sfd_profile_free(p);
	return ret;
}

static int arg_rules_are_libseccomps_bytes(void)
{
	static const char json[] =
		"{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{ \"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"  { \"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\" },"
		"  { \"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\" } ] },"
		"{ \"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"  { \"index\": 0, \"value\": 40, \"op\": \"SCMP_CMP_NE\" },"
		"  { \"index\": 1, \"value\": 3, \"op\": \"SCMP_CMP_GE\" } ] },"
		"{ \"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"  { \"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\" } ] },"
		"{ \"names\": [\"getpid\", \"exit_group\"], \"action\": \"SCMP_ACT_ALLOW\" } ] }";
	struct sfd_profile *p;

	if (compare_text("arg rules", json, 0 /* no archMap: no prefix */))
		return FAIL;
	CHECK_EQ(load_x86_64(json, &p), 0);
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, 41, 2, 5), SECCOMP_RET_ALLOW);
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, 41, 40, 5), ERRNO(EPERM));
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, 41, 2, 1), ERRNO(EPERM));
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, 135, 8, 0), SECCOMP_RET_ALLOW);
	sfd_profile_free(p);
	return PASS;
}

/* ---- the binary tree, measured ---------------------------------------- */

/* Mean instructions run per x86_64 syscall number 0..maxnr, args 0. */
static double mean_cost(const struct sock_fprog *prog, int maxnr)
{
	unsigned long total = 0;
	int nr;

	for (nr = 0; nr <= maxnr; nr++) {
		struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
		unsigned int steps = 0;

		bpf_run_counted(prog, &d, &steps);
		total += steps;
	}
	return (double)total / (maxnr + 1);
}

static int docker_profile_tree_shortens_paths(void)
{
	struct sock_fprog plain = { 0 };
	struct sfd_profile *p;
	double before, after, worst_before = 0, worst_after = 0;
	size_t len;
	char *json = read_file(DOCKER_PROFILE, &len);
	int nr;

	if (!json)
		SKIP_BECAUSE(DOCKER_PROFILE " not present");
	CHECK_EQ(ref_build(json, 0, &plain), 0);
	CHECK_EQ(load_x86_64(json, &p), 0);
	free(json);
	before = mean_cost(&plain, 462);
	after = mean_cost(sfd_profile_prog(p), 462);
	for (nr = 0; nr <= 462; nr++) {
		struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
		unsigned int a = 0, b = 0;

		bpf_run_counted(&plain, &d, &b);
		bpf_run_counted(sfd_profile_prog(p), &d, &a);
		if (b > worst_before)
			worst_before = b;
		if (a > worst_after)
			worst_after = a;
	}
	printf("# docker-default.json, x86_64 syscalls 0..462: linear %u insns, mean %.1f, worst %.0f "
	       "per syscall; tree + prefix %u insns, mean %.1f, worst %.0f\n",
	       plain.len, before, worst_before, sfd_profile_prog(p)->len, after, worst_after);
	free(plain.filter);
	sfd_profile_free(p);
	CHECK(after < before);
	return PASS;
}

/* ---- the -ENOSYS prefix ------------------------------------------------ */

static int newer_syscalls_answer_enosys(void)
{
	struct sfd_profile *p;
	SFD_OPTS(sfd_profile_opts, opts, .arch = SCMP_ARCH_X86_64, .kernel = "6.12");

	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, &opts, &p), 0);
	/* x86_64: exit_group (231) is the largest applying name. */
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, 231, 0, 0), SECCOMP_RET_ALLOW);
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, 165 /* mount */, 0, 0), ERRNO(13));
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, 230, 0, 0), ERRNO(13));
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, 232, 0, 0), ERRNO(ENOSYS));
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, 272 /* unshare */, 0, 0), ERRNO(ENOSYS));
	/* x32: its own largest, ptrace (521 | x32 bit). */
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, X32(39), 0, 0), SECCOMP_RET_ALLOW);
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, X32(272), 0, 0), ERRNO(13));
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_X86_64, X32(522), 0, 0), ERRNO(ENOSYS));
	/* i386: arch_prctl is 384. */
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_I386, 20, 0, 0), SECCOMP_RET_ALLOW);
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_I386, 383, 0, 0), ERRNO(13));
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_I386, 385, 0, 0), ERRNO(ENOSYS));
	/* An architecture not in the profile: libseccomp's bad-arch action. */
	CHECK_EQ(bpf_eval(p, AUDIT_ARCH_AARCH64, 500, 0, 0), SECCOMP_RET_KILL_THREAD);
	sfd_profile_free(p);
	return PASS;
}

static __u32 s390x_eval(const struct sock_fprog *prog, int nr)
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_S390X };

	return bpf_run(prog, &d);
}

static int s390x_setup_answers_enosys(void)
{
	static const char json[] =
		"{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_S390X\"],"
		"  \"syscalls\": [ { \"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\" } ] }";
	SFD_OPTS(sfd_profile_opts, opts, .arch = SCMP_ARCH_S390X);
	struct sfd_profile *p;

	struct sock_fprog host;
	int ret = FAIL;
	unsigned int i;

	CHECK_EQ(sfd_profile_load_oci_buf(json, strlen(json), &opts, &p), 0);
	/* The program is s390x's: big-endian, prefix included. */
	host.len = sfd_profile_prog(p)->len;
	host.filter = malloc(host.len * sizeof(*host.filter));
	CHECK(host.filter);
	for (i = 0; i < host.len; i++) {
		host.filter[i] = sfd_profile_prog(p)->filter[i];
		if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
			host.filter[i].code = __builtin_bswap16(host.filter[i].code);
			host.filter[i].k = __builtin_bswap32(host.filter[i].k);
		}
	}
	if (s390x_eval(&host, 20 /* getpid */) == SECCOMP_RET_ALLOW &&
	    s390x_eval(&host, 0 /* setup */) == ERRNO(ENOSYS) &&
	    s390x_eval(&host, 19) == ERRNO(EPERM) &&
	    s390x_eval(&host, 21) == ERRNO(ENOSYS))
		ret = PASS;
	free(host.filter);
	sfd_profile_free(p);
	return ret;
}

static int permissive_or_enosys_default_has_no_prefix(void)
{
	static const char *const json[] = {
		"{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
		"  \"syscalls\": [ { \"names\": [\"reboot\"], \"action\": \"SCMP_ACT_ERRNO\" } ] }",
		"{ \"defaultAction\": \"SCMP_ACT_LOG\", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
		"  \"syscalls\": [ { \"names\": [\"reboot\"], \"action\": \"SCMP_ACT_ERRNO\" } ] }",
		"{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
		"  \"architectures\": [\"SCMP_ARCH_X86_64\"],"
		"  \"syscalls\": [ { \"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\" } ] }",
	};
	size_t i;

	for (i = 0; i < sizeof(json) / sizeof(json[0]); i++)
		if (compare_text("no prefix", json[i], 0))
			return FAIL;
	/* The same profile with another default errno gets one. */
	return compare_text("prefix", "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", "
			    "\"architectures\": [\"SCMP_ARCH_X86_64\"], \"syscalls\": [ "
			    "{ \"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\" } ] }", 8);
}

/* ---- flags, listener, NOTIFY ------------------------------------------ */

static int flags_are_kept_for_create(void)
{
	static const char json[] =
		"{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [ \"SECCOMP_FILTER_FLAG_LOG\","
		"  \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", \"SECCOMP_FILTER_FLAG_TSYNC\" ] }";
	static const char none[] = "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [] }";
	__u8 d1[SFD_PROFILE_DIGEST_SIZE], d2[SFD_PROFILE_DIGEST_SIZE];
	struct sfd_profile *p, *q;

	CHECK_EQ(sfd_profile_load_oci_buf(json, strlen(json), NULL, &p), 0);
	CHECK_EQ(sfd_profile_flags(p), SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	CHECK_EQ(sfd_profile_load_oci_buf(none, strlen(none), NULL, &q), 0);
	CHECK_EQ(sfd_profile_flags(q), 0);
	/* Same program, other flags: another filter, another digest. */
	CHECK_EQ(sfd_profile_digest(p, d1), 0);
	CHECK_EQ(sfd_profile_digest(q, d2), 0);
	CHECK(memcmp(d1, d2, sizeof(d1)));
	sfd_profile_free(p);
	sfd_profile_free(q);
	CHECK_EQ(sfd_profile_flags(NULL), -EINVAL);
	return PASS;
}

static int listener_fields_are_exposed(void)
{
	static const char json[] =
		"{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\","
		"  \"listenerMetadata\": \"pod=a\", \"syscalls\": ["
		"  { \"names\": [\"mount\"], \"action\": \"SCMP_ACT_NOTIFY\" } ] }";
	static const char bare[] = "{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }";
	struct sfd_profile *p;

	CHECK_EQ(sfd_profile_load_oci_buf(json, strlen(json), NULL, &p), 0);
	CHECK(sfd_profile_listener_path(p) && !strcmp(sfd_profile_listener_path(p), "/run/agent.sock"));
	CHECK(sfd_profile_listener_metadata(p) && !strcmp(sfd_profile_listener_metadata(p), "pod=a"));
	sfd_profile_free(p);
	CHECK_EQ(sfd_profile_load_oci_buf(bare, strlen(bare), NULL, &p), 0);
	CHECK(!sfd_profile_listener_path(p) && !sfd_profile_listener_metadata(p));
	sfd_profile_free(p);
	CHECK(!sfd_profile_listener_path(NULL) && !sfd_profile_listener_metadata(NULL));
	return PASS;
}

/* Load @json, expect -EINVAL and a message containing @needle. */
static int expect_einval(const char *json, const char *needle)
{
	char buf[256] = "";
	SFD_OPTS(sfd_profile_opts, opts, .errbuf = buf, .errbuf_len = sizeof(buf));
	struct sfd_profile *p = (struct sfd_profile *)&opts;	/* poisoned */
	int ret = sfd_profile_load_oci_buf(json, strlen(json), &opts, &p);

	if (ret != -EINVAL || p != NULL || !strstr(buf, needle)) {
		printf("# %s\n#  -> %d \"%s\" (want -EINVAL \"%s\")\n", json, ret, buf, needle);
		return FAIL;
	}
	printf("# %s\n", buf);
	return PASS;
}

#define RULE(x) "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ " x " ] }"

static int runc_refusals_are_named(void)
{
	if (expect_einval("{ \"defaultAction\": \"SCMP_ACT_NOTIFY\" }",
			  "profile.defaultAction: SCMP_ACT_NOTIFY cannot be the default action") ||
	    expect_einval("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"] }",
			  "profile.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"") ||
	    expect_einval("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": \"SECCOMP_FILTER_FLAG_LOG\" }",
			  "profile.flags: expected array") ||
	    expect_einval("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [ 2 ] }",
			  "profile.flags[0]: expected string") ||
	    expect_einval("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": 3 }",
			  "profile.listenerPath: expected string") ||
	    expect_einval("{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4096 }",
			  "profile.defaultErrnoRet: 4096 out of range (0 to 4095)") ||
	    expect_einval(RULE("{ \"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 70000 }"),
			  "syscalls[0].errnoRet: 70000 out of range (0 to 4095)") ||
	    expect_einval(RULE("{ \"names\": [\"read\", \"\"], \"action\": \"SCMP_ACT_ALLOW\" }"),
			  "syscalls[0].names[1]: empty syscall name") ||
	    expect_einval(RULE("{ \"name\": \"\", \"action\": \"SCMP_ACT_ALLOW\" }"),
			  "syscalls[0].name: empty syscall name") ||
	    expect_einval(RULE("{ \"names\": [], \"action\": \"SCMP_ACT_ALLOW\" }"),
			  "syscalls[0].names: empty list") ||
	    expect_einval(RULE("{ \"name\": \"read\", \"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\" }"),
			  "syscalls[0]: both \"name\" and \"names\"; use \"names\""))
		return FAIL;
	return PASS;
}

static int case_variants_of_fields_are_refused(void)
{
	if (expect_einval("{ \"DefaultAction\": \"SCMP_ACT_ALLOW\" }",
			  "profile: member \"DefaultAction\" is not \"defaultAction\"") ||
	    expect_einval("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"\xc5\xbfyscalls\": [] }",
			  "is not \"syscalls\": field names are case-sensitive") ||
	    expect_einval(RULE("{ \"names\": [\"read\"], \"Action\": \"SCMP_ACT_ALLOW\" }"),
			  "syscalls[0]: member \"Action\" is not \"action\"") ||
	    expect_einval(RULE("{ \"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
			       "\"args\": [ { \"INDEX\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\" } ] }"),
			  "syscalls[0].args[0]: member \"INDEX\" is not \"index\"") ||
	    expect_einval(RULE("{ \"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
			       "\"includes\": { \"min\xe2\x84\xaa" "ernel\": \"4.8\" } }"),
			  "syscalls[0].includes: member") ||
	    expect_einval(RULE("{ \"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
			       "\"includes\": { \"minkernel\": \"4.8\" } }"),
			  "is not \"minKernel\""))
		return FAIL;
	/* Unknown members stay ignored, as Go ignores them. */
	{
		static const char json[] = RULE("{ \"names\": [\"read\"], \"action\": "
						"\"SCMP_ACT_ALLOW\", \"comment\": \"x\", \"x-vendor\": 1 }");
		struct sfd_profile *p;

		CHECK_EQ(sfd_profile_load_oci_buf(json, strlen(json), NULL, &p), 0);
		sfd_profile_free(p);
	}
	return PASS;
}

/* ---- size: de-duplication --------------------------------------------- */

/* @n copies of one name, and @n distinct unknown names: about 640 KB. */
static char *big_profile(size_t n)
{
	size_t cap = n * 48 + 256, off = 0, i;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	off += (size_t)snprintf(s + off, cap - off,
		"{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"names\": [");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, cap - off, "%s\"getpid\"", i ? "," : "");
	off += (size_t)snprintf(s + off, cap - off,
		"], \"action\": \"SCMP_ACT_ALLOW\" }, { \"names\": [");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, cap - off, "%s\"no_such_%zu\",\"getpid\"",
					i ? "," : "", i % (n / 2));
	snprintf(s + off, cap - off, "], \"action\": \"SCMP_ACT_ALLOW\" } ] }");
	return s;
}

static int duplicated_names_load_in_linear_time(void)
{
	static const char small[] =
		"{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ "
		"{ \"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\" } ] }";
	struct sfd_profile *p, *q;
	const char *const *names;
	char *json = big_profile(36000);
	int ret = FAIL;

	CHECK(json);
	printf("# %zu bytes: 72,000 \"getpid\" and 18,000 unknown names twice\n", strlen(json));
	if (sfd_profile_load_oci_buf(json, strlen(json), NULL, &p)) {
		free(json);
		return FAIL;
	}
	free(json);
	CHECK_EQ(sfd_profile_load_oci_buf(small, strlen(small), NULL, &q), 0);
	/* Past 32 names the tree is on; the decisions are the small one's. */
	if (sfd_profile_skipped(p, &names) == 18000 && !strcmp(names[0], "no_such_0") &&
	    bpf_eval(p, seccomp_arch_native(), seccomp_syscall_resolve_name("getpid"), 0, 0) ==
	    SECCOMP_RET_ALLOW &&
	    bpf_eval(q, seccomp_arch_native(), seccomp_syscall_resolve_name("getppid"), 0, 0) ==
	    bpf_eval(p, seccomp_arch_native(), seccomp_syscall_resolve_name("getppid"), 0, 0))
		ret = PASS;
	sfd_profile_free(p);
	sfd_profile_free(q);
	return ret;
}

/* ---- files -------------------------------------------------------------- */

static int fifo_is_refused_without_blocking(void)
{
	char dir[] = "/tmp/libsfd-test.XXXXXX", path[64], buf[256] = "";
	SFD_OPTS(sfd_profile_opts, opts, .errbuf = buf, .errbuf_len = sizeof(buf));
	struct sfd_profile *p;
	int ret;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK_EQ(mkfifo(path, 0600), 0);
	/* No writer: a blocking open would wait forever. */
	ret = sfd_profile_load_oci(path, &opts, &p);
	unlink(path);
	rmdir(dir);
	CHECK_EQ(ret, -EINVAL);
	CHECK(p == NULL);
	printf("# %s\n", buf);
	CHECK(strstr(buf, "not a regular file (a FIFO)"));
	CHECK_EQ(sfd_profile_load_oci("/dev/null", &opts, &p), -EINVAL);
	CHECK(strstr(buf, "/dev/null: not a regular file (a character device)"));
	CHECK_EQ(sfd_profile_load_oci("/", &opts, &p), -EISDIR);
	return PASS;
}

/* ---- digest --------------------------------------------------------------- */

static int digest_follows_the_program(void)
{
	static const char a[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
				"[{\"names\":[\"reboot\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
	static const char b[] = "{ \"syscalls\": [ { \"action\": \"SCMP_ACT_ERRNO\",\n"
				"  \"names\": [ \"reboot\", \"reboot\" ], \"comment\": \"same\" } ],\n"
				"  \"defaultAction\": \"SCMP_ACT_ALLOW\" }";
	static const char c[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
				"[{\"names\":[\"reboot\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":2}]}";
	__u8 da[SFD_PROFILE_DIGEST_SIZE], db[SFD_PROFILE_DIGEST_SIZE], dc[SFD_PROFILE_DIGEST_SIZE];
	struct sfd_profile *pa, *pb, *pc;

	CHECK_EQ(sfd_profile_load_oci_buf(a, strlen(a), NULL, &pa), 0);
	CHECK_EQ(sfd_profile_load_oci_buf(b, strlen(b), NULL, &pb), 0);
	CHECK_EQ(sfd_profile_load_oci_buf(c, strlen(c), NULL, &pc), 0);
	CHECK_EQ(sfd_profile_digest(pa, da), 0);
	CHECK_EQ(sfd_profile_digest(pb, db), 0);
	CHECK_EQ(sfd_profile_digest(pc, dc), 0);
	sfd_profile_free(pa);
	sfd_profile_free(pb);
	sfd_profile_free(pc);
	/* Other text, same program: same digest; another errno: another. */
	CHECK(!memcmp(da, db, sizeof(da)));
	CHECK(memcmp(da, dc, sizeof(da)));
	CHECK_EQ(sfd_profile_digest(NULL, da), -EINVAL);
	return PASS;
}

static int digest_depends_on_caps_only_through_rules(void)
{
	static const char *const admin[] = { "CAP_SYS_ADMIN", NULL };
	static const char *const chown_only[] = { "CAP_CHOWN", NULL };
	SFD_OPTS(sfd_profile_opts, o1, .arch = SCMP_ARCH_X86_64, .kernel = "6.12");
	SFD_OPTS(sfd_profile_opts, o2, .arch = SCMP_ARCH_X86_64, .kernel = "6.12", .caps = chown_only);
	SFD_OPTS(sfd_profile_opts, o3, .arch = SCMP_ARCH_X86_64, .kernel = "6.12", .caps = admin);
	__u8 d1[SFD_PROFILE_DIGEST_SIZE], d2[SFD_PROFILE_DIGEST_SIZE], d3[SFD_PROFILE_DIGEST_SIZE];
	struct sfd_profile *p;

	/* sfd-test.json's conditional rules name CAP_SYS_ADMIN only. */
	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, &o1, &p), 0);
	sfd_profile_digest(p, d1);
	sfd_profile_free(p);
	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, &o2, &p), 0);
	sfd_profile_digest(p, d2);
	sfd_profile_free(p);
	CHECK_EQ(sfd_profile_load_oci(TEST_PROFILE, &o3, &p), 0);
	sfd_profile_digest(p, d3);
	sfd_profile_free(p);
	CHECK(!memcmp(d1, d2, sizeof(d1)));
	CHECK(memcmp(d1, d3, sizeof(d1)));
	return PASS;
}

static const struct tap_test tests[] = {
	{ "docker_profile_is_libseccomps_bytes", docker_profile_is_libseccomps_bytes },
	{ "own_profile_is_libseccomps_bytes", own_profile_is_libseccomps_bytes },
	{ "tree_profile_is_libseccomps_bytes", tree_profile_is_libseccomps_bytes },
	{ "arg_rules_are_libseccomps_bytes", arg_rules_are_libseccomps_bytes },
	{ "docker_profile_tree_shortens_paths", docker_profile_tree_shortens_paths },
	{ "newer_syscalls_answer_enosys", newer_syscalls_answer_enosys },
	{ "s390x_setup_answers_enosys", s390x_setup_answers_enosys },
	{ "permissive_or_enosys_default_has_no_prefix", permissive_or_enosys_default_has_no_prefix },
	{ "flags_are_kept_for_create", flags_are_kept_for_create },
	{ "listener_fields_are_exposed", listener_fields_are_exposed },
	{ "runc_refusals_are_named", runc_refusals_are_named },
	{ "case_variants_of_fields_are_refused", case_variants_of_fields_are_refused },
	{ "duplicated_names_load_in_linear_time", duplicated_names_load_in_linear_time },
	{ "fifo_is_refused_without_blocking", fifo_is_refused_without_blocking },
	{ "digest_follows_the_program", digest_follows_the_program },
	{ "digest_depends_on_caps_only_through_rules", digest_depends_on_caps_only_through_rules },
};

int main(void)
{
	/* As test_profile.c: without seccomp(2) (valgrind), API level 5. */
	if (syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0,
		    &(__u32){ SECCOMP_RET_ALLOW }) && errno == ENOSYS) {
		printf("# seccomp(2) unavailable: libseccomp API level set to 5\n");
		seccomp_api_set(5);
	}
	return tap_run(tests, (int)(sizeof(tests) / sizeof(tests[0])));
}
