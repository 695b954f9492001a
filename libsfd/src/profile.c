// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * libsfd: build an OCI linux.seccomp profile (the format of Docker's default
 * profile) into a classic BPF program with libseccomp, the way runc and moby
 * do, so it can be created once as a detached filter.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>
#include <seccomp.h>

#include "internal.h"

/* Profiles larger than this are refused (Docker's is 13 KiB). */
#define SFD_PROFILE_MAX_BYTES (16u << 20)

struct sfd_profile {
	struct sock_fprog prog;
	char **skipped;		/* NULL-terminated */
	int nskipped;
};

/* The capabilities Docker grants a container by default (moby oci/caps). */
static const char *const docker_default_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
	"CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

/* Architecture tokens and the Go names profiles match in "arches". */
static const struct {
	__u32 token;
	const char *goarch;
} arch_names[] = {
	{ SCMP_ARCH_X86_64, "amd64" },
	{ SCMP_ARCH_X86, "386" },
	{ SCMP_ARCH_X32, "x32" },
	{ SCMP_ARCH_AARCH64, "arm64" },
	{ SCMP_ARCH_ARM, "arm" },
	{ SCMP_ARCH_PPC64LE, "ppc64le" },
	{ SCMP_ARCH_PPC64, "ppc64" },
	{ SCMP_ARCH_S390X, "s390x" },
	{ SCMP_ARCH_S390, "s390" },
	{ SCMP_ARCH_RISCV64, "riscv64" },
	{ SCMP_ARCH_MIPS64, "mips64" },
	{ SCMP_ARCH_MIPSEL64, "mips64le" },
	{ SCMP_ARCH_MIPS, "mips" },
	{ SCMP_ARCH_MIPSEL, "mipsle" },
};

/* Everything one load needs; lives on the loader's stack. */
struct loader {
	const struct sfd_profile_opts *opts;
	__u32 arch;
	const char *goarch;
	const char *const *caps;
	unsigned int kmajor, kminor;
	scmp_filter_ctx ctx;
	__u32 default_action;
	struct sfd_profile *p;
	int skipped_cap;
};

__attribute__((format(printf, 2, 3)))
static int fail(const struct sfd_profile_opts *opts, const char *fmt, ...)
{
	va_list ap;

	if (!SFD_OPTS_HAS(opts, errbuf_len) || !opts->errbuf || !opts->errbuf_len)
		return 0;
	va_start(ap, fmt);
	vsnprintf(opts->errbuf, opts->errbuf_len, fmt, ap);
	va_end(ap);
	return 0;
}

/* Fetch an optional member; *out is NULL if absent or JSON null. */
static int get_member(struct loader *l, json_object *obj, const char *where,
		      const char *key, json_type type, json_object **out)
{
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, type)) {
		fail(l->opts, "%s.%s: expected %s, got %s", where, key,
		     json_type_to_name(type),
		     json_type_to_name(json_object_get_type(v)));
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int get_u64(struct loader *l, json_object *obj, const char *where,
		   const char *key, bool *present, __u64 *out)
{
	json_object *v;
	int ret = get_member(l, obj, where, key, json_type_int, &v);

	*present = false;
	if (ret || !v)
		return ret;
	if (json_object_get_int64(v) < 0) {
		fail(l->opts, "%s.%s: must not be negative", where, key);
		return -EINVAL;
	}
	*out = json_object_get_uint64(v);
	*present = true;
	return 0;
}

/* Every element of @arr must be a string. */
static int check_strings(struct loader *l, json_object *arr, const char *where,
			 const char *key)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		if (!json_object_is_type(json_object_array_get_idx(arr, i),
					 json_type_string)) {
			fail(l->opts, "%s.%s[%zu]: expected string", where, key, i);
			return -EINVAL;
		}
	}
	return 0;
}

static bool in_strings(json_object *arr, const char *s)
{
	size_t i, n = arr ? json_object_array_length(arr) : 0;

	for (i = 0; i < n; i++)
		if (!strcasecmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return true;
	return false;
}

static bool have_cap(const struct loader *l, const char *cap)
{
	const char *const *c;

	for (c = l->caps; *c; c++)
		if (!strcasecmp(*c, cap))
			return true;
	return false;
}

/* "major.minor[...]" */
static int parse_version(const char *s, unsigned int *major, unsigned int *minor)
{
	char *end;
	unsigned long a, b;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	a = strtoul(s, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -EINVAL;
	b = strtoul(end + 1, &end, 10);
	if (a > UINT_MAX || b > UINT_MAX)
		return -EINVAL;
	*major = (unsigned int)a;
	*minor = (unsigned int)b;
	return 0;
}

static int action_of(struct loader *l, const char *where, const char *name,
		     bool has_errno, __u64 err, __u32 *out)
{
	__u32 e = has_errno ? (__u32)err : EPERM;

	if (has_errno && err > 0xffff) {
		fail(l->opts, "%s: errnoRet %llu out of range", where,
		     (unsigned long long)err);
		return -EINVAL;
	}
	if (!strcmp(name, "SCMP_ACT_KILL"))
		*out = SCMP_ACT_KILL;
	else if (!strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(e);
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE(e);
	else if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		*out = SCMP_ACT_NOTIFY;
	else {
		fail(l->opts, "%s: unknown action \"%s\"", where, name);
		return -EINVAL;
	}
	return 0;
}

static int compare_op(const char *name, enum scmp_compare *op)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE },
		{ "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE },
		{ "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(ops[i].name, name)) {
			*op = ops[i].op;
			return 0;
		}
	}
	return -EINVAL;
}

/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64, 0 if libseccomp does not know it. */
static __u32 resolve_scmp_arch(const char *name)
{
	char lower[32];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10))
		return 0;
	name += 10;
	for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	if (name[i])
		return 0;
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

static int add_arch(struct loader *l, const char *where, const char *name)
{
	__u32 tok = resolve_scmp_arch(name);
	int ret;

	if (!tok) {
		fail(l->opts, "%s: unknown architecture \"%s\"", where, name);
		return -EINVAL;
	}
	ret = seccomp_arch_add(l->ctx, tok);
	if (ret && ret != -EEXIST) {
		fail(l->opts, "%s: cannot add architecture \"%s\": %s", where,
		     name, strerror(-ret));
		return ret;
	}
	return 0;
}

static int add_arches(struct loader *l, json_object *root)
{
	json_object *list, *map;
	size_t i, n;
	int ret;

	ret = get_member(l, root, "profile", "architectures", json_type_array, &list);
	if (ret)
		return ret;
	ret = get_member(l, root, "profile", "archMap", json_type_array, &map);
	if (ret)
		return ret;

	if (list) {
		ret = check_strings(l, list, "profile", "architectures");
		if (ret)
			return ret;
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			const char *a = json_object_get_string(json_object_array_get_idx(list, i));

			ret = add_arch(l, "profile.architectures", a);
			if (ret)
				return ret;
		}
	}

	n = map ? json_object_array_length(map) : 0;
	for (i = 0; i < n; i++) {
		json_object *ent = json_object_array_get_idx(map, i), *a, *subs;
		char where[64];
		size_t j;

		snprintf(where, sizeof(where), "profile.archMap[%zu]", i);
		if (!json_object_is_type(ent, json_type_object)) {
			fail(l->opts, "%s: expected object", where);
			return -EINVAL;
		}
		ret = get_member(l, ent, where, "architecture", json_type_string, &a);
		if (ret)
			return ret;
		if (!a) {
			fail(l->opts, "%s.architecture: missing", where);
			return -EINVAL;
		}
		ret = get_member(l, ent, where, "subArchitectures", json_type_array, &subs);
		if (!ret && subs)
			ret = check_strings(l, subs, where, "subArchitectures");
		if (ret)
			return ret;
		/* Only the entry of the arch we build for matters. */
		if (resolve_scmp_arch(json_object_get_string(a)) != l->arch)
			continue;
		ret = add_arch(l, where, json_object_get_string(a));
		for (j = 0; !ret && subs && j < json_object_array_length(subs); j++)
			ret = add_arch(l, where,
				       json_object_get_string(json_object_array_get_idx(subs, j)));
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Does the rule apply?  moby's rules: any excluded arch or cap, or a
 * kernel at least excludes.minKernel, drops it; includes need the arch,
 * every listed cap, and a kernel at least includes.minKernel.
 */
static int rule_applies(struct loader *l, json_object *rule, const char *where,
			bool *applies)
{
	static const char *const keys[] = { "excludes", "includes" };
	unsigned int k;
	int ret;

	*applies = true;
	for (k = 0; k < 2; k++) {
		bool inc = k == 1;
		json_object *f, *arches, *caps, *mk;
		char w[96];

		ret = get_member(l, rule, where, keys[k], json_type_object, &f);
		if (ret || !f)
			continue;
		snprintf(w, sizeof(w), "%s.%s", where, keys[k]);
		ret = get_member(l, f, w, "arches", json_type_array, &arches);
		if (!ret && arches)
			ret = check_strings(l, arches, w, "arches");
		if (!ret)
			ret = get_member(l, f, w, "caps", json_type_array, &caps);
		if (!ret && caps)
			ret = check_strings(l, caps, w, "caps");
		if (!ret)
			ret = get_member(l, f, w, "minKernel", json_type_string, &mk);
		if (ret)
			return ret;

		if (arches && json_object_array_length(arches) &&
		    in_strings(arches, l->goarch) != inc)
			*applies = false;
		if (caps) {
			size_t i, n = json_object_array_length(caps);

			for (i = 0; i < n; i++) {
				bool have = have_cap(l, json_object_get_string(
						json_object_array_get_idx(caps, i)));
				if (inc ? !have : have)
					*applies = false;
			}
		}
		if (mk) {
			unsigned int maj, min;
			bool newer;

			if (parse_version(json_object_get_string(mk), &maj, &min)) {
				fail(l->opts, "%s.minKernel: bad version \"%s\"", w,
				     json_object_get_string(mk));
				return -EINVAL;
			}
			newer = l->kmajor > maj || (l->kmajor == maj && l->kminor >= min);
			if (newer != inc)
				*applies = false;
		}
	}
	return ret;
}

static int note_skipped(struct loader *l, const char *name)
{
	struct sfd_profile *p = l->p;
	char **grown;
	int i;

	for (i = 0; i < p->nskipped; i++)
		if (!strcmp(p->skipped[i], name))
			return 0;
	if (p->nskipped + 1 >= l->skipped_cap) {
		int cap = l->skipped_cap ? l->skipped_cap * 2 : 16;

		grown = realloc(p->skipped, (size_t)cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		p->skipped = grown;
		l->skipped_cap = cap;
	}
	p->skipped[p->nskipped] = strdup(name);
	if (!p->skipped[p->nskipped])
		return -ENOMEM;
	p->skipped[++p->nskipped] = NULL;
	return 0;
}

static int parse_args(struct loader *l, json_object *args, const char *where,
		      struct scmp_arg_cmp *cmp, unsigned int *ncmp, bool *or_args)
{
	size_t i, n = json_object_array_length(args);
	unsigned int seen = 0;
	int ret;

	if (n > 6) {
		fail(l->opts, "%s.args: at most 6 comparisons", where);
		return -EINVAL;
	}
	*or_args = false;
	for (i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(args, i), *op;
		char w[112];
		bool has_idx, has_val, has_val2;
		__u64 idx = 0, val = 0, val2 = 0;

		snprintf(w, sizeof(w), "%s.args[%zu]", where, i);
		if (!json_object_is_type(a, json_type_object)) {
			fail(l->opts, "%s: expected object", w);
			return -EINVAL;
		}
		ret = get_u64(l, a, w, "index", &has_idx, &idx);
		if (!ret)
			ret = get_u64(l, a, w, "value", &has_val, &val);
		if (!ret)
			ret = get_u64(l, a, w, "valueTwo", &has_val2, &val2);
		if (!ret)
			ret = get_member(l, a, w, "op", json_type_string, &op);
		if (ret)
			return ret;
		if (!has_idx || idx > 5) {
			fail(l->opts, "%s.index: missing or greater than 5", w);
			return -EINVAL;
		}
		if (!op || compare_op(json_object_get_string(op), &cmp[i].op)) {
			fail(l->opts, "%s.op: missing or unknown operator \"%s\"", w,
			     op ? json_object_get_string(op) : "");
			return -EINVAL;
		}
		cmp[i].arg = (unsigned int)idx;
		cmp[i].datum_a = val;
		cmp[i].datum_b = val2;
		/* runc: several conditions on one argument are ORed. */
		if (seen & (1u << idx))
			*or_args = true;
		seen |= 1u << idx;
	}
	*ncmp = (unsigned int)n;
	return 0;
}

static int add_rule(struct loader *l, json_object *rule, size_t ri)
{
	json_object *names, *name, *action, *args;
	struct scmp_arg_cmp cmp[6];
	unsigned int ncmp = 0, j;
	bool applies, has_err, or_args = false;
	__u64 err = 0;
	__u32 act;
	char where[48];
	size_t i, n;
	int ret;

	snprintf(where, sizeof(where), "syscalls[%zu]", ri);
	if (!json_object_is_type(rule, json_type_object)) {
		fail(l->opts, "%s: expected object", where);
		return -EINVAL;
	}
	ret = get_member(l, rule, where, "names", json_type_array, &names);
	if (!ret && names)
		ret = check_strings(l, names, where, "names");
	if (!ret)
		ret = get_member(l, rule, where, "name", json_type_string, &name);
	if (!ret)
		ret = get_member(l, rule, where, "action", json_type_string, &action);
	if (!ret)
		ret = get_u64(l, rule, where, "errnoRet", &has_err, &err);
	if (!ret)
		ret = get_member(l, rule, where, "args", json_type_array, &args);
	if (ret)
		return ret;
	if (!action) {
		fail(l->opts, "%s.action: missing", where);
		return -EINVAL;
	}
	if (!names && !name) {
		fail(l->opts, "%s: neither names nor name", where);
		return -EINVAL;
	}
	ret = action_of(l, where, json_object_get_string(action), has_err, err, &act);
	if (!ret && args)
		ret = parse_args(l, args, where, cmp, &ncmp, &or_args);
	if (!ret)
		ret = rule_applies(l, rule, where, &applies);
	if (ret)
		return ret;
	/* A rule repeating the default action changes nothing (runc skips it). */
	if (!applies || act == l->default_action)
		return 0;

	n = names ? json_object_array_length(names) : 0;
	for (i = 0; i < n + (name ? 1 : 0); i++) {
		const char *sc = i < n ?
			json_object_get_string(json_object_array_get_idx(names, i)) :
			json_object_get_string(name);
		int nr = seccomp_syscall_resolve_name(sc);

		if (nr == __NR_SCMP_ERROR) {
			ret = note_skipped(l, sc);
			if (ret)
				return ret;
			continue;
		}
		if (or_args) {
			for (j = 0; !ret && j < ncmp; j++)
				ret = seccomp_rule_add_array(l->ctx, act, nr, 1, &cmp[j]);
		} else {
			ret = seccomp_rule_add_array(l->ctx, act, nr, ncmp, ncmp ? cmp : NULL);
		}
		if (ret) {
			fail(l->opts, "%s: libseccomp rejected the rule for \"%s\": %s",
			     where, sc, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Read back what seccomp_export_bpf() writes. */
static int export_bpf(struct loader *l)
{
	struct sock_filter *insns = NULL;
	struct stat st;
	size_t off = 0;
	int fd, ret;

	fd = memfd_create("libsfd-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = seccomp_export_bpf(l->ctx, fd);
	if (ret) {
		fail(l->opts, "libseccomp cannot export the filter: %s", strerror(-ret));
		goto out;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(*insns)) {
		ret = -EIO;
		goto out;
	}
	if ((size_t)st.st_size / sizeof(*insns) > BPF_MAXINSNS) {
		fail(l->opts, "filter has %zu instructions, more than %d",
		     (size_t)st.st_size / sizeof(*insns), BPF_MAXINSNS);
		ret = -E2BIG;
		goto out;
	}
	insns = malloc((size_t)st.st_size);
	if (!insns) {
		ret = -ENOMEM;
		goto out;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = pread(fd, (char *)insns + off, (size_t)st.st_size - off,
				  (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			free(insns);
			goto out;
		}
		off += (size_t)n;
	}
	l->p->prog.filter = insns;
	l->p->prog.len = (unsigned short)((size_t)st.st_size / sizeof(*insns));
	ret = 0;
out:
	close(fd);
	return ret;
}

static int build(struct loader *l, json_object *root)
{
	json_object *defact, *rules;
	bool has_err;
	__u64 err = 0;
	__u32 native;
	size_t i, n;
	int ret;

	if (!json_object_is_type(root, json_type_object)) {
		fail(l->opts, "profile: expected a JSON object");
		return -EINVAL;
	}
	ret = get_member(l, root, "profile", "defaultAction", json_type_string, &defact);
	if (!ret)
		ret = get_u64(l, root, "profile", "defaultErrnoRet", &has_err, &err);
	if (!ret)
		ret = get_member(l, root, "profile", "syscalls", json_type_array, &rules);
	if (ret)
		return ret;
	if (!defact) {
		fail(l->opts, "profile.defaultAction: missing");
		return -EINVAL;
	}
	ret = action_of(l, "profile.defaultAction", json_object_get_string(defact),
			has_err, err, &l->default_action);
	if (ret)
		return ret;

	l->ctx = seccomp_init(l->default_action);
	if (!l->ctx) {
		fail(l->opts, "libseccomp refused default action %s",
		     json_object_get_string(defact));
		return -EINVAL;
	}
	native = seccomp_arch_native();
	if (l->arch != native) {
		ret = seccomp_arch_add(l->ctx, l->arch);
		if (!ret)
			ret = seccomp_arch_remove(l->ctx, native);
		if (ret) {
			fail(l->opts, "cannot build for arch 0x%x: %s", l->arch,
			     strerror(-ret));
			return ret;
		}
	}
	ret = add_arches(l, root);
	if (ret)
		return ret;

	n = rules ? json_object_array_length(rules) : 0;
	for (i = 0; i < n; i++) {
		ret = add_rule(l, json_object_array_get_idx(rules, i), i);
		if (ret)
			return ret;
	}
	return export_bpf(l);
}

static int load_buf(const char *buf, size_t len,
		    const struct sfd_profile_opts *opts, struct sfd_profile **out)
{
	struct loader l = { .opts = opts };
	struct json_tokener *tok = NULL;
	json_object *root = NULL;
	struct utsname uts;
	const char *kernel;
	size_t i, end;
	int ret;

	if (opts && !sfd__opts_valid(opts, opts->sz, sizeof(*opts)))
		return -EINVAL;
	if (SFD_OPTS_HAS(opts, errbuf_len) && opts->errbuf && opts->errbuf_len)
		opts->errbuf[0] = '\0';
	if (!out || !buf) {
		fail(opts, "no buffer or no result pointer");
		return -EINVAL;
	}
	*out = NULL;
	if (len > SFD_PROFILE_MAX_BYTES) {
		fail(opts, "profile larger than %u bytes", SFD_PROFILE_MAX_BYTES);
		return -EFBIG;
	}

	l.arch = SFD_OPTS_GET(opts, arch, 0);
	if (!l.arch)
		l.arch = seccomp_arch_native();
	for (i = 0; i < sizeof(arch_names) / sizeof(arch_names[0]); i++)
		if (arch_names[i].token == l.arch)
			l.goarch = arch_names[i].goarch;
	if (!l.goarch) {
		fail(opts, "unsupported architecture 0x%x", l.arch);
		return -EINVAL;
	}
	l.caps = SFD_OPTS_GET(opts, caps, NULL);
	if (!l.caps)
		l.caps = docker_default_caps;
	kernel = SFD_OPTS_GET(opts, kernel, NULL);
	if (!kernel) {
		if (uname(&uts))
			return -errno;
		kernel = uts.release;
	}
	if (parse_version(kernel, &l.kmajor, &l.kminor)) {
		fail(opts, "bad kernel release \"%s\"", kernel);
		return -EINVAL;
	}

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root) {
		enum json_tokener_error jerr = json_tokener_get_error(tok);

		fail(opts, "invalid JSON at byte %zu: %s",
		     json_tokener_get_parse_end(tok),
		     jerr == json_tokener_continue ? "unexpected end of input" :
		     json_tokener_error_desc(jerr));
		ret = -EINVAL;
		goto out;
	}
	for (end = json_tokener_get_parse_end(tok); end < len; end++) {
		if (!isspace((unsigned char)buf[end]) && buf[end] != '\0') {
			fail(opts, "invalid JSON at byte %zu: trailing data", end);
			ret = -EINVAL;
			goto out;
		}
	}

	l.p = calloc(1, sizeof(*l.p));
	if (!l.p) {
		ret = -ENOMEM;
		goto out;
	}
	ret = build(&l, root);
	if (!ret) {
		*out = l.p;
		l.p = NULL;
	}
out:
	if (l.ctx)
		seccomp_release(l.ctx);
	sfd_profile_free(l.p);
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
}

int sfd_profile_load_oci_buf(const char *buf, size_t len,
			     const struct sfd_profile_opts *opts,
			     struct sfd_profile **out)
{
	int saved = errno, ret = load_buf(buf, len, opts, out);

	errno = saved;
	return ret;
}

int sfd_profile_load_oci(const char *path, const struct sfd_profile_opts *opts,
			 struct sfd_profile **out)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int saved = errno, fd, ret;

	if (opts && !sfd__opts_valid(opts, opts->sz, sizeof(*opts)))
		return -EINVAL;
	if (out)
		*out = NULL;
	if (!path || !out) {
		fail(opts, "no path or no result pointer");
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fail(opts, "%s: %s", path, strerror(-ret));
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *grown;

			if (cap >= SFD_PROFILE_MAX_BYTES) {
				fail(opts, "%s: larger than %u bytes", path,
				     SFD_PROFILE_MAX_BYTES);
				ret = -EFBIG;
				goto out_close;
			}
			cap = cap ? cap * 2 : 16384;
			grown = realloc(buf, cap);
			if (!grown) {
				ret = -ENOMEM;
				goto out_close;
			}
			buf = grown;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			fail(opts, "%s: %s", path, strerror(-ret));
			goto out_close;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	ret = load_buf(buf, len, opts, out);
	if (ret && SFD_OPTS_HAS(opts, errbuf_len) && opts->errbuf &&
	    opts->errbuf_len) {
		/* Prefix the file name to the parser's message. */
		char *msg = strdup(opts->errbuf);

		if (msg) {
			fail(opts, "%s: %s", path, msg);
			free(msg);
		}
	}
out_close:
	close(fd);
out:
	free(buf);
	errno = saved;
	return ret;
}

const struct sock_fprog *sfd_profile_prog(const struct sfd_profile *p)
{
	return p ? &p->prog : NULL;
}

int sfd_profile_create(const struct sfd_profile *p, unsigned int flags)
{
	if (!p)
		return -EINVAL;
	return sfd_create(&p->prog, flags);
}

int sfd_profile_skipped(const struct sfd_profile *p, const char *const **names)
{
	static const char *const none[] = { NULL };

	if (!p)
		return -EINVAL;
	if (names)
		*names = p->skipped ? (const char *const *)p->skipped : none;
	return p->nskipped;
}

void sfd_profile_free(struct sfd_profile *p)
{
	int i;

	if (!p)
		return;
	for (i = 0; i < p->nskipped; i++)
		free(p->skipped[i]);
	free(p->skipped);
	free(p->prog.filter);
	free(p);
}
