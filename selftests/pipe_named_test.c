// SPDX-License-Identifier: GPL-2.0
/*
 * What kipc pipes do beyond pipe(7) (pipe_test.c has that, for Linux and
 * kipc pipes alike): named pipes and their fifo(7) open semantics, opening
 * by id, argument checks and their errnos, permissions, removal, stat and
 * set, the module's limits and per-user quotas, full-duplex channels
 * (kipc_duplex, kipc_duplex_open) and pipe ioctls on the wrong kind of fd.
 * Every named pipe a test makes is removed in its teardown.
 */
#include "kipc_test.h"

#define PAGE		4096
#define WAIT_MS		10000	/* longest wait for a child to sleep */

FIXTURE(named) {
	int sfd;
	struct kt_names names;	/* pipes, removed in the teardown */
	pid_t child;		/* stopped in the teardown, or 0 */
};

FIXTURE_SETUP(named)
{
	self->child = 0;
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_PIPE, NULL))
		SKIP(return, "the kipc module has no pipes (KIPC_FEAT_PIPE)");
}

/* Remove every pipe name of @ns that still exists. */
static void remove_pipes(int sfd, struct kt_names *ns)
{
	int i;

	for (i = 0; i < ns->n; i++)
		kipc_pipe_remove(sfd, ns->name[i]);
	ns->n = 0;
}

FIXTURE_TEARDOWN(named)
{
	kt_stop(self->child);
	remove_pipes(self->sfd, &self->names);
	close(self->sfd);
}

/* ---- helpers ---- */

static void open_args(struct kipc_pipe_open *o, const char *name,
		      unsigned int flags)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->flags = flags;
	o->name_ptr = (uintptr_t)name;
	o->mode = 0600;
	o->read_fd = -2;
	o->write_fd = -2;
}

static long open_raw(int sfd, struct kipc_pipe_open *o)
{
	return kt_ioctl(sfd, KIPC_IOC_PIPE_OPEN, o);
}

/* Close the fds an open gave. */
static void close_ends(const struct kipc_pipe_open *o)
{
	if (o->read_fd >= 0)
		close(o->read_fd);
	if (o->write_fd >= 0)
		close(o->write_fd);
}

/*
 * A new named pipe (mode @mode), both ends: *@o gets the fds and the id.
 * 0 or -errno.
 */
static long create_both(FIXTURE_DATA(named) *self, const char *name,
			unsigned int mode, struct kipc_pipe_open *o)
{
	open_args(o, name, KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_READ |
		  KIPC_O_WRITE | KIPC_O_NONBLOCK);
	o->mode = mode;
	return open_raw(self->sfd, o);
}

/*
 * A new named pipe of @mode with no end open, that never had a writer
 * (made with a non-blocking read end, closed): its name.
 */
static const char *create_closed(struct __test_metadata *_metadata,
				 FIXTURE_DATA(named) *self, unsigned int mode)
{
	const char *name = kt_names_new(&self->names, "p");
	int fd;

	fd = kipc_pipe_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			    KIPC_O_READ | KIPC_O_NONBLOCK, mode, 0);
	EXPECT_LE(0, fd) TH_LOG("create %s: %s", name, strerror(-fd));
	if (fd >= 0)
		close(fd);
	return name;
}

static ssize_t xwrite(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return n < 0 ? -errno : n;
}

static ssize_t xread(int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

static int pstat(int fd, struct kipc_pipe_stat *st)
{
	memset(st, 0xa5, sizeof(*st));
	return kipc_pipe_stat(fd, st);
}

static long long param(struct __test_metadata *_metadata, const char *name)
{
	unsigned long long val = 0;

	EXPECT_EQ(0, kt_param_read(name, &val)) TH_LOG("parameter %s", name);
	return val;
}

static volatile sig_atomic_t nr_usr1;
static int notify_fd = -1;

static void on_usr1(int sig)
{
	(void)sig;
	nr_usr1++;
	if (notify_fd >= 0)
		write(notify_fd, "s", 1);
}

/* ---- creating and opening ---- */

TEST_F(named, create_both_ends_of_a_named_pipe)
{
	const char *name = kt_names_new(&self->names, "p");
	struct kipc_pipe_open o;
	struct kipc_pipe_stat st;
	char buf[8] = { 0 };

	ASSERT_EQ(0, create_both(self, name, 0600, &o));
	ASSERT_LE(0, o.read_fd);
	ASSERT_LE(0, o.write_fd);
	EXPECT_NE(0U, o.id);
	ASSERT_EQ(3, xwrite(o.write_fd, "abc", 3));
	ASSERT_EQ(3, xread(o.read_fd, buf, sizeof(buf)));
	EXPECT_STREQ("abc", buf);
	ASSERT_EQ(0, pstat(o.read_fd, &st));
	EXPECT_EQ(o.id, st.id);
	EXPECT_STREQ(name, st.name);
	EXPECT_EQ(0U, st.flags);
	EXPECT_EQ(1U, st.readers);
	EXPECT_EQ(1U, st.writers);
	close_ends(&o);
}

TEST_F(named, one_direction_gives_one_fd)
{
	const char *name = create_closed(_metadata, self, 0600);
	struct kipc_pipe_open o;

	open_args(&o, name, KIPC_O_READ | KIPC_O_NONBLOCK);
	ASSERT_EQ(0, open_raw(self->sfd, &o));
	EXPECT_LE(0, o.read_fd);
	EXPECT_EQ(-1, o.write_fd);
	close_ends(&o);
}

TEST_F(named, nonblocking_read_open_succeeds_at_once)
{
	const char *name = create_closed(_metadata, self, 0600);
	struct kipc_pipe_stat st;
	char c;
	int fd;

	fd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			    0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pstat(fd, &st));
	EXPECT_EQ(1U, st.readers);
	EXPECT_EQ(0U, st.writers);
	/* never had a writer: EOF, and no EPOLLHUP yet */
	EXPECT_EQ(0, xread(fd, &c, 1));
	EXPECT_EQ(0, kt_poll(fd, POLLIN, 0));
	close(fd);
}

TEST_F(named, nonblocking_write_open_without_reader_enxio)
{
	const char *name = create_closed(_metadata, self, 0600);
	struct kipc_pipe_open o;
	struct kipc_pipe_stat st;
	int rfd;

	EXPECT_EQ(-ENXIO, kipc_pipe_open(self->sfd, name,
					 KIPC_O_WRITE | KIPC_O_NONBLOCK, 0, 0));
	open_args(&o, name, KIPC_O_WRITE | KIPC_O_NONBLOCK);
	EXPECT_EQ(-ENXIO, open_raw(self->sfd, &o));
	/* with a reader it opens */
	rfd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			     0, 0);
	ASSERT_LE(0, rfd);
	o.read_fd = o.write_fd = -2;
	ASSERT_EQ(0, open_raw(self->sfd, &o));
	ASSERT_LE(0, o.write_fd);
	ASSERT_EQ(0, pstat(rfd, &st));
	EXPECT_EQ(1U, st.readers);
	EXPECT_EQ(1U, st.writers);
	close_ends(&o);
	close(rfd);
}

TEST_F(named, nonblocking_write_only_create_enxio_and_nothing_made)
{
	const char *name = kt_names_new(&self->names, "p");

	/* a new pipe could never have a reader: it is not made */
	EXPECT_EQ(-ENXIO, kipc_pipe_open(self->sfd, name, KIPC_O_CREAT |
					 KIPC_O_EXCL | KIPC_O_WRITE |
					 KIPC_O_NONBLOCK, 0600, 0));
	EXPECT_EQ(-ENOENT, kipc_pipe_open(self->sfd, name,
					  KIPC_O_READ | KIPC_O_NONBLOCK, 0, 0));
	EXPECT_EQ(-ENOENT, kipc_pipe_remove(self->sfd, name));
}

TEST_F(named, blocking_read_open_waits_for_a_writer)
{
	const char *name = create_closed(_metadata, self, 0600);
	char buf[8] = { 0 };
	int wfd;

	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		int fd = kipc_pipe_open(self->sfd, name, KIPC_O_READ, 0, 0);

		if (fd < 0)
			_exit(kt_status(fd));
		if (read(fd, buf, sizeof(buf)) != 2 || memcmp(buf, "hi", 2))
			_exit(KT_CHILD_WRONG);
		_exit(0);
	}
	ASSERT_TRUE(kt_wait_sleeping(self->child, WAIT_MS));
	/* still in the open */
	EXPECT_EQ(0, waitpid(self->child, NULL, WNOHANG));
	wfd = kipc_pipe_open(self->sfd, name, KIPC_O_WRITE, 0, 0);
	ASSERT_LE(0, wfd);
	ASSERT_EQ(2, xwrite(wfd, "hi", 2));
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
	close(wfd);
}

TEST_F(named, blocking_write_open_waits_for_a_reader)
{
	const char *name = create_closed(_metadata, self, 0600);
	char buf[8] = { 0 };
	int rfd;

	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		int fd = kipc_pipe_open(self->sfd, name, KIPC_O_WRITE, 0, 0);

		if (fd < 0)
			_exit(kt_status(fd));
		_exit(write(fd, "yo", 2) == 2 ? 0 : KT_CHILD_WRONG);
	}
	ASSERT_TRUE(kt_wait_sleeping(self->child, WAIT_MS));
	EXPECT_EQ(0, waitpid(self->child, NULL, WNOHANG));
	/* a non-blocking reader is a reader: the writer's open completes */
	rfd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			     0, 0);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(POLLIN, kt_poll(rfd, POLLIN, 20000) & POLLIN);
	ASSERT_EQ(2, xread(rfd, buf, sizeof(buf)));
	EXPECT_STREQ("yo", buf);
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
	close(rfd);
}

/* In a child: open @name with @flags blocking, a SIGUSR1 handler set. */
static int open_with_handler(int sfd, const char *name, unsigned int flags,
			     int sa_flags, int note)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = sa_flags };
	int fd;

	notify_fd = note;
	if (sigaction(SIGUSR1, &sa, NULL))
		return KT_CHILD_SETUP;
	fd = kipc_pipe_open(sfd, name, flags, 0, 0);
	if (fd < 0)
		return kt_status(fd);
	/* SA_RESTART: opened once the partner came, after the signal */
	return nr_usr1 == 1 ? 0 : KT_CHILD_WRONG;
}

TEST_F(named, signal_interrupts_a_read_open_eintr_nothing_counted)
{
	const char *name = create_closed(_metadata, self, 0600);
	struct kipc_pipe_stat st;
	int fd;

	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		_exit(open_with_handler(self->sfd, name, KIPC_O_READ, 0, -1));
	ASSERT_TRUE(kt_wait_sleeping(self->child, WAIT_MS));
	ASSERT_EQ(0, kill(self->child, SIGUSR1));
	EXPECT_EQ(EINTR, kt_reap(self->child));
	self->child = 0;
	/* the interrupted open left no reader behind */
	fd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			    0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pstat(fd, &st));
	EXPECT_EQ(1U, st.readers);
	EXPECT_EQ(0U, st.writers);
	close(fd);
	/* so a non-blocking writer finds none */
	EXPECT_EQ(-ENXIO, kipc_pipe_open(self->sfd, name,
					 KIPC_O_WRITE | KIPC_O_NONBLOCK, 0, 0));
}

TEST_F(named, signal_interrupts_a_write_open_eintr_nothing_counted)
{
	const char *name = create_closed(_metadata, self, 0600);
	struct kipc_pipe_stat st;
	char c;
	int fd;

	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		_exit(open_with_handler(self->sfd, name, KIPC_O_WRITE, 0, -1));
	ASSERT_TRUE(kt_wait_sleeping(self->child, WAIT_MS));
	ASSERT_EQ(0, kill(self->child, SIGUSR1));
	EXPECT_EQ(EINTR, kt_reap(self->child));
	self->child = 0;
	fd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			    0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pstat(fd, &st));
	EXPECT_EQ(1U, st.readers);
	EXPECT_EQ(0U, st.writers);
	/* no writer: EOF */
	EXPECT_EQ(0, xread(fd, &c, 1));
	close(fd);
}

TEST_F(named, open_wait_restarts_with_sa_restart)
{
	const char *name = create_closed(_metadata, self, 0600);
	int note[2], wfd;
	char c;

	ASSERT_EQ(0, pipe2(note, O_CLOEXEC));
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		_exit(open_with_handler(self->sfd, name, KIPC_O_READ,
					SA_RESTART, note[1]));
	close(note[1]);
	ASSERT_TRUE(kt_wait_sleeping(self->child, WAIT_MS));
	ASSERT_EQ(0, kill(self->child, SIGUSR1));
	ASSERT_EQ(1, read(note[0], &c, 1));	/* the handler ran */
	ASSERT_TRUE(kt_wait_sleeping(self->child, WAIT_MS));
	EXPECT_EQ(0, waitpid(self->child, NULL, WNOHANG));
	wfd = kipc_pipe_open(self->sfd, name, KIPC_O_WRITE, 0, 0);
	ASSERT_LE(0, wfd);
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
	close(wfd);
	close(note[0]);
}

TEST_F(named, eof_then_a_new_writer_and_reads_resume)
{
	const char *name = create_closed(_metadata, self, 0600);
	char buf[8];
	int rfd, wfd;

	rfd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			     0, 0);
	ASSERT_LE(0, rfd);
	wfd = kipc_pipe_open(self->sfd, name, KIPC_O_WRITE, 0, 0);
	ASSERT_LE(0, wfd);
	ASSERT_EQ(1, xwrite(wfd, "a", 1));
	close(wfd);
	ASSERT_EQ(1, xread(rfd, buf, sizeof(buf)));
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ(0, xread(rfd, buf, sizeof(buf)));
	EXPECT_EQ(POLLHUP, kt_poll(rfd, POLLIN, 0));
	/* a new writer: no more EOF, reads resume */
	wfd = kipc_pipe_open(self->sfd, name, KIPC_O_WRITE | KIPC_O_NONBLOCK,
			     0, 0);
	ASSERT_LE(0, wfd);
	EXPECT_EQ(0, kt_poll(rfd, POLLIN, 0));
	EXPECT_EQ(-EAGAIN, xread(rfd, buf, sizeof(buf)));
	ASSERT_EQ(1, xwrite(wfd, "b", 1));
	ASSERT_EQ(1, xread(rfd, buf, sizeof(buf)));
	EXPECT_EQ('b', buf[0]);
	close(wfd);
	close(rfd);
}

/*
 * fifo(7): EPOLLHUP is held back only for a read end opened without a
 * writer; one opened while a writer is there reports it once that goes.
 */
TEST_F(named, poll_hup_on_a_read_end_opened_while_a_writer_was_there)
{
	const char *name = create_closed(_metadata, self, 0600);
	int rfd, wfd, r2, r3;

	rfd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			     0, 0);
	ASSERT_LE(0, rfd);
	wfd = kipc_pipe_open(self->sfd, name, KIPC_O_WRITE, 0, 0);
	ASSERT_LE(0, wfd);
	/* a writer is there: neither open waits */
	r2 = kipc_pipe_open(self->sfd, name, KIPC_O_READ, 0, 0);
	ASSERT_LE(0, r2);
	r3 = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			    0, 0);
	ASSERT_LE(0, r3);
	EXPECT_EQ(0, kt_poll(r2, POLLIN, 0));
	EXPECT_EQ(0, kt_poll(r3, POLLIN, 0));
	close(wfd);
	EXPECT_EQ(POLLHUP, kt_poll(rfd, POLLIN, 0));
	EXPECT_EQ(POLLHUP, kt_poll(r2, POLLIN, 0));
	EXPECT_EQ(POLLHUP, kt_poll(r3, POLLIN, 0));
	close(r3);
	close(r2);
	close(rfd);
}

TEST_F(named, open_by_id_reaches_the_same_pipe)
{
	const char *name = kt_names_new(&self->names, "p");
	struct kipc_pipe_open o;
	struct kipc_pipe_stat st;
	char buf[8] = { 0 };
	int fd;

	ASSERT_EQ(0, create_both(self, name, 0600, &o));
	fd = kipc_pipe_open_id(self->sfd, o.id, KIPC_O_WRITE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pstat(fd, &st));
	EXPECT_EQ(o.id, st.id);
	EXPECT_EQ(2U, st.writers);
	ASSERT_EQ(4, xwrite(fd, "byid", 4));
	ASSERT_EQ(4, xread(o.read_fd, buf, sizeof(buf)));
	EXPECT_STREQ("byid", buf);
	close(fd);
	close_ends(&o);
}

TEST_F(named, anonymous_pipe_by_id_while_it_has_fds)
{
	struct kipc_pipe_stat st;
	char buf[8] = { 0 };
	int fds[2], fd;

	ASSERT_EQ(0, kipc_pipe(self->sfd, fds, 0));
	ASSERT_EQ(0, pstat(fds[0], &st));
	EXPECT_EQ((uint32_t)KIPC_STAT_ANONYMOUS, st.flags);
	EXPECT_STREQ("", st.name);
	fd = kipc_pipe_open_id(self->sfd, st.id, KIPC_O_WRITE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(2, xwrite(fd, "id", 2));
	ASSERT_EQ(2, xread(fds[0], buf, sizeof(buf)));
	EXPECT_STREQ("id", buf);
	close(fd);
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(-ENOENT, kipc_pipe_open_id(self->sfd, st.id,
					     KIPC_O_READ | KIPC_O_NONBLOCK));
}

TEST_F(named, create_exclusive_of_an_existing_name_eexist)
{
	const char *name = create_closed(_metadata, self, 0600);
	struct kipc_pipe_open o;

	EXPECT_EQ(-EEXIST, kipc_pipe_open(self->sfd, name,
					  KIPC_O_CREAT | KIPC_O_EXCL |
					  KIPC_O_READ | KIPC_O_NONBLOCK,
					  0600, 0));
	EXPECT_EQ(-EEXIST, create_both(self, name, 0600, &o));
	/* without KIPC_O_EXCL it opens the existing one */
	open_args(&o, name, KIPC_O_CREAT | KIPC_O_READ | KIPC_O_WRITE);
	ASSERT_EQ(0, open_raw(self->sfd, &o));
	close_ends(&o);
}

TEST_F(named, missing_pipe_enoent)
{
	const char *name = kt_names_new(&self->names, "missing");
	struct kipc_pipe_open o;

	EXPECT_EQ(-ENOENT, kipc_pipe_open(self->sfd, name,
					  KIPC_O_READ | KIPC_O_NONBLOCK, 0, 0));
	EXPECT_EQ(-ENOENT, kipc_pipe_open_id(self->sfd, 1ULL << 62,
					     KIPC_O_READ | KIPC_O_NONBLOCK));
	open_args(&o, NULL, KIPC_O_READ | KIPC_O_NONBLOCK);
	o.id = 1ULL << 62;
	EXPECT_EQ(-ENOENT, open_raw(self->sfd, &o));
	EXPECT_EQ(-ENOENT, kipc_pipe_remove(self->sfd, name));
	EXPECT_EQ(-ENOENT, kipc_pipe_remove_id(self->sfd, 1ULL << 62));
}

TEST_F(named, pipes_and_queues_have_separate_names)
{
	const char *name = create_closed(_metadata, self, 0600);

	EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, name, KIPC_O_SEND, 0,
					   NULL, NULL));
	EXPECT_EQ(-ENOENT, kipc_queue_remove(self->sfd, name));
}

TEST_F(named, bad_names_einval_or_enametoolong)
{
	static const char *const bad[] = { "", "a/b", "/", "ctl\x01", "tab\t",
					   "del\x7f" };
	char longname[KIPC_NAME_MAX + 2];
	struct kipc_pipe_open o;
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, kipc_pipe_open(self->sfd, bad[i],
						  KIPC_O_CREAT | KIPC_O_READ |
						  KIPC_O_NONBLOCK, 0600, 0))
			TH_LOG("name %u", i);
		EXPECT_EQ(-EINVAL, kipc_pipe_remove(self->sfd, bad[i]))
			TH_LOG("name %u", i);
	}
	snprintf(longname, sizeof(longname), "kt-%d-", getpid());
	memset(longname + strlen(longname), 'n',
	       KIPC_NAME_MAX + 1 - strlen(longname));
	longname[KIPC_NAME_MAX + 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kipc_pipe_open(self->sfd, longname,
						KIPC_O_CREAT | KIPC_O_READ |
						KIPC_O_NONBLOCK, 0600, 0));
	EXPECT_EQ(-ENAMETOOLONG, kipc_pipe_remove(self->sfd, longname));
	/* KIPC_NAME_MAX itself is fine */
	longname[KIPC_NAME_MAX] = '\0';
	open_args(&o, longname, KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_READ |
		  KIPC_O_NONBLOCK);
	fd = open_raw(self->sfd, &o);
	EXPECT_EQ(0, fd);
	close_ends(&o);
	EXPECT_EQ(0, kipc_pipe_remove(self->sfd, longname));
}

TEST_F(named, open_flags_and_reserved_fields_checked)
{
	const char *name = create_closed(_metadata, self, 0600);
	struct kipc_pipe_open o;
	unsigned int i;

	/* neither direction */
	open_args(&o, name, KIPC_O_NONBLOCK);
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, &o));
	open_args(&o, NULL, KIPC_O_CREAT);
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, &o));
	EXPECT_EQ(-EINVAL, kipc_pipe_open(self->sfd, name, KIPC_O_NONBLOCK,
					  0, 0));
	/* unknown flags, and the mailbox-only ones */
	open_args(&o, name, KIPC_O_READ | KIPC_O_NONBLOCK | (1U << 20));
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, &o));
	open_args(&o, name, KIPC_O_READ | KIPC_O_NONBLOCK | KIPC_O_OWNED);
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, &o));
	/* reserved fields */
	for (i = 0; i < ARRAY_SIZE(o.reserved); i++) {
		open_args(&o, name, KIPC_O_READ | KIPC_O_NONBLOCK);
		o.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, open_raw(self->sfd, &o)) TH_LOG("%u", i);
	}
}

TEST_F(named, open_struct_size_checked)
{
	const char *name = create_closed(_metadata, self, 0600);
	struct {
		struct kipc_pipe_open o;
		uint64_t tail[2];
	} big;

	open_args(&big.o, name, KIPC_O_READ | KIPC_O_NONBLOCK);
	big.o.size = KIPC_PIPE_OPEN_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, &big.o));
	big.o.size = 0;
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, &big.o));
	big.o.size = sizeof(big);
	big.tail[0] = 0;
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, open_raw(self->sfd, &big.o));
	big.o.size = 4097;
	EXPECT_EQ(-E2BIG, open_raw(self->sfd, &big.o));
	/* a zero tail is fine */
	big.tail[1] = 0;
	big.o.size = sizeof(big);
	ASSERT_EQ(0, open_raw(self->sfd, &big.o));
	EXPECT_LE(0, big.o.read_fd);
	close_ends(&big.o);
	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_PIPE_OPEN, NULL));
}

TEST_F(named, stat_and_set_struct_sizes_checked)
{
	struct kipc_pipe_stat st, before;
	struct kipc_pipe_set set;
	struct {
		struct kipc_pipe_stat st;
		uint64_t tail[4];
	} big;
	int fds[2];
	unsigned int i;

	ASSERT_EQ(0, kipc_pipe(self->sfd, fds, KIPC_O_NONBLOCK));
	ASSERT_EQ(0, pstat(fds[0], &before));
	memset(&st, 0, sizeof(st));
	st.size = KIPC_PIPE_STAT_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_IOC_PIPE_STAT, &st));
	/* a larger struct: the tail is zeroed */
	memset(&big, 0xa5, sizeof(big));
	big.st.size = sizeof(big);
	ASSERT_EQ(0, kt_ioctl(fds[0], KIPC_IOC_PIPE_STAT, &big));
	for (i = 0; i < ARRAY_SIZE(big.tail); i++)
		EXPECT_EQ(0U, big.tail[i]);
	for (i = 0; i < ARRAY_SIZE(big.st.reserved); i++)
		EXPECT_EQ(0U, big.st.reserved[i]);
	EXPECT_EQ(-EFAULT, kt_ioctl(fds[0], KIPC_IOC_PIPE_STAT, NULL));

	memset(&set, 0, sizeof(set));
	set.size = KIPC_PIPE_SET_SIZE_VER0 - 1;
	set.flags = KIPC_SET_CAPACITY;
	set.capacity = 2 * PAGE;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_IOC_PIPE_SET, &set));
	set.size = sizeof(set);
	set.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_IOC_PIPE_SET, &set));
	set.reserved[1] = 0;
	/* a queue's flag */
	set.flags = KIPC_SET_CAPACITY | KIPC_SET_MAX_MSGS;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_IOC_PIPE_SET, &set));
	set.flags = KIPC_SET_CAPACITY | (1U << 20);
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_IOC_PIPE_SET, &set));
	set.flags = KIPC_SET_MODE;
	set.mode = 01600;
	EXPECT_EQ(-EINVAL, kt_ioctl(fds[0], KIPC_IOC_PIPE_SET, &set));
	/* none of it applied */
	ASSERT_EQ(0, pstat(fds[0], &st));
	EXPECT_EQ(before.capacity, st.capacity);
	EXPECT_EQ(before.mode, st.mode);
	close(fds[0]);
	close(fds[1]);
}

/* ---- stat ---- */

TEST_F(named, stat_reports_every_field)
{
	const char *name = kt_names_new(&self->names, "p");
	uint64_t before = kt_real_ns(), after;
	struct kipc_pipe_open o;
	struct kipc_pipe_stat st;
	char buf[100];
	int fd;

	open_args(&o, name, KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_READ |
		  KIPC_O_WRITE | KIPC_O_NONBLOCK);
	o.mode = 0640;
	o.capacity = 2 * PAGE + 1;	/* rounded up to a page */
	ASSERT_EQ(0, open_raw(self->sfd, &o));
	after = kt_real_ns();
	ASSERT_EQ(100, xwrite(o.write_fd, buf, 100));
	ASSERT_EQ(30, xread(o.read_fd, buf, 30));
	fd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			    0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pstat(o.write_fd, &st));
	EXPECT_EQ(sizeof(st), st.size);
	EXPECT_EQ(0U, st.flags);
	EXPECT_EQ(o.id, st.id);
	EXPECT_EQ(0640U, st.mode);
	EXPECT_EQ(geteuid(), st.uid);
	EXPECT_EQ(getegid(), st.gid);
	EXPECT_EQ(geteuid(), st.cuid);
	EXPECT_EQ(getegid(), st.cgid);
	EXPECT_EQ(getpid(), st.creator_pid);
	EXPECT_EQ(3U * PAGE, st.capacity);
	EXPECT_EQ((uint32_t)KIPC_PIPE_ATOMIC, st.atomic_size);
	EXPECT_EQ(70U, st.bytes);
	EXPECT_EQ(2U, st.readers);
	EXPECT_EQ(1U, st.writers);
	EXPECT_EQ(100U, st.bytes_written);
	EXPECT_EQ(30U, st.bytes_read);
	EXPECT_LE(before, st.create_time_ns);
	EXPECT_GE(after, st.create_time_ns);
	EXPECT_STREQ(name, st.name);
	EXPECT_EQ(0U, st.reserved[0] | st.reserved[1] | st.reserved[2] |
		  st.reserved[3]);
	close(fd);
	close(o.read_fd);
	ASSERT_EQ(0, pstat(o.write_fd, &st));
	EXPECT_EQ(0U, st.readers);
	close(o.write_fd);
}

TEST_F(named, stat_of_an_anonymous_pair)
{
	struct kipc_pipe_stat st;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(self->sfd, fds, 0));
	ASSERT_EQ(0, pstat(fds[1], &st));
	EXPECT_EQ((uint32_t)KIPC_STAT_ANONYMOUS, st.flags);
	EXPECT_STREQ("", st.name);
	EXPECT_EQ(1U, st.readers);
	EXPECT_EQ(1U, st.writers);
	EXPECT_EQ(0U, st.bytes);
	EXPECT_EQ((uint32_t)param(_metadata, "pipe_size_default"),
		  st.capacity);
	EXPECT_EQ(getpid(), st.creator_pid);
	/* libkipc gives its creator (only) the right to reopen it by id */
	EXPECT_EQ(0600U, st.mode);
	close(fds[0]);
	close(fds[1]);
}

/* ---- remove ---- */

TEST_F(named, remove_while_open_ends_keep_working)
{
	const char *name = kt_names_new(&self->names, "p");
	struct kipc_pipe_open o, o2;
	struct kipc_pipe_stat st;
	char buf[8] = { 0 };

	ASSERT_EQ(0, create_both(self, name, 0600, &o));
	ASSERT_EQ(0, kipc_pipe_remove(self->sfd, name));
	EXPECT_EQ(-ENOENT, kipc_pipe_open(self->sfd, name,
					  KIPC_O_READ | KIPC_O_NONBLOCK, 0, 0));
	EXPECT_EQ(-ENOENT, kipc_pipe_remove(self->sfd, name));
	ASSERT_EQ(4, xwrite(o.write_fd, "kept", 4));
	ASSERT_EQ(4, xread(o.read_fd, buf, sizeof(buf)));
	EXPECT_STREQ("kept", buf);
	ASSERT_EQ(0, pstat(o.read_fd, &st));
	EXPECT_EQ((uint32_t)KIPC_STAT_REMOVED,
		  st.flags & KIPC_STAT_REMOVED);
	/* the name is free for a new pipe, a different one */
	ASSERT_EQ(0, create_both(self, name, 0600, &o2));
	EXPECT_NE(o.id, o2.id);
	ASSERT_EQ(1, xwrite(o2.write_fd, "n", 1));
	EXPECT_EQ(-EAGAIN, xread(o.read_fd, buf, sizeof(buf)));
	close_ends(&o2);
	close_ends(&o);
}

TEST_F(named, remove_by_id)
{
	const char *name = kt_names_new(&self->names, "p");
	struct kipc_pipe_open o;
	struct kipc_pipe_stat st;

	ASSERT_EQ(0, create_both(self, name, 0600, &o));
	ASSERT_EQ(0, kipc_pipe_remove_id(self->sfd, o.id));
	ASSERT_EQ(0, pstat(o.read_fd, &st));
	EXPECT_EQ((uint32_t)KIPC_STAT_REMOVED, st.flags & KIPC_STAT_REMOVED);
	EXPECT_EQ(-ENOENT, kipc_pipe_open(self->sfd, name,
					  KIPC_O_READ | KIPC_O_NONBLOCK, 0, 0));
	close_ends(&o);
}

TEST_F(named, remove_args_checked)
{
	const char *name = create_closed(_metadata, self, 0600);
	struct kipc_queue_remove r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.name_ptr = (uintptr_t)name;
	r.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_PIPE_REMOVE, &r));
	r.flags = 0;
	r.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_PIPE_REMOVE, &r));
	r.reserved[0] = 0;
	r.size = KIPC_QUEUE_REMOVE_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_PIPE_REMOVE, &r));
	/* still there */
	r.size = sizeof(r);
	EXPECT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_PIPE_REMOVE, &r));
}

/* ---- permissions ---- */

struct perm {
	int sfd;
	const char *name;
	int fd;		/* a root-opened end, inherited */
	long res[8];
};

static int nobody_steps(void *arg)
{
	struct perm *p = arg;
	struct kipc_pipe_set set = { .flags = KIPC_SET_MODE, .mode = 0666 };
	int fd;

	fd = kipc_pipe_open(p->sfd, p->name, KIPC_O_READ | KIPC_O_NONBLOCK,
			    0, 0);
	p->res[0] = fd;
	if (fd >= 0)
		close(fd);
	p->res[1] = kipc_pipe_remove(p->sfd, p->name);
	p->res[2] = kipc_pipe_set(p->fd, &set);
	set.flags = KIPC_SET_UID;
	set.uid = KT_NOBODY;
	p->res[3] = kipc_pipe_set(p->fd, &set);
	p->res[4] = kipc_pipe_set_capacity(p->fd, 3 * PAGE);
	/* mode 0602 lets others write: there is a reader (p->fd) */
	fd = kipc_pipe_open(p->sfd, p->name, KIPC_O_WRITE | KIPC_O_NONBLOCK,
			    0, 0);
	p->res[5] = fd < 0 ? fd : xwrite(fd, "w", 1);
	if (fd >= 0)
		close(fd);
	return 0;
}

TEST_F(named, permissions_as_nobody)
{
	const char *name = create_closed(_metadata, self, 0602);
	struct kipc_pipe_stat st;
	struct perm *p;
	char c;

	if (geteuid() != 0)
		SKIP(return, "needs root");
	p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	p->sfd = self->sfd;
	p->name = name;
	p->fd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			       0, 0);
	ASSERT_LE(0, p->fd);
	ASSERT_EQ(0, kt_run_as_nobody(nobody_steps, p));
	EXPECT_EQ(-EACCES, p->res[0]);
	EXPECT_EQ(-EPERM, p->res[1]);
	EXPECT_EQ(-EPERM, p->res[2]);
	EXPECT_EQ(-EPERM, p->res[3]);
	EXPECT_EQ(3 * PAGE, p->res[4]);
	EXPECT_EQ(1, p->res[5]);
	ASSERT_EQ(0, pstat(p->fd, &st));
	EXPECT_EQ(0602U, st.mode);
	EXPECT_EQ(0U, st.uid);
	EXPECT_EQ(3U * PAGE, st.capacity);
	EXPECT_STREQ(name, st.name);
	EXPECT_EQ(0U, st.flags & KIPC_STAT_REMOVED);
	ASSERT_EQ(1, xread(p->fd, &c, 1));
	EXPECT_EQ('w', c);
	close(p->fd);
	munmap(p, sizeof(*p));
}

TEST_F(named, owner_sets_mode_uid_gid)
{
	const char *name = kt_names_new(&self->names, "p");
	struct kipc_pipe_set set = { 0 };
	struct kipc_pipe_open o;
	struct kipc_pipe_stat st;

	ASSERT_EQ(0, create_both(self, name, 0600, &o));
	set.flags = KIPC_SET_MODE;
	set.mode = 0644;
	ASSERT_EQ(0, kipc_pipe_set(o.read_fd, &set));
	ASSERT_EQ(0, pstat(o.write_fd, &st));
	EXPECT_EQ(0644U, st.mode);
	set.flags = KIPC_SET_UID | KIPC_SET_GID | KIPC_SET_CAPACITY;
	set.uid = 1234;
	set.gid = 5678;
	set.capacity = 3 * PAGE;
	ASSERT_EQ(0, kipc_pipe_set(o.write_fd, &set));
	ASSERT_EQ(0, pstat(o.read_fd, &st));
	EXPECT_EQ(1234U, st.uid);
	EXPECT_EQ(5678U, st.gid);
	EXPECT_EQ(0644U, st.mode);
	EXPECT_EQ(3U * PAGE, st.capacity);
	/* the creator is kept */
	EXPECT_EQ(geteuid(), st.cuid);
	close_ends(&o);
}

/* ---- limits and quotas ---- */

TEST_F(named, capacity_over_pipe_size_max_einval)
{
	long long max = param(_metadata, "pipe_size_max");
	const char *name = kt_names_new(&self->names, "p");
	struct kipc_pipe_open o;
	struct kipc_pipe_stat st;
	int fds[2];

	ASSERT_LT(0, max);
	/* at creation */
	open_args(&o, name, KIPC_O_CREAT | KIPC_O_READ | KIPC_O_WRITE);
	o.capacity = max + 1;
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, &o));
	EXPECT_EQ(-ENOENT, kipc_pipe_open(self->sfd, name,
					  KIPC_O_READ | KIPC_O_NONBLOCK, 0, 0));
	/* by set, for root too */
	ASSERT_EQ(0, kipc_pipe(self->sfd, fds, 0));
	EXPECT_EQ(-EINVAL, kipc_pipe_set_capacity(fds[0], max + 1));
	EXPECT_EQ(-EINVAL, kipc_pipe_set_capacity(fds[0], 0));
	EXPECT_EQ(max, kipc_pipe_set_capacity(fds[0], max));
	ASSERT_EQ(0, pstat(fds[1], &st));
	EXPECT_EQ(max, st.capacity);
	close(fds[0]);
	close(fds[1]);
}

TEST_F(named, lowered_pipe_size_max_applies_at_once)
{
	long long max = param(_metadata, "pipe_size_max");
	int fds[2];

	if (geteuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, kipc_pipe(self->sfd, fds, 0));
	ASSERT_EQ(0, kt_param_write("pipe_size_max", 8 * PAGE));
	EXPECT_EQ(-EINVAL, kipc_pipe_set_capacity(fds[0], 9 * PAGE));
	EXPECT_EQ(8 * PAGE, kipc_pipe_set_capacity(fds[0], 8 * PAGE));
	EXPECT_EQ(0, kt_param_write("pipe_size_max", max));
	close(fds[0]);
	close(fds[1]);
}

/*
 * A pipe_size_max above what one ring can be (2 GiB less a page): larger
 * capacities are refused with -EINVAL, not by a warning of the allocator.
 */
TEST_F(named, capacity_over_2_gib_einval_whatever_pipe_size_max)
{
	long long max = param(_metadata, "pipe_size_max");
	const char *name = kt_names_new(&self->names, "p");
	struct kipc_pipe_open o;
	int fds[2];

	if (geteuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, kipc_pipe(self->sfd, fds, 0));
	ASSERT_EQ(0, kt_param_write("pipe_size_max", 0xfffff000ULL));
	EXPECT_EQ(-EINVAL, kipc_pipe_set_capacity(fds[0], 0x80000000U));
	EXPECT_EQ(-EINVAL, kipc_pipe_set_capacity(fds[0], 0xfffff000U));
	open_args(&o, name, KIPC_O_CREAT | KIPC_O_READ | KIPC_O_WRITE);
	o.capacity = 0x80000000U;
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, &o));
	EXPECT_EQ(0, kt_param_write("pipe_size_max", max));
	EXPECT_EQ(PAGE, kipc_pipe_set_capacity(fds[0], 1));
	close(fds[0]);
	close(fds[1]);
}

/* What a quota child does: create, close, remove, set; the results. */
#define QUOTA_STEPS	8

enum quota_op { Q_CREATE, Q_ANON, Q_REMOVE, Q_GROW };

struct quota {
	int sfd;
	int n;
	struct {
		enum quota_op op;
		const char *name;
		uint32_t capacity;
	} step[QUOTA_STEPS];
	long res[QUOTA_STEPS];
};

static int quota_steps(void *arg)
{
	struct quota *q = arg;
	int i, fd = -1, fds[2];

	for (i = 0; i < q->n; i++) {
		switch (q->step[i].op) {
		case Q_CREATE:
			q->res[i] = kipc_pipe_open(q->sfd, q->step[i].name,
						   KIPC_O_CREAT | KIPC_O_EXCL |
						   KIPC_O_READ |
						   KIPC_O_NONBLOCK, 0600,
						   q->step[i].capacity);
			if (q->res[i] >= 0) {
				if (fd >= 0)
					close(fd);
				fd = q->res[i];
				q->res[i] = 0;
			}
			break;
		case Q_ANON:
			q->res[i] = kipc_pipe(q->sfd, fds, 0);
			if (!q->res[i]) {
				close(fds[0]);
				close(fds[1]);
			}
			break;
		case Q_REMOVE:
			q->res[i] = kipc_pipe_remove(q->sfd, q->step[i].name);
			break;
		case Q_GROW:	/* the last pipe made */
			q->res[i] = kipc_pipe_set_capacity(fd,
							   q->step[i].capacity);
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static struct quota *quota_new(FIXTURE_DATA(named) *self)
{
	struct quota *q = mmap(NULL, sizeof(*q), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int i;

	if (q == MAP_FAILED)
		return NULL;
	memset(q, 0, sizeof(*q));
	q->sfd = self->sfd;
	for (i = 0; i < QUOTA_STEPS; i++)
		q->res[i] = 1;
	return q;
}

static void quota_add(FIXTURE_DATA(named) *self, struct quota *q,
		      enum quota_op op, const char *name, uint32_t capacity)
{
	q->step[q->n].op = op;
	q->step[q->n].name = op == Q_CREATE ?
		kt_names_new(&self->names, "q") : name;
	q->step[q->n].capacity = capacity;
	q->n++;
}

/* Run @q as nobody with @param lowered to @val, then restore it. */
static void quota_run(struct __test_metadata *_metadata, struct quota *q,
		      const char *param_name, unsigned long long val)
{
	unsigned long long saved;

	ASSERT_EQ(0, kt_param_read(param_name, &saved));
	ASSERT_EQ(0, kt_param_write(param_name, val));
	EXPECT_EQ(0, kt_run_as_nobody(quota_steps, q));
	ASSERT_EQ(0, kt_param_write(param_name, saved));
}

TEST_F(named, pipes_per_user_edquot)
{
	struct quota *q;

	if (geteuid() != 0)
		SKIP(return, "needs root");
	q = quota_new(self);
	ASSERT_NE(NULL, q);
	quota_add(self, q, Q_CREATE, NULL, PAGE);
	quota_add(self, q, Q_CREATE, NULL, PAGE);
	quota_add(self, q, Q_CREATE, NULL, PAGE);	/* over */
	quota_add(self, q, Q_ANON, NULL, 0);		/* over */
	quota_add(self, q, Q_REMOVE, q->step[0].name, 0);
	quota_add(self, q, Q_ANON, NULL, 0);		/* fits again */
	q->step[q->n] = q->step[2];			/* the third again */
	q->n++;
	quota_run(_metadata, q, "pipes_per_user", 2);
	EXPECT_EQ(0, q->res[0]);
	EXPECT_EQ(0, q->res[1]);
	EXPECT_EQ(-EDQUOT, q->res[2]);
	EXPECT_EQ(-EDQUOT, q->res[3]);
	EXPECT_EQ(0, q->res[4]);
	EXPECT_EQ(0, q->res[5]);
	EXPECT_EQ(0, q->res[6]);
	munmap(q, sizeof(*q));
}

TEST_F(named, bytes_per_user_edquot)
{
	struct quota *q;

	if (geteuid() != 0)
		SKIP(return, "needs root");
	q = quota_new(self);
	ASSERT_NE(NULL, q);
	quota_add(self, q, Q_CREATE, NULL, 2 * PAGE);
	quota_add(self, q, Q_CREATE, NULL, 2 * PAGE);	/* over */
	quota_add(self, q, Q_CREATE, NULL, PAGE);
	quota_add(self, q, Q_GROW, NULL, 2 * PAGE);	/* over */
	quota_add(self, q, Q_GROW, NULL, PAGE);		/* same: fine */
	quota_add(self, q, Q_REMOVE, q->step[0].name, 0);
	quota_add(self, q, Q_GROW, NULL, 3 * PAGE);	/* fits now */
	quota_run(_metadata, q, "bytes_per_user", 3 * PAGE);
	EXPECT_EQ(0, q->res[0]);
	EXPECT_EQ(-EDQUOT, q->res[1]);
	EXPECT_EQ(0, q->res[2]);
	EXPECT_EQ(-EDQUOT, q->res[3]);
	EXPECT_EQ(PAGE, q->res[4]);
	EXPECT_EQ(0, q->res[5]);
	EXPECT_EQ(3 * PAGE, q->res[6]);
	munmap(q, sizeof(*q));
}

/* ---- full-duplex channels ---- */

#define ROUND_TRIPS	300

/* Answer each number with 3n + 1 until EOF; 0 or KT_CHILD_WRONG. */
static int duplex_echo(struct kipc_duplex *end)
{
	uint32_t v, n;

	for (n = 0;; n++) {
		ssize_t r = read(end->rfd, &v, sizeof(v));

		if (r == 0)
			return n == ROUND_TRIPS ? 0 : KT_CHILD_WRONG;
		if (r != sizeof(v) || v != n)
			return KT_CHILD_WRONG;
		v = 3 * v + 1;
		if (write(end->wfd, &v, sizeof(v)) != sizeof(v))
			return KT_CHILD_WRONG;
	}
}

static void duplex_ping(struct __test_metadata *_metadata,
			struct kipc_duplex *end)
{
	uint32_t i, v;

	for (i = 0; i < ROUND_TRIPS; i++) {
		ASSERT_EQ((ssize_t)sizeof(i), xwrite(end->wfd, &i, sizeof(i)));
		ASSERT_EQ((ssize_t)sizeof(v), xread(end->rfd, &v, sizeof(v)));
		ASSERT_EQ(3 * i + 1, v);
	}
}

TEST_F(named, duplex_between_parent_and_child)
{
	struct kipc_duplex ends[2];
	uint32_t v;

	ASSERT_EQ(0, kipc_duplex(self->sfd, 0, ends));
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		kipc_duplex_close(&ends[0]);
		_exit(duplex_echo(&ends[1]));
	}
	kipc_duplex_close(&ends[1]);
	duplex_ping(_metadata, &ends[0]);
	/* our write side closes: the child sees EOF and exits */
	close(ends[0].wfd);
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
	/* and its write side is gone with it */
	EXPECT_EQ(0, xread(ends[0].rfd, &v, sizeof(v)));
	close(ends[0].rfd);
}

TEST_F(named, duplex_flags_apply_to_all_four_fds)
{
	struct kipc_duplex ends[2];
	int i, fd;

	ASSERT_EQ(0, kipc_duplex(self->sfd, KIPC_O_NONBLOCK | KIPC_O_CLOEXEC,
				 ends));
	for (i = 0; i < 4; i++) {
		fd = i & 1 ? ends[i / 2].wfd : ends[i / 2].rfd;
		EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
		EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	}
	EXPECT_EQ(-EAGAIN, xread(ends[0].rfd, &i, sizeof(i)));
	EXPECT_EQ(0, kipc_duplex_close(&ends[0]));
	EXPECT_EQ(0, kipc_duplex_close(&ends[1]));
}

TEST_F(named, duplex_open_by_name_from_two_processes)
{
	char name[32];
	struct kipc_duplex end;

	/* the pipes the channel is made of, removed in the teardown */
	snprintf(name, sizeof(name), "kt-%d-duplex", getpid());
	snprintf(self->names.name[self->names.n++], KT_NAME_LEN, "%s.0", name);
	snprintf(self->names.name[self->names.n++], KT_NAME_LEN, "%s.1", name);
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		/* as another program would: a session of its own */
		int s = kipc_open(O_CLOEXEC);

		kt_close_fds_except(s);
		if (s < 0 || kipc_duplex_open(s, name, 1, 0, 0600, &end))
			_exit(KT_CHILD_SETUP);
		_exit(duplex_echo(&end));
	}
	ASSERT_EQ(0, kipc_duplex_open(self->sfd, name, 0, 0, 0600, &end));
	duplex_ping(_metadata, &end);
	EXPECT_EQ(0, kipc_duplex_close(&end));
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
}

/* ---- the wrong kind of fd ---- */

TEST_F(named, pipe_and_queue_ioctls_on_the_wrong_fd_enotty)
{
	struct kipc_pipe_stat pst;
	struct kipc_send send;
	int fds[2], other[2], qfd, n = -1;

	ASSERT_EQ(0, kipc_pipe(self->sfd, fds, KIPC_O_NONBLOCK));
	qfd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND |
			      KIPC_O_RECV, 0600, NULL, NULL);
	ASSERT_LE(0, qfd);
	memset(&pst, 0, sizeof(pst));
	pst.size = sizeof(pst);
	EXPECT_EQ(-ENOTTY, kt_ioctl(qfd, KIPC_IOC_PIPE_STAT, &pst));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->sfd, KIPC_IOC_PIPE_STAT, &pst));
	kt_send_args(&send, "x", 1, 0);
	send.flags = KIPC_MSG_NONBLOCK;
	EXPECT_EQ(-ENOTTY, kt_ioctl(fds[1], KIPC_IOC_QUEUE_SEND, &send));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fds[0], KIPC_IOC_QUEUE_SEND, &send));
	EXPECT_EQ(0, ioctl(fds[0], FIONREAD, &n) ? -errno : n);
	/* a pipe fd is no session either */
	EXPECT_EQ(-ENOTTY, kipc_pipe(fds[0], other, 0));
	close(qfd);
	close(fds[0]);
	close(fds[1]);
}

KT_HARNESS_MAIN
