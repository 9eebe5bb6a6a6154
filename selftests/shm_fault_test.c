// SPDX-License-Identifier: GPL-2.0
/*
 * kipc shared memory under allocation failure: every path of the region
 * ioctls and of mmap(2) that can allocate, swept with fail-nth as
 * kipc_test.h's kt_fault_sweep() does it (the n-th injectable call
 * failing, then every call from the n-th on):
 *
 *   create-*      KIPC_IOC_SHM_OPEN making a region: the object, its shmem
 *                 file, the region fd; named (the user's first object, and
 *                 with one there already) and anonymous
 *   open-*        KIPC_IOC_SHM_OPEN of an existing region: by name, by name
 *                 with KIPC_O_CREAT (a new region made and dropped), by id
 *   remove, stat, set
 *   mmap          mmap(2) of a region fd (the VMA, shmem's mmap, and with
 *                 mlockall() the pages)
 *   wait-*        KIPC_IOC_SHM_WAIT on a word of a page not there yet (the
 *                 page is allocated) and until a deadline (the sleep)
 *   wake          KIPC_IOC_SHM_WAKE
 *   attach        KIPC_IOC_SHM_ATTACH, in a new child per fault point: the
 *                 holder record, its id, the process's exit hook
 *   lock-init     KIPC_IOC_SHM_LOCK_INIT of a new lock (the xarray entry)
 *
 * After each injected failure the errno is ENOMEM (or the call succeeded
 * where the kernel absorbed the failure), and nothing is half made: no
 * region left behind (its name and id lead nowhere, the name can be made
 * again), no mapping, no waiter, no holder, no lock registered and the
 * lock word unchanged; the base region is as it was and still works.  The
 * calls run as an unprivileged euid of their own, so that the teardown's
 * quota probes see exactly what they charged: the byte quota (shared with
 * queues, kt_quota_probe()) and the region count (kt_count_probe()).
 * Leaks are for kmemleak, which the runner scans after rmmod in the debug
 * kernel, and so is the log (KASAN, lockdep, WARNING).
 *
 * Needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB with debugfs (the debug
 * kernel) and root; elsewhere the binary skips.  Each test prints
 * "# path NAME: N fault points" and how the failures ended.
 */
#include <linux/capability.h>
#include <sys/syscall.h>

#include "kipc_test.h"

#define FAULT_UID	4343
#define FAULT_GID	4343
#define BIG_PAGES	512	/* the wait and lock paths' region */
#define LOCK_STRIDE	256	/* between new locks: a new xarray leaf */
#define FILL		0x5a5a5a5aU

static long psz;

FIXTURE(fault) {
	int sfd;
	struct kt_fault fault;	/* this thread's fail-nth, the knobs */
	bool knobs_set;
	bool dropped;		/* running as FAULT_UID */
	int fd;			/* the base region (READ|WRITE), or -1 */
	uint64_t id;
	const char *name;
	uint64_t size;
	struct kipc_shm_stat before;	/* the base region before a call */
	uint64_t off;		/* the word the wait and lock paths use */
	void *map;		/* what call_mmap() mapped */
	pid_t child;		/* attach: the child that attached */
	int csock;		/* ... its socket */
	long again;		/* ... its unarmed attach's result */
	struct kt_names names;
};

/* ---- the region count probe (kt_quota_probe() is about queues) ---- */

/* kt_count_probe()'s create: a 1-byte region, closed again. */
static int probe_shm_create(int sfd, const char *name)
{
	int fd = kipc_shm_open(sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			       KIPC_O_READ, 0600, 1, NULL);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

FIXTURE_SETUP(fault)
{
	self->fd = -1;
	self->csock = -1;
	self->fault.nth = -1;
	self->fault.mif = -1;
	psz = sysconf(_SC_PAGESIZE);
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_SHM, NULL))
		SKIP(return, "the module has no shared memory");
	/* the locked mappings need CAP_IPC_LOCK */
	KT_FAULT_SETUP(&self->fault, &self->knobs_set, &self->dropped,
		       FAULT_UID, FAULT_GID, CAP_TO_MASK(CAP_IPC_LOCK));
}

FIXTURE_TEARDOWN(fault)
{
	char c = 'x';
	int res, i;

	kt_fault_task_close(&self->fault);
	if (self->child > 0) {
		if (write(self->csock, &c, 1) != 1)
			kill(self->child, SIGKILL);
		kt_reap(self->child);
	}
	if (self->csock >= 0)
		close(self->csock);
	if (self->fd >= 0)
		close(self->fd);
	for (i = 0; i < self->names.n; i++)
		kipc_shm_remove(self->sfd, self->names.name[i]);
	kt_fault_teardown(_metadata, &self->fault, self->knobs_set,
			  self->dropped);
	if (self->dropped) {
		/* whatever failed or succeeded, nothing stays charged */
		res = kt_quota_probe(self->sfd, FAULT_UID, FAULT_GID);
		EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("bytes of uid %d: %s",
						     FAULT_UID,
						     kt_quota_str(res));
		res = kt_count_probe(self->sfd, FAULT_UID, FAULT_GID,
				     "shm_per_user", probe_shm_create,
				     kipc_shm_remove);
		EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("regions of uid %d: %s",
						     FAULT_UID,
						     kt_quota_str(res));
	}
	close(self->sfd);
}

/* ---- the sweep ---- */

struct path {
	const char *name;
	long (*call)(FIXTURE_DATA(fault) *self);
	void (*check)(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) *self, long ret);
	void (*prepare)(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self);
	long (*run)(FIXTURE_DATA(fault) *self, unsigned int n, bool onward,
		    long *left);
};

struct sweep_ctx {
	FIXTURE_DATA(fault) *self;
	const struct path *p;
};

static long sweep_call(void *ctx)
{
	struct sweep_ctx *c = ctx;

	return c->p->call(c->self);
}

static long sweep_run(void *ctx, unsigned int n, bool onward, long *left)
{
	struct sweep_ctx *c = ctx;

	return c->p->run(c->self, n, onward, left);
}

static void sweep_check(struct __test_metadata *_metadata, void *ctx,
			long ret)
{
	struct sweep_ctx *c = ctx;

	c->p->check(_metadata, c->self, ret);
}

/* Before each call: the base region as it was, then the path's own. */
static void sweep_prepare(struct __test_metadata *_metadata, void *ctx)
{
	struct sweep_ctx *c = ctx;

	if (c->self->fd >= 0)
		ASSERT_EQ(0, kipc_shm_stat(c->self->fd, &c->self->before));
	if (c->p->prepare)
		c->p->prepare(_metadata, c->self);
}

static void sweep(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
		  const struct path *p)
{
	struct sweep_ctx c = { .self = self, .p = p };
	const struct kt_fault_path kp = {
		.name = p->name,
		.call = sweep_call,
		.check = sweep_check,
		.prepare = sweep_prepare,
		.run = p->run ? sweep_run : NULL,
	};

	kt_fault_sweep(_metadata, &self->fault, &kp, &c);
}

/* ---- helpers ---- */

static long wait_raw(int fd, uint64_t off, uint32_t expected,
		     uint64_t deadline_ns)
{
	static struct kipc_shm_wait w;

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.flags = KIPC_MSG_DEADLINE;
	w.offset = off;
	w.expected = expected;
	w.deadline_ns = deadline_ns;
	return kt_ioctl(fd, KIPC_IOC_SHM_WAIT, &w);
}

/* The base region: @pages pages, READ|WRITE, owned by FAULT_UID. */
static int create_base(FIXTURE_DATA(fault) *self, uint64_t pages)
{
	self->name = kt_names_new(&self->names, "f");
	self->size = pages * psz;
	self->fd = kipc_shm_open(self->sfd, self->name, KIPC_O_CREAT |
				 KIPC_O_EXCL | KIPC_O_READ | KIPC_O_WRITE,
				 0600, self->size, &self->id);
	return self->fd;
}

/*
 * The region of @fd works: a word written through a mapping of its page
 * at @off is what the kernel sees (a wait on it for that value times out).
 */
static void expect_region_works(struct __test_metadata *_metadata, int fd,
				uint64_t off, uint32_t val)
{
	uint64_t page = off & ~(uint64_t)(psz - 1);
	char *p;

	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	*(volatile uint32_t *)(p + (off - page)) = val;
	EXPECT_EQ(-ETIMEDOUT, wait_raw(fd, off, val, 1));
	EXPECT_EQ(-EAGAIN, wait_raw(fd, off, val + 1, 1));
	munmap(p, psz);
}

/* The base region is as before the call. */
static void expect_base_unchanged(struct __test_metadata *_metadata,
				  FIXTURE_DATA(fault) *self)
{
	const struct kipc_shm_stat *a = &self->before;
	struct kipc_shm_stat b;

	ASSERT_EQ(0, kipc_shm_stat(self->fd, &b));
	EXPECT_EQ(a->flags, b.flags);
	EXPECT_EQ(a->id, b.id);
	EXPECT_EQ(a->mode, b.mode);
	EXPECT_EQ(a->uid, b.uid);
	EXPECT_EQ(a->gid, b.gid);
	EXPECT_EQ(a->region_size, b.region_size);
	EXPECT_EQ(a->nr_holders, b.nr_holders);
	EXPECT_EQ(a->nr_locks, b.nr_locks);
	EXPECT_EQ(a->nr_waiters, b.nr_waiters);
	EXPECT_EQ(a->change_time_ns, b.change_time_ns);
}

/* ---- create ---- */

static const char *new_name;	/* the name the create paths make */
static struct kipc_shm_open open_args;

static void shm_open_args(struct kipc_shm_open *o, const char *name,
			  unsigned int flags, uint64_t size)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->flags = flags;
	o->name_ptr = (uintptr_t)name;
	o->mode = 0600;
	o->region_size = size;
}

static long call_create(FIXTURE_DATA(fault) *self)
{
	shm_open_args(&open_args, new_name, KIPC_O_CREAT | KIPC_O_EXCL |
		      KIPC_O_READ | KIPC_O_WRITE, 3 * psz);
	return kt_ioctl(self->sfd, KIPC_IOC_SHM_OPEN, &open_args);
}

static void check_create(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_shm_stat st;
	int fd;

	if (ret < 0) {
		/* nothing was made: the name and the id lead nowhere */
		if (new_name)
			EXPECT_EQ(-ENOENT, kipc_shm_open(self->sfd, new_name,
							 KIPC_O_READ, 0, 0,
							 NULL));
		if (open_args.id)
			EXPECT_EQ(-ENOENT, kipc_shm_open_id(self->sfd,
							    open_args.id,
							    KIPC_O_READ));
		return;
	}
	fd = ret;
	ASSERT_EQ(0, kipc_shm_stat(fd, &st));
	EXPECT_EQ(open_args.id, st.id);
	EXPECT_EQ((uint64_t)3 * psz, st.region_size);
	EXPECT_EQ(new_name ? 0U : (uint32_t)KIPC_STAT_ANONYMOUS, st.flags);
	if (new_name)
		EXPECT_STREQ(new_name, st.name);
	expect_region_works(_metadata, fd, 2 * psz + 8, 77);
	close(fd);
	if (new_name)
		ASSERT_EQ(0, kipc_shm_remove(self->sfd, new_name));
	EXPECT_EQ(-ENOENT, kipc_shm_open_id(self->sfd, open_args.id,
					    KIPC_O_READ));
}

/* The user's first object: its quota record is made on the way. */
TEST_F(fault, create_first_region_of_user)
{
	static const struct path p = {
		.name = "create-named-first",
		.call = call_create,
		.check = check_create,
	};

	new_name = kt_names_new(&self->names, "c");
	sweep(_metadata, self, &p);
}

TEST_F(fault, create_named)
{
	static const struct path p = {
		.name = "create-named",
		.call = call_create,
		.check = check_create,
	};

	ASSERT_LE(0, create_base(self, 1));
	new_name = kt_names_new(&self->names, "c");
	sweep(_metadata, self, &p);
	expect_base_unchanged(_metadata, self);
}

TEST_F(fault, create_anonymous)
{
	static const struct path p = {
		.name = "create-anonymous",
		.call = call_create,
		.check = check_create,
	};

	ASSERT_LE(0, create_base(self, 1));
	new_name = NULL;
	sweep(_metadata, self, &p);
}

/* ---- open an existing region ---- */

static long call_open_name(FIXTURE_DATA(fault) *self)
{
	shm_open_args(&open_args, self->name, KIPC_O_READ | KIPC_O_WRITE, 0);
	return kt_ioctl(self->sfd, KIPC_IOC_SHM_OPEN, &open_args);
}

static long call_open_name_creat(FIXTURE_DATA(fault) *self)
{
	/* a new region is made, then dropped for the existing one */
	shm_open_args(&open_args, self->name, KIPC_O_CREAT | KIPC_O_READ |
		      KIPC_O_WRITE, psz);
	return kt_ioctl(self->sfd, KIPC_IOC_SHM_OPEN, &open_args);
}

static long call_open_id(FIXTURE_DATA(fault) *self)
{
	shm_open_args(&open_args, NULL, KIPC_O_READ | KIPC_O_WRITE, 0);
	open_args.id = self->id;
	return kt_ioctl(self->sfd, KIPC_IOC_SHM_OPEN, &open_args);
}

static void check_open(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_shm_stat st;

	expect_base_unchanged(_metadata, self);
	if (ret >= 0) {
		EXPECT_EQ(self->id, open_args.id);
		ASSERT_EQ(0, kipc_shm_stat(ret, &st));
		EXPECT_EQ(self->id, st.id);
		/* the new fd and the old one reach the same memory */
		expect_region_works(_metadata, ret, 4, 5);
		EXPECT_EQ(-ETIMEDOUT, wait_raw(self->fd, 4, 5, 1));
		close(ret);
	}
	expect_region_works(_metadata, self->fd, 0, 6);
}

TEST_F(fault, open_by_name)
{
	static const struct path p = {
		.name = "open-name",
		.call = call_open_name,
		.check = check_open,
	};

	ASSERT_LE(0, create_base(self, 1));
	sweep(_metadata, self, &p);
}

TEST_F(fault, open_by_name_with_creat)
{
	static const struct path p = {
		.name = "open-name-creat",
		.call = call_open_name_creat,
		.check = check_open,
	};

	ASSERT_LE(0, create_base(self, 1));
	sweep(_metadata, self, &p);
}

TEST_F(fault, open_by_id)
{
	static const struct path p = {
		.name = "open-id",
		.call = call_open_id,
		.check = check_open,
	};

	ASSERT_LE(0, create_base(self, 1));
	sweep(_metadata, self, &p);
}

/* ---- remove, stat, set ---- */

static long call_remove(FIXTURE_DATA(fault) *self)
{
	return kipc_shm_remove(self->sfd, self->name);
}

static void check_remove(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self, long ret)
{
	int fd;

	if (ret < 0) {
		expect_base_unchanged(_metadata, self);
		fd = kipc_shm_open(self->sfd, self->name, KIPC_O_READ, 0, 0,
				   NULL);
		EXPECT_LE(0, fd);
		if (fd >= 0)
			close(fd);
		return;
	}
	EXPECT_EQ(-ENOENT, kipc_shm_open(self->sfd, self->name, KIPC_O_READ,
					 0, 0, NULL));
	expect_region_works(_metadata, self->fd, 0, 8);
	close(self->fd);
	ASSERT_LE(0, create_base(self, 1));
}

TEST_F(fault, remove)
{
	static const struct path p = {
		.name = "remove",
		.call = call_remove,
		.check = check_remove,
	};

	ASSERT_LE(0, create_base(self, 1));
	sweep(_metadata, self, &p);
}

static long call_stat(FIXTURE_DATA(fault) *self)
{
	static struct kipc_shm_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	return kt_ioctl(self->fd, KIPC_IOC_SHM_STAT, &st) ?:
		(long)(st.id == self->id);
}

static void check_stat(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	if (ret >= 0)
		EXPECT_EQ(1, ret) TH_LOG("stat shows another id");
	expect_base_unchanged(_metadata, self);
}

TEST_F(fault, stat)
{
	static const struct path p = {
		.name = "stat",
		.call = call_stat,
		.check = check_stat,
	};

	ASSERT_LE(0, create_base(self, 1));
	sweep(_metadata, self, &p);
}

static long call_set(FIXTURE_DATA(fault) *self)
{
	static struct kipc_shm_set set;

	memset(&set, 0, sizeof(set));
	set.flags = KIPC_SET_MODE;
	set.mode = self->before.mode == 0600 ? 0640 : 0600;
	return kipc_shm_set(self->fd, &set);
}

static void check_set(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_shm_stat st;

	if (ret < 0) {
		expect_base_unchanged(_metadata, self);
		return;
	}
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_NE(self->before.mode, st.mode);
}

TEST_F(fault, set)
{
	static const struct path p = {
		.name = "set",
		.call = call_set,
		.check = check_set,
	};

	ASSERT_LE(0, create_base(self, 1));
	sweep(_metadata, self, &p);
}

/* ---- mmap ---- */

static long call_mmap(FIXTURE_DATA(fault) *self)
{
	void *p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	self->map = p;
	return 0;
}

static void check_mmap(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_shm_stat st;

	if (ret == 0) {
		ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
		EXPECT_EQ((uint32_t)KIPC_STAT_MAPPED,
			  st.flags & KIPC_STAT_MAPPED);
		/* every page of it works */
		*(volatile uint32_t *)self->map = 1;
		*(volatile uint32_t *)((char *)self->map + self->size - 4) = 2;
		EXPECT_EQ(-ETIMEDOUT, wait_raw(self->fd, 0, 1, 1));
		EXPECT_EQ(-ETIMEDOUT, wait_raw(self->fd, self->size - 4, 2,
					       1));
		munmap(self->map, self->size);
		self->map = NULL;
	}
	/* no mapping left behind */
	expect_base_unchanged(_metadata, self);
	expect_region_works(_metadata, self->fd, psz + 12, 3);
}

TEST_F(fault, mmap)
{
	static const struct path p = {
		.name = "mmap",
		.call = call_mmap,
		.check = check_mmap,
	};

	ASSERT_LE(0, create_base(self, 4));
	sweep(_metadata, self, &p);
}

/* ---- wait and wake ---- */

/* Next round: a word in a page not there yet. */
static void prepare_new_page(struct __test_metadata *_metadata,
			     FIXTURE_DATA(fault) *self)
{
	self->off += psz;
	ASSERT_GT(self->size, self->off) TH_LOG("out of fresh pages");
}

/* The page is made and read: 0, not the 1 expected, -EAGAIN. */
static long call_wait_new_page(FIXTURE_DATA(fault) *self)
{
	long ret = wait_raw(self->fd, self->off + 8, 1, 1);

	return ret == -EAGAIN ? 0 : ret ?: -EPROTO;
}

/* A sleep until a deadline just ahead. */
static long call_wait_timeout(FIXTURE_DATA(fault) *self)
{
	long ret = wait_raw(self->fd, 0, 0, kt_mono_ns() + NSEC_PER_MSEC);

	return ret == -ETIMEDOUT ? 0 : ret ?: -EPROTO;
}

static void check_wait(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	(void)ret;
	/* no waiter left behind, nothing else changed */
	expect_base_unchanged(_metadata, self);
	expect_region_works(_metadata, self->fd, 0, 0);
}

TEST_F(fault, wait_on_a_new_page)
{
	static const struct path p = {
		.name = "wait-new-page",
		.call = call_wait_new_page,
		.check = check_wait,
		.prepare = prepare_new_page,
	};

	ASSERT_LE(0, create_base(self, BIG_PAGES));
	sweep(_metadata, self, &p);
}

TEST_F(fault, wait_until_a_deadline)
{
	static const struct path p = {
		.name = "wait-timeout",
		.call = call_wait_timeout,
		.check = check_wait,
	};

	ASSERT_LE(0, create_base(self, 1));
	sweep(_metadata, self, &p);
}

static long call_wake(FIXTURE_DATA(fault) *self)
{
	static struct kipc_shm_wake w;

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.count = KIPC_WAKE_ALL;
	return kt_ioctl(self->fd, KIPC_IOC_SHM_WAKE, &w);
}

static void check_wake(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	if (ret >= 0)
		EXPECT_EQ(0, ret);
	expect_base_unchanged(_metadata, self);
}

TEST_F(fault, wake)
{
	static const struct path p = {
		.name = "wake",
		.call = call_wake,
		.check = check_wake,
	};

	ASSERT_LE(0, create_base(self, 1));
	sweep(_metadata, self, &p);
}

/* ---- attach: in a new child per fault point ---- */

struct attach_res {
	long ret;	/* the armed attach */
	long left;	/* its fault count */
	long again;	/* an attach after it, not armed */
};

static long call_attach(void *ctx)
{
	return kt_ioctl(*(int *)ctx, KIPC_IOC_SHM_ATTACH, NULL);
}

/*
 * A child attaches with the @n-th injectable call failing, then once more
 * unarmed, reports both and stays (its holder record with it) until the
 * check lets it exit.
 */
static long run_attach(FIXTURE_DATA(fault) *self, unsigned int n,
		       bool onward, long *left)
{
	struct attach_res res = { .left = -1 };
	int sv[2];
	char c;

	*left = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	self->child = kt_fork();
	if (self->child < 0)
		return -errno;
	if (self->child == 0) {
		struct kt_fault f = { .nth = -1, .mif = -1 };
		int fd = self->fd;

		close(sv[0]);
		/* its /proc files are root's: open them as root */
		if (seteuid(0) || mlockall(MCL_CURRENT | MCL_FUTURE) ||
		    kt_fault_task_open(&f))
			_exit(KT_CHILD_SETUP);
		res.ret = kt_fault_call(&f, n, onward, call_attach, &fd,
					&res.left);
		kt_fault_task_close(&f);
		res.again = kt_ioctl(fd, KIPC_IOC_SHM_ATTACH, NULL);
		if (write(sv[1], &res, sizeof(res)) != sizeof(res))
			_exit(KT_CHILD_SETUP);
		_exit(read(sv[1], &c, 1) == 1 ? 0 : KT_CHILD_SETUP);
	}
	close(sv[1]);
	self->csock = sv[0];
	if (kt_poll(sv[0], POLLIN, 10000) <= 0 ||
	    read(sv[0], &res, sizeof(res)) != sizeof(res))
		return -EIO;	/* with *left -1: the sweep fails */
	*left = res.left;
	self->again = res.again;
	return res.ret;
}

static void check_attach(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_shm_stat st;
	long again = self->again;
	char c = 'x';
	int i;

	/* the failed attach left nothing: the next one works */
	EXPECT_LT(0, again) TH_LOG("attach after the fault: %s",
				   strerror(-again));
	if (ret >= 0)
		EXPECT_EQ(ret, again);
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(1U, st.nr_holders);
	ASSERT_EQ(1, write(self->csock, &c, 1));
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
	close(self->csock);
	self->csock = -1;
	/* its exit takes the record (in a workqueue: up to 10 s) */
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
		if (!st.nr_holders)
			break;
		kt_sleep_ms(10);
	}
	EXPECT_EQ(0U, st.nr_holders);
}

TEST_F(fault, attach)
{
	static const struct path p = {
		.name = "attach",
		.run = run_attach,
		.check = check_attach,
	};

	ASSERT_LE(0, create_base(self, 1));
	sweep(_metadata, self, &p);
}

/* ---- lock init ---- */

static long lock_init_raw(int fd, uint64_t off)
{
	static struct kipc_shm_lock l;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.offset = off;
	return kt_ioctl(fd, KIPC_IOC_SHM_LOCK_INIT, &l);
}

/* Read the word at @off through a mapping of its page. */
static uint32_t read_word(int fd, uint64_t off)
{
	uint64_t page = off & ~(uint64_t)(psz - 1);
	uint32_t v = 0xdeadbeef;
	char *p;

	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
	if (p != MAP_FAILED) {
		v = *(volatile uint32_t *)(p + (off - page));
		munmap(p, psz);
	}
	return v;
}

/* Next round: a new lock word (a new xarray leaf), filled. */
static void prepare_lock(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self)
{
	uint64_t page;
	char *p;

	self->off += LOCK_STRIDE;
	ASSERT_GT(self->size, self->off);
	page = self->off & ~(uint64_t)(psz - 1);
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 page);
	ASSERT_NE(MAP_FAILED, p);
	*(volatile uint32_t *)(p + (self->off - page)) = FILL;
	munmap(p, psz);
}

static long call_lock_init(FIXTURE_DATA(fault) *self)
{
	return lock_init_raw(self->fd, self->off);
}

static void check_lock_init(struct __test_metadata *_metadata,
			    FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_shm_stat st;

	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	if (ret < 0) {
		/* not registered, the word untouched */
		EXPECT_EQ(self->before.nr_locks, st.nr_locks);
		EXPECT_EQ(FILL, read_word(self->fd, self->off));
		return;
	}
	EXPECT_EQ(self->before.nr_locks + 1, st.nr_locks);
	EXPECT_EQ(0U, read_word(self->fd, self->off));
	/* registered once: again is no new lock */
	EXPECT_EQ(0, lock_init_raw(self->fd, self->off));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(self->before.nr_locks + 1, st.nr_locks);
}

TEST_F(fault, lock_init)
{
	static const struct path p = {
		.name = "lock-init",
		.call = call_lock_init,
		.check = check_lock_init,
		.prepare = prepare_lock,
	};

	ASSERT_LE(0, create_base(self, BIG_PAGES));
	sweep(_metadata, self, &p);
}

KT_FAULT_HARNESS_MAIN
