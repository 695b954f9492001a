// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * libsfd: a seccomp agent's receive side.  OCI runtimes (runc, crun) that
 * run a container whose profile notifies connect to the profile's
 * listenerPath (AF_UNIX, SOCK_STREAM), send one containerProcessState JSON
 * document with the listener fd(s) over SCM_RIGHTS (fds only with the first
 * sendmsg), and close the connection (runtime-spec config-linux.md,
 * "seccomp", "The Container Process State").  The same receive also takes
 * libsfd frames (sfd_send_fd_msg()), so one loop serves both.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "plumbing.h"

/* A state is a few hundred bytes; annotations can grow it, not past this. */
#define SFD_AGENT_MAX_JSON (1u << 20)
#define SFD_AGENT_CHUNK 4096

struct agent_msg {
	struct sfd_agent_msg pub;	/* first: the caller's pointer */
	json_object *root;		/* owns the strings of @pub */
	char *text;
	int *fds;
	const char **names;
};

void sfd_agent_msg_free(struct sfd_agent_msg *msg)
{
	struct agent_msg *m = (struct agent_msg *)msg;
	int i;

	if (!m)
		return;
	if (m->pub.listener >= 0)
		close(m->pub.listener);
	for (i = 0; i < m->pub.nfds; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	json_object_put(m->root);
	free(m->text);
	free(m->fds);
	free(m->names);
	free(m);
}

static const char *get_string(json_object *obj, const char *key, bool required,
			      int *err)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v)) {
		if (required)
			*err = -EBADMSG;
		return "";
	}
	if (!json_object_is_type(v, json_type_string)) {
		*err = -EBADMSG;
		return "";
	}
	return json_object_get_string(v);
}

static pid_t get_pid(json_object *obj, const char *key, bool required, int *err)
{
	json_object *v;
	int64_t pid;

	if (!json_object_object_get_ex(obj, key, &v)) {
		if (required)
			*err = -EBADMSG;
		return 0;
	}
	if (!json_object_is_type(v, json_type_int)) {
		*err = -EBADMSG;
		return 0;
	}
	pid = json_object_get_int64(v);
	if (pid < 0 || pid > INT32_MAX) {
		*err = -EBADMSG;
		return 0;
	}
	return (pid_t)pid;
}

/* Fill @m from its JSON text; the fds are in m->fds already. */
static int parse_state(struct agent_msg *m, size_t len)
{
	struct sfd_agent_msg *p = &m->pub;
	json_object *state, *fds = NULL;
	enum json_tokener_error jerr;
	json_tokener *tok;
	int err = 0, i, n = 0, listener = -1;

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	m->root = json_tokener_parse_ex(tok, m->text, (int)len);
	jerr = json_tokener_get_error(tok);
	/* The whole text is one document: nothing may follow it. */
	if (m->root && (size_t)json_tokener_get_parse_end(tok) != len) {
		const char *t = m->text + json_tokener_get_parse_end(tok);

		while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')
			t++;
		if (*t)
			jerr = json_tokener_error_parse_unexpected;
	}
	json_tokener_free(tok);
	if (!m->root || jerr != json_tokener_success)
		return -EBADMSG;
	if (!json_object_is_type(m->root, json_type_object))
		return -EBADMSG;

	p->oci_version = get_string(m->root, "ociVersion", true, &err);
	p->pid = get_pid(m->root, "pid", true, &err);
	p->metadata = get_string(m->root, "metadata", false, &err);
	if (!json_object_object_get_ex(m->root, "state", &state) ||
	    !json_object_is_type(state, json_type_object))
		return -EBADMSG;
	p->id = get_string(state, "id", true, &err);
	p->status = get_string(state, "status", true, &err);
	p->bundle = get_string(state, "bundle", false, &err);
	p->state_pid = get_pid(state, "pid", false, &err);
	if (err)
		return err;

	if (json_object_object_get_ex(m->root, "fds", &fds)) {
		if (!json_object_is_type(fds, json_type_array))
			return -EBADMSG;
		n = (int)json_object_array_length(fds);
	}
	/* Every fd has its name, every name its fd. */
	if (n != p->nfds)
		return -EBADMSG;
	m->names = calloc((size_t)n + 1, sizeof(*m->names));
	if (!m->names)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(fds, (size_t)i);

		if (!json_object_is_type(v, json_type_string))
			return -EBADMSG;
		m->names[i] = json_object_get_string(v);
		if (!strcmp(m->names[i], "seccompFd")) {
			if (listener >= 0)
				return -EBADMSG;	/* two of them */
			listener = i;
		}
	}
	if (listener < 0)
		return -EBADMSG;
	p->fd_names = m->names;
	p->listener = m->fds[listener];
	m->fds[listener] = -1;
	return 0;
}

int sfd_agent_recv(int conn, struct sfd_agent_msg **out)
{
	union {
		char buf[CMSG_SPACE(SFD_MAX_MSG_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr msg;
	struct agent_msg *m;
	size_t len = 0, cap = SFD_AGENT_CHUNK;
	int saved = errno, ret, nfds;
	ssize_t n;

	if (!out)
		return -EINVAL;
	if (conn < 0)
		return -EBADF;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->pub.listener = -1;
	m->text = malloc(cap + 1);
	m->fds = calloc(SFD_MAX_MSG_FDS, sizeof(int));
	if (!m->text || !m->fds) {
		ret = -ENOMEM;
		goto fail;
	}

	/* The first message: the fds, and the start of the document. */
	memset(&u, 0, sizeof(u));
	iov.iov_base = m->text;
	iov.iov_len = cap;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		ret = -errno;
		goto fail;
	}
	nfds = sfd__cmsg_fds(&msg, m->fds, SFD_MAX_MSG_FDS);
	if (nfds > SFD_MAX_MSG_FDS || (msg.msg_flags & MSG_CTRUNC)) {
		sfd__close_cmsg_fds(&msg);
		nfds = 0;
		ret = -EBADMSG;
		goto fail;
	}
	m->pub.nfds = nfds;
	len = (size_t)n;
	if (len == 0 && nfds == 0) {
		ret = -ECONNRESET;
		goto fail;
	}

	if (len >= sizeof(__u32) && !memcmp(m->text, &(__u32){ SFD_FD_MSG_MAGIC },
					    sizeof(__u32))) {
		m->pub.kind = SFD_AGENT_FRAME;
		m->pub.frame.sz = sizeof(m->pub.frame);
		ret = sfd__check_frame(m->text, len, nfds, msg.msg_flags,
				       &m->pub.frame);
		if (ret)
			goto fail;
		m->pub.listener = m->fds[0];
		m->pub.nfds = 0;
		goto done;
	}

	/* A containerProcessState: the rest of it, up to EOF. */
	m->pub.kind = SFD_AGENT_OCI;
	if (msg.msg_flags & MSG_TRUNC) {
		ret = -EBADMSG;		/* a datagram larger than we read */
		goto fail;
	}
	for (;;) {
		if (len == cap) {
			char *t;

			if (cap >= SFD_AGENT_MAX_JSON) {
				ret = -EMSGSIZE;
				goto fail;
			}
			cap *= 2;
			t = realloc(m->text, cap + 1);
			if (!t) {
				ret = -ENOMEM;
				goto fail;
			}
			m->text = t;
		}
		memset(&u, 0, sizeof(u));
		iov.iov_base = m->text + len;
		iov.iov_len = cap - len;
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		msg.msg_flags = 0;
		do
			n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			ret = -errno;
			goto fail;
		}
		if (msg.msg_controllen) {
			/* fds only come with the first sendmsg. */
			sfd__close_cmsg_fds(&msg);
			ret = -EBADMSG;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	m->text[len] = '\0';
	if (strlen(m->text) != len) {
		ret = -EBADMSG;		/* a NUL inside the document */
		goto fail;
	}
	ret = parse_state(m, len);
	if (ret)
		goto fail;
done:
	if (m->pub.kind == SFD_AGENT_OCI)
		m->text[len] = '\0';
	m->pub.json = m->pub.kind == SFD_AGENT_OCI ? m->text : NULL;
	m->pub.fds = m->fds;
	*out = &m->pub;
	errno = saved;
	return 0;
fail:
	sfd_agent_msg_free(&m->pub);
	errno = saved;
	return ret;
}
