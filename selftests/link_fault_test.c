// SPDX-License-Identifier: GPL-2.0
/*
 * kipc direct links under allocation failure: every path of the link
 * ioctls that can allocate, swept with fail-nth as kipc_test.h's
 * kt_fault_sweep() does it (the n-th injectable call failing, then every
 * call from the n-th on):
 *
 *   bind          KIPC_IOC_BIND, a process's first bound session: the
 *                 endpoint and the process's exit watch (kmod/proc.c)
 *   connect       KIPC_IOC_CONNECT, first contact: the link, both
 *                 endpoints' xarray entries, the link fd; connect-again:
 *                 the fd of a link that exists
 *   send-*        KIPC_IOC_LINK_SEND by pid on the session, on a link fd,
 *                 over a page, and as first contact (the link made too)
 *   recv-*        KIPC_IOC_LINK_RECV by pid, on a link fd, from any peer,
 *                 each of them carrying the reply to a request, and by pid
 *                 as first contact (the receive makes the link)
 *   call-*        KIPC_IOC_LINK_CALL by pid, on a link fd, and as first
 *                 contact: the request and the preallocated cancel notice
 *   reply-*       KIPC_IOC_LINK_REPLY on the session and on a link fd
 *
 * The test process is one end and the only task with faults armed.  The
 * other end, the peer, is a child with a bound session of its own that
 * does what the test asks over a socket: it serves the calls and makes
 * the calls the test replies to, and no fault is ever injected into it.
 * The bind path runs in a new child per fault point, the child arming its
 * own fail-nth: only a process's first hook allocates its exit watch.
 *
 * After each injected failure: the errno is ENOMEM (or the call succeeded
 * where the kernel absorbed the failure: an xarray node allocated again
 * outside its lock, kmemleak's own pool, vmalloc() after kmalloc() for a
 * message over a page, whose every-call round is left out as in
 * queue_fault_test), nothing is half made and
 * everything still works.  A failed bind leaves the session unbound (no
 * one can connect, binding again works); a failed connect leaves no link
 * or one whole link (connecting from either side then gives one link that
 * carries messages both ways); a failed send delivered nothing; a failed
 * receive received nothing, and one carrying a reply sent no reply (the
 * caller still waits, a reply to it still works); a failed call queued no
 * request (the server receives the test's next plain message first, no
 * cancel notice follows) and the next call works; a failed reply let the
 * caller wait for a reply that still works.  Each link ends up empty.
 * links_max is 2 during the test, so that a link count left behind by a
 * failure shows as -EDQUOT; leaks are for kmemleak, which the runner
 * scans after rmmod in the debug kernel, and so is the log (KASAN,
 * lockdep, WARNING).
 *
 * Needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB with debugfs (the debug
 * kernel) and root; elsewhere the binary skips.  Each test prints
 * "# path NAME: N fault points" and how the failures ended.  The numbers
 * vary a little between runs: an xarray entry needs one node per level
 * (two levels for a pid of 64 or more), and the kernel's own bookkeeping
 * allocates now and then (a new slab's memcg vector, KASAN's stack depot).
 */
#include <poll.h>

#include "kipc_test.h"

#define MSG_TYPE	5	/* plain messages */
#define REQ_TYPE	77	/* requests */
#define WAIT_MS		10000	/* deadline of every blocking link call */
#define LINKS_MAX	2	/* links_max during the test */
#define LARGE_LEN	(4096 + 1000)	/* a message over a page */
#define PEER_DATA	128	/* payload bytes a peer command or result carries */

/*
 * Buffers and arguments of the calls under test live here: written after
 * the last fork() and locked (mlockall()), so that no page fault
 * (allocating) happens while a fault is armed.
 */
static char payload[LARGE_LEN];
static char rbuf[LARGE_LEN + 16];
static char reply_buf[PEER_DATA + 16];
static struct kipc_bind bind_args;
static struct kipc_connect connect_args;
static struct kipc_link_send send_args;
static struct kipc_link_recv recv_args;
static struct kipc_link_call call_args;
static struct kipc_link_reply reply_args;

/* ---- raw link ioctls: result or -errno ---- */

static long link_bind(int sfd)
{
	struct kipc_bind b = { .size = sizeof(b) };

	return kt_ioctl(sfd, KIPC_IOC_BIND, &b);
}

static long link_connect(int sfd, pid_t pid)
{
	struct kipc_connect c = {
		.size = sizeof(c),
		.flags = KIPC_O_CLOEXEC,
		.pid = pid,
	};

	return kt_ioctl(sfd, KIPC_IOC_CONNECT, &c);
}

static void send_args_set(struct kipc_link_send *s, pid_t pid,
			  const void *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->flags = KIPC_MSG_NONBLOCK;
	s->pid = pid;
	s->buf_ptr = (uintptr_t)buf;
	s->len = len;
	s->type = MSG_TYPE;
}

/* Send without waiting. */
static long link_send(int fd, pid_t pid, const void *buf, size_t len)
{
	struct kipc_link_send s;

	send_args_set(&s, pid, buf, len);
	return kt_ioctl(fd, KIPC_IOC_LINK_SEND, &s);
}

/* A receive from @pid (0: any) into @buf, not waiting unless @wait_ms. */
static void recv_args_set(struct kipc_link_recv *r, pid_t pid, void *buf,
			  size_t len, unsigned int wait_ms)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->pid = pid;
	r->buf_ptr = (uintptr_t)buf;
	r->buf_len = len;
	if (wait_ms) {
		r->flags = KIPC_MSG_DEADLINE;
		r->deadline_ns = kt_mono_ns() + wait_ms * NSEC_PER_MSEC;
	} else {
		r->flags = KIPC_MSG_NONBLOCK;
	}
}

static long link_recv(int fd, struct kipc_link_recv *r)
{
	return kt_ioctl(fd, KIPC_IOC_LINK_RECV, r);
}

static void call_args_set(struct kipc_link_call *c, pid_t pid,
			  const void *req, size_t len, void *reply,
			  size_t reply_len)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = KIPC_MSG_DEADLINE;
	c->pid = pid;
	c->req_ptr = (uintptr_t)req;
	c->req_len = len;
	c->type = REQ_TYPE;
	c->reply_ptr = (uintptr_t)reply;
	c->reply_len = reply_len;
	c->deadline_ns = kt_mono_ns() + WAIT_MS * NSEC_PER_MSEC;
}

static void reply_args_set(struct kipc_link_reply *y, uint64_t id,
			   const void *buf, size_t len)
{
	memset(y, 0, sizeof(*y));
	y->size = sizeof(*y);
	y->request_id = id;
	y->buf_ptr = (uintptr_t)buf;
	y->len = len;
	y->type = MSG_TYPE;
}

static long link_reply(int fd, uint64_t id, const void *buf, size_t len)
{
	struct kipc_link_reply y;

	reply_args_set(&y, id, buf, len);
	return kt_ioctl(fd, KIPC_IOC_LINK_REPLY, &y);
}

/* ---- the peer: a child with a bound session, driven over a socket ---- */

enum peer_op {
	PEER_BIND,		/* bind the session */
	PEER_REBIND,		/* a new bound session; the old one's links end */
	PEER_SEND,		/* send @data to @pid, not waiting */
	PEER_RECV,		/* receive from @pid (0: any), not waiting */
	PEER_CONNECT_SEND,	/* connect to @pid, send @data on the link fd */
	PEER_CONNECT_RECV,	/* connect to @pid, receive on the link fd */
	/*
	 * Acknowledge, then receive from any peer, waiting, and answer a
	 * request with "re:" + it (@aux: the reply's result).
	 */
	PEER_SERVE,
	PEER_CALL,		/* acknowledge, then call @pid with @data */
	PEER_EXIT,		/* _exit(0), no result */
};

/* A command (@op, @pid, @data) or its result (the rest, and @data). */
struct peer_msg {
	int32_t op;
	int32_t pid;
	int64_t ret;		/* the call's result: >= 0 or -errno */
	int64_t aux;
	uint64_t request_id;
	uint32_t kind;
	int32_t sender;		/* info.sender_pid */
	uint32_t sum;		/* kt_fnv1a() of all that was received */
	uint32_t len;		/* bytes of @data */
	char data[PEER_DATA];
};

struct peer {
	pid_t pid;		/* 0: none */
	int sock;		/* -1: none */
};

static void peer_msg_str(struct peer_msg *m, int op, pid_t pid,
			 const char *str)
{
	memset(m, 0, sizeof(*m));
	m->op = op;
	m->pid = pid;
	if (str) {
		m->len = strlen(str);
		memcpy(m->data, str, m->len);
	}
}

/* What a receive got, into @res. */
static void peer_got(struct peer_msg *res, long ret,
		     const struct kipc_link_recv *r, const char *buf)
{
	res->ret = ret;
	res->kind = r->kind;
	res->request_id = r->request_id;
	res->sender = r->info.sender_pid;
	if (ret > 0) {
		res->len = ret < PEER_DATA ? ret : PEER_DATA;
		memcpy(res->data, buf, res->len);
		res->sum = kt_fnv1a(2166136261U, buf, ret);
	}
}

static void peer_write(int sock, const struct peer_msg *m)
{
	if (write(sock, m, sizeof(*m)) != sizeof(*m))
		_exit(KT_CHILD_SETUP);
}

/* The peer's loop: never returns; no harness macro in here. */
static void peer_main(int sock, int sfd)
{
	static char buf[LARGE_LEN + 16], reply[PEER_DATA + 3];
	struct kipc_link_recv r;
	struct kipc_link_call c;
	struct peer_msg cmd, res;
	long fd;

	for (;;) {
		if (read(sock, &cmd, sizeof(cmd)) != sizeof(cmd))
			_exit(0);
		memset(&res, 0, sizeof(res));
		switch (cmd.op) {
		case PEER_BIND:
			res.ret = link_bind(sfd);
			break;
		case PEER_REBIND:
			close(sfd);
			sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
			res.ret = sfd < 0 ? -errno : link_bind(sfd);
			break;
		case PEER_SEND:
			res.ret = link_send(sfd, cmd.pid, cmd.data, cmd.len);
			break;
		case PEER_RECV:
			recv_args_set(&r, cmd.pid, buf, sizeof(buf), 0);
			peer_got(&res, link_recv(sfd, &r), &r, buf);
			break;
		case PEER_CONNECT_SEND:
		case PEER_CONNECT_RECV:
			fd = link_connect(sfd, cmd.pid);
			if (fd < 0) {
				res.ret = fd;
			} else if (cmd.op == PEER_CONNECT_SEND) {
				res.ret = link_send(fd, 0, cmd.data, cmd.len);
			} else {
				recv_args_set(&r, 0, buf, sizeof(buf), 0);
				peer_got(&res, link_recv(fd, &r), &r, buf);
			}
			if (fd >= 0)
				close(fd);
			break;
		case PEER_SERVE:
			peer_write(sock, &res);		/* the acknowledgment */
			recv_args_set(&r, 0, buf, PEER_DATA, WAIT_MS);
			peer_got(&res, link_recv(sfd, &r), &r, buf);
			if (res.ret >= 0 && r.kind == KIPC_LINK_REQUEST) {
				memcpy(reply, "re:", 3);
				memcpy(reply + 3, buf, res.ret);
				res.aux = link_reply(sfd, r.request_id, reply,
						     res.ret + 3);
			}
			break;
		case PEER_CALL:
			peer_write(sock, &res);		/* the acknowledgment */
			call_args_set(&c, cmd.pid, cmd.data, cmd.len, buf,
				      PEER_DATA);
			res.ret = kt_ioctl(sfd, KIPC_IOC_LINK_CALL, &c);
			if (res.ret > 0) {
				res.len = res.ret;
				memcpy(res.data, buf, res.len);
			}
			break;
		case PEER_EXIT:
		default:
			_exit(0);
		}
		peer_write(sock, &res);
	}
}

/*
 * Fork a child whose only fd besides 0, 1 and 2 is fd 3, its end of a new
 * socket pair (it keeps none of the test's sessions or fault files); in
 * the test, @p gets the child and the other end.  Returns the child's pid
 * (0 in the child) or -errno.
 */
static pid_t peer_fork(struct peer *p)
{
	struct timeval tv = { .tv_sec = WAIT_MS / 1000 + 5 };
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = kt_fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (pid == 0) {
		if (dup2(sv[1], 3) != 3)
			_exit(KT_CHILD_SETUP);
		close_range(4, ~0U, 0);
		return 0;
	}
	close(sv[1]);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	p->pid = pid;
	p->sock = sv[0];
	return pid;
}

/* End @p, however it is doing. */
static void peer_stop(struct peer *p)
{
	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		kt_wait(p->pid);
	}
	p->pid = 0;
}

/* Send a command without reading its result. */
static void peer_post(struct __test_metadata *_metadata, struct peer *p,
		      const struct peer_msg *cmd)
{
	ASSERT_EQ((ssize_t)sizeof(*cmd), write(p->sock, cmd, sizeof(*cmd)))
		TH_LOG("peer %d: %s", p->pid, strerror(errno));
}

/* Read the next result (or acknowledgment) of @p. */
static void peer_result(struct __test_metadata *_metadata, struct peer *p,
			struct peer_msg *res)
{
	ASSERT_EQ((ssize_t)sizeof(*res), read(p->sock, res, sizeof(*res)))
		TH_LOG("peer %d gave no result: %s", p->pid, strerror(errno));
}

/* Run one command and return its result's ret; @res (may be NULL) gets it. */
static long peer_do(struct __test_metadata *_metadata, struct peer *p,
		    int op, pid_t pid, const char *str, struct peer_msg *res)
{
	struct peer_msg cmd, tmp;

	peer_msg_str(&cmd, op, pid, str);
	peer_post(_metadata, p, &cmd);
	peer_result(_metadata, p, res ?: &tmp);
	return (res ?: &tmp)->ret;
}

/* Start a command that acknowledges first (PEER_SERVE, PEER_CALL). */
static void peer_start(struct __test_metadata *_metadata, struct peer *p,
		       int op, pid_t pid, const char *str)
{
	struct peer_msg cmd, ack;

	peer_msg_str(&cmd, op, pid, str);
	peer_post(_metadata, p, &cmd);
	peer_result(_metadata, p, &ack);
}

/* Has @p a result ready? */
static bool peer_ready(struct peer *p)
{
	struct pollfd pfd = { .fd = p->sock, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/* ---- the fixture ---- */

FIXTURE(fault) {
	int sfd;		/* the test's session, bound */
	pid_t me;
	struct kt_fault fault;	/* this thread's fail-nth, the knobs */
	bool knobs_set;
	unsigned long long links_max;	/* to restore; 0: not changed */
	struct peer b;		/* the peer */
	struct peer c;		/* the bind path's child of the round */
	int lfd;		/* a link fd to the peer, or -1 */
	int fd;			/* the fd the calls under test use */
	pid_t to;		/* ... and the pid they name (0 on a link fd) */
	uint64_t req_id;	/* the request the test took from the peer */
	size_t send_len;
	unsigned int seq;	/* makes every message unique */
	unsigned int round;	/* rounds of the sweep's check */
	char msg[64];		/* the message, request or reply of the round */
};

FIXTURE_SETUP(fault)
{
	pid_t pid;

	self->fault.nth = -1;
	self->fault.mif = -1;
	self->b.sock = -1;
	self->c.sock = -1;
	self->lfd = -1;
	self->me = getpid();
	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid() != 0)
		SKIP(return, "needs root");
	if (!kt_fault_available())
		SKIP(return, "no fail-nth or failslab in debugfs");
	ASSERT_EQ(0, link_bind(self->sfd));

	pid = peer_fork(&self->b);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);

		if (sfd < 0 || link_bind(sfd))
			_exit(KT_CHILD_SETUP);
		peer_main(3, sfd);
	}

	ASSERT_EQ(0, kt_fault_task_open(&self->fault));
	memset(payload, 'p', sizeof(payload));
	memset(rbuf, 0, sizeof(rbuf));
	/*
	 * Everything mapped now and later stays resident; after the fork
	 * above, this also copies every page the peer shares, so that no
	 * write of the test's takes a copy-on-write fault.  Fork no more
	 * in this process while faults may be armed.
	 */
	ASSERT_EQ(0, mlockall(MCL_CURRENT | MCL_FUTURE));
	/* global settings last: a failed setup has no teardown */
	ASSERT_EQ(0, kt_param_read("links_max", &self->links_max));
	ASSERT_EQ(0, kt_param_write("links_max", LINKS_MAX));
	self->knobs_set = true;
	kt_fault_knobs_set(_metadata, &self->fault);
}

FIXTURE_TEARDOWN(fault)
{
	kt_fault_task_close(&self->fault);
	peer_stop(&self->c);
	peer_stop(&self->b);
	if (self->lfd >= 0)
		close(self->lfd);
	close(self->sfd);
	if (self->knobs_set)
		kt_fault_knobs_restore(_metadata, &self->fault);
	if (self->links_max)
		EXPECT_EQ(0, kt_param_write("links_max", self->links_max));
}

/* ---- checks shared by the paths ---- */

/* The next unique string "@what N" in self->msg. */
static const char *next_msg(FIXTURE_DATA(fault) *self, const char *what)
{
	snprintf(self->msg, sizeof(self->msg), "%s %u", what, self->seq++);
	return self->msg;
}

/* Nothing more for the test to receive, from anyone. */
static void expect_empty(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self)
{
	struct kipc_link_recv r;

	recv_args_set(&r, 0, rbuf, sizeof(rbuf), 0);
	EXPECT_EQ(-EAGAIN, link_recv(self->sfd, &r))
		TH_LOG("the test received kind %u from %d", r.kind,
		       r.info.sender_pid);
}

/* Nothing more for the peer to receive, from anyone. */
static void expect_peer_empty(struct __test_metadata *_metadata,
			      FIXTURE_DATA(fault) *self)
{
	struct peer_msg res;

	EXPECT_EQ(-EAGAIN, peer_do(_metadata, &self->b, PEER_RECV, 0, NULL,
				   &res))
		TH_LOG("the peer received kind %u \"%.*s\" from %d", res.kind,
		       (int)res.len, res.data, res.sender);
}

/* The test receives @str from @from (on @fd), not waiting. */
static void expect_recv_str(struct __test_metadata *_metadata, int fd,
			    pid_t from, const char *str)
{
	struct kipc_link_recv r;
	long n;

	recv_args_set(&r, from, rbuf, sizeof(rbuf), 0);
	n = link_recv(fd, &r);
	ASSERT_EQ((long)strlen(str), n) TH_LOG("want \"%s\": %s", str,
					       n < 0 ? strerror(-n) : "");
	EXPECT_EQ(0, memcmp(str, rbuf, n));
	EXPECT_EQ((uint32_t)KIPC_LINK_MSG, r.kind);
}

/* The peer receives @str from the test (on its session, from any peer). */
static void expect_peer_recv_str(struct __test_metadata *_metadata,
				 FIXTURE_DATA(fault) *self, const char *str)
{
	struct peer_msg res;

	ASSERT_EQ((long)strlen(str), peer_do(_metadata, &self->b, PEER_RECV,
					     0, NULL, &res))
		TH_LOG("want \"%s\": %s", str, strerror(-res.ret));
	EXPECT_EQ(0, memcmp(str, res.data, res.len));
	EXPECT_EQ(self->me, res.sender);
	EXPECT_EQ((uint32_t)KIPC_LINK_MSG, res.kind);
}

/* A message from the test reaches the peer, and one back. */
static void expect_both_ways(struct __test_metadata *_metadata,
			     FIXTURE_DATA(fault) *self)
{
	const char *str = next_msg(self, "to peer");

	ASSERT_EQ(0, link_send(self->sfd, self->b.pid, str, strlen(str)));
	expect_peer_recv_str(_metadata, self, str);
	str = next_msg(self, "to test");
	ASSERT_EQ(0, peer_do(_metadata, &self->b, PEER_SEND, self->me, str,
			     NULL));
	expect_recv_str(_metadata, self->sfd, self->b.pid, str);
}

/*
 * No link between the test and the peer: the peer takes a new session
 * (its old one's links hang up), and the test collects the hang-up of
 * the old link, if there was one, which forgets that link.
 */
static void unlink_peer(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self)
{
	struct kipc_link_recv r;
	long ret;

	ASSERT_EQ(0, peer_do(_metadata, &self->b, PEER_REBIND, 0, NULL, NULL));
	recv_args_set(&r, 0, rbuf, sizeof(rbuf), 0);
	ret = link_recv(self->sfd, &r);
	if (ret == -ECONNRESET) {
		EXPECT_EQ(self->b.pid, r.info.sender_pid);
		ret = link_recv(self->sfd, &r);
	}
	ASSERT_EQ(-EAGAIN, ret) TH_LOG("%s", strerror(-ret));
}

static void connect_peer(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self)
{
	self->lfd = link_connect(self->sfd, self->b.pid);
	ASSERT_LE(0, self->lfd) TH_LOG("%s", strerror(-self->lfd));
}

/*
 * The test and the peer share one whole link: a link fd of the peer's and
 * the test's @fd (closed here) carry a message each way.  With @fd < 0,
 * the test connects now, after the peer or before it, by turns.
 */
static void expect_one_link(struct __test_metadata *_metadata,
			    FIXTURE_DATA(fault) *self, long fd)
{
	bool peer_first = fd < 0 && self->round++ % 2;
	struct peer_msg res;
	const char *str;

	if (peer_first) {
		str = next_msg(self, "peer first");
		ASSERT_EQ(0, peer_do(_metadata, &self->b, PEER_CONNECT_SEND,
				     self->me, str, NULL));
	}
	if (fd < 0) {
		fd = link_connect(self->sfd, self->b.pid);
		ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	}
	if (!peer_first) {
		str = next_msg(self, "peer second");
		ASSERT_EQ(0, peer_do(_metadata, &self->b, PEER_CONNECT_SEND,
				     self->me, str, NULL));
	}
	expect_recv_str(_metadata, fd, 0, self->msg);
	str = next_msg(self, "test");
	ASSERT_EQ(0, link_send(fd, 0, str, strlen(str)));
	ASSERT_EQ((long)strlen(str), peer_do(_metadata, &self->b,
					     PEER_CONNECT_RECV, self->me, NULL,
					     &res));
	EXPECT_EQ(0, memcmp(str, res.data, res.len));
	close(fd);
}

/* The calls under test go through @fd, naming the peer unless it is a link. */
static void use_fd(FIXTURE_DATA(fault) *self, int fd)
{
	self->fd = fd;
	self->to = fd == self->sfd ? self->b.pid : 0;
}

static void sweep(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
		  const struct kt_fault_path *p)
{
	kt_fault_sweep(_metadata, &self->fault, p, self);
}

/* ---- bind ---- */

static long call_bind(void *ctx)
{
	return kt_ioctl(*(int *)ctx, KIPC_IOC_BIND, &bind_args);
}

/*
 * In a new child, which becomes a peer afterwards: bind a new session
 * with the @n-th injectable call failing, and report the result and the
 * fault count before serving.
 */
static long run_bind(void *ctx, unsigned int n, bool onward, long *left)
{
	FIXTURE_DATA(fault) *self = ctx;
	struct kt_fault f = { .nth = -1, .mif = -1 };
	struct peer_msg res = { 0 };
	int sfd;
	pid_t pid;

	*left = -1;
	memset(&bind_args, 0, sizeof(bind_args));
	bind_args.size = sizeof(bind_args);
	pid = peer_fork(&self->c);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		/* a fork's memory is not locked: lock and copy it all */
		sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
		if (sfd < 0 || mlockall(MCL_CURRENT | MCL_FUTURE) ||
		    kt_fault_task_open(&f))
			_exit(KT_CHILD_SETUP);
		res.ret = kt_fault_call(&f, n, onward, call_bind, &sfd, left);
		res.aux = *left;
		kt_fault_task_close(&f);
		peer_write(3, &res);
		peer_main(3, sfd);
	}
	if (read(self->c.sock, &res, sizeof(res)) != sizeof(res))
		return -EIO;	/* with *left -1: the sweep fails */
	*left = res.aux;
	return res.ret;
}

static void check_bind(struct __test_metadata *_metadata, void *ctx, long ret)
{
	FIXTURE_DATA(fault) *self = ctx;
	struct peer *c = &self->c;
	struct kipc_link_recv r;
	struct peer_msg res;
	const char *str;
	long fd;

	if (ret < 0) {
		/* not bound: nobody reaches the child, it binds now */
		fd = link_connect(self->sfd, c->pid);
		EXPECT_EQ(-ECONNREFUSED, fd);
		if (fd >= 0)
			close(fd);
		ASSERT_EQ(0, peer_do(_metadata, c, PEER_BIND, 0, NULL, NULL));
	} else {
		EXPECT_EQ(-EBUSY, peer_do(_metadata, c, PEER_BIND, 0, NULL,
					  NULL));
	}
	/* bound once: a message each way */
	str = next_msg(self, "to child");
	ASSERT_EQ(0, link_send(self->sfd, c->pid, str, strlen(str)));
	ASSERT_EQ((long)strlen(str), peer_do(_metadata, c, PEER_RECV, 0, NULL,
					     &res));
	EXPECT_EQ(0, memcmp(str, res.data, res.len));
	EXPECT_EQ(self->me, res.sender);
	str = next_msg(self, "from child");
	ASSERT_EQ(0, peer_do(_metadata, c, PEER_SEND, self->me, str, NULL));
	expect_recv_str(_metadata, self->sfd, c->pid, str);

	/* its exit ends the link: reported once, then forgotten */
	peer_post(_metadata, c, &(struct peer_msg){ .op = PEER_EXIT });
	close(c->sock);
	c->sock = -1;
	EXPECT_EQ(0, kt_wait(c->pid));
	recv_args_set(&r, c->pid, rbuf, sizeof(rbuf), 0);
	EXPECT_EQ(-ECONNRESET, link_recv(self->sfd, &r));
	EXPECT_EQ(c->pid, r.info.sender_pid);
	c->pid = 0;
	expect_empty(_metadata, self);
}

/* A process's first bound session: its endpoint and its exit watch. */
TEST_F(fault, bind)
{
	static const struct kt_fault_path p = {
		.name = "bind",
		.run = run_bind,
		.check = check_bind,
	};

	sweep(_metadata, self, &p);
}

/* ---- connect ---- */

static void prepare_unlinked(struct __test_metadata *_metadata, void *ctx)
{
	unlink_peer(_metadata, ctx);
}

static long call_connect(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	return kt_ioctl(self->sfd, KIPC_IOC_CONNECT, &connect_args);
}

static void check_connect(struct __test_metadata *_metadata, void *ctx,
			  long ret)
{
	FIXTURE_DATA(fault) *self = ctx;

	expect_one_link(_metadata, self, ret);
	expect_empty(_metadata, self);
	expect_peer_empty(_metadata, self);
}

/* First contact: the link, the xarray entries of both ends, the fd. */
TEST_F(fault, connect)
{
	static const struct kt_fault_path p = {
		.name = "connect",
		.call = call_connect,
		.check = check_connect,
		.prepare = prepare_unlinked,
	};

	memset(&connect_args, 0, sizeof(connect_args));
	connect_args.size = sizeof(connect_args);
	connect_args.flags = KIPC_O_CLOEXEC;
	connect_args.pid = self->b.pid;
	sweep(_metadata, self, &p);
}

/* The link exists: only the fd is new. */
TEST_F(fault, connect_again)
{
	static const struct kt_fault_path p = {
		.name = "connect-again",
		.call = call_connect,
		.check = check_connect,
	};

	connect_peer(_metadata, self);
	memset(&connect_args, 0, sizeof(connect_args));
	connect_args.size = sizeof(connect_args);
	connect_args.flags = KIPC_O_CLOEXEC;
	connect_args.pid = self->b.pid;
	sweep(_metadata, self, &p);
}

/* ---- send ---- */

static void prepare_send(struct __test_metadata *_metadata, void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	(void)_metadata;
	/* a payload of its own each round */
	memset(payload, 'a' + self->seq++ % 26, self->send_len);
	send_args_set(&send_args, self->to, payload, self->send_len);
}

static void prepare_send_unlinked(struct __test_metadata *_metadata,
				  void *ctx)
{
	unlink_peer(_metadata, ctx);
	prepare_send(_metadata, ctx);
}

static long call_send(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	return kt_ioctl(self->fd, KIPC_IOC_LINK_SEND, &send_args);
}

static void check_send(struct __test_metadata *_metadata, void *ctx,
		       long ret)
{
	FIXTURE_DATA(fault) *self = ctx;
	struct peer_msg res;

	if (ret < 0) {
		/* nothing delivered; one link, that works */
		expect_peer_empty(_metadata, self);
		expect_one_link(_metadata, self, -1);
		expect_both_ways(_metadata, self);
	} else {
		EXPECT_EQ(0, ret);
		ASSERT_EQ((long)self->send_len,
			  peer_do(_metadata, &self->b, PEER_RECV, 0, NULL,
				  &res));
		EXPECT_EQ(kt_fnv1a(2166136261U, payload, self->send_len),
			  res.sum);
		EXPECT_EQ(self->me, res.sender);
	}
	expect_peer_empty(_metadata, self);
	expect_empty(_metadata, self);
}

static void sweep_send(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, const char *name, int fd,
		       size_t len, bool unlinked)
{
	struct kt_fault_path p = {
		.name = name,
		.call = call_send,
		.check = check_send,
		.prepare = unlinked ? prepare_send_unlinked : prepare_send,
		.vmalloc = len > 4096,
	};

	use_fd(self, fd);
	self->send_len = len;
	sweep(_metadata, self, &p);
}

TEST_F(fault, send_by_pid)
{
	connect_peer(_metadata, self);
	sweep_send(_metadata, self, "send-pid", self->sfd, 64, false);
}

TEST_F(fault, send_on_link_fd)
{
	connect_peer(_metadata, self);
	sweep_send(_metadata, self, "send-link", self->lfd, 64, false);
}

TEST_F(fault, send_larger_than_a_page)
{
	connect_peer(_metadata, self);
	sweep_send(_metadata, self, "send-pid-5096", self->sfd, LARGE_LEN,
		   false);
}

/* The send makes the link: link, xarray entries, then the message. */
TEST_F(fault, send_first_contact)
{
	sweep_send(_metadata, self, "send-first", self->sfd, 64, true);
}

/* ---- receive, and receive carrying a reply ---- */

static void prepare_recv(struct __test_metadata *_metadata, void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	ASSERT_EQ(0, peer_do(_metadata, &self->b, PEER_SEND, self->me,
			     next_msg(self, "queued"), NULL));
	recv_args_set(&recv_args, self->to, rbuf, sizeof(rbuf), 0);
}

static long call_recv(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	return kt_ioctl(self->fd, KIPC_IOC_LINK_RECV, &recv_args);
}

static void check_recv(struct __test_metadata *_metadata, void *ctx,
		       long ret)
{
	FIXTURE_DATA(fault) *self = ctx;

	if (ret < 0) {
		/* the message stays */
		expect_recv_str(_metadata, self->sfd, self->b.pid, self->msg);
	} else {
		ASSERT_EQ((long)strlen(self->msg), ret);
		EXPECT_EQ(0, memcmp(self->msg, rbuf, ret));
		EXPECT_EQ(self->b.pid, recv_args.info.sender_pid);
		EXPECT_EQ((uint32_t)KIPC_LINK_MSG, recv_args.kind);
	}
	expect_empty(_metadata, self);
}

/*
 * The peer queues a message, then calls the test, which takes the
 * request; the receive under test replies to it and receives the message.
 */
static void prepare_recv_reply(struct __test_metadata *_metadata, void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;
	struct kipc_link_recv r;
	char req[32];
	long n;

	prepare_recv(_metadata, ctx);
	snprintf(req, sizeof(req), "request %u", self->seq);
	peer_start(_metadata, &self->b, PEER_CALL, self->me, req);
	recv_args_set(&r, self->b.pid, rbuf, sizeof(rbuf), WAIT_MS);
	r.select = KIPC_SEL_TYPE_EQ;
	r.type = REQ_TYPE;
	n = link_recv(self->sfd, &r);
	ASSERT_EQ((long)strlen(req), n) TH_LOG("%s", strerror(-n));
	ASSERT_EQ((uint32_t)KIPC_LINK_REQUEST, r.kind);
	EXPECT_EQ(0, memcmp(req, rbuf, n));
	self->req_id = r.request_id;
	snprintf(reply_buf, sizeof(reply_buf), "reply %u", self->seq);
	recv_args_set(&recv_args, self->to, rbuf, sizeof(rbuf), 0);
	recv_args.reply_id = self->req_id;
	recv_args.reply_ptr = (uintptr_t)reply_buf;
	recv_args.reply_len = strlen(reply_buf);
	recv_args.reply_type = MSG_TYPE;
}

/* The peer's call returned reply_buf. */
static void expect_call_replied(struct __test_metadata *_metadata,
				FIXTURE_DATA(fault) *self)
{
	struct peer_msg res;

	peer_result(_metadata, &self->b, &res);
	ASSERT_EQ((long)strlen(reply_buf), res.ret)
		TH_LOG("the peer's call: %s", strerror(-res.ret));
	EXPECT_EQ(0, memcmp(reply_buf, res.data, res.len));
}

static void check_recv_reply(struct __test_metadata *_metadata, void *ctx,
			     long ret)
{
	FIXTURE_DATA(fault) *self = ctx;

	if (ret < 0) {
		/* no reply went: the caller waits, and a reply works */
		EXPECT_FALSE(peer_ready(&self->b));
		EXPECT_EQ(0, link_reply(self->sfd, self->req_id, reply_buf,
					strlen(reply_buf)));
		expect_call_replied(_metadata, self);
		/* nothing was received */
		expect_recv_str(_metadata, self->sfd, self->b.pid, self->msg);
	} else {
		ASSERT_EQ((long)strlen(self->msg), ret);
		EXPECT_EQ(0, memcmp(self->msg, rbuf, ret));
		EXPECT_EQ((uint32_t)KIPC_LINK_MSG, recv_args.kind);
		expect_call_replied(_metadata, self);
		/* replied once */
		EXPECT_EQ(-ESRCH, link_reply(self->sfd, self->req_id,
					     reply_buf, strlen(reply_buf)));
	}
	expect_empty(_metadata, self);
	expect_peer_empty(_metadata, self);
}

static void sweep_recv(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, const char *name, int fd,
		       pid_t to, bool reply)
{
	struct kt_fault_path p = {
		.name = name,
		.call = call_recv,
		.check = reply ? check_recv_reply : check_recv,
		.prepare = reply ? prepare_recv_reply : prepare_recv,
	};

	self->fd = fd;
	self->to = to;
	sweep(_metadata, self, &p);
}

TEST_F(fault, recv_by_pid)
{
	connect_peer(_metadata, self);
	sweep_recv(_metadata, self, "recv-pid", self->sfd, self->b.pid, false);
}

TEST_F(fault, recv_on_link_fd)
{
	connect_peer(_metadata, self);
	sweep_recv(_metadata, self, "recv-link", self->lfd, 0, false);
}

TEST_F(fault, recv_from_any)
{
	connect_peer(_metadata, self);
	sweep_recv(_metadata, self, "recv-any", self->sfd, 0, false);
}

static void prepare_recv_unlinked(struct __test_metadata *_metadata,
				  void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	unlink_peer(_metadata, ctx);
	recv_args_set(&recv_args, self->b.pid, rbuf, sizeof(rbuf), 0);
}

/* Nothing can be queued before the link exists: -EAGAIN is success. */
static long call_recv_unlinked(void *ctx)
{
	long ret = call_recv(ctx);

	return ret == -EAGAIN ? 0 : ret;
}

static void check_recv_unlinked(struct __test_metadata *_metadata,
				void *ctx, long ret)
{
	FIXTURE_DATA(fault) *self = ctx;

	EXPECT_GE(0, ret);
	expect_one_link(_metadata, self, -1);
	expect_both_ways(_metadata, self);
	expect_empty(_metadata, self);
	expect_peer_empty(_metadata, self);
}

/* A receive naming a peer it has no link to makes the link. */
TEST_F(fault, recv_first_contact)
{
	static const struct kt_fault_path p = {
		.name = "recv-first",
		.call = call_recv_unlinked,
		.check = check_recv_unlinked,
		.prepare = prepare_recv_unlinked,
	};

	use_fd(self, self->sfd);
	sweep(_metadata, self, &p);
}

TEST_F(fault, recv_with_reply_by_pid)
{
	connect_peer(_metadata, self);
	sweep_recv(_metadata, self, "recv-reply-pid", self->sfd, self->b.pid,
		   true);
}

TEST_F(fault, recv_with_reply_on_link_fd)
{
	connect_peer(_metadata, self);
	sweep_recv(_metadata, self, "recv-reply-link", self->lfd, 0, true);
}

TEST_F(fault, recv_with_reply_from_any)
{
	connect_peer(_metadata, self);
	sweep_recv(_metadata, self, "recv-reply-any", self->sfd, 0, true);
}

/* ---- call ---- */

static void prepare_call(struct __test_metadata *_metadata, void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;
	const char *req = next_msg(self, "call");

	peer_start(_metadata, &self->b, PEER_SERVE, 0, NULL);
	memset(reply_buf, 0, sizeof(reply_buf));
	call_args_set(&call_args, self->to, req, strlen(req), reply_buf,
		      sizeof(reply_buf));
}

static void prepare_call_unlinked(struct __test_metadata *_metadata,
				  void *ctx)
{
	unlink_peer(_metadata, ctx);
	prepare_call(_metadata, ctx);
}

static long call_call(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	return kt_ioctl(self->fd, KIPC_IOC_LINK_CALL, &call_args);
}

/* The call of self->msg returned @ret, and the peer served it. */
static void expect_served(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fault) *self, long ret)
{
	size_t len = strlen(self->msg);
	struct peer_msg res;

	ASSERT_EQ((long)len + 3, ret) TH_LOG("%s", strerror(-ret));
	EXPECT_EQ(0, memcmp("re:", reply_buf, 3));
	EXPECT_EQ(0, memcmp(self->msg, reply_buf + 3, len));
	peer_result(_metadata, &self->b, &res);
	EXPECT_EQ((long)len, res.ret);
	EXPECT_EQ((uint32_t)KIPC_LINK_REQUEST, res.kind);
	EXPECT_EQ(0, res.aux);
}

static void check_call(struct __test_metadata *_metadata, void *ctx,
		       long ret)
{
	FIXTURE_DATA(fault) *self = ctx;
	struct peer_msg res;
	const char *str;

	if (ret < 0) {
		/* no request went: the server's next message is this one */
		str = next_msg(self, "no call");
		ASSERT_EQ(0, link_send(self->sfd, self->b.pid, str,
				       strlen(str)));
		peer_result(_metadata, &self->b, &res);
		EXPECT_EQ((long)strlen(str), res.ret);
		EXPECT_EQ((uint32_t)KIPC_LINK_MSG, res.kind)
			TH_LOG("the server got kind %u", res.kind);
		EXPECT_EQ(0, memcmp(str, res.data, res.len));
		/* and no cancel notice follows */
		expect_peer_empty(_metadata, self);
		expect_one_link(_metadata, self, -1);
		/* the next call works */
		prepare_call(_metadata, self);
		expect_served(_metadata, self,
			      kt_ioctl(self->fd, KIPC_IOC_LINK_CALL,
				       &call_args));
	} else {
		expect_served(_metadata, self, ret);
	}
	expect_peer_empty(_metadata, self);
	expect_empty(_metadata, self);
}

static void sweep_call(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, const char *name, int fd,
		       bool unlinked)
{
	struct kt_fault_path p = {
		.name = name,
		.call = call_call,
		.check = check_call,
		.prepare = unlinked ? prepare_call_unlinked : prepare_call,
	};

	use_fd(self, fd);
	sweep(_metadata, self, &p);
}

TEST_F(fault, call_by_pid)
{
	connect_peer(_metadata, self);
	sweep_call(_metadata, self, "call-pid", self->sfd, false);
}

TEST_F(fault, call_on_link_fd)
{
	connect_peer(_metadata, self);
	sweep_call(_metadata, self, "call-link", self->lfd, false);
}

/* The call makes the link: link, xarray entries, request, cancel. */
TEST_F(fault, call_first_contact)
{
	sweep_call(_metadata, self, "call-first", self->sfd, true);
}

/* ---- reply ---- */

/* The peer calls the test, which takes the request. */
static void prepare_reply(struct __test_metadata *_metadata, void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;
	struct kipc_link_recv r;
	long n;

	peer_start(_metadata, &self->b, PEER_CALL, self->me,
		   next_msg(self, "request"));
	recv_args_set(&r, self->b.pid, rbuf, sizeof(rbuf), WAIT_MS);
	n = link_recv(self->sfd, &r);
	ASSERT_EQ((long)strlen(self->msg), n) TH_LOG("%s", strerror(-n));
	ASSERT_EQ((uint32_t)KIPC_LINK_REQUEST, r.kind);
	self->req_id = r.request_id;
	snprintf(reply_buf, sizeof(reply_buf), "reply %u", self->seq);
	reply_args_set(&reply_args, self->req_id, reply_buf,
		       strlen(reply_buf));
}

static long call_reply(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	return kt_ioctl(self->fd, KIPC_IOC_LINK_REPLY, &reply_args);
}

static void check_reply(struct __test_metadata *_metadata, void *ctx,
			long ret)
{
	FIXTURE_DATA(fault) *self = ctx;

	if (ret < 0) {
		/* the caller still waits, and a reply works */
		EXPECT_FALSE(peer_ready(&self->b));
		EXPECT_EQ(0, link_reply(self->fd, self->req_id, reply_buf,
					strlen(reply_buf)));
	} else {
		EXPECT_EQ(0, ret);
		EXPECT_EQ(-ESRCH, link_reply(self->fd, self->req_id,
					     reply_buf, strlen(reply_buf)));
	}
	expect_call_replied(_metadata, self);
	expect_empty(_metadata, self);
	expect_peer_empty(_metadata, self);
}

static void sweep_reply(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self, const char *name, int fd)
{
	const struct kt_fault_path p = {
		.name = name,
		.call = call_reply,
		.check = check_reply,
		.prepare = prepare_reply,
	};

	use_fd(self, fd);
	sweep(_metadata, self, &p);
}

TEST_F(fault, reply_on_session)
{
	connect_peer(_metadata, self);
	sweep_reply(_metadata, self, "reply-session", self->sfd);
}

TEST_F(fault, reply_on_link_fd)
{
	connect_peer(_metadata, self);
	sweep_reply(_metadata, self, "reply-link", self->lfd);
}

KT_FAULT_HARNESS_MAIN
