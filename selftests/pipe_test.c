// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes as pipe(7) describes them, written once and run twice: against
 * Linux's own pipe2(2) (variant "linux", which needs no module) and
 * against kipc pipes (variant "kipc", skipped without /dev/kipc or
 * KIPC_FEAT_PIPE).  Each variant is a row of ops: make a pair, get and
 * set the capacity, the maximum capacity, and the few results where the
 * two legitimately differ (struct pipe_ops, "differences").  Every
 * behaviour check is the same for both.
 *
 * Covered: read/write, partial reads, O_NONBLOCK (at creation and by
 * fcntl), EOF once every writer is gone (a forked child's copy too),
 * EPIPE with SIGPIPE (default, handled, ignored), blocked readers and
 * writers woken by the other side's last close, PIPE_BUF atomicity with
 * concurrent writers, partial non-blocking writes, EAGAIN for an atomic
 * write that does not fit, a large blocking write against a draining
 * reader, poll and epoll flags, FIONREAD, capacities (default, rounding,
 * -EBUSY, the maximum), readv/writev, O_CLOEXEC, fork, fd passing over a
 * UNIX socket, EINTR and SA_RESTART; and a byte-stream integrity test
 * with several writers of random chunks (KIPC_PIPE_SEED repeats a run).
 */
#include <limits.h>
#include <sys/uio.h>

#include "kipc_test.h"

#define PAGE		4096
#define PIPE_ATOMIC	4096	/* PIPE_BUF and KIPC_PIPE_ATOMIC */
#define DEFAULT_CAP	65536

_Static_assert(PIPE_ATOMIC == PIPE_BUF, "PIPE_BUF");
_Static_assert(PIPE_ATOMIC == KIPC_PIPE_ATOMIC, "KIPC_PIPE_ATOMIC");

/* ---- the two kinds of pipe ---- */

/**
 * struct pipe_ops - one kind of pipe
 * @make:	a pair like pipe2(): fds[0] reads, fds[1] writes; 0 or -errno
 * @get_cap:	the capacity of the pipe of @fd, or -errno
 * @set_cap:	set it to at least @bytes; the new capacity or -errno
 * @max_cap:	the largest capacity an unprivileged process may set
 *
 * Differences (the only ones):
 * @over_max_errno: an unprivileged capacity over @max_cap: Linux EPERM
 *		(pipe-max-size, needs CAP_SYS_RESOURCE), kipc EINVAL (the
 *		module's pipe_size_max, for everyone)
 * @cap_zero:	setting capacity 0: Linux rounds it up to a page, kipc
 *		refuses it (-EINVAL)
 */
struct pipe_ops {
	int (*make)(int sfd, int fds[2], bool nonblock, bool cloexec);
	long (*get_cap)(int fd);
	long (*set_cap)(int fd, unsigned int bytes);
	int (*max_cap)(unsigned long long *max);
	bool kipc;
	int over_max_errno;
	long cap_zero;
};

static int linux_make(int sfd, int fds[2], bool nonblock, bool cloexec)
{
	(void)sfd;
	return pipe2(fds, (nonblock ? O_NONBLOCK : 0) |
		     (cloexec ? O_CLOEXEC : 0)) ? -errno : 0;
}

static long linux_get_cap(int fd)
{
	long ret = fcntl(fd, F_GETPIPE_SZ);

	return ret < 0 ? -errno : ret;
}

static long linux_set_cap(int fd, unsigned int bytes)
{
	long ret = fcntl(fd, F_SETPIPE_SZ, bytes);

	return ret < 0 ? -errno : ret;
}

static int linux_max_cap(unsigned long long *max)
{
	return kt_file_read_ull("/proc/sys/fs/pipe-max-size", max);
}

static int kipc_make(int sfd, int fds[2], bool nonblock, bool cloexec)
{
	return kipc_pipe(sfd, fds, (nonblock ? KIPC_O_NONBLOCK : 0) |
			 (cloexec ? KIPC_O_CLOEXEC : 0));
}

static long kipc_get_cap(int fd)
{
	struct kipc_pipe_stat st;
	int ret = kipc_pipe_stat(fd, &st);

	return ret < 0 ? ret : (long)st.capacity;
}

static long kipc_set_cap(int fd, unsigned int bytes)
{
	return kipc_pipe_set_capacity(fd, bytes);
}

static int kipc_max_cap(unsigned long long *max)
{
	return kt_param_read("pipe_size_max", max);
}

static const struct pipe_ops linux_ops = {
	.make = linux_make,
	.get_cap = linux_get_cap,
	.set_cap = linux_set_cap,
	.max_cap = linux_max_cap,
	.over_max_errno = EPERM,
	.cap_zero = PAGE,
};

static const struct pipe_ops kipc_ops = {
	.make = kipc_make,
	.get_cap = kipc_get_cap,
	.set_cap = kipc_set_cap,
	.max_cap = kipc_max_cap,
	.kipc = true,
	.over_max_errno = EINVAL,
	.cap_zero = -EINVAL,
};

FIXTURE(pipe) {
	int sfd;		/* kipc session, -1 for Linux pipes */
	int fds[2];		/* the pair made by make_pair() */
	pid_t child;		/* a child to stop in the teardown, or 0 */
};

FIXTURE_VARIANT(pipe) {
	const struct pipe_ops *ops;
};

FIXTURE_VARIANT_ADD(pipe, linux) {
	.ops = &linux_ops,
};

FIXTURE_VARIANT_ADD(pipe, kipc) {
	.ops = &kipc_ops,
};

FIXTURE_SETUP(pipe)
{
	uint64_t missing = 0;

	self->sfd = -1;
	self->fds[0] = self->fds[1] = -1;
	self->child = 0;
	if (!variant->ops->kipc)
		return;
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_PIPE, &missing))
		SKIP(return, "the kipc module has no pipes (KIPC_FEAT_PIPE)");
}

FIXTURE_TEARDOWN(pipe)
{
	kt_stop(self->child);
	if (self->fds[0] >= 0)
		close(self->fds[0]);
	if (self->fds[1] >= 0)
		close(self->fds[1]);
	if (self->sfd >= 0)
		close(self->sfd);
}

/* Make self->fds, blocking or not, with or without O_CLOEXEC. */
#define MAKE_PAIR(nonblock, cloexec)					\
	ASSERT_EQ(0, variant->ops->make(self->sfd, self->fds, (nonblock), \
					(cloexec)))

/* close(2) an end of self->fds and forget it. */
static void close_end(FIXTURE_DATA(pipe) *self, int end)
{
	close(self->fds[end]);
	self->fds[end] = -1;
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

static int fionread(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) ? -errno : n;
}

static int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) ? -errno : 0;
}

/* Write @len bytes of @c (non-blocking fd): the count written or -errno. */
static ssize_t fill(int fd, char c, size_t len)
{
	static char buf[1 << 20];

	if (len > sizeof(buf))
		abort();
	memset(buf, c, len);
	return xwrite(fd, buf, len);
}

/* Write until EAGAIN (non-blocking fd): the bytes written, or -errno. */
static long fill_up(int fd)
{
	static const char buf[PAGE];
	long total = 0;
	ssize_t n;

	for (;;) {
		n = xwrite(fd, buf, sizeof(buf));
		if (n == -EAGAIN) {
			n = xwrite(fd, buf, 1);
			if (n == -EAGAIN)
				return total;
		}
		if (n < 0)
			return n;
		total += n;
	}
}

/* How child @pid ended: its exit status, or 1000 + the killing signal. */
static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* ---- read and write ---- */

TEST_F(pipe, write_then_read_gives_the_bytes)
{
	char buf[16] = { 0 };

	MAKE_PAIR(false, false);
	ASSERT_EQ(5, xwrite(self->fds[1], "hello", 5));
	ASSERT_EQ(5, xread(self->fds[0], buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
}

TEST_F(pipe, writes_concatenate_into_one_stream)
{
	char buf[16] = { 0 };

	MAKE_PAIR(false, false);
	ASSERT_EQ(3, xwrite(self->fds[1], "abc", 3));
	ASSERT_EQ(3, xwrite(self->fds[1], "def", 3));
	ASSERT_EQ(6, xread(self->fds[0], buf, sizeof(buf)));
	EXPECT_STREQ("abcdef", buf);
}

TEST_F(pipe, partial_read_leaves_the_rest)
{
	char buf[16] = { 0 };

	MAKE_PAIR(false, false);
	ASSERT_EQ(10, xwrite(self->fds[1], "0123456789", 10));
	ASSERT_EQ(4, xread(self->fds[0], buf, 4));
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	EXPECT_EQ(6, fionread(self->fds[0]));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(6, xread(self->fds[0], buf, sizeof(buf)));
	EXPECT_STREQ("456789", buf);
}

TEST_F(pipe, wrong_end_cannot_be_used)
{
	char c = 'x';

	MAKE_PAIR(true, false);
	EXPECT_EQ(-EBADF, xread(self->fds[1], &c, 1));
	EXPECT_EQ(-EBADF, xwrite(self->fds[0], &c, 1));
}

TEST_F(pipe, zero_byte_read_and_write_return_0)
{
	char c;

	MAKE_PAIR(false, false);
	EXPECT_EQ(0, xwrite(self->fds[1], &c, 0));
	EXPECT_EQ(0, xread(self->fds[0], &c, 0));
	EXPECT_EQ(0, fionread(self->fds[0]));
}

TEST_F(pipe, readv_and_writev_move_every_segment)
{
	char a[] = "first-", b[] = "second-", c[] = "third";
	struct iovec wv[] = {
		{ a, strlen(a) }, { b, strlen(b) }, { c, strlen(c) },
	};
	char r1[4], r2[10], r3[32] = { 0 };
	struct iovec rv[] = {
		{ r1, sizeof(r1) }, { r2, sizeof(r2) }, { r3, sizeof(r3) },
	};
	ssize_t n;

	MAKE_PAIR(false, false);
	n = writev(self->fds[1], wv, 3);
	ASSERT_EQ(18, n);
	n = readv(self->fds[0], rv, 3);
	ASSERT_EQ(18, n);
	EXPECT_EQ(0, memcmp(r1, "firs", 4));
	EXPECT_EQ(0, memcmp(r2, "t-second-t", 10));
	EXPECT_STREQ("hird", r3);
}

/* ---- O_NONBLOCK ---- */

TEST_F(pipe, nonblock_at_creation_empty_read_eagain)
{
	char c;

	MAKE_PAIR(true, false);
	EXPECT_TRUE(fcntl(self->fds[0], F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(self->fds[1], F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(-EAGAIN, xread(self->fds[0], &c, 1));
	ASSERT_EQ(1, xwrite(self->fds[1], "z", 1));
	ASSERT_EQ(1, xread(self->fds[0], &c, 1));
	EXPECT_EQ('z', c);
	EXPECT_EQ(-EAGAIN, xread(self->fds[0], &c, 1));
}

TEST_F(pipe, nonblock_by_fcntl_empty_read_eagain)
{
	char c;

	MAKE_PAIR(false, false);
	EXPECT_FALSE(fcntl(self->fds[0], F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, set_nonblock(self->fds[0], true));
	EXPECT_EQ(-EAGAIN, xread(self->fds[0], &c, 1));
	/* and back: a blocking read of what is there */
	ASSERT_EQ(0, set_nonblock(self->fds[0], false));
	ASSERT_EQ(1, xwrite(self->fds[1], "q", 1));
	ASSERT_EQ(1, xread(self->fds[0], &c, 1));
	EXPECT_EQ('q', c);
}

TEST_F(pipe, nonblock_write_to_full_pipe_eagain)
{
	long cap;

	MAKE_PAIR(false, false);
	ASSERT_EQ(0, set_nonblock(self->fds[1], true));
	cap = fill_up(self->fds[1]);
	ASSERT_EQ(DEFAULT_CAP, cap);
	EXPECT_EQ(-EAGAIN, xwrite(self->fds[1], "x", 1));
	EXPECT_EQ(DEFAULT_CAP, fionread(self->fds[0]));
}

/* ---- EOF ---- */

TEST_F(pipe, eof_once_the_writer_closed_and_the_pipe_is_empty)
{
	char buf[8];

	MAKE_PAIR(false, false);
	ASSERT_EQ(3, xwrite(self->fds[1], "end", 3));
	close_end(self, 1);
	/* what was written is still read first */
	ASSERT_EQ(3, xread(self->fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "end", 3));
	EXPECT_EQ(0, xread(self->fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, xread(self->fds[0], buf, sizeof(buf)));
}

TEST_F(pipe, no_eof_while_a_child_holds_a_write_end)
{
	int sync[2];
	char c;

	MAKE_PAIR(false, false);
	ASSERT_EQ(0, pipe2(sync, O_CLOEXEC));
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		/* keep only the write end, until told to go */
		close(self->fds[0]);
		close(sync[1]);
		_exit(read(sync[0], &c, 1) == 0 ? 0 : KT_CHILD_WRONG);
	}
	close(sync[0]);
	close_end(self, 1);
	ASSERT_EQ(0, set_nonblock(self->fds[0], true));
	EXPECT_EQ(-EAGAIN, xread(self->fds[0], &c, 1));
	EXPECT_EQ(0, kt_poll(self->fds[0], POLLIN, 0));
	close(sync[1]);		/* the child exits */
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
	EXPECT_EQ(0, xread(self->fds[0], &c, 1));
}

TEST_F(pipe, blocked_reader_gets_eof_when_the_last_writer_closes)
{
	char c;

	MAKE_PAIR(false, false);
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		close(self->fds[1]);
		_exit(read(self->fds[0], &c, 1) == 0 ? 0 : KT_CHILD_WRONG);
	}
	ASSERT_TRUE(kt_wait_sleeping(self->child, 10000));
	/* still blocked: the child's read has not returned */
	EXPECT_EQ(0, waitpid(self->child, NULL, WNOHANG));
	close_end(self, 1);
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
}

/* ---- EPIPE and SIGPIPE ---- */

static volatile sig_atomic_t nr_sigpipe;

static void on_sigpipe(int sig)
{
	(void)sig;
	nr_sigpipe++;
}

TEST_F(pipe, write_without_reader_is_killed_by_sigpipe)
{
	MAKE_PAIR(false, false);
	close_end(self, 0);
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(self->fds[1], "x", 1);
		_exit(KT_CHILD_WRONG);	/* not reached */
	}
	EXPECT_EQ(1000 + SIGPIPE, wait_status(self->child));
	self->child = 0;
}

TEST_F(pipe, write_without_reader_epipe_and_sigpipe_handled)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };

	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	nr_sigpipe = 0;
	MAKE_PAIR(false, false);
	close_end(self, 0);
	EXPECT_EQ(-EPIPE, xwrite(self->fds[1], "x", 1));
	EXPECT_EQ(1, nr_sigpipe);
	EXPECT_EQ(-EPIPE, xwrite(self->fds[1], "yy", 2));
	EXPECT_EQ(2, nr_sigpipe);
}

TEST_F(pipe, write_without_reader_epipe_with_sigpipe_ignored)
{
	ASSERT_NE(SIG_ERR, signal(SIGPIPE, SIG_IGN));
	MAKE_PAIR(true, false);
	close_end(self, 0);
	EXPECT_EQ(-EPIPE, xwrite(self->fds[1], "x", 1));
}

TEST_F(pipe, blocked_writer_gets_epipe_when_the_last_reader_closes)
{
	MAKE_PAIR(true, false);
	ASSERT_EQ(DEFAULT_CAP, fill_up(self->fds[1]));
	ASSERT_EQ(0, set_nonblock(self->fds[1], false));
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		close(self->fds[0]);
		signal(SIGPIPE, SIG_IGN);
		_exit(kt_status(xwrite(self->fds[1], "x", 1)));
	}
	ASSERT_TRUE(kt_wait_sleeping(self->child, 10000));
	EXPECT_EQ(0, waitpid(self->child, NULL, WNOHANG));
	close_end(self, 0);
	EXPECT_EQ(EPIPE, kt_reap(self->child));
	self->child = 0;
}

/* ---- atomicity and large writes ---- */

#define ATOMIC_WRITERS	4
/* per writer: 4 * 64 record values fit a byte */
#define ATOMIC_RECORDS	64

/*
 * Writers of PIPE_BUF-byte records, each record one byte value repeated
 * (writer * 64 + record), all started together: the reader, reading in
 * odd sizes, must find every record whole and each writer's in order.
 */
TEST_F_TIMEOUT(pipe, writes_of_pipe_buf_are_not_interleaved, 120)
{
	pid_t pids[ATOMIC_WRITERS];
	unsigned int next[ATOMIC_WRITERS] = { 0 };
	static unsigned char rec[PIPE_ATOMIC], buf[1000];
	pthread_barrier_t *bar;
	size_t inrec = 0, total = 0;
	unsigned char cur = 0;
	ssize_t n, i;
	int w, bad = 0;

	MAKE_PAIR(false, false);
	bar = kt_barrier_new(ATOMIC_WRITERS);
	ASSERT_NE(NULL, bar);
	for (w = 0; w < ATOMIC_WRITERS; w++) {
		pids[w] = kt_fork();
		ASSERT_LE(0, pids[w]);
		if (pids[w] == 0) {
			close(self->fds[0]);
			pthread_barrier_wait(bar);
			for (i = 0; i < ATOMIC_RECORDS; i++) {
				memset(rec, w * ATOMIC_RECORDS + i,
				       sizeof(rec));
				if (write(self->fds[1], rec, sizeof(rec)) !=
				    sizeof(rec))
					_exit(KT_CHILD_WRONG);
			}
			_exit(0);
		}
	}
	close_end(self, 1);
	while ((n = xread(self->fds[0], buf, sizeof(buf))) > 0) {
		for (i = 0; i < n && !bad; i++, total++) {
			if (inrec == 0) {
				cur = buf[i];
				w = cur / ATOMIC_RECORDS;
				if (cur % ATOMIC_RECORDS != next[w]) {
					TH_LOG("byte %zu: writer %d record %u, want record %u",
					       total, w, cur % ATOMIC_RECORDS,
					       next[w]);
					bad = 1;
				}
				next[w]++;
			} else if (buf[i] != cur) {
				TH_LOG("byte %zu: record %u of writer %d interleaved with %u",
				       total, cur % ATOMIC_RECORDS,
				       cur / ATOMIC_RECORDS, buf[i]);
				bad = 1;
			}
			inrec = (inrec + 1) % PIPE_ATOMIC;
		}
		if (bad)
			break;
	}
	EXPECT_EQ(0, bad);
	if (!bad) {
		EXPECT_EQ(0, n);
		EXPECT_EQ((size_t)ATOMIC_WRITERS * ATOMIC_RECORDS * PIPE_ATOMIC,
			  total);
	}
	close_end(self, 0);	/* writers stuck after a failure get EPIPE */
	for (w = 0; w < ATOMIC_WRITERS; w++) {
		if (bad)
			kt_stop(pids[w]);
		else
			EXPECT_EQ(0, kt_reap(pids[w]));
	}
	kt_barrier_free(bar);
}

TEST_F(pipe, nonblock_large_write_to_nearly_full_pipe_is_partial)
{
	MAKE_PAIR(true, false);
	/* two pages free */
	ASSERT_EQ(DEFAULT_CAP - 2 * PAGE,
		  fill(self->fds[1], 'a', DEFAULT_CAP - 2 * PAGE));
	/* three pages asked, larger than PIPE_BUF: what fits goes */
	EXPECT_EQ(2 * PAGE, fill(self->fds[1], 'b', 3 * PAGE));
	EXPECT_EQ(DEFAULT_CAP, fionread(self->fds[0]));
	EXPECT_EQ(-EAGAIN, fill(self->fds[1], 'c', 3 * PAGE));
}

TEST_F(pipe, nonblock_atomic_write_that_does_not_fit_eagain)
{
	MAKE_PAIR(true, false);
	/* 100 bytes free */
	ASSERT_EQ(DEFAULT_CAP - 100,
		  fill(self->fds[1], 'a', DEFAULT_CAP - 100));
	/* 200 <= PIPE_BUF bytes: all or nothing, so nothing */
	EXPECT_EQ(-EAGAIN, fill(self->fds[1], 'b', 200));
	EXPECT_EQ(DEFAULT_CAP - 100, fionread(self->fds[0]));
	EXPECT_EQ(-EAGAIN, fill(self->fds[1], 'b', PIPE_ATOMIC));
	/* what does fit goes */
	EXPECT_EQ(100, fill(self->fds[1], 'c', 100));
	EXPECT_EQ(DEFAULT_CAP, fionread(self->fds[0]));
}

#define LARGE_WRITE	(1 << 20)

static unsigned char large_byte(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 12));
}

TEST_F_TIMEOUT(pipe, blocking_large_write_completes_while_reader_drains, 120)
{
	static unsigned char buf[LARGE_WRITE];
	size_t total = 0, i;
	ssize_t n;
	int bad = 0;

	MAKE_PAIR(false, false);
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		close(self->fds[0]);
		for (i = 0; i < LARGE_WRITE; i++)
			buf[i] = large_byte(i);
		/* one call, 16 times the capacity */
		_exit(write(self->fds[1], buf, LARGE_WRITE) == LARGE_WRITE ?
		      0 : KT_CHILD_WRONG);
	}
	close_end(self, 1);
	while ((n = xread(self->fds[0], buf, 3000)) > 0) {
		for (i = 0; i < (size_t)n; i++)
			if (buf[i] != large_byte(total + i) && !bad++)
				TH_LOG("byte %zu differs", total + i);
		total += n;
	}
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, bad);
	EXPECT_EQ((size_t)LARGE_WRITE, total);
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
}

/* ---- poll, epoll, FIONREAD ---- */

TEST_F(pipe, poll_in_and_out_follow_the_contents)
{
	static char buf[PAGE];

	MAKE_PAIR(true, false);
	EXPECT_EQ(0, kt_poll(self->fds[0], POLLIN, 0));
	EXPECT_EQ(POLLOUT, kt_poll(self->fds[1], POLLOUT, 0));
	ASSERT_EQ(1, xwrite(self->fds[1], "x", 1));
	EXPECT_EQ(POLLIN, kt_poll(self->fds[0], POLLIN, 0));
	ASSERT_EQ(1, xread(self->fds[0], buf, 1));
	EXPECT_EQ(0, kt_poll(self->fds[0], POLLIN, 0));
	ASSERT_EQ(DEFAULT_CAP, fill_up(self->fds[1]));
	EXPECT_EQ(0, kt_poll(self->fds[1], POLLOUT, 0));
	/* a page read makes room for PIPE_BUF bytes again */
	ASSERT_EQ(PAGE, xread(self->fds[0], buf, PAGE));
	EXPECT_EQ(POLLOUT, kt_poll(self->fds[1], POLLOUT, 0));
}

TEST_F(pipe, poll_hup_on_read_end_after_writer_close)
{
	char buf[4];

	MAKE_PAIR(true, false);
	EXPECT_EQ(0, kt_poll(self->fds[0], POLLIN, 0));
	ASSERT_EQ(2, xwrite(self->fds[1], "hi", 2));
	close_end(self, 1);
	/* data left: readable and hung up */
	EXPECT_EQ(POLLIN | POLLHUP, kt_poll(self->fds[0], POLLIN, 0));
	ASSERT_EQ(2, xread(self->fds[0], buf, sizeof(buf)));
	EXPECT_EQ(POLLHUP, kt_poll(self->fds[0], POLLIN, 0));
}

TEST_F(pipe, poll_err_on_write_end_after_reader_close)
{
	int rev;

	MAKE_PAIR(true, false);
	EXPECT_EQ(0, kt_poll(self->fds[1], 0, 0));
	close_end(self, 0);
	rev = kt_poll(self->fds[1], POLLOUT, 0);
	EXPECT_TRUE(rev & POLLERR) TH_LOG("revents %#x", rev);
}

TEST_F(pipe, poll_wakes_when_a_child_writes)
{
	MAKE_PAIR(false, false);
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		if (!kt_wait_sleeping(getppid(), 10000))
			_exit(KT_CHILD_SETUP);
		_exit(write(self->fds[1], "w", 1) == 1 ? 0 : KT_CHILD_WRONG);
	}
	EXPECT_EQ(POLLIN, kt_poll(self->fds[0], POLLIN, 20000));
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
}

TEST_F(pipe, epoll_reports_in_hup_and_err)
{
	struct epoll_event ev;
	char c;
	int rep, wep;

	MAKE_PAIR(true, false);
	rep = kt_epoll_on(self->fds[0], EPOLLIN);
	ASSERT_LE(0, rep);
	wep = kt_epoll_on(self->fds[1], EPOLLOUT);
	ASSERT_LE(0, wep);
	EXPECT_EQ(0, epoll_wait(rep, &ev, 1, 0));
	ASSERT_EQ(1, epoll_wait(wep, &ev, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLOUT, ev.events);
	ASSERT_EQ(1, xwrite(self->fds[1], "e", 1));
	ASSERT_EQ(1, epoll_wait(rep, &ev, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLIN, ev.events);
	EXPECT_EQ(self->fds[0], ev.data.fd);
	ASSERT_EQ(1, xread(self->fds[0], &c, 1));
	EXPECT_EQ(0, epoll_wait(rep, &ev, 1, 0));

	/* the writer goes: EPOLLHUP, reported though not asked for */
	close_end(self, 1);
	close(wep);
	ASSERT_EQ(1, epoll_wait(rep, &ev, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLHUP, ev.events);
	close(rep);

	/* a new pair; the reader goes: EPOLLERR on the write end */
	close_end(self, 0);
	MAKE_PAIR(true, false);
	wep = kt_epoll_on(self->fds[1], EPOLLOUT);
	ASSERT_LE(0, wep);
	close_end(self, 0);
	ASSERT_EQ(1, epoll_wait(wep, &ev, 1, 0));
	EXPECT_TRUE((ev.events & EPOLLERR) != 0) TH_LOG("events %#x", ev.events);
	close(wep);
}

TEST_F(pipe, epoll_wait_wakes_when_a_child_writes)
{
	struct epoll_event ev;
	int ep;

	MAKE_PAIR(false, false);
	ep = kt_epoll_on(self->fds[0], EPOLLIN);
	ASSERT_LE(0, ep);
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		if (!kt_wait_sleeping(getppid(), 10000))
			_exit(KT_CHILD_SETUP);
		_exit(write(self->fds[1], "w", 1) == 1 ? 0 : KT_CHILD_WRONG);
	}
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 20000));
	EXPECT_EQ((uint32_t)EPOLLIN, ev.events);
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
	close(ep);
}

/*
 * Edge-triggered epoll: every write is an edge, also one into a pipe that
 * is not empty (Linux wakes the read end's pollers on each write).
 */
TEST_F(pipe, epoll_edge_triggered_reports_each_write)
{
	struct epoll_event ev;
	int ep;

	MAKE_PAIR(true, false);
	ep = kt_epoll_on(self->fds[0], EPOLLIN | EPOLLET);
	ASSERT_LE(0, ep);
	ASSERT_EQ(1, xwrite(self->fds[1], "a", 1));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLIN, ev.events);
	/* the edge was reported: no event until the next change */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(1, xwrite(self->fds[1], "b", 1));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ((uint32_t)EPOLLIN, ev.events);
	EXPECT_EQ(2, fionread(self->fds[0]));
	close(ep);
}

/* Two new pages, the first filled with @c, the second inaccessible. */
static char *half_mapped(char c)
{
	char *mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return NULL;
	memset(mem, c, PAGE);
	if (mprotect(mem + PAGE, PAGE, PROT_NONE)) {
		munmap(mem, 2 * PAGE);
		return NULL;
	}
	return mem;
}

TEST_F(pipe, write_that_faults_midway_returns_the_bytes_before_the_fault)
{
	char *mem, buf[PAGE];
	int i;

	MAKE_PAIR(true, false);
	mem = half_mapped('f');
	ASSERT_NE(NULL, mem);
	EXPECT_EQ(PAGE, xwrite(self->fds[1], mem, 2 * PAGE));
	EXPECT_EQ(PAGE, fionread(self->fds[0]));
	/* a write that faults on its first byte writes nothing */
	EXPECT_EQ(-EFAULT, xwrite(self->fds[1], mem + PAGE, PAGE));
	EXPECT_EQ(PAGE, fionread(self->fds[0]));
	ASSERT_EQ(1, xwrite(self->fds[1], "g", 1));
	ASSERT_EQ(PAGE, xread(self->fds[0], buf, PAGE));
	for (i = 0; i < PAGE && buf[i] == 'f'; i++)
		;
	EXPECT_EQ(PAGE, i);
	ASSERT_EQ(1, xread(self->fds[0], buf, PAGE));
	EXPECT_EQ('g', buf[0]);
	munmap(mem, 2 * PAGE);
}

TEST_F(pipe, read_that_faults_midway_keeps_the_bytes_not_copied)
{
	char *mem, buf[PAGE];
	int i;

	MAKE_PAIR(true, false);
	memset(buf, 'a', PAGE);
	ASSERT_EQ(PAGE, xwrite(self->fds[1], buf, PAGE));
	memset(buf, 'b', PAGE);
	ASSERT_EQ(PAGE, xwrite(self->fds[1], buf, PAGE));
	mem = half_mapped(0);
	ASSERT_NE(NULL, mem);
	EXPECT_EQ(PAGE, xread(self->fds[0], mem, 2 * PAGE));
	for (i = 0; i < PAGE && mem[i] == 'a'; i++)
		;
	EXPECT_EQ(PAGE, i);
	EXPECT_EQ(PAGE, fionread(self->fds[0]));
	/* a read that faults on its first byte takes nothing */
	EXPECT_EQ(-EFAULT, xread(self->fds[0], mem + PAGE, PAGE));
	EXPECT_EQ(PAGE, fionread(self->fds[0]));
	memset(buf, 0, PAGE);
	ASSERT_EQ(PAGE, xread(self->fds[0], buf, PAGE));
	for (i = 0; i < PAGE && buf[i] == 'b'; i++)
		;
	EXPECT_EQ(PAGE, i);
	munmap(mem, 2 * PAGE);
}

TEST_F(pipe, fionread_counts_bytes_on_both_ends)
{
	char buf[300];

	MAKE_PAIR(true, false);
	EXPECT_EQ(0, fionread(self->fds[0]));
	ASSERT_EQ(100, fill(self->fds[1], 'a', 100));
	ASSERT_EQ(5000, fill(self->fds[1], 'b', 5000));
	EXPECT_EQ(5100, fionread(self->fds[0]));
	EXPECT_EQ(5100, fionread(self->fds[1]));
	ASSERT_EQ(300, xread(self->fds[0], buf, sizeof(buf)));
	EXPECT_EQ(4800, fionread(self->fds[0]));
}

/* ---- capacity ---- */

TEST_F(pipe, default_capacity_is_65536)
{
	MAKE_PAIR(false, false);
	EXPECT_EQ(DEFAULT_CAP, variant->ops->get_cap(self->fds[0]));
	EXPECT_EQ(DEFAULT_CAP, variant->ops->get_cap(self->fds[1]));
}

TEST_F(pipe, set_capacity_rounds_up_to_pages)
{
	const struct pipe_ops *ops = variant->ops;

	MAKE_PAIR(true, false);
	EXPECT_EQ(2 * PAGE, ops->set_cap(self->fds[1], PAGE + 1));
	EXPECT_EQ(2 * PAGE, ops->get_cap(self->fds[0]));
	EXPECT_EQ(PAGE, ops->set_cap(self->fds[0], 1));
	EXPECT_EQ(PAGE, ops->get_cap(self->fds[1]));
	EXPECT_EQ(4 * PAGE, ops->set_cap(self->fds[1], 3 * PAGE + 1));
	EXPECT_EQ(1 << 20, ops->set_cap(self->fds[1], 1 << 20));
	EXPECT_EQ(1 << 20, ops->get_cap(self->fds[1]));
	/* the difference: 0 */
	EXPECT_EQ(ops->cap_zero, ops->set_cap(self->fds[1], 0));
}

TEST_F(pipe, set_capacity_limits_what_a_write_takes)
{
	MAKE_PAIR(true, false);
	ASSERT_EQ(2 * PAGE, variant->ops->set_cap(self->fds[0], 2 * PAGE));
	EXPECT_EQ(2 * PAGE, fill(self->fds[1], 'a', 5 * PAGE));
	EXPECT_EQ(-EAGAIN, fill(self->fds[1], 'a', 1));
	/* and growing it makes room */
	ASSERT_EQ(1 << 20, variant->ops->set_cap(self->fds[0], 1 << 20));
	EXPECT_EQ((1 << 20) - 2 * PAGE, fill(self->fds[1], 'b', 1 << 20));
	EXPECT_EQ(1 << 20, fionread(self->fds[0]));
}

TEST_F(pipe, set_capacity_below_the_contents_ebusy)
{
	char buf[10000];

	MAKE_PAIR(true, false);
	ASSERT_EQ(10000, fill(self->fds[1], 'k', 10000));
	EXPECT_EQ(-EBUSY, variant->ops->set_cap(self->fds[0], 2 * PAGE));
	EXPECT_EQ(-EBUSY, variant->ops->set_cap(self->fds[1], 1));
	EXPECT_EQ(DEFAULT_CAP, variant->ops->get_cap(self->fds[0]));
	EXPECT_EQ(10000, fionread(self->fds[0]));
	/* room for the contents is fine */
	EXPECT_EQ(4 * PAGE, variant->ops->set_cap(self->fds[0], 4 * PAGE));
	ASSERT_EQ(10000, xread(self->fds[0], buf, sizeof(buf)));
	EXPECT_EQ('k', buf[9999]);
}

struct over_max {
	const struct pipe_ops *ops;
	int fd;
	unsigned long long max;
};

static int set_over_max(void *arg)
{
	struct over_max *o = arg;
	long ret;

	/* the maximum itself is allowed */
	ret = o->ops->set_cap(o->fd, o->max);
	if (ret != (long)o->max)
		return KT_CHILD_WRONG;
	return kt_status(o->ops->set_cap(o->fd, 2 * o->max));
}

TEST_F(pipe, capacity_over_the_maximum_is_refused_unprivileged)
{
	struct over_max o = { .ops = variant->ops };

	MAKE_PAIR(true, false);
	ASSERT_EQ(0, variant->ops->max_cap(&o.max));
	ASSERT_GE(1ULL << 30, o.max);
	o.fd = self->fds[1];
	/* the difference: which errno */
	EXPECT_EQ(variant->ops->over_max_errno, kt_run_as_nobody(set_over_max,
								  &o));
	EXPECT_EQ((long)o.max, variant->ops->get_cap(self->fds[0]));
}

/* ---- fds: O_CLOEXEC, fork, passing ---- */

TEST_F(pipe, cloexec_flag_sets_fd_cloexec)
{
	MAKE_PAIR(false, true);
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->fds[0], F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->fds[1], F_GETFD) & FD_CLOEXEC);
	EXPECT_FALSE(fcntl(self->fds[0], F_GETFL) & O_NONBLOCK);
	close_end(self, 0);
	close_end(self, 1);
	MAKE_PAIR(false, false);
	EXPECT_EQ(0, fcntl(self->fds[0], F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, fcntl(self->fds[1], F_GETFD) & FD_CLOEXEC);
}

TEST_F(pipe, fds_are_inherited_across_fork)
{
	char buf[8] = { 0 };

	MAKE_PAIR(false, false);
	ASSERT_EQ(4, xwrite(self->fds[1], "ping", 4));
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		if (read(self->fds[0], buf, 4) != 4 || memcmp(buf, "ping", 4))
			_exit(KT_CHILD_WRONG);
		_exit(write(self->fds[1], "pong", 4) == 4 ? 0 : KT_CHILD_WRONG);
	}
	ASSERT_EQ(0, kt_reap(self->child));
	self->child = 0;
	ASSERT_EQ(4, xread(self->fds[0], buf, sizeof(buf)));
	EXPECT_STREQ("pong", buf);
}

TEST_F(pipe, fd_passed_over_a_unix_socket_works)
{
	char buf[8] = { 0 };
	int sv[2], wfd, rfd;

	MAKE_PAIR(false, false);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* both ends travel; the originals are closed */
	ASSERT_EQ(0, kt_send_fd(sv[0], self->fds[1]));
	ASSERT_EQ(0, kt_send_fd(sv[0], self->fds[0]));
	wfd = kt_recv_fd(sv[1]);
	ASSERT_LE(0, wfd);
	rfd = kt_recv_fd(sv[1]);
	ASSERT_LE(0, rfd);
	close_end(self, 0);
	close_end(self, 1);
	close(sv[0]);
	close(sv[1]);
	ASSERT_EQ(6, xwrite(wfd, "passed", 6));
	ASSERT_EQ(6, xread(rfd, buf, sizeof(buf)));
	EXPECT_STREQ("passed", buf);
	/* the passed write end was the last one */
	close(wfd);
	EXPECT_EQ(0, xread(rfd, buf, sizeof(buf)));
	close(rfd);
}

/* ---- signals ---- */

static int notify_fd = -1;

static void on_sigusr1(int sig)
{
	(void)sig;
	if (notify_fd >= 0)
		write(notify_fd, "s", 1);
}

TEST_F(pipe, signal_interrupts_a_blocked_read_eintr)
{
	char c;

	MAKE_PAIR(false, false);
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		struct sigaction sa = { .sa_handler = on_sigusr1 };

		if (sigaction(SIGUSR1, &sa, NULL))
			_exit(KT_CHILD_SETUP);
		_exit(kt_status(xread(self->fds[0], &c, 1)));
	}
	ASSERT_TRUE(kt_wait_sleeping(self->child, 10000));
	ASSERT_EQ(0, kill(self->child, SIGUSR1));
	EXPECT_EQ(EINTR, kt_reap(self->child));
	self->child = 0;
	/* nothing was taken */
	ASSERT_EQ(1, xwrite(self->fds[1], "n", 1));
	EXPECT_EQ(1, fionread(self->fds[0]));
}

TEST_F(pipe, sa_restart_restarts_a_blocked_read)
{
	int note[2];
	char buf[8] = { 0 };

	MAKE_PAIR(false, false);
	ASSERT_EQ(0, pipe2(note, O_CLOEXEC));
	self->child = kt_fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		struct sigaction sa = {
			.sa_handler = on_sigusr1,
			.sa_flags = SA_RESTART,
		};

		notify_fd = note[1];
		if (sigaction(SIGUSR1, &sa, NULL))
			_exit(KT_CHILD_SETUP);
		if (read(self->fds[0], buf, sizeof(buf)) != 4 ||
		    memcmp(buf, "late", 4))
			_exit(KT_CHILD_WRONG);
		_exit(0);
	}
	close(note[1]);
	ASSERT_TRUE(kt_wait_sleeping(self->child, 10000));
	ASSERT_EQ(0, kill(self->child, SIGUSR1));
	/* the handler ran ... */
	ASSERT_EQ(1, xread(note[0], buf, 1));
	/* ... and the read went on waiting */
	ASSERT_TRUE(kt_wait_sleeping(self->child, 10000));
	EXPECT_EQ(0, waitpid(self->child, NULL, WNOHANG));
	ASSERT_EQ(4, xwrite(self->fds[1], "late", 4));
	EXPECT_EQ(0, kt_reap(self->child));
	self->child = 0;
	close(note[0]);
}

/* ---- byte-stream integrity ---- */

/*
 * Writers send chunks of random sizes (seeded; some over PIPE_BUF), one
 * write(2) each.  Every byte carries its writer in its top 3 bits and 5
 * bits of content, so that the reader can tell the writers apart even
 * where a large write was split by others.  A chunk is an 8-byte header
 * (its sequence number and length, 5 bits a byte) and a payload derived
 * from (writer, sequence, offset).  The reader, reading in random sizes,
 * checks that every byte comes exactly once, each writer's chunks in
 * order, and chunks of at most PIPE_BUF bytes in one piece.
 */
#define INTEG_WRITERS	4
#define INTEG_CHUNKS	150
#define INTEG_HDR	8
#define INTEG_BIG_MAX	16000	/* more than PIPE_BUF: up to this */

static uint64_t integ_seed(void)
{
	static uint64_t seed;

	if (!seed)
		seed = kt_env_ull("KIPC_PIPE_SEED", kt_real_ns() ^ getpid()) ?:
			1;
	return seed;
}

static uint64_t integ_rng(uint64_t seed, int writer)
{
	return (seed ^ (0x9e3779b97f4a7c15ULL * (writer + 1))) ?: 1;
}

/* The length of a writer's next chunk, from its random stream. */
static uint32_t integ_len(uint64_t *rnd)
{
	switch (kt_rand_below(rnd, 10)) {
	case 0:
	case 1:
	case 2:
		return PIPE_ATOMIC + 1 +
			kt_rand_below(rnd, INTEG_BIG_MAX - PIPE_ATOMIC);
	case 3:
		return PIPE_ATOMIC;
	default:
		return INTEG_HDR + kt_rand_below(rnd, PIPE_ATOMIC - INTEG_HDR);
	}
}

/* Byte @pos of chunk @seq (of @len bytes) of @writer. */
static unsigned char integ_byte(int writer, uint32_t seq, uint32_t len,
				uint32_t pos)
{
	uint32_t v;

	if (pos < 4)
		v = seq >> (5 * pos);
	else if (pos < INTEG_HDR)
		v = len >> (5 * (pos - 4));
	else
		v = seq * 7 + pos * 13 + writer * 5 + (pos >> 5);
	return (unsigned char)(writer << 5 | (v & 31));
}

static int integ_writer(int fd, int writer, uint64_t seed,
			pthread_barrier_t *bar)
{
	static unsigned char buf[INTEG_BIG_MAX];
	uint64_t rnd = integ_rng(seed, writer);
	uint32_t seq, len, i;

	pthread_barrier_wait(bar);
	for (seq = 0; seq < INTEG_CHUNKS; seq++) {
		len = integ_len(&rnd);
		for (i = 0; i < len; i++)
			buf[i] = integ_byte(writer, seq, len, i);
		if (write(fd, buf, len) != (ssize_t)len)
			return KT_CHILD_WRONG;
	}
	return 0;
}

struct integ_state {
	uint64_t rnd;		/* the writer's stream: chunk lengths */
	uint32_t seq;		/* the chunk being read */
	uint32_t len;		/* its length */
	uint32_t pos;		/* the next byte of it */
	uint64_t start;		/* where in the stream it began */
};

TEST_F_TIMEOUT(pipe, stream_integrity_with_several_writers, 300)
{
	struct integ_state st[INTEG_WRITERS];
	static unsigned char buf[32768];
	uint64_t seed = integ_seed(), rnd, at = 0, big = 0, small = 0, span;
	pid_t pids[INTEG_WRITERS];
	pthread_barrier_t *bar;
	char err[256] = "";
	ssize_t n = 0, i;
	int w;

	printf("# %s: KIPC_PIPE_SEED=%llu\n", variant->ops->kipc ? "kipc" :
	       "linux", (unsigned long long)seed);
	fflush(stdout);
	MAKE_PAIR(false, false);
	bar = kt_barrier_new(INTEG_WRITERS);
	ASSERT_NE(NULL, bar);
	for (w = 0; w < INTEG_WRITERS; w++) {
		pids[w] = kt_fork();
		ASSERT_LE(0, pids[w]);
		if (pids[w] == 0) {
			close(self->fds[0]);
			_exit(integ_writer(self->fds[1], w, seed, bar));
		}
		memset(&st[w], 0, sizeof(st[w]));
		st[w].rnd = integ_rng(seed, w);
	}
	close_end(self, 1);
	rnd = seed;
	while (!err[0]) {
		n = xread(self->fds[0], buf, 1 + kt_rand_below(&rnd,
							      sizeof(buf)));
		if (n <= 0)
			break;
		for (i = 0; i < n && !err[0]; i++, at++) {
			struct integ_state *s;
			unsigned char want;

			w = buf[i] >> 5;
			if (w >= INTEG_WRITERS) {
				snprintf(err, sizeof(err),
					 "byte %llu: %#x is no writer's",
					 (unsigned long long)at, buf[i]);
				break;
			}
			s = &st[w];
			if (s->seq == INTEG_CHUNKS) {
				snprintf(err, sizeof(err),
					 "byte %llu: writer %d sent more than its chunks",
					 (unsigned long long)at, w);
				break;
			}
			if (s->pos == 0) {
				s->len = integ_len(&s->rnd);
				s->start = at;
			}
			want = integ_byte(w, s->seq, s->len, s->pos);
			if (buf[i] != want) {
				snprintf(err, sizeof(err),
					 "byte %llu: writer %d chunk %u (%u bytes) byte %u is %#x, want %#x",
					 (unsigned long long)at, w, s->seq,
					 s->len, s->pos, buf[i], want);
				break;
			}
			if (++s->pos < s->len)
				continue;
			span = at - s->start + 1;
			if (s->len <= PIPE_ATOMIC && span != s->len)
				snprintf(err, sizeof(err),
					 "writer %d chunk %u (%u bytes <= PIPE_BUF) spread over %llu bytes from %llu",
					 w, s->seq, s->len,
					 (unsigned long long)span,
					 (unsigned long long)s->start);
			if (s->len > PIPE_ATOMIC)
				big++;
			else
				small++;
			s->seq++;
			s->pos = 0;
		}
	}
	EXPECT_STREQ("", err) TH_LOG("rerun with KIPC_PIPE_SEED=%llu",
				     (unsigned long long)seed);
	if (!err[0]) {
		EXPECT_EQ(0, n) TH_LOG("read: %s", strerror((int)-n));
		for (w = 0; w < INTEG_WRITERS; w++) {
			EXPECT_EQ((uint32_t)INTEG_CHUNKS, st[w].seq)
				TH_LOG("writer %d: chunks missing", w);
			EXPECT_EQ(0U, st[w].pos)
				TH_LOG("writer %d: chunk %u cut short", w,
				       st[w].seq);
		}
	}
	close_end(self, 0);	/* writers stuck after a failure: EPIPE */
	for (w = 0; w < INTEG_WRITERS; w++) {
		if (err[0])
			kt_stop(pids[w]);
		else
			EXPECT_EQ(0, kt_reap(pids[w]));
	}
	kt_barrier_free(bar);
	printf("# %llu bytes, %llu chunks over PIPE_BUF, %llu up to it\n",
	       (unsigned long long)at, (unsigned long long)big,
	       (unsigned long long)small);
}

TEST_HARNESS_MAIN
