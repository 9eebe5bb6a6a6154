// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues under allocation failure: every ioctl path, and
 * read(2)/write(2), and the paths where mailboxes differ (create, with an
 * owner's exit hook, and open), swept with fail-nth as kipc_test.h's
 * kt_fault_sweep() does it: the n-th injectable call failing, then every
 * call from the n-th on.  Not the every-call round for messages over a
 * page, whose vmalloc() fallback would fail too and print a warn_alloc()
 * stack dump (kt_fault_path.vmalloc); kipc's error path is the small
 * message's anyway.  KIPC_FAULT_VMALLOC=1 sweeps them too.  Each injected
 * failure must give a clean errno (ENOMEM) and leave everything as it was:
 * no queue made, no message queued or lost, the counters unchanged, the
 * queue still working, the user's quota whole.  A fault that the kernel absorbs
 * (a kvmalloc() falling back to vmalloc, kmemleak's own pool) must leave
 * the call's normal result.  Leaks are for kmemleak, which the runner
 * scans after rmmod in the debug kernel.
 *
 * Needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB with debugfs (the debug
 * kernel); elsewhere the binary skips.  The calls run as an unprivileged
 * euid of their own, so that the quota probe in the teardown sees exactly
 * what they charged.
 *
 * Each test prints "# path NAME: N fault points" (a fault point: an
 * injectable call the path reached), then how the failures ended.
 */
#include <linux/capability.h>
#include <sys/syscall.h>

#include "kipc_test.h"

#define FAULT_UID	4242
#define FAULT_GID	4242

/* A message larger than a page: kmalloc-8k, vmalloc() when that fails. */
#define LARGE_LEN	(4096 + 1000)
/* Above KMALLOC_MAX_CACHE_SIZE: the page allocator, then vmalloc(). */
#define HUGE_LEN	65536

/*
 * Buffers the kernel reads or writes live here, touched and locked before
 * any fault is armed: a page fault during the call would allocate (page
 * tables, anon_vma) and could turn an injected failure into -EFAULT.
 */
static char payload[HUGE_LEN];
static char rbuf[HUGE_LEN + 16];

FIXTURE(fault) {
	int sfd;
	struct kt_fault fault;	/* this thread's fail-nth, the knobs */
	bool knobs_set;		/* the knobs were changed */
	bool dropped;		/* running as FAULT_UID */
	int qfd;		/* SEND|RECV opening of @name, or -1 */
	uint64_t id;		/* its id */
	const char *name;
	int afd;		/* an anonymous queue, or -1 */
	uint64_t aid;
	struct kt_names names;	/* removed in the teardown */
	struct kt_names mnames;	/* mailboxes, removed in the teardown */
	struct kipc_queue_stat before;	/* the queue before the call */
	unsigned int seq;	/* messages sent by the checks */
};

FIXTURE_SETUP(fault)
{
	self->qfd = -1;
	self->afd = -1;
	self->fault.nth = -1;
	self->fault.mif = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	memset(payload, 'p', sizeof(payload));
	memset(rbuf, 0, sizeof(rbuf));
	KT_FAULT_SETUP(&self->fault, &self->knobs_set, &self->dropped,
		       FAULT_UID, FAULT_GID, 0);
}

FIXTURE_TEARDOWN(fault)
{
	int res, i;

	kt_fault_task_close(&self->fault);
	if (self->qfd >= 0)
		close(self->qfd);
	if (self->afd >= 0)
		close(self->afd);
	kt_names_remove_all(self->sfd, &self->names);
	for (i = 0; i < self->mnames.n; i++)
		kipc_mailbox_remove(self->sfd, self->mnames.name[i]);
	kt_fault_teardown(_metadata, &self->fault, self->knobs_set,
			  self->dropped);
	if (self->dropped) {
		/* whatever failed or succeeded, nothing stays charged */
		res = kt_quota_probe(self->sfd, FAULT_UID, FAULT_GID);
		EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("quota of uid %d: %s",
						     FAULT_UID,
						     kt_quota_str(res));
	}
	close(self->sfd);
}

/* ---- the sweep ---- */

/* A path of this file: kt_fault_path with calls that see the fixture. */
struct path {
	const char *name;
	long (*call)(FIXTURE_DATA(fault) *self);
	void (*check)(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) *self, long ret);
	bool vmalloc;
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

static void sweep_check(struct __test_metadata *_metadata, void *ctx,
			long ret)
{
	struct sweep_ctx *c = ctx;

	c->p->check(_metadata, c->self, ret);
}

/* Before each call: the base queue as it was, for the checks. */
static void sweep_prepare(struct __test_metadata *_metadata, void *ctx)
{
	struct sweep_ctx *c = ctx;

	if (c->self->qfd >= 0)
		ASSERT_EQ(0, kipc_queue_stat(c->self->qfd, &c->self->before));
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
		.vmalloc = p->vmalloc,
	};

	kt_fault_sweep(_metadata, &self->fault, &kp, &c);
}

/* ---- checks shared by the paths ---- */

static int create_base(FIXTURE_DATA(fault) *self, uint32_t max_msgsize,
		       uint64_t capacity)
{
	struct kipc_queue_limits lim = {
		.max_msgsize = max_msgsize,
		.capacity = capacity,
	};

	self->name = kt_names_new(&self->names, "f");
	self->qfd = kipc_queue_open(self->sfd, self->name,
				    KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
				    KIPC_O_RECV | KIPC_O_NONBLOCK, 0600, &lim,
				    &self->id);
	return self->qfd;
}

/* The stat counters, limits, owner and times are as in @a. */
static void expect_same_stat(struct __test_metadata *_metadata,
			     const struct kipc_queue_stat *a,
			     const struct kipc_queue_stat *b)
{
	EXPECT_EQ(a->flags, b->flags);
	EXPECT_EQ(a->id, b->id);
	EXPECT_EQ(a->mode, b->mode);
	EXPECT_EQ(a->uid, b->uid);
	EXPECT_EQ(a->gid, b->gid);
	EXPECT_EQ(a->nr_msgs, b->nr_msgs);
	EXPECT_EQ(a->bytes, b->bytes);
	EXPECT_EQ(a->max_msgsize, b->max_msgsize);
	EXPECT_EQ(a->max_msgs, b->max_msgs);
	EXPECT_EQ(a->capacity, b->capacity);
	EXPECT_EQ(a->last_send_pid, b->last_send_pid);
	EXPECT_EQ(a->last_recv_pid, b->last_recv_pid);
	EXPECT_EQ(a->send_time_ns, b->send_time_ns);
	EXPECT_EQ(a->recv_time_ns, b->recv_time_ns);
	EXPECT_EQ(a->change_time_ns, b->change_time_ns);
}

/*
 * @fd's queue works: a message sent on @fd comes back intact, and no other
 * message was queued ahead of it (nothing duplicated or left behind).
 */
static void expect_round_trip(struct __test_metadata *_metadata,
			      FIXTURE_DATA(fault) *self, int fd)
{
	char msg[32], buf[64];
	int len;

	len = snprintf(msg, sizeof(msg), "round trip %u", self->seq++);
	ASSERT_EQ(0, kt_send_nb(fd, msg, len, 7));
	ASSERT_EQ(len, kt_recv_nb(fd, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, memcmp(msg, buf, len));
	EXPECT_EQ(0, kt_nr_msgs(fd));
}

/* The base queue is as before the call and works. */
static void expect_base_unchanged(struct __test_metadata *_metadata,
				  FIXTURE_DATA(fault) *self)
{
	struct kipc_queue_stat st;

	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	expect_same_stat(_metadata, &self->before, &st);
}

/* ---- the session ---- */

static long call_version(FIXTURE_DATA(fault) *self)
{
	static struct kipc_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	return kt_ioctl(self->sfd, KIPC_IOC_VERSION, &v) ?: (long)v.major;
}

static void check_version(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fault) *self, long ret)
{
	(void)self;
	if (ret >= 0)
		EXPECT_EQ(KIPC_VERSION_MAJOR, ret);
}

TEST_F(fault, version)
{
	static const struct path p = {
		.name = "version",
		.call = call_version,
		.check = check_version,
	};

	sweep(_metadata, self, &p);
}

/* ---- create ---- */

static const char *new_name;	/* the name the create paths make */
static struct kipc_queue_open open_args;

static long call_create_named(FIXTURE_DATA(fault) *self)
{
	kt_open_args(&open_args, new_name, KIPC_O_CREAT | KIPC_O_EXCL |
		     KIPC_O_SEND | KIPC_O_RECV | KIPC_O_NONBLOCK);
	return kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &open_args);
}

static void check_create_named(struct __test_metadata *_metadata,
			       FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_queue_stat st;
	int fd;

	if (ret < 0) {
		/* nothing was made: the name is free */
		EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, new_name,
						   KIPC_O_SEND, 0, NULL, NULL));
		if (open_args.id)
			EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd,
							      open_args.id,
							      KIPC_O_SEND));
		return;
	}
	fd = ret;
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(open_args.id, st.id);
	EXPECT_STREQ(new_name, st.name);
	EXPECT_EQ(0U, st.nr_msgs);
	expect_round_trip(_metadata, self, fd);
	close(fd);
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, new_name));
}

/* The user's first queue: its quota record is made on the way. */
TEST_F(fault, create_first_queue_of_user)
{
	static const struct path p = {
		.name = "create-named-first",
		.call = call_create_named,
		.check = check_create_named,
	};

	new_name = kt_names_new(&self->names, "c");
	sweep(_metadata, self, &p);
}

TEST_F(fault, create_named)
{
	static const struct path p = {
		.name = "create-named",
		.call = call_create_named,
		.check = check_create_named,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	new_name = kt_names_new(&self->names, "c");
	sweep(_metadata, self, &p);
	expect_round_trip(_metadata, self, self->qfd);
}

static long call_create_anonymous(FIXTURE_DATA(fault) *self)
{
	kt_open_args(&open_args, NULL, KIPC_O_CREAT | KIPC_O_SEND |
		     KIPC_O_RECV | KIPC_O_NONBLOCK);
	return kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &open_args);
}

static void check_create_anonymous(struct __test_metadata *_metadata,
				   FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_queue_stat st;
	int fd;

	if (ret < 0) {
		/* an id written back before the failure leads nowhere */
		if (open_args.id)
			EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd,
							      open_args.id,
							      KIPC_O_SEND));
		return;
	}
	fd = ret;
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(open_args.id, st.id);
	EXPECT_EQ((uint32_t)KIPC_STAT_ANONYMOUS, st.flags);
	expect_round_trip(_metadata, self, fd);
	close(fd);
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, open_args.id,
					      KIPC_O_SEND));
}

TEST_F(fault, create_anonymous)
{
	static const struct path p = {
		.name = "create-anonymous",
		.call = call_create_anonymous,
		.check = check_create_anonymous,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	sweep(_metadata, self, &p);
}

/* ---- open an existing queue ---- */

static long call_open_name(FIXTURE_DATA(fault) *self)
{
	kt_open_args(&open_args, self->name, KIPC_O_SEND | KIPC_O_RECV |
		     KIPC_O_NONBLOCK);
	return kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &open_args);
}

static long call_open_name_creat(FIXTURE_DATA(fault) *self)
{
	/* a new queue is made, then dropped for the existing one */
	kt_open_args(&open_args, self->name, KIPC_O_CREAT | KIPC_O_SEND |
		     KIPC_O_RECV | KIPC_O_NONBLOCK);
	return kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &open_args);
}

static long call_open_id(FIXTURE_DATA(fault) *self)
{
	kt_open_args(&open_args, NULL, KIPC_O_SEND | KIPC_O_RECV |
		     KIPC_O_NONBLOCK);
	open_args.id = self->id;
	return kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &open_args);
}

static long call_open_anonymous_id(FIXTURE_DATA(fault) *self)
{
	kt_open_args(&open_args, NULL, KIPC_O_SEND | KIPC_O_RECV |
		     KIPC_O_NONBLOCK);
	open_args.id = self->aid;
	return kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &open_args);
}

/* After opening the base queue (or the anonymous one with @anon). */
static void check_open_common(struct __test_metadata *_metadata,
			      FIXTURE_DATA(fault) *self, long ret, bool anon)
{
	int other = anon ? self->afd : self->qfd;
	char buf[16];

	expect_base_unchanged(_metadata, self);
	if (ret >= 0) {
		EXPECT_EQ(anon ? self->aid : self->id, open_args.id);
		/* the new fd and the old one reach the same queue */
		ASSERT_EQ(0, kt_send_nb((int)ret, "via new", 7, 0));
		EXPECT_EQ(7, kt_recv_nb(other, buf, sizeof(buf), NULL));
		close(ret);
	}
	expect_round_trip(_metadata, self, other);
}

static void check_open(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	check_open_common(_metadata, self, ret, false);
}

static void check_open_anonymous(struct __test_metadata *_metadata,
				 FIXTURE_DATA(fault) *self, long ret)
{
	int fd;

	check_open_common(_metadata, self, ret, true);
	fd = kipc_queue_open_id(self->sfd, self->aid, KIPC_O_SEND);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
}

TEST_F(fault, open_by_name)
{
	static const struct path p = {
		.name = "open-name",
		.call = call_open_name,
		.check = check_open,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	sweep(_metadata, self, &p);
}

TEST_F(fault, open_by_name_with_creat)
{
	static const struct path p = {
		.name = "open-name-creat",
		.call = call_open_name_creat,
		.check = check_open,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	sweep(_metadata, self, &p);
}

TEST_F(fault, open_by_id)
{
	static const struct path p = {
		.name = "open-id",
		.call = call_open_id,
		.check = check_open,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	sweep(_metadata, self, &p);
}

TEST_F(fault, open_anonymous_by_id)
{
	static const struct path p = {
		.name = "open-anonymous-id",
		.call = call_open_anonymous_id,
		.check = check_open_anonymous,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	self->afd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT |
				    KIPC_O_SEND | KIPC_O_RECV |
				    KIPC_O_NONBLOCK, 0600, NULL, &self->aid);
	ASSERT_LE(0, self->afd);
	sweep(_metadata, self, &p);
}

/* ---- remove ---- */

static long call_remove_name(FIXTURE_DATA(fault) *self)
{
	return kipc_queue_remove(self->sfd, self->name);
}

static long call_remove_id(FIXTURE_DATA(fault) *self)
{
	return kipc_queue_remove_id(self->sfd, self->id);
}

static void check_remove(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_queue_stat st;
	int fd;

	if (ret < 0) {
		/* still there, by name and by id, and working */
		expect_base_unchanged(_metadata, self);
		fd = kipc_queue_open(self->sfd, self->name, KIPC_O_SEND, 0,
				     NULL, NULL);
		EXPECT_LE(0, fd);
		if (fd >= 0)
			close(fd);
		expect_round_trip(_metadata, self, self->qfd);
		return;
	}
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ((uint32_t)KIPC_STAT_REMOVED, st.flags & KIPC_STAT_REMOVED);
	EXPECT_EQ(-EIDRM, kt_send_nb(self->qfd, "x", 1, 0));
	EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, self->name, KIPC_O_SEND,
					   0, NULL, NULL));
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, self->id,
					      KIPC_O_SEND));
	/* a fresh queue for the next round */
	close(self->qfd);
	ASSERT_LE(0, create_base(self, 0, 0));
}

TEST_F(fault, remove_by_name)
{
	static const struct path p = {
		.name = "remove-name",
		.call = call_remove_name,
		.check = check_remove,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	sweep(_metadata, self, &p);
}

TEST_F(fault, remove_by_id)
{
	static const struct path p = {
		.name = "remove-id",
		.call = call_remove_id,
		.check = check_remove,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	sweep(_metadata, self, &p);
}

/* ---- send and write ---- */

static size_t send_len;

static long call_send(FIXTURE_DATA(fault) *self)
{
	return kt_send_nb(self->qfd, payload, send_len, 3);
}

static long call_write(FIXTURE_DATA(fault) *self)
{
	ssize_t n = write(self->qfd, payload, send_len);

	return n < 0 ? -errno : n;
}

static void check_send(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_queue_stat st;
	struct kipc_msg_info info;
	ssize_t n;

	if (ret < 0) {
		/* nothing queued, nothing counted */
		expect_base_unchanged(_metadata, self);
		expect_round_trip(_metadata, self, self->qfd);
		return;
	}
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(self->before.nr_msgs + 1, st.nr_msgs);
	EXPECT_EQ(self->before.bytes + send_len, st.bytes);
	n = kt_recv_nb(self->qfd, rbuf, sizeof(rbuf), &info);
	ASSERT_EQ((ssize_t)send_len, n);
	EXPECT_EQ(0, memcmp(payload, rbuf, send_len));
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
}

static void sweep_send(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, const char *name,
		       size_t len, bool write_it)
{
	struct path p = {
		.name = name,
		.call = write_it ? call_write : call_send,
		.check = check_send,
		.vmalloc = len > 4096,
	};

	ASSERT_LE(0, create_base(self, HUGE_LEN, 4 * HUGE_LEN));
	send_len = len;
	sweep(_metadata, self, &p);
}

TEST_F(fault, send_small)
{
	sweep_send(_metadata, self, "send-64", 64, false);
}

TEST_F(fault, send_larger_than_a_page)
{
	sweep_send(_metadata, self, "send-5096", LARGE_LEN, false);
}

TEST_F(fault, send_64k)
{
	sweep_send(_metadata, self, "send-65536", HUGE_LEN, false);
}

TEST_F(fault, write_small)
{
	sweep_send(_metadata, self, "write-64", 64, true);
}

TEST_F(fault, write_larger_than_a_page)
{
	sweep_send(_metadata, self, "write-5096", LARGE_LEN, true);
}

/* ---- receive and read ---- */

static const char queued[] = "the queued message";

static long call_recv(FIXTURE_DATA(fault) *self)
{
	return kt_recv_nb(self->qfd, rbuf, sizeof(rbuf), NULL);
}

static long call_read(FIXTURE_DATA(fault) *self)
{
	ssize_t n = read(self->qfd, rbuf, sizeof(rbuf));

	return n < 0 ? -errno : n;
}

static void check_recv(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_queue_stat st;

	if (ret < 0) {
		/* the message stays, nothing counted */
		expect_base_unchanged(_metadata, self);
		ASSERT_EQ(1, kt_nr_msgs(self->qfd));
		return;
	}
	ASSERT_EQ((long)strlen(queued), ret);
	EXPECT_EQ(0, memcmp(queued, rbuf, ret));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(0U, st.nr_msgs);
	EXPECT_EQ(0U, st.bytes);
	/* the next round's message */
	ASSERT_EQ(0, kt_send_nb(self->qfd, queued, strlen(queued), 0));
}

TEST_F(fault, recv)
{
	static const struct path p = {
		.name = "recv",
		.call = call_recv,
		.check = check_recv,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, queued, strlen(queued), 0));
	sweep(_metadata, self, &p);
}

TEST_F(fault, read)
{
	static const struct path p = {
		.name = "read",
		.call = call_read,
		.check = check_recv,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, queued, strlen(queued), 0));
	sweep(_metadata, self, &p);
}

/* ---- stat and set ---- */

static long call_stat(FIXTURE_DATA(fault) *self)
{
	static struct kipc_queue_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	return kt_ioctl(self->qfd, KIPC_IOC_QUEUE_STAT, &st) ?:
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

	ASSERT_LE(0, create_base(self, 0, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, queued, strlen(queued), 0));
	sweep(_metadata, self, &p);
}

static long call_set(FIXTURE_DATA(fault) *self)
{
	static struct kipc_queue_set set;

	/* each round toggles the values, so that a success shows */
	memset(&set, 0, sizeof(set));
	set.flags = KIPC_SET_MODE | KIPC_SET_MAX_MSGS | KIPC_SET_CAPACITY;
	set.mode = self->before.mode == 0600 ? 0640 : 0600;
	set.max_msgs = self->before.max_msgs == 100 ? 200 : 100;
	set.capacity = self->before.capacity == 65536 ? 131072 : 65536;
	return kipc_queue_set(self->qfd, &set);
}

static void check_set(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_queue_stat st;

	if (ret < 0) {
		/* all or nothing: nothing */
		expect_base_unchanged(_metadata, self);
	} else {
		ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
		EXPECT_NE(self->before.mode, st.mode);
		EXPECT_NE(self->before.max_msgs, st.max_msgs);
		EXPECT_NE(self->before.capacity, st.capacity);
		EXPECT_EQ(self->before.nr_msgs, st.nr_msgs);
	}
	expect_round_trip(_metadata, self, self->qfd);
}

TEST_F(fault, set)
{
	static const struct path p = {
		.name = "set",
		.call = call_set,
		.check = check_set,
	};

	ASSERT_LE(0, create_base(self, 0, 0));
	sweep(_metadata, self, &p);
}

/* ---- mailboxes: create (with the owner's exit hook) and open ---- */

static unsigned int mb_flags;	/* KIPC_O_OWNED, KIPC_O_OWNER_RECV */

/* The base object is a mailbox of this process, with @flags. */
static int create_base_mailbox(FIXTURE_DATA(fault) *self, unsigned int flags)
{
	self->name = kt_names_new(&self->mnames, "m");
	self->qfd = kipc_mailbox_open(self->sfd, self->name,
				      KIPC_O_CREAT | KIPC_O_EXCL |
				      KIPC_O_SEND | KIPC_O_RECV |
				      KIPC_O_NONBLOCK | flags, 0600, NULL,
				      &self->id);
	return self->qfd;
}

/* Create new_name (NULL: anonymous) with mb_flags. */
static long call_mailbox_create(FIXTURE_DATA(fault) *self)
{
	kt_open_args(&open_args, new_name, KIPC_O_CREAT | KIPC_O_EXCL |
		     KIPC_O_SEND | KIPC_O_RECV | KIPC_O_NONBLOCK | mb_flags);
	return kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN, &open_args);
}

static void check_mailbox_create(struct __test_metadata *_metadata,
				 FIXTURE_DATA(fault) *self, long ret)
{
	uint32_t flags = new_name ? 0 : KIPC_STAT_ANONYMOUS;
	struct kipc_queue_stat st;
	int fd;

	if (ret < 0) {
		/* nothing was made, hooked or charged */
		if (new_name)
			EXPECT_EQ(-ENOENT, kipc_mailbox_open(self->sfd,
							     new_name,
							     KIPC_O_SEND, 0,
							     NULL, NULL));
		if (open_args.id)
			EXPECT_EQ(-ENOENT,
				  kipc_mailbox_open_id(self->sfd, open_args.id,
						       KIPC_O_SEND));
		return;
	}
	fd = ret;
	if (mb_flags & KIPC_O_OWNED)
		flags |= KIPC_STAT_OWNED;
	if (mb_flags & KIPC_O_OWNER_RECV)
		flags |= KIPC_STAT_OWNER_RECV;
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(open_args.id, st.id);
	EXPECT_EQ(flags, st.flags);
	EXPECT_EQ(mb_flags & KIPC_O_OWNED ? getpid() : 0, st.owner_pid);
	expect_round_trip(_metadata, self, fd);
	close(fd);
	if (new_name)
		ASSERT_EQ(0, kipc_mailbox_remove(self->sfd, new_name));
	EXPECT_EQ(-ENOENT, kipc_mailbox_open_id(self->sfd, open_args.id,
						KIPC_O_SEND));
}

static void sweep_mailbox_create(struct __test_metadata *_metadata,
				 FIXTURE_DATA(fault) *self, const char *name,
				 bool anonymous, unsigned int flags)
{
	struct path p = {
		.name = name,
		.call = call_mailbox_create,
		.check = check_mailbox_create,
	};

	new_name = anonymous ? NULL : kt_names_new(&self->mnames, "c");
	mb_flags = flags;
	sweep(_metadata, self, &p);
}

TEST_F(fault, mailbox_create_named)
{
	sweep_mailbox_create(_metadata, self, "mailbox-create-named", false,
			     0);
}

/* The process's first exit hook: its record is made on the way. */
TEST_F(fault, mailbox_create_owned)
{
	sweep_mailbox_create(_metadata, self, "mailbox-create-owned", false,
			     KIPC_O_OWNED | KIPC_O_OWNER_RECV);
}

TEST_F(fault, mailbox_create_anonymous_owned)
{
	sweep_mailbox_create(_metadata, self, "mailbox-create-anonymous-owned",
			     true, KIPC_O_OWNED);
}

static long call_mailbox_open_name(FIXTURE_DATA(fault) *self)
{
	kt_open_args(&open_args, self->name, KIPC_O_SEND | KIPC_O_RECV |
		     KIPC_O_NONBLOCK);
	return kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN, &open_args);
}

static long call_mailbox_open_name_creat(FIXTURE_DATA(fault) *self)
{
	/* a new owned mailbox is made, then dropped, never hooked */
	kt_open_args(&open_args, self->name, KIPC_O_CREAT | KIPC_O_SEND |
		     KIPC_O_RECV | KIPC_O_NONBLOCK | KIPC_O_OWNED);
	return kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN, &open_args);
}

static long call_mailbox_open_id(FIXTURE_DATA(fault) *self)
{
	kt_open_args(&open_args, NULL, KIPC_O_SEND | KIPC_O_RECV |
		     KIPC_O_NONBLOCK);
	open_args.id = self->id;
	return kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN, &open_args);
}

/* Open paths on an owner-receive mailbox of this process. */
static void sweep_mailbox_open(struct __test_metadata *_metadata,
			       FIXTURE_DATA(fault) *self, const char *name,
			       long (*call)(FIXTURE_DATA(fault) *self))
{
	struct path p = {
		.name = name,
		.call = call,
		.check = check_open,
	};

	ASSERT_LE(0, create_base_mailbox(self, KIPC_O_OWNED |
					 KIPC_O_OWNER_RECV));
	sweep(_metadata, self, &p);
}

TEST_F(fault, mailbox_open_by_name)
{
	sweep_mailbox_open(_metadata, self, "mailbox-open-name",
			   call_mailbox_open_name);
}

TEST_F(fault, mailbox_open_by_name_with_creat)
{
	sweep_mailbox_open(_metadata, self, "mailbox-open-name-creat",
			   call_mailbox_open_name_creat);
}

TEST_F(fault, mailbox_open_by_id)
{
	sweep_mailbox_open(_metadata, self, "mailbox-open-id",
			   call_mailbox_open_id);
}

KT_FAULT_HARNESS_MAIN
