// SPDX-License-Identifier: GPL-2.0
/*
 * The "events" multicast group of kipc's generic netlink family: OBJ_NEW
 * and OBJ_DEL in the order of the changes, KIPC_A_SEQ growing by one,
 * names only for objects whose mode grants everyone access, sessions,
 * LINK_UP, PEER_EXIT before LINK_DOWN, LIMIT_HIT once per filling of a
 * queue or pipe and at each quota refusal; a listener that closes its
 * socket leaves nothing behind (the runner unloads the module after).
 */
#include "kipc_test.h"
#include "kipc_nl.h"

#define EV_WAIT_MS	5000	/* an event that must come */
#define EV_NONE_MS	200	/* events are sent within the syscall */

FIXTURE(ev) {
	int sfd;
	struct knl nl;		/* requests */
	struct knl ev;		/* the listener */
	uint64_t last_seq;	/* 0: none seen yet */
	unsigned int gaps;
	struct knl_names names;
};

FIXTURE_SETUP(ev)
{
	self->nl.fd = self->ev.fd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	KNL_OPEN(&self->nl);
	KNL_OPEN(&self->ev);
	ASSERT_EQ(0, knl_join_events(&self->ev));
}

FIXTURE_TEARDOWN(ev)
{
	knl_names_remove_all(self->sfd, &self->names);
	knl_close(&self->ev);
	knl_close(&self->nl);
	close(self->sfd);
}

/*
 * The next event within @ms: 0 or -errno.  Checks that KIPC_A_SEQ is
 * there and one more than the last one's.
 */
static int next_ev(struct __test_metadata *_metadata,
		   FIXTURE_DATA(ev) *self, struct knl_obj *e, int ms)
{
	int ret = knl_event(&self->ev, e, ms);

	if (ret)
		return ret;
	EXPECT_TRUE(KNL_HAS(e, KIPC_A_SEQ)) TH_LOG("event %u without SEQ",
						   e->cmd);
	if (self->last_seq)
		EXPECT_EQ(self->last_seq + 1, e->v[KIPC_A_SEQ])
			TH_LOG("event %u: sequence", e->cmd);
	self->last_seq = e->v[KIPC_A_SEQ];
	return 0;
}

/* Expect the next event to be @cmd (0: any) about @id (0: any id). */
static void expect_ev(struct __test_metadata *_metadata,
		      FIXTURE_DATA(ev) *self, struct knl_obj *e, uint8_t cmd,
		      uint64_t id, const char *what)
{
	int ret = next_ev(_metadata, self, e, EV_WAIT_MS);

	ASSERT_EQ(0, ret) TH_LOG("%s: no event: %s", what, strerror(-ret));
	if (cmd)
		EXPECT_EQ(cmd, e->cmd) TH_LOG("%s: command", what);
	if (id)
		EXPECT_EQ(id, e->v[KIPC_A_ID]) TH_LOG("%s: id", what);
}

/* No event comes. */
static void expect_none(struct __test_metadata *_metadata,
			FIXTURE_DATA(ev) *self, const char *what)
{
	struct knl_obj e;
	int ret = next_ev(_metadata, self, &e, EV_NONE_MS);

	EXPECT_EQ(-EAGAIN, ret) TH_LOG("%s: event %u about %llu", what,
				       e.cmd,
				       (unsigned long long)e.v[KIPC_A_ID]);
}

static int new_named(FIXTURE_DATA(ev) *self, const char *tag,
		     unsigned int mode, uint64_t *id)
{
	int fd = kipc_queue_open(self->sfd,
				 knl_name_new(&self->names, KIPC_TYPE_QUEUE,
					      tag),
				 KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND,
				 mode, NULL, id);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? fd : 0;
}

/* Read events until the OBJ_DEL of @pid's session (5 s at most). */
static void wait_session_del(struct __test_metadata *_metadata,
			     FIXTURE_DATA(ev) *self, pid_t pid)
{
	struct knl_obj e;
	int i;

	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, next_ev(_metadata, self, &e, EV_WAIT_MS))
			TH_LOG("no OBJ_DEL of the session of %d", pid);
		if (e.cmd == KIPC_CMD_OBJ_DEL &&
		    e.v[KIPC_A_TYPE] == KIPC_TYPE_SESSION &&
		    e.v[KIPC_A_PID] == (uint64_t)pid)
			return;
	}
	ASSERT_TRUE(false) TH_LOG("no OBJ_DEL of the session of %d", pid);
}

TEST_F(ev, new_and_del_in_order_with_names_by_mode)
{
	struct knl_obj e;
	uint64_t priv, pub, ow, grp, anon, mb, shm;
	int fd;

	ASSERT_EQ(0, new_named(self, "priv", 0600, &priv));
	ASSERT_EQ(0, new_named(self, "pub", 0604, &pub));
	ASSERT_EQ(0, new_named(self, "ow", 0602, &ow));
	ASSERT_EQ(0, new_named(self, "grp", 0660, &grp));
	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND,
			     0666, NULL, &anon);
	ASSERT_LE(0, fd);
	close(fd);
	fd = kipc_mailbox_open(self->sfd,
			       knl_name_new(&self->names, KIPC_TYPE_MAILBOX,
					    "mb"),
			       KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND, 0644,
			       NULL, &mb);
	ASSERT_LE(0, fd);
	close(fd);
	fd = kipc_shm_open(self->sfd,
			   knl_name_new(&self->names, KIPC_TYPE_SHM, "sh"),
			   KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_READ, 0640,
			   4096, &shm);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->names.name[1]));
	ASSERT_EQ(0, knl_del_id(&self->nl, priv));
	ASSERT_EQ(0, knl_del_name(&self->nl, KIPC_TYPE_SHM,
				  self->names.name[5]));

	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, priv, "priv");
	KNL_EXPECT(&e, "new 0600 queue", { KIPC_A_TYPE, KIPC_TYPE_QUEUE },
		   { KIPC_A_UID, 0 }, { KIPC_A_MODE, 0600 },
		   { KIPC_A_PID, getpid() });
	EXPECT_FALSE(KNL_HAS(&e, KIPC_A_NAME));
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, pub, "pub");
	EXPECT_STREQ(self->names.name[1], e.name);
	KNL_EXPECT(&e, "new 0604 queue", { KIPC_A_MODE, 0604 });
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, ow, "ow");
	EXPECT_STREQ(self->names.name[2], e.name);
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, grp, "grp");
	EXPECT_FALSE(KNL_HAS(&e, KIPC_A_NAME));
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, anon, "anon");
	EXPECT_FALSE(KNL_HAS(&e, KIPC_A_NAME));
	KNL_EXPECT(&e, "new anonymous queue", { KIPC_A_MODE, 0666 });
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_DEL, anon, "anon closed");
	KNL_EXPECT(&e, "anonymous queue closed",
		   { KIPC_A_TYPE, KIPC_TYPE_QUEUE }, { KIPC_A_UID, 0 },
		   { KIPC_A_PID, getpid() });
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, mb, "mailbox");
	KNL_EXPECT(&e, "new mailbox", { KIPC_A_TYPE, KIPC_TYPE_MAILBOX });
	EXPECT_STREQ(self->names.name[4], e.name);
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, shm, "shm");
	KNL_EXPECT(&e, "new region", { KIPC_A_TYPE, KIPC_TYPE_SHM },
		   { KIPC_A_MODE, 0640 });
	EXPECT_FALSE(KNL_HAS(&e, KIPC_A_NAME));
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_DEL, pub, "pub removed");
	EXPECT_STREQ(self->names.name[1], e.name);
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_DEL, priv, "priv del");
	EXPECT_FALSE(KNL_HAS(&e, KIPC_A_NAME));
	KNL_EXPECT(&e, "priv del", { KIPC_A_MODE, 0600 },
		   { KIPC_A_PID, getpid() });
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_DEL, shm, "shm del");
	expect_none(_metadata, self, "after the last removal");
}

TEST_F(ev, obj_new_through_netlink_is_an_event_too)
{
	struct knl_new_args a = { .mode = 0644, .has_mode = true };
	const char *name = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "n");
	struct knl_obj o, e;

	ASSERT_EQ(0, knl_new(&self->nl, KIPC_TYPE_QUEUE, name, &a, &o));
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, o.v[KIPC_A_ID], "new");
	EXPECT_STREQ(name, e.name);
	/* refused: nothing */
	EXPECT_EQ(-EEXIST, knl_new(&self->nl, KIPC_TYPE_QUEUE, name, &a, &o));
	EXPECT_EQ(-EOPNOTSUPP, knl_new(&self->nl, KIPC_TYPE_PIPE, name, &a,
				       &o));
	expect_none(_metadata, self, "refused OBJ_NEW");
}

TEST_F(ev, sessions_bind_and_exit)
{
	struct knl_obj e, s;
	struct kt_peer p;
	pid_t pid;

	ASSERT_EQ(0, kt_peer_start(&p, NULL));
	pid = p.pid;
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, 0, "bind");
	KNL_EXPECT(&e, "bind", { KIPC_A_TYPE, KIPC_TYPE_SESSION },
		   { KIPC_A_PID, pid }, { KIPC_A_UID, 0 });
	s = e;
	ASSERT_EQ(0, kt_peer_exit(&p));
	/* a bound process exited: PEER_EXIT, and its session left */
	expect_ev(_metadata, self, &e, KIPC_CMD_PEER_EXIT, s.v[KIPC_A_ID],
		  "exit");
	KNL_EXPECT(&e, "exit", { KIPC_A_PID, pid });
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_DEL, s.v[KIPC_A_ID],
		  "session gone");
	KNL_EXPECT(&e, "session gone", { KIPC_A_TYPE, KIPC_TYPE_SESSION });
	expect_none(_metadata, self, "after the exit");
}

TEST_F(ev, link_up_then_peer_exit_before_link_down)
{
	struct knl_obj e, ps, up;
	struct kt_peer p;
	pid_t peer;
	int lfd, i, seen_exit = 0, seen_down = 0, seen_del = 0;

	ASSERT_EQ(0, kipc_bind(self->sfd, 0, NULL));
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, 0, "my bind");
	ASSERT_EQ(0, kt_peer_start(&p, NULL));
	peer = p.pid;
	expect_ev(_metadata, self, &ps, KIPC_CMD_OBJ_NEW, 0, "peer's bind");
	KNL_EXPECT(&ps, "peer's bind", { KIPC_A_PID, peer });
	lfd = kipc_connect(self->sfd, peer, 0);
	ASSERT_LE(0, lfd);
	expect_ev(_metadata, self, &up, KIPC_CMD_LINK_UP, 0, "connect");
	KNL_EXPECT(&up, "LINK_UP", { KIPC_A_PID, getpid() },
		   { KIPC_A_PEER_PID, peer });
	ASSERT_TRUE(KNL_HAS(&up, KIPC_A_ID));
	/* connecting again makes no link */
	i = kipc_connect(self->sfd, peer, 0);
	ASSERT_LE(0, i);
	close(i);
	expect_none(_metadata, self, "second connect");

	kt_peer_kill(&p);
	for (i = 0; i < 3; i++) {
		expect_ev(_metadata, self, &e, 0, 0, "after SIGKILL");
		if (e.cmd == KIPC_CMD_PEER_EXIT) {
			EXPECT_EQ(0, seen_down) TH_LOG("LINK_DOWN first");
			KNL_EXPECT(&e, "PEER_EXIT", { KIPC_A_ID,
				   ps.v[KIPC_A_ID] }, { KIPC_A_PID, peer });
			seen_exit++;
		} else if (e.cmd == KIPC_CMD_LINK_DOWN) {
			KNL_EXPECT(&e, "LINK_DOWN", { KIPC_A_ID,
				   up.v[KIPC_A_ID] }, { KIPC_A_PID, getpid() },
				   { KIPC_A_PEER_PID, peer });
			seen_down++;
		} else if (e.cmd == KIPC_CMD_OBJ_DEL) {
			KNL_EXPECT(&e, "session OBJ_DEL", { KIPC_A_ID,
				   ps.v[KIPC_A_ID] },
				   { KIPC_A_TYPE, KIPC_TYPE_SESSION });
			seen_del++;
		} else {
			EXPECT_EQ(0, e.cmd) TH_LOG("unexpected event");
		}
	}
	EXPECT_EQ(1, seen_exit);
	EXPECT_EQ(1, seen_down);
	EXPECT_EQ(1, seen_del);
	expect_none(_metadata, self, "after the link went down");
	close(lfd);
	close(self->sfd);
	self->sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	wait_session_del(_metadata, self, getpid());
}

/* LIMIT_HIT events of @limit about @id in what comes now. */
static int count_hits(struct __test_metadata *_metadata,
		      FIXTURE_DATA(ev) *self, uint32_t limit, uint64_t id,
		      uint32_t type)
{
	struct knl_obj e;
	int n = 0;

	while (!next_ev(_metadata, self, &e, EV_NONE_MS)) {
		EXPECT_EQ(KIPC_CMD_LIMIT_HIT, e.cmd);
		if (e.cmd != KIPC_CMD_LIMIT_HIT)
			continue;
		KNL_EXPECT(&e, "LIMIT_HIT", { KIPC_A_LIMIT, limit },
			   { KIPC_A_UID, 0 }, { KIPC_A_PID, getpid() });
		if (id)
			KNL_EXPECT(&e, "LIMIT_HIT's object", { KIPC_A_ID, id },
				   { KIPC_A_TYPE, type });
		else
			EXPECT_FALSE(KNL_HAS(&e, KIPC_A_ID) &&
				     e.v[KIPC_A_ID]);
		n++;
	}
	return n;
}

TEST_F(ev, full_queue_reported_once_per_filling)
{
	struct kipc_queue_limits lim = { .max_msgs = 2 };
	char buf[8];
	uint64_t id;
	int q, i;

	struct knl_obj e;

	q = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND |
			    KIPC_O_RECV, 0600, &lim, &id);
	ASSERT_LE(0, q);
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, id, "new");

	ASSERT_EQ(0, kt_send_nb(q, "a", 1, 0));
	ASSERT_EQ(0, kt_send_nb(q, "b", 1, 0));
	EXPECT_EQ(-EAGAIN, kt_send_nb(q, "c", 1, 0));
	EXPECT_EQ(1, count_hits(_metadata, self, KIPC_LIMIT_FULL, id,
				KIPC_TYPE_QUEUE)) TH_LOG("first filling");
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-EAGAIN, kt_send_nb(q, "d", 1, 0));
	EXPECT_EQ(0, count_hits(_metadata, self, KIPC_LIMIT_FULL, id,
				KIPC_TYPE_QUEUE)) TH_LOG("still full");
	ASSERT_EQ(1, kt_recv_nb(q, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, kt_send_nb(q, "e", 1, 0));
	EXPECT_EQ(-EAGAIN, kt_send_nb(q, "f", 1, 0));
	EXPECT_EQ(1, count_hits(_metadata, self, KIPC_LIMIT_FULL, id,
				KIPC_TYPE_QUEUE)) TH_LOG("second filling");
	close(q);
}

TEST_F(ev, full_pipe_reported_once_per_filling)
{
	static char buf[KIPC_PIPE_ATOMIC];
	struct kipc_pipe_stat st;
	struct knl_obj e;
	int fds[2], i;
	uint32_t n;

	ASSERT_EQ(0, kipc_pipe(self->sfd, fds, KIPC_O_NONBLOCK));
	ASSERT_EQ(0, kipc_pipe_stat(fds[0], &st));
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, st.id, "new");
	KNL_EXPECT(&e, "new pipe", { KIPC_A_TYPE, KIPC_TYPE_PIPE });
	for (n = 0; n < st.capacity; n += sizeof(buf))
		ASSERT_EQ((ssize_t)sizeof(buf), write(fds[1], buf, sizeof(buf)));
	EXPECT_EQ(-1, write(fds[1], buf, 1));
	EXPECT_EQ(1, count_hits(_metadata, self, KIPC_LIMIT_FULL, st.id,
				KIPC_TYPE_PIPE)) TH_LOG("first filling");
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-1, write(fds[1], buf, 1));
	EXPECT_EQ(0, count_hits(_metadata, self, KIPC_LIMIT_FULL, st.id,
				KIPC_TYPE_PIPE)) TH_LOG("still full");
	ASSERT_EQ(100, read(fds[0], buf, 100));
	ASSERT_EQ(100, write(fds[1], buf, 100));
	EXPECT_EQ(-1, write(fds[1], buf, 1));
	EXPECT_EQ(1, count_hits(_metadata, self, KIPC_LIMIT_FULL, st.id,
				KIPC_TYPE_PIPE)) TH_LOG("second filling");
	close(fds[0]);
	close(fds[1]);
}

static int link_send_nb(int lfd, const char *s)
{
	return kipc_link_timedsend(lfd, 0, s, strlen(s), 0, KIPC_MSG_NONBLOCK,
				   0);
}

TEST_F(ev, full_link_direction_reported_once_per_filling)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 2 } };
	struct kt_peer_res res;
	struct knl_obj e, up;
	struct kt_peer p;
	pid_t peer;
	int lfd, i;

	ASSERT_EQ(0, kipc_bind(self->sfd, 0, NULL));
	ASSERT_EQ(0, kt_peer_start(&p, &o));
	lfd = kipc_connect(self->sfd, p.pid, KIPC_O_NONBLOCK);
	ASSERT_LE(0, lfd);
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, 0, "my bind");
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, 0, "peer's bind");
	expect_ev(_metadata, self, &up, KIPC_CMD_LINK_UP, 0, "connect");

	ASSERT_EQ(0, link_send_nb(lfd, "a"));
	ASSERT_EQ(0, link_send_nb(lfd, "b"));
	EXPECT_EQ(-EAGAIN, link_send_nb(lfd, "c"));
	EXPECT_EQ(1, count_hits(_metadata, self, KIPC_LIMIT_FULL,
				up.v[KIPC_A_ID], KIPC_TYPE_LINK));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-EAGAIN, link_send_nb(lfd, "d"));
	EXPECT_EQ(0, count_hits(_metadata, self, KIPC_LIMIT_FULL,
				up.v[KIPC_A_ID], KIPC_TYPE_LINK));
	ASSERT_EQ(1, kt_peer_recv(&p, -1, 0, 5000, &res));
	ASSERT_EQ(0, link_send_nb(lfd, "e"));
	EXPECT_EQ(-EAGAIN, link_send_nb(lfd, "f"));
	EXPECT_EQ(1, count_hits(_metadata, self, KIPC_LIMIT_FULL,
				up.v[KIPC_A_ID], KIPC_TYPE_LINK));
	/* no event of this test may reach the next one */
	peer = p.pid;
	kt_peer_kill(&p);
	wait_session_del(_metadata, self, peer);
	close(lfd);
	close(self->sfd);
	self->sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	wait_session_del(_metadata, self, getpid());
}

TEST_F(ev, quota_refusals_reported_each_time)
{
	unsigned long long saved_q, saved_b;
	struct knl_obj o;
	char name[KT_NAME_LEN];
	int i, ret;

	snprintf(name, sizeof(name), "kn-%d-quota", getpid());
	ASSERT_EQ(0, kt_param_read("queues_per_user", &saved_q));
	ASSERT_EQ(0, kt_param_read("bytes_per_user", &saved_b));
	ASSERT_EQ(0, kt_param_write("queues_per_user", 0));
	for (i = 0; i < 3; i++) {
		ret = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT |
				      KIPC_O_SEND, 0600, NULL, NULL);
		EXPECT_EQ(-EDQUOT, ret);
	}
	EXPECT_EQ(-EDQUOT, knl_new(&self->nl, KIPC_TYPE_QUEUE, name, NULL,
				   &o));
	ASSERT_EQ(0, kt_param_write("queues_per_user", saved_q));
	EXPECT_EQ(4, count_hits(_metadata, self, KIPC_LIMIT_USER_OBJECTS, 0,
				0));
	ASSERT_EQ(0, kt_param_write("bytes_per_user", 1));
	for (i = 0; i < 2; i++)
		EXPECT_EQ(-EDQUOT, kipc_queue_open(self->sfd, NULL,
						   KIPC_O_CREAT | KIPC_O_SEND,
						   0600, NULL, NULL));
	ASSERT_EQ(0, kt_param_write("bytes_per_user", saved_b));
	EXPECT_EQ(2, count_hits(_metadata, self, KIPC_LIMIT_USER_BYTES, 0,
				0));
}

TEST_F(ev, oversized_message_reported_with_its_queue)
{
	struct kipc_queue_limits lim = { .max_msgsize = 4 };
	struct knl_obj e;
	uint64_t id;
	int q;

	q = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND,
			    0600, &lim, &id);
	ASSERT_LE(0, q);
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, id, "new");
	EXPECT_EQ(-EMSGSIZE, kt_send_nb(q, "12345", 5, 0));
	EXPECT_EQ(-EMSGSIZE, kt_send_nb(q, "12345", 5, 0));
	EXPECT_EQ(2, count_hits(_metadata, self, KIPC_LIMIT_MSGSIZE, id,
				KIPC_TYPE_QUEUE));
	close(q);
}

/* A listener that does not read: ENOBUFS, then a gap in KIPC_A_SEQ. */
TEST_F(ev, overflow_is_enobufs_then_a_gap_in_seq)
{
	struct knl slow;
	struct knl_obj e;
	uint64_t first = 0, last = 0, id;
	unsigned int got = 0, enobufs = 0, i, n = 300;
	int small = 1, fd, ret;

	KNL_OPEN(&slow);
	ASSERT_EQ(0, setsockopt(slow.fd, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	ASSERT_EQ(0, knl_join_events(&slow));
	for (i = 0; i < n; i++) {
		fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT |
				     KIPC_O_SEND, 0600, NULL, &id);
		ASSERT_LE(0, fd);
		close(fd);
	}
	for (;;) {
		ret = knl_event(&slow, &e, EV_NONE_MS);
		if (ret == -ENOBUFS) {
			enobufs++;
			continue;
		}
		if (ret)
			break;
		if (!first)
			first = e.v[KIPC_A_SEQ];
		last = e.v[KIPC_A_SEQ];
		got++;
	}
	EXPECT_EQ(-EAGAIN, ret);
	TH_LOG("%u of %u events read, %u ENOBUFS, seq %llu..%llu", got,
	       2 * n, enobufs, (unsigned long long)first,
	       (unsigned long long)last);
	EXPECT_LE(1U, enobufs);
	EXPECT_GT(2 * n, got);
	/* the next event's sequence number tells how many were lost */
	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, knl_event(&slow, &e, EV_WAIT_MS));
	EXPECT_EQ(KIPC_CMD_OBJ_NEW, e.cmd);
	EXPECT_EQ(id, e.v[KIPC_A_ID]);
	EXPECT_EQ(first + 2 * n, e.v[KIPC_A_SEQ]);
	close(fd);
	knl_close(&slow);
	/* the fixture's listener overflowed too: forget it */
	knl_close(&self->ev);
}

TEST_F(ev, two_listeners_see_the_same_events)
{
	struct knl_obj e1, e2;
	struct knl ev2;
	uint64_t id;

	KNL_OPEN(&ev2);
	ASSERT_EQ(0, knl_join_events(&ev2));
	ASSERT_EQ(0, new_named(self, "two", 0644, &id));
	expect_ev(_metadata, self, &e1, KIPC_CMD_OBJ_NEW, id, "first");
	ASSERT_EQ(0, knl_event(&ev2, &e2, EV_WAIT_MS));
	EXPECT_EQ(e1.cmd, e2.cmd);
	EXPECT_EQ(e1.v[KIPC_A_SEQ], e2.v[KIPC_A_SEQ]);
	EXPECT_EQ(0, memcmp(e1.v, e2.v, sizeof(e1.v)));
	/* a listener that closes: the others go on */
	knl_close(&ev2);
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->names.name[0]));
	expect_ev(_metadata, self, &e1, KIPC_CMD_OBJ_DEL, id, "del");
}

/* Listen in a child that is killed while listening: nothing stays. */
TEST_F(ev, listener_killed_while_listening)
{
	pid_t pid = kt_fork();
	struct knl_obj e;
	uint64_t id;
	int st;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct knl ev;
		struct knl_obj e;

		if (knl_open(&ev) || knl_join_events(&ev))
			_exit(KT_CHILD_SETUP);
		for (;;)
			knl_event(&ev, &e, 1000);
	}
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	ASSERT_EQ(0, new_named(self, "k", 0600, &id));
	kill(pid, SIGKILL);
	st = kt_reap(pid);
	EXPECT_EQ(KT_CHILD_KILLED, st);
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->names.name[0]));
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_NEW, id, "new");
	expect_ev(_metadata, self, &e, KIPC_CMD_OBJ_DEL, id, "del");
}

KT_HARNESS_MAIN
