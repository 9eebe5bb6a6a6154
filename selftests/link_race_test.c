// SPDX-License-Identifier: GPL-2.0
/*
 * kipc direct links under races: two processes connecting to each other
 * (or sending first) at the same moment end with one link; sends racing
 * with the peer's exit see only success or -EPIPE; a caller's deadline
 * racing with the server's reply ends one way only (reply delivered and
 * accepted, or caller timed out, reply refused with -ESRCH and a cancel
 * queued); many callers at once each get their own replies.
 *
 * Rounds are few (a TCG guest is slow); each starts from new processes.
 */
#include "kipc_test.h"

#define SAFETY_MS	10000
#define CONNECT_ROUNDS	20
#define EXIT_ROUNDS	10
#define REPLY_ROUNDS	40
#define CALLERS		3
#define CALLS		10

FIXTURE(race) {
	int sfd;		/* the test process's bound session */
	pid_t me;
	struct kt_peer peer[CALLERS + 1];
	pthread_barrier_t *barrier;	/* for two peers */
};

FIXTURE_SETUP(race)
{
	struct kipc_bind b;

	self->me = getpid();
	KT_SESSION_OR_SKIP(self->sfd);
	kt_bind_args(&b, 0);
	ASSERT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_BIND, &b));
	self->barrier = kt_barrier_new(2);
	ASSERT_NE(NULL, self->barrier);
}

FIXTURE_TEARDOWN(race)
{
	int i;

	for (i = 0; i < CALLERS + 1; i++)
		kt_peer_kill(&self->peer[i]);
	kt_barrier_free(self->barrier);
	if (self->sfd >= 0)
		close(self->sfd);
}

/* Post @c to both peers, with the other's pid, then collect both results. */
static void both(struct __test_metadata *_metadata, struct kt_peer *a,
		 struct kt_peer *b, struct kt_peer_cmd *c, long ret[2])
{
	struct kt_peer_res r;

	c->pid = b->pid;
	ASSERT_EQ(0, kt_peer_post(a, c));
	c->pid = a->pid;
	ASSERT_EQ(0, kt_peer_post(b, c));
	ret[0] = kt_peer_result(a, &r, KT_PEER_WAIT_MS) ? KT_PEER_LOST : r.ret;
	ret[1] = kt_peer_result(b, &r, KT_PEER_WAIT_MS) ? KT_PEER_LOST : r.ret;
}

/*
 * @from sends three messages to @to, alternating its link fd (slot 0) and
 * its session; @to must find all three on its own link fd, in order, and
 * nothing anywhere else.
 */
static void one_stream(struct __test_metadata *_metadata, int round,
		       struct kt_peer *from, struct kt_peer *to)
{
	struct kt_peer_res r;
	char msg[16];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(msg, sizeof(msg), "%d-%d", from->pid, i);
		ASSERT_EQ(0, kt_peer_send(from, i == 1 ? -1 : 0,
					  i == 1 ? to->pid : 0, msg, 0))
			TH_LOG("round %d", round);
	}
	for (i = 0; i < 3; i++) {
		snprintf(msg, sizeof(msg), "%d-%d", from->pid, i);
		EXPECT_EQ((long)strlen(msg), kt_peer_recv(to, 0, 0, 0, &r))
			TH_LOG("round %d: message %d", round, i);
		EXPECT_STREQ(msg, r.data);
	}
	EXPECT_EQ(-EAGAIN, kt_peer_recv(to, -1, 0, 0, &r))
		TH_LOG("round %d: a message outside the link", round);
}

TEST_F(race, connecting_to_each_other_at_once_makes_one_link)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_CONNECT,
		.when = KT_PEER_BARRIER,
	};
	struct kt_peer_opts o = { .barrier = self->barrier };
	struct kt_peer *a = &self->peer[0], *b = &self->peer[1];
	long ret[2];
	int round;

	for (round = 0; round < CONNECT_ROUNDS; round++) {
		ASSERT_EQ(0, kt_peer_start(a, &o));
		ASSERT_EQ(0, kt_peer_start(b, &o));
		both(_metadata, a, b, &c, ret);
		ASSERT_LE(0, ret[0]) TH_LOG("round %d", round);
		ASSERT_LE(0, ret[1]) TH_LOG("round %d", round);
		one_stream(_metadata, round, a, b);
		one_stream(_metadata, round, b, a);
		kt_peer_kill(a);
		kt_peer_kill(b);
	}
}

TEST_F(race, sending_to_each_other_at_once_makes_one_link)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_SEND,
		.when = KT_PEER_BARRIER,
		.slot = -1,
		.flags = KIPC_MSG_NONBLOCK,
	};
	struct kt_peer_opts o = { .barrier = self->barrier };
	struct kt_peer *a = &self->peer[0], *b = &self->peer[1];
	struct kt_peer_res r;
	long ret[2];
	int round;

	kt_peer_cmd_str(&c, "first");
	for (round = 0; round < CONNECT_ROUNDS; round++) {
		ASSERT_EQ(0, kt_peer_start(a, &o));
		ASSERT_EQ(0, kt_peer_start(b, &o));
		both(_metadata, a, b, &c, ret);
		ASSERT_EQ(0, ret[0]) TH_LOG("round %d", round);
		ASSERT_EQ(0, ret[1]) TH_LOG("round %d", round);
		/* the link each connect finds holds the first message */
		ASSERT_LE(0, kt_peer_connect(a, 0, b->pid, 0));
		ASSERT_LE(0, kt_peer_connect(b, 0, a->pid, 0));
		EXPECT_EQ(5, kt_peer_recv(a, 0, 0, 0, &r)) TH_LOG("round %d",
								  round);
		EXPECT_EQ(5, kt_peer_recv(b, 0, 0, 0, &r)) TH_LOG("round %d",
								  round);
		one_stream(_metadata, round, a, b);
		one_stream(_metadata, round, b, a);
		kt_peer_kill(a);
		kt_peer_kill(b);
	}
}

TEST_F(race, sends_racing_with_the_peers_exit_succeed_or_return_epipe)
{
	struct kt_peer *p = &self->peer[0];
	struct kt_peer_cmd c = { .op = KT_PEER_EXIT, .when = KT_PEER_BARRIER };
	int fd, round, n, sent, piped;
	long ret;

	for (round = 0; round < EXIT_ROUNDS; round++) {
		struct kt_peer_opts o = { .barrier = self->barrier };

		ASSERT_EQ(0, kt_peer_start(p, &o));
		fd = kipc_connect(self->sfd, p->pid, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, kt_peer_post(p, &c));
		pthread_barrier_wait(self->barrier);
		sent = piped = 0;
		for (n = 0; n < 2000 && !piped; n++) {
			ret = kipc_link_timedsend(fd, 0, "x", 1, 0,
						  KIPC_MSG_NONBLOCK, 0);
			if (ret == 0)
				sent++;
			else if (ret == -EPIPE)
				piped++;
			else
				ASSERT_TRUE(ret == -EAGAIN)
					TH_LOG("round %d: send %ld", round,
					       ret);
		}
		ASSERT_EQ(0, kt_peer_reap(p));
		/* after the exit, only -EPIPE */
		EXPECT_EQ(-EPIPE, kipc_link_timedsend(fd, 0, "x", 1, 0,
						      KIPC_MSG_NONBLOCK, 0))
			TH_LOG("round %d: %d sent before", round, sent);
		close(fd);
	}
}

TEST_F(race, caller_deadline_racing_with_reply_ends_one_way)
{
	struct kt_peer *p = &self->peer[0];
	struct kipc_link_recv r;
	struct kt_peer_res res;
	int round, replied = 0, refused = 0, withdrawn = 0;
	uint64_t cancel_due = 0;
	char buf[64];
	long ret, got;

	ASSERT_EQ(0, kt_peer_start(p, NULL));
	for (round = 0; round < REPLY_ROUNDS; round++) {
		struct kt_peer_cmd c = {
			.op = KT_PEER_CALL,
			.slot = -1,
			.pid = self->me,
			.timeout_ms = 2,
			.buf_len = KT_PEER_DATA,
		};

		snprintf(c.data, sizeof(c.data), "r%d", round);
		c.len = strlen(c.data);
		ASSERT_EQ(0, kt_peer_post(p, &c));
		/* the request, or the cancel of last round's first */
		do {
			kt_link_recv_args(&r, 0, buf, sizeof(buf));
			r.flags = KIPC_MSG_DEADLINE;
			r.deadline_ns = kt_mono_ns() + 50 * NSEC_PER_MSEC;
			got = kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r);
			if (got == 0 && r.kind == KIPC_LINK_CANCEL) {
				EXPECT_EQ(cancel_due, r.request_id);
				cancel_due = 0;
				continue;
			}
			break;
		} while (1);
		if (got == -ETIMEDOUT) {
			/* withdrawn before it was taken */
			ASSERT_EQ(0, kt_peer_result(p, &res, KT_PEER_WAIT_MS));
			EXPECT_EQ(-ETIMEDOUT, res.ret)
				TH_LOG("round %d", round);
			withdrawn++;
			continue;
		}
		ASSERT_EQ((long)c.len, got) TH_LOG("round %d", round);
		ASSERT_EQ((uint32_t)KIPC_LINK_REQUEST, r.kind);
		EXPECT_EQ(0U, cancel_due) TH_LOG("round %d: no cancel came",
						 round);
		/* answer before, around or after the caller's deadline */
		kt_sleep_ms(round % 5);
		ret = kipc_reply(self->sfd, r.request_id, "ok", 2);
		ASSERT_EQ(0, kt_peer_result(p, &res, KT_PEER_WAIT_MS));
		if (ret == 0) {
			EXPECT_EQ(2, res.ret) TH_LOG("round %d: reply accepted "
						     "but the caller got %ld",
						     round, (long)res.ret);
			replied++;
		} else {
			EXPECT_EQ(-ESRCH, ret) TH_LOG("round %d", round);
			EXPECT_EQ(-ETIMEDOUT, res.ret) TH_LOG("round %d: reply "
							      "refused",
							      round);
			cancel_due = r.request_id;
			refused++;
		}
	}
	if (cancel_due) {
		kt_link_recv_args(&r, 0, buf, sizeof(buf));
		r.flags = KIPC_MSG_DEADLINE;
		r.deadline_ns = kt_mono_ns() + SAFETY_MS * NSEC_PER_MSEC;
		EXPECT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
		EXPECT_EQ((uint32_t)KIPC_LINK_CANCEL, r.kind);
		EXPECT_EQ(cancel_due, r.request_id);
	}
	TH_LOG("%d replied, %d refused, %d withdrawn", replied, refused,
	       withdrawn);
}

TEST_F(race, many_callers_at_once_each_get_their_own_replies)
{
	struct kt_peer_res res;
	char buf[64], reply[64], want[64];
	uint64_t id = 0;
	size_t rlen = 0;
	int i, k;
	long n;

	for (k = 0; k < CALLERS; k++) {
		ASSERT_EQ(0, kt_peer_start(&self->peer[k], NULL));
		for (i = 0; i < CALLS; i++) {
			struct kt_peer_cmd c = {
				.op = KT_PEER_CALL,
				.slot = -1,
				.pid = self->me,
				.timeout_ms = SAFETY_MS,
				.buf_len = KT_PEER_DATA,
			};

			snprintf(c.data, sizeof(c.data), "%d.%d", k, i);
			c.len = strlen(c.data);
			ASSERT_EQ(0, kt_peer_post(&self->peer[k], &c));
		}
	}
	/* one reply-and-receive per request, answers built from requests */
	for (i = 0; i < CALLERS * CALLS; i++) {
		n = kipc_reply_recv(self->sfd, &id, reply, rlen, buf,
				    sizeof(buf) - 1, NULL, NULL);
		ASSERT_LT(0, n) TH_LOG("request %d: %ld", i, n);
		ASSERT_NE(0U, id);
		buf[n] = '\0';
		rlen = snprintf(reply, sizeof(reply), "re:%s", buf);
	}
	ASSERT_EQ(0, kipc_reply(self->sfd, id, reply, rlen));
	for (k = 0; k < CALLERS; k++) {
		for (i = 0; i < CALLS; i++) {
			snprintf(want, sizeof(want), "re:%d.%d", k, i);
			EXPECT_EQ((long)strlen(want),
				  kt_peer_result(&self->peer[k], &res,
						 KT_PEER_WAIT_MS) ?
				  KT_PEER_LOST : res.ret);
			EXPECT_STREQ(want, res.data);
		}
	}
}

KT_HARNESS_MAIN
