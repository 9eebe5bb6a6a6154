// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues against a hostile or curious local user, beyond
 * queue_perm_test.c (mode bits by name, owner rights, quotas one by one)
 * and queue_test.c (reserved fields and tails of VERSION and STAT):
 *
 *   - by id as by name: every way to reach another user's queue (open by
 *     id for either direction, KIPC_O_CREAT on an existing name, an
 *     anonymous queue, a passed fd) is checked the same, and refused
 *     with EACCES (open) or EPERM (remove, set; every field alone);
 *   - capabilities, not uid 0: CAP_IPC_OWNER opens but does not remove,
 *     uid 0 without capabilities is an ordinary user, and a user
 *     namespace's root is nobody to the queues of the real root;
 *   - what the kernel writes: every field of STAT, RECV's header (also
 *     with EMSGSIZE) and VERSION replaced, nothing written past the
 *     caller's size, into input structs, or past a received message;
 *     ids and pids of other namespaces shown as overflow ids and 0;
 *   - per-user limits: a user who fills its quota of queues and bytes
 *     gets EDQUOT and EAGAIN, another user still creates and uses a queue.
 *
 * Must run as root: children drop to other users (and capabilities,
 * and namespaces) after inheriting the session fd.
 */
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kipc_test.h"

#define USER_A		7001
#define USER_B		7002
#define NS_BASE		100000	/* kuid/kgid of a user namespace's root */
#define PATTERN		0xa5

#define SHARED(ptr) mmap(NULL, sizeof(*(ptr)), PROT_READ | PROT_WRITE, \
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0)

FIXTURE(sec) {
	int sfd;
	int qfd;		/* root's queue, SEND|RECV, non-blocking */
	uint64_t id;
	const char *name;
	struct kt_names names;
};

FIXTURE_SETUP(sec)
{
	self->qfd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid() != 0)
		SKIP(return, "needs root");
}

FIXTURE_TEARDOWN(sec)
{
	if (self->qfd >= 0)
		close(self->qfd);
	kt_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
}

/* Root's queue with @mode, for the fixture. */
static int root_queue(FIXTURE_DATA(sec) *self, unsigned int mode)
{
	self->name = kt_names_new(&self->names, "s");
	self->qfd = kipc_queue_open(self->sfd, self->name,
				    KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
				    KIPC_O_RECV | KIPC_O_NONBLOCK, mode, NULL,
				    &self->id);
	return self->qfd;
}

/* What a child does, and with what. */
struct act {
	int sfd;
	int qfd;		/* an fd the child inherits */
	const char *name;
	uint64_t id;
	unsigned int flags;	/* open flags */
	unsigned int set_flags;	/* KIPC_SET_* of a set */
	uint32_t value;		/* ... its value */
};

static int do_open_name(void *arg)
{
	struct act *a = arg;
	int fd = kipc_queue_open(a->sfd, a->name, a->flags, 0600, NULL, NULL);

	if (fd >= 0)
		close(fd);
	return kt_status(fd);
}

static int do_open_id(void *arg)
{
	struct act *a = arg;
	int fd = kipc_queue_open_id(a->sfd, a->id, a->flags);

	if (fd >= 0)
		close(fd);
	return kt_status(fd);
}

static int do_remove_id(void *arg)
{
	struct act *a = arg;

	return kt_status(kipc_queue_remove_id(a->sfd, a->id));
}

static int do_remove_name(void *arg)
{
	struct act *a = arg;

	return kt_status(kipc_queue_remove(a->sfd, a->name));
}

/* A set of one field through the inherited fd. */
static int do_set(void *arg)
{
	struct act *a = arg;
	struct kipc_queue_set set;

	memset(&set, 0, sizeof(set));
	set.flags = a->set_flags;
	set.mode = a->value & 0777;
	set.uid = a->value;
	set.gid = a->value;
	set.max_msgsize = a->value;
	set.capacity = a->value;
	set.max_msgs = a->value;
	return kt_status(kipc_queue_set(a->qfd, &set));
}

/* ---- every way to another user's queue is checked the same ---- */

TEST_F(sec, nobody_opening_0600_queue_by_id_for_recv_gets_eacces)
{
	struct act a = { .sfd = self->sfd, .flags = KIPC_O_RECV };

	ASSERT_LE(0, root_queue(self, 0600));
	a.id = self->id;
	EXPECT_EQ(EACCES, kt_run_as_nobody(do_open_id, &a));
	a.flags = KIPC_O_SEND | KIPC_O_RECV;
	EXPECT_EQ(EACCES, kt_run_as_nobody(do_open_id, &a));
}

TEST_F(sec, nobody_opening_0622_queue_by_id_may_send_not_recv)
{
	struct act a = { .sfd = self->sfd, .flags = KIPC_O_SEND };

	ASSERT_LE(0, root_queue(self, 0622));
	a.id = self->id;
	EXPECT_EQ(0, kt_run_as_nobody(do_open_id, &a));
	a.flags = KIPC_O_RECV;
	EXPECT_EQ(EACCES, kt_run_as_nobody(do_open_id, &a));
	a.flags = KIPC_O_SEND | KIPC_O_RECV;
	EXPECT_EQ(EACCES, kt_run_as_nobody(do_open_id, &a));
}

TEST_F(sec, nobody_opening_anonymous_0600_queue_by_id_gets_eacces)
{
	struct act a = { .sfd = self->sfd, .flags = KIPC_O_SEND };
	uint64_t id;
	int fd;

	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND |
			     KIPC_O_RECV, 0600, NULL, &id);
	ASSERT_LE(0, fd);
	a.id = id;
	EXPECT_EQ(EACCES, kt_run_as_nobody(do_open_id, &a));
	a.flags = KIPC_O_RECV;
	EXPECT_EQ(EACCES, kt_run_as_nobody(do_open_id, &a));
	close(fd);
}

TEST_F(sec, nobody_removing_anonymous_root_queue_by_id_gets_eperm)
{
	struct act a = { .sfd = self->sfd };
	uint64_t id;
	int fd;

	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND |
			     KIPC_O_RECV, 0666, NULL, &id);
	ASSERT_LE(0, fd);
	a.id = id;
	EXPECT_EQ(EPERM, kt_run_as_nobody(do_remove_id, &a));
	EXPECT_EQ(0, kt_send_nb(fd, "alive", 5, 0));
	close(fd);
}

TEST_F(sec, nobody_open_with_creat_of_existing_0600_queue_gets_eacces)
{
	struct act a = { .sfd = self->sfd,
			 .flags = KIPC_O_CREAT | KIPC_O_SEND };

	/* creating is no way around the mode of what exists */
	ASSERT_LE(0, root_queue(self, 0600));
	a.name = self->name;
	EXPECT_EQ(EACCES, kt_run_as_nobody(do_open_name, &a));
	a.flags = KIPC_O_CREAT | KIPC_O_RECV;
	EXPECT_EQ(EACCES, kt_run_as_nobody(do_open_name, &a));
}

TEST_F(sec, nobody_create_excl_of_existing_name_changes_nothing)
{
	struct act a = { .sfd = self->sfd,
			 .flags = KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND };
	struct kipc_queue_stat st;

	ASSERT_LE(0, root_queue(self, 0600));
	a.name = self->name;
	EXPECT_EQ(EEXIST, kt_run_as_nobody(do_open_name, &a));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(0U, st.uid);
	EXPECT_EQ(0600U, st.mode);
	EXPECT_EQ(self->id, st.id);
}

/* Each field alone, through a passed read-write fd: the fd grants no rights. */
TEST_F(sec, nobody_setting_any_field_through_passed_fd_gets_eperm)
{
	static const struct { unsigned int flag; uint32_t value; } sets[] = {
		{ KIPC_SET_MODE, 0666 },
		{ KIPC_SET_UID, KT_NOBODY },
		{ KIPC_SET_GID, KT_NOBODY },
		{ KIPC_SET_MAX_MSGSIZE, 16 },
		{ KIPC_SET_CAPACITY, 1 << 20 },
		{ KIPC_SET_MAX_MSGS, 1 },
	};
	struct act a = { .sfd = self->sfd };
	struct kipc_queue_stat before, after;
	unsigned int i;

	ASSERT_LE(0, root_queue(self, 0666));
	a.qfd = self->qfd;
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &before));
	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		a.set_flags = sets[i].flag;
		a.value = sets[i].value;
		EXPECT_EQ(EPERM, kt_run_as_nobody(do_set, &a))
			TH_LOG("KIPC_SET flag %#x", sets[i].flag);
	}
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &after));
	EXPECT_EQ(before.mode, after.mode);
	EXPECT_EQ(before.uid, after.uid);
	EXPECT_EQ(before.gid, after.gid);
	EXPECT_EQ(before.max_msgsize, after.max_msgsize);
	EXPECT_EQ(before.capacity, after.capacity);
	EXPECT_EQ(before.max_msgs, after.max_msgs);
	EXPECT_EQ(0U, after.change_time_ns);
}

TEST_F(sec, group_member_may_not_set_or_remove)
{
	struct act a = { .sfd = self->sfd, .set_flags = KIPC_SET_MODE,
			 .value = 0666 };
	struct kipc_queue_set set;

	/* the group bits grant opening, not ownership */
	ASSERT_LE(0, root_queue(self, 0660));
	memset(&set, 0, sizeof(set));
	set.flags = KIPC_SET_GID;
	set.gid = KT_NOBODY;
	ASSERT_EQ(0, kipc_queue_set(self->qfd, &set));
	a.qfd = self->qfd;
	a.name = self->name;
	EXPECT_EQ(EPERM, kt_run_as_nobody(do_set, &a));
	EXPECT_EQ(EPERM, kt_run_as_nobody(do_remove_name, &a));
}

/* ---- capabilities, not uid 0 ---- */

/*
 * In a child: become @uid/@gid keeping only the capabilities in @caps
 * (a mask of CAP_TO_MASK() bits of the first word), effective.
 */
static int become(uid_t uid, gid_t gid, uint32_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (prctl(PR_SET_KEEPCAPS, 1) || setgroups(0, NULL) ||
	    setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -errno;
	memset(data, 0, sizeof(data));
	data[0].effective = caps;
	data[0].permitted = caps;
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

struct capact {
	struct act a;
	uid_t uid;
	uint32_t caps;
	int res[3];		/* open, set, remove: 0 or errno */
};

static int do_open_set_remove(void *arg)
{
	struct capact *c = arg;

	if (become(c->uid, c->uid, c->caps))
		return KT_CHILD_SETUP;
	c->res[0] = do_open_name(&c->a);
	c->res[1] = do_set(&c->a);
	c->res[2] = do_remove_name(&c->a);
	return 0;
}

static void run_capact(struct __test_metadata *_metadata,
		       struct capact *shared)
{
	ASSERT_EQ(0, kt_run_child((uid_t)-1, 0, do_open_set_remove, shared));
}

TEST_F(sec, cap_ipc_owner_opens_but_may_not_set_or_remove)
{
	struct capact *c = SHARED(c);

	ASSERT_NE(MAP_FAILED, c);
	ASSERT_LE(0, root_queue(self, 0600));
	c->a = (struct act){ .sfd = self->sfd, .qfd = self->qfd,
			     .name = self->name, .set_flags = KIPC_SET_MODE,
			     .value = 0666,
			     .flags = KIPC_O_SEND | KIPC_O_RECV };
	c->uid = KT_NOBODY;
	c->caps = CAP_TO_MASK(CAP_IPC_OWNER);
	run_capact(_metadata, c);
	EXPECT_EQ(0, c->res[0]);
	EXPECT_EQ(EPERM, c->res[1]);
	EXPECT_EQ(EPERM, c->res[2]);
	munmap(c, sizeof(*c));
}

TEST_F(sec, cap_sys_admin_sets_and_removes_but_may_not_open)
{
	struct capact *c = SHARED(c);

	ASSERT_NE(MAP_FAILED, c);
	ASSERT_LE(0, root_queue(self, 0600));
	c->a = (struct act){ .sfd = self->sfd, .qfd = self->qfd,
			     .name = self->name, .set_flags = KIPC_SET_MODE,
			     .value = 0600,
			     .flags = KIPC_O_SEND | KIPC_O_RECV };
	c->uid = KT_NOBODY;
	c->caps = CAP_TO_MASK(CAP_SYS_ADMIN);
	run_capact(_metadata, c);
	EXPECT_EQ(EACCES, c->res[0]);
	EXPECT_EQ(0, c->res[1]);
	EXPECT_EQ(0, c->res[2]);
	munmap(c, sizeof(*c));
}

/* Create a queue as nobody, mode 0600; returns 0 or the errno. */
static int do_create(void *arg)
{
	struct act *a = arg;
	int fd = kipc_queue_open(a->sfd, a->name, KIPC_O_CREAT | KIPC_O_EXCL |
				 KIPC_O_SEND, 0600, NULL, NULL);

	if (fd >= 0)
		close(fd);
	return kt_status(fd);
}

TEST_F(sec, uid_0_without_capabilities_is_an_ordinary_user)
{
	struct capact *c = SHARED(c);
	struct act mk = { .sfd = self->sfd };
	int fd;

	ASSERT_NE(MAP_FAILED, c);
	/* nobody's queue: uid 0 is neither owner nor creator */
	mk.name = kt_names_new(&self->names, "n");
	ASSERT_EQ(0, kt_run_as_nobody(do_create, &mk));
	fd = kipc_queue_open(self->sfd, mk.name, KIPC_O_SEND, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	c->a = (struct act){ .sfd = self->sfd, .qfd = fd, .name = mk.name,
			     .set_flags = KIPC_SET_MODE, .value = 0666,
			     .flags = KIPC_O_SEND };
	c->uid = 0;
	c->caps = 0;
	run_capact(_metadata, c);
	EXPECT_EQ(EACCES, c->res[0]);
	EXPECT_EQ(EPERM, c->res[1]);
	EXPECT_EQ(EPERM, c->res[2]);
	close(fd);
	munmap(c, sizeof(*c));
}

/* ---- user and pid namespaces ---- */

/*
 * In the child: unshare a user namespace, wait for the parent to map its
 * root to NS_BASE, become that root.  @sync: a pipe pair, child end.
 */
static int enter_userns(int rd, int wr)
{
	char c;

	if (unshare(CLONE_NEWUSER))
		return -errno;
	if (write(wr, "u", 1) != 1 || read(rd, &c, 1) != 1 || c != 'm')
		return -EPROTO;
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return -errno;
	return 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

/* In the parent: map the child's namespace root to NS_BASE. */
static int map_userns(pid_t pid)
{
	char path[64], map[64];
	int ret;

	snprintf(map, sizeof(map), "0 %d 1", NS_BASE);
	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	ret = write_file(path, "deny");
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	ret = ret ?: write_file(path, map);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	return ret ?: write_file(path, map);
}

/* What the namespace root saw. */
struct nsview {
	int sfd, qfd;		/* root's session and queue, inherited */
	const char *name;	/* root's queue */
	const char *own;	/* a queue to create inside */
	uint64_t own_id;
	int open_res, remove_res, set_res, setuid_res, setuid0_res;
	struct kipc_queue_stat st;	/* of root's queue */
	struct kipc_msg_info info;	/* of root's message */
	struct kipc_queue_stat own_st;
};

static int ns_child(struct nsview *v, int rd, int wr)
{
	struct kipc_queue_set set;
	char buf[16];
	int fd;

	if (enter_userns(rd, wr))
		return KT_CHILD_SETUP;
	v->open_res = kt_status(kipc_queue_open(v->sfd, v->name, KIPC_O_RECV,
						0, NULL, NULL));
	v->remove_res = kt_status(kipc_queue_remove(v->sfd, v->name));
	memset(&set, 0, sizeof(set));
	set.flags = KIPC_SET_MODE;
	set.mode = 0666;
	v->set_res = kt_status(kipc_queue_set(v->qfd, &set));
	if (kipc_queue_stat(v->qfd, &v->st) ||
	    kt_recv_nb(v->qfd, buf, sizeof(buf), &v->info) < 0)
		return KT_CHILD_WRONG;
	/* a queue of its own: owned by its root, whatever that is outside */
	fd = kipc_queue_open(v->sfd, v->own, KIPC_O_CREAT | KIPC_O_EXCL |
			     KIPC_O_SEND | KIPC_O_RECV, 0600, NULL,
			     &v->own_id);
	if (fd < 0)
		return KT_CHILD_WRONG;
	memset(&set, 0, sizeof(set));
	set.flags = KIPC_SET_UID;
	set.uid = 5;		/* no such uid in here */
	v->setuid_res = kt_status(kipc_queue_set(fd, &set));
	set.uid = 0;
	v->setuid0_res = kt_status(kipc_queue_set(fd, &set));
	if (kipc_queue_stat(fd, &v->own_st))
		return KT_CHILD_WRONG;
	close(fd);
	return 0;
}

TEST_F(sec, user_namespace_root_is_nobody_to_real_roots_queue)
{
	struct nsview *v = SHARED(v);
	struct kipc_queue_stat st;
	int to_child[2], to_parent[2], fd;
	char c;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, v);
	ASSERT_LE(0, root_queue(self, 0600));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "from root", 9, 0));
	v->sfd = self->sfd;
	v->qfd = self->qfd;
	v->name = self->name;
	v->own = kt_names_new(&self->names, "ns");
	ASSERT_EQ(0, pipe2(to_child, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(to_parent, O_CLOEXEC));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		_exit(ns_child(v, to_child[0], to_parent[1]));
	}
	close(to_child[0]);
	close(to_parent[1]);
	if (read(to_parent[0], &c, 1) != 1) {
		kt_wait(pid);
		SKIP(return, "no user namespaces here");
	}
	ASSERT_EQ(0, map_userns(pid));
	ASSERT_EQ(1, write(to_child[1], "m", 1));
	ASSERT_EQ(0, kt_wait(pid));

	/* its root has no capability over the real root's queue */
	EXPECT_EQ(EACCES, v->open_res);
	EXPECT_EQ(EPERM, v->remove_res);
	EXPECT_EQ(EPERM, v->set_res);
	/* ids it cannot name show as the overflow ids */
	EXPECT_EQ((uint32_t)KT_NOBODY, v->st.uid);
	EXPECT_EQ((uint32_t)KT_NOBODY, v->st.cuid);
	EXPECT_EQ((uint32_t)KT_NOBODY, v->st.gid);
	EXPECT_EQ((uint32_t)KT_NOBODY, v->info.sender_uid);
	/* its own queue: 0 inside, NS_BASE outside; unmapped ids refused */
	EXPECT_EQ(0U, v->own_st.uid);
	EXPECT_EQ(0U, v->own_st.cuid);
	EXPECT_EQ(EINVAL, v->setuid_res);
	EXPECT_EQ(0, v->setuid0_res);
	fd = kipc_queue_open_id(self->sfd, v->own_id, KIPC_O_SEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ((uint32_t)NS_BASE, st.uid);
	EXPECT_EQ((uint32_t)NS_BASE, st.cuid);
	EXPECT_EQ((uint32_t)NS_BASE, st.cgid);
	close(fd);
	close(to_child[1]);
	close(to_parent[0]);
	munmap(v, sizeof(*v));
}

/* What a process in a new pid namespace saw. */
struct pidview {
	int qfd;
	struct kipc_msg_info info;	/* of a message from outside */
	struct kipc_queue_stat st;
	pid_t inner_pid;		/* its own pid, seen from outside */
	int res;
};

static int pidns_child(void *arg)
{
	struct pidview *v = arg;
	char buf[16];
	pid_t pid;

	if (unshare(CLONE_NEWPID))
		return KT_CHILD_SETUP;
	pid = fork();
	if (pid < 0)
		return KT_CHILD_SETUP;
	if (pid == 0) {
		/* pid 1 of the new namespace */
		if (kt_recv_nb(v->qfd, buf, sizeof(buf), &v->info) < 0 ||
		    kipc_queue_stat(v->qfd, &v->st) ||
		    kt_send_nb(v->qfd, "from inside", 11, 0))
			_exit(KT_CHILD_WRONG);
		_exit(getpid() == 1 ? 0 : KT_CHILD_WRONG);
	}
	v->inner_pid = pid;
	return kt_wait(pid);
}

TEST_F(sec, pids_outside_the_receivers_pid_namespace_show_as_0)
{
	struct pidview *v = SHARED(v);
	struct kipc_msg_info info;
	char buf[16];

	ASSERT_NE(MAP_FAILED, v);
	ASSERT_LE(0, root_queue(self, 0600));
	v->qfd = self->qfd;
	ASSERT_EQ(0, kt_send_nb(self->qfd, "from outside", 12, 0));
	ASSERT_EQ(0, kt_run_child((uid_t)-1, 0, pidns_child, v));
	/* inside: the sender, creator and last sender are not visible */
	EXPECT_EQ(0, v->info.sender_pid);
	EXPECT_EQ(0, v->st.creator_pid);
	EXPECT_EQ(0, v->st.last_send_pid);
	/* outside: the one inside has its outside pid */
	ASSERT_EQ(11, kt_recv_nb(self->qfd, buf, sizeof(buf), &info));
	EXPECT_EQ(v->inner_pid, info.sender_pid);
	munmap(v, sizeof(*v));
}

/* ---- what the kernel writes ---- */

/* Is the 8-byte (or 4-byte) value the fill pattern? */
#define IS_PATTERN64(x)	((uint64_t)(x) == 0xa5a5a5a5a5a5a5a5ULL)
#define IS_PATTERN32(x)	((uint32_t)(x) == 0xa5a5a5a5U)

static void expect_info(struct __test_metadata *_metadata,
			const struct kipc_msg_info *info, uint64_t len,
			uint64_t type, uint64_t before_ns)
{
	EXPECT_EQ(len, info->len);
	EXPECT_EQ(type, info->type);
	EXPECT_EQ(getpid(), info->sender_pid);
	EXPECT_EQ(0U, info->sender_uid);
	EXPECT_LE(before_ns, info->send_time_ns);
	EXPECT_GE(kt_real_ns(), info->send_time_ns);
	EXPECT_LT(0U, info->seq);
	EXPECT_FALSE(IS_PATTERN64(info->seq));
}

/* A recv struct in a pattern-filled buffer, @extra bytes after it. */
struct recv_buf {
	struct kipc_recv r;
	uint8_t after[64];
};

static void recv_args_pattern(struct recv_buf *b, void *buf, size_t len)
{
	memset(b, PATTERN, sizeof(*b));
	b->r.size = sizeof(b->r);
	b->r.flags = KIPC_MSG_NONBLOCK;
	b->r.buf_ptr = (uintptr_t)buf;
	b->r.buf_len = len;
	b->r.select = KIPC_SEL_FIFO;
	b->r.reserved0 = 0;
	b->r.type = 0;
	b->r.deadline_ns = 0;
	memset(b->r.reserved, 0, sizeof(b->r.reserved));
}

/* Only the header was written: the input fields and what follows stay. */
static void expect_only_info_written(struct __test_metadata *_metadata,
				     const struct recv_buf *b,
				     const struct recv_buf *was)
{
	size_t i;

	EXPECT_EQ(0, memcmp(&b->r, &was->r, offsetof(struct kipc_recv, info)));
	EXPECT_EQ(0, memcmp(b->r.reserved, was->r.reserved,
			    sizeof(b->r.reserved)));
	for (i = 0; i < sizeof(b->after); i++)
		EXPECT_EQ(PATTERN, b->after[i]) TH_LOG("byte %zu after", i);
}

TEST_F(sec, recv_replaces_every_header_byte_and_writes_nothing_else)
{
	struct recv_buf b, was;
	uint64_t t0 = kt_real_ns();
	uint8_t buf[64];
	size_t i;

	ASSERT_LE(0, root_queue(self, 0600));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "twelve bytes", 12, 42));
	memset(buf, PATTERN, sizeof(buf));
	recv_args_pattern(&b, buf, sizeof(buf));
	was = b;
	ASSERT_EQ(12, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &b.r));
	expect_info(_metadata, &b.r.info, 12, 42, t0);
	expect_only_info_written(_metadata, &b, &was);
	/* the payload, and not a byte past it */
	EXPECT_EQ(0, memcmp(buf, "twelve bytes", 12));
	for (i = 12; i < sizeof(buf); i++)
		EXPECT_EQ(PATTERN, buf[i]) TH_LOG("buffer byte %zu", i);
}

TEST_F(sec, recv_emsgsize_replaces_every_header_byte)
{
	struct recv_buf b, was;
	uint64_t t0 = kt_real_ns();
	uint8_t buf[8];
	size_t i;

	ASSERT_LE(0, root_queue(self, 0600));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "twelve bytes", 12, 7));
	memset(buf, PATTERN, sizeof(buf));
	recv_args_pattern(&b, buf, sizeof(buf));
	was = b;
	ASSERT_EQ(-EMSGSIZE, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &b.r));
	expect_info(_metadata, &b.r.info, 12, 7, t0);
	expect_only_info_written(_metadata, &b, &was);
	for (i = 0; i < sizeof(buf); i++)
		EXPECT_EQ(PATTERN, buf[i]) TH_LOG("buffer byte %zu", i);
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(sec, recv_error_other_than_emsgsize_writes_nothing)
{
	struct recv_buf b, was;
	uint8_t buf[8];

	ASSERT_LE(0, root_queue(self, 0600));
	recv_args_pattern(&b, buf, sizeof(buf));
	was = b;
	ASSERT_EQ(-EAGAIN, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &b.r));
	EXPECT_EQ(0, memcmp(&b, &was, sizeof(b)));
}

TEST_F(sec, read_writes_nothing_past_the_message)
{
	uint8_t buf[64];
	size_t i;

	ASSERT_LE(0, root_queue(self, 0600));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "seven b", 7, 0));
	memset(buf, PATTERN, sizeof(buf));
	ASSERT_EQ(7, read(self->qfd, buf, sizeof(buf)));
	for (i = 7; i < sizeof(buf); i++)
		EXPECT_EQ(PATTERN, buf[i]) TH_LOG("buffer byte %zu", i);
}

/* Every STAT field is written: none keeps the fill pattern. */
static void expect_stat_all_written(struct __test_metadata *_metadata,
				    const struct kipc_queue_stat *st,
				    bool anonymous)
{
	size_t i;

	EXPECT_EQ(anonymous ? (uint32_t)KIPC_STAT_ANONYMOUS : 0U, st->flags);
	EXPECT_FALSE(IS_PATTERN64(st->id));
	EXPECT_EQ(0600U, st->mode);
	EXPECT_EQ(0U, st->uid);
	EXPECT_EQ(0U, st->gid);
	EXPECT_EQ(0U, st->cuid);
	EXPECT_EQ(0U, st->cgid);
	EXPECT_EQ(getpid(), st->creator_pid);
	EXPECT_EQ(1U, st->nr_msgs);
	EXPECT_EQ(3U, st->bytes);
	EXPECT_FALSE(IS_PATTERN32(st->max_msgsize));
	EXPECT_FALSE(IS_PATTERN32(st->max_msgs));
	EXPECT_FALSE(IS_PATTERN64(st->capacity));
	EXPECT_EQ(getpid(), st->last_send_pid);
	EXPECT_EQ(0, st->last_recv_pid);
	EXPECT_FALSE(IS_PATTERN64(st->send_time_ns));
	EXPECT_EQ(0U, st->recv_time_ns);
	EXPECT_EQ(0U, st->change_time_ns);
	EXPECT_FALSE(IS_PATTERN64(st->create_time_ns));
	for (i = strnlen(st->name, sizeof(st->name)); i < sizeof(st->name);
	     i++)
		EXPECT_EQ(0, st->name[i]) TH_LOG("name byte %zu", i);
	if (anonymous)
		EXPECT_EQ(0, st->name[0]);
	for (i = 0; i < ARRAY_SIZE(st->reserved); i++)
		EXPECT_EQ(0U, st->reserved[i]);
}

TEST_F(sec, stat_replaces_every_field_of_named_and_anonymous_queues)
{
	struct kipc_queue_stat st;
	int fd;

	ASSERT_LE(0, root_queue(self, 0600));
	ASSERT_EQ(0, kt_send_nb(self->qfd, "abc", 3, 0));
	memset(&st, PATTERN, sizeof(st));
	st.size = sizeof(st);
	ASSERT_EQ(0, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_STAT, &st));
	expect_stat_all_written(_metadata, &st, false);
	EXPECT_STREQ(self->name, st.name);

	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND |
			     KIPC_O_RECV, 0600, NULL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_send_nb(fd, "abc", 3, 0));
	memset(&st, PATTERN, sizeof(st));
	st.size = sizeof(st);
	ASSERT_EQ(0, kt_ioctl(fd, KIPC_IOC_QUEUE_STAT, &st));
	expect_stat_all_written(_metadata, &st, true);
	close(fd);
}

/* Output structs: filled up to the caller's size and not a byte more. */
TEST_F(sec, stat_and_version_write_nothing_past_the_callers_size)
{
	struct {
		struct kipc_queue_stat st;
		uint8_t after[64];
	} s;
	struct {
		struct kipc_version v;
		uint8_t after[64];
	} v;
	size_t i;

	ASSERT_LE(0, root_queue(self, 0600));
	memset(&s, PATTERN, sizeof(s));
	s.st.size = sizeof(s.st);
	ASSERT_EQ(0, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_STAT, &s));
	for (i = 0; i < sizeof(s.after); i++)
		EXPECT_EQ(PATTERN, s.after[i]) TH_LOG("stat: byte %zu after", i);
	memset(&v, PATTERN, sizeof(v));
	v.v.size = sizeof(v.v);
	ASSERT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(sizeof(v.v), v.v.size);
	for (i = 0; i < sizeof(v.after); i++)
		EXPECT_EQ(PATTERN, v.after[i]) TH_LOG("version: byte %zu after",
						      i);
}

/* Input structs are not written to; OPEN writes the id alone. */
TEST_F(sec, input_structs_are_not_written_and_open_writes_only_the_id)
{
	struct kipc_queue_open o, o_was;
	struct kipc_send snd, snd_was;
	struct kipc_queue_set set, set_was;
	struct kipc_queue_remove rm, rm_was;
	const char *name;
	int fd;

	name = kt_names_new(&self->names, "w");
	kt_open_args(&o, name, KIPC_O_CREAT | KIPC_O_SEND | KIPC_O_RECV |
		     KIPC_O_NONBLOCK);
	o_was = o;
	fd = kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o);
	ASSERT_LE(0, fd);
	EXPECT_NE(0U, o.id);
	o_was.id = o.id;
	EXPECT_EQ(0, memcmp(&o, &o_was, sizeof(o)));

	kt_send_args(&snd, "x", 1, 3);
	snd_was = snd;
	ASSERT_EQ(0, kt_ioctl(fd, KIPC_IOC_QUEUE_SEND, &snd));
	EXPECT_EQ(0, memcmp(&snd, &snd_was, sizeof(snd)));

	memset(&set, 0, sizeof(set));
	set.size = sizeof(set);
	set.flags = KIPC_SET_MAX_MSGS;
	set.max_msgs = 77;
	set_was = set;
	ASSERT_EQ(0, kt_ioctl(fd, KIPC_IOC_QUEUE_SET, &set));
	EXPECT_EQ(0, memcmp(&set, &set_was, sizeof(set)));

	memset(&rm, 0, sizeof(rm));
	rm.size = sizeof(rm);
	rm.name_ptr = (uintptr_t)name;
	rm_was = rm;
	ASSERT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_REMOVE, &rm));
	EXPECT_EQ(0, memcmp(&rm, &rm_was, sizeof(rm)));
	close(fd);
}

/* ---- per-user limits ---- */

FIXTURE(limits) {
	int sfd;
	unsigned long long queues_per_user, bytes_per_user;
	bool saved;
	struct kt_names names;
};

FIXTURE_SETUP(limits)
{
	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, kt_param_read("queues_per_user", &self->queues_per_user));
	ASSERT_EQ(0, kt_param_read("bytes_per_user", &self->bytes_per_user));
	self->saved = true;
}

FIXTURE_TEARDOWN(limits)
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

#define HOG_QUEUES	8	/* queues_per_user */
#define HOG_CAPACITY	65536	/* each queue's: 4 fit in ... */
#define HOG_BYTES	(4 * HOG_CAPACITY)	/* ... bytes_per_user */
#define HOG_MSG		4096

struct hog {
	int sfd;
	char name[HOG_QUEUES + 1][KT_NAME_LEN];
	int created;		/* queues made before EDQUOT */
	long create_res;	/* the create that failed */
	long anon_res;		/* an anonymous create then */
	long grow_res;		/* a capacity raise then */
	uint64_t queued;	/* payload bytes sent before EAGAIN */
	long fill_res;		/* the send that failed */
	long other_res;		/* the other user: create and round trip */
};

/* As USER_A: create until refused, then fill every queue. */
static int hog_main(void *arg)
{
	struct kipc_queue_limits lim = { .capacity = HOG_CAPACITY };
	static char msg[HOG_MSG];
	struct hog *h = arg;
	struct kipc_queue_set set;
	int fds[HOG_QUEUES + 1], i, fd;
	long ret = 0;

	for (i = 0; i <= HOG_QUEUES; i++) {
		fd = kipc_queue_open(h->sfd, h->name[i], KIPC_O_CREAT |
				     KIPC_O_EXCL | KIPC_O_SEND |
				     KIPC_O_NONBLOCK, 0600, &lim, NULL);
		if (fd < 0) {
			h->create_res = fd;
			break;
		}
		fds[h->created++] = fd;
	}
	fd = kipc_queue_open(h->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     &lim, NULL);
	h->anon_res = fd < 0 ? fd : 0;
	if (fd >= 0)
		close(fd);
	memset(&set, 0, sizeof(set));
	set.flags = KIPC_SET_CAPACITY;
	set.capacity = 2 * HOG_CAPACITY;
	h->grow_res = h->created ? kipc_queue_set(fds[0], &set) : -ENOENT;
	for (i = 0; i < h->created; i++) {
		while ((ret = kt_send_nb(fds[i], msg, sizeof(msg), 0)) == 0)
			h->queued += sizeof(msg);
		h->fill_res = ret;
		if (ret != -EAGAIN)
			break;
	}
	for (i = 0; i < h->created; i++)
		close(fds[i]);
	return 0;
}

/* As USER_B: a queue of its own works. */
static int other_main(void *arg)
{
	struct hog *h = arg;
	char buf[8];
	int fd;

	fd = kipc_queue_open(h->sfd, h->name[HOG_QUEUES], KIPC_O_CREAT |
			     KIPC_O_EXCL | KIPC_O_SEND | KIPC_O_RECV |
			     KIPC_O_NONBLOCK, 0600, NULL, NULL);
	if (fd < 0) {
		h->other_res = fd;
		return 0;
	}
	h->other_res = kt_send_nb(fd, "mine", 4, 0);
	if (!h->other_res && kt_recv_nb(fd, buf, sizeof(buf), NULL) != 4)
		h->other_res = -EPROTO;
	close(fd);
	h->other_res = h->other_res ?: kipc_queue_remove(h->sfd,
							 h->name[HOG_QUEUES]);
	return 0;
}

TEST_F(limits, user_filling_its_quota_gets_edquot_and_others_still_work)
{
	struct hog *h = SHARED(h);
	int i, res;

	ASSERT_NE(MAP_FAILED, h);
	ASSERT_EQ(0, kt_param_write("queues_per_user", HOG_QUEUES));
	ASSERT_EQ(0, kt_param_write("bytes_per_user", HOG_BYTES));
	h->sfd = self->sfd;
	for (i = 0; i <= HOG_QUEUES; i++)
		snprintf(h->name[i], KT_NAME_LEN, "%s",
			 kt_names_new(&self->names, "h"));
	ASSERT_EQ(0, kt_run_child(USER_A, USER_A, hog_main, h));

	/* the byte quota stops it: 4 queues, then EDQUOT, however made */
	EXPECT_EQ(HOG_BYTES / HOG_CAPACITY, h->created);
	EXPECT_EQ(-EDQUOT, h->create_res);
	EXPECT_EQ(-EDQUOT, h->anon_res);
	EXPECT_EQ(-EDQUOT, h->grow_res);
	/* full queues say EAGAIN; the payload it holds is its quota */
	EXPECT_EQ(-EAGAIN, h->fill_res);
	EXPECT_EQ((uint64_t)HOG_BYTES, h->queued);

	/* the other user is not affected */
	ASSERT_EQ(0, kt_run_child(USER_B, USER_B, other_main, h));
	EXPECT_EQ(0, h->other_res) TH_LOG("other user: %s",
					  strerror(-h->other_res));

	/* removed, everything comes back */
	kt_names_remove_all(self->sfd, &self->names);
	ASSERT_EQ(0, kt_param_write("queues_per_user", self->queues_per_user));
	ASSERT_EQ(0, kt_param_write("bytes_per_user", self->bytes_per_user));
	res = kt_quota_probe(self->sfd, USER_A, USER_A);
	EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("user A: %s", kt_quota_str(res));
	res = kt_quota_probe(self->sfd, USER_B, USER_B);
	EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("user B: %s", kt_quota_str(res));
	munmap(h, sizeof(*h));
}

/* Empty messages take no bytes: max_msgs is what bounds them. */
TEST_F(limits, empty_messages_are_bounded_by_max_msgs)
{
	struct kipc_queue_limits lim = { .max_msgs = 64, .capacity = 1,
					 .max_msgsize = 1 };
	struct kipc_queue_stat st;
	int fd, i;

	fd = kt_create(self->sfd, &self->names, "e",
		       KIPC_O_SEND | KIPC_O_NONBLOCK, 0600, &lim, NULL);
	ASSERT_LE(0, fd);
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, kt_send_nb(fd, "", 0, 0)) TH_LOG("message %d", i);
	EXPECT_EQ(-EAGAIN, kt_send_nb(fd, "", 0, 0));
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(64U, st.nr_msgs);
	EXPECT_EQ(0U, st.bytes);
	close(fd);
}

KT_HARNESS_MAIN
