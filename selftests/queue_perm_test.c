// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues and who may use them: mode bits checked at open (like
 * SysV ipcperms, CAP_IPC_OWNER overrides), owner rights for remove and set,
 * the per-user quotas, and queue fds passed to other processes.
 *
 * Must run as root: the test process creates queues as root, and children
 * drop to nobody (65534:65534, no supplementary groups, no capabilities)
 * after inheriting the session fd.
 */
#include "kipc_test.h"

#define SHARED(ptr) mmap(NULL, sizeof(*(ptr)), PROT_READ | PROT_WRITE, \
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0)

FIXTURE(perm) {
	int sfd;
	int qfd;
	uint64_t id;
	const char *name;
	struct kt_names names;
};

FIXTURE_SETUP(perm)
{
	self->qfd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid() != 0)
		SKIP(return, "needs root");
}

FIXTURE_TEARDOWN(perm)
{
	if (self->qfd >= 0)
		close(self->qfd);
	kt_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
}

/* Create the fixture's queue as root with @mode (SEND|RECV opening). */
static int create_mode(FIXTURE_DATA(perm) *self, unsigned int mode)
{
	self->name = kt_names_new(&self->names, "p");
	self->qfd = kipc_queue_open(self->sfd, self->name,
				    KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
				    KIPC_O_RECV, mode, NULL, &self->id);
	return self->qfd;
}

static int set_owner(int qfd, unsigned int flags, uid_t uid, gid_t gid,
		     unsigned int mode)
{
	struct kipc_queue_set set;

	memset(&set, 0, sizeof(set));
	set.flags = flags;
	set.uid = uid;
	set.gid = gid;
	set.mode = mode;
	return kipc_queue_set(qfd, &set);
}

/* What a child does with the queue, as nobody unless said otherwise. */
struct op {
	int sfd;
	const char *name;	/* NULL: by @id */
	uint64_t id;
	unsigned int flags;	/* open flags */
};

/* Open: 0 or the errno. */
static int op_open(void *arg)
{
	struct op *op = arg;
	int fd;

	if (op->name)
		fd = kipc_queue_open(op->sfd, op->name, op->flags, 0, NULL,
				     NULL);
	else
		fd = kipc_queue_open_id(op->sfd, op->id, op->flags);
	if (fd >= 0)
		close(fd);
	return kt_status(fd);
}

/* Open for sending and send "nobody": 0 or the first errno. */
static int op_open_send(void *arg)
{
	struct op *op = arg;
	int fd, ret;

	fd = kipc_queue_open(op->sfd, op->name, KIPC_O_SEND, 0, NULL, NULL);
	if (fd < 0)
		return kt_status(fd);
	ret = kt_send_nb(fd, "nobody", 6, 0);
	close(fd);
	return kt_status(ret);
}

static int op_remove(void *arg)
{
	struct op *op = arg;

	if (op->name)
		return kt_status(kipc_queue_remove(op->sfd, op->name));
	return kt_status(kipc_queue_remove_id(op->sfd, op->id));
}

/* Open with @flags, then try to change the mode: 0 or the first errno. */
static int op_set_mode(void *arg)
{
	struct op *op = arg;
	int fd, ret;

	fd = kipc_queue_open(op->sfd, op->name, op->flags, 0, NULL, NULL);
	if (fd < 0)
		return KT_CHILD_SETUP;
	ret = set_owner(fd, KIPC_SET_MODE, 0, 0, 0666);
	close(fd);
	return kt_status(ret);
}

/* Create @name with mode 0600 and remove it: 0 or the first errno. */
static int op_create_remove(void *arg)
{
	struct op *op = arg;
	int fd;

	fd = kipc_queue_open(op->sfd, op->name,
			     KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND, 0600,
			     NULL, NULL);
	if (fd < 0)
		return kt_status(fd);
	close(fd);
	return kt_status(kipc_queue_remove(op->sfd, op->name));
}

/* ---- mode bits ---- */

TEST_F(perm, root_creates_queue_with_requested_mode_0600)
{
	struct kipc_queue_stat st;

	ASSERT_LE(0, create_mode(self, 0600));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(0600U, st.mode);
	EXPECT_EQ(0U, st.uid);
	EXPECT_EQ(0U, st.cuid);
}

TEST_F(perm, nobody_opening_0600_queue_for_send_gets_eacces)
{
	struct op op = { .sfd = self->sfd, .flags = KIPC_O_SEND };

	ASSERT_LE(0, create_mode(self, 0600));
	op.name = self->name;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, nobody_opening_0600_queue_for_recv_gets_eacces)
{
	struct op op = { .sfd = self->sfd, .flags = KIPC_O_RECV };

	ASSERT_LE(0, create_mode(self, 0600));
	op.name = self->name;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, nobody_opening_0600_queue_by_id_gets_eacces)
{
	struct op op = { .sfd = self->sfd, .flags = KIPC_O_SEND };

	ASSERT_LE(0, create_mode(self, 0600));
	op.id = self->id;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, nobody_may_send_to_0622_queue)
{
	struct op op = { .sfd = self->sfd };
	struct kipc_msg_info info;
	char buf[16];

	ASSERT_LE(0, create_mode(self, 0622));
	op.name = self->name;
	EXPECT_EQ(0, kt_run_as_nobody(op_open_send, &op));
	ASSERT_EQ(6, kt_recv_nb(self->qfd, buf, sizeof(buf), &info));
	EXPECT_EQ((uint32_t)KT_NOBODY, info.sender_uid);
}

TEST_F(perm, nobody_opening_0622_queue_for_recv_gets_eacces)
{
	struct op op = { .sfd = self->sfd, .flags = KIPC_O_RECV };

	ASSERT_LE(0, create_mode(self, 0622));
	op.name = self->name;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, nobody_opening_0622_queue_for_send_and_recv_gets_eacces)
{
	struct op op = { .sfd = self->sfd,
			 .flags = KIPC_O_SEND | KIPC_O_RECV };

	ASSERT_LE(0, create_mode(self, 0622));
	op.name = self->name;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, nobody_may_recv_from_0644_queue_but_not_send)
{
	struct op op = { .sfd = self->sfd, .flags = KIPC_O_RECV };

	ASSERT_LE(0, create_mode(self, 0644));
	op.name = self->name;
	EXPECT_EQ(0, kt_run_as_nobody(op_open, &op));
	op.flags = KIPC_O_SEND;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, nobody_may_open_0666_queue_for_send_and_recv)
{
	struct op op = { .sfd = self->sfd,
			 .flags = KIPC_O_SEND | KIPC_O_RECV };

	ASSERT_LE(0, create_mode(self, 0666));
	op.name = self->name;
	EXPECT_EQ(0, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, root_opens_mode_0000_queue)
{
	int fd;

	ASSERT_LE(0, create_mode(self, 0000));
	fd = kipc_queue_open(self->sfd, self->name, KIPC_O_SEND | KIPC_O_RECV,
			     0, NULL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kt_send_nb(fd, "root", 4, 0));
	close(fd);
}

TEST_F(perm, group_bits_apply_to_members_of_the_queue_group)
{
	struct op op = { .sfd = self->sfd,
			 .flags = KIPC_O_SEND | KIPC_O_RECV };

	ASSERT_LE(0, create_mode(self, 0060));
	ASSERT_EQ(0, set_owner(self->qfd, KIPC_SET_GID, 0, KT_NOBODY, 0));
	op.name = self->name;
	EXPECT_EQ(0, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, group_bits_not_other_bits_apply_to_group_members)
{
	struct op op = { .sfd = self->sfd, .flags = KIPC_O_SEND };

	/*
	 * Like files and SysV IPC: a member of the group gets the group
	 * bits, even when the other bits would grant more.
	 */
	ASSERT_LE(0, create_mode(self, 0606));
	ASSERT_EQ(0, set_owner(self->qfd, KIPC_SET_GID, 0, KT_NOBODY, 0));
	op.name = self->name;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, owner_bits_apply_to_new_owner)
{
	struct op op = { .sfd = self->sfd,
			 .flags = KIPC_O_SEND | KIPC_O_RECV };

	ASSERT_LE(0, create_mode(self, 0600));
	ASSERT_EQ(0, set_owner(self->qfd, KIPC_SET_UID, KT_NOBODY, 0, 0));
	op.name = self->name;
	EXPECT_EQ(0, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, mode_change_applies_to_later_opens)
{
	struct op op = { .sfd = self->sfd, .flags = KIPC_O_SEND };

	ASSERT_LE(0, create_mode(self, 0600));
	op.name = self->name;
	ASSERT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	ASSERT_EQ(0, set_owner(self->qfd, KIPC_SET_MODE, 0, 0, 0602));
	EXPECT_EQ(0, kt_run_as_nobody(op_open, &op));
}

/* ---- owner rights: remove and set ---- */

TEST_F(perm, nobody_removing_root_queue_gets_eperm)
{
	struct op op = { .sfd = self->sfd };

	ASSERT_LE(0, create_mode(self, 0666));
	op.name = self->name;
	EXPECT_EQ(EPERM, kt_run_as_nobody(op_remove, &op));
	EXPECT_EQ(0, kt_send_nb(self->qfd, "alive", 5, 0));
}

TEST_F(perm, nobody_removing_root_queue_by_id_gets_eperm)
{
	struct op op = { .sfd = self->sfd };

	ASSERT_LE(0, create_mode(self, 0666));
	op.id = self->id;
	EXPECT_EQ(EPERM, kt_run_as_nobody(op_remove, &op));
	EXPECT_EQ(0, kt_send_nb(self->qfd, "alive", 5, 0));
}

TEST_F(perm, nobody_setting_root_queue_gets_eperm)
{
	struct op op = { .sfd = self->sfd,
			 .flags = KIPC_O_SEND | KIPC_O_RECV };
	struct kipc_queue_stat st;

	ASSERT_LE(0, create_mode(self, 0666));
	op.name = self->name;
	EXPECT_EQ(EPERM, kt_run_as_nobody(op_set_mode, &op));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(0666U, st.mode);
	EXPECT_EQ(0U, st.change_time_ns);
}

TEST_F(perm, new_owner_may_remove_the_queue)
{
	struct op op = { .sfd = self->sfd };

	ASSERT_LE(0, create_mode(self, 0600));
	ASSERT_EQ(0, set_owner(self->qfd, KIPC_SET_UID, KT_NOBODY, 0, 0));
	op.name = self->name;
	EXPECT_EQ(0, kt_run_as_nobody(op_remove, &op));
	EXPECT_EQ(-EIDRM, kt_send_nb(self->qfd, "x", 1, 0));
}

TEST_F(perm, new_owner_may_set_the_queue)
{
	struct op op = { .sfd = self->sfd,
			 .flags = KIPC_O_SEND | KIPC_O_RECV };
	struct kipc_queue_stat st;

	ASSERT_LE(0, create_mode(self, 0600));
	ASSERT_EQ(0, set_owner(self->qfd, KIPC_SET_UID, KT_NOBODY, 0, 0));
	op.name = self->name;
	EXPECT_EQ(0, kt_run_as_nobody(op_set_mode, &op));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(0666U, st.mode);
}

TEST_F(perm, unprivileged_creator_may_remove_its_queue)
{
	struct op op = { .sfd = self->sfd };

	op.name = kt_names_new(&self->names, "c");
	EXPECT_EQ(0, kt_run_as_nobody(op_create_remove, &op));
}

TEST_F(perm, queue_created_by_nobody_is_owned_by_nobody)
{
	struct op op = { .sfd = self->sfd };
	struct kipc_queue_stat st;
	int fd;

	op.name = kt_names_new(&self->names, "c");
	op.flags = KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND;
	ASSERT_EQ(0, kt_run_as_nobody(op_open, &op));
	fd = kipc_queue_open(self->sfd, op.name, KIPC_O_RECV, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ((uint32_t)KT_NOBODY, st.uid);
	EXPECT_EQ((uint32_t)KT_NOBODY, st.gid);
	EXPECT_EQ((uint32_t)KT_NOBODY, st.cuid);
	EXPECT_EQ((uint32_t)KT_NOBODY, st.cgid);
	close(fd);
}

/* ---- queue fds passed over UNIX sockets ---- */

/* In a child: receive an fd on @sock, maybe drop privileges, use it. */
struct passed {
	int sock;
	bool drop;
	bool recv_too;	/* also receive what it sent */
	int sfd;	/* with @by_id: open the queue by id too */
	uint64_t id;
	bool by_id;
};

static int use_passed_fd(void *arg)
{
	struct passed *p = arg;
	char buf[16], go;
	int fd, fd2, ret;

	if (p->drop && kt_drop_privs(KT_NOBODY, KT_NOBODY))
		return KT_CHILD_SETUP;
	fd = kt_recv_fd(p->sock);
	if (fd < 0)
		return KT_CHILD_SETUP;
	if (p->by_id) {
		/* wait until the sender closed its own fd */
		if (read(p->sock, &go, 1) != 1)
			return KT_CHILD_SETUP;
		fd2 = kipc_queue_open_id(p->sfd, p->id, KIPC_O_RECV);
		if (fd2 < 0)
			return kt_status(fd2);
		close(fd2);
	}
	ret = kt_send_nb(fd, "passed", 6, 0);
	if (!ret && p->recv_too)
		ret = kt_recv_nb(fd, buf, sizeof(buf), NULL) == 6 ? 0 :
			KT_CHILD_WRONG;
	close(fd);
	return kt_status(ret);
}

static pid_t start_receiver(struct passed *p, int sv[2])
{
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	p->sock = sv[1];
	pid = kt_fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(use_passed_fd(p));
	}
	close(sv[1]);
	return pid;
}

TEST_F(perm, queue_fd_passed_over_unix_socket_works_in_other_process)
{
	struct passed p = { 0 };
	struct kipc_msg_info info;
	char buf[16];
	int sv[2];
	pid_t pid;

	ASSERT_LE(0, create_mode(self, 0600));
	pid = start_receiver(&p, sv);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_send_fd(sv[0], self->qfd));
	EXPECT_EQ(0, kt_wait(pid));
	ASSERT_EQ(6, kt_recv_nb(self->qfd, buf, sizeof(buf), &info));
	EXPECT_EQ(pid, info.sender_pid);
	close(sv[0]);
}

TEST_F(perm, passed_fd_works_for_process_that_may_not_open_the_queue)
{
	struct passed p = { .drop = true, .recv_too = true };
	int sv[2];
	pid_t pid;

	/* access is checked at open: the fd carries what was granted */
	ASSERT_LE(0, create_mode(self, 0600));
	pid = start_receiver(&p, sv);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_send_fd(sv[0], self->qfd));
	EXPECT_EQ(0, kt_wait(pid));
	close(sv[0]);
}

TEST_F(perm, passed_fd_keeps_its_direction)
{
	struct passed p = { 0 };
	int sv[2], fd;
	pid_t pid;

	ASSERT_LE(0, create_mode(self, 0600));
	fd = kipc_queue_open(self->sfd, self->name, KIPC_O_RECV, 0, NULL,
			     NULL);
	ASSERT_LE(0, fd);
	pid = start_receiver(&p, sv);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_send_fd(sv[0], fd));
	EXPECT_EQ(EBADF, kt_wait(pid));
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
	close(fd);
	close(sv[0]);
}

TEST_F(perm, passed_fd_keeps_anonymous_queue_alive)
{
	struct passed p = { .recv_too = true, .by_id = true };
	int sv[2], fd;
	pid_t pid;

	fd = kipc_queue_open(self->sfd, NULL,
			     KIPC_O_CREAT | KIPC_O_SEND | KIPC_O_RECV, 0600,
			     NULL, &p.id);
	ASSERT_LE(0, fd);
	p.sfd = self->sfd;
	pid = start_receiver(&p, sv);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kt_send_fd(sv[0], fd));
	close(fd);
	ASSERT_EQ(1, write(sv[0], "g", 1));
	EXPECT_EQ(0, kt_wait(pid));
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, p.id, KIPC_O_SEND));
	close(sv[0]);
}

/* ---- per-user quotas ---- */

FIXTURE(quota) {
	int sfd;
	unsigned long long queues_per_user, bytes_per_user;
	bool saved;
	struct kt_names names;
};

FIXTURE_SETUP(quota)
{
	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, kt_param_read("queues_per_user", &self->queues_per_user));
	ASSERT_EQ(0, kt_param_read("bytes_per_user", &self->bytes_per_user));
	self->saved = true;
}

FIXTURE_TEARDOWN(quota)
{
	if (self->saved) {
		EXPECT_EQ(0, kt_param_write("queues_per_user",
					    self->queues_per_user));
		EXPECT_EQ(0, kt_param_write("bytes_per_user",
					    self->bytes_per_user));
	}
	kt_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
}

/*
 * What a quota child does, step by step, as nobody: create a named queue of
 * @capacity bytes (@remove false) or remove one (@remove true).  The result
 * of each step lands in @res, shared with the test.
 */
#define MAX_STEPS 8

struct step {
	const char *name;	/* NULL: anonymous, closed at once */
	uint64_t capacity;	/* 0: module default */
	bool remove;
	bool no_excl;		/* KIPC_O_CREAT without KIPC_O_EXCL */
	uint64_t set_capacity;	/* then set this capacity, if not 0 */
};

struct steps {
	int sfd;
	int n;
	struct step step[MAX_STEPS];
	long res[MAX_STEPS];	/* 0 or -errno */
};

static long do_step(int sfd, const struct step *s)
{
	struct kipc_queue_limits lim = { .max_msgsize = 512,
					 .capacity = s->capacity };
	struct kipc_queue_set set;
	long ret;
	int fd;

	if (s->remove)
		return kipc_queue_remove(sfd, s->name);
	fd = kipc_queue_open(sfd, s->name,
			     KIPC_O_CREAT | (s->no_excl ? 0 : KIPC_O_EXCL) |
			     KIPC_O_SEND, 0600, &lim, NULL);
	if (fd < 0 || !s->set_capacity) {
		if (fd >= 0)
			close(fd);
		return fd < 0 ? fd : 0;
	}
	memset(&set, 0, sizeof(set));
	set.flags = KIPC_SET_CAPACITY;
	set.capacity = s->set_capacity;
	ret = kipc_queue_set(fd, &set);
	close(fd);
	return ret;
}

static int run_steps(void *arg)
{
	struct steps *st = arg;
	int i;

	for (i = 0; i < st->n; i++)
		st->res[i] = do_step(st->sfd, &st->step[i]);
	return 0;
}

/* Shared steps for @self, every result preset to a value no step gives. */
static struct steps *new_steps(FIXTURE_DATA(quota) *self)
{
	struct steps *st = SHARED(st);
	int i;

	if (st == MAP_FAILED)
		return NULL;
	memset(st, 0, sizeof(*st));
	st->sfd = self->sfd;
	for (i = 0; i < MAX_STEPS; i++)
		st->res[i] = 1;
	return st;
}

static void add_create(FIXTURE_DATA(quota) *self, struct steps *st,
		       uint64_t capacity)
{
	st->step[st->n].name = kt_names_new(&self->names, "u");
	st->step[st->n].capacity = capacity;
	st->n++;
}

static void add_remove(struct steps *st, int of)
{
	st->step[st->n].name = st->step[of].name;
	st->step[st->n].remove = true;
	st->n++;
}

TEST_F(quota, creating_more_queues_than_queues_per_user_returns_edquot)
{
	struct steps *st = new_steps(self);
	int i;

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("queues_per_user", 3));
	for (i = 0; i < 4; i++)
		add_create(self, st, 0);
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, st->res[i]) TH_LOG("queue %d", i);
	EXPECT_EQ(-EDQUOT, st->res[3]);
}

TEST_F(quota, removing_a_queue_gives_back_its_count)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("queues_per_user", 2));
	add_create(self, st, 0);
	add_create(self, st, 0);
	add_create(self, st, 0);
	add_remove(st, 0);
	st->step[st->n++] = st->step[2];	/* the third again */
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(0, st->res[1]);
	EXPECT_EQ(-EDQUOT, st->res[2]);
	EXPECT_EQ(0, st->res[3]);
	EXPECT_EQ(0, st->res[4]);
}

TEST_F(quota, closing_an_anonymous_queue_gives_back_its_count)
{
	struct steps *st = new_steps(self);
	int i;

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("queues_per_user", 1));
	st->n = 3;	/* three anonymous queues, one after the other */
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, st->res[i]) TH_LOG("queue %d", i);
}

TEST_F(quota, opening_an_existing_queue_is_not_charged)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("queues_per_user", 1));
	add_create(self, st, 0);
	st->step[st->n] = st->step[0];
	st->step[st->n++].no_excl = true;
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(0, st->res[1]);
}

TEST_F(quota, queue_count_is_per_user)
{
	struct steps *st = new_steps(self);
	int fd;

	ASSERT_NE(NULL, st);
	fd = kt_create(self->sfd, &self->names, "r", KIPC_O_SEND, 0600, NULL,
		       NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_param_write("queues_per_user", 1));
	add_create(self, st, 0);
	add_create(self, st, 0);
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(-EDQUOT, st->res[1]);
	close(fd);
}

TEST_F(quota, capacities_over_bytes_per_user_return_edquot)
{
	struct steps *st = new_steps(self);
	int i;

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("bytes_per_user", 3 * 4096));
	for (i = 0; i < 4; i++)
		add_create(self, st, 4096);
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, st->res[i]) TH_LOG("queue %d", i);
	EXPECT_EQ(-EDQUOT, st->res[3]);
}

TEST_F(quota, single_queue_over_bytes_per_user_returns_edquot)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("bytes_per_user", 8192));
	add_create(self, st, 8193);
	add_create(self, st, 8192);
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(-EDQUOT, st->res[0]);
	EXPECT_EQ(0, st->res[1]);
}

TEST_F(quota, removing_a_queue_gives_back_its_bytes)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("bytes_per_user", 8192));
	add_create(self, st, 8192);
	add_create(self, st, 4096);
	add_remove(st, 0);
	st->step[st->n++] = st->step[1];	/* the second again */
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(-EDQUOT, st->res[1]);
	EXPECT_EQ(0, st->res[2]);
	EXPECT_EQ(0, st->res[3]);
}

TEST_F(quota, set_capacity_over_bytes_per_user_returns_edquot)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("bytes_per_user", 8192));
	add_create(self, st, 4096);
	st->step[0].set_capacity = 8192;	/* grows to the quota: fine */
	st->step[st->n] = st->step[0];
	st->step[st->n].no_excl = true;
	st->step[st->n++].set_capacity = 8193;
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(-EDQUOT, st->res[1]);
}

KT_HARNESS_MAIN
