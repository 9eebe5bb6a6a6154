// SPDX-License-Identifier: GPL-2.0
/*
 * kipc request-reply over direct links: KIPC_IOC_LINK_CALL,
 * KIPC_IOC_LINK_REPLY and the reply fields of KIPC_IOC_LINK_RECV, through
 * libkipc (kipc_call, kipc_timedcall, kipc_reply, kipc_reply_recv) and raw
 * ioctls: round trips, request ids, concurrent callers, callers that give
 * up (deadline, signal, SIGKILL) and servers that go away, reply sizes,
 * and every errno uapi/linux/kipc.h promises for calls and replies.
 *
 * The test process is the server when it must act between the request and
 * the reply (a peer, kipc_test.h, calls it), and the caller otherwise.
 */
#include "kipc_test.h"

#define PEERS		4
#define SAFETY_MS	10000	/* a wait another process should end */
#define THREADS		8

FIXTURE(call) {
	int sfd;		/* the test process's bound session */
	pid_t me;
	struct kt_peer peer[PEERS];
};

FIXTURE_SETUP(call)
{
	struct kipc_bind b;

	self->me = getpid();
	KT_SESSION_OR_SKIP(self->sfd);
	kt_bind_args(&b, 0);
	ASSERT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_BIND, &b));
}

FIXTURE_TEARDOWN(call)
{
	int i;

	for (i = 0; i < PEERS; i++)
		kt_peer_kill(&self->peer[i]);
	if (self->sfd >= 0)
		close(self->sfd);
}

static long start(FIXTURE_DATA(call) *self, int i,
		  const struct kt_peer_opts *o)
{
	return kt_peer_start(&self->peer[i], o);
}

static uint64_t after_ms(unsigned int ms)
{
	return kt_mono_ns() + ms * NSEC_PER_MSEC;
}

/*
 * Have peer @p call @to with the string @req (type @type), with @room
 * bytes for the reply, KIPC_MSG_* @flags and a deadline @timeout_ms ahead
 * (0: none); @when as in struct kt_peer_cmd.  Collect the result with
 * kt_peer_result().
 */
static int post_call(struct kt_peer *p, pid_t to, const char *req,
		     uint64_t type, uint64_t room, unsigned int flags,
		     unsigned int timeout_ms, unsigned int when)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_CALL,
		.when = when,
		.slot = -1,
		.pid = to,
		.type = type,
		.flags = flags,
		.timeout_ms = timeout_ms,
		.buf_len = room,
	};

	kt_peer_cmd_str(&c, req);
	return kt_peer_post(p, &c);
}

/* Post the argument-less command @op for @p, done once the test sleeps. */
static int post_when_sleeping(struct kt_peer *p, enum kt_peer_op op)
{
	struct kt_peer_cmd c = {
		.op = op,
		.when = KT_PEER_SLEEPING,
		.slot = -1,
	};

	return kt_peer_post(p, &c);
}

/* Post a blocking receive (from any peer) for @p. */
static int post_recv(struct kt_peer *p, unsigned int timeout_ms)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_RECV,
		.slot = -1,
		.timeout_ms = timeout_ms,
		.buf_len = KT_PEER_DATA,
	};

	return kt_peer_post(p, &c);
}

/* Post SERVE of @count requests (see enum kt_peer_op) for @p. */
static int post_serve(struct kt_peer *p, unsigned int count, bool lifo)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_SERVE,
		.count = count,
		.lifo = lifo,
		.timeout_ms = SAFETY_MS,
	};

	return kt_peer_post(p, &c);
}

/* The result of @p's oldest posted command into @r: its ret or KT_PEER_LOST. */
static long result(struct kt_peer *p, struct kt_peer_res *r)
{
	struct kt_peer_res res;

	if (!r)
		r = &res;
	if (kt_peer_result(p, r, KT_PEER_WAIT_MS))
		return KT_PEER_LOST;
	return r->ret;
}

/*
 * Receive the next message from @pid (0: any) on @fd into @r and the
 * string @buf, waiting up to @wait_ms (0: not at all).
 */
static long recv_msg(int fd, pid_t pid, struct kipc_link_recv *r, char *buf,
		     size_t len, unsigned int wait_ms)
{
	long ret;

	kt_link_recv_args(r, pid, buf, len - 1);
	if (wait_ms) {
		r->flags = KIPC_MSG_DEADLINE;
		r->deadline_ns = after_ms(wait_ms);
	} else {
		r->flags = KIPC_MSG_NONBLOCK;
	}
	ret = kt_ioctl(fd, KIPC_IOC_LINK_RECV, r);
	buf[ret > 0 ? ret : 0] = '\0';
	return ret;
}

/* Receive a request from @pid (0: any), waiting; its id, 0 on failure. */
static uint64_t take_request(struct __test_metadata *_metadata, int fd,
			     pid_t pid, const char *want)
{
	struct kipc_link_recv r;
	char buf[KT_PEER_DATA];
	long ret;

	ret = recv_msg(fd, pid, &r, buf, sizeof(buf), SAFETY_MS);
	EXPECT_EQ((long)strlen(want), ret);
	EXPECT_STREQ(want, buf);
	EXPECT_EQ((uint32_t)KIPC_LINK_REQUEST, r.kind);
	EXPECT_NE(0U, r.request_id);
	return ret == (long)strlen(want) && r.kind == KIPC_LINK_REQUEST ?
	       r.request_id : 0;
}

static long reply_raw(int fd, uint64_t id, const void *buf, size_t len,
		      uint64_t type)
{
	struct kipc_link_reply y;

	kt_link_reply_args(&y, id, buf, len);
	y.type = type;
	return kt_ioctl(fd, KIPC_IOC_LINK_REPLY, &y);
}

static long call_raw(int fd, pid_t pid, const void *req, size_t req_len,
		     void *reply, size_t reply_len, unsigned int flags,
		     uint64_t deadline_ns, struct kipc_msg_info *info)
{
	struct kipc_link_call c;
	long ret;

	kt_link_call_args(&c, pid, req, req_len, reply, reply_len);
	c.flags = flags;
	c.deadline_ns = deadline_ns;
	ret = kt_ioctl(fd, KIPC_IOC_LINK_CALL, &c);
	if (info)
		*info = c.info;
	return ret;
}

/* ---- round trips ---- */

TEST_F(call, call_and_reply_round_trip)
{
	struct kipc_link_recv r;
	struct kt_peer_res res;
	char buf[KT_PEER_DATA];
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "ping", 5,
			       KT_PEER_DATA, 0, SAFETY_MS, KT_PEER_NOW));
	memset(&r, 0, sizeof(r));
	r.pid = 0;
	r.buf_ptr = (uintptr_t)buf;
	r.buf_len = sizeof(buf);
	r.flags = KIPC_MSG_DEADLINE;
	r.deadline_ns = after_ms(SAFETY_MS);
	ASSERT_EQ(4, kipc_link_recvx(self->sfd, &r));
	EXPECT_EQ(0, memcmp("ping", buf, 4));
	EXPECT_EQ((uint32_t)KIPC_LINK_REQUEST, r.kind);
	EXPECT_NE(0U, r.request_id);
	EXPECT_EQ(p, r.info.sender_pid);
	EXPECT_EQ(0U, r.info.sender_uid);
	EXPECT_EQ(5U, r.info.type);
	EXPECT_EQ(4U, r.info.len);
	ASSERT_EQ(0, kipc_reply(self->sfd, r.request_id, "pong", 4));
	ASSERT_EQ(4, result(&self->peer[0], &res));
	EXPECT_STREQ("pong", res.data);
	EXPECT_EQ(4U, res.info.len);
	EXPECT_EQ(self->me, res.info.sender_pid);
	EXPECT_EQ(0U, res.info.sender_uid);
}

TEST_F(call, reply_type_and_header_reach_the_caller)
{
	struct kt_peer_res res;
	uint64_t id, before;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	before = kt_real_ns();
	ASSERT_EQ(0, reply_raw(self->sfd, id, "typed", 5, 77));
	ASSERT_EQ(5, result(&self->peer[0], &res));
	EXPECT_STREQ("typed", res.data);
	EXPECT_EQ(77U, res.info.type);
	EXPECT_LE(before, res.info.send_time_ns);
	EXPECT_GE(kt_real_ns(), res.info.send_time_ns);
}

TEST_F(call, kipc_call_gets_the_servers_reply)
{
	struct kipc_msg_info info;
	struct kt_peer_res res;
	char buf[64] = "";

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_serve(&self->peer[0], 1, false));
	ASSERT_EQ(7, kipc_call(self->sfd, self->peer[0].pid, "ping", 4, buf,
			       sizeof(buf), &info));
	EXPECT_EQ(0, memcmp("re:ping", buf, 7));
	EXPECT_EQ(self->peer[0].pid, info.sender_pid);
	EXPECT_EQ(7U, info.len);
	ASSERT_EQ(1, result(&self->peer[0], &res));
}

TEST_F(call, kipc_timedcall_sends_the_request_type)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_RECV,
		.slot = -1,
		.timeout_ms = SAFETY_MS,
		.buf_len = KT_PEER_DATA,
	};
	struct kt_peer_res res;
	char buf[16];

	/* the peer takes the request; its result tells what it saw */
	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_post(&self->peer[0], &c));
	EXPECT_EQ(-ETIMEDOUT, kipc_timedcall(self->sfd, self->peer[0].pid,
					     "typed", 5, 42, buf, sizeof(buf),
					     KIPC_MSG_DEADLINE, after_ms(1000),
					     NULL));
	ASSERT_EQ(5, result(&self->peer[0], &res));
	EXPECT_EQ(42U, res.info.type);
	EXPECT_EQ((uint32_t)KIPC_LINK_REQUEST, res.kind);
	EXPECT_EQ(self->me, res.info.sender_pid);
}

TEST_F(call, kipc_reply_recv_serves_a_stream_of_calls)
{
	static const char *const reqs[] = { "one", "two", "three" };
	struct kipc_msg_info info;
	struct kt_peer_res res;
	char buf[64], reply[64];
	unsigned int kind;
	uint64_t id = 0, last = 0;
	size_t rlen = 0;
	int i;

	ASSERT_EQ(0, start(self, 0, NULL));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, post_call(&self->peer[0], self->me, reqs[i], 0,
				       KT_PEER_DATA, 0, SAFETY_MS,
				       KT_PEER_NOW));
	/* reply to the previous request and take the next in one call */
	for (i = 0; i < 3; i++) {
		kind = ~0U;
		ASSERT_EQ((ssize_t)strlen(reqs[i]),
			  kipc_reply_recv(self->sfd, &id, reply, rlen, buf,
					  sizeof(buf), &info, &kind));
		EXPECT_EQ((unsigned int)KIPC_LINK_REQUEST, kind);
		EXPECT_EQ(0, memcmp(reqs[i], buf, strlen(reqs[i])));
		EXPECT_EQ(self->peer[0].pid, info.sender_pid);
		EXPECT_NE(0U, id);
		EXPECT_NE(last, id);
		last = id;
		rlen = snprintf(reply, sizeof(reply), "r%d", i);
		if (i) {
			ASSERT_EQ(2, result(&self->peer[0], &res));
			EXPECT_EQ('0' + i - 1, res.data[1]);
		}
	}
	ASSERT_EQ(0, kipc_reply(self->sfd, id, reply, rlen));
	ASSERT_EQ(2, result(&self->peer[0], &res));
	EXPECT_STREQ("r2", res.data);
}

TEST_F(call, recv_with_reply_fields_replies_then_receives)
{
	struct kipc_link_recv r;
	struct kt_peer_res res;
	char buf[64];
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	ASSERT_EQ(0, kt_peer_send(&self->peer[1], -1, self->me, "next", 0));
	kt_link_recv_args(&r, 0, buf, sizeof(buf));
	r.flags = KIPC_MSG_NONBLOCK;
	r.reply_id = id;
	r.reply_ptr = (uintptr_t)"answer";
	r.reply_len = 6;
	r.reply_type = 3;
	ASSERT_EQ(4, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
	EXPECT_EQ(0, memcmp("next", buf, 4));
	EXPECT_EQ((uint32_t)KIPC_LINK_MSG, r.kind);
	EXPECT_EQ(0U, r.request_id);
	EXPECT_EQ(0U, r.reply_id);
	ASSERT_EQ(6, result(&self->peer[0], &res));
	EXPECT_STREQ("answer", res.data);
	EXPECT_EQ(3U, res.info.type);
}

TEST_F(call, reply_carried_by_a_receive_that_finds_nothing_still_goes_out)
{
	struct kipc_link_recv r;
	struct kt_peer_res res;
	char buf[64];
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	kt_link_recv_args(&r, 0, buf, sizeof(buf));
	r.flags = KIPC_MSG_NONBLOCK;
	r.reply_id = id;
	r.reply_ptr = (uintptr_t)"sent";
	r.reply_len = 4;
	EXPECT_EQ(-EAGAIN, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
	/* the error is the receive's: reply_id 0 says the reply went out */
	EXPECT_EQ(0U, r.reply_id);
	ASSERT_EQ(4, result(&self->peer[0], &res));
	EXPECT_STREQ("sent", res.data);
	/* repeating the call does not reply again */
	EXPECT_EQ(-EAGAIN, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
}

TEST_F(call, recv_with_unknown_reply_id_returns_esrch_and_receives_nothing)
{
	struct kipc_link_recv r;
	char buf[64];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "kept", 0));
	kt_link_recv_args(&r, 0, buf, sizeof(buf));
	r.flags = KIPC_MSG_NONBLOCK;
	r.reply_id = 987654321;
	r.reply_ptr = (uintptr_t)"x";
	r.reply_len = 1;
	EXPECT_EQ(-ESRCH, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
	/* the error is the reply's: reply_id is left as it was */
	EXPECT_EQ(987654321U, r.reply_id);
	EXPECT_EQ(4, recv_msg(self->sfd, 0, &r, buf, sizeof(buf), 0));
	EXPECT_STREQ("kept", buf);
}

TEST_F(call, recv_with_too_long_reply_returns_emsgsize_and_receives_nothing)
{
	struct kipc_link_recv r;
	struct kt_peer_res res;
	char buf[64];
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, 4, 0,
			       SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	ASSERT_EQ(0, kt_peer_send(&self->peer[1], -1, self->me, "kept", 0));
	kt_link_recv_args(&r, 0, buf, sizeof(buf));
	r.flags = KIPC_MSG_NONBLOCK;
	r.reply_id = id;
	r.reply_ptr = (uintptr_t)"toolong";
	r.reply_len = 7;
	EXPECT_EQ(-EMSGSIZE, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
	EXPECT_EQ(id, r.reply_id);
	EXPECT_EQ(4, recv_msg(self->sfd, 0, &r, buf, sizeof(buf), 0));
	EXPECT_STREQ("kept", buf);
	/* the caller still waits, and a reply that fits reaches it */
	EXPECT_EQ(-ETIMEDOUT, kt_peer_result(&self->peer[0], &res, 100));
	ASSERT_EQ(0, reply_raw(self->sfd, id, "fits", 4, 0));
	ASSERT_EQ(4, result(&self->peer[0], &res));
	EXPECT_STREQ("fits", res.data);
}

TEST_F(call, request_and_reply_over_link_fds)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_CALL,
		.slot = 0,
		.timeout_ms = SAFETY_MS,
		.buf_len = KT_PEER_DATA,
	};
	struct kipc_link_recv r;
	struct kt_peer_res res;
	char buf[64];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = kipc_connect(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, kt_peer_connect(&self->peer[0], 0, self->me, 0));
	kt_peer_cmd_str(&c, "via-fd");
	ASSERT_EQ(0, kt_peer_post(&self->peer[0], &c));
	ASSERT_EQ(6, recv_msg(fd, 0, &r, buf, sizeof(buf), SAFETY_MS));
	ASSERT_EQ((uint32_t)KIPC_LINK_REQUEST, r.kind);
	ASSERT_EQ(0, kipc_reply(fd, r.request_id, "ok", 2));
	ASSERT_EQ(2, result(&self->peer[0], &res));
	EXPECT_STREQ("ok", res.data);
	close(fd);
}

TEST_F(call, call_on_link_fd_to_server_peer)
{
	struct kt_peer_res res;
	char buf[64];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = kipc_connect(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, post_serve(&self->peer[0], 1, false));
	ASSERT_EQ(6, kipc_call(fd, 0, "abc", 3, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, memcmp("re:abc", buf, 6));
	EXPECT_EQ(1, result(&self->peer[0], &res));
	close(fd);
}

TEST_F(call, messages_and_requests_on_one_link_keep_their_order)
{
	struct kipc_link_recv r;
	char buf[64];
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "before", 0));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "req", 0,
			       KT_PEER_DATA, 0, SAFETY_MS, KT_PEER_NOW));
	ASSERT_EQ(6, recv_msg(self->sfd, self->peer[0].pid, &r, buf,
			      sizeof(buf), SAFETY_MS));
	EXPECT_STREQ("before", buf);
	EXPECT_EQ((uint32_t)KIPC_LINK_MSG, r.kind);
	EXPECT_EQ(0U, r.request_id);
	id = take_request(_metadata, self->sfd, self->peer[0].pid, "req");
	ASSERT_NE(0U, id);
	EXPECT_EQ(0, reply_raw(self->sfd, id, "", 0, 0));
	EXPECT_EQ(0, result(&self->peer[0], NULL));
}

TEST_F(call, request_is_selected_by_its_type)
{
	struct kipc_link_recv r;
	char buf[64];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "msg", 1));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "req", 9,
			       KT_PEER_DATA, 0, SAFETY_MS, KT_PEER_NOW));
	kt_link_recv_args(&r, self->peer[0].pid, buf, sizeof(buf));
	r.select = KIPC_SEL_TYPE_EQ;
	r.type = 9;
	r.flags = KIPC_MSG_DEADLINE;
	r.deadline_ns = after_ms(SAFETY_MS);
	ASSERT_EQ(3, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
	EXPECT_EQ((uint32_t)KIPC_LINK_REQUEST, r.kind);
	EXPECT_EQ(0, memcmp("req", buf, 3));
	EXPECT_EQ(0, reply_raw(self->sfd, r.request_id, "ok", 2, 0));
	EXPECT_EQ(2, result(&self->peer[0], NULL));
	EXPECT_EQ(3, recv_msg(self->sfd, 0, &r, buf, sizeof(buf), 0));
	EXPECT_STREQ("msg", buf);
}

TEST_F(call, poll_on_session_is_readable_when_a_request_arrives)
{
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	EXPECT_EQ(0, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, SAFETY_MS, KT_PEER_NOW));
	EXPECT_EQ(POLLIN, kt_poll(self->sfd, POLLIN, SAFETY_MS) & POLLIN);
	id = take_request(_metadata, self->sfd, 0, "q");
	EXPECT_EQ(0, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
	EXPECT_EQ(0, reply_raw(self->sfd, id, "", 0, 0));
	EXPECT_EQ(0, result(&self->peer[0], NULL));
}

/* ---- request ids and concurrent callers ---- */

TEST_F(call, request_ids_are_unique_per_server_session)
{
	uint64_t ids[24];
	int i, j, k;

	for (k = 0; k < 3; k++)
		ASSERT_EQ(0, start(self, k, NULL));
	/* eight calls from each of three callers, one after the other */
	for (i = 0; i < 8; i++)
		for (k = 0; k < 3; k++)
			ASSERT_EQ(0, post_call(&self->peer[k], self->me, "id",
					       0, KT_PEER_DATA, 0, SAFETY_MS,
					       KT_PEER_NOW));
	for (i = 0; i < 24; i++) {
		ids[i] = take_request(_metadata, self->sfd, 0, "id");
		ASSERT_NE(0U, ids[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(ids[j], ids[i]) TH_LOG("ids %d and %d", j, i);
		ASSERT_EQ(0, reply_raw(self->sfd, ids[i], "", 0, 0));
	}
	for (k = 0; k < 3; k++)
		for (i = 0; i < 8; i++)
			EXPECT_EQ(0, result(&self->peer[k], NULL));
}

TEST_F(call, concurrent_caller_processes_each_get_their_own_reply)
{
	struct kipc_link_recv r[3];
	struct kt_peer_res res;
	char buf[3][64], reply[64], want[64];
	int i, k;

	for (k = 0; k < 3; k++) {
		ASSERT_EQ(0, start(self, k, NULL));
		snprintf(buf[k], sizeof(buf[k]), "c%d", k);
		ASSERT_EQ(0, post_call(&self->peer[k], self->me, buf[k], 0,
				       KT_PEER_DATA, 0, SAFETY_MS,
				       KT_PEER_NOW));
	}
	/* take all three, then answer the newest first */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(2, recv_msg(self->sfd, 0, &r[i], buf[i],
				      sizeof(buf[i]), SAFETY_MS));
		ASSERT_EQ((uint32_t)KIPC_LINK_REQUEST, r[i].kind);
		k = buf[i][1] - '0';
		ASSERT_EQ(self->peer[k].pid, r[i].info.sender_pid);
	}
	EXPECT_NE(r[0].request_id, r[1].request_id);
	EXPECT_NE(r[1].request_id, r[2].request_id);
	EXPECT_NE(r[0].request_id, r[2].request_id);
	for (i = 2; i >= 0; i--) {
		/* the request is the 2 bytes "c<k>" */
		snprintf(reply, sizeof(reply), "re:%.2s", buf[i]);
		ASSERT_EQ(0, kipc_reply(self->sfd, r[i].request_id, reply,
					strlen(reply)));
	}
	for (k = 0; k < 3; k++) {
		snprintf(want, sizeof(want), "re:c%d", k);
		ASSERT_EQ((long)strlen(want), result(&self->peer[k], &res));
		EXPECT_STREQ(want, res.data);
	}
}

struct caller {
	int sfd;
	pid_t server;
	int n;
	long ret;
	char reply[64];
};

static void *thread_call(void *arg)
{
	struct caller *c = arg;
	char req[16];

	snprintf(req, sizeof(req), "t%d", c->n);
	c->ret = kipc_timedcall(c->sfd, c->server, req, strlen(req), 0,
				c->reply, sizeof(c->reply) - 1,
				KIPC_MSG_DEADLINE, after_ms(SAFETY_MS), NULL);
	if (c->ret >= 0)
		c->reply[c->ret] = '\0';
	return NULL;
}

TEST_F(call, concurrent_caller_threads_each_get_their_own_reply)
{
	struct caller c[THREADS];
	pthread_t t[THREADS];
	struct kt_peer_res res;
	char want[16];
	int i;

	ASSERT_EQ(0, start(self, 0, NULL));
	/* the server takes all the requests, then answers newest first */
	ASSERT_EQ(0, post_serve(&self->peer[0], THREADS, true));
	for (i = 0; i < THREADS; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].sfd = self->sfd;
		c[i].server = self->peer[0].pid;
		c[i].n = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, thread_call, &c[i]));
	}
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	for (i = 0; i < THREADS; i++) {
		snprintf(want, sizeof(want), "re:t%d", i);
		EXPECT_EQ((long)strlen(want), c[i].ret) TH_LOG("thread %d", i);
		EXPECT_STREQ(want, c[i].reply);
	}
	ASSERT_EQ(THREADS, result(&self->peer[0], &res));
}

/* ---- a caller that gives up ---- */

TEST_F(call, call_deadline_returns_etimedout_not_before_it)
{
	uint64_t deadline;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	deadline = after_ms(100);
	EXPECT_EQ(-ETIMEDOUT, call_raw(self->sfd, self->peer[0].pid, "q", 1,
				       buf, sizeof(buf), KIPC_MSG_DEADLINE,
				       deadline, NULL));
	EXPECT_LE(deadline, kt_mono_ns());
}

TEST_F(call, request_still_queued_when_caller_gives_up_is_withdrawn)
{
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	EXPECT_EQ(-ETIMEDOUT, call_raw(self->sfd, self->peer[0].pid, "q", 1,
				       buf, sizeof(buf), KIPC_MSG_DEADLINE,
				       after_ms(100), NULL));
	/* the server never sees it, nor a cancel */
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, self->me, 0,
					NULL));
}

TEST_F(call, request_withdrawn_behind_a_message_of_its_type_leaves_the_rest)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_RECV,
		.slot = -1,
		.flags = KIPC_MSG_NONBLOCK,
		.buf_len = KT_PEER_DATA,
	};
	struct kt_peer_res res;
	char buf[16];

	/* the server holds messages of the request's type, before and after */
	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kipc_link_send(self->sfd, self->peer[0].pid, "m1", 2, 4));
	ASSERT_EQ(0, kipc_link_send(self->sfd, self->peer[0].pid, "m2", 2, 4));
	EXPECT_EQ(-ETIMEDOUT, kipc_timedcall(self->sfd, self->peer[0].pid, "q",
					     1, 4, buf, sizeof(buf),
					     KIPC_MSG_DEADLINE, after_ms(50),
					     NULL));
	ASSERT_EQ(0, kipc_link_send(self->sfd, self->peer[0].pid, "m3", 2, 4));
	ASSERT_EQ(0, kipc_link_send(self->sfd, self->peer[0].pid, "hi", 2, 9));
	/* the selections still find every message, and only those */
	c.pid = self->me;
	c.select = KIPC_SEL_PRIO;
	ASSERT_EQ(2, kt_peer_do(&self->peer[0], &c, &res));
	EXPECT_STREQ("hi", res.data);
	c.select = KIPC_SEL_TYPE_EQ;
	c.type = 4;
	ASSERT_EQ(2, kt_peer_do(&self->peer[0], &c, &res));
	EXPECT_STREQ("m1", res.data);
	ASSERT_EQ(2, kt_peer_do(&self->peer[0], &c, &res));
	EXPECT_STREQ("m2", res.data);
	c.select = KIPC_SEL_PRIO;
	ASSERT_EQ(2, kt_peer_do(&self->peer[0], &c, &res));
	EXPECT_STREQ("m3", res.data);
	EXPECT_EQ(-EAGAIN, kt_peer_do(&self->peer[0], &c, &res));
}

TEST_F(call, caller_deadline_after_server_received_sends_cancel)
{
	struct kipc_link_recv r;
	struct kt_peer_res res;
	char buf[64];
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "slow", 0,
			       KT_PEER_DATA, 0, 500, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "slow");
	ASSERT_NE(0U, id);
	ASSERT_EQ(-ETIMEDOUT, result(&self->peer[0], &res));
	ASSERT_EQ(0, recv_msg(self->sfd, 0, &r, buf, sizeof(buf), SAFETY_MS));
	EXPECT_EQ((uint32_t)KIPC_LINK_CANCEL, r.kind);
	EXPECT_EQ(id, r.request_id);
	EXPECT_EQ(0U, r.info.len);
	EXPECT_EQ(self->peer[0].pid, r.info.sender_pid);
	/* and the late reply is refused */
	EXPECT_EQ(-ESRCH, reply_raw(self->sfd, id, "late", 4, 0));
}

TEST_F(call, late_reply_is_dropped_and_next_call_gets_its_own_reply)
{
	struct kipc_link_recv r;
	struct kt_peer_res res;
	char buf[64];
	uint64_t id, id2;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "first", 0,
			       KT_PEER_DATA, 0, 500, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "first");
	ASSERT_NE(0U, id);
	ASSERT_EQ(-ETIMEDOUT, result(&self->peer[0], &res));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "second", 0,
			       KT_PEER_DATA, 0, SAFETY_MS, KT_PEER_NOW));
	ASSERT_EQ(0, recv_msg(self->sfd, 0, &r, buf, sizeof(buf), SAFETY_MS));
	ASSERT_EQ((uint32_t)KIPC_LINK_CANCEL, r.kind);
	id2 = take_request(_metadata, self->sfd, 0, "second");
	ASSERT_NE(0U, id2);
	EXPECT_NE(id, id2);
	/* the late reply to the first call goes nowhere */
	EXPECT_EQ(-ESRCH, reply_raw(self->sfd, id, "late", 4, 0));
	EXPECT_EQ(-ETIMEDOUT, kt_peer_result(&self->peer[0], &res, 100));
	ASSERT_EQ(0, reply_raw(self->sfd, id2, "own", 3, 0));
	ASSERT_EQ(3, result(&self->peer[0], &res));
	EXPECT_STREQ("own", res.data);
}

TEST_F(call, caller_killed_while_waiting_makes_reply_fail_with_esrch)
{
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, 0, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	kt_peer_kill(&self->peer[0]);
	EXPECT_EQ(-ESRCH, reply_raw(self->sfd, id, "r", 1, 0));
}

TEST_F(call, caller_killed_after_server_received_sends_cancel_then_reset)
{
	struct kipc_link_recv r;
	char buf[64];
	uint64_t id;
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, 0, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	kt_peer_kill(&self->peer[0]);
	ASSERT_EQ(0, recv_msg(self->sfd, 0, &r, buf, sizeof(buf), SAFETY_MS));
	EXPECT_EQ((uint32_t)KIPC_LINK_CANCEL, r.kind);
	EXPECT_EQ(id, r.request_id);
	EXPECT_EQ(p, r.info.sender_pid);
	memset(&r.info, 0, sizeof(r.info));
	EXPECT_EQ(-ECONNRESET, recv_msg(self->sfd, 0, &r, buf, sizeof(buf),
					SAFETY_MS));
	EXPECT_EQ(p, r.info.sender_pid);
}

TEST_F(call, caller_killed_before_server_received_withdraws_the_request)
{
	struct kipc_link_recv r;
	char buf[64];
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, 0, KT_PEER_NOW));
	/* the request is queued; then its caller dies */
	ASSERT_EQ(POLLIN, kt_poll(self->sfd, POLLIN, SAFETY_MS) & POLLIN);
	kt_peer_kill(&self->peer[0]);
	memset(&r, 0, sizeof(r));
	EXPECT_EQ(-ECONNRESET, recv_msg(self->sfd, 0, &r, buf, sizeof(buf),
					SAFETY_MS));
	EXPECT_EQ(p, r.info.sender_pid);
	EXPECT_EQ(-EAGAIN, recv_msg(self->sfd, 0, &r, buf, sizeof(buf), 0));
}

/* ---- a server that goes away ---- */

TEST_F(call, server_killed_after_taking_the_request_fails_call_with_econnreset)
{
	uint64_t deadline;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_recv(&self->peer[0], SAFETY_MS));
	ASSERT_EQ(0, post_when_sleeping(&self->peer[0], KT_PEER_KILL));
	deadline = after_ms(SAFETY_MS);
	EXPECT_EQ(-ECONNRESET, call_raw(self->sfd, self->peer[0].pid, "q", 1,
					buf, sizeof(buf), KIPC_MSG_DEADLINE,
					deadline, NULL));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the kill");
	/* the peer did take it before it died */
	EXPECT_EQ(1, result(&self->peer[0], NULL));
	EXPECT_EQ(KT_CHILD_KILLED, kt_peer_reap(&self->peer[0]));
}

TEST_F(call, server_killed_before_taking_the_request_fails_call_with_econnreset)
{
	uint64_t deadline;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_when_sleeping(&self->peer[0], KT_PEER_KILL));
	deadline = after_ms(SAFETY_MS);
	EXPECT_EQ(-ECONNRESET, call_raw(self->sfd, self->peer[0].pid, "q", 1,
					buf, sizeof(buf), KIPC_MSG_DEADLINE,
					deadline, NULL));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the kill");
	EXPECT_EQ(KT_CHILD_KILLED, kt_peer_reap(&self->peer[0]));
}

TEST_F(call, server_closing_its_session_fails_call_with_econnreset)
{
	uint64_t deadline;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_recv(&self->peer[0], SAFETY_MS));
	ASSERT_EQ(0, post_when_sleeping(&self->peer[0], KT_PEER_CLOSE));
	deadline = after_ms(SAFETY_MS);
	EXPECT_EQ(-ECONNRESET, call_raw(self->sfd, self->peer[0].pid, "q", 1,
					buf, sizeof(buf), KIPC_MSG_DEADLINE,
					deadline, NULL));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the close");
	EXPECT_EQ(1, result(&self->peer[0], NULL));
	EXPECT_EQ(0, result(&self->peer[0], NULL));
}

TEST_F(call, server_death_fails_every_waiting_caller_with_econnreset)
{
	struct kt_peer_cmd peek = {
		.op = KT_PEER_RECV,
		.slot = -1,
		.timeout_ms = SAFETY_MS,
		.buf_len = 0,
	};
	struct kt_peer *s = &self->peer[0];
	struct kt_peer_res res;
	int k;

	ASSERT_EQ(0, start(self, 0, NULL));
	for (k = 1; k < 3; k++) {
		ASSERT_EQ(0, start(self, k, NULL));
		ASSERT_EQ(0, post_call(&self->peer[k], s->pid, "q", 0,
				       KT_PEER_DATA, 0, SAFETY_MS,
				       KT_PEER_NOW));
	}
	/* the server takes one request and sees the other queued; it dies */
	ASSERT_EQ(1, kt_peer_recv(s, -1, self->peer[1].pid, SAFETY_MS, &res));
	EXPECT_EQ((uint32_t)KIPC_LINK_REQUEST, res.kind);
	peek.pid = self->peer[2].pid;
	ASSERT_EQ(-EMSGSIZE, kt_peer_do(s, &peek, &res));
	kt_peer_kill(s);
	for (k = 1; k < 3; k++)
		EXPECT_EQ(-ECONNRESET, result(&self->peer[k], NULL))
			TH_LOG("caller %d", k);
}

TEST_F(call, server_exit_ends_call_waiting_for_room_with_epipe)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	uint64_t deadline;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, kipc_link_send(self->sfd, self->peer[0].pid, "full", 4,
				    0));
	ASSERT_EQ(0, post_when_sleeping(&self->peer[0], KT_PEER_EXIT));
	deadline = after_ms(SAFETY_MS);
	EXPECT_EQ(-EPIPE, call_raw(self->sfd, self->peer[0].pid, "q", 1, buf,
				   sizeof(buf), KIPC_MSG_DEADLINE, deadline,
				   NULL));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the exit");
	EXPECT_EQ(0, kt_peer_reap(&self->peer[0]));
}

TEST_F(call, call_on_nonblocking_session_still_waits_for_the_reply)
{
	struct kt_peer_res res;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, fcntl(self->sfd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, post_serve(&self->peer[0], 1, false));
	EXPECT_EQ(4, kipc_call(self->sfd, self->peer[0].pid, "x", 1, buf,
			       sizeof(buf), NULL));
	EXPECT_EQ(1, result(&self->peer[0], &res));
}

TEST_F(call, call_on_link_fd_to_exited_server_returns_epipe)
{
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = kipc_connect(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
	ASSERT_EQ(-ECONNRESET, kipc_link_recv(fd, 0, buf, sizeof(buf), NULL));
	EXPECT_EQ(-EPIPE, call_raw(fd, 0, "q", 1, buf, sizeof(buf),
				   KIPC_MSG_DEADLINE, after_ms(SAFETY_MS),
				   NULL));
	close(fd);
}

/* ---- reply sizes ---- */

TEST_F(call, reply_longer_than_callers_buffer_returns_emsgsize_caller_waits)
{
	struct kt_peer_res res;
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, 4, 0,
			       SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	EXPECT_EQ(-EMSGSIZE, kipc_reply(self->sfd, id, "12345", 5));
	EXPECT_EQ(-ETIMEDOUT, kt_peer_result(&self->peer[0], &res, 100))
		TH_LOG("the caller stopped waiting");
	/* exactly the caller's room works */
	ASSERT_EQ(0, kipc_reply(self->sfd, id, "1234", 4));
	ASSERT_EQ(4, result(&self->peer[0], &res));
	EXPECT_STREQ("1234", res.data);
}

TEST_F(call, empty_reply_to_a_call_with_no_room_works)
{
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, 0, 0,
			       SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	EXPECT_EQ(-EMSGSIZE, reply_raw(self->sfd, id, "x", 1, 0));
	ASSERT_EQ(0, reply_raw(self->sfd, id, NULL, 0, 0));
	EXPECT_EQ(0, result(&self->peer[0], NULL));
}

/* ---- signals ---- */

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static void catch_sigusr1(struct __test_metadata *_metadata, bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	handled = 0;
}

TEST_F(call, signal_interrupts_call_with_eintr_and_withdraws_the_request)
{
	char buf[16];
	pid_t sig;

	ASSERT_EQ(0, start(self, 0, NULL));
	catch_sigusr1(_metadata, false);
	sig = kt_signal_when_sleeping(self->me, self->me, SIGUSR1, 50);
	ASSERT_LT(0, sig);
	EXPECT_EQ(-EINTR, call_raw(self->sfd, self->peer[0].pid, "q", 1, buf,
				   sizeof(buf), KIPC_MSG_DEADLINE,
				   after_ms(SAFETY_MS), NULL));
	kt_stop(sig);
	EXPECT_LE(1, handled);
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
}

TEST_F(call, signal_with_sa_restart_still_ends_waiting_call_with_eintr)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_SIGNAL,
		.when = KT_PEER_SLEEPING,
		.type = SIGUSR1,
	};
	struct kt_peer_res res;
	char buf[16];

	/* the server takes the request, then signals the waiting caller */
	ASSERT_EQ(0, start(self, 0, NULL));
	catch_sigusr1(_metadata, true);
	ASSERT_EQ(0, post_recv(&self->peer[0], SAFETY_MS));
	ASSERT_EQ(0, kt_peer_post(&self->peer[0], &c));
	EXPECT_EQ(-EINTR, call_raw(self->sfd, self->peer[0].pid, "q", 1, buf,
				   sizeof(buf), KIPC_MSG_DEADLINE,
				   after_ms(SAFETY_MS), NULL));
	EXPECT_EQ(1, handled);
	ASSERT_EQ(1, result(&self->peer[0], &res));
	EXPECT_EQ((uint32_t)KIPC_LINK_REQUEST, res.kind);
	ASSERT_EQ(0, result(&self->peer[0], &res));
	/* the server hears that the caller gave up */
	ASSERT_EQ(0, kt_peer_recv(&self->peer[0], -1, 0, SAFETY_MS, &res));
	EXPECT_EQ((uint32_t)KIPC_LINK_CANCEL, res.kind);
}

TEST_F(call, receive_restarted_after_a_signal_does_not_reply_twice)
{
	struct kt_peer_cmd sig = {
		.op = KT_PEER_SIGNAL,
		.when = KT_PEER_SLEEPING,
		.type = SIGUSR1,
	};
	struct kt_peer_cmd send = {
		.op = KT_PEER_SEND,
		.when = KT_PEER_SLEEPING,
		.slot = -1,
		.flags = KIPC_MSG_NONBLOCK,
	};
	struct kipc_link_recv r;
	struct kt_peer_res res;
	char buf[64];
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	/* peer 1 signals the waiting receive, then sends once it waits again */
	catch_sigusr1(_metadata, true);
	send.pid = self->me;
	kt_peer_cmd_str(&send, "after");
	ASSERT_EQ(0, kt_peer_post(&self->peer[1], &sig));
	ASSERT_EQ(0, kt_peer_post(&self->peer[1], &send));
	kt_link_recv_args(&r, 0, buf, sizeof(buf));
	r.flags = KIPC_MSG_DEADLINE;
	r.deadline_ns = after_ms(SAFETY_MS);
	r.reply_id = id;
	r.reply_ptr = (uintptr_t)"once";
	r.reply_len = 4;
	EXPECT_EQ(5, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
	EXPECT_EQ(0, memcmp("after", buf, 5));
	EXPECT_EQ(1, handled);
	EXPECT_EQ(0U, r.reply_id);
	ASSERT_EQ(4, result(&self->peer[0], &res));
	EXPECT_STREQ("once", res.data);
	EXPECT_EQ(0, result(&self->peer[1], NULL));
	EXPECT_EQ(0, result(&self->peer[1], NULL));
}

TEST_F(call, signal_with_sa_restart_ends_call_waiting_for_room_with_eintr)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	uint64_t deadline;
	char buf[16];
	pid_t sig;

	/* "-EINTR a signal (never restarted)", also before the request fits */
	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, kipc_link_send(self->sfd, self->peer[0].pid, "full", 4,
				    0));
	catch_sigusr1(_metadata, true);
	sig = kt_signal_when_sleeping(self->me, self->me, SIGUSR1, 3);
	ASSERT_LT(0, sig);
	deadline = after_ms(3000);
	EXPECT_EQ(-EINTR, call_raw(self->sfd, self->peer[0].pid, "q", 1, buf,
				   sizeof(buf), KIPC_MSG_DEADLINE, deadline,
				   NULL));
	kt_stop(sig);
	EXPECT_LE(1, handled);
}

/* ---- errors ---- */

TEST_F(call, reply_to_unknown_request_id_returns_esrch)
{
	EXPECT_EQ(-ESRCH, kipc_reply(self->sfd, 0, "r", 1));
	EXPECT_EQ(-ESRCH, kipc_reply(self->sfd, 1, "r", 1));
	EXPECT_EQ(-ESRCH, kipc_reply(self->sfd, 0x123456789abcULL, "r", 1));
}

TEST_F(call, second_reply_to_one_request_returns_esrch)
{
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	ASSERT_EQ(0, kipc_reply(self->sfd, id, "one", 3));
	EXPECT_EQ(-ESRCH, kipc_reply(self->sfd, id, "two", 3));
	EXPECT_EQ(3, result(&self->peer[0], NULL));
}

TEST_F(call, reply_to_another_servers_request_returns_esrch)
{
	struct kt_peer_cmd c = { .op = KT_PEER_REPLY, .slot = -1 };
	struct kt_peer_res res;
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	/* peer 1 serves nothing: the id is not one of its session's */
	c.id = id;
	kt_peer_cmd_str(&c, "forged");
	EXPECT_EQ(-ESRCH, kt_peer_do(&self->peer[1], &c, NULL));
	EXPECT_EQ(-ETIMEDOUT, kt_peer_result(&self->peer[0], &res, 100));
	ASSERT_EQ(0, kipc_reply(self->sfd, id, "real", 4));
	ASSERT_EQ(4, result(&self->peer[0], &res));
	EXPECT_STREQ("real", res.data);
}

TEST_F(call, reply_from_unreadable_buffer_returns_efault)
{
	struct kt_peer_res res;
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, SAFETY_MS, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	EXPECT_EQ(-EFAULT, reply_raw(self->sfd, id, kt_unmapped_addr(), 8, 0));
	ASSERT_EQ(0, reply_raw(self->sfd, id, "good", 4, 0));
	ASSERT_EQ(4, result(&self->peer[0], &res));
	EXPECT_STREQ("good", res.data);
}

TEST_F(call, call_to_own_pid_or_pid_zero_returns_einval)
{
	char buf[16];

	EXPECT_EQ(-EINVAL, call_raw(self->sfd, self->me, "q", 1, buf,
				    sizeof(buf), KIPC_MSG_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EINVAL, call_raw(self->sfd, 0, "q", 1, buf, sizeof(buf),
				    KIPC_MSG_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EINVAL, call_raw(self->sfd, -1, "q", 1, buf, sizeof(buf),
				    KIPC_MSG_NONBLOCK, 0, NULL));
}

TEST_F(call, call_to_process_without_bound_session_returns_econnrefused)
{
	struct kt_peer_opts o = { .no_bind = true };
	char buf[16];

	ASSERT_EQ(0, start(self, 0, &o));
	EXPECT_EQ(-ECONNREFUSED, call_raw(self->sfd, self->peer[0].pid, "q", 1,
					  buf, sizeof(buf), KIPC_MSG_DEADLINE,
					  after_ms(SAFETY_MS), NULL));
}

TEST_F(call, call_to_pid_that_does_not_exist_returns_esrch)
{
	unsigned long long pid_max;
	char buf[16];

	ASSERT_EQ(0, kt_file_read_ull("/proc/sys/kernel/pid_max", &pid_max));
	EXPECT_EQ(-ESRCH, call_raw(self->sfd, (pid_t)pid_max, "q", 1, buf,
				   sizeof(buf), KIPC_MSG_DEADLINE,
				   after_ms(SAFETY_MS), NULL));
}

TEST_F(call, call_as_other_user_without_bind_anyone_returns_eperm)
{
	struct kt_peer_opts o = { .uid = KT_NOBODY };
	struct kt_peer_res res;

	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       0, SAFETY_MS, KT_PEER_NOW));
	EXPECT_EQ(-EPERM, result(&self->peer[0], &res));
	EXPECT_EQ(0, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
}

TEST_F(call, call_on_unbound_session_returns_enotconn)
{
	char buf[16];
	int s2;

	ASSERT_EQ(0, start(self, 0, NULL));
	s2 = kipc_open(O_CLOEXEC);
	ASSERT_LE(0, s2);
	EXPECT_EQ(-ENOTCONN, call_raw(s2, self->peer[0].pid, "q", 1, buf,
				      sizeof(buf), KIPC_MSG_DEADLINE,
				      after_ms(SAFETY_MS), NULL));
	EXPECT_EQ(-ENOTCONN, kipc_reply(s2, 1, "r", 1));
	close(s2);
}

TEST_F(call, call_on_link_fd_naming_another_pid_returns_einval)
{
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	fd = kipc_connect(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, call_raw(fd, self->peer[1].pid, "q", 1, buf,
				    sizeof(buf), KIPC_MSG_DEADLINE,
				    after_ms(SAFETY_MS), NULL));
	close(fd);
}

TEST_F(call, request_over_servers_max_msgsize_returns_emsgsize)
{
	struct kt_peer_opts o = { .lim = { .max_msgsize = 8 } };
	char buf[16];

	ASSERT_EQ(0, start(self, 0, &o));
	EXPECT_EQ(-EMSGSIZE, call_raw(self->sfd, self->peer[0].pid,
				      "123456789", 9, buf, sizeof(buf),
				      KIPC_MSG_DEADLINE, after_ms(SAFETY_MS),
				      NULL));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
}

TEST_F(call, nonblocking_call_to_full_link_returns_eagain)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	char buf[16];

	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, kipc_link_send(self->sfd, self->peer[0].pid, "full", 4,
				    0));
	EXPECT_EQ(-EAGAIN, kipc_timedcall(self->sfd, self->peer[0].pid, "q", 1,
					  0, buf, sizeof(buf),
					  KIPC_MSG_NONBLOCK, 0, NULL));
	EXPECT_EQ(4, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
}

TEST_F(call, call_with_deadline_to_full_link_returns_etimedout)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	uint64_t deadline;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, kipc_link_send(self->sfd, self->peer[0].pid, "full", 4,
				    0));
	deadline = after_ms(100);
	EXPECT_EQ(-ETIMEDOUT, call_raw(self->sfd, self->peer[0].pid, "q", 1,
				       buf, sizeof(buf), KIPC_MSG_DEADLINE,
				       deadline, NULL));
	EXPECT_LE(deadline, kt_mono_ns());
	EXPECT_EQ(4, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
}

TEST_F(call, nonblocking_call_still_waits_for_the_reply)
{
	struct kt_peer_res res;
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "q", 0, KT_PEER_DATA,
			       KIPC_MSG_NONBLOCK, 0, KT_PEER_NOW));
	id = take_request(_metadata, self->sfd, 0, "q");
	ASSERT_NE(0U, id);
	EXPECT_EQ(-ETIMEDOUT, kt_peer_result(&self->peer[0], &res, 100));
	ASSERT_EQ(0, kipc_reply(self->sfd, id, "late", 4));
	ASSERT_EQ(4, result(&self->peer[0], &res));
	EXPECT_STREQ("late", res.data);
}

TEST_F(call, call_with_unreadable_request_returns_efault_and_sends_nothing)
{
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	EXPECT_EQ(-EFAULT, call_raw(self->sfd, self->peer[0].pid,
				    kt_unmapped_addr(), 8, buf, sizeof(buf),
				    KIPC_MSG_DEADLINE, after_ms(SAFETY_MS),
				    NULL));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
}

TEST_F(call, call_with_unwritable_reply_buffer_returns_efault_reply_is_lost)
{
	struct kt_peer_res res;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_serve(&self->peer[0], 1, false));
	EXPECT_EQ(-EFAULT, call_raw(self->sfd, self->peer[0].pid, "q", 1,
				    kt_readonly_page(), 64, KIPC_MSG_DEADLINE,
				    after_ms(SAFETY_MS), NULL));
	/* the server's reply went out */
	EXPECT_EQ(1, result(&self->peer[0], &res));
}

TEST_F(call, request_received_into_short_buffer_stays_queued)
{
	struct kipc_link_recv r;
	struct kt_peer_res res;
	char buf[64];
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "0123456789", 0,
			       KT_PEER_DATA, 0, SAFETY_MS, KT_PEER_NOW));
	ASSERT_EQ(POLLIN, kt_poll(self->sfd, POLLIN, SAFETY_MS) & POLLIN);
	EXPECT_EQ(-EMSGSIZE, recv_msg(self->sfd, 0, &r, buf, 5, 0));
	EXPECT_EQ(10U, r.info.len);
	id = take_request(_metadata, self->sfd, 0, "0123456789");
	ASSERT_NE(0U, id);
	ASSERT_EQ(0, kipc_reply(self->sfd, id, "ok", 2));
	ASSERT_EQ(2, result(&self->peer[0], &res));
}

TEST_F(call, request_received_into_unwritable_buffer_stays_queued)
{
	struct kipc_link_recv r;
	struct kt_peer_res res;
	uint64_t id;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, post_call(&self->peer[0], self->me, "req", 0,
			       KT_PEER_DATA, 0, SAFETY_MS, KT_PEER_NOW));
	ASSERT_EQ(POLLIN, kt_poll(self->sfd, POLLIN, SAFETY_MS) & POLLIN);
	kt_link_recv_args(&r, 0, kt_readonly_page(), 64);
	r.flags = KIPC_MSG_NONBLOCK;
	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
	/* taken again, and its caller gets the reply */
	id = take_request(_metadata, self->sfd, 0, "req");
	ASSERT_NE(0U, id);
	ASSERT_EQ(0, kipc_reply(self->sfd, id, "ok", 2));
	ASSERT_EQ(2, result(&self->peer[0], &res));
	EXPECT_STREQ("ok", res.data);
}

KT_HARNESS_MAIN
