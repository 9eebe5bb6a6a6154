// SPDX-License-Identifier: GPL-2.0
/*
 * kipc direct links: binding a session to its process, connecting by PID,
 * sending and receiving by PID and over link fds, the kernel-stamped
 * sender, selection, limits, read/write, poll and epoll, what a peer's
 * exit or closed session leaves behind, recycled PIDs, and every errno
 * uapi/linux/kipc.h promises for KIPC_IOC_BIND, KIPC_IOC_CONNECT,
 * KIPC_IOC_LINK_SEND and KIPC_IOC_LINK_RECV.  Request-reply is in
 * link_call_test.c, races in link_race_test.c.
 *
 * The test process binds its own session; the other processes are peers
 * (kipc_test.h): children with sessions of their own that the test drives
 * by command.  Runs as root (in the guest); children drop to nobody where
 * a test says so.
 */
#include <stddef.h>
#include <sys/resource.h>

#include "kipc_test.h"

#define PEERS		4
#define SAFETY_MS	10000	/* a wait another process should end */
#define PID_MAX_PATH	"/proc/sys/kernel/pid_max"
#define NS_LAST_PID	"/proc/sys/kernel/ns_last_pid"

FIXTURE(link) {
	int sfd;		/* the test process's bound session */
	pid_t me;
	struct kt_peer peer[PEERS];
	unsigned long long links_max;	/* to restore; 0: untouched */
	unsigned long long pid_max;	/* to restore; 0: untouched */
};

static long bind_raw(int sfd, unsigned int flags,
		     const struct kipc_queue_limits *lim)
{
	struct kipc_bind b;

	kt_bind_args(&b, flags);
	if (lim) {
		b.max_msgsize = lim->max_msgsize;
		b.max_msgs = lim->max_msgs;
		b.capacity = lim->capacity;
	}
	return kt_ioctl(sfd, KIPC_IOC_BIND, &b);
}

FIXTURE_SETUP(link)
{
	self->me = getpid();
	KT_SESSION_OR_SKIP(self->sfd);
	ASSERT_EQ(0, bind_raw(self->sfd, 0, NULL));
}

FIXTURE_TEARDOWN(link)
{
	int i;

	for (i = 0; i < PEERS; i++)
		kt_peer_kill(&self->peer[i]);
	if (self->links_max)
		kt_param_write("links_max", self->links_max);
	if (self->pid_max)
		kt_file_write_ull(PID_MAX_PATH, self->pid_max);
	if (self->sfd >= 0)
		close(self->sfd);
}

/* Bind the test process anew: a new session with @flags and @lim. */
static long rebind(FIXTURE_DATA(link) *self, unsigned int flags,
		   const struct kipc_queue_limits *lim)
{
	close(self->sfd);
	self->sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	if (self->sfd < 0)
		return -errno;
	return bind_raw(self->sfd, flags, lim);
}

static long connect_raw(int sfd, pid_t pid, unsigned int flags)
{
	struct kipc_connect c;

	kt_connect_args(&c, pid, flags);
	return kt_ioctl(sfd, KIPC_IOC_CONNECT, &c);
}

static long send_raw(int fd, pid_t pid, const void *buf, size_t len,
		     uint64_t type, unsigned int flags, uint64_t deadline_ns)
{
	struct kipc_link_send s;

	kt_link_send_args(&s, pid, buf, len, type);
	s.flags = flags;
	s.deadline_ns = deadline_ns;
	return kt_ioctl(fd, KIPC_IOC_LINK_SEND, &s);
}

/* Send the string @str (type 0) to @pid over @fd, not waiting for room. */
static long send_str(int fd, pid_t pid, const char *str)
{
	return send_raw(fd, pid, str, strlen(str), 0, KIPC_MSG_NONBLOCK, 0);
}

/* KIPC_IOC_LINK_RECV with a deadline @wait_ms ahead (0: not waiting). */
static long recv_sel(int fd, pid_t pid, void *buf, size_t len,
		     unsigned int sel, uint64_t type, unsigned int wait_ms,
		     struct kipc_msg_info *info)
{
	struct kipc_link_recv r;
	long ret;

	kt_link_recv_args(&r, pid, buf, len);
	r.select = sel;
	r.type = type;
	if (wait_ms) {
		r.flags = KIPC_MSG_DEADLINE;
		r.deadline_ns = kt_mono_ns() + wait_ms * NSEC_PER_MSEC;
	} else {
		r.flags = KIPC_MSG_NONBLOCK;
	}
	ret = kt_ioctl(fd, KIPC_IOC_LINK_RECV, &r);
	if (info)
		*info = r.info;
	return ret;
}

/* Receive the oldest message into the string @buf (room for @len - 1). */
static long recv_str(int fd, pid_t pid, char *buf, size_t len,
		     unsigned int wait_ms, struct kipc_msg_info *info)
{
	long ret = recv_sel(fd, pid, buf, len - 1, KIPC_SEL_FIFO, 0, wait_ms,
			    info);

	buf[ret > 0 ? ret : 0] = '\0';
	return ret;
}

/* Expect the next message from @pid on @fd, already queued, to be @str. */
#define EXPECT_RECV(fd, pid, str) do {					\
	char _buf[KT_PEER_DATA];					\
	EXPECT_EQ((long)strlen(str),					\
		  recv_str((fd), (pid), _buf, sizeof(_buf), 0, NULL));	\
	EXPECT_STREQ((str), _buf);					\
} while (0)

/* Expect the peer's receive from @pid over @slot to give @str. */
#define EXPECT_PEER_RECV(p, slot, pid, str) do {			\
	struct kt_peer_res _r;						\
	EXPECT_EQ((long)strlen(str),					\
		  kt_peer_recv((p), (slot), (pid), 0, &_r));		\
	EXPECT_STREQ((str), _r.data);					\
} while (0)

/* Start peer @i with @o (NULL: bound, defaults); its bind's result. */
static long start(FIXTURE_DATA(link) *self, int i,
		  const struct kt_peer_opts *o)
{
	return kt_peer_start(&self->peer[i], o);
}

static const struct kt_peer_opts nobody = { .uid = KT_NOBODY };

/* ---- the feature ---- */

TEST_F(link, version_reports_link_feature)
{
	struct kipc_version v;

	ASSERT_EQ(0, kipc_version(self->sfd, &v));
	EXPECT_EQ(KIPC_FEAT_LINK, v.features & KIPC_FEAT_LINK);
}

/* ---- binding ---- */

FIXTURE(unbound) {
	int sfd;		/* a session of the test process, not bound */
	struct kt_peer peer;
};

FIXTURE_SETUP(unbound)
{
	KT_SESSION_OR_SKIP(self->sfd);
}

FIXTURE_TEARDOWN(unbound)
{
	kt_peer_kill(&self->peer);
	if (self->sfd >= 0)
		close(self->sfd);
}

TEST_F(unbound, connect_before_bind_returns_econnrefused_after_bind_works)
{
	ASSERT_EQ(0, kt_peer_start(&self->peer, NULL));
	EXPECT_EQ(-ECONNREFUSED, kt_peer_connect(&self->peer, 0, getpid(), 0));
	ASSERT_EQ(0, bind_raw(self->sfd, 0, NULL));
	EXPECT_LE(0, kt_peer_connect(&self->peer, 0, getpid(), 0));
}

TEST_F(unbound, bind_twice_on_same_session_returns_ebusy)
{
	ASSERT_EQ(0, bind_raw(self->sfd, 0, NULL));
	EXPECT_EQ(-EBUSY, bind_raw(self->sfd, 0, NULL));
	EXPECT_EQ(-EBUSY, bind_raw(self->sfd, KIPC_BIND_ANYONE, NULL));
}

TEST_F(unbound, bind_of_second_session_in_same_process_returns_ebusy)
{
	int s2 = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, bind_raw(self->sfd, 0, NULL));
	EXPECT_EQ(-EBUSY, bind_raw(s2, 0, NULL));
	close(s2);
	/* the first binding is untouched */
	ASSERT_EQ(0, kt_peer_start(&self->peer, NULL));
	EXPECT_LE(0, kt_peer_connect(&self->peer, 0, getpid(), 0));
}

struct thread_bind {
	int sfd;
	long ret;
};

static void *thread_bind(void *arg)
{
	struct thread_bind *t = arg;

	t->ret = bind_raw(t->sfd, 0, NULL);
	return NULL;
}

TEST_F(unbound, bind_of_second_session_from_another_thread_returns_ebusy)
{
	/* the binding is per process (thread group), not per thread */
	struct thread_bind t = { .sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC) };
	pthread_t thread;

	ASSERT_LE(0, t.sfd);
	ASSERT_EQ(0, bind_raw(self->sfd, 0, NULL));
	ASSERT_EQ(0, pthread_create(&thread, NULL, thread_bind, &t));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(-EBUSY, t.ret);
	close(t.sfd);
}

TEST_F(unbound, bind_unknown_flag_returns_einval)
{
	EXPECT_EQ(-EINVAL, bind_raw(self->sfd, KIPC_BIND_ALL + 1, NULL));
	EXPECT_EQ(-EINVAL, bind_raw(self->sfd, 1U << 31, NULL));
}

TEST_F(unbound, bind_nonzero_reserved_returns_einval)
{
	struct kipc_bind b;

	kt_bind_args(&b, 0);
	b.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_BIND, &b));
	kt_bind_args(&b, 0);
	b.reserved[1] = 1ULL << 63;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_BIND, &b));
}

TEST_F(unbound, bind_size_below_first_version_returns_einval)
{
	struct kipc_bind b;

	kt_bind_args(&b, 0);
	b.size = KIPC_BIND_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_BIND, &b));
	b.size = 0;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_BIND, &b));
}

TEST_F(unbound, bind_larger_size_with_nonzero_tail_returns_e2big)
{
	struct {
		struct kipc_bind b;
		uint64_t tail[2];
	} big;

	memset(&big, 0, sizeof(big));
	big.b.size = sizeof(big);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(self->sfd, KIPC_IOC_BIND, &big));
}

TEST_F(unbound, bind_size_over_4096_returns_e2big)
{
	static char buf[8192];
	struct kipc_bind *b = (struct kipc_bind *)buf;

	b->size = 4097;
	EXPECT_EQ(-E2BIG, kt_ioctl(self->sfd, KIPC_IOC_BIND, b));
}

TEST_F(unbound, bind_larger_size_with_zero_tail_works)
{
	struct {
		struct kipc_bind b;
		uint64_t tail[2];
	} big;

	memset(&big, 0, sizeof(big));
	big.b.size = sizeof(big);
	EXPECT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_BIND, &big));
}

TEST_F(unbound, bind_bad_args_pointer_returns_efault)
{
	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_BIND,
				    kt_unmapped_addr()));
}

static unsigned long long param(struct __test_metadata *_metadata,
				const char *name)
{
	unsigned long long val = 0;
	int ret = kt_param_read(name, &val);

	EXPECT_EQ(0, ret) TH_LOG("module parameter %s: %s", name,
				 strerror(-ret));
	return val;
}

TEST_F(unbound, bind_max_msgsize_over_module_limit_returns_emsgsize)
{
	struct kipc_queue_limits lim = { 0 };

	lim.max_msgsize = param(_metadata, "msgsize_max") + 1;
	lim.capacity = param(_metadata, "capacity_max");
	EXPECT_EQ(-EMSGSIZE, bind_raw(self->sfd, 0, &lim));
}

TEST_F(unbound, bind_capacity_over_module_limit_returns_einval)
{
	struct kipc_queue_limits lim = { 0 };

	lim.capacity = param(_metadata, "capacity_max") + 1;
	EXPECT_EQ(-EINVAL, bind_raw(self->sfd, 0, &lim));
}

TEST_F(unbound, bind_max_msgs_over_module_limit_returns_einval)
{
	struct kipc_queue_limits lim = { 0 };

	lim.max_msgs = param(_metadata, "msgs_max") + 1;
	EXPECT_EQ(-EINVAL, bind_raw(self->sfd, 0, &lim));
}

TEST_F(unbound, bind_max_msgsize_over_capacity_returns_einval)
{
	struct kipc_queue_limits lim = {
		.max_msgsize = 200,
		.capacity = 100,
	};

	EXPECT_EQ(-EINVAL, bind_raw(self->sfd, 0, &lim));
}

TEST_F(unbound, failed_bind_leaves_session_unbound_and_bindable)
{
	struct kipc_queue_limits bad = { .max_msgsize = 200, .capacity = 100 };

	ASSERT_EQ(-EINVAL, bind_raw(self->sfd, 0, &bad));
	ASSERT_EQ(0, kt_peer_start(&self->peer, NULL));
	EXPECT_EQ(-ECONNREFUSED, kt_peer_connect(&self->peer, 0, getpid(), 0));
	EXPECT_EQ(0, bind_raw(self->sfd, 0, NULL));
	EXPECT_LE(0, kt_peer_connect(&self->peer, 0, getpid(), 0));
}

TEST_F(unbound, closing_bound_session_lets_the_process_bind_again)
{
	ASSERT_EQ(0, bind_raw(self->sfd, 0, NULL));
	close(self->sfd);
	self->sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->sfd);
	EXPECT_EQ(0, bind_raw(self->sfd, 0, NULL));
	ASSERT_EQ(0, kt_peer_start(&self->peer, NULL));
	EXPECT_LE(0, kt_peer_connect(&self->peer, 0, getpid(), 0));
	EXPECT_EQ(0, kt_peer_send(&self->peer, -1, getpid(), "again", 0));
}

/* ---- an unbound session ---- */

TEST_F(unbound, connect_on_unbound_session_returns_enotconn)
{
	ASSERT_EQ(0, kt_peer_start(&self->peer, NULL));
	EXPECT_EQ(-ENOTCONN, connect_raw(self->sfd, self->peer.pid, 0));
}

TEST_F(unbound, send_on_unbound_session_returns_enotconn)
{
	ASSERT_EQ(0, kt_peer_start(&self->peer, NULL));
	EXPECT_EQ(-ENOTCONN, send_str(self->sfd, self->peer.pid, "x"));
	/* nothing reached the peer */
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer, -1, 0, 0, NULL));
}

TEST_F(unbound, recv_on_unbound_session_returns_enotconn)
{
	char buf[16];

	ASSERT_EQ(0, kt_peer_start(&self->peer, NULL));
	EXPECT_EQ(-ENOTCONN, recv_str(self->sfd, self->peer.pid, buf,
				      sizeof(buf), 0, NULL));
	EXPECT_EQ(-ENOTCONN, recv_str(self->sfd, 0, buf, sizeof(buf), 0,
				      NULL));
}

TEST_F(unbound, call_on_unbound_session_returns_enotconn)
{
	struct kipc_link_call c;
	char reply[16];

	ASSERT_EQ(0, kt_peer_start(&self->peer, NULL));
	kt_link_call_args(&c, self->peer.pid, "q", 1, reply, sizeof(reply));
	c.flags = KIPC_MSG_DEADLINE;
	c.deadline_ns = kt_mono_ns() + 100 * NSEC_PER_MSEC;
	EXPECT_EQ(-ENOTCONN, kt_ioctl(self->sfd, KIPC_IOC_LINK_CALL, &c));
}

TEST_F(unbound, reply_on_unbound_session_returns_enotconn)
{
	struct kipc_link_reply y;

	kt_link_reply_args(&y, 1, "r", 1);
	EXPECT_EQ(-ENOTCONN, kt_ioctl(self->sfd, KIPC_IOC_LINK_REPLY, &y));
}

TEST_F(unbound, poll_on_unbound_session_is_not_readable)
{
	EXPECT_EQ(0, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
}

/* ---- sessions and link fds in other processes and threads ---- */

/* What a child got from ops on fds it inherited (shared memory). */
struct inherited {
	int sfd;		/* the test's bound session */
	int lfd;		/* a link fd of the test's */
	pid_t peer;
	long ret[8];
};

static struct inherited *inherited_new(void)
{
	struct inherited *in = mmap(NULL, sizeof(*in), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (in == MAP_FAILED)
		abort();
	memset(in, 0, sizeof(*in));
	return in;
}

static int use_inherited_session(void *arg)
{
	struct inherited *in = arg;
	struct kipc_link_call c;
	struct kipc_link_reply y;
	char buf[16];

	in->ret[0] = connect_raw(in->sfd, in->peer, 0);
	in->ret[1] = send_str(in->sfd, in->peer, "child");
	in->ret[2] = recv_str(in->sfd, in->peer, buf, sizeof(buf), 0, NULL);
	in->ret[3] = recv_str(in->sfd, 0, buf, sizeof(buf), 0, NULL);
	kt_link_call_args(&c, in->peer, "q", 1, buf, sizeof(buf));
	c.flags = KIPC_MSG_DEADLINE;
	c.deadline_ns = kt_mono_ns() + 100 * NSEC_PER_MSEC;
	in->ret[4] = kt_ioctl(in->sfd, KIPC_IOC_LINK_CALL, &c);
	kt_link_reply_args(&y, 1, "r", 1);
	in->ret[5] = kt_ioctl(in->sfd, KIPC_IOC_LINK_REPLY, &y);
	in->ret[6] = bind_raw(in->sfd, 0, NULL);
	return 0;
}

TEST_F(link, inherited_bound_session_fails_in_forked_child_with_enotconn)
{
	struct inherited *in = inherited_new();
	int i;

	ASSERT_EQ(0, start(self, 0, NULL));
	in->sfd = self->sfd;
	in->peer = self->peer[0].pid;
	ASSERT_EQ(0, kt_run_child((uid_t)-1, 0, use_inherited_session, in));
	for (i = 0; i < 6; i++)
		EXPECT_EQ(-ENOTCONN, in->ret[i]) TH_LOG("operation %d", i);
	/* "this session is bound already" */
	EXPECT_EQ(-EBUSY, in->ret[6]);
	/* nothing went out in the test's name */
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	munmap(in, sizeof(*in));
}

static int use_inherited_link_fd(void *arg)
{
	struct inherited *in = arg;
	char buf[16];
	ssize_t n;

	in->ret[0] = send_str(in->lfd, 0, "child");
	in->ret[1] = recv_str(in->lfd, 0, buf, sizeof(buf), 0, NULL);
	n = write(in->lfd, "w", 1);
	in->ret[2] = n < 0 ? -errno : n;
	n = read(in->lfd, buf, sizeof(buf));
	in->ret[3] = n < 0 ? -errno : n;
	return 0;
}

TEST_F(link, inherited_link_fd_fails_in_forked_child_with_enotconn)
{
	struct inherited *in = inherited_new();
	int i;

	ASSERT_EQ(0, start(self, 0, NULL));
	in->lfd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, in->lfd);
	/* a message the child must not be able to take */
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "mine", 0));
	ASSERT_EQ(0, kt_run_child((uid_t)-1, 0, use_inherited_link_fd, in));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(-ENOTCONN, in->ret[i]) TH_LOG("operation %d", i);
	EXPECT_RECV(in->lfd, 0, "mine");
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	close(in->lfd);
	munmap(in, sizeof(*in));
}

TEST_F(link, link_fd_passed_to_another_process_fails_with_enotconn)
{
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_LE(0, kt_peer_connect(&self->peer[0], 0, self->me, 0));
	fd = kt_peer_get_fd(&self->peer[0], 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(self->sfd, self->peer[0].pid, "for-peer"));
	EXPECT_EQ(-ENOTCONN, send_str(fd, 0, "x"));
	EXPECT_EQ(-ENOTCONN, recv_str(fd, 0, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOTCONN, errno);
	/* the message for the peer is still there, and nothing came back */
	EXPECT_PEER_RECV(&self->peer[0], 0, 0, "for-peer");
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, 0, buf, sizeof(buf), 0, NULL));
	close(fd);
}

struct thread_op {
	int fd;
	pid_t to;
	long ret;
};

static void *thread_send(void *arg)
{
	struct thread_op *op = arg;

	op->ret = send_str(op->fd, op->to, "from-thread");
	return NULL;
}

TEST_F(link, bound_session_works_from_another_thread_as_the_process)
{
	struct thread_op op = { .fd = self->sfd };
	struct kt_peer_res r;
	pthread_t t;

	ASSERT_EQ(0, start(self, 0, NULL));
	op.to = self->peer[0].pid;
	ASSERT_EQ(0, pthread_create(&t, NULL, thread_send, &op));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, op.ret);
	ASSERT_EQ(11, kt_peer_recv(&self->peer[0], -1, self->me, 0, &r));
	EXPECT_STREQ("from-thread", r.data);
	/* the thread group id, not the thread's id */
	EXPECT_EQ(self->me, r.info.sender_pid);
}

/* ---- connecting ---- */

TEST_F(link, connect_to_pid_that_does_not_exist_returns_esrch)
{
	unsigned long long pid_max;
	pid_t pid;

	/* pid_max itself is never given out */
	ASSERT_EQ(0, kt_file_read_ull(PID_MAX_PATH, &pid_max));
	EXPECT_EQ(-ESRCH, connect_raw(self->sfd, (pid_t)pid_max, 0));
	/* a process that was reaped */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, kt_reap(pid));
	EXPECT_EQ(-ESRCH, connect_raw(self->sfd, pid, 0));
}

TEST_F(link, connect_to_live_process_without_bound_session_returns_econnrefused)
{
	struct kt_peer_opts o = { .no_bind = true };

	ASSERT_EQ(0, start(self, 0, &o));
	EXPECT_EQ(-ECONNREFUSED, connect_raw(self->sfd, self->peer[0].pid, 0));
	EXPECT_EQ(-ECONNREFUSED, send_str(self->sfd, self->peer[0].pid, "x"));
}

TEST_F(link, connect_to_pid_zero_or_negative_returns_einval)
{
	EXPECT_EQ(-EINVAL, connect_raw(self->sfd, 0, 0));
	EXPECT_EQ(-EINVAL, connect_raw(self->sfd, -1, 0));
	EXPECT_EQ(-EINVAL, connect_raw(self->sfd, INT32_MIN, 0));
}

TEST_F(link, connect_to_own_pid_returns_einval)
{
	EXPECT_EQ(-EINVAL, connect_raw(self->sfd, self->me, 0));
}

TEST_F(link, send_to_pid_zero_negative_or_own_returns_einval)
{
	EXPECT_EQ(-EINVAL, send_str(self->sfd, 0, "x"));
	EXPECT_EQ(-EINVAL, send_str(self->sfd, -5, "x"));
	EXPECT_EQ(-EINVAL, send_str(self->sfd, self->me, "x"));
}

TEST_F(link, recv_from_negative_or_own_pid_returns_einval)
{
	char buf[16];

	EXPECT_EQ(-EINVAL, recv_str(self->sfd, -5, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(-EINVAL, recv_str(self->sfd, self->me, buf, sizeof(buf), 0,
				    NULL));
}

TEST_F(link, connect_as_other_user_without_bind_anyone_returns_eperm)
{
	ASSERT_EQ(0, start(self, 0, &nobody));
	EXPECT_EQ(-EPERM, kt_peer_connect(&self->peer[0], 0, self->me, 0));
}

TEST_F(link, send_by_pid_as_other_user_without_bind_anyone_returns_eperm)
{
	char buf[16];

	ASSERT_EQ(0, start(self, 0, &nobody));
	EXPECT_EQ(-EPERM, kt_peer_send(&self->peer[0], -1, self->me, "x", 0));
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, 0, buf, sizeof(buf), 0, NULL));
}

TEST_F(link, connect_as_other_user_to_bind_anyone_works)
{
	struct kipc_msg_info info;
	char buf[16];

	ASSERT_EQ(0, rebind(self, KIPC_BIND_ANYONE, NULL));
	ASSERT_EQ(0, start(self, 0, &nobody));
	EXPECT_LE(0, kt_peer_connect(&self->peer[0], 0, self->me, 0));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], 0, 0, "nobody", 0));
	ASSERT_EQ(6, recv_str(self->sfd, 0, buf, sizeof(buf), 0, &info));
	EXPECT_STREQ("nobody", buf);
	EXPECT_EQ(self->peer[0].pid, info.sender_pid);
	EXPECT_EQ((uint32_t)KT_NOBODY, info.sender_uid);
}

TEST_F(link, connect_as_root_to_other_users_process_works)
{
	struct kt_peer_res r;
	int fd;

	/* the peer (nobody) bound without KIPC_BIND_ANYONE */
	ASSERT_EQ(0, start(self, 0, &nobody));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, 0, "root"));
	ASSERT_EQ(4, kt_peer_recv(&self->peer[0], -1, self->me, 0, &r));
	EXPECT_STREQ("root", r.data);
	EXPECT_EQ(0U, r.info.sender_uid);
	/* and the link works both ways */
	EXPECT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "back", 0));
	EXPECT_RECV(fd, 0, "back");
	close(fd);
}

TEST_F(link, connect_between_processes_of_one_unprivileged_user_works)
{
	ASSERT_EQ(0, start(self, 0, &nobody));
	ASSERT_EQ(0, start(self, 1, &nobody));
	EXPECT_LE(0, kt_peer_connect(&self->peer[0], 0, self->peer[1].pid, 0));
	EXPECT_EQ(0, kt_peer_send(&self->peer[0], 0, 0, "same-uid", 0));
	EXPECT_PEER_RECV(&self->peer[1], -1, self->peer[0].pid, "same-uid");
}

TEST_F(link, connect_sets_cloexec_and_nonblock_as_asked)
{
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
	fd = connect_raw(self->sfd, self->peer[0].pid,
			 KIPC_O_CLOEXEC | KIPC_O_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
}

TEST_F(link, connect_unknown_flag_returns_einval)
{
	ASSERT_EQ(0, start(self, 0, NULL));
	EXPECT_EQ(-EINVAL, connect_raw(self->sfd, self->peer[0].pid,
				       KIPC_O_SEND));
	EXPECT_EQ(-EINVAL, connect_raw(self->sfd, self->peer[0].pid,
				       KIPC_O_CREAT));
	EXPECT_EQ(-EINVAL, connect_raw(self->sfd, self->peer[0].pid,
				       1U << 31));
}

TEST_F(link, connect_nonzero_reserved_returns_einval)
{
	struct kipc_connect c;

	ASSERT_EQ(0, start(self, 0, NULL));
	kt_connect_args(&c, self->peer[0].pid, 0);
	c.reserved0 = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_CONNECT, &c));
	kt_connect_args(&c, self->peer[0].pid, 0);
	c.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_CONNECT, &c));
}

TEST_F(link, connect_without_a_free_fd_returns_emfile)
{
	struct rlimit old, lim;
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = dup(0);
	ASSERT_LE(0, fd);
	close(fd);
	/* fd is the lowest free one: allow only those below it */
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	lim = old;
	lim.rlim_cur = fd;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	EXPECT_EQ(-EMFILE, connect_raw(self->sfd, self->peer[0].pid, 0));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	/* and nothing is broken: the link works */
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, send_str(fd, 0, "after"));
	EXPECT_PEER_RECV(&self->peer[0], -1, self->me, "after");
	close(fd);
}

/* Lower links_max to @n for this test (restored in teardown). */
static void set_links_max(struct __test_metadata *_metadata,
			  FIXTURE_DATA(link) *self, unsigned long long n)
{
	ASSERT_EQ(0, kt_param_read("links_max", &self->links_max));
	ASSERT_EQ(0, kt_param_write("links_max", n));
}

TEST_F(link, connect_when_caller_has_links_max_links_returns_edquot)
{
	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	set_links_max(_metadata, self, 1);
	ASSERT_LE(0, connect_raw(self->sfd, self->peer[0].pid, 0));
	EXPECT_EQ(-EDQUOT, connect_raw(self->sfd, self->peer[1].pid, 0));
	EXPECT_EQ(-EDQUOT, send_str(self->sfd, self->peer[1].pid, "x"));
	/* the link it has still works, and a second fd for it is no new link */
	EXPECT_LE(0, connect_raw(self->sfd, self->peer[0].pid, 0));
	EXPECT_EQ(0, send_str(self->sfd, self->peer[0].pid, "x"));
}

TEST_F(link, connect_to_peer_with_links_max_links_returns_edquot)
{
	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	set_links_max(_metadata, self, 1);
	ASSERT_LE(0, connect_raw(self->sfd, self->peer[0].pid, 0));
	/* peer 1 has no link; the test process has its one */
	EXPECT_EQ(-EDQUOT, kt_peer_connect(&self->peer[1], 0, self->me, 0));
}

TEST_F(link, connect_twice_gives_fds_of_one_link_in_one_order)
{
	static const char *const msgs[] = { "1", "2", "3", "4", "5" };
	struct kt_peer_res r;
	uint64_t seq = 0;
	int fd1, fd2, i;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd1 = connect_raw(self->sfd, self->peer[0].pid, 0);
	fd2 = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);
	EXPECT_NE(fd1, fd2);
	ASSERT_EQ(0, send_str(fd1, 0, msgs[0]));
	ASSERT_EQ(0, send_str(fd2, 0, msgs[1]));
	ASSERT_EQ(0, send_str(self->sfd, self->peer[0].pid, msgs[2]));
	ASSERT_EQ(1, write(fd1, msgs[3], 1));
	ASSERT_EQ(1, write(fd2, msgs[4], 1));
	/* the peer's one receive, by pid, finds them all in send order */
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(1, kt_peer_recv(&self->peer[0], -1, self->me, 0, &r));
		EXPECT_STREQ(msgs[i], r.data);
		if (i)
			EXPECT_LT(seq, r.info.seq);
		seq = r.info.seq;
	}
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	close(fd1);
	close(fd2);
}

TEST_F(link, connect_from_both_sides_reaches_one_link)
{
	struct kt_peer *p = &self->peer[0];
	int fd1, fd2;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd1 = connect_raw(self->sfd, p->pid, 0);
	ASSERT_LE(0, fd1);
	ASSERT_LE(0, kt_peer_connect(p, 0, self->me, 0));
	ASSERT_LE(0, kt_peer_connect(p, 1, self->me, 0));
	fd2 = connect_raw(self->sfd, p->pid, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kt_peer_send(p, 0, 0, "a", 0));
	ASSERT_EQ(0, kt_peer_send(p, 1, 0, "b", 0));
	ASSERT_EQ(0, kt_peer_send(p, -1, self->me, "c", 0));
	ASSERT_EQ(0, kt_peer_send(p, 0, 0, "d", 0));
	/* both fds see the one inbox */
	EXPECT_EQ(POLLIN, kt_poll(fd1, POLLIN, 0));
	EXPECT_EQ(POLLIN, kt_poll(fd2, POLLIN, 0));
	EXPECT_RECV(fd2, 0, "a");
	EXPECT_RECV(fd1, 0, "b");
	EXPECT_RECV(self->sfd, p->pid, "c");
	EXPECT_RECV(self->sfd, 0, "d");
	EXPECT_EQ(0, kt_poll(fd1, POLLIN, 0));
	EXPECT_EQ(0, kt_poll(fd2, POLLIN, 0));
	/* and the other way, the peer's three openings share one inbox */
	ASSERT_EQ(0, send_str(fd1, 0, "x"));
	ASSERT_EQ(0, send_str(fd2, 0, "y"));
	ASSERT_EQ(0, send_str(self->sfd, p->pid, "z"));
	EXPECT_PEER_RECV(p, 1, 0, "x");
	EXPECT_PEER_RECV(p, 0, 0, "y");
	EXPECT_PEER_RECV(p, -1, self->me, "z");
	close(fd1);
	close(fd2);
}

TEST_F(link, send_by_pid_makes_the_link_that_connect_then_finds)
{
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "early", 0));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	EXPECT_RECV(fd, 0, "early");
	close(fd);
}

TEST_F(link, link_fd_with_another_pid_returns_einval)
{
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, send_str(fd, self->peer[1].pid, "x"));
	EXPECT_EQ(-EINVAL, recv_str(fd, self->peer[1].pid, buf, sizeof(buf),
				    0, NULL));
	EXPECT_EQ(-EINVAL, send_str(fd, self->me, "x"));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[1], -1, 0, 0, NULL));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	close(fd);
}

TEST_F(link, link_fd_with_its_peers_pid_works)
{
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, send_str(fd, self->peer[0].pid, "named"));
	EXPECT_PEER_RECV(&self->peer[0], -1, self->me, "named");
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "back", 0));
	EXPECT_RECV(fd, self->peer[0].pid, "back");
	close(fd);
}

/* ---- sending and receiving ---- */

TEST_F(link, send_by_pid_arrives_with_kernel_stamped_header)
{
	uint64_t before, after;
	struct kt_peer_res r;

	ASSERT_EQ(0, start(self, 0, NULL));
	before = kt_real_ns();
	ASSERT_EQ(0, send_raw(self->sfd, self->peer[0].pid, "hello", 5, 9,
			      KIPC_MSG_NONBLOCK, 0));
	after = kt_real_ns();
	ASSERT_EQ(5, kt_peer_recv(&self->peer[0], -1, self->me, 0, &r));
	EXPECT_STREQ("hello", r.data);
	EXPECT_EQ(5U, r.info.len);
	EXPECT_EQ(9U, r.info.type);
	EXPECT_EQ(self->me, r.info.sender_pid);
	EXPECT_EQ(0U, r.info.sender_uid);
	EXPECT_LE(before, r.info.send_time_ns);
	EXPECT_GE(after, r.info.send_time_ns);
	EXPECT_EQ((uint32_t)KIPC_LINK_MSG, r.kind);
	EXPECT_EQ(0U, r.request_id);
}

TEST_F(link, message_of_unprivileged_peer_is_stamped_with_its_uid)
{
	struct kipc_msg_info info;
	char buf[16];

	ASSERT_EQ(0, rebind(self, KIPC_BIND_ANYONE, NULL));
	ASSERT_EQ(0, start(self, 0, &nobody));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "n", 3));
	ASSERT_EQ(1, recv_str(self->sfd, self->peer[0].pid, buf, sizeof(buf),
			      0, &info));
	EXPECT_EQ(self->peer[0].pid, info.sender_pid);
	EXPECT_EQ((uint32_t)KT_NOBODY, info.sender_uid);
	EXPECT_EQ(3U, info.type);
}

TEST_F(link, sender_uid_is_the_effective_uid)
{
	struct kt_peer_opts o = { .uid = KT_NOBODY, .euid_only = true };
	struct kipc_msg_info info;
	char buf[16];

	ASSERT_EQ(0, rebind(self, KIPC_BIND_ANYONE, NULL));
	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "e", 0));
	ASSERT_EQ(1, recv_str(self->sfd, 0, buf, sizeof(buf), 0, &info));
	EXPECT_EQ((uint32_t)KT_NOBODY, info.sender_uid);
}

TEST_F(link, recv_any_gets_every_peers_messages_in_each_peers_order)
{
	int next[3] = { 0 }, i, k;
	struct kipc_msg_info info;
	char buf[16], want[16];

	for (k = 0; k < 3; k++)
		ASSERT_EQ(0, start(self, k, NULL));
	for (i = 0; i < 2; i++) {
		for (k = 0; k < 3; k++) {
			snprintf(buf, sizeof(buf), "p%d-%d", k, i);
			ASSERT_EQ(0, kt_peer_send(&self->peer[k], -1,
						  self->me, buf, 0));
		}
	}
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(4, recv_str(self->sfd, 0, buf, sizeof(buf), 0,
				      &info));
		for (k = 0; k < 3 && self->peer[k].pid != info.sender_pid; k++)
			;
		ASSERT_GT(3, k) TH_LOG("sender %d", info.sender_pid);
		snprintf(want, sizeof(want), "p%d-%d", k, next[k]++);
		EXPECT_STREQ(want, buf);
	}
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, 0, buf, sizeof(buf), 0, NULL));
}

TEST_F(link, recv_any_takes_first_the_link_that_became_readable_first)
{
	struct kipc_msg_info info;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	/* both links exist before either is readable */
	ASSERT_LE(0, connect_raw(self->sfd, self->peer[0].pid, 0));
	ASSERT_LE(0, connect_raw(self->sfd, self->peer[1].pid, 0));
	ASSERT_EQ(0, kt_peer_send(&self->peer[1], -1, self->me, "first", 0));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "second", 0));
	ASSERT_EQ(5, recv_str(self->sfd, 0, buf, sizeof(buf), 0, &info));
	EXPECT_STREQ("first", buf);
	EXPECT_EQ(self->peer[1].pid, info.sender_pid);
	ASSERT_EQ(6, recv_str(self->sfd, 0, buf, sizeof(buf), 0, &info));
	EXPECT_EQ(self->peer[0].pid, info.sender_pid);
}

TEST_F(link, recv_from_one_peer_leaves_the_others_messages)
{
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "zero", 0));
	ASSERT_EQ(0, kt_peer_send(&self->peer[1], -1, self->me, "one", 0));
	EXPECT_RECV(self->sfd, self->peer[1].pid, "one");
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, self->peer[1].pid, buf,
				    sizeof(buf), 0, NULL));
	EXPECT_RECV(self->sfd, 0, "zero");
}

/* The peer sends one-letter messages of @types; ASSERTs in the caller. */
static long send_types(struct kt_peer *p, pid_t to, const char *letters,
		       const uint64_t *types)
{
	char s[2] = "";
	long ret = 0;
	int i;

	for (i = 0; letters[i] && !ret; i++) {
		s[0] = letters[i];
		ret = kt_peer_send(p, -1, to, s, types[i]);
	}
	return ret;
}

/* Receive from @pid with @sel/@type and expect the one-letter message @c. */
#define EXPECT_SEL(fd, pid, sel, type, c) do {				\
	char _b[16];							\
	struct kipc_msg_info _i;					\
	EXPECT_EQ(1, recv_sel((fd), (pid), _b, sizeof(_b), (sel), (type), \
			      0, &_i));					\
	EXPECT_EQ((c), _b[0]);						\
} while (0)

TEST_F(link, recv_prio_from_a_peer_takes_highest_type_oldest_first)
{
	static const uint64_t types[] = { 1, 5, 3, 5 };
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_EQ(0, send_types(&self->peer[0], self->me, "abcd", types));
	EXPECT_SEL(self->sfd, p, KIPC_SEL_PRIO, 0, 'b');
	EXPECT_SEL(self->sfd, p, KIPC_SEL_PRIO, 0, 'd');
	EXPECT_SEL(self->sfd, p, KIPC_SEL_PRIO, 0, 'c');
	EXPECT_SEL(self->sfd, p, KIPC_SEL_PRIO, 0, 'a');
}

TEST_F(link, recv_type_eq_from_a_peer_takes_oldest_of_that_type)
{
	static const uint64_t types[] = { 1, 2, 1, 2 };
	char buf[16];
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_EQ(0, send_types(&self->peer[0], self->me, "abcd", types));
	EXPECT_SEL(self->sfd, p, KIPC_SEL_TYPE_EQ, 2, 'b');
	EXPECT_SEL(self->sfd, p, KIPC_SEL_TYPE_EQ, 2, 'd');
	EXPECT_EQ(-EAGAIN, recv_sel(self->sfd, p, buf, sizeof(buf),
				    KIPC_SEL_TYPE_EQ, 2, 0, NULL));
	EXPECT_SEL(self->sfd, p, KIPC_SEL_FIFO, 0, 'a');
}

TEST_F(link, recv_type_le_from_a_peer_takes_lowest_type_up_to_the_bound)
{
	static const uint64_t types[] = { 7, 4, 2, 4 };
	char buf[16];
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_EQ(0, send_types(&self->peer[0], self->me, "abcd", types));
	EXPECT_SEL(self->sfd, p, KIPC_SEL_TYPE_LE, 5, 'c');
	EXPECT_SEL(self->sfd, p, KIPC_SEL_TYPE_LE, 5, 'b');
	EXPECT_SEL(self->sfd, p, KIPC_SEL_TYPE_LE, 5, 'd');
	EXPECT_EQ(-EAGAIN, recv_sel(self->sfd, p, buf, sizeof(buf),
				    KIPC_SEL_TYPE_LE, 5, 0, NULL));
}

TEST_F(link, recv_type_ne_from_a_peer_skips_that_type)
{
	static const uint64_t types[] = { 3, 3, 8, 3 };
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_EQ(0, send_types(&self->peer[0], self->me, "abcd", types));
	EXPECT_SEL(self->sfd, p, KIPC_SEL_TYPE_NE, 3, 'c');
	EXPECT_SEL(self->sfd, p, KIPC_SEL_FIFO, 0, 'a');
}

TEST_F(link, recv_prio_on_a_link_fd_selects_within_that_link)
{
	static const uint64_t types[] = { 1, 9 };
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_types(&self->peer[0], self->me, "ab", types));
	/* a higher type from another peer is not this link's */
	ASSERT_EQ(0, kt_peer_send(&self->peer[1], -1, self->me, "z", 99));
	EXPECT_SEL(fd, 0, KIPC_SEL_PRIO, 0, 'b');
	EXPECT_SEL(fd, 0, KIPC_SEL_PRIO, 0, 'a');
	EXPECT_SEL(self->sfd, 0, KIPC_SEL_FIFO, 0, 'z');
	close(fd);
}

TEST_F(link, recv_from_any_peer_with_a_selection_returns_einval)
{
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "x", 1));
	EXPECT_EQ(-EINVAL, recv_sel(self->sfd, 0, buf, sizeof(buf),
				    KIPC_SEL_PRIO, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, recv_sel(self->sfd, 0, buf, sizeof(buf),
				    KIPC_SEL_TYPE_EQ, 1, 0, NULL));
	EXPECT_RECV(self->sfd, 0, "x");
}

TEST_F(link, recv_unknown_selection_returns_einval)
{
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "x", 1));
	EXPECT_EQ(-EINVAL, recv_sel(self->sfd, self->peer[0].pid, buf,
				    sizeof(buf), KIPC_SEL_MAX + 1, 0, 0, NULL));
	EXPECT_RECV(self->sfd, self->peer[0].pid, "x");
}

TEST_F(link, recv_into_short_buffer_returns_emsgsize_and_keeps_message)
{
	struct kipc_msg_info info;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "0123456789",
				  0));
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-EMSGSIZE, recv_sel(self->sfd, self->peer[0].pid, buf, 9,
				      KIPC_SEL_FIFO, 0, 0, &info));
	EXPECT_EQ(10U, info.len);
	EXPECT_RECV(self->sfd, self->peer[0].pid, "0123456789");
}

TEST_F(link, recv_any_into_short_buffer_returns_emsgsize_and_keeps_message)
{
	struct kipc_msg_info info;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "0123456789",
				  0));
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-EMSGSIZE, recv_sel(self->sfd, 0, buf, 0, KIPC_SEL_FIFO, 0,
				      0, &info));
	EXPECT_EQ(10U, info.len);
	EXPECT_RECV(self->sfd, 0, "0123456789");
}

TEST_F(link, recv_into_unwritable_buffer_returns_efault_and_keeps_message)
{
	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "kept", 0));
	EXPECT_EQ(-EFAULT, recv_sel(self->sfd, self->peer[0].pid,
				    kt_readonly_page(), 16, KIPC_SEL_FIFO, 0, 0,
				    NULL));
	EXPECT_EQ(-EFAULT, recv_sel(self->sfd, 0, kt_unmapped_addr(), 16,
				    KIPC_SEL_FIFO, 0, 0, NULL));
	EXPECT_RECV(self->sfd, 0, "kept");
}

TEST_F(link, send_from_unreadable_buffer_returns_efault_and_sends_nothing)
{
	ASSERT_EQ(0, start(self, 0, NULL));
	EXPECT_EQ(-EFAULT, send_raw(self->sfd, self->peer[0].pid,
				    kt_unmapped_addr(), 8, 0,
				    KIPC_MSG_NONBLOCK, 0));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
}

TEST_F(link, empty_message_is_sent_and_received)
{
	struct kt_peer_res r;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, send_raw(self->sfd, self->peer[0].pid, NULL, 0, 4,
			      KIPC_MSG_NONBLOCK, 0));
	ASSERT_EQ(0, kt_peer_recv(&self->peer[0], -1, 0, 0, &r));
	EXPECT_EQ(0U, r.info.len);
	EXPECT_EQ(4U, r.info.type);
	EXPECT_EQ(self->me, r.info.sender_pid);
}

/* ---- limits ---- */

TEST_F(link, send_over_peers_max_msgsize_returns_emsgsize)
{
	struct kt_peer_opts o = { .lim = { .max_msgsize = 16 } };
	char buf[17] = "0123456789abcdef";
	int fd;

	ASSERT_EQ(0, start(self, 0, &o));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EMSGSIZE, send_raw(self->sfd, self->peer[0].pid, buf, 17, 0,
				      KIPC_MSG_NONBLOCK, 0));
	EXPECT_EQ(-EMSGSIZE, send_raw(fd, 0, buf, 17, 0, KIPC_MSG_NONBLOCK,
				      0));
	EXPECT_EQ(-1, write(fd, buf, 17));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	/* max_msgsize itself fits */
	EXPECT_EQ(0, send_raw(fd, 0, buf, 16, 0, KIPC_MSG_NONBLOCK, 0));
	EXPECT_EQ(16, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	close(fd);
}

TEST_F(link, each_direction_holds_what_its_receivers_bind_allows)
{
	struct kipc_queue_limits lim = { .max_msgs = 1 };

	/* the test process takes one message per link, the peer many */
	ASSERT_EQ(0, rebind(self, 0, &lim));
	ASSERT_EQ(0, start(self, 0, NULL));
	EXPECT_EQ(0, send_str(self->sfd, self->peer[0].pid, "1"));
	EXPECT_EQ(0, send_str(self->sfd, self->peer[0].pid, "2"));
	EXPECT_EQ(0, send_str(self->sfd, self->peer[0].pid, "3"));
	EXPECT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "a", 0));
	EXPECT_EQ(-EAGAIN, kt_peer_send(&self->peer[0], -1, self->me, "b", 0));
}

TEST_F(link, send_to_link_full_by_max_msgs_returns_eagain)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 2 } };

	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, send_str(self->sfd, self->peer[0].pid, "1"));
	ASSERT_EQ(0, send_str(self->sfd, self->peer[0].pid, "2"));
	EXPECT_EQ(-EAGAIN, send_str(self->sfd, self->peer[0].pid, "3"));
	/* room again after a receive */
	EXPECT_PEER_RECV(&self->peer[0], -1, 0, "1");
	EXPECT_EQ(0, send_str(self->sfd, self->peer[0].pid, "3"));
}

TEST_F(link, send_to_link_full_by_capacity_returns_eagain)
{
	struct kt_peer_opts o = {
		.lim = { .max_msgsize = 60, .max_msgs = 100, .capacity = 100 },
	};
	char buf[60] = { 0 };

	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, send_raw(self->sfd, self->peer[0].pid, buf, 60, 0,
			      KIPC_MSG_NONBLOCK, 0));
	EXPECT_EQ(-EAGAIN, send_raw(self->sfd, self->peer[0].pid, buf, 41, 0,
				    KIPC_MSG_NONBLOCK, 0));
	EXPECT_EQ(0, send_raw(self->sfd, self->peer[0].pid, buf, 40, 0,
			      KIPC_MSG_NONBLOCK, 0));
}

TEST_F(link, send_on_nonblocking_link_fd_to_full_link_returns_eagain)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	int fd;

	ASSERT_EQ(0, start(self, 0, &o));
	fd = connect_raw(self->sfd, self->peer[0].pid, KIPC_O_NONBLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_raw(fd, 0, "1", 1, 0, 0, 0));
	EXPECT_EQ(-EAGAIN, send_raw(fd, 0, "2", 1, 0, 0, 0));
	EXPECT_EQ(-1, write(fd, "2", 1));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST_F(link, send_with_deadline_to_full_link_returns_etimedout_not_before_it)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	uint64_t deadline;

	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, send_str(self->sfd, self->peer[0].pid, "1"));
	deadline = kt_mono_ns() + 100 * NSEC_PER_MSEC;
	EXPECT_EQ(-ETIMEDOUT, send_raw(self->sfd, self->peer[0].pid, "2", 1, 0,
				       KIPC_MSG_DEADLINE, deadline));
	EXPECT_LE(deadline, kt_mono_ns());
	EXPECT_EQ(-ETIMEDOUT, send_raw(self->sfd, self->peer[0].pid, "2", 1, 0,
				       KIPC_MSG_DEADLINE, 0));
	EXPECT_PEER_RECV(&self->peer[0], -1, 0, "1");
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
}

TEST_F(link, recv_on_empty_link_without_waiting_returns_eagain)
{
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, recv_str(fd, 0, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, self->peer[0].pid, buf,
				    sizeof(buf), 0, NULL));
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, 0, buf, sizeof(buf), 0, NULL));
	close(fd);
}

TEST_F(link, recv_on_empty_nonblocking_link_fd_returns_eagain)
{
	struct kipc_link_recv r;
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, KIPC_O_NONBLOCK);
	ASSERT_LE(0, fd);
	kt_link_recv_args(&r, 0, buf, sizeof(buf));
	EXPECT_EQ(-EAGAIN, kt_ioctl(fd, KIPC_IOC_LINK_RECV, &r));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST_F(link, recv_on_nonblocking_session_returns_eagain)
{
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, fcntl(self->sfd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, kipc_link_recv(self->sfd, self->peer[0].pid, buf,
					  sizeof(buf), NULL));
	EXPECT_EQ(-EAGAIN, kipc_link_recv(self->sfd, 0, buf, sizeof(buf),
					  NULL));
}

TEST_F(link, recv_with_past_deadline_returns_a_queued_message)
{
	struct kipc_link_recv r;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "here", 0));
	kt_link_recv_args(&r, self->peer[0].pid, buf, sizeof(buf));
	r.flags = KIPC_MSG_DEADLINE;
	r.deadline_ns = 0;
	EXPECT_EQ(4, kt_ioctl(self->sfd, KIPC_IOC_LINK_RECV, &r));
}

TEST_F(link, recv_with_deadline_returns_etimedout_not_before_it)
{
	uint64_t start_ns = kt_mono_ns();
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	EXPECT_EQ(-ETIMEDOUT, recv_str(self->sfd, self->peer[0].pid, buf,
				       sizeof(buf), 100, NULL));
	EXPECT_LE(start_ns + 100 * NSEC_PER_MSEC, kt_mono_ns());
	EXPECT_EQ(-ETIMEDOUT, recv_str(self->sfd, 0, buf, sizeof(buf), 100,
				       NULL));
}

/* ---- waiting ---- */

/* Post a send of @str from @p to @to, done once the test process sleeps. */
static int post_send_when_sleeping(struct kt_peer *p, int slot, pid_t to,
				   const char *str)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_SEND,
		.when = KT_PEER_SLEEPING,
		.slot = slot,
		.pid = to,
		.flags = KIPC_MSG_NONBLOCK,
	};

	kt_peer_cmd_str(&c, str);
	return kt_peer_post(p, &c);
}

/* Post a command @op (no arguments) for @p, done once the test sleeps. */
static int post_when_sleeping(struct kt_peer *p, enum kt_peer_op op, int slot)
{
	struct kt_peer_cmd c = {
		.op = op,
		.when = KT_PEER_SLEEPING,
		.slot = slot,
	};

	return kt_peer_post(p, &c);
}

/* The peer's result of a posted command: its ret, or KT_PEER_LOST. */
static long peer_result(struct kt_peer *p)
{
	struct kt_peer_res r;

	if (kt_peer_result(p, &r, KT_PEER_WAIT_MS))
		return KT_PEER_LOST;
	return r.ret;
}

TEST_F(link, blocked_recv_on_link_fd_wakes_when_peer_sends)
{
	uint64_t deadline;
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, post_send_when_sleeping(&self->peer[0], -1, self->me,
					     "wake"));
	deadline = kt_mono_ns() + SAFETY_MS * NSEC_PER_MSEC;
	EXPECT_EQ(4, recv_str(fd, 0, buf, sizeof(buf), SAFETY_MS, NULL));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the send");
	EXPECT_EQ(0, peer_result(&self->peer[0]));
	close(fd);
}

TEST_F(link, blocked_recv_from_any_peer_wakes_when_a_peer_sends)
{
	struct kipc_msg_info info;
	uint64_t deadline;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	ASSERT_EQ(0, post_send_when_sleeping(&self->peer[1], -1, self->me,
					     "any"));
	deadline = kt_mono_ns() + SAFETY_MS * NSEC_PER_MSEC;
	EXPECT_EQ(3, recv_str(self->sfd, 0, buf, sizeof(buf), SAFETY_MS,
			      &info));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the send");
	EXPECT_EQ(self->peer[1].pid, info.sender_pid);
	EXPECT_EQ(0, peer_result(&self->peer[1]));
}

TEST_F(link, blocked_read_on_link_fd_wakes_when_peer_writes)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_WRITE,
		.when = KT_PEER_SLEEPING,
		.slot = 0,
	};
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, kt_peer_connect(&self->peer[0], 0, self->me, 0));
	kt_peer_cmd_str(&c, "written");
	ASSERT_EQ(0, kt_peer_post(&self->peer[0], &c));
	EXPECT_EQ(7, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(7, peer_result(&self->peer[0]));
	close(fd);
}

TEST_F(link, blocked_send_to_full_link_wakes_when_peer_receives)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	struct kt_peer_cmd c = {
		.op = KT_PEER_RECV,
		.when = KT_PEER_SLEEPING,
		.slot = -1,
		.flags = KIPC_MSG_NONBLOCK,
		.buf_len = KT_PEER_DATA,
	};
	uint64_t deadline;

	ASSERT_EQ(0, start(self, 0, &o));
	ASSERT_EQ(0, send_str(self->sfd, self->peer[0].pid, "first"));
	ASSERT_EQ(0, kt_peer_post(&self->peer[0], &c));
	deadline = kt_mono_ns() + SAFETY_MS * NSEC_PER_MSEC;
	EXPECT_EQ(0, send_raw(self->sfd, self->peer[0].pid, "second", 6, 0,
			      KIPC_MSG_DEADLINE, deadline));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the receive");
	EXPECT_EQ(5, peer_result(&self->peer[0]));
	EXPECT_PEER_RECV(&self->peer[0], -1, 0, "second");
}

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

TEST_F(link, signal_interrupts_blocked_recv_with_eintr)
{
	char buf[16];
	pid_t sig;

	ASSERT_EQ(0, start(self, 0, NULL));
	catch_sigusr1(_metadata, false);
	sig = kt_signal_when_sleeping(self->me, self->me, SIGUSR1, 50);
	ASSERT_LT(0, sig);
	EXPECT_EQ(-EINTR, recv_str(self->sfd, self->peer[0].pid, buf,
				   sizeof(buf), SAFETY_MS, NULL));
	kt_stop(sig);
	EXPECT_LE(1, handled);
}

/* ---- read(2) and write(2) ---- */

TEST_F(link, write_on_link_fd_sends_a_message_of_type_0)
{
	struct kt_peer_res r;
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "write", 5));
	ASSERT_EQ(5, kt_peer_recv(&self->peer[0], -1, self->me, 0, &r));
	EXPECT_STREQ("write", r.data);
	EXPECT_EQ(0U, r.info.type);
	EXPECT_EQ(self->me, r.info.sender_pid);
	close(fd);
}

TEST_F(link, read_on_link_fd_receives_the_oldest_message)
{
	char buf[16] = "";
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "low", 1));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "high", 9));
	ASSERT_EQ(3, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp("low", buf, 3));
	ASSERT_EQ(4, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp("high", buf, 4));
	close(fd);
}

TEST_F(link, read_into_short_buffer_returns_emsgsize_and_keeps_message)
{
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "0123456789",
				  0));
	EXPECT_EQ(-1, read(fd, buf, 4));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(10, read(fd, buf, sizeof(buf)));
	close(fd);
}

/* ---- poll and epoll ---- */

TEST_F(link, poll_on_empty_link_fd_is_writable_not_readable)
{
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(POLLOUT, kt_poll(fd, POLLIN | POLLOUT, 0) &
			   (POLLIN | POLLOUT | POLLERR | POLLHUP));
	close(fd);
}

TEST_F(link, poll_on_link_fd_is_readable_after_peer_sends)
{
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "x", 0));
	EXPECT_EQ(POLLIN | POLLOUT, kt_poll(fd, POLLIN | POLLOUT, 0) &
				    (POLLIN | POLLOUT | POLLERR | POLLHUP));
	ASSERT_EQ(1, recv_str(fd, 0, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(0, kt_poll(fd, POLLIN, 0) & POLLIN);
	close(fd);
}

TEST_F(link, poll_on_link_fd_is_not_writable_when_the_link_is_full)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	int fd;

	ASSERT_EQ(0, start(self, 0, &o));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, 0, "full"));
	EXPECT_EQ(0, kt_poll(fd, POLLOUT, 0) & POLLOUT);
	EXPECT_PEER_RECV(&self->peer[0], -1, 0, "full");
	EXPECT_EQ(POLLOUT, kt_poll(fd, POLLOUT, 0) & POLLOUT);
	close(fd);
}

TEST_F(link, poll_on_link_fd_is_not_writable_when_max_msgsize_does_not_fit)
{
	struct kt_peer_opts o = {
		.lim = { .max_msgsize = 100, .max_msgs = 100, .capacity = 250 },
	};
	char buf[100] = { 0 };
	int fd;

	ASSERT_EQ(0, start(self, 0, &o));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_raw(fd, 0, buf, 100, 0, KIPC_MSG_NONBLOCK, 0));
	EXPECT_EQ(POLLOUT, kt_poll(fd, POLLOUT, 0) & POLLOUT);
	ASSERT_EQ(0, send_raw(fd, 0, buf, 100, 0, KIPC_MSG_NONBLOCK, 0));
	/* 50 bytes of room: a small message fits, a largest does not */
	EXPECT_EQ(0, kt_poll(fd, POLLOUT, 0) & POLLOUT);
	close(fd);
}

TEST_F(link, epoll_on_link_fd_wakes_when_peer_sends)
{
	struct epoll_event ev;
	int fd, epfd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	epfd = kt_epoll_on(fd, EPOLLIN);
	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, post_send_when_sleeping(&self->peer[0], -1, self->me,
					     "ep"));
	ASSERT_EQ(1, epoll_wait(epfd, &ev, 1, SAFETY_MS));
	EXPECT_EQ((uint32_t)EPOLLIN, ev.events & (EPOLLIN | EPOLLHUP |
						  EPOLLERR));
	EXPECT_EQ(0, peer_result(&self->peer[0]));
	close(epfd);
	close(fd);
}

TEST_F(link, epoll_on_link_fd_wakes_for_room_when_peer_receives)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	struct kt_peer_cmd c = {
		.op = KT_PEER_RECV,
		.when = KT_PEER_SLEEPING,
		.slot = -1,
		.flags = KIPC_MSG_NONBLOCK,
		.buf_len = KT_PEER_DATA,
	};
	struct epoll_event ev;
	int fd, epfd;

	ASSERT_EQ(0, start(self, 0, &o));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, 0, "full"));
	epfd = kt_epoll_on(fd, EPOLLOUT);
	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, kt_peer_post(&self->peer[0], &c));
	ASSERT_EQ(1, epoll_wait(epfd, &ev, 1, SAFETY_MS));
	EXPECT_EQ((uint32_t)EPOLLOUT, ev.events & (EPOLLOUT | EPOLLHUP |
						   EPOLLERR));
	EXPECT_EQ(4, peer_result(&self->peer[0]));
	close(epfd);
	close(fd);
}

TEST_F(link, epoll_on_link_fd_wakes_with_hup_when_peer_exits)
{
	struct epoll_event ev;
	int fd, epfd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	epfd = kt_epoll_on(fd, EPOLLIN);
	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, post_when_sleeping(&self->peer[0], KT_PEER_EXIT, -1));
	ASSERT_EQ(1, epoll_wait(epfd, &ev, 1, SAFETY_MS));
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLHUP),
		  ev.events & (EPOLLIN | EPOLLHUP));
	EXPECT_EQ(0, kt_peer_reap(&self->peer[0]));
	close(epfd);
	close(fd);
}

TEST_F(link, poll_on_session_is_readable_when_any_peer_sent)
{
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_EQ(0, start(self, 1, NULL));
	EXPECT_EQ(0, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
	ASSERT_LE(0, connect_raw(self->sfd, self->peer[0].pid, 0));
	EXPECT_EQ(0, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
	ASSERT_EQ(0, kt_peer_send(&self->peer[1], -1, self->me, "x", 0));
	EXPECT_EQ(POLLIN, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
	ASSERT_EQ(1, recv_str(self->sfd, 0, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(0, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
}

TEST_F(link, epoll_on_session_wakes_when_a_peer_sends)
{
	struct epoll_event ev;
	int epfd;

	ASSERT_EQ(0, start(self, 0, NULL));
	epfd = kt_epoll_on(self->sfd, EPOLLIN);
	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, post_send_when_sleeping(&self->peer[0], -1, self->me,
					     "ep"));
	ASSERT_EQ(1, epoll_wait(epfd, &ev, 1, SAFETY_MS));
	EXPECT_EQ((uint32_t)EPOLLIN, ev.events & EPOLLIN);
	EXPECT_EQ(0, peer_result(&self->peer[0]));
	EXPECT_RECV(self->sfd, 0, "ep");
	close(epfd);
}

/* ---- a peer that exits ---- */

TEST_F(link, messages_sent_before_exit_are_received_then_econnreset)
{
	struct kipc_msg_info info;
	char buf[16];
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "m1", 0));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "m2", 0));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "m3", 0));
	ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
	EXPECT_RECV(self->sfd, p, "m1");
	EXPECT_RECV(self->sfd, p, "m2");
	EXPECT_RECV(self->sfd, p, "m3");
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-ECONNRESET, recv_str(self->sfd, p, buf, sizeof(buf),
					SAFETY_MS, &info));
	EXPECT_EQ(p, info.sender_pid);
}

TEST_F(link, link_fd_of_exited_peer_gives_its_messages_then_econnreset)
{
	struct kipc_msg_info info;
	char buf[16];
	pid_t p;
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	fd = connect_raw(self->sfd, p, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "m1", 0));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "m2", 0));
	ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
	EXPECT_RECV(fd, 0, "m1");
	ASSERT_EQ(2, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp("m2", buf, 2));
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-ECONNRESET, recv_str(fd, 0, buf, sizeof(buf), SAFETY_MS,
					&info));
	EXPECT_EQ(p, info.sender_pid);
	/* a link fd keeps saying so */
	EXPECT_EQ(-ECONNRESET, recv_str(fd, 0, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(ECONNRESET, errno);
	close(fd);
}

TEST_F(link, recv_from_any_peer_reports_an_exited_peer_once)
{
	struct kipc_msg_info info;
	char buf[16];
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "last", 0));
	ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
	EXPECT_EQ(POLLIN, kt_poll(self->sfd, POLLIN, SAFETY_MS) & POLLIN);
	EXPECT_RECV(self->sfd, 0, "last");
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-ECONNRESET, recv_str(self->sfd, 0, buf, sizeof(buf),
					SAFETY_MS, &info));
	EXPECT_EQ(p, info.sender_pid);
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, 0, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(0, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
}

TEST_F(link, recv_from_any_peer_reports_each_exited_peer_once)
{
	struct kipc_msg_info info;
	bool seen[2] = { false, false };
	pid_t p[2];
	char buf[16];
	int i, k;

	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, start(self, k, NULL));
		p[k] = self->peer[k].pid;
		ASSERT_LE(0, connect_raw(self->sfd, p[k], 0));
	}
	ASSERT_EQ(0, start(self, 2, NULL));
	ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
	ASSERT_EQ(0, kt_peer_exit(&self->peer[1]));
	for (i = 0; i < 2; i++) {
		memset(&info, 0, sizeof(info));
		ASSERT_EQ(-ECONNRESET, recv_str(self->sfd, 0, buf, sizeof(buf),
						SAFETY_MS, &info));
		k = info.sender_pid == p[1];
		ASSERT_EQ(p[k], info.sender_pid);
		EXPECT_FALSE(seen[k]);
		seen[k] = true;
	}
	/* the live peer still gets through */
	ASSERT_EQ(0, kt_peer_send(&self->peer[2], -1, self->me, "live", 0));
	EXPECT_RECV(self->sfd, 0, "live");
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, 0, buf, sizeof(buf), 0, NULL));
}

TEST_F(link, send_on_link_fd_to_exited_peer_returns_epipe)
{
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
	/* once the hang-up is seen, whenever the kernel notices the exit */
	ASSERT_EQ(-ECONNRESET, recv_str(fd, 0, buf, sizeof(buf), SAFETY_MS,
					NULL));
	EXPECT_EQ(-EPIPE, send_str(fd, 0, "x"));
	EXPECT_EQ(-EPIPE, send_raw(fd, 0, "x", 1, 0, 0, 0));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	close(fd);
}

TEST_F(link, send_right_after_peer_was_reaped_returns_epipe)
{
	int fd, round;

	/*
	 * No waiting: once wait() reported the exit, the peer has exited.
	 * The peer's session has no other holder, so it closes as the peer
	 * exits, before its parent is told.
	 */
	for (round = 0; round < 5; round++) {
		ASSERT_EQ(0, start(self, 0, NULL));
		fd = connect_raw(self->sfd, self->peer[0].pid, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
		EXPECT_EQ(-EPIPE, send_str(fd, 0, "x")) TH_LOG("round %d",
							       round);
		close(fd);
	}
}

TEST_F(link, send_by_pid_to_exited_and_reaped_peer_fails)
{
	long ret;
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_LE(0, connect_raw(self->sfd, p, 0));
	ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
	/*
	 * The link's peer is gone (-EPIPE), and the pid names no process
	 * (-ESRCH, as for connect): uapi allows either reading.
	 */
	ret = send_str(self->sfd, p, "x");
	EXPECT_TRUE(ret == -EPIPE || ret == -ESRCH) TH_LOG("send: %ld", ret);
}

TEST_F(link, peer_exit_wakes_blocked_send_with_epipe)
{
	struct kt_peer_opts o = { .lim = { .max_msgs = 1 } };
	uint64_t deadline;
	int fd;

	ASSERT_EQ(0, start(self, 0, &o));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, 0, "full"));
	ASSERT_EQ(0, post_when_sleeping(&self->peer[0], KT_PEER_EXIT, -1));
	deadline = kt_mono_ns() + SAFETY_MS * NSEC_PER_MSEC;
	EXPECT_EQ(-EPIPE, send_raw(fd, 0, "more", 4, 0, KIPC_MSG_DEADLINE,
				   deadline));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the exit");
	EXPECT_EQ(0, kt_peer_reap(&self->peer[0]));
	close(fd);
}

/* Block in a receive (@how) while the peer is killed; expect -ECONNRESET. */
enum recv_how { ON_LINK_FD, BY_PID, FROM_ANY };

static void killed_while_receiving(struct __test_metadata *_metadata,
				   FIXTURE_DATA(link) *self, enum recv_how how)
{
	struct kipc_msg_info info;
	uint64_t deadline;
	pid_t p, killer;
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	fd = connect_raw(self->sfd, p, 0);
	ASSERT_LE(0, fd);
	killer = kt_signal_when_sleeping(self->me, p, SIGKILL, 1);
	ASSERT_LT(0, killer);
	memset(&info, 0, sizeof(info));
	deadline = kt_mono_ns() + SAFETY_MS * NSEC_PER_MSEC;
	EXPECT_EQ(-ECONNRESET,
		  recv_str(how == ON_LINK_FD ? fd : self->sfd,
			   how == BY_PID ? p : 0, buf, sizeof(buf),
			   SAFETY_MS, &info));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the kill");
	EXPECT_EQ(p, info.sender_pid);
	EXPECT_EQ(0, kt_reap(killer));
	EXPECT_EQ(KT_CHILD_KILLED, kt_peer_reap(&self->peer[0]));
	close(fd);
}

TEST_F(link, sigkill_of_peer_wakes_blocked_recv_on_link_fd_with_econnreset)
{
	killed_while_receiving(_metadata, self, ON_LINK_FD);
}

TEST_F(link, sigkill_of_peer_wakes_blocked_recv_by_pid_with_econnreset)
{
	killed_while_receiving(_metadata, self, BY_PID);
}

TEST_F(link, sigkill_of_peer_wakes_blocked_recv_from_any_with_econnreset)
{
	killed_while_receiving(_metadata, self, FROM_ANY);
}

TEST_F(link, exit_ends_the_binding_while_another_process_holds_the_session)
{
	struct kipc_msg_info info;
	char buf[16];
	int fd, held;
	pid_t p;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	fd = connect_raw(self->sfd, p, 0);
	ASSERT_LE(0, fd);
	/* the test process holds the peer's session: exit closes no file */
	held = kt_peer_get_fd(&self->peer[0], -1);
	ASSERT_LE(0, held);
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "bye", 0));
	ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
	EXPECT_RECV(fd, 0, "bye");
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-ECONNRESET, recv_str(fd, 0, buf, sizeof(buf), SAFETY_MS,
					&info));
	EXPECT_EQ(p, info.sender_pid);
	EXPECT_EQ(-EPIPE, send_str(fd, 0, "x"));
	/* the session acts for nobody now */
	EXPECT_EQ(-ENOTCONN, send_str(held, self->me, "x"));
	close(held);
	close(fd);
}

#define REAP_ROUNDS	40

TEST_F(link, peer_whose_session_lives_on_is_gone_as_soon_as_it_is_reaped)
{
	int fd, held, round, pollhup = 0, reset = 0, piped = 0;
	char buf[16];

	/*
	 * The exit, not a file's release, ends the binding here, and once
	 * wait() reported the exit the peer is gone: no waiting for it.
	 */
	for (round = 0; round < REAP_ROUNDS; round++) {
		ASSERT_EQ(0, start(self, 0, NULL));
		fd = connect_raw(self->sfd, self->peer[0].pid, 0);
		ASSERT_LE(0, fd);
		held = kt_peer_get_fd(&self->peer[0], -1);
		ASSERT_LE(0, held);
		ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
		pollhup += !!(kt_poll(fd, POLLIN, 0) & POLLHUP);
		reset += recv_str(fd, 0, buf, sizeof(buf), 0, NULL) ==
			 -ECONNRESET;
		piped += send_str(fd, 0, "x") == -EPIPE;
		close(held);
		close(fd);
	}
	EXPECT_EQ(REAP_ROUNDS, pollhup) TH_LOG("poll without EPOLLHUP");
	EXPECT_EQ(REAP_ROUNDS, reset) TH_LOG("receive without -ECONNRESET");
	EXPECT_EQ(REAP_ROUNDS, piped) TH_LOG("send without -EPIPE");
}

/* ---- a peer that closes its session and lives on ---- */

TEST_F(link, peer_closing_its_session_leaves_its_messages_then_econnreset)
{
	struct kipc_msg_info info;
	struct kt_peer_cmd c = { .op = KT_PEER_CLOSE, .slot = -1 };
	char buf[16];
	pid_t p;
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	fd = connect_raw(self->sfd, p, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "m1", 0));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "m2", 0));
	ASSERT_EQ(0, kt_peer_do(&self->peer[0], &c, NULL));
	EXPECT_EQ(POLLIN | POLLHUP,
		  kt_poll(fd, POLLIN, 0) & (POLLIN | POLLHUP));
	EXPECT_RECV(fd, 0, "m1");
	EXPECT_RECV(self->sfd, p, "m2");
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-ECONNRESET, recv_str(fd, 0, buf, sizeof(buf), 0, &info));
	EXPECT_EQ(p, info.sender_pid);
	EXPECT_EQ(-EPIPE, send_str(fd, 0, "x"));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	close(fd);
}

TEST_F(link, recv_from_any_peer_reports_a_peer_that_closed_its_session)
{
	struct kt_peer_cmd c = { .op = KT_PEER_CLOSE, .slot = -1 };
	struct kipc_msg_info info;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_LE(0, connect_raw(self->sfd, self->peer[0].pid, 0));
	ASSERT_EQ(0, kt_peer_do(&self->peer[0], &c, NULL));
	EXPECT_EQ(POLLIN, kt_poll(self->sfd, POLLIN, 0) & POLLIN);
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-ECONNRESET, recv_str(self->sfd, 0, buf, sizeof(buf), 0,
					&info));
	EXPECT_EQ(self->peer[0].pid, info.sender_pid);
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, 0, buf, sizeof(buf), 0, NULL));
}

TEST_F(link, send_by_pid_to_peer_that_closed_its_session_fails)
{
	struct kt_peer_cmd c = { .op = KT_PEER_CLOSE, .slot = -1 };
	long ret;

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_LE(0, connect_raw(self->sfd, self->peer[0].pid, 0));
	ASSERT_EQ(0, kt_peer_do(&self->peer[0], &c, NULL));
	/* the link's peer is gone (-EPIPE); the process has no bound
	 * session (-ECONNREFUSED, as for connect): uapi allows either */
	ret = send_str(self->sfd, self->peer[0].pid, "x");
	EXPECT_TRUE(ret == -EPIPE || ret == -ECONNREFUSED)
		TH_LOG("send: %ld", ret);
}

TEST_F(link, peer_closing_its_session_wakes_blocked_recv_with_econnreset)
{
	struct kipc_msg_info info;
	uint64_t deadline;
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, post_when_sleeping(&self->peer[0], KT_PEER_CLOSE, -1));
	memset(&info, 0, sizeof(info));
	deadline = kt_mono_ns() + SAFETY_MS * NSEC_PER_MSEC;
	EXPECT_EQ(-ECONNRESET, recv_str(fd, 0, buf, sizeof(buf), SAFETY_MS,
					&info));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the close");
	EXPECT_EQ(self->peer[0].pid, info.sender_pid);
	EXPECT_EQ(0, peer_result(&self->peer[0]));
	close(fd);
}

TEST_F(link, link_fd_of_a_process_whose_session_closed_returns_enotconn)
{
	struct kt_peer_cmd c = { .op = KT_PEER_CLOSE, .slot = -1 };
	struct kt_peer_res r;
	char buf[16];

	ASSERT_EQ(0, start(self, 0, NULL));
	ASSERT_LE(0, kt_peer_connect(&self->peer[0], 0, self->me, 0));
	ASSERT_EQ(0, kt_peer_do(&self->peer[0], &c, NULL));
	EXPECT_EQ(-ENOTCONN, kt_peer_send(&self->peer[0], 0, 0, "x", 0));
	EXPECT_EQ(-ENOTCONN, kt_peer_recv(&self->peer[0], 0, 0, 0, &r));
	/* nothing came through; the test process sees the hang-up */
	EXPECT_EQ(-ECONNRESET, recv_str(self->sfd, self->peer[0].pid, buf,
					sizeof(buf), 0, NULL));
}

TEST_F(link, closing_own_session_makes_own_link_fds_fail_with_enotconn)
{
	struct kipc_msg_info info;
	struct kt_peer_res r;
	char buf[16];
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	close(self->sfd);
	self->sfd = -1;
	EXPECT_EQ(-ENOTCONN, send_str(fd, 0, "x"));
	EXPECT_EQ(-ENOTCONN, recv_str(fd, 0, buf, sizeof(buf), 0, &info));
	/* and the peer sees the hang-up */
	EXPECT_EQ(-ECONNRESET, kt_peer_recv(&self->peer[0], -1, getpid(), 0,
					    &r));
	EXPECT_EQ(getpid(), r.info.sender_pid);
	close(fd);
}

/* ---- recycled PIDs ---- */

/*
 * The pid a peer had is given to a new peer.  With pid_max lowered to
 * PID_LIMIT, new processes take the free pids below it in turn, and once
 * past RESERVED_PIDS (300; pid_max's floor is 301) they come round to
 * 300..PID_LIMIT-1 only: a few dozen forks reach any pid of that range
 * that is free again.
 */
#define PID_LOW		300
#define PID_LIMIT	400

static pid_t fork_trivial(void)
{
	pid_t pid = kt_fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		kt_reap(pid);
	return pid;
}

/* Lower pid_max to PID_LIMIT (restored in teardown), or skip the test. */
static bool lower_pid_max(FIXTURE_DATA(link) *self)
{
	unsigned long long old;

	if (geteuid() || kt_file_read_ull(PID_MAX_PATH, &old))
		return false;
	if (kt_file_write_ull(PID_MAX_PATH, PID_LIMIT))
		return false;
	self->pid_max = old;
	return true;
}

static void restore_pid_max(FIXTURE_DATA(link) *self)
{
	if (self->pid_max && !kt_file_write_ull(PID_MAX_PATH, self->pid_max))
		self->pid_max = 0;
}

/* Start @p (bound, defaults) as the process @want; false if not had. */
static bool start_on_pid(struct kt_peer *p, pid_t want)
{
	return kt_peer_start_as(p, NULL, want, 3 * (PID_LIMIT - PID_LOW)) == 0;
}

/*
 * Peer 0 (pid P) sends "old-1", "old-2" to the test process, which has a
 * link fd for it in *@fd, and exits; peer 1 is then started as P.
 */
static void recycle_peer(struct __test_metadata *_metadata,
			 FIXTURE_DATA(link) *self, int *fd)
{
	pid_t p, pid;
	int tries;

	if (!lower_pid_max(self))
		SKIP(return, "cannot lower %s (needs root)", PID_MAX_PATH);
	/* soon after boot the pids may still be below 300: get past them */
	for (tries = 0; tries < PID_LIMIT; tries++) {
		pid = fork_trivial();
		ASSERT_LT(0, pid);
		if (pid >= PID_LOW)
			break;
	}
	ASSERT_EQ(0, start(self, 0, NULL));
	p = self->peer[0].pid;
	ASSERT_LE(PID_LOW, p);
	ASSERT_GT(PID_LIMIT, p);
	*fd = connect_raw(self->sfd, p, 0);
	ASSERT_LE(0, *fd);
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "old-1", 0));
	ASSERT_EQ(0, kt_peer_send(&self->peer[0], -1, self->me, "old-2", 0));
	ASSERT_EQ(0, kt_peer_exit(&self->peer[0]));
	ASSERT_TRUE(start_on_pid(&self->peer[1], p))
		TH_LOG("no new process got pid %d", p);
	restore_pid_max(self);
}

TEST_F(link, recycled_pid_link_fd_never_reaches_the_new_process)
{
	struct kipc_msg_info info;
	struct kt_peer_res r;
	char buf[16];
	int fd = -1;
	pid_t p;

	recycle_peer(_metadata, self, &fd);
	p = self->peer[1].pid;
	/* the link fd still names the old process: its messages, then reset */
	EXPECT_RECV(fd, 0, "old-1");
	EXPECT_RECV(fd, p, "old-2");
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-ECONNRESET, recv_str(fd, 0, buf, sizeof(buf), SAFETY_MS,
					&info));
	EXPECT_EQ(p, info.sender_pid);
	EXPECT_EQ(-EPIPE, send_str(fd, 0, "stale"));
	EXPECT_EQ(-1, write(fd, "stale", 5));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(POLLHUP, kt_poll(fd, POLLIN, 0) & POLLHUP);
	/* the new process got nothing */
	EXPECT_EQ(-ETIMEDOUT, kt_peer_recv(&self->peer[1], -1, 0, 100, &r));
	close(fd);
}

TEST_F(link, recycled_pid_send_by_pid_reaches_the_new_process)
{
	struct kt_peer_res r;
	int fd = -1;

	recycle_peer(_metadata, self, &fd);
	ASSERT_EQ(0, send_str(self->sfd, self->peer[1].pid, "new"));
	ASSERT_EQ(3, kt_peer_recv(&self->peer[1], -1, 0, 0, &r));
	EXPECT_STREQ("new", r.data);
	EXPECT_EQ(self->me, r.info.sender_pid);
	/* and the old link fd is still the old process's */
	EXPECT_EQ(-EPIPE, send_str(fd, 0, "stale"));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[1], -1, 0, 0, &r));
	close(fd);
}

TEST_F(link, recycled_pid_recv_by_pid_is_from_the_new_process)
{
	struct kipc_msg_info info;
	char buf[16];
	int fd = -1, fd2;
	pid_t p;

	recycle_peer(_metadata, self, &fd);
	p = self->peer[1].pid;
	/* the old process's messages are not the new one's */
	EXPECT_EQ(-EAGAIN, recv_str(self->sfd, p, buf, sizeof(buf), 0, NULL));
	ASSERT_EQ(0, kt_peer_send(&self->peer[1], -1, self->me, "new", 0));
	ASSERT_EQ(3, recv_str(self->sfd, p, buf, sizeof(buf), 0, &info));
	EXPECT_STREQ("new", buf);
	/* a new connect gives the new process's link */
	fd2 = connect_raw(self->sfd, p, 0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, send_str(fd2, 0, "via-fd2"));
	EXPECT_PEER_RECV(&self->peer[1], -1, self->me, "via-fd2");
	/* while the old link fd still holds the old messages */
	EXPECT_RECV(fd, 0, "old-1");
	close(fd2);
	close(fd);
}

/* ---- argument checks shared by the link ioctls ---- */

struct link_ioctl {
	const char *name;
	unsigned long cmd;
	size_t size, ver0;
	long flags_off, reserved0_off, reserved_off;
	uint32_t bad_flag;
};

#define LINK_IOCTL(c, t, v0, r0, bad) {					\
	#c, c, sizeof(t), v0, offsetof(t, flags), r0,			\
	offsetof(t, reserved), bad }

static const struct link_ioctl link_ioctls[] = {
	LINK_IOCTL(KIPC_IOC_CONNECT, struct kipc_connect,
		   KIPC_CONNECT_SIZE_VER0,
		   offsetof(struct kipc_connect, reserved0), KIPC_O_SEND),
	LINK_IOCTL(KIPC_IOC_LINK_SEND, struct kipc_link_send,
		   KIPC_LINK_SEND_SIZE_VER0,
		   offsetof(struct kipc_link_send, reserved0),
		   KIPC_MSG_ALL + 1),
	LINK_IOCTL(KIPC_IOC_LINK_RECV, struct kipc_link_recv,
		   KIPC_LINK_RECV_SIZE_VER0,
		   offsetof(struct kipc_link_recv, reserved0),
		   KIPC_MSG_ALL + 1),
	LINK_IOCTL(KIPC_IOC_LINK_CALL, struct kipc_link_call,
		   KIPC_LINK_CALL_SIZE_VER0,
		   offsetof(struct kipc_link_call, reserved0),
		   KIPC_MSG_ALL + 1),
	LINK_IOCTL(KIPC_IOC_LINK_REPLY, struct kipc_link_reply,
		   KIPC_LINK_REPLY_SIZE_VER0, -1, 1),
};

/*
 * Valid arguments of @io for the peer @pid into @buf (zeroed, 8 KiB), and
 * what the call then returns: connect an fd (>= 0: -1 here), send 0,
 * receive -EAGAIN, call -ETIMEDOUT (deadline now), reply -ESRCH.
 */
static long link_ioctl_args(const struct link_ioctl *io, char *buf, pid_t pid)
{
	static char data[8] = "data", room[64];

	memset(buf, 0, 8192);
	switch (io->cmd) {
	case KIPC_IOC_CONNECT:
		kt_connect_args((void *)buf, pid, 0);
		return -1;
	case KIPC_IOC_LINK_SEND:
		kt_link_send_args((void *)buf, pid, data, 4, 0);
		((struct kipc_link_send *)buf)->flags = KIPC_MSG_NONBLOCK;
		return 0;
	case KIPC_IOC_LINK_RECV:
		kt_link_recv_args((void *)buf, pid, room, sizeof(room));
		((struct kipc_link_recv *)buf)->flags = KIPC_MSG_NONBLOCK;
		return -EAGAIN;
	case KIPC_IOC_LINK_CALL:
		kt_link_call_args((void *)buf, pid, data, 4, room,
				  sizeof(room));
		((struct kipc_link_call *)buf)->flags = KIPC_MSG_DEADLINE;
		return -ETIMEDOUT;
	case KIPC_IOC_LINK_REPLY:
		kt_link_reply_args((void *)buf, 123456789, data, 4);
		return -ESRCH;
	}
	abort();
}

/* The result of @io with valid args as checked: >= 0 stands for "an fd". */
static bool link_ioctl_ok(long want, long ret)
{
	if (want == -1) {
		if (ret >= 0)
			close(ret);
		return ret >= 0;
	}
	return ret == want;
}

TEST_F(link, link_ioctls_with_valid_args_do_what_the_table_says)
{
	static char buf[8192];
	unsigned int i;
	long want, ret;

	ASSERT_EQ(0, start(self, 0, NULL));
	for (i = 0; i < sizeof(link_ioctls) / sizeof(link_ioctls[0]); i++) {
		want = link_ioctl_args(&link_ioctls[i], buf, self->peer[0].pid);
		ret = kt_ioctl(self->sfd, link_ioctls[i].cmd, buf);
		EXPECT_TRUE(link_ioctl_ok(want, ret))
			TH_LOG("%s: %ld", link_ioctls[i].name, ret);
	}
}

TEST_F(link, link_ioctls_with_size_below_first_version_return_einval)
{
	static char buf[8192];
	unsigned int i;

	ASSERT_EQ(0, start(self, 0, NULL));
	for (i = 0; i < sizeof(link_ioctls) / sizeof(link_ioctls[0]); i++) {
		link_ioctl_args(&link_ioctls[i], buf, self->peer[0].pid);
		*(uint32_t *)buf = link_ioctls[i].ver0 - 8;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, link_ioctls[i].cmd, buf))
			TH_LOG("%s", link_ioctls[i].name);
		*(uint32_t *)buf = 0;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, link_ioctls[i].cmd, buf))
			TH_LOG("%s", link_ioctls[i].name);
	}
}

TEST_F(link, link_ioctls_with_nonzero_tail_return_e2big)
{
	static char buf[8192];
	unsigned int i;

	ASSERT_EQ(0, start(self, 0, NULL));
	for (i = 0; i < sizeof(link_ioctls) / sizeof(link_ioctls[0]); i++) {
		link_ioctl_args(&link_ioctls[i], buf, self->peer[0].pid);
		*(uint32_t *)buf = link_ioctls[i].size + 16;
		buf[link_ioctls[i].size + 9] = 1;
		EXPECT_EQ(-E2BIG, kt_ioctl(self->sfd, link_ioctls[i].cmd, buf))
			TH_LOG("%s", link_ioctls[i].name);
		link_ioctl_args(&link_ioctls[i], buf, self->peer[0].pid);
		*(uint32_t *)buf = 4097;
		EXPECT_EQ(-E2BIG, kt_ioctl(self->sfd, link_ioctls[i].cmd, buf))
			TH_LOG("%s: size 4097", link_ioctls[i].name);
	}
}

TEST_F(link, link_ioctls_with_zero_tail_work)
{
	static char buf[8192];
	unsigned int i;
	long want, ret;

	ASSERT_EQ(0, start(self, 0, NULL));
	for (i = 0; i < sizeof(link_ioctls) / sizeof(link_ioctls[0]); i++) {
		want = link_ioctl_args(&link_ioctls[i], buf, self->peer[0].pid);
		*(uint32_t *)buf = link_ioctls[i].size + 64;
		ret = kt_ioctl(self->sfd, link_ioctls[i].cmd, buf);
		EXPECT_TRUE(link_ioctl_ok(want, ret))
			TH_LOG("%s: %ld", link_ioctls[i].name, ret);
	}
}

TEST_F(link, link_ioctls_with_nonzero_reserved_return_einval)
{
	static char buf[8192];
	const struct link_ioctl *io;
	unsigned int i;

	ASSERT_EQ(0, start(self, 0, NULL));
	for (i = 0; i < sizeof(link_ioctls) / sizeof(link_ioctls[0]); i++) {
		io = &link_ioctls[i];
		link_ioctl_args(io, buf, self->peer[0].pid);
		*(uint64_t *)(buf + io->reserved_off + 8) = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, io->cmd, buf))
			TH_LOG("%s: reserved[1]", io->name);
		if (io->reserved0_off < 0)
			continue;
		link_ioctl_args(io, buf, self->peer[0].pid);
		*(uint32_t *)(buf + io->reserved0_off) = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, io->cmd, buf))
			TH_LOG("%s: reserved0", io->name);
	}
	/* none of them sent anything */
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
}

TEST_F(link, link_ioctls_with_unknown_flag_return_einval)
{
	static char buf[8192];
	const struct link_ioctl *io;
	unsigned int i;

	ASSERT_EQ(0, start(self, 0, NULL));
	for (i = 0; i < sizeof(link_ioctls) / sizeof(link_ioctls[0]); i++) {
		io = &link_ioctls[i];
		link_ioctl_args(io, buf, self->peer[0].pid);
		*(uint32_t *)(buf + io->flags_off) |= io->bad_flag;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, io->cmd, buf))
			TH_LOG("%s: flag %#x", io->name, io->bad_flag);
		link_ioctl_args(io, buf, self->peer[0].pid);
		*(uint32_t *)(buf + io->flags_off) |= 1U << 31;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, io->cmd, buf))
			TH_LOG("%s: flag 1 << 31", io->name);
	}
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
}

TEST_F(link, link_ioctls_with_bad_args_pointer_return_efault)
{
	unsigned int i;
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(link_ioctls) / sizeof(link_ioctls[0]); i++) {
		EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, link_ioctls[i].cmd,
					    kt_unmapped_addr()))
			TH_LOG("%s", link_ioctls[i].name);
		if (link_ioctls[i].cmd == KIPC_IOC_CONNECT)
			continue;
		EXPECT_EQ(-EFAULT, kt_ioctl(fd, link_ioctls[i].cmd,
					    kt_unmapped_addr()))
			TH_LOG("%s on the link fd", link_ioctls[i].name);
	}
	close(fd);
}

TEST_F(link, session_and_queue_ioctls_on_link_fd_return_enotty)
{
	struct kipc_version v = { .size = sizeof(v) };
	struct kipc_connect c;
	struct kipc_bind b;
	struct kipc_send s;
	int fd;

	ASSERT_EQ(0, start(self, 0, NULL));
	fd = connect_raw(self->sfd, self->peer[0].pid, 0);
	ASSERT_LE(0, fd);
	kt_bind_args(&b, 0);
	kt_connect_args(&c, self->peer[0].pid, 0);
	kt_send_args(&s, "x", 1, 0);
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_IOC_BIND, &b));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_IOC_CONNECT, &c));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_IOC_QUEUE_SEND, &s));
	EXPECT_EQ(-EAGAIN, kt_peer_recv(&self->peer[0], -1, 0, 0, NULL));
	close(fd);
}

TEST_F(link, link_ioctls_on_queue_fd_return_enotty)
{
	struct kipc_link_send s;
	struct kipc_link_recv r;
	char buf[16];
	int qfd;

	qfd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND |
			      KIPC_O_RECV, 0600, NULL, NULL);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, start(self, 0, NULL));
	kt_link_send_args(&s, self->peer[0].pid, "x", 1, 0);
	kt_link_recv_args(&r, 0, buf, sizeof(buf));
	r.flags = KIPC_MSG_NONBLOCK;
	EXPECT_EQ(-ENOTTY, kt_ioctl(qfd, KIPC_IOC_LINK_SEND, &s));
	EXPECT_EQ(-ENOTTY, kt_ioctl(qfd, KIPC_IOC_LINK_RECV, &r));
	close(qfd);
}

KT_HARNESS_MAIN
