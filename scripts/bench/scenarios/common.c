// SPDX-License-Identifier: GPL-2.0
/* Shared pieces of sfd-scenarios (see common.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <math.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/*
 * libsfd builds a profile of more than 32 syscalls as runc does, with
 * libseccomp's binary tree (SCMP_FLTATR_CTL_OPTIMIZE = 2).  For the
 * hot-path comparison the bench also wants libseccomp's default linear
 * program of the same profile: sfd-scenarios is linked with
 * -Wl,--wrap=seccomp_attr_set, and while build_linear is set the
 * optimisation request is dropped.
 */
int build_linear;
int __real_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value);
int __wrap_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value);
int __wrap_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value)
{
	if (build_linear && attr == SCMP_FLTATR_CTL_OPTIMIZE)
		return 0;
	return __real_seccomp_attr_set(ctx, attr, value);
}

const char *const mem_key[MEM__N] = {
	"Slab", "VmallocUsed", "Percpu", "PageTables", "KernelStack",
};

struct mem read_mem(void)
{
	struct vinfo v;
	struct mem m;
	int err;

	read_meminfo(mem_key, MEM__N, m.kb);
	err = read_vmallocinfo(&v);
	if (err)
		die("/proc/vmallocinfo: %s", strerror(-err));
	if (v.dropped)
		die("/proc/vmallocinfo: more than %d allocating functions", VI_MAX);
	m.jit_pages = vinfo_pages(&v, "bpf_prog_pack_alloc");
	m.prog_pages = vinfo_pages(&v, "bpf_prog_alloc") + vinfo_pages(&v, "bpf_prog_realloc");
	return m;
}

long read_long_file(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -EIO;
	return strtol(buf, NULL, 10);
}

int write_long_file(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), len, ret = 0;

	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", v);
	if (write(fd, buf, (size_t)len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Become an unprivileged user for real: no supplementary groups, uid and
 * gid 65534, every capability set empty (the uid change clears the
 * permitted and effective sets; the bounding set is dropped first, while
 * CAP_SETPCAP is still held).  Checked afterwards with libcap.
 */
int drop_privileges(void)
{
	cap_t caps;
	int c, ret;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (cap_drop_bound((cap_value_t)c) && errno != EINVAL)
			return -errno;
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -errno;
	caps = cap_init();
	if (!caps)
		return -ENOMEM;
	ret = cap_set_proc(caps) ? -errno : 0;
	cap_free(caps);
	if (ret)
		return ret;
	caps = cap_get_proc();
	if (!caps)
		return -errno;
	for (c = 0; c <= CAP_LAST_CAP && !ret; c++) {
		cap_flag_value_t v;

		if (cap_get_flag(caps, (cap_value_t)c, CAP_EFFECTIVE, &v) || v == CAP_SET)
			ret = -EPERM;
	}
	cap_free(caps);
	return ret;
}

void reap_ok(pid_t pid, const char *what)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("%s: waitpid(%d): %s", what, pid, strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("%s: child %d %s %d", what, pid,
		    WIFEXITED(st) ? "exited with" : "killed by signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

void small_filter(struct sock_filter insns[4], struct sock_fprog *prog, int nr, __u32 ret)
{
	struct sock_filter f[4] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	memcpy(insns, f, sizeof(f));
	prog->len = 4;
	prog->filter = insns;
}
