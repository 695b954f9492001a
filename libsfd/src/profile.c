// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * libsfd: build an OCI linux.seccomp profile (the format of Docker's default
 * profile) into a classic BPF program with libseccomp, the way runc and moby
 * do, so it can be created once as a detached filter.
 *
 * runc's reading (libcontainer/specconv, libcontainer/seccomp): "flags"
 * are checked and kept for the create, NOTIFY cannot be the default action,
 * libseccomp's binary tree is used past 32 syscall entries, and the
 * -ENOSYS prefix of patchbpf guards syscalls newer than the profile
 * (profile_enosys.c).  Syscall rules are de-duplicated with hash sets
 * before libseccomp sees them, so a load is linear in the profile's size.
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
#include <linux/audit.h>
#include <seccomp.h>

#include "internal.h"
#include "profile.h"
#include "profile_sha256.h"

/* Profiles larger than this are refused (Docker's is 13 KiB). */
#define SFD_PROFILE_MAX_BYTES (16u << 20)

/* runc sets libseccomp's binary tree past this many syscall entries. */
#define SFD_PROFILE_TREE_MIN 32
/* Largest errno a seccomp filter can return (the kernel clamps to it). */
#define SFD_MAX_ERRNO 4095

struct sfd_profile {
	struct sock_fprog prog;
	char **skipped;		/* NULL-terminated */
	int nskipped;
	unsigned int flags;	/* SECCOMP_FILTER_FLAG_* from "flags" */
	char *listener_path;
	char *listener_metadata;
	__u8 digest[SFD_SHA256_SIZE];
};

/* An open-addressing set of fixed-size keys (rules) or of strings. */
struct hset {
	void *slots;		/* cap * key_size bytes, or char *[cap] */
	unsigned char *used;
	size_t cap, n, key_size;	/* key_size 0: strings */
};

/* What one libseccomp rule addition is made of; compared as bytes. */
struct rule_key {
	int nr;
	__u32 action;
	__u32 ncmp;
	__u32 or_args;
	struct scmp_arg_cmp cmp[6];
};

/* "flags" of the profile: the names runc knows. */
static const struct {
	const char *name;
	unsigned int flag;
} filter_flags[] = {
	/* runc accepts it and does nothing: TSYNC is the attach's business. */
	{ "SECCOMP_FILTER_FLAG_TSYNC", 0 },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

/* Field names of each object, for the case check (check_keys()). */
static const char *const root_keys[] = {
	"defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls",
	"flags", "listenerPath", "listenerMetadata", NULL,
};
static const char *const archmap_keys[] = { "architecture", "subArchitectures", NULL };
static const char *const rule_keys[] = {
	"names", "name", "action", "errnoRet", "args", "includes", "excludes",
	"comment", NULL,
};
static const char *const arg_keys[] = { "index", "value", "valueTwo", "op", NULL };
static const char *const filter_keys[] = { "arches", "caps", "minKernel", NULL };

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
	bool default_enosys;	/* defaultErrnoRet is ENOSYS: no prefix */
	struct sfd_profile *p;
	int skipped_cap;
	/* Architectures the profile names, for the -ENOSYS prefix. */
	struct sfd_enosys_arch arches[SFD_PROFILE_MAX_ARCHES];
	unsigned int narches;
	size_t entries;		/* syscall names of applying rules (runc's count) */
	size_t rules_added;	/* libseccomp rules actually added */
	struct hset rules;	/* struct rule_key already given to libseccomp */
	struct hset names;	/* names already resolved (prefix, skipped list) */
};

/* FNV-1a */
static size_t hash_bytes(const void *data, size_t len)
{
	const unsigned char *b = data;
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return (size_t)h;
}

static const void *hset_key(const struct hset *h, size_t i)
{
	if (!h->key_size)
		return ((char *const *)h->slots)[i];
	return (const char *)h->slots + i * h->key_size;
}

static size_t hset_hash(const struct hset *h, const void *key)
{
	return h->key_size ? hash_bytes(key, h->key_size) : hash_bytes(key, strlen(key));
}

static bool hset_equal(const struct hset *h, const void *a, const void *b)
{
	return h->key_size ? !memcmp(a, b, h->key_size) : !strcmp(a, b);
}

static void hset_put(struct hset *h, const void *key)
{
	size_t i = hset_hash(h, key) & (h->cap - 1);

	while (h->used[i])
		i = (i + 1) & (h->cap - 1);
	h->used[i] = 1;
	if (h->key_size)
		memcpy((char *)h->slots + i * h->key_size, key, h->key_size);
	else
		((const void **)h->slots)[i] = key;
	h->n++;
}

/*
 * Add @key (a string is borrowed, not copied: it must outlive the set).
 * Returns 1 if it was new, 0 if already there, -ENOMEM.
 */
static int hset_add(struct hset *h, const void *key)
{
	size_t i, ksz = h->key_size ? h->key_size : sizeof(char *);

	if (h->cap) {
		for (i = hset_hash(h, key) & (h->cap - 1); h->used[i];
		     i = (i + 1) & (h->cap - 1))
			if (hset_equal(h, hset_key(h, i), key))
				return 0;
	}
	if (2 * (h->n + 1) > h->cap) {
		struct hset old = *h;

		h->cap = old.cap ? old.cap * 2 : 64;
		h->n = 0;
		h->slots = calloc(h->cap, ksz);
		h->used = calloc(h->cap, 1);
		if (!h->slots || !h->used) {
			free(h->slots);
			free(h->used);
			*h = old;
			return -ENOMEM;
		}
		for (i = 0; i < old.cap; i++)
			if (old.used[i])
				hset_put(h, hset_key(&old, i));
		free(old.slots);
		free(old.used);
	}
	hset_put(h, key);
	return 1;
}

static void hset_free(struct hset *h)
{
	free(h->slots);
	free(h->used);
}

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

/*
 * Next character of a field name folded as Go's encoding/json folds it
 * when it matches names case-insensitively: ASCII letters to lower case,
 * U+017F (long s) to 's' and U+212A (Kelvin sign) to 'k'.  Other bytes
 * stand for themselves.
 */
static int fold_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;

	if (p[0] == 0xc5 && p[1] == 0xbf) {
		*s += 2;
		return 's';
	}
	if (p[0] == 0xe2 && p[1] == 0x84 && p[2] == 0xaa) {
		*s += 3;
		return 'k';
	}
	*s += 1;
	return tolower(p[0]);
}

static bool fold_equal(const char *a, const char *b)
{
	int ca, cb;

	do {
		ca = *a ? fold_next(&a) : 0;
		cb = *b ? fold_next(&b) : 0;
	} while (ca && ca == cb);
	return ca == cb;
}

/*
 * Go's encoding/json (runc, moby) would take "DefaultAction" for
 * "defaultAction".  libsfd does not guess: a member whose name differs
 * from a field only by case is an error naming both; other unknown
 * members ("comment", extensions) are ignored, as Go ignores them.
 */
static int check_keys(struct loader *l, json_object *obj, const char *where,
		      const char *const *known)
{
	json_object_object_foreach(obj, key, val) {
		const char *const *k;
		bool exact = false;

		(void)val;
		for (k = known; *k && !exact; k++)
			exact = !strcmp(*k, key);
		if (exact)
			continue;
		for (k = known; *k; k++) {
			if (fold_equal(*k, key)) {
				fail(l->opts, "%s: member \"%s\" is not \"%s\": field names are case-sensitive",
				     where, key, *k);
				return -EINVAL;
			}
		}
	}
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

/* An optional errno: at most SFD_MAX_ERRNO, which the kernel clamps to. */
static int get_errno(struct loader *l, json_object *obj, const char *where,
		     const char *key, bool *present, __u64 *out)
{
	int ret = get_u64(l, obj, where, key, present, out);

	if (!ret && *present && *out > SFD_MAX_ERRNO) {
		fail(l->opts, "%s.%s: %llu out of range (0 to %d)", where, key,
		     (unsigned long long)*out, SFD_MAX_ERRNO);
		return -EINVAL;
	}
	return ret;
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
	unsigned int i;
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
	/* runc's -ENOSYS prefix covers the architectures a profile names. */
	for (i = 0; i < l->narches; i++)
		if (l->arches[i].token == tok)
			return 0;
	if (l->narches == SFD_PROFILE_MAX_ARCHES) {
		fail(l->opts, "%s: more than %d architectures", where,
		     SFD_PROFILE_MAX_ARCHES);
		return -E2BIG;
	}
	l->arches[l->narches++].token = tok;
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
		ret = check_keys(l, ent, where, archmap_keys);
		if (!ret)
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
		if (ret)
			return ret;
		if (!f)
			continue;
		snprintf(w, sizeof(w), "%s.%s", where, keys[k]);
		ret = check_keys(l, f, w, filter_keys);
		if (!ret)
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

/* @name is new (note_name() saw to that): append it to the skipped list. */
static int note_skipped(struct loader *l, const char *name)
{
	struct sfd_profile *p = l->p;
	char **grown;

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

/*
 * First sight of syscall @sc (@nr: its native number or __NR_SCMP_ERROR):
 * raise each named architecture's largest number for the -ENOSYS prefix,
 * and list it as skipped if libseccomp does not know it.
 */
static int note_name(struct loader *l, const char *sc, int nr)
{
	unsigned int i;
	int ret = hset_add(&l->names, sc);

	if (ret <= 0)
		return ret;
	for (i = 0; i < l->narches; i++) {
		int anr = seccomp_syscall_resolve_name_arch(l->arches[i].token, sc);

		/* Negative: unknown, or one of libseccomp's pseudo-syscalls. */
		if (anr > l->arches[i].max_nr)
			l->arches[i].max_nr = anr;
	}
	return nr == __NR_SCMP_ERROR ? note_skipped(l, sc) : 0;
}

/* Give libseccomp one rule unless the very same one was given already. */
static int add_once(struct loader *l, int nr, __u32 act, bool or_args,
		    unsigned int ncmp, const struct scmp_arg_cmp *cmp)
{
	struct rule_key key;
	int ret;

	memset(&key, 0, sizeof(key));
	key.nr = nr;
	key.action = act;
	key.ncmp = ncmp;
	key.or_args = or_args;
	if (ncmp)
		memcpy(key.cmp, cmp, ncmp * sizeof(*cmp));
	ret = hset_add(&l->rules, &key);
	if (ret <= 0)
		return ret;
	l->rules_added++;
	return seccomp_rule_add_array(l->ctx, act, nr, ncmp, ncmp ? cmp : NULL);
}

/* The names of a rule: "names", or the older single "name", not both. */
static int check_names(struct loader *l, const char *where, json_object *names,
		       json_object *name)
{
	size_t i, n;

	if (names && name) {
		fail(l->opts, "%s: both \"name\" and \"names\"; use \"names\"", where);
		return -EINVAL;
	}
	if (!names && !name) {
		fail(l->opts, "%s: neither names nor name", where);
		return -EINVAL;
	}
	if (name && !*json_object_get_string(name)) {
		fail(l->opts, "%s.name: empty syscall name", where);
		return -EINVAL;
	}
	n = names ? json_object_array_length(names) : 0;
	if (names && !n) {
		fail(l->opts, "%s.names: empty list", where);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!*json_object_get_string(json_object_array_get_idx(names, i))) {
			fail(l->opts, "%s.names[%zu]: empty syscall name", where, i);
			return -EINVAL;
		}
	}
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
		ret = check_keys(l, a, w, arg_keys);
		if (!ret)
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
	ret = check_keys(l, rule, where, rule_keys);
	if (!ret)
		ret = get_member(l, rule, where, "names", json_type_array, &names);
	if (!ret && names)
		ret = check_strings(l, names, where, "names");
	if (!ret)
		ret = get_member(l, rule, where, "name", json_type_string, &name);
	if (!ret)
		ret = get_member(l, rule, where, "action", json_type_string, &action);
	if (!ret)
		ret = get_errno(l, rule, where, "errnoRet", &has_err, &err);
	if (!ret)
		ret = get_member(l, rule, where, "args", json_type_array, &args);
	if (ret)
		return ret;
	if (!action) {
		fail(l->opts, "%s.action: missing", where);
		return -EINVAL;
	}
	ret = check_names(l, where, names, name);
	if (!ret)
		ret = action_of(l, where, json_object_get_string(action), has_err, err, &act);
	if (!ret && args)
		ret = parse_args(l, args, where, cmp, &ncmp, &or_args);
	if (!ret)
		ret = rule_applies(l, rule, where, &applies);
	if (ret)
		return ret;
	if (!applies)
		return 0;

	n = names ? json_object_array_length(names) : 0;
	for (i = 0; i < n + (name ? 1 : 0); i++) {
		const char *sc = i < n ?
			json_object_get_string(json_object_array_get_idx(names, i)) :
			json_object_get_string(name);
		int nr = seccomp_syscall_resolve_name(sc);

		/* Every name counts, as every entry of runc's list does. */
		l->entries++;
		ret = note_name(l, sc, nr);
		if (ret)
			return ret;
		/* A rule repeating the default action changes nothing (runc skips it). */
		if (nr == __NR_SCMP_ERROR || act == l->default_action)
			continue;
		if (or_args) {
			for (j = 0; !ret && j < ncmp; j++)
				ret = add_once(l, nr, act, true, 1, &cmp[j]);
		} else {
			ret = add_once(l, nr, act, false, ncmp, cmp);
		}
		if (ret == -ENOMEM)
			return ret;
		if (ret) {
			fail(l->opts, "%s: libseccomp rejected the rule for \"%s\": %s",
			     where, sc, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * Read back what seccomp_export_bpf() writes, after the -ENOSYS prefix
 * (@pre, @npre instructions, possibly none).
 */
static int export_bpf(struct loader *l, const struct sock_filter *pre, unsigned int npre)
{
	struct sock_filter *insns = NULL;
	struct stat st;
	size_t off = 0, total;
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
	total = npre + (size_t)st.st_size / sizeof(*insns);
	if (total > BPF_MAXINSNS) {
		fail(l->opts, "filter has %zu instructions, more than %d",
		     total, BPF_MAXINSNS);
		ret = -E2BIG;
		goto out;
	}
	insns = malloc(total * sizeof(*insns));
	if (!insns) {
		ret = -ENOMEM;
		goto out;
	}
	if (npre)
		memcpy(insns, pre, npre * sizeof(*pre));
	while (off < (size_t)st.st_size) {
		ssize_t n = pread(fd, (char *)(insns + npre) + off,
				  (size_t)st.st_size - off, (off_t)off);

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
	l->p->prog.len = (unsigned short)total;
	ret = 0;
out:
	close(fd);
	return ret;
}

/* "flags": names runc knows, kept for sfd_profile_create(). */
static int parse_flags(struct loader *l, json_object *root)
{
	json_object *list;
	size_t i, j, n;
	int ret;

	ret = get_member(l, root, "profile", "flags", json_type_array, &list);
	if (!ret && list)
		ret = check_strings(l, list, "profile", "flags");
	if (ret || !list)
		return ret;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		const char *f = json_object_get_string(json_object_array_get_idx(list, i));

		for (j = 0; j < sizeof(filter_flags) / sizeof(filter_flags[0]); j++)
			if (!strcmp(filter_flags[j].name, f))
				break;
		if (j == sizeof(filter_flags) / sizeof(filter_flags[0])) {
			fail(l->opts, "profile.flags[%zu]: unknown flag \"%s\"", i, f);
			return -EINVAL;
		}
		l->p->flags |= filter_flags[j].flag;
	}
	return 0;
}

/* "listenerPath" and "listenerMetadata": kept as given, for the manager. */
static int parse_listener(struct loader *l, json_object *root)
{
	json_object *path, *meta;
	int ret;

	ret = get_member(l, root, "profile", "listenerPath", json_type_string, &path);
	if (!ret)
		ret = get_member(l, root, "profile", "listenerMetadata", json_type_string, &meta);
	if (ret)
		return ret;
	if (path && *json_object_get_string(path)) {
		l->p->listener_path = strdup(json_object_get_string(path));
		if (!l->p->listener_path)
			return -ENOMEM;
	}
	if (meta && *json_object_get_string(meta)) {
		l->p->listener_metadata = strdup(json_object_get_string(meta));
		if (!l->p->listener_metadata)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The digest: SHA-256 over a version string, the filter flags and the
 * program, all in little-endian.  Equal digests mean sfd_profile_create()
 * makes the same kernel object, whatever profile text produced it.
 */
static int compute_digest(struct sfd_profile *p)
{
	static const char tag[] = "libsfd profile digest 1";
	size_t len = sizeof(tag) + 8 + (size_t)p->prog.len * 8, off = sizeof(tag);
	unsigned char *buf = malloc(len);
	unsigned int i;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, tag, sizeof(tag));
#define PUT(v, n) do {							\
		unsigned int _b;					\
		for (_b = 0; _b < (n); _b++)				\
			buf[off++] = (unsigned char)((v) >> (8 * _b));	\
	} while (0)
	PUT(p->flags, 4);
	PUT(p->prog.len, 4);
	for (i = 0; i < p->prog.len; i++) {
		const struct sock_filter *f = &p->prog.filter[i];

		PUT(f->code, 2);
		PUT(f->jt, 1);
		PUT(f->jf, 1);
		PUT(f->k, 4);
	}
#undef PUT
	sfd__sha256(buf, len, p->digest);
	free(buf);
	return 0;
}

/* runc's patchbpf: no prefix for a permissive default or an ENOSYS one. */
static bool wants_enosys_prefix(const struct loader *l)
{
	__u32 act = l->default_action & SECCOMP_RET_ACTION_FULL;

	return !l->default_enosys && act != SECCOMP_RET_ALLOW &&
	       act != SECCOMP_RET_LOG && act != SECCOMP_RET_TRACE;
}

static int build(struct loader *l, json_object *root)
{
	json_object *defact, *rules;
	struct sock_filter *pre = NULL;
	unsigned int npre = 0;
	bool has_err;
	__u64 err = 0;
	__u32 native;
	size_t i, n;
	int ret;

	if (!json_object_is_type(root, json_type_object)) {
		fail(l->opts, "profile: expected a JSON object");
		return -EINVAL;
	}
	ret = check_keys(l, root, "profile", root_keys);
	if (!ret)
		ret = get_member(l, root, "profile", "defaultAction", json_type_string, &defact);
	if (!ret)
		ret = get_errno(l, root, "profile", "defaultErrnoRet", &has_err, &err);
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
	if (l->default_action == SCMP_ACT_NOTIFY) {
		fail(l->opts, "profile.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
		return -EINVAL;
	}
	l->default_enosys = has_err && err == ENOSYS;
	ret = parse_flags(l, root);
	if (!ret)
		ret = parse_listener(l, root);
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
		/* Native first: libseccomp refuses to mix byte orders. */
		ret = seccomp_arch_remove(l->ctx, native);
		if (!ret)
			ret = seccomp_arch_add(l->ctx, l->arch);
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
	/*
	 * runc's binary tree past 32 entries.  Not with no rule at all:
	 * libseccomp up to 2.5.4 generates a wrong tree for an empty filter.
	 */
	if (l->entries > SFD_PROFILE_TREE_MIN && l->rules_added)
		/* As runc: a libseccomp without it builds the linear list. */
		(void)seccomp_attr_set(l->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (wants_enosys_prefix(l)) {
		ret = sfd__enosys_prefix(l->arches, l->narches, &pre, &npre);
		if (ret)
			return ret;
		/*
		 * libseccomp writes the program in the byte order of its
		 * architectures (s390x: big-endian, even on x86_64).
		 */
		if (!(l->arch & __AUDIT_ARCH_LE) != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__))
			for (i = 0; i < npre; i++) {
				pre[i].code = __builtin_bswap16(pre[i].code);
				pre[i].k = __builtin_bswap32(pre[i].k);
			}
	}
	ret = export_bpf(l, pre, npre);
	free(pre);
	return ret ? ret : compute_digest(l->p);
}

static int load_buf(const char *buf, size_t len,
		    const struct sfd_profile_opts *opts, struct sfd_profile **out)
{
	struct loader l = {
		.opts = opts,
		.rules = { .key_size = sizeof(struct rule_key) },
	};
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
	hset_free(&l.rules);
	hset_free(&l.names);
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

static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	default: return "not a file";
	}
}

int sfd_profile_load_oci(const char *path, const struct sfd_profile_opts *opts,
			 struct sfd_profile **out)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;
	int saved = errno, fd, ret;

	if (opts && !sfd__opts_valid(opts, opts->sz, sizeof(*opts)))
		return -EINVAL;
	if (out)
		*out = NULL;
	if (!path || !out) {
		fail(opts, "no path or no result pointer");
		return -EINVAL;
	}
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		fail(opts, "%s: %s", path, strerror(-ret));
		goto out;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		fail(opts, "%s: %s", path, strerror(-ret));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		fail(opts, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
		goto out_close;
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
	return sfd_create(&p->prog, p->flags | flags);
}

int sfd_profile_flags(const struct sfd_profile *p)
{
	return p ? (int)p->flags : -EINVAL;
}

const char *sfd_profile_listener_path(const struct sfd_profile *p)
{
	return p ? p->listener_path : NULL;
}

const char *sfd_profile_listener_metadata(const struct sfd_profile *p)
{
	return p ? p->listener_metadata : NULL;
}

int sfd_profile_digest(const struct sfd_profile *p, __u8 digest[SFD_PROFILE_DIGEST_SIZE])
{
	if (!p || !digest)
		return -EINVAL;
	memcpy(digest, p->digest, SFD_PROFILE_DIGEST_SIZE);
	return 0;
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
	free(p->listener_path);
	free(p->listener_metadata);
	free(p);
}
