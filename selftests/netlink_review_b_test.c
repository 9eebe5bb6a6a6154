// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions and links through the generic netlink family, the cases a
 * review of link.c looked at: a bound process that exits while another
 * process holds its session fd (the exit hook, not the close, ends it:
 * PEER_EXIT, LINK_DOWN, OBJ_DEL in that order, nothing when the holder
 * closes later); the message counters of a link and its sessions across a
 * receive that could not copy out (the message is given back, and so is
 * its count), a read(2) that could not either, and a call with its reply;
 * the statistics of sessions that never bound or failed to bind; dumps
 * and gets of sessions and links while they come and go (for KASAN and
 * lockdep on the debug kernel).
 */
#include "kipc_test.h"
#include "kipc_nl.h"

#define RB_WAIT_MS	5000	/* an event that must come */
#define RB_NONE_MS	300	/* events are sent within the syscall */

FIXTURE(rb) {
	int sfd;
	struct knl nl;		/* requests */
	struct knl ev;		/* the listener */
};

FIXTURE_SETUP(rb)
{
	self->nl.fd = self->ev.fd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	KNL_OPEN(&self->nl);
	KNL_OPEN(&self->ev);
	ASSERT_EQ(0, knl_join_events(&self->ev));
}

FIXTURE_TEARDOWN(rb)
{
	knl_close(&self->ev);
	knl_close(&self->nl);
	if (self->sfd >= 0)
		close(self->sfd);
}

/* The next event, which must be @cmd. */
static void expect_ev(struct __test_metadata *_metadata, struct knl *ev,
		      struct knl_obj *e, uint8_t cmd, const char *what)
{
	int ret = knl_event(ev, e, RB_WAIT_MS);

	ASSERT_EQ(0, ret) TH_LOG("%s: no event: %s", what, strerror(-ret));
	EXPECT_EQ(cmd, e->cmd) TH_LOG("%s: command", what);
}

static void stats(struct __test_metadata *_metadata, struct knl *nl,
		  struct knl_stats *s)
{
	ASSERT_EQ(0, knl_stats(nl, s));
}

TEST_F(rb, exit_while_another_process_holds_the_session_fd)
{
	struct knl_obj e, ps, up, o;
	struct knl_stats s0, s1;
	char buf[16];
	struct kt_peer p;
	pid_t peer;
	int hfd;

	stats(_metadata, &self->nl, &s0);
	ASSERT_EQ(0, kipc_bind(self->sfd, 0, NULL));
	expect_ev(_metadata, &self->ev, &e, KIPC_CMD_OBJ_NEW, "my bind");
	ASSERT_EQ(0, kt_peer_start(&p, NULL));
	peer = p.pid;
	expect_ev(_metadata, &self->ev, &ps, KIPC_CMD_OBJ_NEW, "peer's bind");
	KNL_EXPECT(&ps, "peer's bind", { KIPC_A_TYPE, KIPC_TYPE_SESSION },
		   { KIPC_A_PID, peer });
	ASSERT_LE(0, kt_peer_connect(&p, 0, getpid(), 0));
	expect_ev(_metadata, &self->ev, &up, KIPC_CMD_LINK_UP, "connect");
	KNL_EXPECT(&up, "LINK_UP", { KIPC_A_PID, peer },
		   { KIPC_A_PEER_PID, getpid() });

	/* the test holds the peer's session fd: the peer's exit is no close */
	hfd = kt_peer_get_fd(&p, -1);
	ASSERT_LE(0, hfd);
	ASSERT_EQ(0, kt_peer_exit(&p));

	expect_ev(_metadata, &self->ev, &e, KIPC_CMD_PEER_EXIT, "exit");
	KNL_EXPECT(&e, "PEER_EXIT", { KIPC_A_ID, ps.v[KIPC_A_ID] },
		   { KIPC_A_PID, peer });
	expect_ev(_metadata, &self->ev, &e, KIPC_CMD_LINK_DOWN, "link down");
	KNL_EXPECT(&e, "LINK_DOWN", { KIPC_A_ID, up.v[KIPC_A_ID] },
		   { KIPC_A_PID, getpid() }, { KIPC_A_PEER_PID, peer });
	expect_ev(_metadata, &self->ev, &e, KIPC_CMD_OBJ_DEL, "session gone");
	KNL_EXPECT(&e, "OBJ_DEL", { KIPC_A_ID, ps.v[KIPC_A_ID] },
		   { KIPC_A_TYPE, KIPC_TYPE_SESSION }, { KIPC_A_PID, peer });
	EXPECT_EQ(-ENOENT, knl_get_id(&self->nl, ps.v[KIPC_A_ID], &o));

	/* the link stays listed, down, until this side forgets it */
	ASSERT_EQ(0, knl_get_id(&self->nl, up.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "link after the exit",
		   { KIPC_A_STATE, KIPC_LINK_STATE_DOWN }, { KIPC_A_PID, 0 },
		   { KIPC_A_PEER_PID, getpid() });

	/* the holder's close is no second end */
	close(hfd);
	EXPECT_EQ(-EAGAIN, knl_event(&self->ev, &e, RB_NONE_MS))
		TH_LOG("event %u after the holder's close", e.cmd);

	EXPECT_EQ(-ECONNRESET, kipc_link_recv(self->sfd, peer, buf,
					       sizeof(buf), NULL));
	EXPECT_EQ(-ENOENT, knl_get_id(&self->nl, up.v[KIPC_A_ID], &o));
	stats(_metadata, &self->nl, &s1);
	EXPECT_EQ(s0.objects[KIPC_TYPE_SESSION] + 1,
		  s1.objects[KIPC_TYPE_SESSION]);
	EXPECT_EQ(s0.created[KIPC_TYPE_SESSION] + 2,
		  s1.created[KIPC_TYPE_SESSION]);
	EXPECT_EQ(s0.objects[KIPC_TYPE_LINK], s1.objects[KIPC_TYPE_LINK]);
	EXPECT_EQ(s0.created[KIPC_TYPE_LINK] + 1, s1.created[KIPC_TYPE_LINK]);
}

/* The session of @pid, or the link between the test and @pid, by dump. */
struct rb_find {
	uint32_t type;
	pid_t pid;
	struct knl_obj o;
	int found;
};

static int rb_find_cb(const struct knl_obj *o, void *arg)
{
	struct rb_find *f = arg;
	pid_t me = getpid();

	if (o->v[KIPC_A_TYPE] != f->type)
		return 0;
	if ((f->type == KIPC_TYPE_SESSION &&
	     o->v[KIPC_A_PID] == (uint64_t)f->pid) ||
	    (f->type == KIPC_TYPE_LINK &&
	     ((o->v[KIPC_A_PID] == (uint64_t)me &&
	       o->v[KIPC_A_PEER_PID] == (uint64_t)f->pid) ||
	      (o->v[KIPC_A_PEER_PID] == (uint64_t)me &&
	       o->v[KIPC_A_PID] == (uint64_t)f->pid)))) {
		f->o = *o;
		f->found++;
	}
	return 0;
}

static int rb_find(struct knl *nl, uint32_t type, pid_t pid,
		   struct knl_obj *o)
{
	struct rb_find f = { .type = type, .pid = pid };
	int ret = knl_dump(nl, type, -1, rb_find_cb, &f, NULL);

	*o = f.o;
	return ret ? ret : f.found;
}

TEST_F(rb, counters_across_a_message_given_back_and_a_call)
{
	struct kipc_link_recv r;
	struct knl_obj me, ps, link, o;
	struct kt_peer_cmd serve = { .op = KT_PEER_SERVE, .count = 1 };
	struct kt_peer_res res;
	struct kt_peer p;
	char buf[64], *bad;
	int lfd;

	/* a buffer the kernel cannot write to */
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	ASSERT_EQ(0, kipc_bind(self->sfd, 0, NULL));
	ASSERT_EQ(0, kt_peer_start(&p, NULL));
	lfd = kipc_connect(self->sfd, p.pid, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(1, rb_find(&self->nl, KIPC_TYPE_SESSION, getpid(), &me));
	ASSERT_EQ(1, rb_find(&self->nl, KIPC_TYPE_SESSION, p.pid, &ps));
	ASSERT_EQ(1, rb_find(&self->nl, KIPC_TYPE_LINK, p.pid, &link));

	ASSERT_EQ(0, kt_peer_send(&p, -1, getpid(), "hello", 0));
	/* a receive that cannot copy out gives the message back */
	kt_link_recv_args(&r, 0, bad, sizeof(buf));
	r.flags = KIPC_MSG_NONBLOCK;
	EXPECT_EQ(-EFAULT, kt_ioctl(lfd, KIPC_IOC_LINK_RECV, &r));
	EXPECT_EQ(-1, read(lfd, bad, sizeof(buf)));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, knl_get_id(&self->nl, link.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "link, given back twice", { KIPC_A_MSGS, 1 },
		   { KIPC_A_BYTES, 5 }, { KIPC_A_MSGS_IN, 1 },
		   { KIPC_A_BYTES_IN, 5 }, { KIPC_A_MSGS_OUT, 0 },
		   { KIPC_A_BYTES_OUT, 0 });
	ASSERT_EQ(0, knl_get_id(&self->nl, me.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "my session, given back twice", { KIPC_A_MSGS, 1 },
		   { KIPC_A_MSGS_IN, 1 }, { KIPC_A_MSGS_OUT, 0 },
		   { KIPC_A_BYTES_OUT, 0 });
	ASSERT_EQ(5, read(lfd, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "hello", 5));

	/* a call: the request and its reply, each in and out */
	ASSERT_EQ(0, kt_peer_post(&p, &serve));
	ASSERT_EQ(7, kipc_call(lfd, 0, "ping", 4, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, memcmp(buf, "re:ping", 7));
	ASSERT_EQ(0, kt_peer_result(&p, &res, KT_PEER_WAIT_MS));
	EXPECT_EQ(1, res.ret);

	ASSERT_EQ(0, knl_get_id(&self->nl, link.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "link after the call", { KIPC_A_MSGS, 0 },
		   { KIPC_A_BYTES, 0 }, { KIPC_A_MSGS_IN, 3 },
		   { KIPC_A_MSGS_OUT, 3 }, { KIPC_A_BYTES_IN, 5 + 4 + 7 },
		   { KIPC_A_BYTES_OUT, 5 + 4 + 7 });
	ASSERT_EQ(0, knl_get_id(&self->nl, me.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "my session after the call", { KIPC_A_MSGS, 0 },
		   { KIPC_A_MSGS_IN, 2 }, { KIPC_A_MSGS_OUT, 2 },
		   { KIPC_A_BYTES_IN, 5 + 7 }, { KIPC_A_BYTES_OUT, 5 + 7 },
		   { KIPC_A_WAITERS, 0 });
	ASSERT_EQ(0, knl_get_id(&self->nl, ps.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "the server's session after the call",
		   { KIPC_A_MSGS, 0 }, { KIPC_A_MSGS_IN, 1 },
		   { KIPC_A_MSGS_OUT, 1 }, { KIPC_A_BYTES_IN, 4 },
		   { KIPC_A_BYTES_OUT, 4 }, { KIPC_A_WAITERS, 0 });
	close(lfd);
	kt_peer_kill(&p);
	munmap(bad, 4096);
}

TEST_F(rb, sessions_that_never_bound_or_failed_to_bind_are_not_counted)
{
	struct knl_stats s0, s1, s2;
	struct knl_obj e;
	int fd1, fd2;

	stats(_metadata, &self->nl, &s0);
	fd1 = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd1);
	close(fd1);				/* never bound */
	fd1 = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	fd2 = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kipc_bind(fd1, 0, NULL));
	expect_ev(_metadata, &self->ev, &e, KIPC_CMD_OBJ_NEW, "bind");
	EXPECT_EQ(-EBUSY, kipc_bind(fd1, 0, NULL));	/* bound already */
	EXPECT_EQ(-EBUSY, kipc_bind(fd2, 0, NULL));	/* the process is */
	EXPECT_EQ(-EAGAIN, knl_event(&self->ev, &e, RB_NONE_MS))
		TH_LOG("event %u after refused binds", e.cmd);
	stats(_metadata, &self->nl, &s1);
	EXPECT_EQ(s0.created[KIPC_TYPE_SESSION] + 1,
		  s1.created[KIPC_TYPE_SESSION]);
	EXPECT_EQ(s0.objects[KIPC_TYPE_SESSION] + 1,
		  s1.objects[KIPC_TYPE_SESSION]);
	close(fd2);
	close(fd1);
	expect_ev(_metadata, &self->ev, &e, KIPC_CMD_OBJ_DEL, "close");
	KNL_EXPECT(&e, "OBJ_DEL", { KIPC_A_TYPE, KIPC_TYPE_SESSION },
		   { KIPC_A_PID, getpid() });
	stats(_metadata, &self->nl, &s2);
	EXPECT_EQ(s0.objects[KIPC_TYPE_SESSION],
		  s2.objects[KIPC_TYPE_SESSION]);
	EXPECT_EQ(s0.created[KIPC_TYPE_SESSION] + 1,
		  s2.created[KIPC_TYPE_SESSION]);
}

#define RB_CHURN_ROUNDS	40	/* pairs of peers linked, then killed */

/* Two peers link, then both are killed, @rounds times: 0 or KT_CHILD_*. */
static int rb_churn(int rounds)
{
	struct kt_peer a, b;
	int i;

	for (i = 0; i < rounds; i++) {
		if (kt_peer_start(&a, NULL))
			return KT_CHILD_SETUP;
		if (kt_peer_start(&b, NULL)) {
			kt_peer_kill(&a);
			return KT_CHILD_SETUP;
		}
		if (kt_peer_connect(&a, 0, b.pid, 0) < 0 ||
		    kt_peer_send(&a, 0, 0, "x", 0) < 0) {
			kt_peer_kill(&a);
			kt_peer_kill(&b);
			return KT_CHILD_WRONG;
		}
		kt_peer_kill(i & 1 ? &a : &b);
		kt_peer_kill(i & 1 ? &b : &a);
	}
	return 0;
}

struct rb_ids {
	uint64_t id[256];
	unsigned int n, bad;
};

static int rb_ids_cb(const struct knl_obj *o, void *arg)
{
	struct rb_ids *ids = arg;

	if (o->v[KIPC_A_TYPE] != KIPC_TYPE_SESSION &&
	    o->v[KIPC_A_TYPE] != KIPC_TYPE_LINK)
		return 0;
	if (!KNL_HAS(o, KIPC_A_ID) || !KNL_HAS(o, KIPC_A_MSGS_IN) ||
	    !KNL_HAS(o, KIPC_A_PID))
		ids->bad++;
	if (ids->n < ARRAY_SIZE(ids->id))
		ids->id[ids->n++] = o->v[KIPC_A_ID];
	return 0;
}

TEST_F(rb, dumps_and_gets_while_sessions_and_links_come_and_go)
{
	struct rb_ids ids;
	struct knl_obj o;
	unsigned int i, dumps = 0;
	pid_t churner;
	int ret, status;

	churner = kt_fork();
	ASSERT_LE(0, churner);
	if (churner == 0)
		_exit(rb_churn(RB_CHURN_ROUNDS));
	while (waitpid(churner, &status, WNOHANG) == 0) {
		memset(&ids, 0, sizeof(ids));
		ret = knl_dump(&self->nl, 0, -1, rb_ids_cb, &ids, NULL);
		ASSERT_EQ(0, ret) TH_LOG("dump: %s", strerror(-ret));
		EXPECT_EQ(0U, ids.bad);
		for (i = 0; i < ids.n; i++) {
			ret = knl_get_id(&self->nl, ids.id[i], &o);
			EXPECT_TRUE(ret == 0 || ret == -ENOENT)
				TH_LOG("get %llu: %s",
				       (unsigned long long)ids.id[i],
				       strerror(-ret));
		}
		dumps++;
	}
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_LT(0U, dumps);
	TH_LOG("%u dumps during %d rounds of churn", dumps, RB_CHURN_ROUNDS);
	/* what the churn made is gone: no link is left */
	EXPECT_EQ(0, knl_count(&self->nl, KIPC_TYPE_LINK));
}

KT_HARNESS_MAIN
