// SPDX-License-Identifier: GPL-2.0
/*
 * kipc robust locks in shared memory: mutual exclusion between processes
 * (and threads of those processes) with libkipc's kipc_lock(), the
 * try/timed variants, who may unlock, holder ids (KIPC_IOC_SHM_ATTACH),
 * and what happens when a holder dies: the kernel marks the lock
 * KIPC_LOCK_OWNER_DIED and wakes its waiters, the next holder gets
 * -EOWNERDEAD, can make the lock consistent or leave it unrecoverable.
 * Also KIPC_IOC_SHM_LOCK_INIT's errors and the shm_locks_max limit.
 *
 * A holder that must die holds the lock in a child that sleeps in pause()
 * until the test kills it.  Children report through their exit status
 * (kipc_test.h); every wait has a deadline, so that a lock never released
 * ends a test with ETIMEDOUT instead of a hang.
 *
 * KIPC_SHM_LOCK_ITERS sets the increments of each process in the counter
 * tests (default 20000).
 */
#include "kipc_test.h"

#define NR_PROCS	4
#define NR_THREADS	2
#define CHILD_WAIT_NS	(20 * NSEC_PER_SEC)
#define MAX_KIDS	8

/* What the test keeps at the start of the region. */
struct shared {
	struct kipc_lock lock;		/* offset 0 */
	struct kipc_lock locks[3];	/* offsets 4, 8, 12 */
	uint64_t counter;		/* guarded by @lock */
	uint64_t data;			/* guarded by @lock */
	uint32_t in_cs;			/* inside now, guarded by @lock */
	uint32_t max_in_cs;		/* ... the most seen */
};

FIXTURE(lock) {
	int sfd;
	int fd;			/* READ|WRITE opening of @name */
	const char *name;
	struct kipc_region r;	/* @fd mapped */
	bool mapped;
	struct shared *sh;
	struct kt_names names;
	pid_t kids[MAX_KIDS];	/* killed in teardown if still there */
	int nr_kids;
	unsigned long long locks_max;	/* restored if nonzero */
};

FIXTURE_SETUP(lock)
{
	self->fd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_SHM, NULL))
		SKIP(return, "the module has no shared memory");
	self->name = kt_names_new(&self->names, "l");
	self->fd = kipc_shm_open(self->sfd, self->name,
				 KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_READ |
				 KIPC_O_WRITE, 0600, 2 * sysconf(_SC_PAGESIZE),
				 NULL);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd));
	ASSERT_EQ(0, kipc_shm_map(self->fd, PROT_READ | PROT_WRITE, &self->r));
	self->mapped = true;
	self->sh = self->r.addr;
	ASSERT_EQ(0, kipc_lock_init(&self->r, &self->sh->lock));
}

FIXTURE_TEARDOWN(lock)
{
	int i;

	for (i = 0; i < self->nr_kids; i++)
		kt_stop(self->kids[i]);
	if (self->locks_max)
		EXPECT_EQ(0, kt_param_write("shm_locks_max", self->locks_max));
	if (self->mapped)
		kipc_shm_unmap(&self->r);
	if (self->fd >= 0)
		close(self->fd);
	for (i = 0; i < self->names.n; i++)
		kipc_shm_remove(self->sfd, self->names.name[i]);
	close(self->sfd);
}

static pid_t kid(FIXTURE_DATA(lock) *self, pid_t pid)
{
	if (pid > 0 && self->nr_kids < MAX_KIDS)
		self->kids[self->nr_kids++] = pid;
	return pid;
}

static void forget_kid(FIXTURE_DATA(lock) *self, pid_t pid)
{
	int i;

	for (i = 0; i < self->nr_kids; i++)
		if (self->kids[i] == pid) {
			self->kids[i] = self->kids[--self->nr_kids];
			return;
		}
}

static int reap_kid(FIXTURE_DATA(lock) *self, pid_t pid)
{
	forget_kid(self, pid);
	return kt_reap(pid);
}

/* SIGKILL @pid and reap it. */
static void kill_kid(FIXTURE_DATA(lock) *self, pid_t pid)
{
	forget_kid(self, pid);
	kt_stop(pid);
}

static uint32_t word(const struct kipc_lock *l)
{
	return __atomic_load_n(&l->word, __ATOMIC_SEQ_CST);
}

static int sync_send(int sock)
{
	return write(sock, "s", 1) == 1 ? 0 : -errno;
}

static int sync_recv(int sock)
{
	char c;

	if (kt_poll(sock, POLLIN, 10000) <= 0)
		return -ETIMEDOUT;
	return read(sock, &c, 1) == 1 ? 0 : -EPIPE;
}

static int timedlock(struct kipc_region *r, struct kipc_lock *l)
{
	return kipc_timedlock(r, l, kipc_deadline(CHILD_WAIT_NS));
}

/*
 * Fork a child that takes @l (through the fixture's region, inherited),
 * sets data to @data, reports on @sock and sleeps until killed; with
 * @close_fd it first maps the region through an fd of its own and closes
 * it, so that it holds the lock with no fd open.  Returns once the child
 * holds the lock (0 on failure).
 */
static pid_t fork_holder(FIXTURE_DATA(lock) *self, struct kipc_lock *l,
			 uint64_t data, bool close_fd)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 0;
	pid = kt_fork();
	if (pid == 0) {
		struct kipc_region own, *r = &self->r;
		struct kipc_lock *ml = l;
		int fd;

		if (close_fd) {
			fd = kipc_shm_open(self->sfd, self->name,
					   KIPC_O_READ | KIPC_O_WRITE, 0, 0,
					   NULL);
			if (fd < 0 || kipc_shm_map(fd, PROT_READ | PROT_WRITE,
						   &own))
				_exit(KT_CHILD_SETUP);
			r = &own;
			ml = (struct kipc_lock *)
				((char *)own.addr + ((char *)l -
						     (char *)self->sh));
		}
		if (timedlock(r, ml))
			_exit(KT_CHILD_WRONG);
		((struct shared *)r->addr)->data = data;
		if (close_fd) {
			/* neither its fd nor the fixture's copy stays open */
			close(r->fd);
			close(self->fd);
			close(self->sfd);
		}
		sync_send(sv[1]);
		for (;;)
			pause();
	}
	close(sv[1]);
	if (pid > 0) {
		kid(self, pid);
		if (sync_recv(sv[0]))
			pid = 0;
	}
	close(sv[0]);
	return pid > 0 ? pid : 0;
}

/* ---- mutual exclusion ---- */

struct counting {
	struct kipc_region *r;
	struct shared *sh;
	unsigned long iters;
	int err;
};

static void *count_thread(void *arg)
{
	struct counting *c = arg;
	unsigned long i;
	uint32_t n;
	int ret;

	for (i = 0; i < c->iters; i++) {
		ret = timedlock(c->r, &c->sh->lock);
		if (ret) {
			c->err = -ret;
			break;
		}
		/* a plain read-modify-write: only the lock makes it exact */
		n = ++c->sh->in_cs;
		if (n > c->sh->max_in_cs)
			c->sh->max_in_cs = n;
		c->sh->counter = c->sh->counter + 1;
		c->sh->in_cs--;
		ret = kipc_unlock(c->r, &c->sh->lock);
		if (ret) {
			c->err = -ret;
			break;
		}
	}
	return NULL;
}

/*
 * A counting process: @threads threads each add @iters to the counter;
 * with @own_map, through a lookup and mapping of its own.
 */
static int count_main(FIXTURE_DATA(lock) *self, unsigned long iters,
		      int threads, bool own_map)
{
	struct counting c[NR_THREADS] = { 0 };
	pthread_t t[NR_THREADS];
	struct kipc_region own, *r = &self->r;
	int i, fd;

	if (own_map) {
		fd = kipc_shm_open(self->sfd, self->name,
				   KIPC_O_READ | KIPC_O_WRITE, 0, 0, NULL);
		if (fd < 0 || kipc_shm_map(fd, PROT_READ | PROT_WRITE, &own))
			return KT_CHILD_SETUP;
		r = &own;
	}
	for (i = 0; i < threads; i++) {
		c[i].r = r;
		c[i].sh = r->addr;
		c[i].iters = iters;
		if (pthread_create(&t[i], NULL, count_thread, &c[i]))
			return KT_CHILD_SETUP;
	}
	for (i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		if (c[i].err)
			return c[i].err;
	}
	return 0;
}

static void run_counters(struct __test_metadata *_metadata,
			 FIXTURE_DATA(lock) *self, int procs, int threads,
			 bool own_map)
{
	unsigned long iters = kt_env_ull("KIPC_SHM_LOCK_ITERS", 20000);
	pid_t pids[NR_PROCS];
	int i;

	for (i = 0; i < procs; i++) {
		pids[i] = kid(self, kt_fork());
		if (pids[i] == 0)
			_exit(count_main(self, iters, threads, own_map));
		ASSERT_LT(0, pids[i]);
	}
	for (i = 0; i < procs; i++)
		EXPECT_EQ(0, reap_kid(self, pids[i])) TH_LOG("process %d", i);
	EXPECT_EQ((uint64_t)procs * threads * iters, self->sh->counter);
	EXPECT_EQ(1U, self->sh->max_in_cs);
	EXPECT_EQ(0U, word(&self->sh->lock));
}

TEST_F_TIMEOUT(lock, processes_count_exactly_under_the_lock, 600)
{
	run_counters(_metadata, self, NR_PROCS, 1, false);
}

TEST_F_TIMEOUT(lock, processes_with_own_mappings_count_exactly, 600)
{
	run_counters(_metadata, self, NR_PROCS, 1, true);
}

TEST_F_TIMEOUT(lock, threads_of_several_processes_count_exactly, 600)
{
	run_counters(_metadata, self, 2, NR_THREADS, false);
}

TEST_F(lock, lock_and_unlock_of_a_free_lock)
{
	long id = kt_ioctl(self->fd, KIPC_IOC_SHM_ATTACH, NULL);

	ASSERT_LT(0, id);
	ASSERT_EQ(0, kipc_lock(&self->r, &self->sh->lock));
	/* the holder's id, nothing else */
	EXPECT_EQ((uint32_t)id, word(&self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
	EXPECT_EQ(0U, word(&self->sh->lock));
	EXPECT_EQ(0, kipc_trylock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

/* ---- try, timed, who unlocks ---- */

TEST_F(lock, trylock_and_timedlock_of_a_held_lock_fail)
{
	uint64_t start;
	pid_t pid;

	pid = fork_holder(self, &self->sh->lock, 1, false);
	ASSERT_LT(0, pid);
	EXPECT_EQ(-EBUSY, kipc_trylock(&self->r, &self->sh->lock));
	start = kt_mono_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_timedlock(&self->r, &self->sh->lock,
					     start + 50 * NSEC_PER_MSEC));
	EXPECT_LE(start + 50 * NSEC_PER_MSEC, kt_mono_ns());
	/* a deadline in the past: at once */
	EXPECT_EQ(-ETIMEDOUT, kipc_timedlock(&self->r, &self->sh->lock, 1));
	kill_kid(self, pid);
}

TEST_F(lock, unlock_by_a_process_that_does_not_hold_it_returns_eperm)
{
	pid_t pid;

	/* free */
	EXPECT_EQ(-EPERM, kipc_unlock(&self->r, &self->sh->lock));
	pid = fork_holder(self, &self->sh->lock, 1, false);
	ASSERT_LT(0, pid);
	EXPECT_EQ(-EPERM, kipc_unlock(&self->r, &self->sh->lock));
	/* still held */
	EXPECT_EQ(-EBUSY, kipc_trylock(&self->r, &self->sh->lock));
	kill_kid(self, pid);
}

TEST_F(lock, forked_child_is_not_the_holder_of_its_parents_lock)
{
	pid_t pid;

	ASSERT_EQ(0, kipc_lock(&self->r, &self->sh->lock));
	pid = kt_fork();
	if (pid == 0) {
		/* the inherited struct kipc_region names the parent */
		if (kipc_trylock(&self->r, &self->sh->lock) != -EBUSY)
			_exit(KT_CHILD_WRONG);
		_exit(kt_status(kipc_unlock(&self->r, &self->sh->lock)));
	}
	EXPECT_EQ(EPERM, kt_reap(pid));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

/*
 * A child made without fork()'s atfork handlers (_Fork(), a raw clone) is
 * a process of its own too: it gets its own holder id, not its parent's,
 * and its locks are released at its exit.
 */
TEST_F(lock, child_of_fork_without_atfork_handlers_has_its_own_id)
{
	uint32_t mine;
	pid_t pid;

	/* the parent knows its id (and its pid) */
	ASSERT_EQ(0, kipc_lock(&self->r, &self->sh->lock));
	mine = word(&self->sh->lock) & KIPC_LOCK_HOLDER_MASK;
	ASSERT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
	fflush(stdout);
	fflush(stderr);
	pid = _Fork();
	if (pid == 0) {
		if (kipc_lock(&self->r, &self->sh->lock))
			_exit(KT_CHILD_WRONG);
		_exit((word(&self->sh->lock) & KIPC_LOCK_HOLDER_MASK) == mine ?
		      KT_CHILD_WRONG : 0);
	}
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, kt_reap(pid));
	ASSERT_NE(mine, word(&self->sh->lock) & KIPC_LOCK_HOLDER_MASK);
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->lock));
}

TEST_F(lock, waiter_gets_the_lock_when_the_holder_unlocks)
{
	pid_t pid;

	ASSERT_EQ(0, kipc_lock(&self->r, &self->sh->lock));
	self->sh->data = 1;
	pid = kid(self, kt_fork());
	if (pid == 0) {
		int ret = timedlock(&self->r, &self->sh->lock);

		if (ret)
			_exit(-ret);
		ret = self->sh->data == 2 ? 0 : KT_CHILD_WRONG;
		kipc_unlock(&self->r, &self->sh->lock);
		_exit(ret);
	}
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	EXPECT_EQ(KIPC_LOCK_WAITERS, word(&self->sh->lock) & KIPC_LOCK_WAITERS);
	self->sh->data = 2;
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, reap_kid(self, pid));
}

static void on_usr1(int sig)
{
	(void)sig;
}

TEST_F(lock, a_signal_does_not_interrupt_kipc_lock)
{
	pid_t pid;

	ASSERT_EQ(0, kipc_lock(&self->r, &self->sh->lock));
	pid = kid(self, kt_fork());
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		int ret;

		if (sigaction(SIGUSR1, &sa, NULL))	/* no SA_RESTART */
			_exit(KT_CHILD_SETUP);
		ret = timedlock(&self->r, &self->sh->lock);
		if (ret)
			_exit(-ret);
		_exit(kt_status(kipc_unlock(&self->r, &self->sh->lock)));
	}
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	/* asleep again, still waiting for the lock */
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, reap_kid(self, pid));
}

/* ---- holder ids ---- */

TEST_F(lock, attach_gives_one_id_per_process)
{
	long id, id2;
	int fd2;
	pid_t pid;

	id = kt_ioctl(self->fd, KIPC_IOC_SHM_ATTACH, NULL);
	ASSERT_LT(0, id);
	EXPECT_GE((long)KIPC_LOCK_HOLDER_MASK - 1, id);
	EXPECT_EQ(id, kt_ioctl(self->fd, KIPC_IOC_SHM_ATTACH, NULL));
	/* through another fd of the region too */
	fd2 = kipc_shm_open(self->sfd, self->name, KIPC_O_READ | KIPC_O_WRITE,
			    0, 0, NULL);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(id, kt_ioctl(fd2, KIPC_IOC_SHM_ATTACH, NULL));
	close(fd2);
	pid = kt_fork();
	if (pid == 0) {
		id2 = kt_ioctl(self->fd, KIPC_IOC_SHM_ATTACH, NULL);
		if (id2 <= 0)
			_exit(KT_CHILD_SETUP);
		if (id2 == id)
			_exit(KT_CHILD_WRONG);
		/* and its own id twice */
		_exit(kt_ioctl(self->fd, KIPC_IOC_SHM_ATTACH, NULL) == id2 ?
		      0 : KT_CHILD_WRONG);
	}
	EXPECT_EQ(0, kt_reap(pid));
}

TEST_F(lock, attach_needs_read_and_write)
{
	int rfd, wfd;

	rfd = kipc_shm_open(self->sfd, self->name, KIPC_O_READ, 0, 0, NULL);
	ASSERT_LE(0, rfd);
	wfd = kipc_shm_open(self->sfd, self->name, KIPC_O_WRITE, 0, 0, NULL);
	ASSERT_LE(0, wfd);
	EXPECT_EQ(-EBADF, kt_ioctl(rfd, KIPC_IOC_SHM_ATTACH, NULL));
	EXPECT_EQ(-EBADF, kt_ioctl(wfd, KIPC_IOC_SHM_ATTACH, NULL));
	close(rfd);
	close(wfd);
}

TEST_F(lock, holder_record_goes_when_its_process_exits)
{
	struct kipc_shm_stat st;
	pid_t pid;
	int i;

	pid = kt_fork();
	if (pid == 0)
		_exit(kt_ioctl(self->fd, KIPC_IOC_SHM_ATTACH, NULL) > 0 ?
		      0 : KT_CHILD_WRONG);
	EXPECT_EQ(0, kt_reap(pid));
	/* the exit is handled in a workqueue: give it up to 10 s */
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
		if (!st.nr_holders)
			break;
		kt_sleep_ms(10);
	}
	EXPECT_EQ(0U, st.nr_holders);
}

/* ---- lock init ---- */

static long lock_init_raw(int fd, uint64_t off)
{
	struct kipc_shm_lock l;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.offset = off;
	return kt_ioctl(fd, KIPC_IOC_SHM_LOCK_INIT, &l);
}

TEST_F(lock, lock_init_makes_the_word_free)
{
	self->sh->locks[0].word = 0xdeadbeef;
	ASSERT_EQ(0, kipc_lock_init(&self->r, &self->sh->locks[0]));
	EXPECT_EQ(0U, word(&self->sh->locks[0]));
	EXPECT_EQ(0, kipc_trylock(&self->r, &self->sh->locks[0]));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->locks[0]));
}

TEST_F(lock, lock_init_errors)
{
	struct kipc_shm_lock l;
	struct kipc_lock *outside;
	int rfd, wfd;

	rfd = kipc_shm_open(self->sfd, self->name, KIPC_O_READ, 0, 0, NULL);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(-EBADF, lock_init_raw(rfd, 4));
	close(rfd);
	/* KIPC_O_WRITE is enough */
	wfd = kipc_shm_open(self->sfd, self->name, KIPC_O_WRITE, 0, 0, NULL);
	ASSERT_LE(0, wfd);
	EXPECT_EQ(0, lock_init_raw(wfd, 4));
	close(wfd);

	EXPECT_EQ(-EINVAL, lock_init_raw(self->fd, 2));
	EXPECT_EQ(-EINVAL, lock_init_raw(self->fd, self->r.size));
	EXPECT_EQ(-EINVAL, lock_init_raw(self->fd, self->r.size - 2));
	EXPECT_EQ(-EINVAL, lock_init_raw(self->fd, ~0ULL - 3));
	EXPECT_EQ(0, lock_init_raw(self->fd, self->r.size - 4));

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_LOCK_INIT, &l));
	l.flags = 0;
	l.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_LOCK_INIT, &l));
	l.reserved[1] = 0;
	l.size = KIPC_SHM_LOCK_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_LOCK_INIT, &l));

	/* the library: a lock outside the mapping, or unaligned */
	outside = (struct kipc_lock *)((char *)self->r.addr + self->r.size);
	EXPECT_EQ(-EINVAL, kipc_lock_init(&self->r, outside));
	EXPECT_EQ(-EINVAL, kipc_lock_init(&self->r, (struct kipc_lock *)
					  ((char *)self->r.addr + 6)));
}

TEST_F(lock, lock_init_over_shm_locks_max_returns_enospc)
{
	struct kipc_shm_stat st;

	ASSERT_EQ(0, kt_param_read("shm_locks_max", &self->locks_max));
	ASSERT_NE(0U, self->locks_max);
	/* the fixture registered one */
	ASSERT_EQ(0, kt_param_write("shm_locks_max", 3));
	EXPECT_EQ(0, kipc_lock_init(&self->r, &self->sh->locks[0]));
	EXPECT_EQ(0, kipc_lock_init(&self->r, &self->sh->locks[1]));
	EXPECT_EQ(-ENOSPC, kipc_lock_init(&self->r, &self->sh->locks[2]));
	/* registering one again is not one more */
	EXPECT_EQ(0, kipc_lock_init(&self->r, &self->sh->locks[1]));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(3U, st.nr_locks);
}

/* ---- dead holders ---- */

TEST_F(lock, waiter_of_a_killed_holder_gets_eownerdead_and_the_data)
{
	pid_t holder, waiter;

	holder = fork_holder(self, &self->sh->lock, 42, false);
	ASSERT_LT(0, holder);
	waiter = kid(self, kt_fork());
	if (waiter == 0) {
		int ret = timedlock(&self->r, &self->sh->lock);

		if (ret != -EOWNERDEAD)
			_exit(ret ? -ret : KT_CHILD_WRONG);
		/* what the dead holder wrote is there */
		if (self->sh->data != 42)
			_exit(KT_CHILD_WRONG);
		self->sh->data = 43;
		ret = kipc_lock_consistent(&self->r, &self->sh->lock);
		if (!ret)
			ret = kipc_unlock(&self->r, &self->sh->lock);
		_exit(kt_status(ret));
	}
	ASSERT_TRUE(kt_wait_sleeping(waiter, 10000));
	kill_kid(self, holder);
	EXPECT_EQ(0, reap_kid(self, waiter));
	/* consistent again: normal locking goes on */
	EXPECT_EQ(0, kipc_lock(&self->r, &self->sh->lock));
	EXPECT_EQ(43U, self->sh->data);
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
	EXPECT_EQ(0U, word(&self->sh->lock));
	EXPECT_EQ(0, kipc_trylock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

TEST_F(lock, all_waiters_wake_and_exactly_one_gets_eownerdead)
{
	pid_t holder, waiters[3];
	int i, owner_dead = 0, ok = 0, status;

	holder = fork_holder(self, &self->sh->lock, 7, false);
	ASSERT_LT(0, holder);
	for (i = 0; i < 3; i++) {
		waiters[i] = kid(self, kt_fork());
		if (waiters[i] == 0) {
			int ret = timedlock(&self->r, &self->sh->lock);

			if (ret == -EOWNERDEAD)
				ret = kipc_lock_consistent(&self->r,
							   &self->sh->lock) ?:
					100;
			else if (ret)
				_exit(-ret);
			kipc_unlock(&self->r, &self->sh->lock);
			_exit(ret);
		}
		ASSERT_TRUE(kt_wait_sleeping(waiters[i], 10000));
	}
	kill_kid(self, holder);
	for (i = 0; i < 3; i++) {
		status = reap_kid(self, waiters[i]);
		if (status == 100)
			owner_dead++;
		else if (status == 0)
			ok++;
		else
			TH_LOG("waiter %d: %d", i, status);
	}
	EXPECT_EQ(1, owner_dead);
	EXPECT_EQ(2, ok);
	EXPECT_EQ(0U, word(&self->sh->lock));
}

TEST_F(lock, killed_holder_without_waiters_leaves_eownerdead)
{
	pid_t holder = fork_holder(self, &self->sh->lock, 5, false);

	ASSERT_LT(0, holder);
	kill_kid(self, holder);
	/* waits until the kernel has handled the exit, then takes it */
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->lock));
	EXPECT_EQ(KIPC_LOCK_OWNER_DIED, word(&self->sh->lock) &
		  KIPC_LOCK_OWNER_DIED);
	EXPECT_EQ(5U, self->sh->data);
	EXPECT_EQ(0, kipc_lock_consistent(&self->r, &self->sh->lock));
	EXPECT_EQ(0U, word(&self->sh->lock) & KIPC_LOCK_OWNER_DIED);
	/* consistent twice: no longer OWNER_DIED */
	EXPECT_EQ(-EINVAL, kipc_lock_consistent(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_trylock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

/*
 * A holder killed inside kipc_unlock(), after the exchange that frees the
 * word and before its wake: the word no longer shows the waiter, yet it
 * must not sleep on for good; the unlocker's exit wakes it.
 */
TEST_F(lock, waiter_wakes_when_the_unlocker_dies_before_its_wake)
{
	struct kipc_lock *l = &self->sh->lock;
	pid_t holder, waiter;
	int sv[2];
	char c;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	holder = kid(self, kt_fork());
	if (holder == 0) {
		close(sv[0]);
		if (timedlock(&self->r, l))
			_exit(KT_CHILD_WRONG);
		if (sync_send(sv[1]) || read(sv[1], &c, 1) != 1)
			_exit(KT_CHILD_SETUP);
		/* kipc_unlock() up to its wake, which never comes */
		__atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE);
		sync_send(sv[1]);
		for (;;)
			pause();
	}
	close(sv[1]);
	ASSERT_LT(0, holder);
	ASSERT_EQ(0, sync_recv(sv[0]));
	waiter = kid(self, kt_fork());
	if (waiter == 0)
		_exit(kt_status(timedlock(&self->r, l)));
	ASSERT_LT(0, waiter);
	ASSERT_TRUE(kt_wait_sleeping(waiter, 10000));
	EXPECT_NE(0U, word(l) & KIPC_LOCK_WAITERS);
	ASSERT_EQ(0, sync_send(sv[0]));
	ASSERT_EQ(0, sync_recv(sv[0]));
	close(sv[0]);
	EXPECT_EQ(0U, word(l));
	kill_kid(self, holder);
	EXPECT_EQ(0, reap_kid(self, waiter));
}

TEST_F(lock, holder_that_exits_without_unlocking_is_dead_too)
{
	pid_t pid = kt_fork();

	if (pid == 0)
		_exit(kt_status(kipc_lock(&self->r, &self->sh->lock)));
	EXPECT_EQ(0, kt_reap(pid));
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_lock_consistent(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

TEST_F(lock, holder_that_unlocked_before_dying_leaves_a_free_lock)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		int ret = kipc_lock(&self->r, &self->sh->lock);

		if (!ret)
			ret = kipc_unlock(&self->r, &self->sh->lock);
		_exit(kt_status(ret));
	}
	EXPECT_EQ(0, kt_reap(pid));
	EXPECT_EQ(0, timedlock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

TEST_F(lock, unlock_after_eownerdead_without_consistent_is_not_recoverable)
{
	pid_t holder = fork_holder(self, &self->sh->lock, 5, false);
	pid_t pid;

	ASSERT_LT(0, holder);
	kill_kid(self, holder);
	ASSERT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
	EXPECT_EQ(KIPC_LOCK_NOTRECOVERABLE, word(&self->sh->lock) &
		  KIPC_LOCK_HOLDER_MASK);
	EXPECT_EQ(-ENOTRECOVERABLE, kipc_lock(&self->r, &self->sh->lock));
	EXPECT_EQ(-ENOTRECOVERABLE, kipc_trylock(&self->r, &self->sh->lock));
	EXPECT_EQ(-ENOTRECOVERABLE, timedlock(&self->r, &self->sh->lock));
	/* for every process */
	pid = kt_fork();
	if (pid == 0)
		_exit(kt_status(kipc_trylock(&self->r, &self->sh->lock)));
	EXPECT_EQ(ENOTRECOVERABLE, kt_reap(pid));
	/* lock_init makes it usable again */
	ASSERT_EQ(0, kipc_lock_init(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_trylock(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

TEST_F(lock, consistent_without_owner_died_returns_einval)
{
	pid_t holder;

	/* free */
	EXPECT_EQ(-EINVAL, kipc_lock_consistent(&self->r, &self->sh->lock));
	/* held normally */
	ASSERT_EQ(0, kipc_lock(&self->r, &self->sh->lock));
	EXPECT_EQ(-EINVAL, kipc_lock_consistent(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
	/* taken with -EOWNERDEAD: only its new holder may */
	holder = fork_holder(self, &self->sh->lock, 1, false);
	ASSERT_LT(0, holder);
	kill_kid(self, holder);
	ASSERT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->lock));
	holder = kt_fork();
	if (holder == 0)
		_exit(kt_status(kipc_lock_consistent(&self->r,
						     &self->sh->lock)));
	EXPECT_EQ(EINVAL, kt_reap(holder));
	EXPECT_EQ(0, kipc_lock_consistent(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

TEST_F(lock, only_the_dead_holders_locks_are_released)
{
	struct kipc_lock *a = &self->sh->locks[0], *b = &self->sh->locks[1];
	struct kipc_lock *c = &self->sh->locks[2];
	pid_t dead, live, two;

	ASSERT_EQ(0, kipc_lock_init(&self->r, a));
	ASSERT_EQ(0, kipc_lock_init(&self->r, b));
	ASSERT_EQ(0, kipc_lock_init(&self->r, c));
	dead = fork_holder(self, a, 1, false);
	ASSERT_LT(0, dead);
	live = fork_holder(self, b, 2, false);
	ASSERT_LT(0, live);
	/* another holder that dies */
	two = fork_holder(self, &self->sh->lock, 3, false);
	ASSERT_LT(0, two);
	kill_kid(self, dead);
	kill_kid(self, two);
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, a));
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->lock));
	/* the live holder's lock is untouched */
	EXPECT_EQ(-EBUSY, kipc_trylock(&self->r, b));
	EXPECT_EQ(0U, word(b) & KIPC_LOCK_OWNER_DIED);
	EXPECT_NE(0U, word(b) & KIPC_LOCK_HOLDER_MASK);
	/* a lock nobody held is free, not dead */
	EXPECT_EQ(0, kipc_trylock(&self->r, c));
	EXPECT_EQ(0, kipc_unlock(&self->r, c));
	kill_kid(self, live);
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, b));
}

TEST_F(lock, holder_of_two_locks_has_both_released)
{
	pid_t holder;

	ASSERT_EQ(0, kipc_lock_init(&self->r, &self->sh->locks[0]));
	holder = kt_fork();
	if (holder == 0) {
		int ret = kipc_lock(&self->r, &self->sh->lock);

		if (!ret)
			ret = kipc_lock(&self->r, &self->sh->locks[0]);
		_exit(kt_status(ret));
	}
	EXPECT_EQ(0, kt_reap(holder));
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->lock));
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->locks[0]));
}

TEST_F(lock, dead_holder_that_closed_its_fd_is_released_while_named)
{
	pid_t holder = fork_holder(self, &self->sh->lock, 9, true);

	ASSERT_LT(0, holder);
	kill_kid(self, holder);
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->lock));
	EXPECT_EQ(9U, self->sh->data);
	EXPECT_EQ(0, kipc_lock_consistent(&self->r, &self->sh->lock));
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

TEST_F(lock, dead_holder_that_closed_its_fd_is_released_while_an_fd_is_open)
{
	pid_t holder;

	/* no name: only the fixture's fd keeps the region */
	ASSERT_EQ(0, kipc_shm_remove(self->sfd, self->name));
	holder = kt_fork();
	if (holder == 0) {
		int ret = kipc_lock(&self->r, &self->sh->lock);

		self->sh->data = 11;
		close(self->fd);	/* its copy */
		_exit(kt_status(ret));
	}
	EXPECT_EQ(0, kt_reap(holder));
	EXPECT_EQ(-EOWNERDEAD, timedlock(&self->r, &self->sh->lock));
	EXPECT_EQ(11U, self->sh->data);
}

TEST_F(lock, locks_in_an_anonymous_region_are_robust)
{
	struct kipc_region r;
	struct shared *sh;
	pid_t pid;
	int fd;

	fd = kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_READ |
			   KIPC_O_WRITE, 0600, 100, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_shm_map(fd, PROT_READ | PROT_WRITE, &r));
	sh = r.addr;
	ASSERT_EQ(0, kipc_lock_init(&r, &sh->lock));
	pid = kt_fork();
	if (pid == 0)
		_exit(kt_status(kipc_lock(&r, &sh->lock)));
	EXPECT_EQ(0, kt_reap(pid));
	EXPECT_EQ(-EOWNERDEAD, kipc_timedlock(&r, &sh->lock,
					      kipc_deadline(CHILD_WAIT_NS)));
	EXPECT_EQ(0, kipc_lock_consistent(&r, &sh->lock));
	EXPECT_EQ(0, kipc_unlock(&r, &sh->lock));
	EXPECT_EQ(0, kipc_shm_unmap(&r));
	close(fd);
}

/*
 * A worker of the kill test: add to the counter under the lock until
 * @stop, making the lock consistent after a death (the counter may then
 * miss the dead holder's increment, never more: it only grows).
 */
static int chaos_worker(struct kipc_region *r, struct shared *sh,
			volatile uint32_t *stop)
{
	uint64_t seen;
	int ret;

	while (!*stop) {
		ret = kipc_timedlock(r, &sh->lock,
				     kipc_deadline(CHILD_WAIT_NS));
		if (ret == -EOWNERDEAD)
			ret = kipc_lock_consistent(r, &sh->lock);
		if (ret)
			return -ret;
		seen = sh->counter;
		sh->counter = seen + 1;
		ret = kipc_unlock(r, &sh->lock);
		if (ret)
			return -ret;
	}
	return 0;
}

TEST_F_TIMEOUT(lock, holders_killed_at_random_never_leave_the_lock_stuck, 300)
{
	volatile uint32_t *stop = (uint32_t *)((char *)self->r.addr +
					       self->r.size - 4);
	uint64_t rnd = kt_real_ns() | 1, before;
	pid_t pids[3];
	int i, round;

	*stop = 0;
	for (i = 0; i < 3; i++) {
		pids[i] = kid(self, kt_fork());
		if (pids[i] == 0)
			_exit(chaos_worker(&self->r, self->sh, stop));
		ASSERT_LT(0, pids[i]);
	}
	/* kill a worker at a random moment, often inside its critical
	 * section, and start another; the others must go on */
	for (round = 0; round < 20; round++) {
		kt_sleep_ms(1 + kt_rand_below(&rnd, 20));
		i = kt_rand_below(&rnd, 3);
		kill_kid(self, pids[i]);
		pids[i] = kid(self, kt_fork());
		if (pids[i] == 0)
			_exit(chaos_worker(&self->r, self->sh, stop));
		ASSERT_LT(0, pids[i]);
	}
	/* still making progress */
	before = self->sh->counter;
	for (i = 0; i < 1000 && self->sh->counter == before; i++)
		kt_sleep_ms(10);
	EXPECT_NE(before, self->sh->counter);
	*stop = 1;
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, reap_kid(self, pids[i])) TH_LOG("worker %d", i);
	/* and the lock is usable: free, or free after a death */
	i = timedlock(&self->r, &self->sh->lock);
	if (i == -EOWNERDEAD)
		i = kipc_lock_consistent(&self->r, &self->sh->lock);
	EXPECT_EQ(0, i);
	EXPECT_EQ(0, kipc_unlock(&self->r, &self->sh->lock));
}

KT_HARNESS_MAIN
