/* SPDX-License-Identifier: LGPL-2.1-only OR MIT */
/*
 * A classic BPF interpreter for seccomp programs, for the profile tests:
 * decisions are checked on made-up seccomp_data without a kernel, and the
 * instructions run per syscall can be counted.
 */
#ifndef LIBSFD_TESTS_BPF_RUN_H
#define LIBSFD_TESTS_BPF_RUN_H

#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sfd.h"

/*
 * Run @prog on @d; *steps (if not NULL) counts the instructions run.
 * 0xdeadbeef for a program the kernel would reject at that point.
 */
static inline __u32 bpf_run_counted(const struct sock_fprog *prog,
				    const struct seccomp_data *d, unsigned int *steps)
{
	__u32 A = 0, X = 0, M[BPF_MEMWORDS] = { 0 };
	unsigned int pc;

	for (pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *f = &prog->filter[pc];

		if (steps)
			(*steps)++;
		__u32 src = BPF_SRC(f->code) == BPF_X ? X : f->k;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
				if (f->k > sizeof(*d) - 4 || f->k % 4)
					return 0xdeadbeef;
				memcpy(&A, (const char *)d + f->k, 4);
			} else if (BPF_MODE(f->code) == BPF_IMM) {
				A = f->k;
			} else if (BPF_MODE(f->code) == BPF_MEM) {
				A = M[f->k % BPF_MEMWORDS];
			} else if (BPF_MODE(f->code) == BPF_LEN) {
				A = sizeof(*d);
			} else {
				return 0xdeadbeef;
			}
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_IMM)
				X = f->k;
			else if (BPF_MODE(f->code) == BPF_MEM)
				X = M[f->k % BPF_MEMWORDS];
			else
				X = sizeof(*d);
			break;
		case BPF_ST:
			M[f->k % BPF_MEMWORDS] = A;
			break;
		case BPF_STX:
			M[f->k % BPF_MEMWORDS] = X;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: A += src; break;
			case BPF_SUB: A -= src; break;
			case BPF_MUL: A *= src; break;
			case BPF_DIV: A = src ? A / src : 0; break;
			case BPF_MOD: A = src ? A % src : 0; break;
			case BPF_OR: A |= src; break;
			case BPF_AND: A &= src; break;
			case BPF_XOR: A ^= src; break;
			case BPF_LSH: A <<= src; break;
			case BPF_RSH: A >>= src; break;
			case BPF_NEG: A = -A; break;
			default: return 0xdeadbeef;
			}
			break;
		case BPF_JMP:
			switch (BPF_OP(f->code)) {
			case BPF_JA: pc += f->k; break;
			case BPF_JEQ: pc += A == src ? f->jt : f->jf; break;
			case BPF_JGT: pc += A > src ? f->jt : f->jf; break;
			case BPF_JGE: pc += A >= src ? f->jt : f->jf; break;
			case BPF_JSET: pc += (A & src) ? f->jt : f->jf; break;
			default: return 0xdeadbeef;
			}
			break;
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? A : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				X = A;
			else
				A = X;
			break;
		}
	}
	return 0xdeadbeef;	/* fell off the end */
}

static inline __u32 bpf_run(const struct sock_fprog *prog, const struct seccomp_data *d)
{
	return bpf_run_counted(prog, d, NULL);
}

/* The decision of profile @p for syscall @nr of @arch with args @a0, @a1. */
static inline __u32 bpf_eval(const struct sfd_profile *p, __u32 arch, int nr,
			     __u64 a0, __u64 a1)
{
	struct seccomp_data d = { .nr = nr, .arch = arch, .args = { a0, a1 } };

	return bpf_run(sfd_profile_prog(p), &d);
}

#endif
