// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * libsfd: serving user notifications one at a time from an event loop
 * (epoll, io_uring), with buffers of the sizes the kernel reports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/seccomp_detached.h>

#include "internal.h"

/* Largest errno a syscall can answer (include/linux/err.h MAX_ERRNO). */
#define SFD_MAX_ERRNO 4095

struct sfd_notif_ctx {
	size_t req_size;		/* bytes of @req the kernel writes */
	size_t resp_size;		/* bytes of @resp the kernel reads */
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
};

int sfd_notif_ctx_new(const struct sfd_notif_ctx_opts *opts, struct sfd_notif_ctx **out)
{
	struct seccomp_notif_sizes sizes = { 0 };
	struct sfd_notif_ctx *ctx;
	int saved = errno;

	if (!out || (opts && !sfd__opts_valid(opts, opts->sz, sizeof(*opts))))
		return -EINVAL;
	sizes.seccomp_notif = SFD_OPTS_GET(opts, notif_size, 0);
	sizes.seccomp_notif_resp = SFD_OPTS_GET(opts, resp_size, 0);
	if (!sizes.seccomp_notif != !sizes.seccomp_notif_resp)
		return -EINVAL;	/* both or neither */
	if (!sizes.seccomp_notif &&
	    syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes)) {
		int ret = -errno;

		errno = saved;
		return ret;
	}
	/* The kernel may know a smaller struct (older) or a larger one. */
	if (sizes.seccomp_notif < offsetof(struct seccomp_notif, data) ||
	    sizes.seccomp_notif_resp < offsetof(struct seccomp_notif_resp, flags))
		return -EINVAL;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->req_size = sizes.seccomp_notif;
	ctx->resp_size = sizes.seccomp_notif_resp;
	/* Never smaller than this header's structs, which the handler reads. */
	ctx->req = calloc(1, ctx->req_size > sizeof(*ctx->req) ?
			  ctx->req_size : sizeof(*ctx->req));
	ctx->resp = calloc(1, ctx->resp_size > sizeof(*ctx->resp) ?
			   ctx->resp_size : sizeof(*ctx->resp));
	if (!ctx->req || !ctx->resp) {
		sfd_notif_ctx_free(ctx);
		return -ENOMEM;
	}
	*out = ctx;
	return 0;
}

void sfd_notif_ctx_free(struct sfd_notif_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->req);
	free(ctx->resp);
	free(ctx);
}

static int notif_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR && req != SECCOMP_IOCTL_NOTIF_SEND);
	return ret < 0 ? -errno : ret;
}

int sfd_notif_dispatch(struct sfd_notif_ctx *ctx, int fd,
		       sfd_notif_handler_t handler, void *arg)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int saved = errno, ret, verdict;

	if (!ctx || !handler)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;

	/*
	 * NOTIF_RECV blocks whatever O_NONBLOCK says: look first, so that a
	 * caller woken spuriously does not block here.  (Two threads racing
	 * for one notification can still both see POLLIN; sfd_notif_dispatch(3)
	 * says so.)
	 */
	do
		ret = poll(&pfd, 1, 0);
	while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		ret = -errno;
		goto out;
	}
	if (pfd.revents & POLLNVAL) {
		ret = -EBADF;
		goto out;
	}
	if (!(pfd.revents & POLLIN)) {
		ret = (pfd.revents & POLLHUP) ? -ENOTCONN : 0;
		goto out;
	}

	/* The kernel insists on a zeroed buffer (check_zeroed_user()). */
	memset(ctx->req, 0, ctx->req_size);
	ret = notif_ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, ctx->req);
	if (ret == -ENOENT || ret == -EAGAIN) {
		/* The task died or its syscall was interrupted meanwhile. */
		ret = 0;
		goto out;
	}
	if (ret < 0)
		goto out;

	memset(ctx->resp, 0, ctx->resp_size);
	ctx->resp->id = ctx->req->id;
	verdict = handler(ctx->req, ctx->resp, arg);
	if (verdict == SFD_NOTIF_PENDING) {
		ret = 1;
		goto out;
	}
	if (verdict != 0) {
		/* An errno, or a handler bug (then the syscall fails ENOSYS). */
		memset(ctx->resp, 0, ctx->resp_size);
		ctx->resp->error = verdict < 0 && verdict >= -SFD_MAX_ERRNO ?
				   verdict : -ENOSYS;
	}
	ctx->resp->id = ctx->req->id;	/* the handler answers this one */
	ret = notif_ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, ctx->resp);
	if (ret == -ENOENT)
		ret = 0;	/* the task went away before the answer */
	else if (ret == 0)
		ret = verdict > 0 || verdict < -SFD_MAX_ERRNO ? -EINVAL : 1;
out:
	errno = saved;
	return ret;
}
