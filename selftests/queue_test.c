// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues: the session, opening and creating, attributes,
 * send and receive, selection, stat, set and remove, and every errno these
 * calls promise in uapi/linux/kipc.h.  Blocking, signals and poll are in
 * queue_block_test.c, permissions and quotas in queue_perm_test.c.
 */
#include "kipc_test.h"

FIXTURE(queue) {
	int sfd;
	int qfd;		/* SEND|RECV opening of @name, default limits */
	uint64_t id;		/* @name's id */
	const char *name;
	struct kt_names names;	/* removed in teardown */
	char longname[KIPC_NAME_MAX + 2];	/* removed in teardown if set */
};

FIXTURE_SETUP(queue)
{
	self->qfd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	self->name = kt_names_new(&self->names, "q");
	self->qfd = kipc_queue_open(self->sfd, self->name,
				    KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
				    KIPC_O_RECV, 0600, NULL, &self->id);
	ASSERT_LE(0, self->qfd) TH_LOG("create %s: %s", self->name,
				       strerror(-self->qfd));
}

FIXTURE_TEARDOWN(queue)
{
	if (self->qfd >= 0)
		close(self->qfd);
	if (self->longname[0])
		kipc_queue_remove(self->sfd, self->longname);
	kt_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
}

/* A new named queue with limits @lim (may be NULL), SEND|RECV, mode 0600. */
static int new_queue(FIXTURE_DATA(queue) *self,
		     const struct kipc_queue_limits *lim)
{
	return kt_create(self->sfd, &self->names, "l",
			 KIPC_O_SEND | KIPC_O_RECV, 0600, lim, NULL);
}

/* KIPC_IOC_QUEUE_OPEN of @name (NULL: by id 0) with @flags, raw. */
static long open_raw(int sfd, const char *name, unsigned int flags)
{
	struct kipc_queue_open o;

	kt_open_args(&o, name, flags);
	return kt_ioctl(sfd, KIPC_IOC_QUEUE_OPEN, &o);
}

static long remove_raw(int sfd, struct kipc_queue_remove *r)
{
	return kt_ioctl(sfd, KIPC_IOC_QUEUE_REMOVE, r);
}

static void remove_args(struct kipc_queue_remove *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->name_ptr = (uintptr_t)name;
}

static void set_args(struct kipc_queue_set *s, unsigned int flags)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->flags = flags;
}

static unsigned long long param(struct __test_metadata *_metadata,
				const char *name)
{
	unsigned long long val = 0;
	int ret = kt_param_read(name, &val);

	EXPECT_EQ(0, ret) TH_LOG("module parameter %s: %s", name,
				 strerror(-ret));
	return val;
}

/* ---- the session ---- */

TEST_F(queue, version_reports_major_1_and_queue_features)
{
	struct kipc_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	ASSERT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(1U, v.major);
	EXPECT_EQ(KIPC_FEAT_QUEUE | KIPC_FEAT_QUEUE_RW,
		  v.features & (KIPC_FEAT_QUEUE | KIPC_FEAT_QUEUE_RW));
}

/* libkipc names every feature this module reports, for messages and logs */
TEST_F(queue, every_reported_feature_has_a_name)
{
	struct kipc_version v;
	uint64_t bit;

	ASSERT_EQ(0, kipc_version(self->sfd, &v));
	for (bit = 1; bit; bit <<= 1)
		if (v.features & bit)
			EXPECT_NE(NULL, kipc_feature_name(bit))
				TH_LOG("feature bit %#llx has no name",
				       (unsigned long long)bit);
	EXPECT_STREQ("pipe", kipc_feature_name(KIPC_FEAT_PIPE));
	EXPECT_STREQ("shm", kipc_feature_name(KIPC_FEAT_SHM));
	EXPECT_EQ(NULL, kipc_feature_name(1ULL << 63));
}

TEST_F(queue, version_output_has_no_stale_bytes)
{
	struct kipc_version v;

	memset(&v, 0xa5, sizeof(v));
	v.size = sizeof(v);
	ASSERT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(0U, v.reserved0);
	EXPECT_EQ(0U, v.reserved[0]);
	EXPECT_EQ(0U, v.reserved[1]);
}

TEST_F(queue, version_larger_size_zeroes_the_tail)
{
	struct {
		struct kipc_version v;
		uint64_t tail[4];
	} big;
	int i;

	memset(&big, 0xa5, sizeof(big));
	big.v.size = sizeof(big);
	ASSERT_EQ(0, kt_ioctl(self->sfd, KIPC_IOC_VERSION, &big));
	EXPECT_EQ(1U, big.v.major);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0U, big.tail[i]) TH_LOG("tail[%d]", i);
}

TEST_F(queue, version_size_below_first_version_returns_einval)
{
	struct kipc_version v;

	memset(&v, 0, sizeof(v));
	v.size = KIPC_VERSION_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_VERSION, &v));
	v.size = 0;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_VERSION, &v));
}

TEST_F(queue, version_bad_args_pointer_returns_efault)
{
	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_VERSION,
				    kt_unmapped_addr()));
}

TEST_F(queue, unknown_session_ioctl_returns_enotty)
{
	struct kipc_version v = { .size = sizeof(v) };

	EXPECT_EQ(-ENOTTY, kt_ioctl(self->sfd,
				    _IOWR(KIPC_IOC_MAGIC, 0x7f,
					  struct kipc_version), &v));
}

TEST_F(queue, session_ioctl_with_foreign_magic_returns_enotty)
{
	struct kipc_version v = { .size = sizeof(v) };

	EXPECT_EQ(-ENOTTY, kt_ioctl(self->sfd,
				    _IOWR(KIPC_IOC_MAGIC - 1, 0x00,
					  struct kipc_version), &v));
}

TEST_F(queue, queue_ioctls_on_session_fd_return_enotty)
{
	char buf[8] = "x";
	struct kipc_send s;
	struct kipc_recv r;
	struct kipc_queue_stat st = { .size = sizeof(st) };
	struct kipc_queue_set set;

	kt_send_args(&s, buf, 1, 0);
	kt_recv_args(&r, buf, sizeof(buf));
	r.flags = KIPC_MSG_NONBLOCK;
	set_args(&set, 0);
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_SEND, &s));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_RECV, &r));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_STAT, &st));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_SET, &set));
}

TEST_F(queue, session_ioctls_on_queue_fd_return_enotty)
{
	struct kipc_version v = { .size = sizeof(v) };
	struct kipc_queue_open o;
	struct kipc_queue_remove r;

	kt_open_args(&o, self->name, KIPC_O_SEND);
	remove_args(&r, self->name);
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->qfd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_OPEN, &o));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_REMOVE, &r));
	/* and the queue was not removed */
	EXPECT_EQ(0, kt_send_nb(self->qfd, "x", 1, 0));
}

TEST_F(queue, unknown_queue_ioctl_returns_enotty)
{
	struct kipc_queue_stat st = { .size = sizeof(st) };

	EXPECT_EQ(-ENOTTY, kt_ioctl(self->qfd,
				    _IOWR(KIPC_IOC_MAGIC, 0x2f,
					  struct kipc_queue_stat), &st));
}

/* ---- open and create ---- */

TEST_F(queue, create_returns_fd_and_id_of_new_named_queue)
{
	struct kipc_queue_stat st;

	EXPECT_NE(0U, self->id);
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(self->id, st.id);
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(0U, st.flags & (KIPC_STAT_ANONYMOUS | KIPC_STAT_REMOVED));
}

TEST_F(queue, create_excl_of_existing_name_returns_eexist)
{
	EXPECT_EQ(-EEXIST, open_raw(self->sfd, self->name,
				    KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND));
}

TEST_F(queue, create_without_excl_opens_existing_queue)
{
	uint64_t id = 0;
	int fd;

	fd = kipc_queue_open(self->sfd, self->name, KIPC_O_CREAT | KIPC_O_SEND,
			     0600, NULL, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(self->id, id);
	EXPECT_EQ(0, kt_send_nb(fd, "shared", 6, 0));
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "shared");
	close(fd);
}

TEST_F(queue, open_of_existing_queue_ignores_attributes)
{
	struct kipc_queue_limits lim = { 16, 2, 64 };
	struct kipc_queue_stat before, after;
	int fd;

	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &before));
	fd = kipc_queue_open(self->sfd, self->name, KIPC_O_CREAT | KIPC_O_SEND,
			     0644, &lim, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_stat(fd, &after));
	EXPECT_EQ(0600U, after.mode);
	EXPECT_EQ(before.max_msgsize, after.max_msgsize);
	EXPECT_EQ(before.max_msgs, after.max_msgs);
	EXPECT_EQ(before.capacity, after.capacity);
	close(fd);
}

TEST_F(queue, open_with_creat_of_existing_queue_still_checks_attributes)
{
	struct kipc_queue_limits lim = { .max_msgsize = 2048,
					 .capacity = 1024 };

	EXPECT_EQ(-EINVAL, kipc_queue_open(self->sfd, self->name,
					   KIPC_O_CREAT | KIPC_O_SEND, 0600,
					   &lim, NULL));
}

TEST_F(queue, open_without_creat_ignores_attributes)
{
	struct kipc_queue_open o;
	long fd;

	kt_open_args(&o, self->name, KIPC_O_SEND);
	o.max_msgsize = 2048;
	o.capacity = 1024;
	fd = kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o);
	ASSERT_LE(0, fd);
	EXPECT_EQ(self->id, o.id);
	close(fd);
}

TEST_F(queue, open_of_missing_name_returns_enoent)
{
	char name[KT_NAME_LEN];

	snprintf(name, sizeof(name), "%s-missing", self->name);
	EXPECT_EQ(-ENOENT, open_raw(self->sfd, name, KIPC_O_SEND));
}

TEST_F(queue, open_of_missing_id_returns_enoent)
{
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, self->id + 1000000,
					      KIPC_O_SEND));
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, UINT64_MAX,
					      KIPC_O_SEND));
}

TEST_F(queue, open_of_id_0_returns_enoent)
{
	EXPECT_EQ(-ENOENT, open_raw(self->sfd, NULL, KIPC_O_SEND));
}

TEST_F(queue, open_by_id_of_named_queue_works)
{
	struct kipc_queue_stat st;
	int fd;

	fd = kipc_queue_open_id(self->sfd, self->id, KIPC_O_SEND | KIPC_O_RECV);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(self->id, st.id);
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(0, kt_send_nb(fd, "by id", 5, 0));
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "by id");
	close(fd);
}

TEST_F(queue, open_by_id_writes_back_the_id)
{
	struct kipc_queue_open o;
	long fd;

	kt_open_args(&o, NULL, KIPC_O_RECV);
	o.id = self->id;
	fd = kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o);
	ASSERT_LE(0, fd);
	EXPECT_EQ(self->id, o.id);
	close(fd);
}

TEST_F(queue, open_by_name_writes_back_the_id)
{
	struct kipc_queue_open o;
	long fd;

	kt_open_args(&o, self->name, KIPC_O_RECV);
	o.id = 12345;
	fd = kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o);
	ASSERT_LE(0, fd);
	EXPECT_EQ(self->id, o.id);
	close(fd);
}

TEST_F(queue, empty_name_returns_einval)
{
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, "",
				    KIPC_O_CREAT | KIPC_O_SEND));
}

TEST_F(queue, name_with_slash_returns_einval)
{
	char name[KT_NAME_LEN];

	snprintf(name, sizeof(name), "%s/x", self->name);
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, name,
				    KIPC_O_CREAT | KIPC_O_SEND));
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, "/",
				    KIPC_O_CREAT | KIPC_O_SEND));
}

TEST_F(queue, name_with_control_character_returns_einval)
{
	static const char ctl[] = { '\x01', '\t', '\n', '\x1b', '\x1f', '\x7f' };
	char name[KT_NAME_LEN];
	unsigned int i;

	for (i = 0; i < sizeof(ctl); i++) {
		snprintf(name, sizeof(name), "%s-%c", self->name, ctl[i]);
		EXPECT_EQ(-EINVAL, open_raw(self->sfd, name,
					    KIPC_O_CREAT | KIPC_O_SEND))
			TH_LOG("character 0x%02x", ctl[i]);
	}
}

TEST_F(queue, name_of_name_max_bytes_works)
{
	struct kipc_queue_stat st;
	int n, fd;

	n = snprintf(self->longname, sizeof(self->longname), "%s-", self->name);
	memset(self->longname + n, 'x', KIPC_NAME_MAX - n);
	self->longname[KIPC_NAME_MAX] = '\0';
	fd = kipc_queue_open(self->sfd, self->longname,
			     KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND, 0600,
			     NULL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_STREQ(self->longname, st.name);
	close(fd);
}

TEST_F(queue, name_of_name_max_plus_1_bytes_returns_enametoolong)
{
	char name[KIPC_NAME_MAX + 2];
	int n;

	n = snprintf(name, sizeof(name), "%s-", self->name);
	memset(name + n, 'x', KIPC_NAME_MAX + 1 - n);
	name[KIPC_NAME_MAX + 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, open_raw(self->sfd, name,
					  KIPC_O_CREAT | KIPC_O_SEND));
}

TEST_F(queue, open_without_send_or_recv_returns_einval)
{
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, self->name, 0));
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, self->name, KIPC_O_CREAT));
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, NULL, KIPC_O_CREAT));
}

TEST_F(queue, open_with_unknown_flag_returns_einval)
{
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, self->name,
				    KIPC_O_SEND | (KIPC_O_ALL + 1)));
	EXPECT_EQ(-EINVAL, open_raw(self->sfd, self->name,
				    KIPC_O_SEND | (1U << 31)));
}

TEST_F(queue, open_with_nonzero_reserved_returns_einval)
{
	struct kipc_queue_open o;
	int i;

	kt_open_args(&o, self->name, KIPC_O_SEND);
	o.reserved0 = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o));
	for (i = 0; i < 4; i++) {
		kt_open_args(&o, self->name, KIPC_O_SEND);
		o.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN,
					    &o)) TH_LOG("reserved[%d]", i);
	}
}

TEST_F(queue, open_size_below_first_version_returns_einval)
{
	struct kipc_queue_open o;

	kt_open_args(&o, self->name, KIPC_O_SEND);
	o.size = KIPC_QUEUE_OPEN_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o));
	o.size = 0;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o));
}

TEST_F(queue, open_larger_size_with_nonzero_tail_returns_e2big)
{
	struct {
		struct kipc_queue_open o;
		uint64_t tail[2];
	} big;

	memset(&big, 0, sizeof(big));
	kt_open_args(&big.o, self->name, KIPC_O_SEND);
	big.o.size = sizeof(big);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &big));
}

TEST_F(queue, open_larger_size_with_zero_tail_works)
{
	struct {
		struct kipc_queue_open o;
		uint64_t tail[2];
	} big;
	long fd;

	memset(&big, 0, sizeof(big));
	kt_open_args(&big.o, self->name, KIPC_O_SEND);
	big.o.size = sizeof(big);
	fd = kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &big);
	ASSERT_LE(0, fd);
	EXPECT_EQ(self->id, big.o.id);
	close(fd);
}

TEST_F(queue, open_command_with_other_size_bits_works)
{
	struct {
		struct kipc_queue_open o;
		uint64_t tail[2];
	} big;
	long fd;

	memset(&big, 0, sizeof(big));
	kt_open_args(&big.o, self->name, KIPC_O_SEND);
	big.o.size = sizeof(big);
	fd = kt_ioctl(self->sfd, _IOC(_IOC_READ | _IOC_WRITE, KIPC_IOC_MAGIC,
				      _IOC_NR(KIPC_IOC_QUEUE_OPEN),
				      sizeof(big)), &big);
	ASSERT_LE(0, fd);
	EXPECT_EQ(self->id, big.o.id);
	close(fd);
}

TEST_F(queue, open_bad_name_pointer_returns_efault)
{
	struct kipc_queue_open o;

	kt_open_args(&o, NULL, KIPC_O_CREAT | KIPC_O_SEND);
	o.name_ptr = (uintptr_t)kt_unmapped_addr();
	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o));
}

TEST_F(queue, open_bad_args_pointer_returns_efault)
{
	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN,
				    kt_unmapped_addr()));
}

TEST_F(queue, cloexec_flag_sets_fd_cloexec)
{
	int fd = kipc_queue_open(self->sfd, self->name,
				 KIPC_O_SEND | KIPC_O_CLOEXEC, 0, NULL, NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST_F(queue, fd_without_cloexec_flag_is_inherited_on_exec)
{
	int fd = kipc_queue_open(self->sfd, self->name, KIPC_O_SEND, 0, NULL,
				 NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST_F(queue, nonblock_flag_sets_fd_o_nonblock)
{
	int fd = kipc_queue_open(self->sfd, self->name,
				 KIPC_O_SEND | KIPC_O_NONBLOCK, 0, NULL, NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
}

TEST_F(queue, fd_without_nonblock_flag_is_blocking)
{
	EXPECT_EQ(0, fcntl(self->qfd, F_GETFL) & O_NONBLOCK);
}

/* ---- anonymous queues and ids ---- */

TEST_F(queue, anonymous_create_gives_anonymous_queue_with_empty_name)
{
	struct kipc_queue_stat st;
	struct kipc_queue_open o;
	long fd;

	kt_open_args(&o, NULL, KIPC_O_CREAT | KIPC_O_SEND | KIPC_O_RECV);
	fd = kt_ioctl(self->sfd, KIPC_IOC_QUEUE_OPEN, &o);
	ASSERT_LE(0, fd);
	EXPECT_NE(0U, o.id);
	EXPECT_NE(self->id, o.id);
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(o.id, st.id);
	EXPECT_EQ(KIPC_STAT_ANONYMOUS, st.flags & KIPC_STAT_ANONYMOUS);
	EXPECT_STREQ("", st.name);
	close(fd);
}

TEST_F(queue, anonymous_queue_is_reachable_by_id_while_open)
{
	uint64_t id;
	int fd, fd2;

	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, &id);
	ASSERT_LE(0, fd);
	fd2 = kipc_queue_open_id(self->sfd, id, KIPC_O_RECV);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kt_send_nb(fd, "anon", 4, 0));
	KT_RECV_STR(fd2, KIPC_SEL_FIFO, 0, "anon");
	close(fd2);
	close(fd);
}

TEST_F(queue, anonymous_queue_is_gone_after_its_last_fd_closes)
{
	uint64_t id;
	int fd;

	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, &id);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, id, KIPC_O_SEND));
}

TEST_F(queue, anonymous_queue_lives_while_any_fd_is_open)
{
	uint64_t id;
	int fd, fd2, fd3;

	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, &id);
	ASSERT_LE(0, fd);
	fd2 = kipc_queue_open_id(self->sfd, id, KIPC_O_SEND);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kt_send_nb(fd, "kept", 4, 0));
	close(fd);
	fd3 = kipc_queue_open_id(self->sfd, id, KIPC_O_RECV);
	ASSERT_LE(0, fd3);
	KT_RECV_STR(fd3, KIPC_SEL_FIFO, 0, "kept");
	close(fd3);
	close(fd2);
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, id, KIPC_O_SEND));
}

TEST_F(queue, ids_are_never_reused)
{
	uint64_t id1, id2, id3;
	int fd;

	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, &id1);
	ASSERT_LE(0, fd);
	close(fd);
	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, &id2);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_NE(id1, id2);
	EXPECT_LT(self->id, id1);
	EXPECT_LT(id1, id2);

	/* a named queue removed and created again gets a new id, too */
	close(self->qfd);
	self->qfd = -1;
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	self->qfd = kipc_queue_open(self->sfd, self->name,
				    KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND,
				    0600, NULL, &id3);
	ASSERT_LE(0, self->qfd);
	EXPECT_LT(id2, id3);
}

/* ---- attributes of a new queue ---- */

TEST_F(queue, zero_attributes_take_module_defaults)
{
	struct kipc_queue_stat st;

	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(param(_metadata, "msgsize_default"), st.max_msgsize);
	EXPECT_EQ(param(_metadata, "capacity_default"), st.capacity);
	EXPECT_EQ(param(_metadata, "msgs_default"), st.max_msgs);
}

TEST_F(queue, module_defaults_are_8192_bytes_65536_bytes_1024_msgs)
{
	struct kipc_queue_stat st;

	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(8192U, st.max_msgsize);
	EXPECT_EQ(65536U, st.capacity);
	EXPECT_EQ(1024U, st.max_msgs);
}

TEST_F(queue, attributes_at_module_limits_work)
{
	unsigned long long msgsize_max = param(_metadata, "msgsize_max");
	unsigned long long msgs_max = param(_metadata, "msgs_max");
	struct kipc_queue_limits lim = {
		.max_msgsize = msgsize_max,
		.max_msgs = msgs_max,
		.capacity = msgsize_max,
	};
	struct kipc_queue_stat st;
	int fd;

	fd = new_queue(self, &lim);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(msgsize_max, st.max_msgsize);
	EXPECT_EQ(msgs_max, st.max_msgs);
	close(fd);
}

TEST_F(queue, max_msgsize_over_module_limit_returns_emsgsize)
{
	unsigned long long msgsize_max = param(_metadata, "msgsize_max");
	struct kipc_queue_limits lim = {
		.max_msgsize = msgsize_max + 1,
		.capacity = msgsize_max + 1,
	};

	ASSERT_LE(lim.capacity, param(_metadata, "capacity_max"));
	EXPECT_EQ(-EMSGSIZE, new_queue(self, &lim));
}

TEST_F(queue, capacity_over_module_limit_returns_einval)
{
	struct kipc_queue_limits lim = {
		.max_msgsize = 1024,
		.capacity = param(_metadata, "capacity_max") + 1,
	};

	EXPECT_EQ(-EINVAL, new_queue(self, &lim));
}

TEST_F(queue, max_msgs_over_module_limit_returns_einval)
{
	struct kipc_queue_limits lim = {
		.max_msgs = param(_metadata, "msgs_max") + 1,
	};

	EXPECT_EQ(-EINVAL, new_queue(self, &lim));
}

TEST_F(queue, max_msgsize_over_capacity_returns_einval)
{
	struct kipc_queue_limits lim = {
		.max_msgsize = 2048,
		.capacity = 1024,
	};

	EXPECT_EQ(-EINVAL, new_queue(self, &lim));
}

/* ---- send and receive ---- */

TEST_F(queue, zero_byte_message_works)
{
	struct kipc_msg_info info;
	char buf[8] = "";

	ASSERT_EQ(0, kt_send_nb(self->qfd, buf, 0, 3));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
	EXPECT_EQ(0, kt_recv_nb(self->qfd, buf, sizeof(buf), &info));
	EXPECT_EQ(0U, info.len);
	EXPECT_EQ(3U, info.type);
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
}

TEST_F(queue, message_of_max_msgsize_works)
{
	struct kipc_queue_limits lim = { .max_msgsize = 4096,
					 .capacity = 8192 };
	char out[4096], in[4096];
	int fd;

	fd = new_queue(self, &lim);
	ASSERT_LE(0, fd);
	memset(out, 0x5a, sizeof(out));
	out[0] = 1;
	out[4095] = 2;
	ASSERT_EQ(0, kt_send_nb(fd, out, sizeof(out), 0));
	ASSERT_EQ(4096, kt_recv_nb(fd, in, sizeof(in), NULL));
	EXPECT_EQ(0, memcmp(out, in, sizeof(in)));
	close(fd);
}

TEST_F(queue, message_over_max_msgsize_returns_emsgsize)
{
	struct kipc_queue_limits lim = { .max_msgsize = 4096,
					 .capacity = 8192 };
	char out[4097] = { 0 };
	int fd;

	fd = new_queue(self, &lim);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EMSGSIZE, kt_send_nb(fd, out, sizeof(out), 0));
	EXPECT_EQ(0, kt_nr_msgs(fd));
	close(fd);
}

TEST_F(queue, recv_into_small_buffer_returns_emsgsize_and_needed_length)
{
	char out[100] = { 0 }, in[100];
	struct kipc_recv r;

	ASSERT_EQ(0, kt_send_nb(self->qfd, out, sizeof(out), 7));
	kt_recv_args(&r, in, 99);
	r.flags = KIPC_MSG_NONBLOCK;
	EXPECT_EQ(-EMSGSIZE, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &r));
	EXPECT_EQ(100U, r.info.len);
}

TEST_F(queue, recv_into_small_buffer_keeps_the_message)
{
	char out[100], in[100];

	memset(out, 'm', sizeof(out));
	ASSERT_EQ(0, kt_send_nb(self->qfd, out, sizeof(out), 0));
	ASSERT_EQ(-EMSGSIZE, kt_recv_nb(self->qfd, in, 99, NULL));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
	ASSERT_EQ(100, kt_recv_nb(self->qfd, in, sizeof(in), NULL));
	EXPECT_EQ(0, memcmp(out, in, sizeof(in)));
}

TEST_F(queue, recv_emsgsize_is_about_the_selected_message)
{
	char big[64], in[16];
	struct kipc_recv r;

	memset(big, 'b', sizeof(big));
	KT_SEND_STR(self->qfd, "small", 1);
	ASSERT_EQ(0, kt_send_nb(self->qfd, big, sizeof(big), 5));
	kt_recv_args(&r, in, sizeof(in));
	r.flags = KIPC_MSG_NONBLOCK;
	r.select = KIPC_SEL_PRIO;
	EXPECT_EQ(-EMSGSIZE, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &r));
	EXPECT_EQ(64U, r.info.len);
	/* the smaller, older message is still receivable into that buffer */
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "small");
}

TEST_F(queue, recv_into_unwritable_buffer_returns_efault)
{
	void *ro = kt_readonly_page();

	KT_SEND_STR(self->qfd, "fault", 0);
	EXPECT_EQ(-EFAULT, kt_recv_nb(self->qfd, ro, 4096, NULL));
	munmap(ro, 4096);
}

TEST_F(queue, recv_into_unwritable_buffer_keeps_message_first_in_line)
{
	void *ro = kt_readonly_page();

	KT_SEND_STR(self->qfd, "first", 0);
	KT_SEND_STR(self->qfd, "second", 0);
	ASSERT_EQ(-EFAULT, kt_recv_nb(self->qfd, ro, 4096, NULL));
	EXPECT_EQ(2, kt_nr_msgs(self->qfd));
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "first");
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "second");
	munmap(ro, 4096);
}

TEST_F(queue, recv_into_unwritable_buffer_keeps_message_first_of_its_type)
{
	void *ro = kt_readonly_page();

	KT_SEND_STR(self->qfd, "low", 1);
	KT_SEND_STR(self->qfd, "a", 5);
	KT_SEND_STR(self->qfd, "b", 5);
	KT_SEND_STR(self->qfd, "c", 5);
	ASSERT_EQ(-EFAULT, kipc_queue_timedrecv(self->qfd, ro, 4096,
						KIPC_SEL_PRIO, 0,
						KIPC_MSG_NONBLOCK, 0, NULL));
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "a");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "c");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "low");
	munmap(ro, 4096);
}

TEST_F(queue, recv_with_unwritable_args_keeps_the_message)
{
	long psz = sysconf(_SC_PAGESIZE);
	struct kipc_recv *r;
	char in[16];

	/* the args are readable but not writable: info cannot be stored */
	r = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	kt_recv_args(r, in, sizeof(in));
	r->flags = KIPC_MSG_NONBLOCK;
	ASSERT_EQ(0, mprotect(r, psz, PROT_READ));
	KT_SEND_STR(self->qfd, "kept", 0);
	EXPECT_EQ(-EFAULT, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, r));
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "kept");
	munmap(r, psz);
}

TEST_F(queue, send_from_unreadable_buffer_returns_efault_and_queues_nothing)
{
	EXPECT_EQ(-EFAULT, kt_send_nb(self->qfd, kt_unmapped_addr(), 16, 0));
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
}

TEST_F(queue, send_bad_args_pointer_returns_efault)
{
	EXPECT_EQ(-EFAULT, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SEND,
				    kt_unmapped_addr()));
}

TEST_F(queue, recv_bad_args_pointer_returns_efault)
{
	KT_SEND_STR(self->qfd, "x", 0);
	EXPECT_EQ(-EFAULT, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV,
				    kt_unmapped_addr()));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(queue, send_with_unknown_flag_returns_einval)
{
	struct kipc_send s;

	kt_send_args(&s, "x", 1, 0);
	s.flags = KIPC_MSG_NONBLOCK | (KIPC_MSG_ALL + 1);
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SEND, &s));
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
}

TEST_F(queue, send_with_nonzero_reserved_returns_einval)
{
	struct kipc_send s;
	int i;

	for (i = 0; i < 2; i++) {
		kt_send_args(&s, "x", 1, 0);
		s.flags = KIPC_MSG_NONBLOCK;
		s.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SEND,
					    &s)) TH_LOG("reserved[%d]", i);
	}
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
}

TEST_F(queue, send_size_below_first_version_returns_einval)
{
	struct kipc_send s;

	kt_send_args(&s, "x", 1, 0);
	s.flags = KIPC_MSG_NONBLOCK;
	s.size = KIPC_SEND_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SEND, &s));
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
}

TEST_F(queue, send_larger_size_with_nonzero_tail_returns_e2big)
{
	struct {
		struct kipc_send s;
		uint64_t tail[2];
	} big;

	memset(&big, 0, sizeof(big));
	kt_send_args(&big.s, "x", 1, 0);
	big.s.flags = KIPC_MSG_NONBLOCK;
	big.s.size = sizeof(big);
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SEND, &big));
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
}

TEST_F(queue, send_larger_size_with_zero_tail_works)
{
	struct {
		struct kipc_send s;
		uint64_t tail[2];
	} big;

	memset(&big, 0, sizeof(big));
	kt_send_args(&big.s, "tail", 4, 0);
	big.s.flags = KIPC_MSG_NONBLOCK;
	big.s.size = sizeof(big);
	EXPECT_EQ(0, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SEND, &big));
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "tail");
}

TEST_F(queue, recv_with_unknown_flag_returns_einval)
{
	struct kipc_recv r;
	char in[16];

	KT_SEND_STR(self->qfd, "x", 0);
	kt_recv_args(&r, in, sizeof(in));
	r.flags = KIPC_MSG_NONBLOCK | (KIPC_MSG_ALL + 1);
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &r));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(queue, recv_with_nonzero_reserved_returns_einval)
{
	struct kipc_recv r;
	char in[16];
	int i;

	KT_SEND_STR(self->qfd, "x", 0);
	kt_recv_args(&r, in, sizeof(in));
	r.flags = KIPC_MSG_NONBLOCK;
	r.reserved0 = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &r));
	for (i = 0; i < 2; i++) {
		kt_recv_args(&r, in, sizeof(in));
		r.flags = KIPC_MSG_NONBLOCK;
		r.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV,
					    &r)) TH_LOG("reserved[%d]", i);
	}
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(queue, recv_size_below_first_version_returns_einval)
{
	struct kipc_recv r;
	char in[16];

	KT_SEND_STR(self->qfd, "x", 0);
	kt_recv_args(&r, in, sizeof(in));
	r.flags = KIPC_MSG_NONBLOCK;
	r.size = KIPC_RECV_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &r));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(queue, recv_larger_size_with_nonzero_tail_returns_e2big)
{
	struct {
		struct kipc_recv r;
		uint64_t tail[2];
	} big;
	char in[16];

	KT_SEND_STR(self->qfd, "x", 0);
	memset(&big, 0, sizeof(big));
	kt_recv_args(&big.r, in, sizeof(in));
	big.r.flags = KIPC_MSG_NONBLOCK;
	big.r.size = sizeof(big);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &big));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(queue, recv_select_over_sel_max_returns_einval)
{
	struct kipc_recv r;
	char in[16];

	KT_SEND_STR(self->qfd, "x", 0);
	kt_recv_args(&r, in, sizeof(in));
	r.flags = KIPC_MSG_NONBLOCK;
	r.select = KIPC_SEL_MAX + 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &r));
	r.select = UINT32_MAX;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_RECV, &r));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(queue, recv_returns_length_type_and_payload)
{
	struct kipc_msg_info info;
	char in[32];

	ASSERT_EQ(0, kt_send_nb(self->qfd, "payload", 7, 42));
	ASSERT_EQ(7, kt_recv_nb(self->qfd, in, sizeof(in), &info));
	EXPECT_EQ(0, memcmp("payload", in, 7));
	EXPECT_EQ(7U, info.len);
	EXPECT_EQ(42U, info.type);
}

/* ---- selection ---- */

TEST_F(queue, recv_fifo_returns_oldest_first)
{
	KT_SEND_STR(self->qfd, "a", 3);
	KT_SEND_STR(self->qfd, "b", 1);
	KT_SEND_STR(self->qfd, "c", 2);
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "a");
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "c");
}

TEST_F(queue, recv_prio_returns_highest_type_first)
{
	KT_SEND_STR(self->qfd, "a", 1);
	KT_SEND_STR(self->qfd, "b", 5);
	KT_SEND_STR(self->qfd, "c", 3);
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "c");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "a");
}

TEST_F(queue, recv_prio_is_fifo_within_equal_types)
{
	KT_SEND_STR(self->qfd, "a", 2);
	KT_SEND_STR(self->qfd, "b", 7);
	KT_SEND_STR(self->qfd, "c", 2);
	KT_SEND_STR(self->qfd, "d", 7);
	KT_SEND_STR(self->qfd, "e", 7);
	KT_SEND_STR(self->qfd, "f", 2);
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "d");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "e");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "a");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "c");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "f");
}

TEST_F(queue, recv_prio_compares_types_as_unsigned_64_bit)
{
	KT_SEND_STR(self->qfd, "a", 1ULL << 63);
	KT_SEND_STR(self->qfd, "b", UINT64_MAX);
	KT_SEND_STR(self->qfd, "c", 0);
	KT_SEND_STR(self->qfd, "d", 1ULL << 32);
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "a");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "d");
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "c");
}

TEST_F(queue, recv_after_prio_keeps_fifo_order_of_the_rest)
{
	KT_SEND_STR(self->qfd, "a", 1);
	KT_SEND_STR(self->qfd, "b", 9);
	KT_SEND_STR(self->qfd, "c", 2);
	KT_SEND_STR(self->qfd, "d", 1);
	KT_RECV_STR(self->qfd, KIPC_SEL_PRIO, 0, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "a");
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "c");
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "d");
}

TEST_F(queue, recv_type_eq_returns_oldest_of_that_type)
{
	KT_SEND_STR(self->qfd, "a", 1);
	KT_SEND_STR(self->qfd, "b", 2);
	KT_SEND_STR(self->qfd, "c", 1);
	KT_SEND_STR(self->qfd, "d", 2);
	KT_SEND_STR(self->qfd, "e", 2);
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_EQ, 2, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_EQ, 2, "d");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_EQ, 2, "e");
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "a");
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "c");
}

TEST_F(queue, recv_type_eq_without_match_returns_eagain)
{
	char in[16];

	KT_SEND_STR(self->qfd, "a", 1);
	EXPECT_EQ(-EAGAIN, kipc_queue_timedrecv(self->qfd, in, sizeof(in),
						KIPC_SEL_TYPE_EQ, 5,
						KIPC_MSG_NONBLOCK, 0, NULL));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
}

TEST_F(queue, recv_type_le_returns_lowest_type_up_to_argument)
{
	char in[16];

	KT_SEND_STR(self->qfd, "a", 5);
	KT_SEND_STR(self->qfd, "b", 3);
	KT_SEND_STR(self->qfd, "c", 4);
	KT_SEND_STR(self->qfd, "d", 1);
	KT_SEND_STR(self->qfd, "e", 9);
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, 4, "d");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, 4, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, 4, "c");
	EXPECT_EQ(-EAGAIN, kipc_queue_timedrecv(self->qfd, in, sizeof(in),
						KIPC_SEL_TYPE_LE, 4,
						KIPC_MSG_NONBLOCK, 0, NULL));
	EXPECT_EQ(2, kt_nr_msgs(self->qfd));
}

TEST_F(queue, recv_type_le_is_fifo_within_equal_types)
{
	KT_SEND_STR(self->qfd, "a", 2);
	KT_SEND_STR(self->qfd, "b", 1);
	KT_SEND_STR(self->qfd, "c", 2);
	KT_SEND_STR(self->qfd, "d", 1);
	KT_SEND_STR(self->qfd, "e", 1);
	KT_SEND_STR(self->qfd, "f", 2);
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, 3, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, 3, "d");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, 3, "e");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, 3, "a");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, 3, "c");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, 3, "f");
}

TEST_F(queue, recv_type_le_compares_types_as_unsigned_64_bit)
{
	KT_SEND_STR(self->qfd, "a", UINT64_MAX);
	KT_SEND_STR(self->qfd, "b", 1ULL << 63);
	KT_SEND_STR(self->qfd, "c", 7);
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, UINT64_MAX, "c");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, UINT64_MAX, "b");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_LE, UINT64_MAX, "a");
}

TEST_F(queue, recv_type_ne_returns_oldest_of_another_type)
{
	char in[16];

	KT_SEND_STR(self->qfd, "a", 4);
	KT_SEND_STR(self->qfd, "b", 4);
	KT_SEND_STR(self->qfd, "c", 6);
	KT_SEND_STR(self->qfd, "d", 1);
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_NE, 4, "c");
	KT_RECV_STR(self->qfd, KIPC_SEL_TYPE_NE, 4, "d");
	EXPECT_EQ(-EAGAIN, kipc_queue_timedrecv(self->qfd, in, sizeof(in),
						KIPC_SEL_TYPE_NE, 4,
						KIPC_MSG_NONBLOCK, 0, NULL));
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "a");
}

/* ---- the kernel-stamped header ---- */

static int send_hello(void *arg)
{
	return kt_status(kt_send_nb(*(int *)arg, "hello", 5, 0));
}

TEST_F(queue, recv_info_has_sender_pid_of_sending_process)
{
	struct kipc_msg_info info;
	char in[16];
	pid_t pid;

	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_hello(&self->qfd));
	ASSERT_EQ(0, kt_wait(pid));
	ASSERT_EQ(5, kt_recv_nb(self->qfd, in, sizeof(in), &info));
	EXPECT_EQ(pid, info.sender_pid);
	EXPECT_NE(getpid(), info.sender_pid);
}

TEST_F(queue, recv_info_has_sender_euid)
{
	struct kipc_msg_info info;
	char in[16];

	KT_SEND_STR(self->qfd, "uid", 0);
	ASSERT_EQ(3, kt_recv_nb(self->qfd, in, sizeof(in), &info));
	EXPECT_EQ(geteuid(), info.sender_uid);
}

TEST_F(queue, recv_info_has_realtime_send_time)
{
	struct kipc_msg_info info;
	uint64_t before, after;
	char in[16];

	before = kt_real_ns();
	KT_SEND_STR(self->qfd, "time", 0);
	after = kt_real_ns();
	ASSERT_EQ(4, kt_recv_nb(self->qfd, in, sizeof(in), &info));
	EXPECT_LE(before, info.send_time_ns);
	EXPECT_GE(after, info.send_time_ns);
}

TEST_F(queue, recv_info_seq_increases_in_send_order)
{
	struct kipc_msg_info info[4];
	char in[16];
	int i;

	KT_SEND_STR(self->qfd, "a", 1);
	KT_SEND_STR(self->qfd, "b", 2);
	KT_SEND_STR(self->qfd, "c", 3);
	KT_SEND_STR(self->qfd, "d", 4);
	/* received in the reverse order: seq still tells the send order */
	for (i = 3; i >= 0; i--)
		ASSERT_EQ(1, kipc_queue_recv_prio(self->qfd, in, sizeof(in),
						  &info[i]));
	for (i = 1; i < 4; i++)
		EXPECT_LT(info[i - 1].seq, info[i].seq) TH_LOG("msg %d", i);
}

/* ---- direction ---- */

TEST_F(queue, send_on_recv_only_fd_returns_ebadf)
{
	int fd = kipc_queue_open(self->sfd, self->name, KIPC_O_RECV, 0, NULL,
				 NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, kt_send_nb(fd, "x", 1, 0));
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
	close(fd);
}

TEST_F(queue, recv_on_send_only_fd_returns_ebadf)
{
	char in[16];
	int fd = kipc_queue_open(self->sfd, self->name, KIPC_O_SEND, 0, NULL,
				 NULL);

	ASSERT_LE(0, fd);
	KT_SEND_STR(self->qfd, "x", 0);
	EXPECT_EQ(-EBADF, kt_recv_nb(fd, in, sizeof(in), NULL));
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
	close(fd);
}

TEST_F(queue, write_on_recv_only_fd_returns_ebadf)
{
	int fd = kipc_queue_open(self->sfd, self->name, KIPC_O_RECV, 0, NULL,
				 NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, kt_nr_msgs(self->qfd));
	close(fd);
}

TEST_F(queue, read_on_send_only_fd_returns_ebadf)
{
	char in[16];
	int fd = kipc_queue_open(self->sfd, self->name, KIPC_O_SEND, 0, NULL,
				 NULL);

	ASSERT_LE(0, fd);
	KT_SEND_STR(self->qfd, "x", 0);
	EXPECT_EQ(-1, read(fd, in, sizeof(in)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, kt_nr_msgs(self->qfd));
	close(fd);
}

/* ---- read(2) and write(2) ---- */

TEST_F(queue, write_sends_a_message_of_type_0)
{
	struct kipc_msg_info info;
	char in[16];

	ASSERT_EQ(5, write(self->qfd, "write", 5));
	ASSERT_EQ(5, kt_recv_nb(self->qfd, in, sizeof(in), &info));
	EXPECT_EQ(0, memcmp("write", in, 5));
	EXPECT_EQ(0U, info.type);
}

TEST_F(queue, read_receives_the_oldest_message)
{
	char in[16];

	KT_SEND_STR(self->qfd, "low", 1);
	KT_SEND_STR(self->qfd, "high", 9);
	ASSERT_EQ(3, read(self->qfd, in, sizeof(in)));
	EXPECT_EQ(0, memcmp("low", in, 3));
	ASSERT_EQ(4, read(self->qfd, in, sizeof(in)));
	EXPECT_EQ(0, memcmp("high", in, 4));
}

TEST_F(queue, read_into_small_buffer_returns_emsgsize_and_keeps_message)
{
	char in[16];

	KT_SEND_STR(self->qfd, "0123456789", 0);
	EXPECT_EQ(-1, read(self->qfd, in, 9));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(10, read(self->qfd, in, sizeof(in)));
	EXPECT_EQ(0, memcmp("0123456789", in, 10));
}

TEST_F(queue, write_over_max_msgsize_returns_emsgsize)
{
	struct kipc_queue_limits lim = { .max_msgsize = 16,
					 .capacity = 1024 };
	char out[17] = { 0 };
	int fd;

	fd = new_queue(self, &lim);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, out, sizeof(out)));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(0, kt_nr_msgs(fd));
	close(fd);
}

/* ---- stat ---- */

TEST_F(queue, stat_of_new_queue_shows_no_messages_and_no_history)
{
	struct kipc_queue_stat st;

	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(0U, st.nr_msgs);
	EXPECT_EQ(0U, st.bytes);
	EXPECT_EQ(0, st.last_send_pid);
	EXPECT_EQ(0, st.last_recv_pid);
	EXPECT_EQ(0U, st.send_time_ns);
	EXPECT_EQ(0U, st.recv_time_ns);
	EXPECT_EQ(0U, st.change_time_ns);
}

TEST_F(queue, stat_shows_creation_time)
{
	struct kipc_queue_stat st;
	uint64_t before, after;
	int fd;

	before = kt_real_ns();
	fd = new_queue(self, NULL);
	after = kt_real_ns();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_LE(before, st.create_time_ns);
	EXPECT_GE(after, st.create_time_ns);
	close(fd);
}

TEST_F(queue, stat_counts_messages_and_bytes)
{
	struct kipc_queue_stat st;
	char buf[32] = { 0 };

	ASSERT_EQ(0, kt_send_nb(self->qfd, buf, 10, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, buf, 20, 0));
	ASSERT_EQ(0, kt_send_nb(self->qfd, buf, 0, 0));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(3U, st.nr_msgs);
	EXPECT_EQ(30U, st.bytes);
	ASSERT_EQ(10, kt_recv_nb(self->qfd, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(2U, st.nr_msgs);
	EXPECT_EQ(20U, st.bytes);
}

TEST_F(queue, stat_shows_last_sender_and_receiver)
{
	struct kipc_queue_stat st;
	char in[16];
	pid_t pid;

	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_hello(&self->qfd));
	ASSERT_EQ(0, kt_wait(pid));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(pid, st.last_send_pid);
	EXPECT_EQ(0, st.last_recv_pid);
	ASSERT_EQ(5, kt_recv_nb(self->qfd, in, sizeof(in), NULL));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(pid, st.last_send_pid);
	EXPECT_EQ(getpid(), st.last_recv_pid);
}

TEST_F(queue, stat_shows_send_and_recv_times)
{
	struct kipc_queue_stat st;
	uint64_t t0, t1, t2;
	char in[16];

	t0 = kt_real_ns();
	KT_SEND_STR(self->qfd, "t", 0);
	t1 = kt_real_ns();
	ASSERT_EQ(1, kt_recv_nb(self->qfd, in, sizeof(in), NULL));
	t2 = kt_real_ns();
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_LE(t0, st.send_time_ns);
	EXPECT_GE(t1, st.send_time_ns);
	EXPECT_LE(t1, st.recv_time_ns);
	EXPECT_GE(t2, st.recv_time_ns);
}

TEST_F(queue, stat_shows_caller_as_owner_and_creator)
{
	struct kipc_queue_stat st;

	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(geteuid(), st.uid);
	EXPECT_EQ(getegid(), st.gid);
	EXPECT_EQ(geteuid(), st.cuid);
	EXPECT_EQ(getegid(), st.cgid);
	EXPECT_EQ(getpid(), st.creator_pid);
}

struct create_req {
	int sfd;
	const char *name;
};

static int create_named(void *arg)
{
	struct create_req *req = arg;

	return kt_status(kipc_queue_open(req->sfd, req->name,
					 KIPC_O_CREAT | KIPC_O_EXCL |
					 KIPC_O_SEND, 0600, NULL, NULL));
}

TEST_F(queue, stat_shows_creating_process_not_opener)
{
	struct kipc_queue_stat st;
	struct create_req req = {
		.sfd = self->sfd,
		.name = kt_names_new(&self->names, "c"),
	};
	pid_t pid;
	int fd;

	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(create_named(&req));
	ASSERT_EQ(0, kt_wait(pid));
	fd = kipc_queue_open(self->sfd, req.name, KIPC_O_RECV, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(pid, st.creator_pid);
	close(fd);
}

TEST_F(queue, stat_shows_mode_name_and_limits)
{
	struct kipc_queue_limits lim = { .max_msgsize = 1000, .max_msgs = 7,
					 .capacity = 5000 };
	struct kipc_queue_stat st;
	const char *name;
	int fd;

	fd = kt_create(self->sfd, &self->names, "m", KIPC_O_SEND, 0640, &lim,
		       NULL);
	ASSERT_LE(0, fd);
	name = self->names.name[self->names.n - 1];
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(0640U, st.mode);
	EXPECT_STREQ(name, st.name);
	EXPECT_EQ(1000U, st.max_msgsize);
	EXPECT_EQ(7U, st.max_msgs);
	EXPECT_EQ(5000U, st.capacity);
	close(fd);
}

TEST_F(queue, stat_works_on_send_only_and_recv_only_fds)
{
	struct kipc_queue_stat st;
	int sfd, rfd;

	sfd = kipc_queue_open(self->sfd, self->name, KIPC_O_SEND, 0, NULL,
			      NULL);
	ASSERT_LE(0, sfd);
	rfd = kipc_queue_open(self->sfd, self->name, KIPC_O_RECV, 0, NULL,
			      NULL);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, kipc_queue_stat(sfd, &st));
	EXPECT_EQ(self->id, st.id);
	ASSERT_EQ(0, kipc_queue_stat(rfd, &st));
	EXPECT_EQ(self->id, st.id);
	close(rfd);
	close(sfd);
}

TEST_F(queue, stat_output_has_no_stale_bytes)
{
	struct kipc_queue_stat st;
	size_t i, len;

	memset(&st, 0xa5, sizeof(st));
	st.size = sizeof(st);
	ASSERT_EQ(0, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_STAT, &st));
	len = strnlen(st.name, sizeof(st.name));
	ASSERT_GT(sizeof(st.name), len);
	for (i = len; i < sizeof(st.name); i++)
		if (st.name[i])
			break;
	EXPECT_EQ(sizeof(st.name), i) TH_LOG("name[%zu] not zero", i);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0U, st.reserved[i]) TH_LOG("reserved[%zu]", i);
	EXPECT_EQ(0U, st.reserved0);
	EXPECT_EQ(0, st.owner_pid);	/* queues have no owning process */
	EXPECT_EQ(0U, st.flags & ~(KIPC_STAT_REMOVED | KIPC_STAT_ANONYMOUS));
}

TEST_F(queue, stat_larger_size_zeroes_the_tail)
{
	struct {
		struct kipc_queue_stat st;
		uint64_t tail[4];
	} big;
	int i;

	memset(&big, 0xa5, sizeof(big));
	big.st.size = sizeof(big);
	ASSERT_EQ(0, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_STAT, &big));
	EXPECT_EQ(self->id, big.st.id);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0U, big.tail[i]) TH_LOG("tail[%d]", i);
}

TEST_F(queue, stat_size_below_first_version_returns_einval)
{
	struct kipc_queue_stat st;

	memset(&st, 0, sizeof(st));
	st.size = KIPC_QUEUE_STAT_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_STAT, &st));
}

TEST_F(queue, stat_bad_args_pointer_returns_efault)
{
	EXPECT_EQ(-EFAULT, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_STAT,
				    kt_unmapped_addr()));
}

/* ---- set ---- */

TEST_F(queue, set_mode_changes_mode)
{
	struct kipc_queue_stat st;
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_MODE);
	set.mode = 0624;
	ASSERT_EQ(0, kipc_queue_set(self->qfd, &set));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(0624U, st.mode);
}

TEST_F(queue, set_updates_change_time)
{
	struct kipc_queue_stat st;
	struct kipc_queue_set set;
	uint64_t before, after;

	set_args(&set, KIPC_SET_MODE);
	set.mode = 0600;
	before = kt_real_ns();
	ASSERT_EQ(0, kipc_queue_set(self->qfd, &set));
	after = kt_real_ns();
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_LE(before, st.change_time_ns);
	EXPECT_GE(after, st.change_time_ns);
}

TEST_F(queue, set_uid_and_gid_change_owner_not_creator)
{
	struct kipc_queue_stat st;
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_UID | KIPC_SET_GID);
	set.uid = 1234;
	set.gid = 5678;
	ASSERT_EQ(0, kipc_queue_set(self->qfd, &set));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(1234U, st.uid);
	EXPECT_EQ(5678U, st.gid);
	EXPECT_EQ(geteuid(), st.cuid);
	EXPECT_EQ(getegid(), st.cgid);
}

TEST_F(queue, set_capacity_changes_capacity)
{
	struct kipc_queue_stat st;
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_CAPACITY);
	set.capacity = 100000;
	ASSERT_EQ(0, kipc_queue_set(self->qfd, &set));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(100000U, st.capacity);
}

TEST_F(queue, set_max_msgs_changes_max_msgs)
{
	struct kipc_queue_stat st;
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_MAX_MSGS);
	set.max_msgs = 3;
	ASSERT_EQ(0, kipc_queue_set(self->qfd, &set));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(3U, st.max_msgs);
	KT_SEND_STR(self->qfd, "1", 0);
	KT_SEND_STR(self->qfd, "2", 0);
	KT_SEND_STR(self->qfd, "3", 0);
	EXPECT_EQ(-EAGAIN, kt_send_nb(self->qfd, "4", 1, 0));
}

TEST_F(queue, set_max_msgsize_changes_max_msgsize)
{
	struct kipc_queue_limits lim = { .max_msgsize = 100,
					 .capacity = 1000 };
	struct kipc_queue_stat st;
	struct kipc_queue_set set;
	char out[200] = { 0 };
	int fd;

	fd = new_queue(self, &lim);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EMSGSIZE, kt_send_nb(fd, out, sizeof(out), 0));
	set_args(&set, KIPC_SET_MAX_MSGSIZE);
	set.max_msgsize = 200;
	ASSERT_EQ(0, kipc_queue_set(fd, &set));
	ASSERT_EQ(0, kipc_queue_stat(fd, &st));
	EXPECT_EQ(200U, st.max_msgsize);
	EXPECT_EQ(0, kt_send_nb(fd, out, sizeof(out), 0));
	close(fd);
}

TEST_F(queue, set_lower_max_msgs_keeps_queued_messages)
{
	struct kipc_queue_stat st;
	struct kipc_queue_set set;

	KT_SEND_STR(self->qfd, "a", 0);
	KT_SEND_STR(self->qfd, "b", 0);
	KT_SEND_STR(self->qfd, "c", 0);
	set_args(&set, KIPC_SET_MAX_MSGS);
	set.max_msgs = 1;
	ASSERT_EQ(0, kipc_queue_set(self->qfd, &set));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(3U, st.nr_msgs);
	EXPECT_EQ(-EAGAIN, kt_send_nb(self->qfd, "d", 1, 0));
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "a");
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "b");
	EXPECT_EQ(-EAGAIN, kt_send_nb(self->qfd, "d", 1, 0));
	KT_RECV_STR(self->qfd, KIPC_SEL_FIFO, 0, "c");
	EXPECT_EQ(0, kt_send_nb(self->qfd, "d", 1, 0));
}

TEST_F(queue, set_max_msgsize_over_module_limit_returns_emsgsize)
{
	unsigned long long msgsize_max = param(_metadata, "msgsize_max");
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_MAX_MSGSIZE | KIPC_SET_CAPACITY);
	set.max_msgsize = msgsize_max + 1;
	set.capacity = msgsize_max + 1;
	EXPECT_EQ(-EMSGSIZE, kipc_queue_set(self->qfd, &set));
}

TEST_F(queue, set_capacity_over_module_limit_returns_einval)
{
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_CAPACITY);
	set.capacity = param(_metadata, "capacity_max") + 1;
	EXPECT_EQ(-EINVAL, kipc_queue_set(self->qfd, &set));
}

TEST_F(queue, set_max_msgs_over_module_limit_returns_einval)
{
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_MAX_MSGS);
	set.max_msgs = param(_metadata, "msgs_max") + 1;
	EXPECT_EQ(-EINVAL, kipc_queue_set(self->qfd, &set));
}

TEST_F(queue, set_max_msgsize_over_capacity_returns_einval)
{
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_MAX_MSGSIZE | KIPC_SET_CAPACITY);
	set.max_msgsize = 4096;
	set.capacity = 2048;
	EXPECT_EQ(-EINVAL, kipc_queue_set(self->qfd, &set));
	/* the current capacity counts when only max_msgsize changes */
	set_args(&set, KIPC_SET_MAX_MSGSIZE);
	set.max_msgsize = param(_metadata, "capacity_default") + 1;
	EXPECT_EQ(-EINVAL, kipc_queue_set(self->qfd, &set));
}

TEST_F(queue, set_is_all_or_nothing)
{
	struct kipc_queue_stat before, after;
	struct kipc_queue_set set;

	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &before));
	set_args(&set, KIPC_SET_MODE | KIPC_SET_MAX_MSGS | KIPC_SET_CAPACITY);
	set.mode = 0666;
	set.max_msgs = 5;
	set.capacity = param(_metadata, "capacity_max") + 1;
	ASSERT_EQ(-EINVAL, kipc_queue_set(self->qfd, &set));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &after));
	EXPECT_EQ(before.mode, after.mode);
	EXPECT_EQ(before.max_msgs, after.max_msgs);
	EXPECT_EQ(before.capacity, after.capacity);
	EXPECT_EQ(0U, after.change_time_ns);
}

TEST_F(queue, set_with_unknown_flag_returns_einval)
{
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_MODE | (KIPC_SET_ALL + 1));
	set.mode = 0600;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SET, &set));
}

TEST_F(queue, set_with_nonzero_reserved_returns_einval)
{
	struct kipc_queue_set set;
	int i;

	set_args(&set, KIPC_SET_MODE);
	set.mode = 0600;
	set.reserved0 = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SET, &set));
	for (i = 0; i < 2; i++) {
		set_args(&set, KIPC_SET_MODE);
		set.mode = 0600;
		set.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SET,
					    &set)) TH_LOG("reserved[%d]", i);
	}
}

TEST_F(queue, set_size_below_first_version_returns_einval)
{
	struct kipc_queue_set set;

	set_args(&set, KIPC_SET_MODE);
	set.mode = 0600;
	set.size = KIPC_QUEUE_SET_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SET, &set));
}

TEST_F(queue, set_bad_args_pointer_returns_efault)
{
	EXPECT_EQ(-EFAULT, kt_ioctl(self->qfd, KIPC_IOC_QUEUE_SET,
				    kt_unmapped_addr()));
}

/* ---- remove ---- */

TEST_F(queue, remove_frees_the_name)
{
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	EXPECT_EQ(-ENOENT, open_raw(self->sfd, self->name, KIPC_O_SEND));
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, self->id,
					      KIPC_O_SEND));
}

TEST_F(queue, name_of_removed_queue_can_be_created_again_with_new_id)
{
	uint64_t id;
	int fd;

	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	fd = kipc_queue_open(self->sfd, self->name,
			     KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
			     KIPC_O_RECV, 0600, NULL, &id);
	ASSERT_LE(0, fd);
	EXPECT_NE(self->id, id);
	/* the old fd still refers to the removed queue, not the new one */
	EXPECT_EQ(-EIDRM, kt_send_nb(self->qfd, "old", 3, 0));
	EXPECT_EQ(0, kt_nr_msgs(fd));
	close(fd);
}

TEST_F(queue, remove_by_id_works)
{
	struct kipc_queue_remove r;

	remove_args(&r, NULL);
	r.id = self->id;
	ASSERT_EQ(0, remove_raw(self->sfd, &r));
	EXPECT_EQ(-ENOENT, open_raw(self->sfd, self->name, KIPC_O_SEND));
}

TEST_F(queue, remove_of_anonymous_queue_by_id_works)
{
	uint64_t id;
	int fd;

	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_remove_id(self->sfd, id));
	EXPECT_EQ(-EIDRM, kt_send_nb(fd, "x", 1, 0));
	EXPECT_EQ(-ENOENT, kipc_queue_open_id(self->sfd, id, KIPC_O_SEND));
	close(fd);
}

TEST_F(queue, remove_of_missing_name_returns_enoent)
{
	char name[KT_NAME_LEN];

	snprintf(name, sizeof(name), "%s-missing", self->name);
	EXPECT_EQ(-ENOENT, kipc_queue_remove(self->sfd, name));
}

TEST_F(queue, remove_of_missing_id_returns_enoent)
{
	EXPECT_EQ(-ENOENT, kipc_queue_remove_id(self->sfd, UINT64_MAX));
}

TEST_F(queue, remove_twice_returns_enoent)
{
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	EXPECT_EQ(-ENOENT, kipc_queue_remove(self->sfd, self->name));
	EXPECT_EQ(-ENOENT, kipc_queue_remove_id(self->sfd, self->id));
}

TEST_F(queue, remove_with_nonzero_flags_returns_einval)
{
	struct kipc_queue_remove r;

	remove_args(&r, self->name);
	r.flags = 1;
	EXPECT_EQ(-EINVAL, remove_raw(self->sfd, &r));
	EXPECT_EQ(0, kt_send_nb(self->qfd, "alive", 5, 0));
}

TEST_F(queue, remove_with_nonzero_reserved_returns_einval)
{
	struct kipc_queue_remove r;
	int i;

	for (i = 0; i < 2; i++) {
		remove_args(&r, self->name);
		r.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, remove_raw(self->sfd, &r))
			TH_LOG("reserved[%d]", i);
	}
	EXPECT_EQ(0, kt_send_nb(self->qfd, "alive", 5, 0));
}

TEST_F(queue, remove_size_below_first_version_returns_einval)
{
	struct kipc_queue_remove r;

	remove_args(&r, self->name);
	r.size = KIPC_QUEUE_REMOVE_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, remove_raw(self->sfd, &r));
	EXPECT_EQ(0, kt_send_nb(self->qfd, "alive", 5, 0));
}

TEST_F(queue, remove_larger_size_with_nonzero_tail_returns_e2big)
{
	struct {
		struct kipc_queue_remove r;
		uint64_t tail[2];
	} big;

	memset(&big, 0, sizeof(big));
	remove_args(&big.r, self->name);
	big.r.size = sizeof(big);
	big.tail[0] = 1;
	EXPECT_EQ(-E2BIG, remove_raw(self->sfd, &big.r));
	EXPECT_EQ(0, kt_send_nb(self->qfd, "alive", 5, 0));
}

TEST_F(queue, remove_bad_name_pointer_returns_efault)
{
	struct kipc_queue_remove r;

	remove_args(&r, kt_unmapped_addr());
	EXPECT_EQ(-EFAULT, remove_raw(self->sfd, &r));
}

TEST_F(queue, remove_bad_args_pointer_returns_efault)
{
	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_QUEUE_REMOVE,
				    kt_unmapped_addr()));
}

TEST_F(queue, remove_of_bad_name_returns_einval)
{
	EXPECT_EQ(-EINVAL, kipc_queue_remove(self->sfd, ""));
	EXPECT_EQ(-EINVAL, kipc_queue_remove(self->sfd, "a/b"));
}

/* ---- a removed queue's fds ---- */

TEST_F(queue, send_after_remove_returns_eidrm)
{
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	EXPECT_EQ(-EIDRM, kt_send_nb(self->qfd, "x", 1, 0));
}

TEST_F(queue, recv_after_remove_returns_eidrm_even_with_messages)
{
	char in[16];

	KT_SEND_STR(self->qfd, "x", 0);
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	EXPECT_EQ(-EIDRM, kt_recv_nb(self->qfd, in, sizeof(in), NULL));
}

TEST_F(queue, write_after_remove_returns_eidrm)
{
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	EXPECT_EQ(-1, write(self->qfd, "x", 1));
	EXPECT_EQ(EIDRM, errno);
}

TEST_F(queue, read_after_remove_returns_eidrm)
{
	char in[16];

	KT_SEND_STR(self->qfd, "x", 0);
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	EXPECT_EQ(-1, read(self->qfd, in, sizeof(in)));
	EXPECT_EQ(EIDRM, errno);
}

TEST_F(queue, set_after_remove_returns_eidrm)
{
	struct kipc_queue_set set;

	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	set_args(&set, KIPC_SET_MODE);
	set.mode = 0600;
	EXPECT_EQ(-EIDRM, kipc_queue_set(self->qfd, &set));
}

TEST_F(queue, stat_after_remove_reports_removed)
{
	struct kipc_queue_stat st;

	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(KIPC_STAT_REMOVED, st.flags & KIPC_STAT_REMOVED);
	EXPECT_EQ(self->id, st.id);
}

TEST_F(queue, anonymous_queue_after_remove_returns_eidrm_on_all_fds)
{
	uint64_t id;
	int fd, fd2;
	char in[16];

	fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND, 0600,
			     NULL, &id);
	ASSERT_LE(0, fd);
	fd2 = kipc_queue_open_id(self->sfd, id, KIPC_O_RECV);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kipc_queue_remove_id(self->sfd, id));
	EXPECT_EQ(-EIDRM, kt_send_nb(fd, "x", 1, 0));
	EXPECT_EQ(-EIDRM, kt_recv_nb(fd2, in, sizeof(in), NULL));
	close(fd2);
	close(fd);
}

KT_HARNESS_MAIN
