// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * The -ENOSYS prefix of a profile's program, with runc's rule
 * (libcontainer/seccomp/patchbpf): for each architecture the profile
 * names, a syscall number above the largest one its rules name for that
 * architecture answers -ENOSYS instead of reaching the filter, so a
 * program probing a syscall newer than the profile falls back as on an
 * older kernel.  x86_64 and x32 share AUDIT_ARCH_X86_64 and are told apart
 * by the x32 bit; on s390 and s390x, syscall 0 (setup, the multiplexer
 * for numbers the kernel does not know) answers -ENOSYS too.
 *
 * Layout (every jump is forward; an architecture without a section goes
 * straight to the filter):
 *
 *	ld  [arch]
 *	jeq ARCH_i, section_i		one per architecture with a section
 *	ja  filter
 * section_i:
 *	ld  [nr]
 *	(checks)			jump to enosys_i or to ja_i
 * ja_i:
 *	ja  filter
 * enosys_i:
 *	ret ERRNO(ENOSYS)
 * filter:
 *	the program libseccomp generated
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "profile.h"

#define X32_SYSCALL_BIT 0x40000000u

/* Longest section: ld, jset, jgt, jgt, ja, ret. */
#define SECTION_MAX 6

struct section {
	__u32 audit_arch;
	__u32 token;		/* SCMP_ARCH_* of a single-ABI section */
	int max_nr;		/* largest number of the token (not x32) */
	int x32_max;		/* largest x32 number, with the x32 bit */
	struct sock_filter insn[SECTION_MAX];
	unsigned int len;
};

static struct sock_filter stmt(__u16 code, __u32 k)
{
	return (struct sock_filter)BPF_STMT(code, k);
}

static struct sock_filter jump(__u16 code, __u32 k, __u8 jt, __u8 jf)
{
	return (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

static __u32 audit_arch_of(__u32 token)
{
	/* libseccomp's tokens are AUDIT_ARCH_* values, except x32's. */
	return token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
}

/*
 * Fill s->insn up to and including "ja filter" (its k is patched later)
 * and "ret ERRNO(ENOSYS)".
 */
static void emit_section(struct section *s, __u32 token, int max_nr)
{
	struct sock_filter *i = s->insn;
	unsigned int n = 0;

	i[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	if (s->max_nr > 0 && s->x32_max > 0) {
		/* Both ABIs: x32 numbers carry the x32 bit. */
		i[n++] = jump(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 1, 0);
		i[n++] = jump(BPF_JMP | BPF_JGT | BPF_K, (__u32)s->max_nr, 2, 1);
		i[n++] = jump(BPF_JMP | BPF_JGT | BPF_K, (__u32)s->x32_max, 1, 0);
	} else {
		if (token == SCMP_ARCH_S390 || token == SCMP_ARCH_S390X)
			i[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0);
		/* One ABI of x86_64: the other one's numbers go to the filter. */
		if (token == SCMP_ARCH_X86_64)
			i[n++] = jump(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 1, 0);
		else if (token == SCMP_ARCH_X32)
			i[n++] = jump(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 0, 1);
		i[n++] = jump(BPF_JMP | BPF_JGT | BPF_K, (__u32)max_nr, 1, 0);
	}
	i[n++] = stmt(BPF_JMP | BPF_JA, 0);
	i[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	s->len = n;
}

int sfd__enosys_prefix(const struct sfd_enosys_arch *arches, unsigned int n,
		       struct sock_filter **out, unsigned int *len)
{
	struct section sec[SFD_PROFILE_MAX_ARCHES];
	struct sock_filter *prog;
	unsigned int nsec = 0, i, j, total, pos, body;

	*out = NULL;
	*len = 0;
	if (n > SFD_PROFILE_MAX_ARCHES)
		return -E2BIG;
	/* Group by AUDIT_ARCH_* in the order the profile names them. */
	for (i = 0; i < n; i++) {
		__u32 aa = audit_arch_of(arches[i].token);

		if (arches[i].max_nr <= 0)
			continue;
		for (j = 0; j < nsec && sec[j].audit_arch != aa; j++)
			;
		if (j == nsec) {
			memset(&sec[j], 0, sizeof(sec[j]));
			sec[j].audit_arch = aa;
			nsec++;
		}
		if (arches[i].token == SCMP_ARCH_X32)
			sec[j].x32_max = arches[i].max_nr;
		else
			sec[j].max_nr = arches[i].max_nr;
		if (arches[i].token != SCMP_ARCH_X32 || !sec[j].token)
			sec[j].token = arches[i].token;
	}
	if (!nsec)
		return 0;
	for (j = 0; j < nsec; j++)
		emit_section(&sec[j], sec[j].token,
			     sec[j].token == SCMP_ARCH_X32 ? sec[j].x32_max :
							     sec[j].max_nr);

	/* ld arch, one jeq per section, ja filter, then the sections. */
	body = 0;
	for (j = 0; j < nsec; j++)
		body += sec[j].len;
	total = 1 + nsec + 1 + body;
	prog = calloc(total, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	pos = 0;
	prog[pos++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	body = 0;
	for (j = 0; j < nsec; j++) {
		/* From the instruction after this jeq to section j. */
		unsigned int skip = (nsec - 1 - j) + 1 + body;

		prog[pos++] = jump(BPF_JMP | BPF_JEQ | BPF_K, sec[j].audit_arch,
				   (__u8)skip, 0);
		body += sec[j].len;
	}
	prog[pos] = stmt(BPF_JMP | BPF_JA, total - pos - 1);
	pos++;
	for (j = 0; j < nsec; j++) {
		for (i = 0; i < sec[j].len; i++, pos++) {
			prog[pos] = sec[j].insn[i];
			if (prog[pos].code == (BPF_JMP | BPF_JA))
				prog[pos].k = total - pos - 1;
		}
	}
	*out = prog;
	*len = total;
	return 0;
}
