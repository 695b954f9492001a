// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * sfd_agent_recv(): what an OCI runtime sends to a profile's listenerPath
 * (a containerProcessState document with its fds over SCM_RIGHTS, fds
 * with the first sendmsg only, then the connection closed), libsfd frames
 * on the same loop, and every malformed message refused with its fds
 * closed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sfd.h"
#include "tap.h"

/* The runtime-spec's example, with two fds. */
static const char state_json[] =
	"{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\",\"pidFd\"],\"pid\":4422,"
	"\"metadata\":\"MKNOD=/dev/null\",\"state\":{\"ociVersion\":\"1.0.2\","
	"\"id\":\"oci-container1\",\"status\":\"creating\",\"pid\":4422,"
	"\"bundle\":\"/containers/redis\",\"annotations\":{\"myKey\":\"myValue\"}}}";

/* Send @data with @nfds fds (the first one twice if @nfds > 1). */
static int send_part(int sock, const int *fds, int nfds, const char *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	memset(&u, 0, sizeof(u));
	if (nfds) {
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(cmsg), fds, (size_t)nfds * sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* As runc does: one sendmsg with the document and the fds, then close. */
static int runc_style_state(void)
{
	struct sfd_agent_msg *m = NULL;
	int sv[2], p[2], fds[2], listener;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	fds[0] = p[0];
	fds[1] = p[1];
	CHECK_EQ(send_part(sv[0], fds, 2, state_json, strlen(state_json)), 0);
	close(sv[0]);
	CHECK_EQ(sfd_agent_recv(sv[1], &m), 0);
	CHECK_EQ(m->kind, SFD_AGENT_OCI);
	CHECK(!strcmp(m->oci_version, "1.0.2"));
	CHECK_EQ(m->pid, 4422);
	CHECK_EQ(m->state_pid, 4422);
	CHECK(!strcmp(m->metadata, "MKNOD=/dev/null"));
	CHECK(!strcmp(m->id, "oci-container1"));
	CHECK(!strcmp(m->status, "creating"));
	CHECK(!strcmp(m->bundle, "/containers/redis"));
	CHECK(!strcmp(m->json, state_json));
	CHECK_EQ(m->nfds, 2);
	CHECK(!strcmp(m->fd_names[0], "seccompFd") && !strcmp(m->fd_names[1], "pidFd"));
	CHECK(m->fd_names[2] == NULL);
	CHECK(same_file(m->listener, p[0]));
	CHECK(fcntl(m->listener, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(m->fds[0], -1);		/* moved to ->listener */
	CHECK(same_file(m->fds[1], p[1]));
	/* The caller takes the listener; free closes the rest. */
	listener = m->listener;
	m->listener = -1;
	sfd_agent_msg_free(m);
	CHECK(fcntl(listener, F_GETFD) >= 0);
	close(listener);
	close(p[0]);
	close(p[1]);
	close(sv[1]);
	return PASS;
}

/* Several sendmsg calls, fds with the first (allowed by the spec). */
static int state_in_several_parts(void)
{
	static const char doc[] =
		"{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":7,"
		"\"state\":{\"ociVersion\":\"1.2.0\",\"id\":\"c\",\"status\":\"running\","
		"\"bundle\":\"/b\"}}\n";
	struct sfd_agent_msg *m = NULL;
	int sv[2], p[2];

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(send_part(sv[0], p, 1, doc, 10), 0);
	CHECK_EQ(send_part(sv[0], NULL, 0, doc + 10, 20), 0);
	CHECK_EQ(send_part(sv[0], NULL, 0, doc + 30, strlen(doc) - 30), 0);
	close(sv[0]);
	CHECK_EQ(sfd_agent_recv(sv[1], &m), 0);
	CHECK_EQ(m->kind, SFD_AGENT_OCI);
	CHECK_EQ(m->pid, 7);
	CHECK_EQ(m->state_pid, 0);
	CHECK(!strcmp(m->metadata, ""));
	CHECK(same_file(m->listener, p[0]));
	sfd_agent_msg_free(m);
	close(p[0]);
	close(p[1]);
	close(sv[1]);
	return PASS;
}

static int frames_on_the_same_loop(void)
{
	SFD_OPTS(sfd_fd_msg, f, .flags = SFD_FD_DETACHED | SFD_FD_LISTENER);
	struct sfd_agent_msg *m = NULL;
	int sv[2], p[2];

	strcpy(f.name, "profile-a");
	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sfd_send_fd_msg(sv[0], p[0], &f), 0);
	CHECK_EQ(sfd_agent_recv(sv[1], &m), 0);
	CHECK_EQ(m->kind, SFD_AGENT_FRAME);
	CHECK(!strcmp(m->frame.name, "profile-a"));
	CHECK_EQ(m->frame.flags, SFD_FD_DETACHED | SFD_FD_LISTENER);
	CHECK(same_file(m->listener, p[0]));
	CHECK_EQ(m->nfds, 0);
	CHECK(m->json == NULL);
	sfd_agent_msg_free(m);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	return PASS;
}

/* Send @doc with @nfds fds (+ @late fds in a second message); expect @err. */
static int expect_refused(const char *doc, int nfds, int late, int err)
{
	struct sfd_agent_msg *m = NULL;
	int sv[2], p[2], fds[4], before, ret, i;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	for (i = 0; i < 4; i++)
		fds[i] = p[i % 2];
	before = tap_count_fds();
	CHECK_EQ(send_part(sv[0], fds, nfds, doc, strlen(doc)), 0);
	if (late)
		CHECK_EQ(send_part(sv[0], fds, late, " ", 1), 0);
	close(sv[0]);
	ret = sfd_agent_recv(sv[1], &m);
	if (!ret)
		sfd_agent_msg_free(m);
	if (ret != err)
		printf("# %.60s...: %d\n", doc, ret);
	CHECK_EQ(ret, err);
	CHECK_EQ(tap_count_fds(), before - 1);	/* only sv[0] went */
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	return PASS;
}

static int malformed_json_is_ebadmsg(void)
{
	static const char *const docs[] = {
		"{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":1,",	/* cut */
		"{\"ociVersion\":\"1.0.2\"} {}",			/* two documents */
		"[\"seccompFd\"]",					/* not an object */
		"not json at all",
	};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (expect_refused(docs[i], 1, 0, -EBADMSG) != PASS)
			return FAIL;
	return PASS;
}

static int wrong_or_missing_fields_are_ebadmsg(void)
{
	static const char *const docs[] = {
		/* pid is a string */
		"{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":\"1\",\"state\":{\"id\":\"c\",\"status\":\"s\"}}",
		/* no state */
		"{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1}",
		/* state without id */
		"{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1,\"state\":{\"status\":\"s\"}}",
		/* no ociVersion */
		"{\"fds\":[\"seccompFd\"],\"pid\":1,\"state\":{\"id\":\"c\",\"status\":\"s\"}}",
		/* fds not an array */
		"{\"ociVersion\":\"1\",\"fds\":\"seccompFd\",\"pid\":1,\"state\":{\"id\":\"c\",\"status\":\"s\"}}",
		/* no seccompFd among the names */
		"{\"ociVersion\":\"1\",\"fds\":[\"other\"],\"pid\":1,\"state\":{\"id\":\"c\",\"status\":\"s\"}}",
		/* negative pid */
		"{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":-4,\"state\":{\"id\":\"c\",\"status\":\"s\"}}",
	};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (expect_refused(docs[i], 1, 0, -EBADMSG) != PASS)
			return FAIL;
	return PASS;
}

static int fd_count_mismatch_is_ebadmsg(void)
{
	static const char two_names[] =
		"{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\",\"x\"],\"pid\":1,"
		"\"state\":{\"id\":\"c\",\"status\":\"s\"}}";
	static const char one_name[] =
		"{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1,"
		"\"state\":{\"id\":\"c\",\"status\":\"s\"}}";

	if (expect_refused(two_names, 1, 0, -EBADMSG) != PASS)	/* names > fds */
		return FAIL;
	if (expect_refused(one_name, 3, 0, -EBADMSG) != PASS)	/* fds > names */
		return FAIL;
	if (expect_refused(one_name, 0, 0, -EBADMSG) != PASS)	/* no fd at all */
		return FAIL;
	/* fds after the first sendmsg */
	return expect_refused(one_name, 1, 1, -EBADMSG);
}

static int closed_peer_and_bad_arguments(void)
{
	struct sfd_agent_msg *m = NULL;
	int sv[2];

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[0]);
	CHECK_EQ(sfd_agent_recv(sv[1], &m), -ECONNRESET);
	CHECK(m == NULL);
	close(sv[1]);
	CHECK_EQ(sfd_agent_recv(-1, &m), -EBADF);
	CHECK_EQ(sfd_agent_recv(0, NULL), -EINVAL);
	sfd_agent_msg_free(NULL);
	return PASS;
}

static const struct tap_test tests[] = {
	{ "runc_style_state", runc_style_state },
	{ "state_in_several_parts", state_in_several_parts },
	{ "frames_on_the_same_loop", frames_on_the_same_loop },
	{ "malformed_json_is_ebadmsg", malformed_json_is_ebadmsg },
	{ "wrong_or_missing_fields_are_ebadmsg", wrong_or_missing_fields_are_ebadmsg },
	{ "fd_count_mismatch_is_ebadmsg", fd_count_mismatch_is_ebadmsg },
	{ "closed_peer_and_bad_arguments", closed_peer_and_bad_arguments },
};

TAP_MAIN(tests)
