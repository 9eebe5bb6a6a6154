// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues under targeted races: an fd closed while another
 * thread waits on it, removal while senders and receivers wait, module
 * unload while fds are open, many threads on one fd, opening an anonymous
 * queue by id while its last fd closes, a name removed and made again while
 * others open it, a session fd closed during an open.
 *
 * Threads share the fd table: a call in progress holds its own reference
 * to the file, so closing the fd does not end it.  Every wait has a safety
 * deadline, so a lost wakeup shows as -ETIMEDOUT (a failure), never as a
 * hang.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include "kipc_test.h"

#define SAFETY_NS	(20 * NSEC_PER_SEC)
#define PROMPT_NS	(5 * NSEC_PER_SEC)	/* "promptly", even under TCG */
#define MODULE_PATH	"/kipc/modules/kipc.ko"

FIXTURE(race) {
	int sfd;
	struct kt_names names;
};

FIXTURE_SETUP(race)
{
	KT_SESSION_OR_SKIP(self->sfd);
}

FIXTURE_TEARDOWN(race)
{
	kt_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
}

/* A named queue with @max_msgs messages at most; *@id gets its id. */
static int create(FIXTURE_DATA(race) *self, const char *tag,
		  uint32_t max_msgs, unsigned int flags, uint64_t *id)
{
	struct kipc_queue_limits lim = { .max_msgs = max_msgs };

	return kt_create(self->sfd, &self->names, tag,
			 KIPC_O_SEND | KIPC_O_RECV | flags, 0600, &lim, id);
}

/* ---- a thread that makes one call ---- */

enum call {
	CALL_RECV,		/* FIFO, deadline */
	CALL_RECV_TYPE,		/* TYPE_EQ @type, deadline */
	CALL_SEND,		/* "blocked send", deadline */
	CALL_POLL,		/* POLLIN, SAFETY_NS */
};

struct caller {
	enum call call;
	int fd;
	uint64_t type;
	uint64_t deadline;	/* 0: now + SAFETY_NS */
	pthread_t thread;
	_Atomic pid_t tid;
	long ret;		/* result or -errno; revents for CALL_POLL */
	char buf[64];
	_Atomic uint64_t done_ns;	/* CLOCK_MONOTONIC when it returned */
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	uint64_t deadline = c->deadline ?: kt_mono_ns() + SAFETY_NS;
	long ret = 0;

	atomic_store(&c->tid, gettid());
	switch (c->call) {
	case CALL_RECV:
	case CALL_RECV_TYPE:
		ret = kipc_queue_timedrecv(c->fd, c->buf, sizeof(c->buf),
					   c->call == CALL_RECV ? KIPC_SEL_FIFO :
					   KIPC_SEL_TYPE_EQ, c->type,
					   KIPC_MSG_DEADLINE, deadline, NULL);
		break;
	case CALL_SEND:
		ret = kipc_queue_timedsend(c->fd, "blocked send", 12, c->type,
					   KIPC_MSG_DEADLINE, deadline);
		break;
	case CALL_POLL:
		ret = poll(&p, 1, SAFETY_NS / NSEC_PER_MSEC);
		ret = ret < 0 ? -errno : p.revents;
		break;
	}
	c->ret = ret;
	atomic_store(&c->done_ns, kt_mono_ns());
	return NULL;
}

/* Start @c and wait until it sleeps in its call. */
static bool start_caller(struct caller *c)
{
	if (pthread_create(&c->thread, NULL, caller_main, c))
		return false;
	while (!atomic_load(&c->tid))
		kt_sleep_ms(1);
	return kt_wait_sleeping(atomic_load(&c->tid), 10000);
}

static bool caller_done(struct caller *c)
{
	return atomic_load(&c->done_ns) != 0;
}

/* ---- close while a call waits on the fd ---- */

TEST_F(race, close_during_blocked_recv_then_send_via_other_fd_wakes_it)
{
	struct caller c = { .call = CALL_RECV };
	int qfd, rfd;

	qfd = create(self, "c", 0, 0, NULL);
	ASSERT_LE(0, qfd);
	rfd = kipc_queue_open(self->sfd, self->names.name[0], KIPC_O_RECV, 0,
			      NULL, NULL);
	ASSERT_LE(0, rfd);
	c.fd = rfd;
	ASSERT_TRUE(start_caller(&c));
	EXPECT_EQ(0, close(rfd));
	kt_sleep_ms(50);
	EXPECT_FALSE(caller_done(&c)) TH_LOG("close ended the wait: %ld",
					     c.ret);
	ASSERT_EQ(0, kt_send_nb(qfd, "after close", 11, 0));
	pthread_join(c.thread, NULL);
	EXPECT_EQ(11, c.ret);
	EXPECT_EQ(0, memcmp(c.buf, "after close", 11));
	EXPECT_EQ(0, kt_nr_msgs(qfd));
	close(qfd);
}

TEST_F(race, close_during_blocked_send_then_recv_via_other_fd_completes_it)
{
	struct caller c = { .call = CALL_SEND, .type = 5 };
	struct kipc_msg_info info;
	char buf[64];
	int qfd, wfd;

	qfd = create(self, "c", 1, 0, NULL);
	ASSERT_LE(0, qfd);
	wfd = kipc_queue_open(self->sfd, self->names.name[0], KIPC_O_SEND, 0,
			      NULL, NULL);
	ASSERT_LE(0, wfd);
	ASSERT_EQ(0, kt_send_nb(qfd, "full", 4, 1));
	c.fd = wfd;
	ASSERT_TRUE(start_caller(&c));
	EXPECT_EQ(0, close(wfd));
	ASSERT_EQ(4, kt_recv_nb(qfd, buf, sizeof(buf), NULL));
	pthread_join(c.thread, NULL);
	EXPECT_EQ(0, c.ret);
	ASSERT_EQ(12, kt_recv_nb(qfd, buf, sizeof(buf), &info));
	EXPECT_EQ(5U, info.type);
	EXPECT_EQ(0, kt_nr_msgs(qfd));
	close(qfd);
}

TEST_F(race, close_of_anonymous_fd_during_blocked_recv_keeps_queue_reachable)
{
	struct caller c = { .call = CALL_RECV };
	uint64_t id;
	int afd, fd;

	/* the only fd: the waiting call's file keeps the queue linked */
	afd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_RECV,
			      0600, NULL, &id);
	ASSERT_LE(0, afd);
	c.fd = afd;
	ASSERT_TRUE(start_caller(&c));
	EXPECT_EQ(0, close(afd));
	fd = kipc_queue_open_id(self->sfd, id, KIPC_O_SEND);
	ASSERT_LE(0, fd) TH_LOG("open by id: %s", strerror(-fd));
	ASSERT_EQ(0, kt_send_nb(fd, "by id", 5, 0));
	pthread_join(c.thread, NULL);
	EXPECT_EQ(5, c.ret);
	close(fd);
	/* now every file is gone, and the queue with them */
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, id, KIPC_O_SEND));
}

TEST_F(race, close_of_only_fd_during_blocked_recv_ends_at_its_deadline)
{
	struct caller c = { .call = CALL_RECV };
	uint64_t id;
	int afd;

	afd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_RECV,
			      0600, NULL, &id);
	ASSERT_LE(0, afd);
	c.fd = afd;
	c.deadline = kt_mono_ns() + 500 * NSEC_PER_MSEC;
	ASSERT_TRUE(start_caller(&c));
	EXPECT_EQ(0, close(afd));
	pthread_join(c.thread, NULL);
	EXPECT_EQ(-ETIMEDOUT, c.ret);
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, id, KIPC_O_SEND));
}

TEST_F(race, close_during_poll_then_send_ends_the_poll)
{
	struct caller c = { .call = CALL_POLL };
	uint64_t start;
	int qfd, rfd;

	qfd = create(self, "c", 0, 0, NULL);
	ASSERT_LE(0, qfd);
	rfd = kipc_queue_open(self->sfd, self->names.name[0], KIPC_O_RECV, 0,
			      NULL, NULL);
	ASSERT_LE(0, rfd);
	c.fd = rfd;
	ASSERT_TRUE(start_caller(&c));
	EXPECT_EQ(0, close(rfd));
	start = kt_mono_ns();
	ASSERT_EQ(0, kt_send_nb(qfd, "wake", 4, 0));
	pthread_join(c.thread, NULL);
	/* the wakeup re-polls the fd: gone (POLLNVAL) or readable */
	EXPECT_TRUE(c.ret == POLLNVAL || c.ret == POLLIN)
		TH_LOG("revents %#lx", c.ret);
	EXPECT_GT(PROMPT_NS, atomic_load(&c.done_ns) - start);
	EXPECT_EQ(1, kt_nr_msgs(qfd));
	close(qfd);
}

/* ---- removal while many wait ---- */

#define NR_WAITERS	4

TEST_F_TIMEOUT(race, remove_wakes_blocked_senders_and_receivers_promptly, 60)
{
	struct caller snd[NR_WAITERS], rcv[NR_WAITERS];
	uint64_t start, end = 0;
	int qfd, i;

	/* full of type 1: senders wait for room, TYPE_EQ 9 receivers wait */
	qfd = create(self, "r", 2, 0, NULL);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, kt_send_nb(qfd, "a", 1, 1));
	ASSERT_EQ(0, kt_send_nb(qfd, "b", 1, 1));
	memset(snd, 0, sizeof(snd));
	memset(rcv, 0, sizeof(rcv));
	for (i = 0; i < NR_WAITERS; i++) {
		snd[i].call = CALL_SEND;
		snd[i].fd = qfd;
		rcv[i].call = CALL_RECV_TYPE;
		rcv[i].fd = qfd;
		rcv[i].type = 9;
		ASSERT_TRUE(start_caller(&snd[i]));
		ASSERT_TRUE(start_caller(&rcv[i]));
	}
	start = kt_mono_ns();
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->names.name[0]));
	for (i = 0; i < NR_WAITERS; i++) {
		pthread_join(snd[i].thread, NULL);
		pthread_join(rcv[i].thread, NULL);
		EXPECT_EQ(-EIDRM, snd[i].ret) TH_LOG("sender %d", i);
		EXPECT_EQ(-EIDRM, rcv[i].ret) TH_LOG("receiver %d", i);
		if (snd[i].done_ns > end)
			end = snd[i].done_ns;
		if (rcv[i].done_ns > end)
			end = rcv[i].done_ns;
	}
	EXPECT_GT(PROMPT_NS, end - start) TH_LOG("last woke after %llu ms",
		  (unsigned long long)((end - start) / NSEC_PER_MSEC));
	close(qfd);
}

/* The same with processes, each with its own opening, removed by id. */
TEST_F_TIMEOUT(race, remove_by_id_wakes_waiting_processes_promptly, 60)
{
	pid_t pid[2 * NR_WAITERS];
	uint64_t id, start;
	int qfd, i;

	qfd = create(self, "r", 1, 0, &id);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, kt_send_nb(qfd, "a", 1, 1));
	for (i = 0; i < 2 * NR_WAITERS; i++) {
		pid[i] = kt_fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			struct caller c = { .call = i % 2 ? CALL_SEND :
					    CALL_RECV_TYPE, .type = 9 };

			c.fd = kipc_queue_open_id(self->sfd, id, KIPC_O_SEND |
						  KIPC_O_RECV);
			if (c.fd < 0)
				_exit(KT_CHILD_SETUP);
			caller_main(&c);
			_exit(kt_status(c.ret));
		}
	}
	for (i = 0; i < 2 * NR_WAITERS; i++)
		ASSERT_TRUE(kt_wait_sleeping(pid[i], 10000));
	start = kt_mono_ns();
	ASSERT_EQ(0, kipc_queue_remove_id(self->sfd, id));
	for (i = 0; i < 2 * NR_WAITERS; i++)
		EXPECT_EQ(EIDRM, kt_wait(pid[i])) TH_LOG("waiter %d", i);
	EXPECT_GT(PROMPT_NS, kt_mono_ns() - start);
	close(qfd);
}

/* ---- module unload while fds are open ---- */

static long module_refcnt(void)
{
	unsigned long long v;

	return kt_param_read("../refcnt", &v) ? -1 : (long)v;
}

/*
 * Try to unload kipc; it must be refused.  If it was not, load it again
 * so that the rest of the run has a module, and say so.
 */
static int try_rmmod(void)
{
	int ret, fd;

	ret = syscall(SYS_delete_module, "kipc", O_NONBLOCK);
	if (ret < 0)
		return -errno;
	fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		syscall(SYS_finit_module, fd, "", 0);
		close(fd);
	}
	return 0;
}

FIXTURE(unload) {
	int sfd;
	long refcnt;		/* module references before the test */
	struct kt_names names;
};

FIXTURE_SETUP(unload)
{
	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid() != 0)
		SKIP(return, "needs root");
	if (access("/sys/module/kipc/refcnt", R_OK))
		SKIP(return, "no /sys/module/kipc/refcnt (built in?)");
	close(self->sfd);
	self->sfd = -1;
	self->refcnt = module_refcnt();
	ASSERT_LE(0, self->refcnt);
	self->sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->sfd);
}

FIXTURE_TEARDOWN(unload)
{
	int sfd = self->sfd;

	if (sfd < 0)
		sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	if (sfd >= 0) {
		kt_names_remove_all(sfd, &self->names);
		close(sfd);
	}
	/* every file gone: the module's references are back */
	if (self->refcnt >= 0)
		EXPECT_EQ(self->refcnt, module_refcnt());
}

/* The errno of a refused unload: EWOULDBLOCK (in use), or EBUSY. */
#define EXPECT_RMMOD_REFUSED() do {					\
	int _r = try_rmmod();						\
	EXPECT_TRUE(_r == -EWOULDBLOCK || _r == -EBUSY)			\
		TH_LOG("delete_module(kipc): %s",			\
		       _r ? strerror(-_r) : "unloaded with fds open");	\
} while (0)

TEST_F(unload, rmmod_is_refused_while_a_session_fd_is_open)
{
	EXPECT_LT(self->refcnt, module_refcnt());
	EXPECT_RMMOD_REFUSED();
	EXPECT_EQ(0, access("/sys/module/kipc", F_OK));
}

TEST_F(unload, rmmod_is_refused_while_only_a_queue_fd_is_open)
{
	int qfd;

	qfd = kt_create(self->sfd, &self->names, "m",
			KIPC_O_SEND | KIPC_O_RECV | KIPC_O_NONBLOCK, 0600,
			NULL, NULL);
	ASSERT_LE(0, qfd);
	close(self->sfd);
	self->sfd = -1;
	EXPECT_RMMOD_REFUSED();
	EXPECT_EQ(0, kt_send_nb(qfd, "still", 5, 0));
	EXPECT_EQ(1, kt_nr_msgs(qfd));
	close(qfd);
}

TEST_F(unload, rmmod_is_refused_while_a_removed_queue_fd_is_open)
{
	int qfd;

	qfd = kt_create(self->sfd, &self->names, "m", KIPC_O_SEND, 0600,
			NULL, NULL);
	ASSERT_LE(0, qfd);
	kt_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
	self->sfd = -1;
	EXPECT_RMMOD_REFUSED();
	EXPECT_EQ(-EIDRM, kt_send_nb(qfd, "gone", 4, 0));
	close(qfd);
}

TEST_F(unload, rmmod_is_refused_while_a_queue_fd_is_in_flight)
{
	int sv[2], qfd, fd;

	/* the only reference to the file is in a UNIX socket's queue */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	qfd = kt_create(self->sfd, &self->names, "m",
			KIPC_O_SEND | KIPC_O_RECV | KIPC_O_NONBLOCK, 0600,
			NULL, NULL);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, kt_send_fd(sv[0], qfd));
	close(qfd);
	close(self->sfd);
	self->sfd = -1;
	EXPECT_RMMOD_REFUSED();
	fd = kt_recv_fd(sv[1]);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kt_send_nb(fd, "landed", 6, 0));
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(unload, rmmod_is_refused_while_a_call_waits)
{
	struct caller c = { .call = CALL_RECV };
	int qfd;

	qfd = kt_create(self->sfd, &self->names, "m",
			KIPC_O_SEND | KIPC_O_RECV, 0600, NULL, NULL);
	ASSERT_LE(0, qfd);
	c.fd = qfd;
	ASSERT_TRUE(start_caller(&c));
	EXPECT_RMMOD_REFUSED();
	ASSERT_EQ(0, kt_send_nb(qfd, "done", 4, 0));
	pthread_join(c.thread, NULL);
	EXPECT_EQ(4, c.ret);
	close(qfd);
}

/* ---- many threads on one fd ---- */

#define NR_SENDERS	4
#define NR_RECEIVERS	4
#define MSGS_PER_SENDER	4000	/* at most: senders stop after SEND_NS */
#define SEND_NS		(2 * NSEC_PER_SEC)

struct crowd {
	int fd;
	uint64_t send_end;		/* CLOCK_MONOTONIC: senders stop */
	_Atomic unsigned int sent[NR_SENDERS];
	_Atomic unsigned int seen[NR_SENDERS][MSGS_PER_SENDER];
	_Atomic unsigned int received;
	_Atomic unsigned int errors;
	_Atomic unsigned int efaults;	/* receives into a read-only buffer */
	_Atomic bool stop;
	void *ro;			/* a read-only page */
	char error[128];
};

struct crowd_msg {
	uint32_t sender;
	uint32_t seq;
	uint32_t csum;
};

static uint32_t crowd_csum(const struct crowd_msg *m)
{
	return kt_fnv1a(kt_fnv1a(2166136261U, &m->sender, 4), &m->seq, 4);
}

static void crowd_error(struct crowd *cr, const char *what, long ret)
{
	if (atomic_fetch_add(&cr->errors, 1) == 0)
		snprintf(cr->error, sizeof(cr->error), "%s: %s", what,
			 ret < 0 ? strerror(-ret) : "bad message");
}

static struct crowd *crowd;
static _Atomic uint32_t next_sender;

static void *crowd_sender(void *arg)
{
	uint32_t id = atomic_fetch_add(&next_sender, 1), seq;
	struct crowd_msg m = { .sender = id };
	long ret;

	(void)arg;
	for (seq = 0; seq < MSGS_PER_SENDER && kt_mono_ns() < crowd->send_end;
	     seq++) {
		m.seq = seq;
		m.csum = crowd_csum(&m);
		ret = kipc_queue_timedsend(crowd->fd, &m, sizeof(m), seq % 3,
					   KIPC_MSG_DEADLINE,
					   kt_mono_ns() + SAFETY_NS);
		if (ret) {
			crowd_error(crowd, "send", ret);
			break;
		}
		atomic_store(&crowd->sent[id], seq + 1);
	}
	return NULL;
}

/* Receive until told to stop; every third receive of #0 faults first. */
static void *crowd_receiver(void *arg)
{
	long n, nr = (long)arg;
	struct crowd_msg m;
	unsigned int i = 0;
	uint64_t tries = 0;

	while (!atomic_load(&crowd->stop)) {
		if (nr == 0 && i++ % 3 == 0) {
			n = kipc_queue_timedrecv(crowd->fd, crowd->ro,
						 sizeof(m), KIPC_SEL_FIFO, 0,
						 KIPC_MSG_NONBLOCK, 0, NULL);
			if (n == -EFAULT)
				atomic_fetch_add(&crowd->efaults, 1);
			else if (n != -EAGAIN)
				crowd_error(crowd, "recv into read-only", n);
			continue;
		}
		n = kipc_queue_timedrecv(crowd->fd, &m, sizeof(m),
					 nr % 2 ? KIPC_SEL_PRIO : KIPC_SEL_FIFO,
					 0, KIPC_MSG_DEADLINE,
					 kt_mono_ns() + 100 * NSEC_PER_MSEC,
					 NULL);
		if (n == -ETIMEDOUT || n == -EAGAIN) {
			tries++;
			continue;
		}
		if (n != sizeof(m) || m.sender >= NR_SENDERS ||
		    m.seq >= MSGS_PER_SENDER || m.csum != crowd_csum(&m)) {
			crowd_error(crowd, "recv", n);
			continue;
		}
		atomic_fetch_add(&crowd->seen[m.sender][m.seq], 1);
		atomic_fetch_add(&crowd->received, 1);
	}
	return NULL;
}

/* Stat and poll all the time: they take the queue's lock too. */
static void *crowd_watcher(void *arg)
{
	struct pollfd p;
	struct kipc_queue_stat st;
	int ret;

	(void)arg;
	while (!atomic_load(&crowd->stop)) {
		ret = kipc_queue_stat(crowd->fd, &st);
		if (ret || st.nr_msgs > st.max_msgs + 1)
			crowd_error(crowd, "stat", ret);
		p.fd = crowd->fd;
		p.events = POLLIN | POLLOUT;
		if (poll(&p, 1, 0) < 0 || (p.revents & (POLLERR | POLLNVAL)))
			crowd_error(crowd, "poll", -errno);
	}
	return NULL;
}

TEST_F_TIMEOUT(race, many_threads_on_one_fd_receive_each_message_once, 180)
{
	pthread_t snd[NR_SENDERS], rcv[NR_RECEIVERS], watcher;
	unsigned int total = 0, s, q, missing = 0, dups = 0, idle = 0, last = 0;
	long i;

	crowd = mmap(NULL, sizeof(*crowd), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, crowd);
	crowd->ro = kt_readonly_page();
	crowd->fd = create(self, "m", 8, 0, NULL);
	ASSERT_LE(0, crowd->fd);
	atomic_store(&next_sender, 0);
	crowd->send_end = kt_mono_ns() + SEND_NS;
	ASSERT_EQ(0, pthread_create(&watcher, NULL, crowd_watcher, NULL));
	for (i = 0; i < NR_RECEIVERS; i++)
		ASSERT_EQ(0, pthread_create(&rcv[i], NULL, crowd_receiver,
					    (void *)i));
	for (i = 0; i < NR_SENDERS; i++)
		ASSERT_EQ(0, pthread_create(&snd[i], NULL, crowd_sender,
					    NULL));
	for (i = 0; i < NR_SENDERS; i++)
		pthread_join(snd[i], NULL);
	for (i = 0; i < NR_SENDERS; i++)	/* by sender id, not thread */
		total += atomic_load(&crowd->sent[i]);
	/* all sent: wait for the receivers while they make progress */
	while (atomic_load(&crowd->received) < total && idle < 10000) {
		if (atomic_load(&crowd->received) != last)
			idle = 0;
		last = atomic_load(&crowd->received);
		kt_sleep_ms(10);
		idle += 10;
	}
	atomic_store(&crowd->stop, true);
	for (i = 0; i < NR_RECEIVERS; i++)
		pthread_join(rcv[i], NULL);
	pthread_join(watcher, NULL);

	EXPECT_EQ(total, atomic_load(&crowd->received));
	for (s = 0; s < NR_SENDERS; s++)
		for (q = 0; q < MSGS_PER_SENDER; q++) {
			if (q >= crowd->sent[s]) {
				if (crowd->seen[s][q] && dups++ < 5)
					TH_LOG("sender %u seq %u: never sent, received",
					       s, q);
				continue;
			}
			if (crowd->seen[s][q] == 0 && missing++ < 5)
				TH_LOG("sender %u seq %u never received", s, q);
			if (crowd->seen[s][q] > 1 && dups++ < 5)
				TH_LOG("sender %u seq %u received %u times", s,
				       q, crowd->seen[s][q]);
		}
	EXPECT_EQ(0U, missing);
	EXPECT_EQ(0U, dups);
	EXPECT_EQ(0U, atomic_load(&crowd->errors)) TH_LOG("first: %s",
							   crowd->error);
	EXPECT_EQ(0, kt_nr_msgs(crowd->fd));
	TH_LOG("%u messages, %u faulted receives put back", total,
	       atomic_load(&crowd->efaults));
	close(crowd->fd);
}

/* ---- anonymous queue: open by id while its last fd closes ---- */

#define ROUNDS		300	/* at most: rounds stop after ROUNDS_NS */
#define ROUNDS_NS	(2 * NSEC_PER_SEC)

struct opener {
	int sfd;
	uint64_t id;
	_Atomic int rounds;	/* how many there will be, once known */
	_Atomic int go;		/* round number to run */
	_Atomic int done;	/* last round finished */
	int opened;		/* fds obtained, all rounds */
	int enoent;
	int wrong;		/* anything else */
	char what[96];
};

static void opener_wrong(struct opener *o, const char *what, long ret)
{
	if (!o->wrong++)
		snprintf(o->what, sizeof(o->what), "%s: %s", what,
			 ret < 0 ? strerror(-ret) : "unexpected result");
}

static void *opener_main(void *arg)
{
	struct opener *o = arg;
	struct kipc_queue_stat st;
	int round, fd, tries;
	char buf[8];
	long ret;

	for (round = 1; round <= ROUNDS; round++) {
		while (atomic_load(&o->go) < round &&
		       atomic_load(&o->rounds) >= round)
			;
		if (atomic_load(&o->go) < round)
			break;		/* no more rounds */
		for (tries = 0; tries < 1000; tries++) {
			fd = kipc_queue_open_id(o->sfd, o->id, KIPC_O_SEND |
						KIPC_O_RECV | KIPC_O_NONBLOCK);
			if (fd == -ENOENT) {
				o->enoent++;
				break;
			}
			if (fd < 0) {
				opener_wrong(o, "open by id", fd);
				break;
			}
			/* got it: a working queue, alive while we hold it */
			o->opened++;
			ret = kipc_queue_stat(fd, &st);
			if (ret || st.id != o->id || st.flags !=
			    KIPC_STAT_ANONYMOUS)
				opener_wrong(o, "stat", ret);
			ret = kt_send_nb(fd, "hi", 2, 0);
			if (ret)
				opener_wrong(o, "send", ret);
			ret = kt_recv_nb(fd, buf, sizeof(buf), NULL);
			if (ret != 2)
				opener_wrong(o, "recv", ret);
			close(fd);
		}
		atomic_store(&o->done, round);
	}
	return NULL;
}

TEST_F_TIMEOUT(race, open_by_id_racing_last_close_of_anonymous_queue, 120)
{
	struct opener o = { .sfd = self->sfd, .rounds = ROUNDS + 1 };
	uint64_t end = kt_mono_ns() + ROUNDS_NS;
	pthread_t thread;
	int round, fd, spin;

	ASSERT_EQ(0, pthread_create(&thread, NULL, opener_main, &o));
	for (round = 1; round <= ROUNDS; round++) {
		if (round > 20 && kt_mono_ns() > end)
			break;
		fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT |
				     KIPC_O_SEND | KIPC_O_RECV, 0600, NULL,
				     &o.id);
		ASSERT_LE(0, fd);
		atomic_store(&o.go, round);
		/* close after a varying moment of the opener's attempt */
		for (spin = 0; spin < (round * 37) % 2000; spin++)
			__asm__ __volatile__("" ::: "memory");
		close(fd);
		while (atomic_load(&o.done) < round)
			;
		/* every fd is closed: the queue is gone */
		ASSERT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, o.id,
						      KIPC_O_SEND))
			TH_LOG("round %d", round);
	}
	atomic_store(&o.rounds, round - 1);
	pthread_join(thread, NULL);
	EXPECT_EQ(0, o.wrong) TH_LOG("first: %s", o.what);
	EXPECT_EQ(round - 1, o.enoent);
	TH_LOG("%d rounds: %d opens won the race", round - 1, o.opened);
}

/* ---- a name removed and made again while others open it ---- */

struct churn {
	int sfd;
	const char *name;
	_Atomic bool stop;
	int opened, enoent, wrong;
	char what[96];
};

static void *churn_opener(void *arg)
{
	struct churn *ch = arg;
	struct kipc_queue_stat st;
	long ret;
	int fd;

	while (!atomic_load(&ch->stop)) {
		fd = kipc_queue_open(ch->sfd, ch->name, KIPC_O_SEND |
				     KIPC_O_RECV | KIPC_O_NONBLOCK, 0, NULL,
				     NULL);
		if (fd == -ENOENT) {
			ch->enoent++;
			continue;
		}
		if (fd < 0) {
			if (!ch->wrong++)
				snprintf(ch->what, sizeof(ch->what),
					 "open: %s", strerror(-fd));
			continue;
		}
		ch->opened++;
		ret = kipc_queue_stat(fd, &st);
		/* removed since, or not: either way it is this name's */
		if (ret || strcmp(st.name, ch->name))
			ch->wrong++;
		ret = kt_send_nb(fd, "x", 1, 0);
		if (ret && ret != -EIDRM && ret != -EAGAIN && !ch->wrong++)
			snprintf(ch->what, sizeof(ch->what), "send: %s",
				 strerror(-ret));
		close(fd);
	}
	return NULL;
}

TEST_F_TIMEOUT(race, open_racing_remove_and_create_of_one_name, 60)
{
	struct churn ch = { .sfd = self->sfd };
	pthread_t thread[2];
	uint64_t end = kt_mono_ns() + NSEC_PER_SEC;
	int fd, cycles = 0, i;
	long ret;

	ch.name = kt_names_new(&self->names, "n");
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&thread[i], NULL, churn_opener,
					    &ch));
	while (kt_mono_ns() < end) {
		fd = kipc_queue_open(self->sfd, ch.name, KIPC_O_CREAT |
				     KIPC_O_EXCL | KIPC_O_SEND, 0600, NULL,
				     NULL);
		ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
		close(fd);
		ret = kipc_queue_remove(self->sfd, ch.name);
		ASSERT_EQ(0, ret);
		cycles++;
	}
	atomic_store(&ch.stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(thread[i], NULL);
	EXPECT_EQ(0, ch.wrong) TH_LOG("first: %s", ch.what);
	EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, ch.name, KIPC_O_SEND, 0,
					   NULL, NULL));
	TH_LOG("%d create/remove cycles, %d opens won, %d found nothing",
	       cycles, ch.opened, ch.enoent);
}

/* ---- a session fd closed during an open on it ---- */

struct session_open {
	int fd;
	_Atomic bool started;
	long ret;
	uint64_t id;
};

static void *session_opener(void *arg)
{
	struct session_open *so = arg;

	atomic_store(&so->started, true);
	so->ret = kipc_queue_open(so->fd, NULL, KIPC_O_CREAT | KIPC_O_SEND,
				  0600, NULL, &so->id);
	return NULL;
}

TEST_F_TIMEOUT(race, session_fd_closed_during_open_gives_fd_or_ebadf, 60)
{
	uint64_t end = kt_mono_ns() + NSEC_PER_SEC;
	struct session_open so;
	pthread_t thread;
	int round, won = 0;

	for (round = 0; round < 200 && (round < 20 || kt_mono_ns() < end);
	     round++) {
		memset(&so, 0, sizeof(so));
		so.fd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, so.fd);
		ASSERT_EQ(0, pthread_create(&thread, NULL, session_opener,
					    &so));
		while (!atomic_load(&so.started))
			;
		close(so.fd);
		pthread_join(thread, NULL);
		if (so.ret >= 0) {
			won++;
			EXPECT_EQ(0, kt_send_nb(so.ret, "ok", 2, 0));
			close(so.ret);
		} else {
			EXPECT_EQ(-EBADF, so.ret);
		}
		if (so.id)
			EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, so.id,
							      KIPC_O_SEND));
	}
	TH_LOG("%d rounds: %d opens finished on the closed session", round,
	       won);
}

KT_HARNESS_MAIN
