// SPDX-License-Identifier: GPL-2.0
/*
 * kipc pipes under allocation failure, swept with fail-nth as kipc_test.h's
 * kt_fault_sweep() does it (the n-th injectable call failing, then every
 * call from the n-th on): creating an anonymous pair, creating a named
 * pipe (one end, both ends), opening an existing pipe by name (with and
 * without KIPC_O_CREAT) and by id, setting the capacity, write(2) and
 * read(2), stat and remove.  Each injected failure must give a clean
 * errno (ENOMEM) and leave nothing half-made: no fd installed, no pipe
 * made or counted, the base pipe's ends, bytes and counters as they were,
 * and at the end nothing charged to the user (the pipe count and the
 * bytes).  A fault the kernel absorbs must leave the call's normal result.
 *
 * Rings of a page come from kmalloc(); larger ones may fall back to
 * vmalloc(), whose failure prints a stack dump the runner's log scan
 * rejects, so those paths sweep only the n-th failing
 * (kt_fault_path.vmalloc; KIPC_FAULT_VMALLOC=1 sweeps them fully).
 *
 * Needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB with debugfs (the debug
 * kernel); elsewhere the binary skips.  The calls run as an unprivileged
 * euid so that the quota probes in the teardown see exactly what they
 * charged.
 */
#include <linux/capability.h>
#include <sys/syscall.h>

#include "kipc_test.h"

#define FAULT_UID	4343
#define FAULT_GID	4343
#define PAGE		4096

static char payload[2 * PAGE];
static char rbuf[2 * PAGE];

FIXTURE(fault) {
	int sfd;
	struct kt_fault fault;
	bool knobs_set;
	bool dropped;		/* running as FAULT_UID */
	const char *name;	/* the base pipe, or NULL */
	struct kipc_pipe_open base;	/* its ends and id */
	struct kt_names names;	/* pipes, removed in the teardown */
	struct kipc_pipe_stat before;	/* the base before the call */
	int free_fd;		/* the lowest free fd before the call */
	unsigned int seq;
};

/* ---- is a pipe still counted for a user? ---- */

/* kt_count_probe()'s create: one pipe end, closed again.  0 or -errno. */
static int probe_pipe_create(int sfd, const char *name)
{
	int fd = kipc_pipe_open(sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
				KIPC_O_READ | KIPC_O_NONBLOCK, 0600, PAGE);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* ---- the fixture ---- */

FIXTURE_SETUP(fault)
{
	self->base.read_fd = self->base.write_fd = -1;
	self->fault.nth = -1;
	self->fault.mif = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_PIPE, NULL))
		SKIP(return, "the kipc module has no pipes (KIPC_FEAT_PIPE)");
	memset(payload, 'p', sizeof(payload));
	memset(rbuf, 0, sizeof(rbuf));
	KT_FAULT_SETUP(&self->fault, &self->knobs_set, &self->dropped,
		       FAULT_UID, FAULT_GID, 0);
}

static void close_ends(struct kipc_pipe_open *o)
{
	if (o->read_fd >= 0)
		close(o->read_fd);
	if (o->write_fd >= 0)
		close(o->write_fd);
	o->read_fd = o->write_fd = -1;
}

FIXTURE_TEARDOWN(fault)
{
	int res, i;

	kt_fault_task_close(&self->fault);
	close_ends(&self->base);
	for (i = 0; i < self->names.n; i++)
		kipc_pipe_remove(self->sfd, self->names.name[i]);
	kt_fault_teardown(_metadata, &self->fault, self->knobs_set,
			  self->dropped);
	if (self->dropped) {
		/* whatever failed or succeeded, nothing stays charged */
		res = kt_count_probe(self->sfd, FAULT_UID, FAULT_GID,
				     "pipes_per_user", probe_pipe_create,
				     kipc_pipe_remove);
		EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("pipes of uid %d: %s",
						     FAULT_UID,
						     kt_quota_str(res));
		res = kt_quota_probe(self->sfd, FAULT_UID, FAULT_GID);
		EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("bytes of uid %d: %s",
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

/* The lowest free fd: an fd installed by a failed call would take it. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static void sweep_prepare(struct __test_metadata *_metadata, void *ctx)
{
	struct sweep_ctx *c = ctx;

	if (c->self->base.read_fd >= 0)
		ASSERT_EQ(0, kipc_pipe_stat(c->self->base.read_fd,
					    &c->self->before));
	c->self->free_fd = lowest_free_fd();
	ASSERT_LE(0, c->self->free_fd);
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

/* ---- shared checks ---- */

static void open_args(struct kipc_pipe_open *o, const char *name,
		      unsigned int flags, uint32_t capacity)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->flags = flags;
	o->name_ptr = (uintptr_t)name;
	o->mode = 0600;
	o->capacity = capacity;
	o->read_fd = o->write_fd = -1;
}

/* The base pipe: named, both ends, non-blocking, of @capacity bytes. */
static int create_base(FIXTURE_DATA(fault) *self, uint32_t capacity)
{
	self->name = kt_names_new(&self->names, "f");
	open_args(&self->base, self->name, KIPC_O_CREAT | KIPC_O_EXCL |
		  KIPC_O_READ | KIPC_O_WRITE | KIPC_O_NONBLOCK, capacity);
	return kt_ioctl(self->sfd, KIPC_IOC_PIPE_OPEN, &self->base);
}

/* Bytes written on @wfd come out of @rfd, and nothing else. */
static void expect_round_trip(struct __test_metadata *_metadata,
			      FIXTURE_DATA(fault) *self, int rfd, int wfd)
{
	char msg[32], buf[64];
	int len;

	len = snprintf(msg, sizeof(msg), "round trip %u", self->seq++);
	ASSERT_EQ(len, write(wfd, msg, len));
	ASSERT_EQ(len, read(rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(msg, buf, len));
}

/* The base's counts, bytes, counters, limits and owner are as before. */
static void expect_base_unchanged(struct __test_metadata *_metadata,
				  FIXTURE_DATA(fault) *self)
{
	const struct kipc_pipe_stat *a = &self->before;
	struct kipc_pipe_stat b;

	ASSERT_EQ(0, kipc_pipe_stat(self->base.read_fd, &b));
	EXPECT_EQ(a->flags, b.flags);
	EXPECT_EQ(a->id, b.id);
	EXPECT_EQ(a->mode, b.mode);
	EXPECT_EQ(a->uid, b.uid);
	EXPECT_EQ(a->capacity, b.capacity);
	EXPECT_EQ(a->bytes, b.bytes);
	EXPECT_EQ(a->readers, b.readers);
	EXPECT_EQ(a->writers, b.writers);
	EXPECT_EQ(a->bytes_written, b.bytes_written);
	EXPECT_EQ(a->bytes_read, b.bytes_read);
}

/* A failed call installed no fd. */
static void expect_no_new_fd(struct __test_metadata *_metadata,
			     FIXTURE_DATA(fault) *self)
{
	EXPECT_EQ(self->free_fd, lowest_free_fd())
		TH_LOG("a failed call left an fd behind");
}

/* ---- create ---- */

static struct kipc_pipe_open args;
static const char *new_name;	/* the name the create paths make */
static unsigned int new_flags;	/* KIPC_O_READ, KIPC_O_WRITE or both */
static uint32_t new_capacity;

static long call_create(FIXTURE_DATA(fault) *self)
{
	open_args(&args, new_name, KIPC_O_CREAT | KIPC_O_EXCL | new_flags |
		  KIPC_O_NONBLOCK, new_capacity);
	return kt_ioctl(self->sfd, KIPC_IOC_PIPE_OPEN, &args);
}

static void check_create(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_pipe_stat st;
	int fd;

	if (ret < 0) {
		expect_no_new_fd(_metadata, self);
		/* nothing was made: the name is free, the id leads nowhere */
		if (new_name) {
			fd = kipc_pipe_open(self->sfd, new_name, KIPC_O_READ |
					    KIPC_O_NONBLOCK, 0, 0);
			EXPECT_EQ(-ENOENT, fd)
				TH_LOG("failed with %s, but made '%s'",
				       strerror(-ret), new_name);
			if (fd >= 0)
				close(fd);
		}
		if (args.id) {
			fd = kipc_pipe_open_id(self->sfd, args.id,
					       KIPC_O_READ | KIPC_O_NONBLOCK);
			EXPECT_EQ(-ENOENT, fd);
			if (fd >= 0)
				close(fd);
		}
		if (self->base.read_fd >= 0)
			expect_base_unchanged(_metadata, self);
		return;
	}
	ASSERT_EQ(0, ret);
	fd = args.read_fd >= 0 ? args.read_fd : args.write_fd;
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_pipe_stat(fd, &st));
	EXPECT_EQ(args.id, st.id);
	EXPECT_EQ(new_name ? 0U : (uint32_t)KIPC_STAT_ANONYMOUS, st.flags);
	EXPECT_EQ(new_capacity ?: 65536U, st.capacity);
	EXPECT_EQ(new_flags & KIPC_O_READ ? 1U : 0U, st.readers);
	EXPECT_EQ(new_flags & KIPC_O_WRITE ? 1U : 0U, st.writers);
	EXPECT_EQ(0U, st.bytes);
	if (args.read_fd >= 0 && args.write_fd >= 0)
		expect_round_trip(_metadata, self, args.read_fd,
				  args.write_fd);
	close_ends(&args);
	if (new_name)
		ASSERT_EQ(0, kipc_pipe_remove(self->sfd, new_name));
	EXPECT_EQ(-ENOENT, kipc_pipe_open_id(self->sfd, args.id,
					     KIPC_O_READ | KIPC_O_NONBLOCK));
}

static void sweep_create(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self, const char *name,
			 bool named, unsigned int flags, uint32_t capacity)
{
	struct path p = {
		.name = name,
		.call = call_create,
		.check = check_create,
		.vmalloc = capacity != PAGE,
	};

	new_name = named ? kt_names_new(&self->names, "c") : NULL;
	new_flags = flags;
	new_capacity = capacity;
	sweep(_metadata, self, &p);
}

/* The user's first pipe: its quota record is made on the way. */
TEST_F(fault, create_first_pipe_of_user)
{
	sweep_create(_metadata, self, "create-pair-first", false,
		     KIPC_O_READ | KIPC_O_WRITE, PAGE);
}

TEST_F(fault, create_anonymous_pair)
{
	ASSERT_EQ(0, create_base(self, PAGE));
	sweep_create(_metadata, self, "create-pair", false,
		     KIPC_O_READ | KIPC_O_WRITE, PAGE);
}

/* The default capacity: a 64 KiB ring, kvmalloc()'s vmalloc fallback. */
TEST_F(fault, create_anonymous_pair_default_capacity)
{
	ASSERT_EQ(0, create_base(self, PAGE));
	sweep_create(_metadata, self, "create-pair-64k", false,
		     KIPC_O_READ | KIPC_O_WRITE, 0);
}

TEST_F(fault, create_named_both_ends)
{
	ASSERT_EQ(0, create_base(self, PAGE));
	sweep_create(_metadata, self, "create-named-both", true,
		     KIPC_O_READ | KIPC_O_WRITE, PAGE);
}

TEST_F(fault, create_named_read_end)
{
	ASSERT_EQ(0, create_base(self, PAGE));
	sweep_create(_metadata, self, "create-named-read", true, KIPC_O_READ,
		     PAGE);
}

/* ---- open an existing pipe ---- */

/* KIPC_O_READ or KIPC_O_WRITE, maybe KIPC_O_CREAT */
static unsigned int open_flags;

static long call_open_name(FIXTURE_DATA(fault) *self)
{
	open_args(&args, self->name, open_flags | KIPC_O_NONBLOCK, PAGE);
	return kt_ioctl(self->sfd, KIPC_IOC_PIPE_OPEN, &args);
}

static long call_open_id(FIXTURE_DATA(fault) *self)
{
	open_args(&args, NULL, open_flags | KIPC_O_NONBLOCK, 0);
	args.id = self->base.id;
	return kt_ioctl(self->sfd, KIPC_IOC_PIPE_OPEN, &args);
}

static void check_open(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_pipe_stat st;

	if (ret < 0) {
		expect_no_new_fd(_metadata, self);
		expect_base_unchanged(_metadata, self);
		expect_round_trip(_metadata, self, self->base.read_fd,
				  self->base.write_fd);
		return;
	}
	ASSERT_EQ(0, ret);
	EXPECT_EQ(self->base.id, args.id);
	ASSERT_EQ(0, kipc_pipe_stat(self->base.read_fd, &st));
	if (open_flags & KIPC_O_READ) {
		ASSERT_LE(0, args.read_fd);
		EXPECT_EQ(self->before.readers + 1, st.readers);
		/* the new end reads what the base writes */
		expect_round_trip(_metadata, self, args.read_fd,
				  self->base.write_fd);
	} else {
		ASSERT_LE(0, args.write_fd);
		EXPECT_EQ(self->before.writers + 1, st.writers);
		expect_round_trip(_metadata, self, self->base.read_fd,
				  args.write_fd);
	}
	close_ends(&args);
	ASSERT_EQ(0, kipc_pipe_stat(self->base.read_fd, &st));
	EXPECT_EQ(self->before.readers, st.readers);
	EXPECT_EQ(self->before.writers, st.writers);
}

static void sweep_open(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, const char *name,
		       long (*call)(FIXTURE_DATA(fault) *self),
		       unsigned int flags)
{
	struct path p = {
		.name = name,
		.call = call,
		.check = check_open,
	};

	ASSERT_EQ(0, create_base(self, PAGE));
	open_flags = flags;
	sweep(_metadata, self, &p);
}

TEST_F(fault, open_read_end_by_name)
{
	sweep_open(_metadata, self, "open-read-name", call_open_name,
		   KIPC_O_READ);
}

TEST_F(fault, open_write_end_by_name)
{
	sweep_open(_metadata, self, "open-write-name", call_open_name,
		   KIPC_O_WRITE);
}

/* A new pipe of a page is made, then dropped for the existing one. */
TEST_F(fault, open_by_name_with_creat)
{
	sweep_open(_metadata, self, "open-name-creat", call_open_name,
		   KIPC_O_CREAT | KIPC_O_READ);
}

TEST_F(fault, open_write_end_by_id)
{
	sweep_open(_metadata, self, "open-write-id", call_open_id,
		   KIPC_O_WRITE);
}

/* ---- set the capacity ---- */

static long call_set_capacity(FIXTURE_DATA(fault) *self)
{
	/* each round toggles it, so that a success shows */
	return kipc_pipe_set_capacity(self->base.write_fd,
				      self->before.capacity == PAGE ?
				      2 * PAGE : PAGE);
}

static void check_set_capacity(struct __test_metadata *_metadata,
			       FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_pipe_stat st;
	ssize_t n;

	if (ret < 0) {
		/* all or nothing: nothing, the bytes still there */
		expect_base_unchanged(_metadata, self);
	} else {
		ASSERT_EQ(0, kipc_pipe_stat(self->base.read_fd, &st));
		EXPECT_NE(self->before.capacity, st.capacity);
		EXPECT_EQ((uint32_t)ret, st.capacity);
		EXPECT_EQ(self->before.bytes, st.bytes);
	}
	/* the queued bytes come out intact, then a round trip works */
	n = read(self->base.read_fd, rbuf, sizeof(rbuf));
	ASSERT_EQ(100, n);
	EXPECT_EQ(0, memcmp(rbuf, payload, 100));
	expect_round_trip(_metadata, self, self->base.read_fd,
			  self->base.write_fd);
	ASSERT_EQ(100, write(self->base.write_fd, payload, 100));
}

TEST_F(fault, set_capacity)
{
	static const struct path p = {
		.name = "set-capacity",
		.call = call_set_capacity,
		.check = check_set_capacity,
		.vmalloc = true,	/* the ring of two pages */
	};

	ASSERT_EQ(0, create_base(self, PAGE));
	/* wrapped around the ring's end, so that the swap must copy */
	ASSERT_EQ(PAGE - 50, write(self->base.write_fd, payload, PAGE - 50));
	ASSERT_EQ(PAGE - 50, read(self->base.read_fd, rbuf, PAGE - 50));
	ASSERT_EQ(100, write(self->base.write_fd, payload, 100));
	sweep(_metadata, self, &p);
}

static long call_set_mode(FIXTURE_DATA(fault) *self)
{
	struct kipc_pipe_set set = {
		.flags = KIPC_SET_MODE,
		.mode = self->before.mode == 0600 ? 0640 : 0600,
	};

	return kipc_pipe_set(self->base.read_fd, &set);
}

static void check_set_mode(struct __test_metadata *_metadata,
			   FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_pipe_stat st;

	if (ret < 0) {
		expect_base_unchanged(_metadata, self);
		return;
	}
	ASSERT_EQ(0, kipc_pipe_stat(self->base.read_fd, &st));
	EXPECT_NE(self->before.mode, st.mode);
}

TEST_F(fault, set_mode)
{
	static const struct path p = {
		.name = "set-mode",
		.call = call_set_mode,
		.check = check_set_mode,
	};

	ASSERT_EQ(0, create_base(self, PAGE));
	sweep(_metadata, self, &p);
}

/* ---- write and read ---- */

static size_t io_len;

static long call_write(FIXTURE_DATA(fault) *self)
{
	ssize_t n = write(self->base.write_fd, payload, io_len);

	return n < 0 ? -errno : n;
}

static void check_write(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_pipe_stat st;

	if (ret < 0) {
		expect_base_unchanged(_metadata, self);
		expect_round_trip(_metadata, self, self->base.read_fd,
				  self->base.write_fd);
		return;
	}
	ASSERT_EQ((long)io_len, ret);
	ASSERT_EQ(0, kipc_pipe_stat(self->base.read_fd, &st));
	EXPECT_EQ(self->before.bytes + io_len, st.bytes);
	EXPECT_EQ(self->before.bytes_written + io_len, st.bytes_written);
	ASSERT_EQ((ssize_t)io_len, read(self->base.read_fd, rbuf,
					sizeof(rbuf)));
	EXPECT_EQ(0, memcmp(payload, rbuf, io_len));
}

TEST_F(fault, write_small)
{
	static const struct path p = {
		.name = "write-64",
		.call = call_write,
		.check = check_write,
	};

	ASSERT_EQ(0, create_base(self, 2 * PAGE));
	io_len = 64;
	sweep(_metadata, self, &p);
}

TEST_F(fault, write_over_pipe_buf)
{
	static const struct path p = {
		.name = "write-6000",
		.call = call_write,
		.check = check_write,
	};

	ASSERT_EQ(0, create_base(self, 2 * PAGE));
	io_len = 6000;
	sweep(_metadata, self, &p);
}

static const char queued[] = "the queued bytes";

static long call_read(FIXTURE_DATA(fault) *self)
{
	ssize_t n = read(self->base.read_fd, rbuf, sizeof(rbuf));

	return n < 0 ? -errno : n;
}

static void check_read(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_pipe_stat st;

	if (ret < 0) {
		/* the bytes stay, nothing counted */
		expect_base_unchanged(_metadata, self);
		return;
	}
	ASSERT_EQ((long)strlen(queued), ret);
	EXPECT_EQ(0, memcmp(queued, rbuf, ret));
	ASSERT_EQ(0, kipc_pipe_stat(self->base.read_fd, &st));
	EXPECT_EQ(0U, st.bytes);
	EXPECT_EQ(self->before.bytes_read + ret, st.bytes_read);
	ASSERT_EQ((ssize_t)strlen(queued), write(self->base.write_fd, queued,
						 strlen(queued)));
}

TEST_F(fault, read)
{
	static const struct path p = {
		.name = "read",
		.call = call_read,
		.check = check_read,
	};

	ASSERT_EQ(0, create_base(self, PAGE));
	ASSERT_EQ((ssize_t)strlen(queued), write(self->base.write_fd, queued,
						 strlen(queued)));
	sweep(_metadata, self, &p);
}

/* ---- stat and remove ---- */

static long call_stat(FIXTURE_DATA(fault) *self)
{
	static struct kipc_pipe_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	return kt_ioctl(self->base.read_fd, KIPC_IOC_PIPE_STAT, &st) ?:
		(long)(st.id == self->base.id);
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

	ASSERT_EQ(0, create_base(self, PAGE));
	sweep(_metadata, self, &p);
}

static long call_remove(FIXTURE_DATA(fault) *self)
{
	return kipc_pipe_remove(self->sfd, self->name);
}

static void check_remove(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self, long ret)
{
	struct kipc_pipe_stat st;
	int fd;

	if (ret < 0) {
		expect_base_unchanged(_metadata, self);
		fd = kipc_pipe_open(self->sfd, self->name,
				    KIPC_O_READ | KIPC_O_NONBLOCK, 0, 0);
		EXPECT_LE(0, fd);
		if (fd >= 0)
			close(fd);
		return;
	}
	ASSERT_EQ(0, kipc_pipe_stat(self->base.read_fd, &st));
	EXPECT_EQ((uint32_t)KIPC_STAT_REMOVED, st.flags & KIPC_STAT_REMOVED);
	expect_round_trip(_metadata, self, self->base.read_fd,
			  self->base.write_fd);
	EXPECT_EQ(-ENOENT, kipc_pipe_open(self->sfd, self->name,
					  KIPC_O_READ | KIPC_O_NONBLOCK, 0, 0));
	/* a fresh pipe for the next round */
	close_ends(&self->base);
	ASSERT_EQ(0, create_base(self, PAGE));
}

TEST_F(fault, remove)
{
	static const struct path p = {
		.name = "remove",
		.call = call_remove,
		.check = check_remove,
	};

	ASSERT_EQ(0, create_base(self, PAGE));
	sweep(_metadata, self, &p);
}

KT_FAULT_HARNESS_MAIN
