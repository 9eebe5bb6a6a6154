// SPDX-License-Identifier: GPL-2.0
/*
 * kipc mailboxes (indirect communication): opening and creating, names and
 * ids apart from queues', the direction of each opening, mailboxes that
 * belong to a process (KIPC_O_OWNED: removed when it exits) and those only
 * their owner receives from (KIPC_O_OWNER_RECV), permissions, stat, and
 * many senders and receivers with every message delivered exactly once.
 * What mailboxes share with queues (send, receive, selection, limits) is
 * queue_test.c's; here only that those calls work on a mailbox fd.
 *
 * Runs as root: the permission tests drop to nobody in children.  Other
 * processes are children that report through their exit status (0 or an
 * errno, KT_CHILD_* for their own failures), with pipes to say when they
 * are ready.
 */
#include <limits.h>
#include <stddef.h>

#include "kipc_test.h"

#define SR		(KIPC_O_SEND | KIPC_O_RECV)
#define CREATE		(KIPC_O_CREAT | KIPC_O_EXCL)
#define OWNED		KIPC_O_OWNED
#define OWNER_RECV	(KIPC_O_OWNED | KIPC_O_OWNER_RECV)

/* Longest a test waits for another process or a wakeup. */
#define WAIT_MS		10000

FIXTURE(mailbox) {
	int sfd;
	struct kt_names names;	/* mailboxes, removed in teardown */
	struct kt_names qnames;	/* queues, removed in teardown */
};

FIXTURE_SETUP(mailbox)
{
	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid() != 0)
		SKIP(return, "needs root");
}

FIXTURE_TEARDOWN(mailbox)
{
	int i;

	for (i = 0; i < self->names.n; i++)
		kipc_mailbox_remove(self->sfd, self->names.name[i]);
	kt_names_remove_all(self->sfd, &self->qnames);
	close(self->sfd);
}

/* A new name for a mailbox, removed in teardown. */
static const char *mb_name(FIXTURE_DATA(mailbox) *self, const char *tag)
{
	return kt_names_new(&self->names, tag);
}

/* Create the mailbox @name (CREAT|EXCL added), mode 0600.  fd or -errno. */
static int mb_create_name(int sfd, const char *name, unsigned int flags,
			  uint64_t *id)
{
	return kipc_mailbox_open(sfd, name, CREATE | flags, 0600, NULL, id);
}

/* Create a new mailbox named after @tag.  fd or -errno. */
static int mb_create(FIXTURE_DATA(mailbox) *self, const char *tag,
		     unsigned int flags, uint64_t *id)
{
	return mb_create_name(self->sfd, mb_name(self, tag), flags, id);
}

/* KIPC_IOC_MAILBOX_OPEN of @name with @flags, raw: fd or -errno. */
static long mb_open_raw(int sfd, const char *name, unsigned int flags)
{
	struct kipc_queue_open o;

	kt_open_args(&o, name, flags);
	return kt_ioctl(sfd, KIPC_IOC_MAILBOX_OPEN, &o);
}

/* KIPC_IOC_QUEUE_OPEN of @name with @flags, raw: fd or -errno. */
static long q_open_raw(int sfd, const char *name, unsigned int flags)
{
	struct kipc_queue_open o;

	kt_open_args(&o, name, flags);
	return kt_ioctl(sfd, KIPC_IOC_QUEUE_OPEN, &o);
}

static int stat_of(int fd, struct kipc_queue_stat *st)
{
	return kipc_queue_stat(fd, st);
}

/* Send the string @s, not waiting: 0 or -errno. */
static int send_str(int fd, const char *s)
{
	return kt_send_nb(fd, s, strlen(s), 0);
}

/* Receive one message without waiting and compare it with @s: 0 or -errno. */
static int recv_str(int fd, const char *s)
{
	char buf[256];
	ssize_t n = kt_recv_nb(fd, buf, sizeof(buf) - 1, NULL);

	if (n < 0)
		return n;
	buf[n] = '\0';
	return strcmp(buf, s) ? -EBADMSG : 0;
}

/* Receive, waiting at most @ms: length or -errno. */
static ssize_t recv_wait(int fd, void *buf, size_t len, unsigned int ms,
			 struct kipc_msg_info *info)
{
	return kipc_queue_timedrecv(fd, buf, len, KIPC_SEL_FIFO, 0,
				    KIPC_MSG_DEADLINE,
				    kt_mono_ns() + ms * NSEC_PER_MSEC, info);
}

/* Wait until @fd reports POLLHUP (its mailbox removed): true if it did. */
static bool wait_removed(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLHUP);
}

/* ---- helpers for other processes ---- */

/* Read exactly @len bytes from @fd, waiting at most WAIT_MS: true if so. */
static bool read_full(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (poll(&p, 1, WAIT_MS) != 1)
			return false;
		n = read(fd, (char *)buf + done, len - done);
		if (n <= 0)
			return false;
		done += n;
	}
	return true;
}

static bool write_full(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len;
}

/*
 * A process that made a mailbox and lives until told to exit: its own
 * mailbox fd stays open until then.
 */
struct owner {
	pid_t pid;
	int go;			/* write a byte: exit */
	uint64_t id;		/* the mailbox's */
};

/*
 * Fork an owner that creates the mailbox @name (NULL: anonymous) with
 * CREAT|EXCL|SEND|RECV|@flags, mode 0600.  0, or the create's -errno.
 */
static int owner_start(struct owner *o, int sfd, const char *name,
		       unsigned int flags)
{
	int ready[2], go[2];
	int64_t res;
	char c;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		return -errno;
	o->pid = kt_fork();
	if (o->pid < 0)
		return -errno;
	if (o->pid == 0) {
		uint64_t id = 0;
		int fd;

		fd = mb_create_name(sfd, name, SR | flags, &id);
		res = fd < 0 ? fd : (int64_t)id;
		if (!write_full(ready[1], &res, sizeof(res)))
			_exit(KT_CHILD_SETUP);
		/* a byte, or EOF once nobody can tell it any more */
		if (read(go[0], &c, 1) < 0)
			_exit(KT_CHILD_SETUP);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	o->go = go[1];
	if (!read_full(ready[0], &res, sizeof(res)))
		res = -EIO;
	close(ready[0]);
	if (res < 0) {
		kill(o->pid, SIGKILL);
		close(o->go);
		kt_wait(o->pid);
		return res;
	}
	o->id = res;
	return 0;
}

/* Tell the owner to exit without waiting for it. */
static void owner_go(struct owner *o)
{
	char c = 'x';

	if (!write_full(o->go, &c, 1))
		kill(o->pid, SIGKILL);
	close(o->go);
}

/* Tell the owner to exit and reap it: its exit status. */
static int owner_exit(struct owner *o)
{
	owner_go(o);
	return kt_wait(o->pid);
}

/* SIGKILL the owner and reap it: KT_CHILD_KILLED. */
static int owner_kill(struct owner *o)
{
	kill(o->pid, SIGKILL);
	close(o->go);
	return kt_wait(o->pid);
}

/*
 * Fork a process that opens mailbox @id with @flags, writes a byte to
 * *@ready once it has, and receives with a deadline of WAIT_MS.  Its exit
 * status: the receive's errno, 0 for a message, KT_CHILD_SETUP.
 */
static pid_t receiver_start(int sfd, uint64_t id, unsigned int flags,
			    int *ready)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = kt_fork();
	if (pid == 0) {
		char buf[64];
		int fd;

		close(p[0]);
		fd = kipc_mailbox_open_id(sfd, id, flags);
		if (fd < 0)
			_exit(KT_CHILD_SETUP);
		if (!write_full(p[1], "r", 1))
			_exit(KT_CHILD_SETUP);
		_exit(kt_status(recv_wait(fd, buf, sizeof(buf), WAIT_MS,
					  NULL)));
	}
	close(p[1]);
	*ready = p[0];
	return pid;
}

/* Wait until the receiver said it opened, then until it sleeps. */
static bool receiver_blocked(pid_t pid, int ready)
{
	char c;
	bool ok = read_full(ready, &c, 1);

	close(ready);
	return ok && kt_wait_sleeping(pid, WAIT_MS);
}

/* ---- opening and creating ---- */

TEST_F(mailbox, create_returns_fd_and_id_of_new_mailbox)
{
	struct kipc_queue_stat st;
	const char *name = mb_name(self, "c");
	uint64_t id = 0;
	int fd;

	fd = mb_create_name(self->sfd, name, SR, &id);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	EXPECT_LT(0U, id);
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(id, st.id);
	EXPECT_STREQ(name, st.name);
	EXPECT_EQ(0U, st.flags);
	EXPECT_EQ(getpid(), st.creator_pid);
	close(fd);
}

TEST_F(mailbox, mailbox_fd_is_an_anon_inode_named_kipc_mailbox)
{
	char path[64], link[128];
	ssize_t n;
	int fd;

	fd = mb_create(self, "n", SR, NULL);
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ("anon_inode:[kipc-mailbox]", link);
	close(fd);
}

TEST_F(mailbox, create_excl_of_existing_name_returns_eexist)
{
	const char *name = mb_name(self, "x");
	int fd;

	fd = mb_create_name(self->sfd, name, SR, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, mb_create_name(self->sfd, name, SR, NULL));
	EXPECT_EQ(-EEXIST, mb_create_name(self->sfd, name, SR | OWNED, NULL));
	close(fd);
}

TEST_F(mailbox, create_without_excl_opens_existing_mailbox)
{
	const char *name = mb_name(self, "o");
	uint64_t id1 = 0, id2 = 0;
	int fd1, fd2;

	fd1 = mb_create_name(self->sfd, name, SR, &id1);
	ASSERT_LE(0, fd1);
	fd2 = kipc_mailbox_open(self->sfd, name, KIPC_O_CREAT | SR, 0600,
				NULL, &id2);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(id1, id2);
	ASSERT_EQ(0, send_str(fd1, "hello"));
	EXPECT_EQ(0, recv_str(fd2, "hello"));
	close(fd2);
	close(fd1);
}

TEST_F(mailbox, owned_flag_on_opening_an_existing_mailbox_changes_nothing)
{
	const char *name = mb_name(self, "o");
	struct kipc_queue_stat st;
	int fd1, fd2;

	fd1 = mb_create_name(self->sfd, name, SR, NULL);
	ASSERT_LE(0, fd1);
	fd2 = kipc_mailbox_open(self->sfd, name, KIPC_O_CREAT | SR |
				OWNER_RECV, 0600, NULL, NULL);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, stat_of(fd2, &st));
	EXPECT_EQ(0U, st.flags & (KIPC_STAT_OWNED | KIPC_STAT_OWNER_RECV));
	EXPECT_EQ(0, st.owner_pid);
	close(fd2);
	close(fd1);
}

TEST_F(mailbox, open_of_missing_name_returns_enoent)
{
	EXPECT_EQ(-ENOENT, kipc_mailbox_open(self->sfd, mb_name(self, "m"),
					     SR, 0, NULL, NULL));
}

TEST_F(mailbox, open_by_id_reaches_the_same_mailbox)
{
	uint64_t id = 0;
	int fd, fd2;

	fd = mb_create(self, "i", SR, &id);
	ASSERT_LE(0, fd);
	fd2 = kipc_mailbox_open_id(self->sfd, id, KIPC_O_SEND);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, send_str(fd2, "by id"));
	EXPECT_EQ(0, recv_str(fd, "by id"));
	close(fd2);
	close(fd);
}

TEST_F(mailbox, open_of_missing_id_returns_enoent)
{
	uint64_t id = 0;
	int fd;

	fd = mb_create(self, "i", SR, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, kipc_mailbox_open_id(self->sfd, id + 1000000,
						SR));
	EXPECT_EQ(-ENOENT, kipc_mailbox_open_id(self->sfd, 0, SR));
	close(fd);
}

TEST_F(mailbox, bad_names_return_einval_or_enametoolong)
{
	char longname[KIPC_NAME_MAX + 2];

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_EQ(-EINVAL, mb_create_name(self->sfd, "", SR, NULL));
	EXPECT_EQ(-EINVAL, mb_create_name(self->sfd, "a/b", SR, NULL));
	EXPECT_EQ(-EINVAL, mb_create_name(self->sfd, "a\nb", SR, NULL));
	EXPECT_EQ(-ENAMETOOLONG, mb_create_name(self->sfd, longname, SR,
						NULL));
	EXPECT_EQ(-ENAMETOOLONG, kipc_mailbox_open(self->sfd, longname, SR,
						   0, NULL, NULL));
}

TEST_F(mailbox, anonymous_mailbox_lives_while_an_fd_is_open)
{
	struct kipc_queue_stat st;
	uint64_t id = 0;
	int fd, fd2;

	fd = kipc_mailbox_open(self->sfd, NULL, KIPC_O_CREAT | SR, 0600, NULL,
			       &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(KIPC_STAT_ANONYMOUS, st.flags);
	EXPECT_STREQ("", st.name);
	fd2 = kipc_mailbox_open_id(self->sfd, id, KIPC_O_SEND);
	ASSERT_LE(0, fd2);
	close(fd);
	ASSERT_EQ(0, send_str(fd2, "still here"));
	close(fd2);
	EXPECT_EQ(-ENOENT, kipc_mailbox_open_id(self->sfd, id, SR));
}

TEST_F(mailbox, remove_by_name_frees_the_name_and_ends_the_mailbox)
{
	const char *name = mb_name(self, "r");
	struct kipc_queue_stat st;
	char buf[8];
	int fd, fd2;

	fd = mb_create_name(self->sfd, name, SR, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "left"));
	ASSERT_EQ(0, kipc_mailbox_remove(self->sfd, name));
	EXPECT_EQ(-EIDRM, send_str(fd, "x"));
	EXPECT_EQ(-EIDRM, kt_recv_nb(fd, buf, sizeof(buf), NULL));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EIDRM, errno);
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(KIPC_STAT_REMOVED, st.flags);
	EXPECT_EQ(-ENOENT, kipc_mailbox_open(self->sfd, name, SR, 0, NULL,
					     NULL));
	fd2 = mb_create_name(self->sfd, name, SR, NULL);
	EXPECT_LE(0, fd2);
	if (fd2 >= 0)
		close(fd2);
	close(fd);
}

TEST_F(mailbox, remove_by_id_works)
{
	uint64_t id = 0;
	int fd;

	fd = mb_create(self, "r", SR, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_mailbox_remove_id(self->sfd, id));
	EXPECT_EQ(-EIDRM, send_str(fd, "x"));
	EXPECT_EQ(-ENOENT, kipc_mailbox_remove_id(self->sfd, id));
	close(fd);
}

TEST_F(mailbox, remove_of_missing_mailbox_returns_enoent)
{
	EXPECT_EQ(-ENOENT, kipc_mailbox_remove(self->sfd,
					       mb_name(self, "m")));
	EXPECT_EQ(-ENOENT, kipc_mailbox_remove_id(self->sfd, 0));
}

TEST_F(mailbox, remove_wakes_receiver_blocked_in_another_process)
{
	const char *name = mb_name(self, "w");
	uint64_t id = 0;
	int fd, ready;
	pid_t pid;

	fd = mb_create_name(self->sfd, name, SR, &id);
	ASSERT_LE(0, fd);
	pid = receiver_start(self->sfd, id, KIPC_O_RECV, &ready);
	ASSERT_LT(0, pid);
	EXPECT_TRUE(receiver_blocked(pid, ready));
	ASSERT_EQ(0, kipc_mailbox_remove(self->sfd, name));
	EXPECT_EQ(EIDRM, kt_wait(pid));
	close(fd);
}

/* ---- names and ids apart from queues' ---- */

TEST_F(mailbox, queue_and_mailbox_may_have_the_same_name)
{
	const char *name = mb_name(self, "same");
	uint64_t qid = 0, mid = 0;
	int qfd, mfd;

	/* the teardown removes the queue of that name too */
	strcpy(self->qnames.name[self->qnames.n++], name);
	qfd = kipc_queue_open(self->sfd, name, CREATE | SR, 0600, NULL, &qid);
	ASSERT_LE(0, qfd);
	mfd = mb_create_name(self->sfd, name, SR, &mid);
	ASSERT_LE(0, mfd) TH_LOG("mailbox: %s", strerror(-mfd));
	EXPECT_NE(qid, mid);
	ASSERT_EQ(0, send_str(qfd, "to the queue"));
	EXPECT_EQ(-EAGAIN, recv_str(mfd, "to the queue"));
	ASSERT_EQ(0, send_str(mfd, "to the mailbox"));
	EXPECT_EQ(0, recv_str(qfd, "to the queue"));
	EXPECT_EQ(0, recv_str(mfd, "to the mailbox"));
	/* removing one leaves the other */
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, name));
	EXPECT_EQ(0, send_str(mfd, "still"));
	close(mfd);
	close(qfd);
}

TEST_F(mailbox, mailbox_open_does_not_find_queues)
{
	const char *name = kt_names_new(&self->qnames, "q");
	uint64_t qid = 0;
	int qfd;

	qfd = kipc_queue_open(self->sfd, name, CREATE | SR, 0600, NULL, &qid);
	ASSERT_LE(0, qfd);
	EXPECT_EQ(-ENOENT, kipc_mailbox_open(self->sfd, name, SR, 0, NULL,
					     NULL));
	EXPECT_EQ(-ENOENT, kipc_mailbox_open_id(self->sfd, qid, SR));
	close(qfd);
}

TEST_F(mailbox, queue_open_does_not_find_mailboxes)
{
	const char *name = mb_name(self, "m");
	uint64_t mid = 0;
	int mfd;

	mfd = mb_create_name(self->sfd, name, SR, &mid);
	ASSERT_LE(0, mfd);
	EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, name, SR, 0, NULL,
					   NULL));
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, mid, SR));
	close(mfd);
}

TEST_F(mailbox, remove_does_not_cross_between_queues_and_mailboxes)
{
	const char *mname = mb_name(self, "m");
	const char *qname = kt_names_new(&self->qnames, "q");
	uint64_t qid = 0, mid = 0;
	int qfd, mfd;

	qfd = kipc_queue_open(self->sfd, qname, CREATE | SR, 0600, NULL, &qid);
	ASSERT_LE(0, qfd);
	mfd = mb_create_name(self->sfd, mname, SR, &mid);
	ASSERT_LE(0, mfd);
	EXPECT_EQ(-ENOENT, kipc_mailbox_remove(self->sfd, qname));
	EXPECT_EQ(-ENOENT, kipc_mailbox_remove_id(self->sfd, qid));
	EXPECT_EQ(-ENOENT, kipc_queue_remove(self->sfd, mname));
	EXPECT_EQ(-ENOENT, kipc_queue_remove_id(self->sfd, mid));
	EXPECT_EQ(0, send_str(qfd, "q"));
	EXPECT_EQ(0, send_str(mfd, "m"));
	close(mfd);
	close(qfd);
}

/* ---- flags and malformed arguments ---- */

TEST_F(mailbox, open_without_send_or_recv_returns_einval)
{
	EXPECT_EQ(-EINVAL, mb_open_raw(self->sfd, mb_name(self, "f"),
				       CREATE));
	EXPECT_EQ(-EINVAL, mb_open_raw(self->sfd, mb_name(self, "f"),
				       CREATE | OWNED));
}

TEST_F(mailbox, owner_recv_without_owned_returns_einval)
{
	const char *name = mb_name(self, "f");
	int fd;

	EXPECT_EQ(-EINVAL, mb_open_raw(self->sfd, name,
				       CREATE | SR | KIPC_O_OWNER_RECV));
	/* also when opening an existing mailbox */
	fd = mb_create_name(self->sfd, name, SR, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, mb_open_raw(self->sfd, name,
				       KIPC_O_RECV | KIPC_O_OWNER_RECV));
	close(fd);
}

TEST_F(mailbox, unknown_flag_returns_einval)
{
	EXPECT_EQ(-EINVAL, mb_open_raw(self->sfd, mb_name(self, "f"),
				       CREATE | SR | (KIPC_O_MAILBOX_ALL + 1)));
	EXPECT_EQ(-EINVAL, mb_open_raw(self->sfd, mb_name(self, "f"),
				       CREATE | SR | (1U << 31)));
}

TEST_F(mailbox, mailbox_flags_on_queue_open_return_einval)
{
	EXPECT_EQ(-EINVAL, q_open_raw(self->sfd,
				      kt_names_new(&self->qnames, "f"),
				      CREATE | SR | KIPC_O_OWNED));
	EXPECT_EQ(-EINVAL, q_open_raw(self->sfd,
				      kt_names_new(&self->qnames, "f"),
				      CREATE | SR | OWNER_RECV));
	EXPECT_EQ(-EINVAL, q_open_raw(self->sfd, NULL,
				      KIPC_O_CREAT | SR | KIPC_O_OWNED));
}

TEST_F(mailbox, open_with_nonzero_reserved_returns_einval)
{
	struct kipc_queue_open o;
	int i;

	kt_open_args(&o, mb_name(self, "f"), CREATE | SR);
	o.reserved0 = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN, &o));
	for (i = 0; i < 4; i++) {
		kt_open_args(&o, mb_name(self, "f"), CREATE | SR);
		o.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN,
					    &o)) TH_LOG("reserved[%d]", i);
	}
}

TEST_F(mailbox, open_size_below_first_version_returns_einval)
{
	struct kipc_queue_open o;

	kt_open_args(&o, mb_name(self, "f"), CREATE | SR);
	o.size = KIPC_QUEUE_OPEN_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN, &o));
}

TEST_F(mailbox, open_larger_size_with_nonzero_tail_returns_e2big)
{
	struct {
		struct kipc_queue_open o;
		uint64_t tail;
	} big;

	memset(&big, 0, sizeof(big));
	kt_open_args(&big.o, mb_name(self, "f"), CREATE | SR);
	big.o.size = sizeof(big);
	big.tail = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN, &big));
}

TEST_F(mailbox, open_bad_pointers_return_efault)
{
	struct kipc_queue_open o;

	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN,
				    kt_unmapped_addr()));
	kt_open_args(&o, kt_unmapped_addr(), CREATE | SR);
	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_OPEN, &o));
}

TEST_F(mailbox, remove_with_bad_arguments_returns_einval)
{
	struct kipc_queue_remove r;
	const char *name = mb_name(self, "f");
	int fd;

	fd = mb_create_name(self->sfd, name, SR, NULL);
	ASSERT_LE(0, fd);
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.name_ptr = (uintptr_t)name;
	r.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_REMOVE, &r));
	r.flags = 0;
	r.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_REMOVE, &r));
	r.reserved[1] = 0;
	r.size = KIPC_QUEUE_REMOVE_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_REMOVE, &r));
	r.size = sizeof(r);
	r.name_ptr = (uintptr_t)"";
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_MAILBOX_REMOVE, &r));
	/* nothing was removed */
	EXPECT_EQ(0, send_str(fd, "here"));
	close(fd);
}

TEST_F(mailbox, session_ioctls_on_mailbox_fd_return_enotty)
{
	struct kipc_queue_open o;
	int fd;

	fd = mb_create(self, "t", SR, NULL);
	ASSERT_LE(0, fd);
	kt_open_args(&o, mb_name(self, "t"), CREATE | SR);
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_IOC_MAILBOX_OPEN, &o));
	EXPECT_EQ(-ENOTTY, kt_ioctl(fd, KIPC_IOC_QUEUE_OPEN, &o));
	close(fd);
}

TEST_F(mailbox, queue_calls_work_on_a_mailbox_fd)
{
	struct kipc_queue_set set;
	struct kipc_queue_stat st;
	struct pollfd p;
	char buf[16];
	int fd;

	fd = mb_create(self, "q", SR, NULL);
	ASSERT_LE(0, fd);
	/* poll, write, read */
	p.fd = fd;
	p.events = POLLIN | POLLOUT;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents);
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, p.revents);
	ASSERT_EQ(3, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	/* selection by priority */
	ASSERT_EQ(0, kt_send_nb(fd, "lo", 2, 1));
	ASSERT_EQ(0, kt_send_nb(fd, "hi", 2, 9));
	ASSERT_EQ(2, kipc_queue_recv_prio(fd, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, memcmp(buf, "hi", 2));
	EXPECT_EQ(0, recv_str(fd, "lo"));
	/* set and stat */
	memset(&set, 0, sizeof(set));
	set.flags = KIPC_SET_MAX_MSGS | KIPC_SET_MODE;
	set.max_msgs = 1;
	set.mode = 0640;
	ASSERT_EQ(0, kipc_queue_set(fd, &set));
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(1U, st.max_msgs);
	EXPECT_EQ(0640U, st.mode);
	ASSERT_EQ(0, send_str(fd, "one"));
	EXPECT_EQ(-EAGAIN, send_str(fd, "two"));
	close(fd);
}

/* ---- the direction of each opening ---- */

TEST_F(mailbox, send_on_recv_only_opening_returns_ebadf)
{
	const char *name = mb_name(self, "d");
	int fd, rfd;

	fd = mb_create_name(self->sfd, name, KIPC_O_SEND, NULL);
	ASSERT_LE(0, fd);
	rfd = kipc_mailbox_open(self->sfd, name, KIPC_O_RECV, 0, NULL, NULL);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(-EBADF, send_str(rfd, "x"));
	EXPECT_EQ(-1, write(rfd, "x", 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, kt_nr_msgs(fd));
	close(rfd);
	close(fd);
}

TEST_F(mailbox, recv_on_send_only_opening_returns_ebadf)
{
	const char *name = mb_name(self, "d");
	char buf[8];
	int fd, sfd2;

	fd = mb_create_name(self->sfd, name, KIPC_O_RECV, NULL);
	ASSERT_LE(0, fd);
	sfd2 = kipc_mailbox_open(self->sfd, name, KIPC_O_SEND, 0, NULL, NULL);
	ASSERT_LE(0, sfd2);
	ASSERT_EQ(0, send_str(sfd2, "x"));
	EXPECT_EQ(-EBADF, kt_recv_nb(sfd2, buf, sizeof(buf), NULL));
	EXPECT_EQ(-1, read(sfd2, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-EBADF, send_str(fd, "y"));
	EXPECT_EQ(0, recv_str(fd, "x"));
	close(sfd2);
	close(fd);
}

/* In a child: open @name send-only and recv-only, check both ways. */
static int check_directions(int sfd, const char *name)
{
	char buf[8];
	int s, r, ret = 0;

	s = kipc_mailbox_open(sfd, name, KIPC_O_SEND, 0, NULL, NULL);
	r = kipc_mailbox_open(sfd, name, KIPC_O_RECV, 0, NULL, NULL);
	if (s < 0 || r < 0)
		return KT_CHILD_SETUP;
	if (kt_recv_nb(s, buf, sizeof(buf), NULL) != -EBADF ||
	    send_str(r, "r") != -EBADF || send_str(s, "child") ||
	    recv_str(r, "child"))
		ret = KT_CHILD_WRONG;
	close(s);
	close(r);
	return ret;
}

TEST_F(mailbox, each_opening_keeps_its_own_direction_in_every_process)
{
	const char *name = mb_name(self, "d");
	pid_t pid;
	int fd;

	fd = mb_create_name(self->sfd, name, SR, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, check_directions(self->sfd, name));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(check_directions(self->sfd, name));
	EXPECT_EQ(0, kt_wait(pid));
	/* the send|recv opening, inherited or not, does both */
	EXPECT_EQ(0, send_str(fd, "both"));
	EXPECT_EQ(0, recv_str(fd, "both"));
	close(fd);
}

#define NR_SHARED	3

/*
 * The child's side of several_mailboxes_shared_by_one_pair: send "to i"
 * into mailbox i, then receive "from i" from the reply mailbox i.
 */
static int pair_child(int sfd, char names[][KT_NAME_LEN])
{
	char buf[32], want[32];
	int i, s, r;
	ssize_t n;

	for (i = 0; i < NR_SHARED; i++) {
		s = kipc_mailbox_open(sfd, names[i], KIPC_O_SEND, 0, NULL,
				      NULL);
		if (s < 0)
			return KT_CHILD_SETUP;
		snprintf(buf, sizeof(buf), "to %d", i);
		if (send_str(s, buf))
			return KT_CHILD_WRONG;
		close(s);
	}
	for (i = 0; i < NR_SHARED; i++) {
		r = kipc_mailbox_open(sfd, names[NR_SHARED + i], KIPC_O_RECV,
				      0, NULL, NULL);
		if (r < 0)
			return KT_CHILD_SETUP;
		n = recv_wait(r, buf, sizeof(buf) - 1, WAIT_MS, NULL);
		if (n < 0)
			return -n;
		buf[n] = '\0';
		snprintf(want, sizeof(want), "from %d", i);
		if (strcmp(buf, want))
			return KT_CHILD_WRONG;
		close(r);
	}
	return 0;
}

TEST_F(mailbox, several_mailboxes_shared_by_one_pair)
{
	struct kipc_msg_info info;
	int fd[2 * NR_SHARED], i;
	char buf[32], want[32];
	pid_t pid;

	for (i = 0; i < 2 * NR_SHARED; i++) {
		fd[i] = mb_create(self, "pair", SR, NULL);
		ASSERT_LE(0, fd[i]);
	}
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(pair_child(self->sfd, self->names.name));
	/* each mailbox holds only what was sent into it */
	for (i = 0; i < NR_SHARED; i++) {
		ssize_t n = recv_wait(fd[i], buf, sizeof(buf) - 1, WAIT_MS,
				      &info);

		ASSERT_LE(0, n) TH_LOG("mailbox %d: %s", i, strerror(-n));
		buf[n] = '\0';
		snprintf(want, sizeof(want), "to %d", i);
		EXPECT_STREQ(want, buf);
		EXPECT_EQ(pid, info.sender_pid);
		EXPECT_EQ(0, kt_nr_msgs(fd[i]));
	}
	for (i = 0; i < NR_SHARED; i++) {
		snprintf(buf, sizeof(buf), "from %d", i);
		ASSERT_EQ(0, send_str(fd[NR_SHARED + i], buf));
	}
	EXPECT_EQ(0, kt_wait(pid));
	for (i = 0; i < 2 * NR_SHARED; i++)
		close(fd[i]);
}

/* ---- stat ---- */

TEST_F(mailbox, stat_of_system_mailbox_reports_no_owner)
{
	struct kipc_queue_stat st;
	int fd;

	fd = mb_create(self, "s", SR, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(0U, st.flags);
	EXPECT_EQ(0, st.owner_pid);
	EXPECT_EQ(0U, st.reserved0);
	close(fd);
}

TEST_F(mailbox, stat_of_owned_mailbox_reports_owned_and_owner_pid)
{
	struct kipc_queue_stat st;
	int fd;

	fd = mb_create(self, "s", SR | OWNED, NULL);
	ASSERT_LE(0, fd);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(KIPC_STAT_OWNED, st.flags);
	EXPECT_EQ(getpid(), st.owner_pid);
	EXPECT_EQ(getpid(), st.creator_pid);
	EXPECT_EQ(0U, st.reserved0);
	EXPECT_EQ(0U, st.reserved[0]);
	EXPECT_EQ(0U, st.reserved[2]);
	close(fd);
}

TEST_F(mailbox, stat_of_owner_recv_mailbox_reports_both_flags)
{
	struct kipc_queue_stat st;
	int fd;

	fd = mb_create(self, "s", SR | OWNER_RECV, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(KIPC_STAT_OWNED | KIPC_STAT_OWNER_RECV, st.flags);
	EXPECT_EQ(getpid(), st.owner_pid);
	close(fd);
}

TEST_F(mailbox, stat_of_queue_reports_no_mailbox_fields)
{
	struct kipc_queue_stat st;
	int qfd;

	qfd = kt_create(self->sfd, &self->qnames, "q", SR, 0600, NULL, NULL);
	ASSERT_LE(0, qfd);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, stat_of(qfd, &st));
	EXPECT_EQ(0U, st.flags);
	EXPECT_EQ(0, st.owner_pid);
	EXPECT_EQ(0U, st.reserved0);
	close(qfd);
}

/* ---- owned mailboxes: the owner's exit ---- */

TEST_F(mailbox, owner_exit_removes_mailbox_and_frees_its_name)
{
	const char *name = mb_name(self, "own");
	struct kipc_queue_stat st;
	struct owner o;
	int fd, fd2;

	ASSERT_EQ(0, owner_start(&o, self->sfd, name, OWNED));
	fd = kipc_mailbox_open(self->sfd, name, KIPC_O_SEND, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(KIPC_STAT_OWNED, st.flags);
	EXPECT_EQ(o.pid, st.owner_pid);
	ASSERT_EQ(0, send_str(fd, "lost with it"));
	ASSERT_EQ(0, owner_exit(&o));
	/* gone as soon as the owner was reaped */
	EXPECT_EQ(-ENOENT, kipc_mailbox_open(self->sfd, name, SR, 0, NULL,
					     NULL));
	EXPECT_EQ(-ENOENT, kipc_mailbox_open_id(self->sfd, o.id, SR));
	EXPECT_EQ(-ENOENT, kipc_mailbox_remove(self->sfd, name));
	EXPECT_EQ(-EIDRM, send_str(fd, "x"));
	EXPECT_TRUE(wait_removed(fd, 0));
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(KIPC_STAT_OWNED | KIPC_STAT_REMOVED, st.flags);
	EXPECT_EQ(0, st.owner_pid);
	fd2 = mb_create_name(self->sfd, name, SR, NULL);
	EXPECT_LE(0, fd2) TH_LOG("name not free: %s", strerror(-fd2));
	if (fd2 >= 0)
		close(fd2);
	close(fd);
}

TEST_F(mailbox, owner_exit_wakes_receiver_blocked_in_another_process)
{
	int ready, fd;
	struct owner o;
	pid_t pid;

	ASSERT_EQ(0, owner_start(&o, self->sfd, mb_name(self, "own"), OWNED));
	pid = receiver_start(self->sfd, o.id, KIPC_O_RECV, &ready);
	ASSERT_LT(0, pid);
	EXPECT_TRUE(receiver_blocked(pid, ready));
	/* the test process holds an fd too, without waiting on it */
	fd = kipc_mailbox_open_id(self->sfd, o.id, KIPC_O_SEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, owner_exit(&o));
	EXPECT_EQ(EIDRM, kt_wait(pid));
	EXPECT_EQ(-EIDRM, send_str(fd, "x"));
	close(fd);
}

struct blocked {
	int fd;
	ssize_t ret;
};

static void *blocked_recv(void *arg)
{
	struct blocked *b = arg;
	char buf[16];

	b->ret = recv_wait(b->fd, buf, sizeof(buf), WAIT_MS, NULL);
	return NULL;
}

TEST_F(mailbox, sigkilled_owner_removes_mailbox)
{
	const char *name = mb_name(self, "kill");
	struct blocked b = { .ret = 1 };
	pthread_t t;
	struct owner o;

	ASSERT_EQ(0, owner_start(&o, self->sfd, name, OWNED));
	b.fd = kipc_mailbox_open(self->sfd, name, KIPC_O_RECV, 0, NULL, NULL);
	ASSERT_LE(0, b.fd);
	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_recv, &b));
	kt_sleep_ms(100);	/* early or late, the result is the same */
	EXPECT_EQ(KT_CHILD_KILLED, owner_kill(&o));
	pthread_join(t, NULL);
	EXPECT_EQ(-EIDRM, b.ret);
	EXPECT_TRUE(wait_removed(b.fd, 0));
	EXPECT_EQ(-ENOENT, kipc_mailbox_open(self->sfd, name, SR, 0, NULL,
					     NULL));
	close(b.fd);
}

TEST_F(mailbox, owner_exit_removes_anonymous_owned_mailbox)
{
	struct kipc_queue_stat st;
	struct owner o;
	int fd;

	ASSERT_EQ(0, owner_start(&o, self->sfd, NULL, OWNED));
	fd = kipc_mailbox_open_id(self->sfd, o.id, KIPC_O_SEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(KIPC_STAT_OWNED | KIPC_STAT_ANONYMOUS, st.flags);
	ASSERT_EQ(0, owner_exit(&o));
	EXPECT_EQ(-ENOENT, kipc_mailbox_open_id(self->sfd, o.id, SR));
	EXPECT_EQ(-EIDRM, send_str(fd, "x"));
	close(fd);
}

TEST_F(mailbox, owned_mailbox_removed_before_its_owner_exits)
{
	const char *name = mb_name(self, "rm");
	struct kipc_queue_stat st;
	struct owner o;
	int fd, fd2;

	ASSERT_EQ(0, owner_start(&o, self->sfd, name, OWNED));
	fd = kipc_mailbox_open(self->sfd, name, KIPC_O_SEND, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_mailbox_remove(self->sfd, name));
	EXPECT_EQ(-EIDRM, send_str(fd, "x"));
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(KIPC_STAT_OWNED | KIPC_STAT_REMOVED, st.flags);
	EXPECT_EQ(o.pid, st.owner_pid);
	/* a new mailbox of that name is not the owner's */
	fd2 = mb_create_name(self->sfd, name, SR, NULL);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, owner_exit(&o));
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(0, st.owner_pid);
	EXPECT_EQ(0, send_str(fd2, "unaffected"));
	EXPECT_EQ(0, recv_str(fd2, "unaffected"));
	close(fd2);
	close(fd);
}

/* In a child: create @name as a system mailbox, send "kept", exit. */
static int create_send_exit(int sfd, const char *name)
{
	int fd = mb_create_name(sfd, name, SR, NULL);

	if (fd < 0)
		return -fd;
	return kt_status(send_str(fd, "kept"));
}

TEST_F(mailbox, system_mailbox_survives_its_creator)
{
	const char *name = mb_name(self, "sys");
	struct kipc_queue_stat st;
	pid_t pid;
	int fd;

	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(create_send_exit(self->sfd, name));
	ASSERT_EQ(0, kt_wait(pid));
	fd = kipc_mailbox_open(self->sfd, name, KIPC_O_RECV, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, recv_str(fd, "kept"));
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(0U, st.flags);
	EXPECT_EQ(0, st.owner_pid);
	close(fd);
}

struct thread_create {
	int sfd;
	const char *name;
	int fd;
};

static void *create_in_thread(void *arg)
{
	struct thread_create *c = arg;

	c->fd = mb_create_name(c->sfd, c->name, SR | OWNED, NULL);
	return NULL;
}

TEST_F(mailbox, owned_mailbox_outlives_the_thread_that_made_it)
{
	struct thread_create c = { .sfd = self->sfd };
	struct kipc_queue_stat st;
	pthread_t t;
	int fd;

	c.name = mb_name(self, "thr");
	ASSERT_EQ(0, pthread_create(&t, NULL, create_in_thread, &c));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_LE(0, c.fd);
	kt_sleep_ms(100);	/* a wrongly noticed exit would have run */
	fd = kipc_mailbox_open(self->sfd, c.name, SR, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stat_of(fd, &st));
	EXPECT_EQ(KIPC_STAT_OWNED, st.flags);
	EXPECT_EQ(getpid(), st.owner_pid);
	close(fd);
	close(c.fd);
}

TEST_F(mailbox, owner_exit_returns_its_quota)
{
	const char *name = mb_name(self, "quota");
	unsigned long long saved;
	struct owner o;
	int fd, ret;

	ASSERT_EQ(0, kt_param_read("queues_per_user", &saved));
	ASSERT_EQ(0, kt_param_write("queues_per_user", 1));
	ret = owner_start(&o, self->sfd, name, OWNED);
	if (!ret) {
		/* root has its one mailbox */
		EXPECT_EQ(-EDQUOT, mb_create(self, "over", SR, NULL));
		EXPECT_EQ(0, owner_exit(&o));
		/* the same name: the exit must have been handled in full */
		fd = mb_create_name(self->sfd, name, SR, NULL);
		EXPECT_LE(0, fd) TH_LOG("after the owner's exit: %s",
					strerror(-fd));
		if (fd >= 0)
			close(fd);
	}
	EXPECT_EQ(0, kt_param_write("queues_per_user", saved));
	ASSERT_EQ(0, ret);
}

#define NR_RACES	24

/*
 * The owner's exit racing a remove and the close of the last other fd:
 * whichever unlinks first, the other finds nothing to do, and nothing
 * leaks (kmemleak and the module's quota check at unload tell).
 */
TEST_F_TIMEOUT(mailbox, owner_exit_racing_remove_and_close, 120)
{
	const char *name = mb_name(self, "race");
	int i, fd, ret;
	struct owner o;

	for (i = 0; i < NR_RACES; i++) {
		bool anon = i % 2;

		ASSERT_EQ(0, owner_start(&o, self->sfd, anon ? NULL : name,
					 i % 4 < 2 ? OWNED : OWNER_RECV));
		fd = kipc_mailbox_open_id(self->sfd, o.id, KIPC_O_SEND);
		ASSERT_LE(0, fd);
		owner_go(&o);
		if (!anon) {
			ret = kipc_mailbox_remove(self->sfd, name);
			EXPECT_TRUE(ret == 0 || ret == -ENOENT)
				TH_LOG("remove: %s", strerror(-ret));
		}
		ret = send_str(fd, "x");
		EXPECT_TRUE(ret == 0 || ret == -EIDRM)
			TH_LOG("send: %s", strerror(-ret));
		close(fd);
		ASSERT_EQ(0, kt_wait(o.pid));
		EXPECT_EQ(-ENOENT, kipc_mailbox_open_id(self->sfd, o.id,
							KIPC_O_SEND));
	}
}

/* ---- owner-only receive ---- */

struct op {
	int sfd;
	const char *name;	/* NULL: by @id */
	uint64_t id;
	unsigned int flags;
	int fd;			/* an inherited or passed fd */
};

/* Open with op->flags: 0 or the errno. */
static int op_open(void *arg)
{
	struct op *op = arg;
	int fd;

	if (op->name)
		fd = kipc_mailbox_open(op->sfd, op->name, op->flags, 0, NULL,
				       NULL);
	else
		fd = kipc_mailbox_open_id(op->sfd, op->id, op->flags);
	if (fd >= 0)
		close(fd);
	return kt_status(fd);
}

/* Open for sending and send "other": 0 or the errno. */
static int op_open_send(void *arg)
{
	struct op *op = arg;
	int fd, ret;

	fd = kipc_mailbox_open(op->sfd, op->name, KIPC_O_SEND, 0, NULL, NULL);
	if (fd < 0)
		return kt_status(fd);
	ret = send_str(fd, "other");
	close(fd);
	return kt_status(ret);
}

TEST_F(mailbox, owner_recv_open_for_recv_by_another_process_returns_eacces)
{
	struct op op = { .sfd = self->sfd };
	int fd;

	fd = mb_create(self, "or", SR | OWNER_RECV, &op.id);
	ASSERT_LE(0, fd);
	op.name = self->names.name[self->names.n - 1];
	op.flags = KIPC_O_RECV;
	EXPECT_EQ(EACCES, kt_run_child(-1, -1, op_open, &op));
	op.flags = SR;
	EXPECT_EQ(EACCES, kt_run_child(-1, -1, op_open, &op));
	op.flags = KIPC_O_CREAT | KIPC_O_RECV;
	EXPECT_EQ(EACCES, kt_run_child(-1, -1, op_open, &op));
	op.name = NULL;
	op.flags = KIPC_O_RECV;
	EXPECT_EQ(EACCES, kt_run_child(-1, -1, op_open, &op));
	/* but not for sending */
	op.flags = KIPC_O_SEND;
	EXPECT_EQ(0, kt_run_child(-1, -1, op_open, &op));
	close(fd);
}

TEST_F(mailbox, owner_recv_mailbox_takes_messages_from_other_processes)
{
	struct op op = { .sfd = self->sfd };
	struct kipc_msg_info info;
	char buf[16];
	int fd;

	fd = mb_create(self, "or", KIPC_O_RECV | OWNER_RECV, NULL);
	ASSERT_LE(0, fd);
	op.name = self->names.name[self->names.n - 1];
	EXPECT_EQ(0, kt_run_child(-1, -1, op_open_send, &op));
	ASSERT_EQ(5, kt_recv_nb(fd, buf, sizeof(buf), &info));
	EXPECT_EQ(0, memcmp(buf, "other", 5));
	EXPECT_NE(getpid(), info.sender_pid);
	close(fd);
}

struct thread_recv {
	int fd;
	ssize_t ret;
};

static void *recv_in_thread(void *arg)
{
	struct thread_recv *r = arg;
	char buf[16];

	r->ret = kt_recv_nb(r->fd, buf, sizeof(buf), NULL);
	return NULL;
}

TEST_F(mailbox, owner_and_its_threads_receive_from_owner_recv_mailbox)
{
	struct thread_recv r;
	const char *name = mb_name(self, "or");
	pthread_t t;
	int fd, rfd;

	fd = mb_create_name(self->sfd, name, KIPC_O_SEND | OWNER_RECV, NULL);
	ASSERT_LE(0, fd);
	/* the owner opens it again to receive */
	rfd = kipc_mailbox_open(self->sfd, name, KIPC_O_RECV, 0, NULL, NULL);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, send_str(fd, "one"));
	ASSERT_EQ(0, send_str(fd, "two"));
	EXPECT_EQ(0, recv_str(rfd, "one"));
	r.fd = rfd;
	ASSERT_EQ(0, pthread_create(&t, NULL, recv_in_thread, &r));
	pthread_join(t, NULL);
	EXPECT_EQ(3, r.ret);
	close(rfd);
	close(fd);
}

/* Receive on op->fd in two ways, then send: 0 or KT_CHILD_WRONG. */
static int recv_denied(int fd)
{
	char buf[16];

	if (kt_recv_nb(fd, buf, sizeof(buf), NULL) != -EPERM)
		return KT_CHILD_WRONG;
	errno = 0;
	if (read(fd, buf, sizeof(buf)) != -1 || errno != EPERM)
		return KT_CHILD_WRONG;
	/* sending through it still works */
	if (send_str(fd, "child"))
		return KT_CHILD_WRONG;
	return 0;
}

TEST_F(mailbox, owner_recv_through_an_inherited_fd_returns_eperm)
{
	pid_t pid;
	int fd;

	fd = mb_create(self, "or", SR | OWNER_RECV, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "parent"));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(recv_denied(fd));
	EXPECT_EQ(0, kt_wait(pid));
	/* the child took nothing; the owner receives both */
	EXPECT_EQ(0, recv_str(fd, "parent"));
	EXPECT_EQ(0, recv_str(fd, "child"));
	close(fd);
}

TEST_F(mailbox, owner_recv_through_a_passed_fd_returns_eperm)
{
	int sv[2], fd;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* a process that did not exist when the mailbox was made */
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int got;

		close(sv[0]);
		got = kt_recv_fd(sv[1]);
		if (got < 0)
			_exit(KT_CHILD_SETUP);
		_exit(recv_denied(got));
	}
	close(sv[1]);
	fd = mb_create(self, "or", SR | OWNER_RECV, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_send_fd(sv[0], fd));
	EXPECT_EQ(0, kt_wait(pid));
	EXPECT_EQ(0, recv_str(fd, "child"));
	close(sv[0]);
	close(fd);
}

TEST_F(mailbox, owner_recv_needs_the_owner_even_without_other_permissions)
{
	struct op op = { .sfd = self->sfd, .flags = KIPC_O_RECV };
	int fd;

	/* mode 0666 and root: neither opens it for another process */
	fd = kipc_mailbox_open(self->sfd, mb_name(self, "or"),
			       CREATE | SR | OWNER_RECV, 0666, NULL, &op.id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, kt_run_child(-1, -1, op_open, &op));
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	close(fd);
}

/* ---- permissions ---- */

static int op_remove(void *arg)
{
	struct op *op = arg;

	if (op->name)
		return kt_status(kipc_mailbox_remove(op->sfd, op->name));
	return kt_status(kipc_mailbox_remove_id(op->sfd, op->id));
}

/* Create op->name (a system mailbox), mode 0600, and keep it: 0 or errno. */
static int op_create(void *arg)
{
	struct op *op = arg;
	int fd = mb_create_name(op->sfd, op->name, op->flags, NULL);

	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

/* Create op->name and remove it: 0 or the first errno. */
static int op_create_remove(void *arg)
{
	int ret = op_create(arg);

	return ret ? ret : op_remove(arg);
}

TEST_F(mailbox, nobody_removing_roots_mailbox_gets_eperm)
{
	struct op op = { .sfd = self->sfd };
	int fd;

	fd = kipc_mailbox_open(self->sfd, mb_name(self, "p"), CREATE | SR,
			       0666, NULL, &op.id);
	ASSERT_LE(0, fd);
	op.name = self->names.name[self->names.n - 1];
	EXPECT_EQ(EPERM, kt_run_as_nobody(op_remove, &op));
	op.name = NULL;
	EXPECT_EQ(EPERM, kt_run_as_nobody(op_remove, &op));
	EXPECT_EQ(0, send_str(fd, "still here"));
	close(fd);
}

TEST_F(mailbox, nobody_opening_0600_mailbox_gets_eacces)
{
	struct op op = { .sfd = self->sfd, .flags = KIPC_O_SEND };
	int fd;

	fd = mb_create(self, "p", SR, &op.id);
	ASSERT_LE(0, fd);
	op.name = self->names.name[self->names.n - 1];
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	op.flags = KIPC_O_RECV;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	op.name = NULL;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	close(fd);
}

TEST_F(mailbox, nobody_may_send_to_0622_mailbox)
{
	struct op op = { .sfd = self->sfd };
	struct kipc_msg_info info;
	char buf[16];
	int fd;

	fd = kipc_mailbox_open(self->sfd, mb_name(self, "p"), CREATE | SR,
			       0622, NULL, NULL);
	ASSERT_LE(0, fd);
	op.name = self->names.name[self->names.n - 1];
	EXPECT_EQ(0, kt_run_as_nobody(op_open_send, &op));
	ASSERT_EQ(5, kt_recv_nb(fd, buf, sizeof(buf), &info));
	EXPECT_EQ((uint32_t)KT_NOBODY, info.sender_uid);
	close(fd);
}

TEST_F(mailbox, nobody_creates_and_removes_its_own_mailbox)
{
	struct op op = { .sfd = self->sfd, .flags = SR };

	op.name = mb_name(self, "p");
	EXPECT_EQ(0, kt_run_as_nobody(op_create_remove, &op));
	op.flags = SR | OWNED;
	op.name = mb_name(self, "p");
	EXPECT_EQ(0, kt_run_as_nobody(op_create_remove, &op));
}

TEST_F(mailbox, root_removes_mailbox_nobody_left_behind)
{
	struct op op = { .sfd = self->sfd, .flags = SR };

	op.name = mb_name(self, "p");
	ASSERT_EQ(0, kt_run_as_nobody(op_create, &op));
	EXPECT_EQ(0, kipc_mailbox_remove(self->sfd, op.name));
}

/* As nobody: two queues and two mailboxes fit a limit of 2, no third. */
static int fill_quota(void *arg)
{
	struct op *op = arg;
	char name[KT_NAME_LEN + 8];
	int i, fd, ret = 0;

	for (i = 0; i < 3 && !ret; i++) {
		snprintf(name, sizeof(name), "%s-q%d", op->name, i);
		fd = kipc_queue_open(op->sfd, name, CREATE | SR, 0600, NULL,
				     NULL);
		if (fd >= 0)
			close(fd);
		if (i < 2 ? fd < 0 : fd != -EDQUOT)
			ret = KT_CHILD_WRONG;
		snprintf(name, sizeof(name), "%s-m%d", op->name, i);
		fd = mb_create_name(op->sfd, name, SR, NULL);
		if (fd >= 0)
			close(fd);
		if (i < 2 ? fd < 0 : fd != -EDQUOT)
			ret = KT_CHILD_WRONG + 1;
	}
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s-q%d", op->name, i);
		kipc_queue_remove(op->sfd, name);
		snprintf(name, sizeof(name), "%s-m%d", op->name, i);
		kipc_mailbox_remove(op->sfd, name);
	}
	return ret;
}

TEST_F(mailbox, mailboxes_are_counted_apart_from_queues_per_user)
{
	struct op op = { .sfd = self->sfd };
	unsigned long long saved;
	char prefix[KT_NAME_LEN];

	snprintf(prefix, sizeof(prefix), "kt-%d-quota", getpid());
	op.name = prefix;
	ASSERT_EQ(0, kt_param_read("queues_per_user", &saved));
	ASSERT_EQ(0, kt_param_write("queues_per_user", 2));
	EXPECT_EQ(0, kt_run_as_nobody(fill_quota, &op));
	EXPECT_EQ(0, kt_param_write("queues_per_user", saved));
}

/* ---- many senders and receivers: each message exactly once ---- */

#define NR_SENDERS	4
#define NR_RECEIVERS	4
#define MSGS_PER_SENDER	600

struct tally {
	uint32_t seen[NR_SENDERS][MSGS_PER_SENDER];
	uint32_t by_receiver[NR_RECEIVERS];
	uint32_t bad;		/* malformed or misattributed messages */
	pid_t sender_pid[NR_SENDERS];
};

struct note {
	uint32_t sender;
	uint32_t seq;
};

static int sender_main(int sfd, uint64_t id, uint32_t sender)
{
	struct note n = { .sender = sender };
	int fd, ret;

	fd = kipc_mailbox_open_id(sfd, id, KIPC_O_SEND);
	if (fd < 0)
		return KT_CHILD_SETUP;
	for (n.seq = 0; n.seq < MSGS_PER_SENDER; n.seq++) {
		ret = kipc_queue_timedsend(fd, &n, sizeof(n), sender,
					   KIPC_MSG_DEADLINE, kt_mono_ns() +
					   WAIT_MS * NSEC_PER_MSEC);
		if (ret)
			return -ret;
	}
	return 0;
}

/* Receive until the mailbox is removed: 0, or the unexpected errno. */
static int receiver_main(int sfd, uint64_t id, uint32_t me, struct tally *t)
{
	struct kipc_msg_info info;
	struct note n;
	ssize_t len;
	int fd;

	fd = kipc_mailbox_open_id(sfd, id, KIPC_O_RECV);
	if (fd < 0)
		return KT_CHILD_SETUP;
	for (;;) {
		len = recv_wait(fd, &n, sizeof(n), 3 * WAIT_MS, &info);
		if (len == -EIDRM)
			return 0;
		if (len < 0)
			return -len;
		if (len != sizeof(n) || n.sender >= NR_SENDERS ||
		    n.seq >= MSGS_PER_SENDER || info.type != n.sender ||
		    info.sender_pid != t->sender_pid[n.sender]) {
			__atomic_add_fetch(&t->bad, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_add_fetch(&t->seen[n.sender][n.seq], 1,
				   __ATOMIC_RELAXED);
		__atomic_add_fetch(&t->by_receiver[me], 1, __ATOMIC_RELAXED);
	}
}

TEST_F_TIMEOUT(mailbox, many_senders_and_receivers_get_each_message_once, 120)
{
	pid_t recv_pid[NR_RECEIVERS], send_pid[NR_SENDERS];
	uint32_t lost = 0, dup = 0, s, m;
	const char *name = mb_name(self, "many");
	struct kipc_queue_limits lim = { .max_msgs = 64 };
	struct tally *t;
	uint64_t id = 0;
	int fd, i;

	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t);
	/* a small mailbox, so that senders wait for room too */
	fd = kipc_mailbox_open(self->sfd, name, CREATE | KIPC_O_SEND, 0600,
			       &lim, &id);
	ASSERT_LE(0, fd);
	/* senders first: receivers check each message's sender pid */
	for (i = 0; i < NR_SENDERS; i++) {
		send_pid[i] = kt_fork();
		ASSERT_LE(0, send_pid[i]);
		if (send_pid[i] == 0)
			_exit(sender_main(self->sfd, id, i));
		t->sender_pid[i] = send_pid[i];
	}
	for (i = 0; i < NR_RECEIVERS; i++) {
		recv_pid[i] = kt_fork();
		ASSERT_LE(0, recv_pid[i]);
		if (recv_pid[i] == 0)
			_exit(receiver_main(self->sfd, id, i, t));
	}
	for (i = 0; i < NR_SENDERS; i++)
		EXPECT_EQ(0, kt_wait(send_pid[i])) TH_LOG("sender %d", i);
	/* everything sent was taken: end the receivers */
	for (i = 0; i < WAIT_MS / 10 && kt_nr_msgs(fd) > 0; i++)
		kt_sleep_ms(10);
	EXPECT_EQ(0, kt_nr_msgs(fd));
	ASSERT_EQ(0, kipc_mailbox_remove(self->sfd, name));
	for (i = 0; i < NR_RECEIVERS; i++)
		EXPECT_EQ(0, kt_wait(recv_pid[i])) TH_LOG("receiver %d", i);

	for (s = 0; s < NR_SENDERS; s++)
		for (m = 0; m < MSGS_PER_SENDER; m++) {
			lost += t->seen[s][m] == 0;
			dup += t->seen[s][m] > 1;
		}
	EXPECT_EQ(0U, lost);
	EXPECT_EQ(0U, dup);
	EXPECT_EQ(0U, t->bad);
	TH_LOG("taken per receiver: %u %u %u %u", t->by_receiver[0],
	       t->by_receiver[1], t->by_receiver[2], t->by_receiver[3]);
	close(fd);
	munmap(t, sizeof(*t));
}

TEST_F_TIMEOUT(mailbox, blocked_receivers_get_one_message_each, 60)
{
	int fd, ready[NR_RECEIVERS], i, got[NR_RECEIVERS + 1];
	pid_t pid[NR_RECEIVERS];
	uint64_t id = 0;
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	fd = mb_create(self, "wake", KIPC_O_SEND, &id);
	ASSERT_LE(0, fd);
	for (i = 0; i < NR_RECEIVERS; i++) {
		int rp[2];

		ASSERT_EQ(0, pipe2(rp, O_CLOEXEC));
		pid[i] = kt_fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			unsigned char buf[8];
			int rfd;
			ssize_t n;

			rfd = kipc_mailbox_open_id(self->sfd, id, KIPC_O_RECV);
			if (rfd < 0 || !write_full(rp[1], "r", 1))
				_exit(KT_CHILD_SETUP);
			n = recv_wait(rfd, buf, sizeof(buf), WAIT_MS, NULL);
			if (n != 1 || !write_full(p[1], buf, 1))
				_exit(n < 0 ? -n : KT_CHILD_WRONG);
			_exit(0);
		}
		close(rp[1]);
		ready[i] = rp[0];
	}
	close(p[1]);
	for (i = 0; i < NR_RECEIVERS; i++)
		EXPECT_TRUE(receiver_blocked(pid[i], ready[i]));
	/* as many messages as receivers: one for each */
	for (i = 1; i <= NR_RECEIVERS; i++) {
		unsigned char c = i;

		ASSERT_EQ(0, kt_send_nb(fd, &c, 1, 0));
	}
	for (i = 0; i < NR_RECEIVERS; i++)
		EXPECT_EQ(0, kt_wait(pid[i])) TH_LOG("receiver %d", i);
	memset(got, 0, sizeof(got));
	for (i = 0; i < NR_RECEIVERS; i++) {
		unsigned char c;

		ASSERT_TRUE(read_full(p[0], &c, 1));
		ASSERT_LE(1, c);
		ASSERT_GE(NR_RECEIVERS, c);
		got[c]++;
	}
	for (i = 1; i <= NR_RECEIVERS; i++)
		EXPECT_EQ(1, got[i]) TH_LOG("message %d", i);
	EXPECT_EQ(0, kt_nr_msgs(fd));
	close(p[0]);
	close(fd);
}

KT_HARNESS_MAIN
