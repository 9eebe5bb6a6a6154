// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues that wait: non-blocking calls, deadlines, wakeups by
 * another process, signals, removal while waiting, poll and epoll.
 *
 * The test process is the one that waits; a child does the waking, after
 * seeing the test process asleep (kt_wait_sleeping()).  Had the child been
 * early, the call finds the message or room at once and the test still
 * passes; it cannot hang on a lost wakeup of its own making.
 */
#include <poll.h>
#include <sys/epoll.h>

#include "kipc_test.h"

FIXTURE(block) {
	int sfd;
	int qfd;		/* SEND|RECV opening of @name, default limits */
	const char *name;
	struct kt_names names;
};

FIXTURE_SETUP(block)
{
	self->qfd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	self->name = kt_names_new(&self->names, "b");
	self->qfd = kipc_queue_open(self->sfd, self->name,
				    KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
				    KIPC_O_RECV, 0600, NULL, NULL);
	ASSERT_LE(0, self->qfd) TH_LOG("create %s: %s", self->name,
				       strerror(-self->qfd));
}

FIXTURE_TEARDOWN(block)
{
	if (self->qfd >= 0)
		close(self->qfd);
	kt_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
}

/*
 * Replace the fixture's queue with one of @max_msgs messages of at most
 * @max_msgsize bytes and @capacity bytes in all, with extra open @flags.
 */
static int requeue(FIXTURE_DATA(block) *self, uint32_t max_msgsize,
		   uint32_t max_msgs, uint64_t capacity, unsigned int flags)
{
	struct kipc_queue_limits lim = {
		.max_msgsize = max_msgsize,
		.max_msgs = max_msgs,
		.capacity = capacity,
	};

	close(self->qfd);
	kt_names_remove_all(self->sfd, &self->names);
	self->name = kt_names_new(&self->names, "b");
	self->qfd = kipc_queue_open(self->sfd, self->name,
				    KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
				    KIPC_O_RECV | flags, 0600, &lim, NULL);
	return self->qfd;
}

/* Raw send and receive: the errno the kernel gives, no library policy. */
static long send_raw(int qfd, const void *buf, size_t len, uint64_t type,
		     unsigned int flags, uint64_t deadline_ns)
{
	struct kipc_send s;

	kt_send_args(&s, buf, len, type);
	s.flags = flags;
	s.deadline_ns = deadline_ns;
	return kt_ioctl(qfd, KIPC_IOC_QUEUE_SEND, &s);
}

static long recv_raw(int qfd, void *buf, size_t len, unsigned int select,
		     uint64_t type, unsigned int flags, uint64_t deadline_ns,
		     struct kipc_msg_info *info)
{
	struct kipc_recv r;
	long ret;

	kt_recv_args(&r, buf, len);
	r.select = select;
	r.type = type;
	r.flags = flags;
	r.deadline_ns = deadline_ns;
	ret = kt_ioctl(qfd, KIPC_IOC_QUEUE_RECV, &r);
	if (info)
		*info = r.info;
	return ret;
}

/*
 * A safety net for waits that another process should end: they give up
 * after this long.  A wait that ends by the deadline instead of the wakeup
 * (a call re-checks after any wakeup, so it may still return what it
 * waited for) is a lost wakeup: the tests check that it ended before.
 */
#define SAFETY_NS	(10 * NSEC_PER_SEC)

/* Exit status of a child whose wait ended only at its safety deadline. */
#define KT_CHILD_LATE	252

/* In a child: receive until woken; 0, the errno, or KT_CHILD_LATE. */
static int recv_until_woken(int qfd, int expect)
{
	uint64_t deadline = kt_mono_ns() + SAFETY_NS;
	struct kipc_recv r;
	char buf[16];
	long ret;

	kt_recv_args(&r, buf, sizeof(buf));
	r.flags = KIPC_MSG_DEADLINE;
	r.deadline_ns = deadline;
	ret = kt_ioctl(qfd, KIPC_IOC_QUEUE_RECV, &r);
	if (ret == expect && kt_mono_ns() >= deadline)
		return KT_CHILD_LATE;
	return kt_status(ret);
}

/* ---- a child that acts once the test process sleeps ---- */

enum act {
	ACT_SEND,	/* send "wake" of type @type */
	ACT_RECV,	/* receive one message */
	ACT_WRITE,	/* write(2) "wake" */
	ACT_REMOVE,	/* remove @name */
	ACT_SET_MAX_MSGS, /* raise max_msgs to @type */
};

struct actor {
	enum act act;
	int sfd, qfd;
	const char *name;
	uint64_t type;
};

static int act(const struct actor *a)
{
	struct kipc_queue_set set;
	char buf[64];

	switch (a->act) {
	case ACT_SEND:
		return kt_status(kt_send_nb(a->qfd, "wake", 4, a->type));
	case ACT_RECV:
		return kt_status(kt_recv_nb(a->qfd, buf, sizeof(buf), NULL));
	case ACT_WRITE:
		return write(a->qfd, "wake", 4) == 4 ? 0 : errno;
	case ACT_REMOVE:
		return kt_status(kipc_queue_remove(a->sfd, a->name));
	case ACT_SET_MAX_MSGS:
		memset(&set, 0, sizeof(set));
		set.flags = KIPC_SET_MAX_MSGS;
		set.max_msgs = a->type;
		return kt_status(kipc_queue_set(a->qfd, &set));
	}
	return KT_CHILD_WRONG;
}

/* Fork a child that does @a once the test process sleeps.  Returns its pid. */
static pid_t start_actor(const struct actor *a)
{
	pid_t parent = getpid(), pid;

	pid = kt_fork();
	if (pid == 0) {
		if (!kt_wait_sleeping(parent, 10000))
			_exit(KT_CHILD_SETUP);
		_exit(act(a));
	}
	return pid;
}

/* ---- non-blocking calls ---- */

TEST_F(block, recv_on_empty_queue_with_nonblock_flag_returns_eagain)
{
	char buf[16];

	EXPECT_EQ(-EAGAIN, recv_raw(self->qfd, buf, sizeof(buf), KIPC_SEL_FIFO,
				    0, KIPC_MSG_NONBLOCK, 0, NULL));
}

TEST_F(block, recv_on_empty_queue_on_nonblocking_fd_returns_eagain)
{
	char buf[16];
	int fd;

	fd = kipc_queue_open(self->sfd, self->name,
			     KIPC_O_RECV | KIPC_O_NONBLOCK, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, recv_raw(fd, buf, sizeof(buf), KIPC_SEL_FIFO, 0, 0,
				    0, NULL));
	close(fd);
}

TEST_F(block, recv_on_empty_queue_after_fcntl_o_nonblock_returns_eagain)
{
	char buf[16];

	ASSERT_EQ(0, fcntl(self->qfd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, recv_raw(self->qfd, buf, sizeof(buf), KIPC_SEL_FIFO,
				    0, 0, 0, NULL));
}

TEST_F(block, read_on_empty_nonblocking_fd_returns_eagain)
{
	char buf[16];

	ASSERT_EQ(0, fcntl(self->qfd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->qfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(block, send_to_queue_full_by_max_msgs_returns_eagain)
{
	ASSERT_LE(0, requeue(self, 64, 2, 1024, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "1", 1, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "2", 1, 0));
	EXPECT_EQ(-EAGAIN, send_raw(self->qfd, "3", 1, 0, KIPC_MSG_NONBLOCK,
				    0));
	EXPECT_EQ(2, kt_nr_msgs(self->qfd));
}

TEST_F(block, send_to_queue_full_by_capacity_returns_eagain)
{
	char buf[60] = { 0 };

	ASSERT_LE(0, requeue(self, 60, 100, 100, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, buf, 60, 0));
	EXPECT_EQ(-EAGAIN, send_raw(self->qfd, buf, 41, 0, KIPC_MSG_NONBLOCK,
				    0));
	/* what still fits is taken: the limit is bytes, not messages */
	EXPECT_EQ(0, send_raw(self->qfd, buf, 40, 0, KIPC_MSG_NONBLOCK, 0));
	EXPECT_EQ(2, kt_nr_msgs(self->qfd));
}

TEST_F(block, send_to_full_queue_on_nonblocking_fd_returns_eagain)
{
	ASSERT_LE(0, requeue(self, 64, 1, 1024, KIPC_O_NONBLOCK));
	ASSERT_EQ(0, send_raw(self->qfd, "1", 1, 0, 0, 0));
	EXPECT_EQ(-EAGAIN, send_raw(self->qfd, "2", 1, 0, 0, 0));
}

TEST_F(block, write_to_full_nonblocking_fd_returns_eagain)
{
	ASSERT_LE(0, requeue(self, 64, 1, 1024, KIPC_O_NONBLOCK));
	ASSERT_EQ(1, write(self->qfd, "1", 1));
	EXPECT_EQ(-1, write(self->qfd, "2", 1));
	EXPECT_EQ(EAGAIN, errno);
}

/* ---- deadlines ---- */

TEST_F(block, recv_with_past_deadline_returns_etimedout)
{
	char buf[16];

	EXPECT_EQ(-ETIMEDOUT, recv_raw(self->qfd, buf, sizeof(buf),
				       KIPC_SEL_FIFO, 0, KIPC_MSG_DEADLINE,
				       kt_mono_ns() - NSEC_PER_MSEC, NULL));
	EXPECT_EQ(-ETIMEDOUT, recv_raw(self->qfd, buf, sizeof(buf),
				       KIPC_SEL_FIFO, 0, KIPC_MSG_DEADLINE, 0,
				       NULL));
}

TEST_F(block, recv_with_deadline_returns_etimedout_not_before_it)
{
	uint64_t deadline = kt_mono_ns() + 200 * NSEC_PER_MSEC;
	char buf[16];

	EXPECT_EQ(-ETIMEDOUT, recv_raw(self->qfd, buf, sizeof(buf),
				       KIPC_SEL_FIFO, 0, KIPC_MSG_DEADLINE,
				       deadline, NULL));
	EXPECT_LE(deadline, kt_mono_ns());
}

TEST_F(block, recv_with_past_deadline_returns_queued_message)
{
	char buf[16];

	ASSERT_EQ(0, kt_send_nb(self->qfd, "here", 4, 0));
	EXPECT_EQ(4, recv_raw(self->qfd, buf, sizeof(buf), KIPC_SEL_FIFO, 0,
			      KIPC_MSG_DEADLINE, 0, NULL));
}

TEST_F(block, send_with_past_deadline_to_full_queue_returns_etimedout)
{
	ASSERT_LE(0, requeue(self, 64, 1, 1024, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "1", 1, 0));
	EXPECT_EQ(-ETIMEDOUT, send_raw(self->qfd, "2", 1, 0, KIPC_MSG_DEADLINE,
				       kt_mono_ns() - NSEC_PER_MSEC));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(block, send_with_deadline_to_full_queue_returns_etimedout_not_before_it)
{
	uint64_t deadline;

	ASSERT_LE(0, requeue(self, 64, 1, 1024, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "1", 1, 0));
	deadline = kt_mono_ns() + 200 * NSEC_PER_MSEC;
	EXPECT_EQ(-ETIMEDOUT, send_raw(self->qfd, "2", 1, 0, KIPC_MSG_DEADLINE,
				       deadline));
	EXPECT_LE(deadline, kt_mono_ns());
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(block, send_with_past_deadline_to_queue_with_room_works)
{
	EXPECT_EQ(0, send_raw(self->qfd, "x", 1, 0, KIPC_MSG_DEADLINE, 0));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

/* ---- wakeups by another process ---- */

TEST_F(block, blocked_recv_wakes_when_another_process_sends)
{
	struct actor a = { .act = ACT_SEND, .qfd = self->qfd, .type = 3 };
	struct kipc_msg_info info;
	char buf[16];
	pid_t pid;

	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	EXPECT_EQ(4, recv_raw(self->qfd, buf, sizeof(buf), KIPC_SEL_FIFO, 0, 0,
			      0, &info));
	EXPECT_EQ(0, memcmp("wake", buf, 4));
	EXPECT_EQ(pid, info.sender_pid);
	EXPECT_EQ(0, kt_wait(pid));
}

TEST_F(block, blocked_recv_with_deadline_wakes_when_another_process_sends)
{
	struct actor a = { .act = ACT_SEND, .qfd = self->qfd };
	uint64_t deadline = kt_mono_ns() + SAFETY_NS;
	char buf[16];
	pid_t pid;

	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	EXPECT_EQ(4, recv_raw(self->qfd, buf, sizeof(buf), KIPC_SEL_FIFO, 0,
			      KIPC_MSG_DEADLINE, deadline, NULL));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the send");
	EXPECT_EQ(0, kt_wait(pid));
}

TEST_F(block, blocked_read_wakes_when_another_process_writes)
{
	struct actor a = { .act = ACT_WRITE, .qfd = self->qfd };
	char buf[16];
	pid_t pid;

	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	EXPECT_EQ(4, read(self->qfd, buf, sizeof(buf)));
	EXPECT_EQ(0, kt_wait(pid));
}

TEST_F(block, blocked_type_eq_recv_waits_for_a_message_of_its_type)
{
	struct actor a = { .act = ACT_SEND, .qfd = self->qfd, .type = 7 };
	uint64_t deadline = kt_mono_ns() + SAFETY_NS;
	struct kipc_msg_info info;
	char buf[16];
	pid_t pid;

	/* a message of another type is there and does not satisfy it */
	ASSERT_EQ(0, kt_send_nb(self->qfd, "other", 5, 1));
	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	EXPECT_EQ(4, recv_raw(self->qfd, buf, sizeof(buf), KIPC_SEL_TYPE_EQ, 7,
			      KIPC_MSG_DEADLINE, deadline, &info));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the send");
	EXPECT_EQ(7U, info.type);
	EXPECT_EQ(0, kt_wait(pid));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(block, blocked_send_wakes_when_another_process_receives)
{
	struct actor a = { .act = ACT_RECV, .qfd = self->qfd };
	char buf[16];
	pid_t pid;

	ASSERT_LE(0, requeue(self, 64, 1, 1024, 0));
	a.qfd = self->qfd;
	ASSERT_EQ(0, kt_send_nb(self->qfd, "first", 5, 0));
	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	EXPECT_EQ(0, send_raw(self->qfd, "second", 6, 0, 0, 0));
	EXPECT_EQ(0, kt_wait(pid));
	EXPECT_EQ(6, kt_recv_nb(self->qfd, buf, sizeof(buf), NULL));
}

TEST_F(block, blocked_send_wakes_when_max_msgs_is_raised)
{
	struct actor a = { .act = ACT_SET_MAX_MSGS, .type = 2 };
	uint64_t deadline;
	pid_t pid;

	ASSERT_LE(0, requeue(self, 64, 1, 1024, 0));
	a.qfd = self->qfd;
	ASSERT_EQ(0, kt_send_nb(self->qfd, "first", 5, 0));
	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	deadline = kt_mono_ns() + SAFETY_NS;
	EXPECT_EQ(0, send_raw(self->qfd, "second", 6, 0, KIPC_MSG_DEADLINE,
			      deadline));
	EXPECT_GT(deadline, kt_mono_ns()) TH_LOG("not woken by the change");
	EXPECT_EQ(0, kt_wait(pid));
	EXPECT_EQ(2, kt_nr_msgs(self->qfd));
}

/* ---- signals ---- */

static int *handled;	/* shared with the children, atomic */

static int handled_count(void)
{
	return __atomic_load_n(handled, __ATOMIC_SEQ_CST);
}

static void on_signal(int sig)
{
	(void)sig;
	__atomic_add_fetch(handled, 1, __ATOMIC_SEQ_CST);
}

static void catch_sigusr1(struct __test_metadata *_metadata, bool restart)
{
	struct sigaction sa;

	handled = mmap(NULL, sizeof(*handled), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, handled);
	*handled = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
}

/*
 * Fork a child that sends SIGUSR1 to the test process each time it sleeps,
 * for at most 10 s: a signal that comes before the wait only runs the
 * handler, and the next one interrupts the wait.
 */
static pid_t start_signaller(void)
{
	pid_t parent = getpid(), pid;
	int i;

	pid = kt_fork();
	if (pid == 0) {
		for (i = 0; i < 100; i++) {
			kt_wait_sleeping(parent, 100);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	return pid;
}

static void stop_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Fork a child that signals the test process once while it sleeps, waits
 * for the handler to run, then does @a once it sleeps again.
 */
static pid_t start_signal_then_actor(const struct actor *a)
{
	pid_t parent = getpid(), pid;
	int i;

	pid = kt_fork();
	if (pid == 0) {
		if (!kt_wait_sleeping(parent, 10000))
			_exit(KT_CHILD_SETUP);
		kill(parent, SIGUSR1);
		for (i = 0; i < 1000 && !handled_count(); i++)
			kt_sleep_ms(10);
		if (!handled_count())
			_exit(KT_CHILD_SETUP);
		if (!kt_wait_sleeping(parent, 10000))
			_exit(KT_CHILD_SETUP);
		_exit(act(a));
	}
	return pid;
}

TEST_F(block, signal_without_sa_restart_interrupts_blocked_recv_with_eintr)
{
	char buf[16];
	pid_t pid;

	catch_sigusr1(_metadata, false);
	pid = start_signaller();
	ASSERT_LE(0, pid);
	EXPECT_EQ(-EINTR, recv_raw(self->qfd, buf, sizeof(buf), KIPC_SEL_FIFO,
				   0, 0, 0, NULL));
	stop_child(pid);
	EXPECT_LE(1, handled_count());
}

TEST_F(block, signal_without_sa_restart_interrupts_blocked_send_with_eintr)
{
	pid_t pid;

	ASSERT_LE(0, requeue(self, 64, 1, 1024, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "full", 4, 0));
	catch_sigusr1(_metadata, false);
	pid = start_signaller();
	ASSERT_LE(0, pid);
	EXPECT_EQ(-EINTR, send_raw(self->qfd, "more", 4, 0, 0, 0));
	stop_child(pid);
	EXPECT_LE(1, handled_count());
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(block, signal_with_sa_restart_restarts_blocked_recv)
{
	struct actor a = { .act = ACT_SEND, .qfd = self->qfd };
	char buf[16];
	pid_t pid;

	catch_sigusr1(_metadata, true);
	pid = start_signal_then_actor(&a);
	ASSERT_LE(0, pid);
	EXPECT_EQ(4, recv_raw(self->qfd, buf, sizeof(buf), KIPC_SEL_FIFO, 0, 0,
			      0, NULL));
	EXPECT_EQ(0, kt_wait(pid));
	EXPECT_EQ(1, handled_count());
}

TEST_F(block, signal_with_sa_restart_restarts_blocked_send)
{
	struct actor a = { .act = ACT_RECV };
	pid_t pid;

	ASSERT_LE(0, requeue(self, 64, 1, 1024, 0));
	a.qfd = self->qfd;
	ASSERT_EQ(0, kt_send_nb(self->qfd, "full", 4, 0));
	catch_sigusr1(_metadata, true);
	pid = start_signal_then_actor(&a);
	ASSERT_LE(0, pid);
	EXPECT_EQ(0, send_raw(self->qfd, "more", 4, 0, 0, 0));
	EXPECT_EQ(0, kt_wait(pid));
	EXPECT_EQ(1, handled_count());
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

/* ---- removal while waiting ---- */

TEST_F(block, remove_wakes_blocked_recv_with_eidrm)
{
	struct actor a = { .act = ACT_REMOVE, .sfd = self->sfd,
			   .name = self->name };
	char buf[16];
	pid_t pid;

	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	EXPECT_EQ(-EIDRM, recv_raw(self->qfd, buf, sizeof(buf), KIPC_SEL_FIFO,
				   0, 0, 0, NULL));
	EXPECT_EQ(0, kt_wait(pid));
}

TEST_F(block, remove_wakes_blocked_send_with_eidrm)
{
	struct actor a = { .act = ACT_REMOVE, .sfd = self->sfd };
	pid_t pid;

	ASSERT_LE(0, requeue(self, 64, 1, 1024, 0));
	a.name = self->name;
	ASSERT_EQ(0, kt_send_nb(self->qfd, "full", 4, 0));
	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	EXPECT_EQ(-EIDRM, send_raw(self->qfd, "more", 4, 0, 0, 0));
	EXPECT_EQ(0, kt_wait(pid));
}

TEST_F(block, remove_wakes_every_blocked_receiver)
{
	pid_t pid[3];
	int i;

	for (i = 0; i < 3; i++) {
		pid[i] = kt_fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0)
			_exit(recv_until_woken(self->qfd, -EIDRM));
	}
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(kt_wait_sleeping(pid[i], 10000));
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(EIDRM, kt_wait(pid[i])) TH_LOG("receiver %d", i);
}

TEST_F(block, remove_of_anonymous_queue_wakes_blocked_recv_with_eidrm)
{
	struct kipc_queue_remove r;
	uint64_t id;
	pid_t pid;
	int fd;

	fd = kipc_queue_open(self->sfd, NULL,
			     KIPC_O_CREAT | KIPC_O_SEND | KIPC_O_RECV, 0600,
			     NULL, &id);
	ASSERT_LE(0, fd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(recv_until_woken(fd, -EIDRM));
	EXPECT_TRUE(kt_wait_sleeping(pid, 10000));
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.id = id;
	ASSERT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_REMOVE, &r));
	EXPECT_EQ(EIDRM, kt_wait(pid));
	close(fd);
}

/* ---- poll and epoll ---- */

static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

TEST_F(block, poll_of_empty_queue_is_writable_not_readable)
{
	short ev = poll_now(self->qfd);

	EXPECT_EQ(POLLOUT, ev & (POLLIN | POLLOUT | POLLERR | POLLHUP));
}

TEST_F(block, poll_after_send_is_readable)
{
	ASSERT_EQ(0, kt_send_nb(self->qfd, "x", 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT,
		  poll_now(self->qfd) & (POLLIN | POLLOUT | POLLERR | POLLHUP));
}

TEST_F(block, poll_after_last_message_received_is_not_readable)
{
	char buf[16];

	ASSERT_EQ(0, kt_send_nb(self->qfd, "x", 1, 0));
	ASSERT_EQ(1, kt_recv_nb(self->qfd, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, poll_now(self->qfd) & POLLIN);
}

TEST_F(block, poll_not_writable_when_max_msgsize_message_does_not_fit)
{
	char buf[100] = { 0 };

	ASSERT_LE(0, requeue(self, 100, 100, 250, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, buf, 100, 0));
	EXPECT_EQ(POLLOUT, poll_now(self->qfd) & POLLOUT);
	/* 50 bytes of room left: a small message fits, a largest does not */
	ASSERT_EQ(0, kt_send_nb(self->qfd, buf, 100, 0));
	EXPECT_EQ(0, poll_now(self->qfd) & POLLOUT);
	EXPECT_EQ(POLLIN, poll_now(self->qfd) & POLLIN);
}

TEST_F(block, poll_not_writable_when_max_msgs_reached)
{
	ASSERT_LE(0, requeue(self, 64, 2, 1024, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "1", 1, 0));
	EXPECT_EQ(POLLOUT, poll_now(self->qfd) & POLLOUT);
	ASSERT_EQ(0, kt_send_nb(self->qfd, "2", 1, 0));
	EXPECT_EQ(0, poll_now(self->qfd) & POLLOUT);
}

TEST_F(block, poll_after_remove_reports_err_and_hup)
{
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	EXPECT_EQ(POLLERR | POLLHUP,
		  poll_now(self->qfd) & (POLLERR | POLLHUP));
}

/* An epoll fd watching @fd for @events. */
static int epoll_on(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (epfd < 0)
		return -errno;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(epfd);
		return -errno;
	}
	return epfd;
}

TEST_F(block, epoll_wait_wakes_on_send_from_another_process)
{
	struct actor a = { .act = ACT_SEND, .qfd = self->qfd };
	struct epoll_event ev;
	int epfd;
	pid_t pid;

	epfd = epoll_on(self->qfd, EPOLLIN);
	ASSERT_LE(0, epfd);
	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	ASSERT_EQ(1, epoll_wait(epfd, &ev, 1, 10000));
	EXPECT_EQ((uint32_t)EPOLLIN, ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP));
	EXPECT_EQ(0, kt_wait(pid));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
	close(epfd);
}

TEST_F(block, epoll_wait_wakes_for_room_when_another_process_receives)
{
	struct actor a = { .act = ACT_RECV };
	struct epoll_event ev;
	int epfd;
	pid_t pid;

	ASSERT_LE(0, requeue(self, 64, 1, 1024, 0));
	a.qfd = self->qfd;
	ASSERT_EQ(0, kt_send_nb(self->qfd, "full", 4, 0));
	epfd = epoll_on(self->qfd, EPOLLOUT);
	ASSERT_LE(0, epfd);
	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	ASSERT_EQ(1, epoll_wait(epfd, &ev, 1, 10000));
	EXPECT_EQ((uint32_t)EPOLLOUT, ev.events & (EPOLLOUT | EPOLLERR | EPOLLHUP));
	EXPECT_EQ(0, kt_wait(pid));
	close(epfd);
}

TEST_F(block, epoll_wait_wakes_on_remove_with_err_and_hup)
{
	struct actor a = { .act = ACT_REMOVE, .sfd = self->sfd,
			   .name = self->name };
	struct epoll_event ev;
	int epfd;
	pid_t pid;

	epfd = epoll_on(self->qfd, EPOLLIN);
	ASSERT_LE(0, epfd);
	pid = start_actor(&a);
	ASSERT_LE(0, pid);
	ASSERT_EQ(1, epoll_wait(epfd, &ev, 1, 10000));
	EXPECT_EQ((uint32_t)(EPOLLERR | EPOLLHUP), ev.events & (EPOLLERR | EPOLLHUP));
	EXPECT_EQ(0, kt_wait(pid));
	close(epfd);
}

KT_HARNESS_MAIN
