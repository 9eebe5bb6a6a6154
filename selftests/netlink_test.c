// SPDX-License-Identifier: GPL-2.0
/*
 * kipc's generic netlink family "kipc" (uapi/linux/kipc.h, "Generic netlink
 * family"): objects made through the device as OBJ_GET (by id, by type and
 * name) and the dump report them, their counters as messages flow, module
 * statistics, visibility of names to other users, OBJ_DEL and OBJ_NEW with
 * their permissions and errors.  Events are in netlink_events_test.c,
 * dumps under change and at scale in netlink_dump_test.c, malformed
 * requests in netlink_malformed_test.c.
 */
#include <sched.h>

#include <sys/time.h>

#include "kipc_test.h"
#include "kipc_nl.h"

FIXTURE(nl) {
	int sfd;
	struct knl nl;
	struct knl_names names;
};

FIXTURE_SETUP(nl)
{
	self->nl.fd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	KNL_OPEN(&self->nl);
}

FIXTURE_TEARDOWN(nl)
{
	knl_names_remove_all(self->sfd, &self->names);
	knl_close(&self->nl);
	close(self->sfd);
}

static const struct kipc_queue_limits small_lim = {
	.max_msgsize = 100, .max_msgs = 5, .capacity = 300,
};

/* A new named queue (SEND|RECV) of @mode; its id into *@id. */
static int new_queue(FIXTURE_DATA(nl) *self, const char *tag,
		     unsigned int mode, uint64_t *id)
{
	return kipc_queue_open(self->sfd,
			       knl_name_new(&self->names, KIPC_TYPE_QUEUE, tag),
			       KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
			       KIPC_O_RECV, mode, &small_lim, id);
}

/* Both ends of a pipe (@name NULL: anonymous); its id.  0 or -errno. */
static long pipe_both(int sfd, const char *name, unsigned int cap,
		      int fds[2], uint64_t *id)
{
	struct kipc_pipe_open o = {
		.size = sizeof(o),
		.flags = KIPC_O_READ | KIPC_O_WRITE | KIPC_O_CREAT |
			 KIPC_O_EXCL | KIPC_O_NONBLOCK,
		.name_ptr = (uintptr_t)name,
		.mode = 0600,
		.capacity = cap,
	};
	long ret = kt_ioctl(sfd, KIPC_IOC_PIPE_OPEN, &o);

	if (ret < 0)
		return ret;
	fds[0] = o.read_fd;
	fds[1] = o.write_fd;
	*id = o.id;
	return 0;
}

/* The object of @id in a dump of @type into @o: 0, -ENOENT, -errno. */
static int dump_find(struct knl *nl, uint32_t type, uint64_t id,
		     struct knl_obj *o)
{
	struct knl_list l;
	const struct knl_obj *f;
	int ret = knl_dump_list(nl, type, -1, &l, NULL);

	if (!ret) {
		f = knl_list_find(&l, id);
		if (f)
			*o = *f;
		else
			ret = -ENOENT;
	}
	knl_list_free(&l);
	return ret;
}

/* ---- the family ---- */

TEST_F(nl, family_resolves_with_events_group_and_feature_bit)
{
	struct kipc_version v = { .size = sizeof(v) };

	ASSERT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(KIPC_FEAT_GENL, v.features & KIPC_FEAT_GENL);
	EXPECT_NE(0, self->nl.family);
	EXPECT_NE(0U, self->nl.events_grp);
}

/* ---- objects through the device, in get and dump ---- */

TEST_F(nl, queue_reported_by_id_by_name_and_in_dump)
{
	struct knl_obj o, byname, dumped;
	char buf[64];
	uint64_t id, t0, t1;
	int qfd, fd2;

	t0 = kt_real_ns();
	qfd = new_queue(self, "q", 0640, &id);
	ASSERT_LE(0, qfd);
	t1 = kt_real_ns();
	ASSERT_EQ(0, kt_send_nb(qfd, "hello", 5, 1));
	ASSERT_EQ(0, kt_send_nb(qfd, "world!!", 7, 2));
	ASSERT_EQ(5, kt_recv_nb(qfd, buf, sizeof(buf), NULL));

	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	EXPECT_EQ(KIPC_CMD_OBJ_GET, o.cmd);
	KNL_EXPECT(&o, "queue by id",
		   { KIPC_A_ID, id }, { KIPC_A_TYPE, KIPC_TYPE_QUEUE },
		   { KIPC_A_UID, 0 }, { KIPC_A_GID, 0 }, { KIPC_A_CUID, 0 },
		   { KIPC_A_CGID, 0 }, { KIPC_A_MODE, 0640 },
		   { KIPC_A_CREATOR_PID, getpid() }, { KIPC_A_FLAGS, 0 },
		   { KIPC_A_FILES, 1 }, { KIPC_A_MSGS, 1 }, { KIPC_A_BYTES, 7 },
		   { KIPC_A_MAX_MSGS, 5 }, { KIPC_A_MAX_MSGSIZE, 100 },
		   { KIPC_A_CAPACITY, 300 }, { KIPC_A_WAITERS, 0 },
		   { KIPC_A_MSGS_IN, 2 }, { KIPC_A_MSGS_OUT, 1 },
		   { KIPC_A_BYTES_IN, 12 }, { KIPC_A_BYTES_OUT, 5 });
	ASSERT_TRUE(KNL_HAS(&o, KIPC_A_NAME));
	EXPECT_STREQ(self->names.name[0], o.name);
	ASSERT_TRUE(KNL_HAS(&o, KIPC_A_CREATE_TIME));
	EXPECT_LE(t0 - NSEC_PER_SEC, o.v[KIPC_A_CREATE_TIME]);
	EXPECT_GE(t1 + NSEC_PER_SEC, o.v[KIPC_A_CREATE_TIME]);
	EXPECT_FALSE(KNL_HAS(&o, KIPC_A_OWNER_PID) &&
		     o.v[KIPC_A_OWNER_PID]);

	/* by type and name, and in the dump: the same */
	ASSERT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_QUEUE,
				  self->names.name[0], &byname));
	ASSERT_EQ(0, dump_find(&self->nl, 0, id, &dumped));
	EXPECT_EQ(0, memcmp(o.v, byname.v, sizeof(o.v)));
	EXPECT_EQ(o.present, byname.present);
	EXPECT_STREQ(o.name, byname.name);
	EXPECT_EQ(0, memcmp(o.v, dumped.v, sizeof(o.v)));
	EXPECT_EQ(o.present, dumped.present);
	EXPECT_STREQ(o.name, dumped.name);

	/* a second opening counts */
	fd2 = kipc_queue_open(self->sfd, self->names.name[0], KIPC_O_RECV, 0,
			      NULL, NULL);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	KNL_EXPECT(&o, "two fds", { KIPC_A_FILES, 2 });
	close(fd2);
	close(qfd);
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	KNL_EXPECT(&o, "named, no fd", { KIPC_A_FILES, 0 },
		   { KIPC_A_MSGS, 1 });
}

TEST_F(nl, blocked_receiver_counts_as_waiter)
{
	struct knl_obj o;
	uint64_t id;
	pid_t pid;
	int qfd;

	qfd = new_queue(self, "w", 0600, &id);
	ASSERT_LE(0, qfd);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		kipc_queue_recv(qfd, &c, 1, NULL);
		_exit(0);
	}
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	KNL_EXPECT(&o, "one receiver blocked", { KIPC_A_WAITERS, 1 });
	ASSERT_EQ(0, kt_send_nb(qfd, "x", 1, 0));
	EXPECT_EQ(0, kt_wait(pid));
	close(qfd);
}

TEST_F(nl, anonymous_queue_has_no_name_and_goes_with_its_last_fd)
{
	struct knl_obj o;
	uint64_t id;
	int qfd, fd2;

	qfd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND,
			      0600, NULL, &id);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	KNL_EXPECT(&o, "anonymous", { KIPC_A_TYPE, KIPC_TYPE_QUEUE },
		   { KIPC_A_FLAGS, KIPC_STAT_ANONYMOUS }, { KIPC_A_FILES, 1 });
	EXPECT_FALSE(KNL_HAS(&o, KIPC_A_NAME));
	fd2 = kipc_queue_open_id(self->sfd, id, KIPC_O_RECV);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	KNL_EXPECT(&o, "anonymous, two fds", { KIPC_A_FILES, 2 });
	close(qfd);
	close(fd2);
	EXPECT_EQ(-ENOENT, knl_get_id(&self->nl, id, &o));
	EXPECT_EQ(-ENOENT, dump_find(&self->nl, 0, id, &o));
}

TEST_F(nl, owned_mailbox_reports_owner_and_flags)
{
	struct knl_obj o;
	uint64_t id, id2;
	const char *name = knl_name_new(&self->names, KIPC_TYPE_MAILBOX, "m");
	int fd, fd2;

	fd = kipc_mailbox_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			       KIPC_O_SEND | KIPC_O_RECV | KIPC_O_OWNED |
			       KIPC_O_OWNER_RECV, 0620, &small_lim, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_send_nb(fd, "abc", 3, 0));
	ASSERT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_MAILBOX, name, &o));
	KNL_EXPECT(&o, "owned mailbox", { KIPC_A_ID, id },
		   { KIPC_A_TYPE, KIPC_TYPE_MAILBOX }, { KIPC_A_MODE, 0620 },
		   { KIPC_A_FLAGS, KIPC_STAT_OWNED | KIPC_STAT_OWNER_RECV },
		   { KIPC_A_OWNER_PID, getpid() },
		   { KIPC_A_CREATOR_PID, getpid() }, { KIPC_A_FILES, 1 },
		   { KIPC_A_MSGS, 1 }, { KIPC_A_BYTES, 3 },
		   { KIPC_A_MSGS_IN, 1 }, { KIPC_A_BYTES_IN, 3 },
		   { KIPC_A_MSGS_OUT, 0 }, { KIPC_A_MAX_MSGS, 5 },
		   { KIPC_A_MAX_MSGSIZE, 100 }, { KIPC_A_CAPACITY, 300 });
	EXPECT_STREQ(name, o.name);

	/* the names are apart: a queue of the same name is another object */
	fd2 = kipc_queue_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			      KIPC_O_SEND, 0600, NULL, &id2);
	ASSERT_LE(0, fd2);
	self->names.type[self->names.n] = KIPC_TYPE_QUEUE;
	strcpy(self->names.name[self->names.n++], name);
	ASSERT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_QUEUE, name, &o));
	KNL_EXPECT(&o, "queue of the mailbox's name", { KIPC_A_ID, id2 },
		   { KIPC_A_TYPE, KIPC_TYPE_QUEUE });
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_PIPE, name, &o));
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_SHM, name, &o));
	close(fd2);
	close(fd);
}

TEST_F(nl, system_mailbox_has_no_owner)
{
	struct knl_obj o;
	uint64_t id;
	int fd;

	fd = kipc_mailbox_open(self->sfd,
			       knl_name_new(&self->names, KIPC_TYPE_MAILBOX,
					    "s"),
			       KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND, 0600,
			       NULL, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	KNL_EXPECT(&o, "system mailbox", { KIPC_A_TYPE, KIPC_TYPE_MAILBOX },
		   { KIPC_A_FLAGS, 0 });
	EXPECT_FALSE(KNL_HAS(&o, KIPC_A_OWNER_PID) &&
		     o.v[KIPC_A_OWNER_PID]);
	close(fd);
}

TEST_F(nl, pipe_counts_writes_reads_and_ends)
{
	struct kipc_pipe_stat st;
	struct knl_obj o;
	char buf[64] = { 0 };
	uint64_t id, aid;
	int fds[2], afds[2];
	const char *name = knl_name_new(&self->names, KIPC_TYPE_PIPE, "p");

	ASSERT_EQ(0, pipe_both(self->sfd, name, 8192, fds, &id));
	ASSERT_EQ(10, write(fds[1], buf, 10));
	ASSERT_EQ(5, write(fds[1], buf, 5));
	ASSERT_EQ(8, read(fds[0], buf, 8));
	ASSERT_EQ(0, kipc_pipe_stat(fds[0], &st));
	ASSERT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_PIPE, name, &o));
	KNL_EXPECT(&o, "named pipe", { KIPC_A_ID, id },
		   { KIPC_A_TYPE, KIPC_TYPE_PIPE }, { KIPC_A_MODE, 0600 },
		   { KIPC_A_UID, 0 }, { KIPC_A_CUID, 0 }, { KIPC_A_FLAGS, 0 },
		   { KIPC_A_CREATOR_PID, getpid() }, { KIPC_A_FILES, 2 },
		   { KIPC_A_BYTES, 7 }, { KIPC_A_CAPACITY, st.capacity },
		   { KIPC_A_READERS, 1 }, { KIPC_A_WRITERS, 1 },
		   { KIPC_A_WAITERS, 0 }, { KIPC_A_MSGS_IN, 2 },
		   { KIPC_A_MSGS_OUT, 1 }, { KIPC_A_BYTES_IN, 15 },
		   { KIPC_A_BYTES_OUT, 8 });
	EXPECT_STREQ(name, o.name);
	close(fds[1]);
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	KNL_EXPECT(&o, "named pipe, no writer", { KIPC_A_WRITERS, 0 },
		   { KIPC_A_READERS, 1 }, { KIPC_A_FILES, 1 });
	close(fds[0]);

	/* anonymous */
	ASSERT_EQ(0, pipe_both(self->sfd, NULL, 0, afds, &aid));
	ASSERT_EQ(3, write(afds[1], "abc", 3));
	ASSERT_EQ(0, dump_find(&self->nl, KIPC_TYPE_PIPE, aid, &o));
	KNL_EXPECT(&o, "anonymous pipe", { KIPC_A_TYPE, KIPC_TYPE_PIPE },
		   { KIPC_A_FLAGS, KIPC_STAT_ANONYMOUS }, { KIPC_A_BYTES, 3 },
		   { KIPC_A_MSGS_IN, 1 }, { KIPC_A_BYTES_IN, 3 },
		   { KIPC_A_READERS, 1 }, { KIPC_A_WRITERS, 1 });
	EXPECT_FALSE(KNL_HAS(&o, KIPC_A_NAME));
	close(afds[0]);
	close(afds[1]);
	EXPECT_EQ(-ENOENT, knl_get_id(&self->nl, aid, &o));
}

TEST_F(nl, blocked_pipe_reader_and_shm_waiter_count_as_waiters)
{
	struct kipc_shm_wait w = { .size = sizeof(w) };
	struct kipc_shm_wake k = { .size = sizeof(k), .count = 1 };
	struct knl_obj o;
	uint64_t pid_, sid;
	int fds[2], shm;
	pid_t c1, c2;

	ASSERT_EQ(0, pipe_both(self->sfd, NULL, 0, fds, &pid_));
	shm = kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_READ |
			    KIPC_O_WRITE, 0600, 4096, &sid);
	ASSERT_LE(0, shm);
	c1 = kt_fork();
	ASSERT_LE(0, c1);
	if (c1 == 0) {
		char c;

		fcntl(fds[0], F_SETFL, 0);
		_exit(read(fds[0], &c, 1) == 1 ? 0 : KT_CHILD_WRONG);
	}
	c2 = kt_fork();
	ASSERT_LE(0, c2);
	if (c2 == 0)
		_exit(kt_status(kt_ioctl(shm, KIPC_IOC_SHM_WAIT, &w)));
	ASSERT_TRUE(kt_wait_sleeping(c1, 10000));
	ASSERT_TRUE(kt_wait_sleeping(c2, 10000));
	ASSERT_EQ(0, knl_get_id(&self->nl, pid_, &o));
	KNL_EXPECT(&o, "pipe, a reader blocked", { KIPC_A_WAITERS, 1 });
	ASSERT_EQ(0, knl_get_id(&self->nl, sid, &o));
	KNL_EXPECT(&o, "region, a waiter", { KIPC_A_WAITERS, 1 });
	ASSERT_EQ(1, write(fds[1], "x", 1));
	EXPECT_EQ(1, kt_ioctl(shm, KIPC_IOC_SHM_WAKE, &k));
	EXPECT_EQ(0, kt_wait(c1));
	EXPECT_EQ(0, kt_wait(c2));
	ASSERT_EQ(0, knl_get_id(&self->nl, pid_, &o));
	KNL_EXPECT(&o, "pipe, nobody blocked", { KIPC_A_WAITERS, 0 });
	ASSERT_EQ(0, knl_get_id(&self->nl, sid, &o));
	KNL_EXPECT(&o, "region, nobody waits", { KIPC_A_WAITERS, 0 });
	close(fds[0]);
	close(fds[1]);
	close(shm);
}

TEST_F(nl, shm_reports_size_holders_and_locks)
{
	struct kipc_shm_lock lk = { .size = sizeof(lk) };
	struct knl_obj o;
	uint64_t id;
	const char *name = knl_name_new(&self->names, KIPC_TYPE_SHM, "s");
	int fd;

	fd = kipc_shm_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			   KIPC_O_READ | KIPC_O_WRITE, 0604, 10000, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	KNL_EXPECT(&o, "new region", { KIPC_A_TYPE, KIPC_TYPE_SHM },
		   { KIPC_A_CAPACITY, 10000 }, { KIPC_A_MODE, 0604 },
		   { KIPC_A_HOLDERS, 0 }, { KIPC_A_LOCKS, 0 },
		   { KIPC_A_WAITERS, 0 }, { KIPC_A_FILES, 1 },
		   { KIPC_A_FLAGS, 0 }, { KIPC_A_CREATOR_PID, getpid() });
	EXPECT_STREQ(name, o.name);
	ASSERT_LT(0, kt_ioctl(fd, KIPC_IOC_SHM_ATTACH, NULL));
	ASSERT_EQ(0, kt_ioctl(fd, KIPC_IOC_SHM_LOCK_INIT, &lk));
	lk.offset = 64;
	ASSERT_EQ(0, kt_ioctl(fd, KIPC_IOC_SHM_LOCK_INIT, &lk));
	ASSERT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_SHM, name, &o));
	KNL_EXPECT(&o, "attached, two locks", { KIPC_A_ID, id },
		   { KIPC_A_HOLDERS, 1 }, { KIPC_A_LOCKS, 2 });
	close(fd);
}

static int find_session(struct knl *nl, pid_t pid, struct knl_obj *o);

/* ---- pids and namespaces ---- */

static int create_and_exit_child(void *arg)
{
	int sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	int fd = kipc_queue_open(sfd, arg, KIPC_O_CREAT | KIPC_O_EXCL |
				 KIPC_O_SEND, 0600, NULL, NULL);

	return fd < 0 ? -fd : 0;
}

TEST_F(nl, creator_pid_is_0_once_the_creator_exited)
{
	const char *name = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "ex");
	struct knl_obj o;

	ASSERT_EQ(0, kt_run_child(-1, -1, create_and_exit_child,
				  (void *)name));
	ASSERT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_QUEUE, name, &o));
	KNL_EXPECT(&o, "creator gone", { KIPC_A_CREATOR_PID, 0 });
}

/*
 * In a new pid namespace (as its init, pid 1): a queue of the parent has
 * creator pid 0 (not visible there), one of its own creator pid 1, and
 * the parent's bound session has pid 0.  0 or the failed check.
 */
static int pidns_child(void *arg)
{
	const uint64_t *ids = arg;	/* parent's queue, its session */
	struct knl_obj o;
	struct knl nl;
	uint64_t id;
	int sfd, fd;

	if (getpid() != 1 || knl_open(&nl))
		return KT_CHILD_SETUP;
	if (knl_get_id(&nl, ids[0], &o) || !KNL_HAS(&o, KIPC_A_CREATOR_PID) ||
	    o.v[KIPC_A_CREATOR_PID] != 0)
		return 10;
	if (knl_get_id(&nl, ids[1], &o) || o.v[KIPC_A_PID] != 0)
		return 11;
	sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	fd = kipc_queue_open(sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, &id);
	if (fd < 0)
		return KT_CHILD_SETUP;
	if (knl_get_id(&nl, id, &o) || o.v[KIPC_A_CREATOR_PID] != 1)
		return 12;
	return 0;
}

TEST_F(nl, pids_are_in_the_readers_pid_namespace)
{
	struct knl_obj me;
	uint64_t ids[2];
	pid_t pid;
	int q;

	q = new_queue(self, "ns", 0600, &ids[0]);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, kipc_bind(self->sfd, 0, NULL));
	ASSERT_EQ(0, knl_get_id(&self->nl, ids[0], &me));
	KNL_EXPECT(&me, "my queue", { KIPC_A_CREATOR_PID, getpid() });
	ASSERT_EQ(1, find_session(&self->nl, getpid(), &me));
	ids[1] = me.v[KIPC_A_ID];
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWPID))
			_exit(KT_CHILD_SETUP);
		_exit(kt_run_child(-1, -1, pidns_child, ids));
	}
	EXPECT_EQ(0, kt_wait(pid));
	close(q);
}

/* In a new user namespace with no mapping: root's ids are the overflow ids */
static int userns_child(void *arg)
{
	const uint64_t *id = arg;
	struct knl_obj o;
	struct knl nl;

	if (unshare(CLONE_NEWUSER) || knl_open(&nl))
		return KT_CHILD_SETUP;
	if (knl_get_id(&nl, *id, &o))
		return 10;
	if (o.v[KIPC_A_UID] != KT_NOBODY || o.v[KIPC_A_GID] != KT_NOBODY ||
	    o.v[KIPC_A_CUID] != KT_NOBODY || o.v[KIPC_A_CGID] != KT_NOBODY)
		return 11;
	return 0;
}

TEST_F(nl, uids_are_in_the_readers_user_namespace)
{
	uint64_t id;
	int q = new_queue(self, "uns", 0600, &id);

	ASSERT_LE(0, q);
	EXPECT_EQ(0, kt_run_child(-1, -1, userns_child, &id));
	close(q);
}

static int netns_child(void *arg)
{
	struct knl nl;
	int ret;

	(void)arg;
	if (unshare(CLONE_NEWNET))
		return KT_CHILD_SETUP;
	ret = knl_open(&nl);
	if (!ret)
		knl_close(&nl);
	return ret == -ENOENT ? 0 : ret ? -ret : KT_CHILD_WRONG;
}

TEST_F(nl, family_only_in_the_initial_network_namespace)
{
	EXPECT_EQ(0, kt_run_child(-1, -1, netns_child, NULL));
}

/* ---- sessions and links ---- */

struct link_find {
	pid_t a, b;
	struct knl_obj o;
	int found;
};

static int link_find_cb(const struct knl_obj *o, void *arg)
{
	struct link_find *f = arg;
	uint64_t p = o->v[KIPC_A_PID], q = o->v[KIPC_A_PEER_PID];

	if (o->v[KIPC_A_TYPE] == KIPC_TYPE_LINK &&
	    ((p == (uint64_t)f->a && q == (uint64_t)f->b) ||
	     (p == (uint64_t)f->b && q == (uint64_t)f->a) ||
	     (f->b == 0 && (p == (uint64_t)f->a || q == (uint64_t)f->a)))) {
		f->o = *o;
		f->found++;
	}
	if (o->v[KIPC_A_TYPE] == KIPC_TYPE_SESSION && f->b == -1 &&
	    o->v[KIPC_A_PID] == (uint64_t)f->a) {
		f->o = *o;
		f->found++;
	}
	return 0;
}

/* The session of @pid: 1 found, 0 not, -errno. */
static int find_session(struct knl *nl, pid_t pid, struct knl_obj *o)
{
	struct link_find f = { .a = pid, .b = -1 };
	int ret = knl_dump(nl, KIPC_TYPE_SESSION, -1, link_find_cb, &f, NULL);

	*o = f.o;
	return ret ? ret : f.found;
}

/* The link between @a and @b (@b 0: any link of @a): found, or -errno */
static int find_link(struct knl *nl, pid_t a, pid_t b, struct knl_obj *o)
{
	struct link_find f = { .a = a, .b = b };
	int ret = knl_dump(nl, KIPC_TYPE_LINK, -1, link_find_cb, &f, NULL);

	*o = f.o;
	return ret ? ret : f.found;
}

TEST_F(nl, sessions_and_links_with_their_counters)
{
	struct kipc_queue_limits lim = {
		.max_msgsize = 300, .max_msgs = 7, .capacity = 5000,
	};
	struct kipc_link_send s;
	struct kt_peer_res res;
	struct knl_obj me, peer, link, o;
	struct kt_peer p;
	int lfd;

	ASSERT_EQ(0, kipc_bind(self->sfd, 0, &lim));
	ASSERT_EQ(0, kt_peer_start(&p, NULL));
	ASSERT_EQ(1, find_session(&self->nl, getpid(), &me));
	ASSERT_EQ(1, find_session(&self->nl, p.pid, &peer));
	KNL_EXPECT(&me, "my session", { KIPC_A_TYPE, KIPC_TYPE_SESSION },
		   { KIPC_A_UID, 0 }, { KIPC_A_LINKS, 0 },
		   { KIPC_A_MAX_MSGS, 7 }, { KIPC_A_MAX_MSGSIZE, 300 },
		   { KIPC_A_CAPACITY, 5000 }, { KIPC_A_MSGS, 0 });
	EXPECT_NE(me.v[KIPC_A_ID], peer.v[KIPC_A_ID]);

	lfd = kipc_connect(self->sfd, p.pid, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(1, find_link(&self->nl, getpid(), p.pid, &link));
	KNL_EXPECT(&link, "new link", { KIPC_A_STATE, KIPC_LINK_STATE_UP },
		   { KIPC_A_MSGS, 0 }, { KIPC_A_MSGS_IN, 0 });
	EXPECT_NE(me.v[KIPC_A_ID], link.v[KIPC_A_ID]);
	EXPECT_NE(peer.v[KIPC_A_ID], link.v[KIPC_A_ID]);

	kt_link_send_args(&s, 0, "hello", 5, 3);
	s.flags = KIPC_MSG_NONBLOCK;
	ASSERT_EQ(0, kt_ioctl(lfd, KIPC_IOC_LINK_SEND, &s));
	ASSERT_EQ(0, knl_get_id(&self->nl, link.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "link, one message queued", { KIPC_A_ID,
		   link.v[KIPC_A_ID] }, { KIPC_A_TYPE, KIPC_TYPE_LINK },
		   { KIPC_A_MSGS, 1 }, { KIPC_A_BYTES, 5 },
		   { KIPC_A_MSGS_IN, 1 }, { KIPC_A_BYTES_IN, 5 },
		   { KIPC_A_MSGS_OUT, 0 }, { KIPC_A_STATE, 0 });
	ASSERT_EQ(0, knl_get_id(&self->nl, peer.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "peer's session, one message toward it",
		   { KIPC_A_PID, p.pid }, { KIPC_A_LINKS, 1 },
		   { KIPC_A_MSGS, 1 }, { KIPC_A_BYTES, 5 },
		   { KIPC_A_MSGS_IN, 1 }, { KIPC_A_BYTES_IN, 5 },
		   { KIPC_A_MSGS_OUT, 0 });
	ASSERT_EQ(5, kt_peer_recv(&p, -1, 0, 5000, &res));
	ASSERT_EQ(0, knl_get_id(&self->nl, peer.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "peer's session, received", { KIPC_A_MSGS, 0 },
		   { KIPC_A_BYTES, 0 }, { KIPC_A_MSGS_OUT, 1 },
		   { KIPC_A_BYTES_OUT, 5 });
	ASSERT_EQ(0, knl_get_id(&self->nl, link.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "link, received", { KIPC_A_MSGS, 0 },
		   { KIPC_A_MSGS_OUT, 1 }, { KIPC_A_BYTES_OUT, 5 });

	/* the peer dies: its session goes, the link is down */
	kt_peer_kill(&p);
	EXPECT_EQ(-ENOENT, knl_get_id(&self->nl, peer.v[KIPC_A_ID], &o));
	ASSERT_EQ(0, knl_get_id(&self->nl, link.v[KIPC_A_ID], &o));
	KNL_EXPECT(&o, "link after the peer died",
		   { KIPC_A_STATE, KIPC_LINK_STATE_DOWN });
	EXPECT_TRUE((o.v[KIPC_A_PID] == (uint64_t)getpid() &&
		     o.v[KIPC_A_PEER_PID] == 0) ||
		    (o.v[KIPC_A_PEER_PID] == (uint64_t)getpid() &&
		     o.v[KIPC_A_PID] == 0))
		TH_LOG("pids %llu, %llu",
		       (unsigned long long)o.v[KIPC_A_PID],
		       (unsigned long long)o.v[KIPC_A_PEER_PID]);
	close(lfd);
}

/* ---- dump filters and errors of get ---- */

static int check_filter_cb(const struct knl_obj *o, void *arg)
{
	uint64_t *want = arg;	/* type, uid, last id, bad count */

	if ((want[0] && o->v[KIPC_A_TYPE] != want[0]) ||
	    (want[1] != ~0ULL && o->v[KIPC_A_UID] != want[1]) ||
	    o->v[KIPC_A_ID] <= want[2])
		want[3]++;
	want[2] = o->v[KIPC_A_ID];
	return 0;
}

TEST_F(nl, dump_filters_by_type_and_owner_in_id_order)
{
	struct kipc_queue_set set = {
		.size = sizeof(set), .flags = KIPC_SET_UID, .uid = 4242,
	};
	struct knl_list l;
	uint64_t id1, id2, mid, want[4];
	int q1, q2, m;

	q1 = new_queue(self, "f1", 0600, &id1);
	q2 = new_queue(self, "f2", 0600, &id2);
	m = kipc_mailbox_open(self->sfd,
			      knl_name_new(&self->names, KIPC_TYPE_MAILBOX,
					   "fm"),
			      KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND, 0600,
			      NULL, &mid);
	ASSERT_LE(0, q1);
	ASSERT_LE(0, q2);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, kipc_queue_set(q2, &set));

	ASSERT_EQ(0, knl_dump_list(&self->nl, KIPC_TYPE_QUEUE, 4242, &l,
				   NULL));
	EXPECT_EQ(NULL, knl_list_find(&l, id1));
	EXPECT_NE(NULL, knl_list_find(&l, id2));
	EXPECT_EQ(NULL, knl_list_find(&l, mid));
	knl_list_free(&l);

	ASSERT_EQ(0, knl_dump_list(&self->nl, KIPC_TYPE_MAILBOX, -1, &l,
				   NULL));
	EXPECT_EQ(NULL, knl_list_find(&l, id1));
	EXPECT_NE(NULL, knl_list_find(&l, mid));
	knl_list_free(&l);

	ASSERT_EQ(0, knl_dump_list(&self->nl, 0, 0, &l, NULL));
	EXPECT_NE(NULL, knl_list_find(&l, id1));
	EXPECT_EQ(NULL, knl_list_find(&l, id2));
	EXPECT_NE(NULL, knl_list_find(&l, mid));
	knl_list_free(&l);

	/* every object of each filtered dump matches, in ascending ids */
	want[0] = KIPC_TYPE_QUEUE; want[1] = 4242; want[2] = 0; want[3] = 0;
	ASSERT_EQ(0, knl_dump(&self->nl, want[0], want[1], check_filter_cb,
			      want, NULL));
	EXPECT_EQ(0U, want[3]);
	want[0] = 0; want[1] = 0; want[2] = 0; want[3] = 0;
	ASSERT_EQ(0, knl_dump(&self->nl, 0, 0, check_filter_cb, want, NULL));
	EXPECT_EQ(0U, want[3]);
	want[0] = KIPC_TYPE_MAILBOX; want[1] = ~0ULL; want[2] = 0;
	want[3] = 0;
	ASSERT_EQ(0, knl_dump(&self->nl, want[0], -1, check_filter_cb, want,
			      NULL));
	EXPECT_EQ(0U, want[3]);
	close(q1);
	close(q2);
	close(m);
}

TEST_F(nl, get_of_what_does_not_exist_is_enoent)
{
	struct knl_obj o;
	uint64_t id;
	int qfd = new_queue(self, "g", 0600, &id), ret;

	ASSERT_LE(0, qfd);
	EXPECT_EQ(-ENOENT, knl_get_id(&self->nl, id + 1000000, &o));
	/* id 0 is never an object's: out of range or not found */
	ret = knl_get_id(&self->nl, 0, &o);
	EXPECT_TRUE(ret == -ENOENT || ret == -ERANGE) TH_LOG("%d", ret);
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_QUEUE,
					"kn-no-such-name", &o));
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_MAILBOX,
					self->names.name[0], &o));
	EXPECT_EQ(0, kipc_queue_remove(self->sfd, self->names.name[0]));
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_QUEUE,
					self->names.name[0], &o));
	close(qfd);
	EXPECT_EQ(-ENOENT, knl_get_id(&self->nl, id, &o));
}

/* ---- statistics ---- */

static void stats(struct __test_metadata *_metadata, struct knl *nl,
		  struct knl_stats *st)
{
	int ret = knl_stats(nl, st);

	ASSERT_EQ(0, ret) TH_LOG("STATS_GET: %s", strerror(-ret));
}

TEST_F(nl, stats_count_objects_and_messages)
{
	struct knl_stats s0, s1, s2;
	uint64_t id;
	char buf[16];
	int q, m, fds[2], shm, t;

	stats(_metadata, &self->nl, &s0);
	for (t = KIPC_TYPE_QUEUE; t <= KIPC_TYPE_LINK; t++)
		EXPECT_TRUE(s0.type_seen[t]) TH_LOG("no nest for type %d", t);
	q = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND |
			    KIPC_O_RECV, 0600, NULL, NULL);
	m = kipc_mailbox_open(self->sfd,
			      knl_name_new(&self->names, KIPC_TYPE_MAILBOX,
					   "st"),
			      KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
			      KIPC_O_RECV, 0600, NULL, NULL);
	shm = kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_READ,
			    0600, 4096, NULL);
	ASSERT_LE(0, q);
	ASSERT_LE(0, m);
	ASSERT_LE(0, shm);
	ASSERT_EQ(0, pipe_both(self->sfd, NULL, 0, fds, &id));
	ASSERT_EQ(0, kt_send_nb(q, "abc", 3, 0));
	ASSERT_EQ(0, kt_send_nb(q, "defg", 4, 0));
	ASSERT_EQ(0, kt_send_nb(m, "hijkl", 5, 0));
	ASSERT_EQ(3, kt_recv_nb(q, buf, sizeof(buf), NULL));
	ASSERT_EQ(5, kt_recv_nb(m, buf, sizeof(buf), NULL));
	stats(_metadata, &self->nl, &s1);
	for (t = KIPC_TYPE_QUEUE; t <= KIPC_TYPE_SHM; t++) {
		EXPECT_EQ(s0.objects[t] + 1, s1.objects[t])
			TH_LOG("objects of type %d", t);
		EXPECT_EQ(s0.created[t] + 1, s1.created[t])
			TH_LOG("created of type %d", t);
	}
	EXPECT_EQ(s0.v[KIPC_A_MSGS_IN] + 3, s1.v[KIPC_A_MSGS_IN]);
	EXPECT_EQ(s0.v[KIPC_A_BYTES_IN] + 12, s1.v[KIPC_A_BYTES_IN]);
	EXPECT_EQ(s0.v[KIPC_A_MSGS_OUT] + 2, s1.v[KIPC_A_MSGS_OUT]);
	EXPECT_EQ(s0.v[KIPC_A_BYTES_OUT] + 8, s1.v[KIPC_A_BYTES_OUT]);

	/* pipe bytes count too */
	ASSERT_EQ(10, write(fds[1], "0123456789", 10));
	ASSERT_EQ(4, read(fds[0], buf, 4));
	stats(_metadata, &self->nl, &s2);
	EXPECT_EQ(s1.v[KIPC_A_BYTES_IN] + 10, s2.v[KIPC_A_BYTES_IN]);
	EXPECT_EQ(s1.v[KIPC_A_BYTES_OUT] + 4, s2.v[KIPC_A_BYTES_OUT]);

	close(q);
	close(fds[0]);
	close(fds[1]);
	close(shm);
	close(m);
	ASSERT_EQ(0, kipc_mailbox_remove(self->sfd, self->names.name[0]));
	stats(_metadata, &self->nl, &s2);
	for (t = KIPC_TYPE_QUEUE; t <= KIPC_TYPE_SHM; t++) {
		EXPECT_EQ(s0.objects[t], s2.objects[t])
			TH_LOG("objects of type %d after the closes", t);
		EXPECT_EQ(s1.created[t], s2.created[t]);
	}
}

TEST_F(nl, stats_count_sessions_and_links)
{
	struct knl_stats s0, s1, s2;
	struct kt_peer p;
	int lfd;

	stats(_metadata, &self->nl, &s0);
	ASSERT_EQ(0, kipc_bind(self->sfd, 0, NULL));
	ASSERT_EQ(0, kt_peer_start(&p, NULL));
	lfd = kipc_connect(self->sfd, p.pid, 0);
	ASSERT_LE(0, lfd);
	stats(_metadata, &self->nl, &s1);
	EXPECT_EQ(s0.objects[KIPC_TYPE_SESSION] + 2,
		  s1.objects[KIPC_TYPE_SESSION]);
	EXPECT_EQ(s0.created[KIPC_TYPE_SESSION] + 2,
		  s1.created[KIPC_TYPE_SESSION]);
	EXPECT_EQ(s0.objects[KIPC_TYPE_LINK] + 1, s1.objects[KIPC_TYPE_LINK]);
	EXPECT_EQ(s0.created[KIPC_TYPE_LINK] + 1, s1.created[KIPC_TYPE_LINK]);
	ASSERT_EQ(0, kipc_link_send(lfd, 0, "xyz", 3, 0));
	stats(_metadata, &self->nl, &s2);
	EXPECT_EQ(s1.v[KIPC_A_MSGS_IN] + 1, s2.v[KIPC_A_MSGS_IN]);
	EXPECT_EQ(s1.v[KIPC_A_BYTES_IN] + 3, s2.v[KIPC_A_BYTES_IN]);
	kt_peer_kill(&p);
	close(lfd);
	close(self->sfd);
	self->sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->sfd);
	stats(_metadata, &self->nl, &s2);
	EXPECT_EQ(s0.objects[KIPC_TYPE_SESSION],
		  s2.objects[KIPC_TYPE_SESSION]);
	EXPECT_EQ(s0.objects[KIPC_TYPE_LINK], s2.objects[KIPC_TYPE_LINK]);
}

TEST_F(nl, stats_count_errnos_and_limit_hits)
{
	struct kipc_queue_limits one = {
		.max_msgsize = 4, .max_msgs = 1, .capacity = 4,
	};
	struct kipc_queue_open o;
	struct knl_stats s0, s1;
	unsigned long long saved;
	char buf[8];
	int q, ret;

	q = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND |
			    KIPC_O_RECV, 0600, &one, NULL);
	ASSERT_LE(0, q);
	stats(_metadata, &self->nl, &s0);

	/* -EINVAL: neither SEND nor RECV; -EAGAIN: an empty queue */
	kt_open_args(&o, "kn-einval", KIPC_O_CREAT);
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o));
	EXPECT_EQ(-EAGAIN, kt_recv_nb(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(-EAGAIN, kt_recv_nb(q, buf, sizeof(buf), NULL));
	/* -EMSGSIZE, then the queue fills: -EAGAIN once more */
	EXPECT_EQ(-EMSGSIZE, kt_send_nb(q, "12345", 5, 0));
	EXPECT_EQ(0, kt_send_nb(q, "1", 1, 0));
	EXPECT_EQ(-EAGAIN, kt_send_nb(q, "2", 1, 0));

	/* -EDQUOT with no queue allowed */
	ASSERT_EQ(0, kt_param_read("queues_per_user", &saved));
	ASSERT_EQ(0, kt_param_write("queues_per_user", 0));
	ret = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND,
			      0600, NULL, NULL);
	ASSERT_EQ(0, kt_param_write("queues_per_user", saved));
	EXPECT_EQ(-EDQUOT, ret);

	stats(_metadata, &self->nl, &s1);
	EXPECT_EQ(s0.err[EINVAL] + 1, s1.err[EINVAL]);
	EXPECT_EQ(s0.err[EAGAIN] + 3, s1.err[EAGAIN]);
	EXPECT_EQ(s0.err[EMSGSIZE] + 1, s1.err[EMSGSIZE]);
	EXPECT_EQ(s0.err[EDQUOT] + 1, s1.err[EDQUOT]);
	EXPECT_EQ(s0.limit[KIPC_LIMIT_USER_OBJECTS] + 1,
		  s1.limit[KIPC_LIMIT_USER_OBJECTS]);
	EXPECT_EQ(s0.limit[KIPC_LIMIT_MSGSIZE] + 1,
		  s1.limit[KIPC_LIMIT_MSGSIZE]);
	EXPECT_EQ(s0.limit[KIPC_LIMIT_FULL] + 1, s1.limit[KIPC_LIMIT_FULL]);
	EXPECT_EQ(s0.limit[KIPC_LIMIT_USER_BYTES],
		  s1.limit[KIPC_LIMIT_USER_BYTES]);
	EXPECT_EQ(s0.err[ENOENT], s1.err[ENOENT]);
	close(q);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A receive a signal interrupts ends in the kernel with -ERESTARTSYS, which
 * user space never sees: it counts as EINTR, restarted or not.
 */
TEST_F(nl, stats_count_an_interrupted_call_as_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	struct sigaction old;
	struct knl_stats s0, s1;
	char buf[8];
	int q;

	q = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_RECV,
			    0600, NULL, NULL);
	ASSERT_LE(0, q);
	stats(_metadata, &self->nl, &s0);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, &old));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(-EINTR, kipc_queue_recv(q, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, sigaction(SIGALRM, &old, NULL));
	stats(_metadata, &self->nl, &s1);
	EXPECT_EQ(s0.err[EINTR] + 1, s1.err[EINTR]);
	close(q);
}

TEST_F(nl, stats_count_events_sent)
{
	struct knl_stats s0, s1;
	struct knl ev;
	int q;

	KNL_OPEN(&ev);
	ASSERT_EQ(0, knl_join_events(&ev));
	stats(_metadata, &self->nl, &s0);
	ASSERT_TRUE(KNL_HAS(&s0, KIPC_A_EVENTS));
	q = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND,
			    0600, NULL, NULL);
	ASSERT_LE(0, q);
	close(q);
	stats(_metadata, &self->nl, &s1);
	EXPECT_EQ(s0.v[KIPC_A_EVENTS] + 2, s1.v[KIPC_A_EVENTS]);
	knl_close(&ev);
}

/* ---- visibility to other users ---- */

struct vis {
	uint64_t priv, pub, other_w, group, own;
	const char *priv_name, *pub_name, *group_name;
	int get_by_name_private;	/* out of the child: what it saw */
};

/* In the child as nobody: 0, or the number of the first check failed. */
static int vis_child(void *arg)
{
	struct vis *v = arg;
	const struct knl_obj *f;
	struct knl_obj o;
	struct knl_list l;
	struct knl nl;
	int ret;

	if (knl_open(&nl))
		return KT_CHILD_SETUP;
	if (knl_dump_list(&nl, 0, -1, &l, NULL))
		return 10;
	f = knl_list_find(&l, v->priv);
	if (!f || KNL_HAS(f, KIPC_A_NAME) || f->v[KIPC_A_UID] != 0 ||
	    f->v[KIPC_A_MODE] != 0600)
		return 11;
	f = knl_list_find(&l, v->pub);
	if (!f || !KNL_HAS(f, KIPC_A_NAME) || strcmp(f->name, v->pub_name))
		return 12;
	f = knl_list_find(&l, v->other_w);
	if (!f || !KNL_HAS(f, KIPC_A_NAME))
		return 13;
	f = knl_list_find(&l, v->group);
	if (!f || KNL_HAS(f, KIPC_A_NAME))
		return 14;
	knl_list_free(&l);
	/* get by id: listed alike */
	if (knl_get_id(&nl, v->priv, &o) || KNL_HAS(&o, KIPC_A_NAME) ||
	    o.v[KIPC_A_ID] != v->priv)
		return 20;
	if (knl_get_id(&nl, v->pub, &o) || strcmp(o.name, v->pub_name))
		return 21;
	/*
	 * By name: everyone may list every object, and the device tells
	 * anyone that a name exists (-EACCES, not -ENOENT), so the private
	 * ones are found too, but listed without their name.
	 */
	if (knl_get_name(&nl, KIPC_TYPE_QUEUE, v->pub_name, &o) ||
	    o.v[KIPC_A_ID] != v->pub || strcmp(o.name, v->pub_name))
		return 30;
	ret = knl_get_name(&nl, KIPC_TYPE_QUEUE, v->priv_name, &o);
	if (ret || o.v[KIPC_A_ID] != v->priv || KNL_HAS(&o, KIPC_A_NAME))
		return 31;
	ret = knl_get_name(&nl, KIPC_TYPE_QUEUE, v->group_name, &o);
	if (ret || o.v[KIPC_A_ID] != v->group || KNL_HAS(&o, KIPC_A_NAME))
		return 33;
	knl_close(&nl);
	return 0;
}

TEST_F(nl, names_hidden_from_users_the_mode_does_not_grant)
{
	struct vis v;
	int q1, q2, q3, q4;

	q1 = new_queue(self, "priv", 0600, &v.priv);
	q2 = new_queue(self, "pub", 0644, &v.pub);
	q3 = new_queue(self, "ow", 0602, &v.other_w);
	q4 = new_queue(self, "grp", 0660, &v.group);
	ASSERT_LE(0, q1);
	ASSERT_LE(0, q2);
	ASSERT_LE(0, q3);
	ASSERT_LE(0, q4);
	v.priv_name = self->names.name[0];
	v.pub_name = self->names.name[1];
	v.group_name = self->names.name[3];
	EXPECT_EQ(0, kt_run_as_nobody(vis_child, &v));
	close(q1);
	close(q2);
	close(q3);
	close(q4);
}

/* As nobody: create a 0600 queue of one's own and see its name. */
static int own_child(void *arg)
{
	const char *name = arg;
	struct knl_obj o;
	struct knl nl;
	int sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	int fd;

	if (sfd < 0 || knl_open(&nl))
		return KT_CHILD_SETUP;
	fd = kipc_queue_open(sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			     KIPC_O_SEND, 0600, NULL, NULL);
	if (fd < 0)
		return KT_CHILD_SETUP;
	if (knl_get_name(&nl, KIPC_TYPE_QUEUE, name, &o))
		return 10;
	if (strcmp(o.name, name) || o.v[KIPC_A_UID] != KT_NOBODY ||
	    o.v[KIPC_A_CUID] != KT_NOBODY || o.v[KIPC_A_GID] != KT_NOBODY)
		return 11;
	return 0;
}

TEST_F(nl, owner_and_root_see_a_private_name)
{
	const char *name = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "own");
	struct knl_obj o;

	EXPECT_EQ(0, kt_run_as_nobody(own_child, (void *)name));
	/* root (CAP_IPC_OWNER) sees the name of nobody's 0600 queue */
	ASSERT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_QUEUE, name, &o));
	EXPECT_STREQ(name, o.name);
	KNL_EXPECT(&o, "nobody's queue", { KIPC_A_UID, KT_NOBODY },
		   { KIPC_A_MODE, 0600 }, { KIPC_A_FILES, 0 });
}

/* ---- OBJ_DEL ---- */

struct del_args {
	uint64_t id;
	const char *name;
	uint32_t type;
};

/* As another user: both ways of removing are refused with -EPERM. */
static int del_refused_child(void *arg)
{
	struct del_args *d = arg;
	struct knl nl;
	int ret;

	if (knl_open(&nl))
		return KT_CHILD_SETUP;
	ret = knl_del_id(&nl, d->id);
	if (ret != -EPERM)
		return ret ? -ret : KT_CHILD_WRONG;
	ret = knl_del_name(&nl, d->type, d->name);
	if (ret != -EPERM)
		return ret ? -ret : KT_CHILD_WRONG;
	return 0;
}

TEST_F(nl, del_of_another_users_object_is_eperm_and_leaves_it)
{
	struct del_args d = { .type = KIPC_TYPE_QUEUE };
	struct knl_obj o;
	char buf[8];
	int q;

	q = new_queue(self, "d", 0666, &d.id);
	ASSERT_LE(0, q);
	d.name = self->names.name[0];
	EXPECT_EQ(0, kt_run_as_nobody(del_refused_child, &d));
	ASSERT_EQ(0, knl_get_id(&self->nl, d.id, &o));
	EXPECT_STREQ(d.name, o.name);
	EXPECT_TRUE(KNL_HAS(&o, KIPC_A_FLAGS));
	EXPECT_EQ(0U, o.v[KIPC_A_FLAGS] & KIPC_STAT_REMOVED);
	EXPECT_EQ(0, kt_send_nb(q, "ok", 2, 0));
	EXPECT_EQ(2, kt_recv_nb(q, buf, sizeof(buf), NULL));
	/* root may */
	EXPECT_EQ(0, knl_del_id(&self->nl, d.id));
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_QUEUE, d.name,
					&o));
	EXPECT_EQ(-EIDRM, kt_send_nb(q, "x", 1, 0));
	EXPECT_EQ(-ENOENT, knl_del_id(&self->nl, d.id));
	close(q);
}

/* As nobody: create through the device, remove through netlink. */
static int del_own_child(void *arg)
{
	const char *name = arg;
	struct knl_obj o;
	struct knl nl;
	uint64_t id;
	int sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	int fd, ret;

	if (sfd < 0 || knl_open(&nl))
		return KT_CHILD_SETUP;
	fd = kipc_mailbox_open(sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			       KIPC_O_SEND, 0600, NULL, &id);
	if (fd < 0)
		return KT_CHILD_SETUP;
	ret = knl_del_name(&nl, KIPC_TYPE_MAILBOX, name);
	if (ret)
		return 10 + (ret == -EPERM);
	if (knl_get_id(&nl, id, &o) != -ENOENT &&
	    !(o.v[KIPC_A_FLAGS] & KIPC_STAT_REMOVED))
		return 12;
	fd = kipc_shm_open(sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			   KIPC_O_READ, 0600, 4096, &id);
	if (fd < 0)
		return KT_CHILD_SETUP;
	close(fd);
	ret = knl_del_id(&nl, id);
	if (ret)
		return 20 + (ret == -EPERM);
	if (knl_get_id(&nl, id, &o) != -ENOENT)
		return 22;
	return 0;
}

TEST_F(nl, del_by_the_owner_by_name_and_by_id)
{
	char name[KT_NAME_LEN];

	snprintf(name, sizeof(name), "kn-%d-own-del", getpid());
	EXPECT_EQ(0, kt_run_as_nobody(del_own_child, name));
	knl_dev_remove(self->sfd, KIPC_TYPE_MAILBOX, name);
	knl_dev_remove(self->sfd, KIPC_TYPE_SHM, name);
}

/* As @uid: remove the queue whose id is *arg; 0 or the errno. */
static int del_id_child(void *arg)
{
	struct knl nl;

	if (knl_open(&nl))
		return KT_CHILD_SETUP;
	return -knl_del_id(&nl, *(uint64_t *)arg);
}

static int create_child(void *arg)
{
	const char *name = arg;
	int sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	int fd = kipc_pipe_open(sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
				KIPC_O_READ | KIPC_O_NONBLOCK, 0600, 0);

	return fd < 0 ? -fd : 0;
}

TEST_F(nl, del_by_the_creator_after_a_chown)
{
	struct kipc_pipe_set set = {
		.size = sizeof(set), .flags = KIPC_SET_UID, .uid = 4242,
	};
	const char *name = knl_name_new(&self->names, KIPC_TYPE_PIPE, "cr");
	struct knl_obj o;
	int fd;

	ASSERT_EQ(0, kt_run_as_nobody(create_child, (void *)name));
	ASSERT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_PIPE, name, &o));
	KNL_EXPECT(&o, "nobody's pipe", { KIPC_A_CUID, KT_NOBODY });
	fd = kipc_pipe_open(self->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK,
			    0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_pipe_set(fd, &set));
	close(fd);
	/* neither owner nor creator: refused; the creator: done */
	EXPECT_EQ(EPERM, kt_run_child(4243, 4243, del_id_child,
				      &o.v[KIPC_A_ID]));
	EXPECT_EQ(0, knl_get_id(&self->nl, o.v[KIPC_A_ID], NULL));
	EXPECT_EQ(0, kt_run_as_nobody(del_id_child, &o.v[KIPC_A_ID]));
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_PIPE, name, &o));
}

TEST_F(nl, del_of_sessions_and_links_is_eopnotsupp)
{
	struct knl_obj me, link;
	struct kt_peer p;
	int lfd;

	ASSERT_EQ(0, kipc_bind(self->sfd, 0, NULL));
	ASSERT_EQ(0, kt_peer_start(&p, NULL));
	lfd = kipc_connect(self->sfd, p.pid, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(1, find_session(&self->nl, getpid(), &me));
	ASSERT_EQ(1, find_link(&self->nl, getpid(), p.pid, &link));
	EXPECT_EQ(-EOPNOTSUPP, knl_del_id(&self->nl, me.v[KIPC_A_ID]));
	EXPECT_EQ(-EOPNOTSUPP, knl_del_id(&self->nl, link.v[KIPC_A_ID]));
	EXPECT_EQ(0, knl_get_id(&self->nl, me.v[KIPC_A_ID], NULL));
	EXPECT_EQ(0, knl_get_id(&self->nl, link.v[KIPC_A_ID], NULL));
	EXPECT_EQ(0, kipc_link_send(lfd, 0, "still", 5, 0));
	kt_peer_kill(&p);
	close(lfd);
}

TEST_F(nl, del_wakes_a_blocked_receiver_with_eidrm)
{
	uint64_t id;
	pid_t pid;
	int q;

	q = new_queue(self, "wake", 0600, &id);
	ASSERT_LE(0, q);
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		_exit(kt_status(kipc_queue_recv(q, &c, 1, NULL)));
	}
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	ASSERT_EQ(0, knl_del_name(&self->nl, KIPC_TYPE_QUEUE,
				  self->names.name[0]));
	EXPECT_EQ(EIDRM, kt_wait(pid));
	close(q);
}

TEST_F(nl, del_of_each_type_by_name)
{
	struct knl_obj o;
	const char *m = knl_name_new(&self->names, KIPC_TYPE_MAILBOX, "x");
	const char *p = knl_name_new(&self->names, KIPC_TYPE_PIPE, "x");
	const char *s = knl_name_new(&self->names, KIPC_TYPE_SHM, "x");
	int fds[2], fd;
	uint64_t pid_;

	fd = kipc_mailbox_open(self->sfd, m, KIPC_O_CREAT | KIPC_O_EXCL |
			       KIPC_O_SEND, 0600, NULL, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, pipe_both(self->sfd, p, 0, fds, &pid_));
	fd = kipc_shm_open(self->sfd, s, KIPC_O_CREAT | KIPC_O_EXCL |
			   KIPC_O_READ, 0600, 4096, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-ENOENT, knl_del_name(&self->nl, KIPC_TYPE_QUEUE, m));
	EXPECT_EQ(0, knl_del_name(&self->nl, KIPC_TYPE_MAILBOX, m));
	EXPECT_EQ(0, knl_del_name(&self->nl, KIPC_TYPE_PIPE, p));
	EXPECT_EQ(0, knl_del_name(&self->nl, KIPC_TYPE_SHM, s));
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_MAILBOX, m, &o));
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_PIPE, p, &o));
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_SHM, s, &o));
	/*
	 * Removed, the pipe left the registry (an OBJ_DEL event says so),
	 * but its open ends work on, as after unlink(2) of a FIFO.
	 */
	EXPECT_EQ(-ENOENT, knl_get_id(&self->nl, pid_, &o));
	EXPECT_EQ(3, write(fds[1], "abc", 3));
	EXPECT_EQ(3, read(fds[0], &o.name, 3));
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(-ENOENT, knl_del_name(&self->nl, KIPC_TYPE_SHM, s));
}

/* ---- OBJ_NEW ---- */

TEST_F(nl, new_queue_is_usable_through_the_device)
{
	struct knl_new_args a = {
		.mode = 0640, .has_mode = true, .max_msgs = 3,
		.max_msgsize = 64, .capacity = 1000,
	};
	const char *name = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "n");
	struct kipc_queue_stat st;
	struct knl_obj o, g;
	char buf[8];
	uint64_t id;
	int fd;

	ASSERT_EQ(0, knl_new(&self->nl, KIPC_TYPE_QUEUE, name, &a, &o));
	EXPECT_EQ(KIPC_CMD_OBJ_NEW, o.cmd);
	EXPECT_STREQ(name, o.name);
	KNL_EXPECT(&o, "reply of OBJ_NEW", { KIPC_A_TYPE, KIPC_TYPE_QUEUE },
		   { KIPC_A_MODE, 0640 }, { KIPC_A_MAX_MSGS, 3 },
		   { KIPC_A_MAX_MSGSIZE, 64 }, { KIPC_A_CAPACITY, 1000 },
		   { KIPC_A_UID, 0 }, { KIPC_A_CUID, 0 }, { KIPC_A_FILES, 0 },
		   { KIPC_A_MSGS, 0 }, { KIPC_A_FLAGS, 0 },
		   { KIPC_A_CREATOR_PID, getpid() });
	ASSERT_TRUE(KNL_HAS(&o, KIPC_A_ID));
	fd = kipc_queue_open(self->sfd, name, KIPC_O_SEND | KIPC_O_RECV, 0,
			     NULL, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(o.v[KIPC_A_ID], id);
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(0640U, st.mode);
	EXPECT_EQ(3U, st.max_msgs);
	EXPECT_EQ(64U, st.max_msgsize);
	EXPECT_EQ(1000U, st.capacity);
	EXPECT_EQ(0, kt_send_nb(fd, "hi", 2, 0));
	EXPECT_EQ(2, kt_recv_nb(fd, buf, sizeof(buf), NULL));
	close(fd);
	/* persistent: there without an fd */
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &g));
	EXPECT_STREQ(name, g.name);
	EXPECT_EQ(-EEXIST, knl_new(&self->nl, KIPC_TYPE_QUEUE, name, &a, &o));
}

TEST_F(nl, new_defaults_to_mode_0600_and_module_limits)
{
	const char *name = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "def");
	unsigned long long msgs, msgsize, cap;
	struct knl_obj o;

	ASSERT_EQ(0, kt_param_read("msgs_default", &msgs));
	ASSERT_EQ(0, kt_param_read("msgsize_default", &msgsize));
	ASSERT_EQ(0, kt_param_read("capacity_default", &cap));
	ASSERT_EQ(0, knl_new(&self->nl, KIPC_TYPE_QUEUE, name, NULL, &o));
	KNL_EXPECT(&o, "defaults", { KIPC_A_MODE, 0600 },
		   { KIPC_A_MAX_MSGS, msgs }, { KIPC_A_MAX_MSGSIZE, msgsize },
		   { KIPC_A_CAPACITY, cap });
}

TEST_F(nl, new_mailbox_and_shm_are_usable)
{
	struct knl_new_args sa = { .capacity = 8192 };
	const char *m = knl_name_new(&self->names, KIPC_TYPE_MAILBOX, "nm");
	const char *s = knl_name_new(&self->names, KIPC_TYPE_SHM, "ns");
	struct kipc_shm_stat sst;
	struct knl_obj o;
	uint64_t id;
	char buf[8];
	int fd;

	ASSERT_EQ(0, knl_new(&self->nl, KIPC_TYPE_MAILBOX, m, NULL, &o));
	KNL_EXPECT(&o, "new mailbox", { KIPC_A_TYPE, KIPC_TYPE_MAILBOX },
		   { KIPC_A_FLAGS, 0 });
	EXPECT_FALSE(KNL_HAS(&o, KIPC_A_OWNER_PID) && o.v[KIPC_A_OWNER_PID]);
	fd = kipc_mailbox_open(self->sfd, m, KIPC_O_SEND | KIPC_O_RECV, 0,
			       NULL, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(o.v[KIPC_A_ID], id);
	EXPECT_EQ(0, kt_send_nb(fd, "mb", 2, 0));
	EXPECT_EQ(2, kt_recv_nb(fd, buf, sizeof(buf), NULL));
	close(fd);
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_QUEUE, m, &o));

	ASSERT_EQ(0, knl_new(&self->nl, KIPC_TYPE_SHM, s, &sa, &o));
	KNL_EXPECT(&o, "new region", { KIPC_A_TYPE, KIPC_TYPE_SHM },
		   { KIPC_A_CAPACITY, 8192 }, { KIPC_A_MODE, 0600 });
	fd = kipc_shm_open(self->sfd, s, KIPC_O_READ | KIPC_O_WRITE, 0, 0,
			   &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(o.v[KIPC_A_ID], id);
	ASSERT_EQ(0, kipc_shm_stat(fd, &sst));
	EXPECT_EQ(8192U, sst.region_size);
	close(fd);
	EXPECT_EQ(-EEXIST, knl_new(&self->nl, KIPC_TYPE_SHM, s, &sa, &o));
}

TEST_F(nl, new_refusals_create_nothing)
{
	struct knl_new_args big = { .capacity = 1ULL << 40 };
	struct knl_new_args bigmsg = { .max_msgsize = 0x7fffffff };
	const char *q = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "r");
	const char *e = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "e");
	unsigned long long saved;
	struct knl_obj o;
	long n0;
	int t, fd, ret;

	n0 = knl_count(&self->nl, 0);
	ASSERT_LE(0, n0);
	/* shm needs a size */
	EXPECT_EQ(-EINVAL, knl_new(&self->nl, KIPC_TYPE_SHM, q, NULL, &o));
	/* no pipes, sessions or links */
	for (t = KIPC_TYPE_PIPE; t <= KIPC_TYPE_LINK; t++) {
		if (t == KIPC_TYPE_SHM)
			continue;
		EXPECT_EQ(-EOPNOTSUPP, knl_new(&self->nl, t, q, NULL, &o))
			TH_LOG("type %d", t);
	}
	/* the open ioctls' errors */
	EXPECT_EQ(-EINVAL, knl_new(&self->nl, KIPC_TYPE_QUEUE, "a/b", NULL,
				   &o));
	EXPECT_EQ(-EINVAL, knl_new(&self->nl, KIPC_TYPE_QUEUE, "", NULL, &o));
	EXPECT_EQ(-EINVAL, knl_new(&self->nl, KIPC_TYPE_QUEUE, q, &big, &o));
	EXPECT_EQ(-EMSGSIZE, knl_new(&self->nl, KIPC_TYPE_QUEUE, q, &bigmsg,
				     &o));
	/* quota */
	ASSERT_EQ(0, kt_param_read("queues_per_user", &saved));
	ASSERT_EQ(0, kt_param_write("queues_per_user", 0));
	ret = knl_new(&self->nl, KIPC_TYPE_QUEUE, q, NULL, &o);
	ASSERT_EQ(0, kt_param_write("queues_per_user", saved));
	EXPECT_EQ(-EDQUOT, ret);
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_QUEUE, q, &o));
	for (t = KIPC_TYPE_QUEUE; t <= KIPC_TYPE_SHM; t++)
		EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, t, q, &o));
	EXPECT_EQ(n0, knl_count(&self->nl, 0));
	/* an existing name made through the device */
	fd = kipc_queue_open(self->sfd, e, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, knl_new(&self->nl, KIPC_TYPE_QUEUE, e, NULL, &o));
	close(fd);
}

/* As nobody: OBJ_NEW makes an object owned by the caller. */
static int new_child(void *arg)
{
	const char *name = arg;
	struct knl_obj o;
	struct knl nl;

	if (knl_open(&nl))
		return KT_CHILD_SETUP;
	if (knl_new(&nl, KIPC_TYPE_QUEUE, name, NULL, &o))
		return 10;
	if (o.v[KIPC_A_UID] != KT_NOBODY || o.v[KIPC_A_CUID] != KT_NOBODY ||
	    o.v[KIPC_A_GID] != KT_NOBODY || strcmp(o.name, name))
		return 11;
	if (knl_del_id(&nl, o.v[KIPC_A_ID]))
		return 12;
	return 0;
}

TEST_F(nl, new_as_a_user_is_owned_by_that_user)
{
	const char *name = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "u");

	EXPECT_EQ(0, kt_run_as_nobody(new_child, (void *)name));
}

KT_HARNESS_MAIN
