// SPDX-License-Identifier: GPL-2.0
/*
 * kipc shared memory: creating and opening regions (by name, by id,
 * anonymous), their attributes and every errno of KIPC_IOC_SHM_OPEN,
 * _REMOVE, _STAT and _SET, the per-user quotas, permissions, mmap(2) of
 * region fds (coherence between processes, the size, MAP_PRIVATE, the
 * fd's direction, remove and close while mapped, futexes) and
 * KIPC_IOC_SHM_WAIT / KIPC_IOC_SHM_WAKE, and unloading the module with
 * mappings left (they keep working: no kipc code is behind them; the
 * module is loaded again from /kipc/modules, where tools/vm/run puts it).
 * Robust locks are in shm_lock_test.c, allocation failures in
 * shm_fault_test.c.
 *
 * Children report through their exit status (0 or a positive errno, see
 * kipc_test.h); a child that waits has a deadline, so that a wake that
 * never comes ends the test with ETIMEDOUT instead of a hang.  Needs root
 * for the quota and permission fixtures (they skip otherwise).
 */
#include <dirent.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include "kipc_test.h"

/* A child's longest wait. */
#define CHILD_WAIT_NS	(20 * NSEC_PER_SEC)

static long psz;	/* the page size */

/* ---- helpers ---- */

/* Remove every region name of @ns that still exists. */
static void shm_names_remove_all(int sfd, struct kt_names *ns)
{
	int i;

	for (i = 0; i < ns->n; i++)
		kipc_shm_remove(sfd, ns->name[i]);
	ns->n = 0;
}

/* A struct kipc_shm_open for @name (NULL: by id / anonymous), mode 0600. */
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

static long shm_open_raw(int sfd, struct kipc_shm_open *o)
{
	return kt_ioctl(sfd, KIPC_IOC_SHM_OPEN, o);
}

static long wait_raw(int fd, uint64_t off, uint32_t expected,
		     unsigned int flags, uint64_t deadline_ns)
{
	struct kipc_shm_wait w;

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.flags = flags;
	w.offset = off;
	w.expected = expected;
	w.deadline_ns = deadline_ns;
	return kt_ioctl(fd, KIPC_IOC_SHM_WAIT, &w);
}

static long wake_raw(int fd, uint64_t off, uint32_t count)
{
	struct kipc_shm_wake w;

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.offset = off;
	w.count = count;
	return kt_ioctl(fd, KIPC_IOC_SHM_WAKE, &w);
}

/* A shared mapping of @len bytes at @off of @fd, or MAP_FAILED. */
static void *map_fd(int fd, size_t len, int prot, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

/* mmap()'s errno, 0 if it worked (and the mapping is gone again). */
static int map_errno(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

/* The region's stat flags, or -errno. */
static long long shm_stat_flags(int fd)
{
	struct kipc_shm_stat st;
	int ret = kipc_shm_stat(fd, &st);

	return ret < 0 ? ret : (long long)st.flags;
}

static long long nr_waiters(int fd)
{
	struct kipc_shm_stat st;
	int ret = kipc_shm_stat(fd, &st);

	return ret < 0 ? ret : (long long)st.nr_waiters;
}

/* One byte over a socket, waited for at most 10 s.  0 or -errno. */
static int sync_send(int sock)
{
	return write(sock, "s", 1) == 1 ? 0 : -errno;
}

static int sync_recv(int sock)
{
	char c;

	if (kt_poll(sock, POLLIN, 10000) <= 0)
		return -ETIMEDOUT;
	return read(sock, &c, 1) == 1 ? 0 : -EPIPE;
}

/*
 * Fork a child that waits on the word at @off of @fd for @expected (with
 * a CHILD_WAIT_NS deadline) and exits with the wait's errno (0: woken).
 */
static pid_t fork_waiter(int fd, uint64_t off, uint32_t expected)
{
	pid_t pid = kt_fork();

	if (pid == 0)
		_exit(kt_status(wait_raw(fd, off, expected, KIPC_MSG_DEADLINE,
					 kt_mono_ns() + CHILD_WAIT_NS)));
	return pid;
}

/* ---- the fixture: one named region of two pages, read and write ---- */

FIXTURE(shm) {
	int sfd;
	int fd;			/* READ|WRITE opening of @name */
	uint64_t id;
	const char *name;
	uint64_t size;		/* 2 pages */
	char *map;		/* @fd mapped, or NULL */
	struct kt_names names;	/* removed in teardown */
	pid_t kids[8];		/* killed in teardown if still there */
	int nr_kids;
};

FIXTURE_SETUP(shm)
{
	self->fd = -1;
	psz = sysconf(_SC_PAGESIZE);
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_SHM, NULL))
		SKIP(return, "the module has no shared memory");
	self->size = 2 * psz;
	self->name = kt_names_new(&self->names, "s");
	self->fd = kipc_shm_open(self->sfd, self->name,
				 KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_READ |
				 KIPC_O_WRITE, 0600, self->size, &self->id);
	ASSERT_LE(0, self->fd) TH_LOG("create %s: %s", self->name,
				      strerror(-self->fd));
	self->map = map_fd(self->fd, self->size, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->map) TH_LOG("mmap: %s", strerror(errno));
}

FIXTURE_TEARDOWN(shm)
{
	int i;

	for (i = 0; i < self->nr_kids; i++)
		kt_stop(self->kids[i]);
	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, self->size);
	if (self->fd >= 0)
		close(self->fd);
	shm_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
}

/* Remember @pid for the teardown; returns it. */
static pid_t kid(FIXTURE_DATA(shm) *self, pid_t pid)
{
	if (pid > 0 && self->nr_kids < 8)
		self->kids[self->nr_kids++] = pid;
	return pid;
}

/* Forget @pid (remembered with kid()): it was reaped. */
static void forget_kid(FIXTURE_DATA(shm) *self, pid_t pid)
{
	int i;

	for (i = 0; i < self->nr_kids; i++)
		if (self->kids[i] == pid) {
			self->kids[i] = self->kids[--self->nr_kids];
			return;
		}
}

/* Reap @pid (remembered with kid()) and forget it. */
static int reap_kid(FIXTURE_DATA(shm) *self, pid_t pid)
{
	forget_kid(self, pid);
	return kt_reap(pid);
}

/* A new named region of @size bytes with @flags added.  The fd or -errno. */
static int new_region(FIXTURE_DATA(shm) *self, uint64_t size,
		      unsigned int flags, uint64_t *id)
{
	return kipc_shm_open(self->sfd, kt_names_new(&self->names, "n"),
			     KIPC_O_CREAT | KIPC_O_EXCL | flags, 0600, size,
			     id);
}

/* ---- create and open ---- */

TEST_F(shm, version_reports_the_shm_feature)
{
	struct kipc_version v;

	ASSERT_EQ(0, kipc_version(self->sfd, &v));
	EXPECT_EQ(KIPC_FEAT_SHM, v.features & KIPC_FEAT_SHM);
	EXPECT_NE(NULL, kipc_feature_name(KIPC_FEAT_SHM));
}

TEST_F(shm, create_gives_a_named_region_of_the_size_asked)
{
	struct kipc_shm_stat st;

	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_NE(0U, self->id);
	EXPECT_EQ(self->id, st.id);
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(self->size, st.region_size);
	EXPECT_EQ(0600U, st.mode);
	EXPECT_EQ(0U, st.flags & (KIPC_STAT_REMOVED | KIPC_STAT_ANONYMOUS));
}

TEST_F(shm, new_region_is_zero_filled)
{
	uint64_t i;

	for (i = 0; i < self->size; i++)
		if (self->map[i])
			break;
	EXPECT_EQ(self->size, i);
}

TEST_F(shm, create_excl_of_existing_name_returns_eexist)
{
	EXPECT_EQ(-EEXIST, kipc_shm_open(self->sfd, self->name,
					 KIPC_O_CREAT | KIPC_O_EXCL |
					 KIPC_O_READ, 0600, psz, NULL));
}

TEST_F(shm, create_without_excl_opens_the_existing_region)
{
	struct kipc_shm_stat st;
	uint64_t id = 0;
	int fd;

	fd = kipc_shm_open(self->sfd, self->name, KIPC_O_CREAT | KIPC_O_READ,
			   0644, 5 * psz, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(self->id, id);
	ASSERT_EQ(0, kipc_shm_stat(fd, &st));
	/* its own size and mode */
	EXPECT_EQ(self->size, st.region_size);
	EXPECT_EQ(0600U, st.mode);
	close(fd);
}

TEST_F(shm, open_by_name_and_by_id_reach_the_same_memory)
{
	char *a, *b;
	uint64_t id = 0;
	int fa, fb;

	fa = kipc_shm_open(self->sfd, self->name, KIPC_O_READ | KIPC_O_WRITE,
			   0, 0, &id);
	ASSERT_LE(0, fa);
	EXPECT_EQ(self->id, id);
	fb = kipc_shm_open_id(self->sfd, self->id, KIPC_O_READ);
	ASSERT_LE(0, fb);
	a = map_fd(fa, self->size, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, a);
	b = map_fd(fb, self->size, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, b);
	strcpy(a + psz + 10, "via name");
	EXPECT_STREQ("via name", b + psz + 10);
	EXPECT_STREQ("via name", self->map + psz + 10);
	munmap(a, self->size);
	munmap(b, self->size);
	close(fa);
	close(fb);
}

TEST_F(shm, open_of_missing_name_returns_enoent)
{
	char name[KT_NAME_LEN];

	snprintf(name, sizeof(name), "kt-%d-missing", getpid());
	EXPECT_EQ(-ENOENT, kipc_shm_open(self->sfd, name, KIPC_O_READ, 0, 0,
					 NULL));
}

TEST_F(shm, open_of_missing_id_returns_enoent)
{
	EXPECT_EQ(-ENOENT, kipc_shm_open_id(self->sfd, self->id + 1000000,
					    KIPC_O_READ));
	EXPECT_EQ(-ENOENT, kipc_shm_open_id(self->sfd, 0, KIPC_O_READ));
}

TEST_F(shm, region_names_are_apart_from_queue_names)
{
	EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, self->name, KIPC_O_SEND,
					   0, NULL, NULL));
	EXPECT_EQ(-ENOENT, kipc_queue_remove(self->sfd, self->name));
	EXPECT_LE(0, shm_stat_flags(self->fd));
}

TEST_F(shm, create_of_size_0_returns_einval)
{
	struct kipc_shm_open o;
	const char *name = kt_names_new(&self->names, "z");

	shm_open_args(&o, name, KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_READ |
		      KIPC_O_WRITE, 0);
	EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o));
	/* and nothing was made */
	EXPECT_EQ(-ENOENT, kipc_shm_open(self->sfd, name, KIPC_O_READ, 0, 0,
					 NULL));
	o.name_ptr = 0;		/* anonymous */
	EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o));
}

TEST_F(shm, create_over_shm_size_max_returns_einval)
{
	unsigned long long max;
	struct kipc_shm_stat st;
	const char *name;
	int fd;

	ASSERT_EQ(0, kt_param_read("shm_size_max", &max));
	name = kt_names_new(&self->names, "max");
	EXPECT_EQ(-EINVAL, kipc_shm_open(self->sfd, name, KIPC_O_CREAT |
					 KIPC_O_READ, 0600, max + 1, NULL));
	EXPECT_EQ(-EINVAL, kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT |
					 KIPC_O_READ, 0600, ~0ULL, NULL));
	EXPECT_EQ(-ENOENT, kipc_shm_open(self->sfd, name, KIPC_O_READ, 0, 0,
					 NULL));
	/* exactly the limit works (nothing is touched, nothing allocated) */
	fd = kipc_shm_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_READ, 0600,
			   max, NULL);
	ASSERT_LE(0, fd) TH_LOG("a region of shm_size_max (%llu): %s", max,
				strerror(-fd));
	ASSERT_EQ(0, kipc_shm_stat(fd, &st));
	EXPECT_EQ(max, st.region_size);
	close(fd);
}

TEST_F(shm, lowering_shm_size_max_applies_to_new_regions_only)
{
	unsigned long long max;
	int fd;

	ASSERT_EQ(0, kt_param_read("shm_size_max", &max));
	ASSERT_EQ(0, kt_param_write("shm_size_max", psz));
	EXPECT_EQ(-EINVAL, new_region(self, psz + 1, KIPC_O_READ, NULL));
	fd = new_region(self, psz, KIPC_O_READ, NULL);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	/* the fixture's larger region still works */
	self->map[self->size - 1] = 'x';
	EXPECT_EQ(0, kt_param_write("shm_size_max", max));
}

TEST_F(shm, empty_name_returns_einval)
{
	EXPECT_EQ(-EINVAL, kipc_shm_open(self->sfd, "", KIPC_O_CREAT |
					 KIPC_O_READ, 0600, psz, NULL));
}

TEST_F(shm, name_with_slash_or_control_character_returns_einval)
{
	static const char *const bad[] = {
		"a/b", "/", "kt-x\n", "kt\x01x", "kt\x1f", "kt\x7f",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, kipc_shm_open(self->sfd, bad[i],
						 KIPC_O_CREAT | KIPC_O_READ,
						 0600, psz, NULL))
			TH_LOG("name %d", i);
}

TEST_F(shm, name_of_name_max_bytes_works_one_more_returns_enametoolong)
{
	char name[KIPC_NAME_MAX + 2];
	int fd;

	memset(name, 'n', sizeof(name));
	snprintf(name, 16, "kt-%d-", getpid());
	name[strlen(name)] = 'n';
	name[KIPC_NAME_MAX + 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kipc_shm_open(self->sfd, name, KIPC_O_CREAT |
					       KIPC_O_READ, 0600, psz, NULL));
	name[KIPC_NAME_MAX] = '\0';
	fd = kipc_shm_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			   KIPC_O_READ, 0600, psz, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, kipc_shm_remove(self->sfd, name));
}

TEST_F(shm, open_bad_name_pointer_returns_efault)
{
	struct kipc_shm_open o;

	shm_open_args(&o, kt_unmapped_addr(), KIPC_O_CREAT | KIPC_O_READ, psz);
	EXPECT_EQ(-EFAULT, shm_open_raw(self->sfd, &o));
	EXPECT_EQ(-EFAULT, kt_ioctl(self->sfd, KIPC_IOC_SHM_OPEN,
				    kt_unmapped_addr()));
}

TEST_F(shm, open_without_read_or_write_returns_einval)
{
	struct kipc_shm_open o;

	shm_open_args(&o, self->name, 0, 0);
	EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o));
	shm_open_args(&o, NULL, KIPC_O_CREAT, psz);
	EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o));
}

TEST_F(shm, open_with_unknown_or_mailbox_flag_returns_einval)
{
	static const unsigned int bad[] = {
		KIPC_O_OWNED, KIPC_O_OWNER_RECV, 1U << 8, 1U << 31,
	};
	struct kipc_shm_open o;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		shm_open_args(&o, self->name, KIPC_O_READ | bad[i], 0);
		EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o))
			TH_LOG("flag %#x", bad[i]);
	}
}

TEST_F(shm, open_with_nonzero_reserved_returns_einval)
{
	struct kipc_shm_open o;
	int i;

	shm_open_args(&o, self->name, KIPC_O_READ, 0);
	o.reserved0 = 1;
	EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o));
	for (i = 0; i < 4; i++) {
		shm_open_args(&o, self->name, KIPC_O_READ, 0);
		o.reserved[i] = 1ULL << 40;
		EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o))
			TH_LOG("reserved[%d]", i);
	}
}

TEST_F(shm, open_with_bad_mode_on_create_returns_einval)
{
	struct kipc_shm_open o;

	shm_open_args(&o, kt_names_new(&self->names, "m"),
		      KIPC_O_CREAT | KIPC_O_READ, psz);
	o.mode = 01000;
	EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o));
}

TEST_F(shm, open_size_below_first_version_returns_einval)
{
	struct kipc_shm_open o;

	shm_open_args(&o, self->name, KIPC_O_READ, 0);
	o.size = KIPC_SHM_OPEN_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o));
	o.size = 0;
	EXPECT_EQ(-EINVAL, shm_open_raw(self->sfd, &o));
}

TEST_F(shm, open_larger_size_with_nonzero_tail_returns_e2big)
{
	struct {
		struct kipc_shm_open o;
		uint64_t tail[2];
	} big;
	long fd;

	memset(&big, 0, sizeof(big));
	shm_open_args(&big.o, self->name, KIPC_O_READ, 0);
	big.o.size = sizeof(big);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, shm_open_raw(self->sfd, &big.o));
	big.o.size = 4097;
	EXPECT_EQ(-E2BIG, shm_open_raw(self->sfd, &big.o));
	/* a zero tail is fine */
	big.o.size = sizeof(big);
	big.tail[1] = 0;
	fd = shm_open_raw(self->sfd, &big.o);
	ASSERT_LE(0, fd);
	EXPECT_EQ(self->id, big.o.id);
	close(fd);
}

TEST_F(shm, open_command_with_other_size_bits_works)
{
	struct kipc_shm_open o;
	long fd;

	shm_open_args(&o, self->name, KIPC_O_READ, 0);
	fd = kt_ioctl(self->sfd, _IOC(_IOC_READ | _IOC_WRITE, KIPC_IOC_MAGIC,
				      _IOC_NR(KIPC_IOC_SHM_OPEN), 8), &o);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(shm, cloexec_flag_sets_fd_cloexec)
{
	int fd = kipc_shm_open(self->sfd, self->name,
			       KIPC_O_READ | KIPC_O_CLOEXEC, 0, 0, NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	fd = kipc_shm_open(self->sfd, self->name, KIPC_O_READ, 0, 0, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST_F(shm, anonymous_region_is_reachable_by_id_while_open)
{
	struct kipc_shm_stat st;
	uint64_t id = 0;
	int fd, fd2;

	fd = kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_READ |
			   KIPC_O_WRITE, 0600, 100, &id);
	ASSERT_LE(0, fd);
	ASSERT_NE(0U, id);
	ASSERT_EQ(0, kipc_shm_stat(fd, &st));
	EXPECT_EQ((uint32_t)KIPC_STAT_ANONYMOUS, st.flags);
	EXPECT_STREQ("", st.name);
	EXPECT_EQ(id, st.id);
	EXPECT_EQ(100U, st.region_size);
	fd2 = kipc_shm_open_id(self->sfd, id, KIPC_O_READ);
	ASSERT_LE(0, fd2);
	close(fd);
	/* the second fd keeps it */
	fd = kipc_shm_open_id(self->sfd, id, KIPC_O_READ);
	ASSERT_LE(0, fd);
	close(fd);
	close(fd2);
	EXPECT_EQ(-ENOENT, kipc_shm_open_id(self->sfd, id, KIPC_O_READ));
}

TEST_F(shm, anonymous_region_mapping_outlives_the_object)
{
	uint64_t id = 0;
	char *p;
	int fd;

	fd = kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_READ |
			   KIPC_O_WRITE, 0600, psz, &id);
	ASSERT_LE(0, fd);
	p = map_fd(fd, psz, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	/* the object is gone, the memory is the mapping's */
	EXPECT_EQ(-ENOENT, kipc_shm_open_id(self->sfd, id, KIPC_O_READ));
	strcpy(p + psz - 8, "alive");
	EXPECT_STREQ("alive", p + psz - 8);
	munmap(p, psz);
}

TEST_F(shm, ids_are_not_reused)
{
	uint64_t a = 0, b = 0;
	int fd;

	fd = kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_READ, 0600,
			   psz, &a);
	ASSERT_LE(0, fd);
	close(fd);
	fd = kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_READ, 0600,
			   psz, &b);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_NE(a, b);
	EXPECT_NE(self->id, a);
}

/* ---- remove ---- */

TEST_F(shm, remove_frees_the_name_and_marks_the_region_removed)
{
	ASSERT_EQ(0, kipc_shm_remove(self->sfd, self->name));
	EXPECT_EQ(-ENOENT, kipc_shm_open(self->sfd, self->name, KIPC_O_READ,
					 0, 0, NULL));
	EXPECT_EQ(-ENOENT, kipc_shm_open_id(self->sfd, self->id, KIPC_O_READ));
	EXPECT_EQ((int)KIPC_STAT_REMOVED,
		  shm_stat_flags(self->fd) & KIPC_STAT_REMOVED);
	EXPECT_EQ(-ENOENT, kipc_shm_remove(self->sfd, self->name));
}

TEST_F(shm, remove_by_id_works)
{
	ASSERT_EQ(0, kipc_shm_remove_id(self->sfd, self->id));
	EXPECT_EQ(-ENOENT, kipc_shm_open(self->sfd, self->name, KIPC_O_READ,
					 0, 0, NULL));
	EXPECT_EQ(-ENOENT, kipc_shm_remove_id(self->sfd, self->id));
}

TEST_F(shm, remove_of_missing_name_returns_enoent)
{
	char name[KT_NAME_LEN];

	snprintf(name, sizeof(name), "kt-%d-missing", getpid());
	EXPECT_EQ(-ENOENT, kipc_shm_remove(self->sfd, name));
}

TEST_F(shm, remove_bad_name_returns_einval_or_enametoolong)
{
	char name[KIPC_NAME_MAX + 2];

	EXPECT_EQ(-EINVAL, kipc_shm_remove(self->sfd, ""));
	EXPECT_EQ(-EINVAL, kipc_shm_remove(self->sfd, "a/b"));
	memset(name, 'n', sizeof(name));
	name[KIPC_NAME_MAX + 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kipc_shm_remove(self->sfd, name));
}

TEST_F(shm, remove_with_flags_or_reserved_returns_einval)
{
	struct kipc_queue_remove r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.name_ptr = (uintptr_t)self->name;
	r.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_SHM_REMOVE, &r));
	r.flags = 0;
	r.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_SHM_REMOVE, &r));
	r.reserved[1] = 0;
	r.size = KIPC_QUEUE_REMOVE_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->sfd, KIPC_IOC_SHM_REMOVE, &r));
	/* still there */
	EXPECT_EQ(0, shm_stat_flags(self->fd) & KIPC_STAT_REMOVED);
}

/* ---- the wrong kind of fd ---- */

TEST_F(shm, shm_ioctls_on_other_fds_return_enotty)
{
	struct kipc_shm_stat st = { .size = sizeof(st) };
	struct kipc_queue_stat qst = { .size = sizeof(qst) };
	struct kipc_shm_open o;
	int qfd;

	qfd = kt_create(self->sfd, &self->names, "q", KIPC_O_SEND, 0600, NULL,
			NULL);
	ASSERT_LE(0, qfd);
	EXPECT_EQ(-ENOTTY, kt_ioctl(qfd, KIPC_IOC_SHM_STAT, &st));
	EXPECT_EQ(-ENOTTY, kt_ioctl(qfd, KIPC_IOC_SHM_ATTACH, NULL));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->sfd, KIPC_IOC_SHM_STAT, &st));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, KIPC_IOC_QUEUE_STAT, &qst));
	shm_open_args(&o, self->name, KIPC_O_READ, 0);
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, KIPC_IOC_SHM_OPEN, &o));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, _IO(KIPC_IOC_MAGIC, 0x5f),
				    NULL));
	close(qfd);
	kipc_queue_remove(self->sfd, self->names.name[self->names.n - 1]);
}

/* ---- stat and set ---- */

TEST_F(shm, stat_shows_owner_creator_and_times)
{
	struct kipc_shm_stat st;
	uint64_t before, after;
	int fd;

	before = kt_real_ns();
	fd = new_region(self, 100, KIPC_O_READ, NULL);
	after = kt_real_ns();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_shm_stat(fd, &st));
	EXPECT_EQ(geteuid(), st.uid);
	EXPECT_EQ(getegid(), st.gid);
	EXPECT_EQ(geteuid(), st.cuid);
	EXPECT_EQ(getegid(), st.cgid);
	EXPECT_EQ(getpid(), st.creator_pid);
	EXPECT_EQ(100U, st.region_size);
	EXPECT_LE(before, st.create_time_ns);
	EXPECT_GE(after, st.create_time_ns);
	EXPECT_EQ(0U, st.nr_holders);
	EXPECT_EQ(0U, st.nr_locks);
	EXPECT_EQ(0U, st.nr_waiters);
	EXPECT_EQ(0U, st.flags);
	close(fd);
}

TEST_F(shm, stat_creator_is_the_creating_process_not_the_opener)
{
	pid_t pid = kt_fork();

	if (pid == 0) {
		struct kipc_shm_stat st;
		int fd = kipc_shm_open(self->sfd, self->name, KIPC_O_READ, 0,
				       0, NULL);

		if (fd < 0 || kipc_shm_stat(fd, &st))
			_exit(KT_CHILD_SETUP);
		_exit(st.creator_pid == getppid() ? 0 : KT_CHILD_WRONG);
	}
	EXPECT_EQ(0, kt_reap(pid));
}

TEST_F(shm, stat_mapped_flag_follows_the_mappings)
{
	char *p;
	int fd;

	fd = new_region(self, psz, KIPC_O_READ | KIPC_O_WRITE, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, shm_stat_flags(fd) & KIPC_STAT_MAPPED);
	p = map_fd(fd, psz, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ((int)KIPC_STAT_MAPPED, shm_stat_flags(fd) & KIPC_STAT_MAPPED);
	munmap(p, psz);
	EXPECT_EQ(0, shm_stat_flags(fd) & KIPC_STAT_MAPPED);
	/* the fixture's region is mapped by the fixture */
	EXPECT_EQ((int)KIPC_STAT_MAPPED,
		  shm_stat_flags(self->fd) & KIPC_STAT_MAPPED);
	close(fd);
}

TEST_F(shm, stat_counts_holders_and_locks)
{
	struct kipc_shm_lock l = { .size = sizeof(l), .offset = 64 };
	struct kipc_shm_stat st;
	long id;
	pid_t pid;

	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(0U, st.nr_holders);
	id = kt_ioctl(self->fd, KIPC_IOC_SHM_ATTACH, NULL);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(1U, st.nr_holders);
	/* attach again: the same record */
	EXPECT_EQ(id, kt_ioctl(self->fd, KIPC_IOC_SHM_ATTACH, NULL));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(1U, st.nr_holders);
	/* a child attaches and stays while the parent looks */
	pid = kt_fork();
	if (pid == 0) {
		if (kt_ioctl(self->fd, KIPC_IOC_SHM_ATTACH, NULL) <= 0)
			_exit(KT_CHILD_WRONG);
		pause();
		_exit(0);
	}
	kid(self, pid);
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(2U, st.nr_holders);

	/* locks: one per registered offset */
	ASSERT_EQ(0U, st.nr_locks);
	ASSERT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_SHM_LOCK_INIT, &l));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(1U, st.nr_locks);
	ASSERT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_SHM_LOCK_INIT, &l));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(1U, st.nr_locks);
	l.offset = psz + 4;
	ASSERT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_SHM_LOCK_INIT, &l));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(2U, st.nr_locks);
}

TEST_F(shm, stat_output_has_no_stale_bytes_and_zeroes_a_larger_tail)
{
	struct {
		struct kipc_shm_stat st;
		uint64_t tail[4];
	} big;
	size_t i, n;
	int j;

	memset(&big, 0xa5, sizeof(big));
	big.st.size = sizeof(big);
	ASSERT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_SHM_STAT, &big));
	EXPECT_EQ(0U, big.st.reserved0);
	for (j = 0; j < 4; j++) {
		EXPECT_EQ(0U, big.st.reserved[j]);
		EXPECT_EQ(0U, big.tail[j]);
	}
	n = strlen(big.st.name);
	for (i = n; i < sizeof(big.st.name); i++)
		if (big.st.name[i])
			break;
	EXPECT_EQ(sizeof(big.st.name), i) TH_LOG("name not zero-padded");
}

TEST_F(shm, stat_size_below_first_version_returns_einval)
{
	struct kipc_shm_stat st;

	memset(&st, 0, sizeof(st));
	st.size = KIPC_SHM_STAT_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_STAT, &st));
	EXPECT_EQ(-EFAULT, kt_ioctl(self->fd, KIPC_IOC_SHM_STAT,
				    kt_unmapped_addr()));
}

TEST_F(shm, stat_works_on_read_only_and_write_only_fds)
{
	struct kipc_shm_stat st;
	int fd;

	fd = kipc_shm_open(self->sfd, self->name, KIPC_O_READ, 0, 0, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kipc_shm_stat(fd, &st));
	close(fd);
	fd = kipc_shm_open(self->sfd, self->name, KIPC_O_WRITE, 0, 0, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kipc_shm_stat(fd, &st));
	EXPECT_EQ(self->id, st.id);
	close(fd);
}

TEST_F(shm, set_changes_mode_and_owner_not_creator)
{
	struct kipc_shm_stat st;
	struct kipc_shm_set set;

	memset(&set, 0, sizeof(set));
	set.flags = KIPC_SET_MODE;
	set.mode = 0640;
	ASSERT_EQ(0, kipc_shm_set(self->fd, &set));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(0640U, st.mode);

	set.flags = KIPC_SET_UID | KIPC_SET_GID;
	set.uid = 4321;
	set.gid = 4322;
	ASSERT_EQ(0, kipc_shm_set(self->fd, &set));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(4321U, st.uid);
	EXPECT_EQ(4322U, st.gid);
	EXPECT_EQ(geteuid(), st.cuid);
	EXPECT_EQ(0640U, st.mode);
	EXPECT_LE(st.create_time_ns, st.change_time_ns);
}

TEST_F(shm, set_with_queue_only_or_unknown_flag_returns_einval)
{
	static const unsigned int bad[] = {
		KIPC_SET_MAX_MSGSIZE, KIPC_SET_CAPACITY, KIPC_SET_MAX_MSGS,
		1U << 20,
	};
	struct kipc_shm_stat st;
	struct kipc_shm_set set;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&set, 0, sizeof(set));
		set.size = sizeof(set);
		set.flags = KIPC_SET_MODE | bad[i];
		set.mode = 0666;
		EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_SET, &set))
			TH_LOG("flag %#x", bad[i]);
	}
	memset(&set, 0, sizeof(set));
	set.size = sizeof(set);
	set.flags = KIPC_SET_MODE;
	set.mode = 0666;
	set.reserved0 = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_SET, &set));
	set.reserved0 = 0;
	set.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_SET, &set));
	set.reserved[1] = 0;
	set.mode = 01666;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_SET, &set));
	set.mode = 0666;
	set.size = KIPC_SHM_SET_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_SET, &set));
	/* nothing of it applied */
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(0600U, st.mode);
}

/* ---- mmap ---- */

TEST_F(shm, two_processes_see_each_others_writes)
{
	int sv[2];
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = kt_fork();
	if (pid == 0) {
		volatile char *p;
		int fd;

		/* a lookup of its own, a mapping of its own */
		fd = kipc_shm_open(self->sfd, self->name,
				   KIPC_O_READ | KIPC_O_WRITE, 0, 0, NULL);
		if (fd < 0)
			_exit(KT_CHILD_SETUP);
		p = map_fd(fd, self->size, PROT_READ | PROT_WRITE, 0);
		if (p == MAP_FAILED)
			_exit(KT_CHILD_SETUP);
		strcpy((char *)p + psz + 100, "from the child");
		if (sync_send(sv[1]) || sync_recv(sv[1]))
			_exit(KT_CHILD_SETUP);
		_exit(strcmp((char *)p + 7, "from the parent") ?
		      KT_CHILD_WRONG : 0);
	}
	kid(self, pid);
	ASSERT_EQ(0, sync_recv(sv[0]));
	EXPECT_STREQ("from the child", self->map + psz + 100);
	strcpy(self->map + 7, "from the parent");
	ASSERT_EQ(0, sync_send(sv[0]));
	EXPECT_EQ(0, reap_kid(self, pid));
	close(sv[0]);
	close(sv[1]);
}

TEST_F(shm, map_of_part_of_the_region_at_an_offset_works)
{
	char *p;

	p = map_fd(self->fd, psz, PROT_READ | PROT_WRITE, psz);
	ASSERT_NE(MAP_FAILED, p);
	p[5] = 'o';
	EXPECT_EQ('o', self->map[psz + 5]);
	munmap(p, psz);
}

TEST_F(shm, map_beyond_the_size_returns_enxio)
{
	EXPECT_EQ(ENXIO, map_errno(self->fd, self->size + psz, PROT_READ,
				   MAP_SHARED, 0));
	EXPECT_EQ(ENXIO, map_errno(self->fd, psz, PROT_READ, MAP_SHARED,
				   self->size));
	EXPECT_EQ(ENXIO, map_errno(self->fd, 2 * psz, PROT_READ, MAP_SHARED,
				   psz));
	EXPECT_EQ(ENXIO, map_errno(self->fd, psz, PROT_READ, MAP_SHARED,
				   100 * psz));
}

TEST_F(shm, map_private_returns_einval)
{
	EXPECT_EQ(EINVAL, map_errno(self->fd, psz, PROT_READ, MAP_PRIVATE, 0));
	EXPECT_EQ(EINVAL, map_errno(self->fd, psz, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE, 0));
}

TEST_F(shm, read_only_fd_maps_readable_not_writable)
{
	char *p;
	int fd;

	fd = kipc_shm_open(self->sfd, self->name, KIPC_O_READ, 0, 0, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, map_errno(fd, psz, PROT_READ | PROT_WRITE,
				    MAP_SHARED, 0));
	EXPECT_EQ(EACCES, map_errno(fd, psz, PROT_WRITE, MAP_SHARED, 0));
	p = map_fd(fd, self->size, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	self->map[psz + 1] = 'r';
	EXPECT_EQ('r', p[psz + 1]);
	/* and it cannot be made writable later */
	EXPECT_EQ(-1, mprotect(p, psz, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, self->size);
	close(fd);
}

TEST_F(shm, write_only_fd_cannot_map)
{
	int fd;

	fd = kipc_shm_open(self->sfd, self->name, KIPC_O_WRITE, 0, 0, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, map_errno(fd, psz, PROT_READ | PROT_WRITE,
				    MAP_SHARED, 0));
	EXPECT_EQ(EACCES, map_errno(fd, psz, PROT_READ, MAP_SHARED, 0));
	close(fd);
}

TEST_F(shm, session_fd_cannot_be_mapped)
{
	EXPECT_NE(0, map_errno(self->sfd, psz, PROT_READ, MAP_SHARED, 0));
}

TEST_F(shm, region_of_odd_size_maps_its_last_page_not_beyond)
{
	char *p;
	int fd;

	fd = new_region(self, psz + 100, KIPC_O_READ | KIPC_O_WRITE, NULL);
	ASSERT_LE(0, fd);
	p = map_fd(fd, 2 * psz, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	/* the whole last page is there, zero */
	EXPECT_EQ(0, p[2 * psz - 1]);
	p[2 * psz - 1] = 'e';
	EXPECT_EQ('e', p[2 * psz - 1]);
	munmap(p, 2 * psz);
	EXPECT_EQ(0, map_errno(fd, psz, PROT_READ, MAP_SHARED, psz));
	EXPECT_EQ(ENXIO, map_errno(fd, 3 * psz, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(ENXIO, map_errno(fd, psz, PROT_READ, MAP_SHARED, 2 * psz));
	close(fd);
}

TEST_F(shm, region_of_one_byte_maps_one_page)
{
	char *p;
	int fd;

	fd = new_region(self, 1, KIPC_O_READ | KIPC_O_WRITE, NULL);
	ASSERT_LE(0, fd);
	p = map_fd(fd, psz, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	munmap(p, psz);
	EXPECT_EQ(ENXIO, map_errno(fd, 2 * psz, PROT_READ, MAP_SHARED, 0));
	close(fd);
}

TEST_F(shm, remove_while_mapped_keeps_both_mappings_and_frees_the_name)
{
	struct kipc_shm_stat st;
	uint64_t id2 = 0;
	int sv[2], fd2;
	pid_t pid;
	char *q;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = kt_fork();
	if (pid == 0) {
		volatile char *p;
		int fd;

		fd = kipc_shm_open(self->sfd, self->name,
				   KIPC_O_READ | KIPC_O_WRITE, 0, 0, NULL);
		if (fd < 0)
			_exit(KT_CHILD_SETUP);
		p = map_fd(fd, self->size, PROT_READ | PROT_WRITE, 0);
		if (p == MAP_FAILED || sync_send(sv[1]) || sync_recv(sv[1]))
			_exit(KT_CHILD_SETUP);
		/* removed now: the parent's write shows, ours goes back */
		if (p[0] != 'P')
			_exit(KT_CHILD_WRONG);
		p[1] = 'C';
		_exit(sync_send(sv[1]) ? KT_CHILD_SETUP : 0);
	}
	kid(self, pid);
	ASSERT_EQ(0, sync_recv(sv[0]));
	ASSERT_EQ(0, kipc_shm_remove(self->sfd, self->name));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ((uint32_t)KIPC_STAT_REMOVED, st.flags & KIPC_STAT_REMOVED);
	EXPECT_EQ((uint32_t)KIPC_STAT_MAPPED, st.flags & KIPC_STAT_MAPPED);
	self->map[0] = 'P';
	ASSERT_EQ(0, sync_send(sv[0]));
	ASSERT_EQ(0, sync_recv(sv[0]));
	EXPECT_EQ('C', self->map[1]);
	EXPECT_EQ(0, reap_kid(self, pid));

	/* the name makes a new, different region */
	fd2 = kipc_shm_open(self->sfd, self->name, KIPC_O_CREAT | KIPC_O_EXCL |
			    KIPC_O_READ | KIPC_O_WRITE, 0600, psz, &id2);
	ASSERT_LE(0, fd2);
	EXPECT_NE(self->id, id2);
	q = map_fd(fd2, psz, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, q[0]);
	q[2] = 'N';
	EXPECT_EQ(0, self->map[2]);
	EXPECT_EQ('P', self->map[0]);
	munmap(q, psz);
	close(fd2);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(shm, mapping_works_after_its_fd_is_closed)
{
	char *p;
	int fd;

	fd = kipc_shm_open(self->sfd, self->name, KIPC_O_READ | KIPC_O_WRITE,
			   0, 0, NULL);
	ASSERT_LE(0, fd);
	p = map_fd(fd, self->size, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	strcpy(p + psz, "after close");
	EXPECT_STREQ("after close", self->map + psz);
	strcpy(self->map + 40, "both ways");
	EXPECT_STREQ("both ways", p + 40);
	munmap(p, self->size);
}

TEST_F(shm, region_fd_passed_over_a_socket_maps_the_same_memory)
{
	int sv[2];
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				sv));
	pid = kt_fork();
	if (pid == 0) {
		char *p;
		int fd;

		close(self->fd);	/* only the passed fd */
		munmap(self->map, self->size);
		fd = kt_recv_fd(sv[1]);
		if (fd < 0)
			_exit(KT_CHILD_SETUP);
		p = map_fd(fd, self->size, PROT_READ | PROT_WRITE, 0);
		if (p == MAP_FAILED)
			_exit(errno);
		strcpy(p + 300, "passed");
		_exit(0);
	}
	kid(self, pid);
	ASSERT_EQ(0, kt_send_fd(sv[0], self->fd));
	EXPECT_EQ(0, reap_kid(self, pid));
	EXPECT_STREQ("passed", self->map + 300);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(shm, writable_mapping_can_be_made_read_only_and_back)
{
	ASSERT_EQ(0, mprotect(self->map, psz, PROT_READ));
	ASSERT_EQ(0, mprotect(self->map, psz, PROT_READ | PROT_WRITE));
	self->map[1] = 'w';
	EXPECT_EQ('w', self->map[1]);
}

TEST_F(shm, mapping_works_after_remove_and_the_last_close)
{
	char *p;
	int fd;

	fd = new_region(self, psz, KIPC_O_READ | KIPC_O_WRITE, NULL);
	ASSERT_LE(0, fd);
	p = map_fd(fd, psz, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "kept");
	ASSERT_EQ(0, kipc_shm_remove(self->sfd,
				     self->names.name[self->names.n - 1]));
	close(fd);
	EXPECT_STREQ("kept", p);
	p[psz - 1] = 'z';
	EXPECT_EQ('z', p[psz - 1]);
	munmap(p, psz);
}

static long futex(uint32_t *uaddr, int op, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts = {
		.tv_sec = timeout_ns / NSEC_PER_SEC,
		.tv_nsec = timeout_ns % NSEC_PER_SEC,
	};

	return syscall(SYS_futex, uaddr, op, val, timeout_ns ? &ts : NULL,
		       NULL, 0) < 0 ? -errno : 0;
}

TEST_F(shm, shared_futex_works_between_two_processes)
{
	uint32_t *word = (uint32_t *)(self->map + psz + 64);
	long woken;
	pid_t pid;
	int i;

	pid = kt_fork();
	if (pid == 0) {
		uint32_t *w;
		char *p;
		int fd;

		fd = kipc_shm_open(self->sfd, self->name,
				   KIPC_O_READ | KIPC_O_WRITE, 0, 0, NULL);
		if (fd < 0)
			_exit(KT_CHILD_SETUP);
		p = map_fd(fd, self->size, PROT_READ | PROT_WRITE, 0);
		if (p == MAP_FAILED)
			_exit(KT_CHILD_SETUP);
		w = (uint32_t *)(p + psz + 64);
		while (__atomic_load_n(w, __ATOMIC_ACQUIRE) == 0) {
			long r = futex(w, FUTEX_WAIT, 0, CHILD_WAIT_NS);

			if (r && r != -EAGAIN && r != -EINTR)
				_exit(-r);
		}
		_exit(*w == 7 ? 0 : KT_CHILD_WRONG);
	}
	kid(self, pid);
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	__atomic_store_n(word, 7, __ATOMIC_RELEASE);
	/* a shared (not private) futex: the key is the shmem page */
	woken = 0;
	for (i = 0; i < 100 && !woken; i++) {
		woken = syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
		if (!woken)
			kt_sleep_ms(10);
	}
	EXPECT_EQ(1, woken);
	EXPECT_EQ(0, reap_kid(self, pid));
}

/* ---- wait and wake ---- */

TEST_F(shm, wait_with_other_value_returns_eagain_at_once)
{
	*(uint32_t *)(self->map + 8) = 5;
	EXPECT_EQ(-EAGAIN, wait_raw(self->fd, 8, 4, 0, 0));
	EXPECT_EQ(-EAGAIN, wait_raw(self->fd, 12, 1, 0, 0));
	EXPECT_EQ(0, nr_waiters(self->fd));
}

TEST_F(shm, wake_without_waiters_returns_0)
{
	EXPECT_EQ(0, wake_raw(self->fd, 0, 1));
	EXPECT_EQ(0, wake_raw(self->fd, psz, KIPC_WAKE_ALL));
}

TEST_F(shm, wake_of_one_waiter_returns_1_and_the_waiter_0)
{
	pid_t pid = kid(self, fork_waiter(self->fd, 16, 0));

	ASSERT_LT(0, pid);
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	EXPECT_EQ(1, nr_waiters(self->fd));
	EXPECT_EQ(1, wake_raw(self->fd, 16, 1));
	EXPECT_EQ(0, reap_kid(self, pid));
	EXPECT_EQ(0, nr_waiters(self->fd));
	EXPECT_EQ(0, wake_raw(self->fd, 16, 1));
}

TEST_F(shm, library_wait_and_wake_work_on_a_mapped_region)
{
	struct kipc_region r;
	uint32_t *word;
	pid_t pid;

	ASSERT_EQ(0, kipc_shm_map(self->fd, PROT_READ | PROT_WRITE, &r));
	EXPECT_EQ(self->size, r.size);
	word = (uint32_t *)((char *)r.addr + psz);
	pid = kt_fork();
	if (pid == 0)
		_exit(kt_status(kipc_shm_wait(&r, word, 0,
					      kipc_deadline(CHILD_WAIT_NS))));
	kid(self, pid);
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	*word = 1;
	EXPECT_EQ(1, kipc_shm_wake(&r, word, 1));
	EXPECT_EQ(0, reap_kid(self, pid));
	EXPECT_EQ(-EAGAIN, kipc_shm_wait(&r, word, 0, 0));
	EXPECT_EQ(1U, *(uint32_t *)(self->map + psz));
	EXPECT_EQ(0, kipc_shm_unmap(&r));
}

TEST_F_TIMEOUT(shm, wake_1_wakes_the_oldest_waiter_then_all_wakes_the_rest, 90)
{
	pid_t pids[3], pid;
	int i;

	for (i = 0; i < 3; i++) {
		pids[i] = kid(self, fork_waiter(self->fd, 32, 0));
		ASSERT_LT(0, pids[i]);
		ASSERT_TRUE(kt_wait_sleeping(pids[i], 10000));
	}
	EXPECT_EQ(3, nr_waiters(self->fd));
	EXPECT_EQ(1, wake_raw(self->fd, 32, 1));
	/* the first one went; the others sleep until their deadline */
	pid = waitpid(-1, NULL, 0);
	forget_kid(self, pid);
	ASSERT_EQ(pids[0], pid);
	EXPECT_EQ(2, nr_waiters(self->fd));
	EXPECT_EQ(2, wake_raw(self->fd, 32, KIPC_WAKE_ALL));
	for (i = 1; i < 3; i++)
		EXPECT_EQ(0, reap_kid(self, pids[i])) TH_LOG("waiter %d", i);
	EXPECT_EQ(0, nr_waiters(self->fd));
}

TEST_F(shm, wake_count_caps_the_waiters_woken)
{
	pid_t pids[3];
	int i;

	for (i = 0; i < 3; i++) {
		pids[i] = kid(self, fork_waiter(self->fd, 0, 0));
		ASSERT_LT(0, pids[i]);
		ASSERT_TRUE(kt_wait_sleeping(pids[i], 10000));
	}
	EXPECT_EQ(2, wake_raw(self->fd, 0, 2));
	EXPECT_EQ(1, wake_raw(self->fd, 0, 5));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, reap_kid(self, pids[i])) TH_LOG("waiter %d", i);
}

TEST_F_TIMEOUT(shm, wake_wakes_only_the_waiters_of_its_word, 90)
{
	/* neighbours, words a bucket hash may share, another page */
	const uint64_t offs[] = { 0, 4, 256, 1024, psz, psz + 4 };
	pid_t pids[ARRAY_SIZE(offs)], pid;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		pids[i] = kid(self, fork_waiter(self->fd, offs[i], 0));
		ASSERT_LT(0, pids[i]);
		ASSERT_TRUE(kt_wait_sleeping(pids[i], 10000));
	}
	/* wake them in another order, one word at a time */
	for (j = 0; j < ARRAY_SIZE(offs); j++) {
		i = (j * 5 + 3) % ARRAY_SIZE(offs);
		EXPECT_EQ(1, wake_raw(self->fd, offs[i], KIPC_WAKE_ALL))
			TH_LOG("offset %llu", (unsigned long long)offs[i]);
		pid = waitpid(-1, NULL, 0);
		forget_kid(self, pid);
		ASSERT_EQ(pids[i], pid) TH_LOG("offset %llu woke another",
					       (unsigned long long)offs[i]);
		EXPECT_EQ((long long)(ARRAY_SIZE(offs) - j - 1),
			  nr_waiters(self->fd));
	}
}

TEST_F(shm, wait_until_a_deadline_returns_etimedout)
{
	uint64_t start = kt_mono_ns();

	EXPECT_EQ(-ETIMEDOUT, wait_raw(self->fd, 0, 0, KIPC_MSG_DEADLINE,
				       start + 50 * NSEC_PER_MSEC));
	EXPECT_LE(start + 50 * NSEC_PER_MSEC, kt_mono_ns());
	/* a deadline in the past: at once */
	EXPECT_EQ(-ETIMEDOUT, wait_raw(self->fd, 0, 0, KIPC_MSG_DEADLINE, 1));
	EXPECT_EQ(0, nr_waiters(self->fd));
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* Child: wait on word 0 with SIGUSR1 caught (@restart: SA_RESTART). */
static int signalled_waiter(int fd, bool restart)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	sa.sa_flags = restart ? SA_RESTART : 0;
	if (sigaction(SIGUSR1, &sa, NULL))
		return KT_CHILD_SETUP;
	return kt_status(wait_raw(fd, 0, 0, KIPC_MSG_DEADLINE,
				  kt_mono_ns() + CHILD_WAIT_NS));
}

TEST_F(shm, signal_during_wait_returns_eintr)
{
	pid_t pid = kt_fork();

	if (pid == 0)
		_exit(signalled_waiter(self->fd, false));
	kid(self, pid);
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(EINTR, reap_kid(self, pid));
	EXPECT_EQ(0, nr_waiters(self->fd));
	EXPECT_EQ(0, wake_raw(self->fd, 0, 1));
}

TEST_F(shm, signal_with_sa_restart_keeps_waiting)
{
	pid_t pid = kt_fork();

	if (pid == 0)
		_exit(signalled_waiter(self->fd, true));
	kid(self, pid);
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	/* back asleep in the restarted call, then woken for real */
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	EXPECT_EQ(1, wake_raw(self->fd, 0, 1));
	EXPECT_EQ(0, reap_kid(self, pid));
}

TEST_F(shm, wait_and_wake_with_a_bad_offset_return_einval)
{
	const uint64_t bad[] = {
		1, 2, 3, self->size, self->size - 2, self->size + 4,
		1ULL << 62, ~0ULL - 3,
	};
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, wait_raw(self->fd, bad[i], 0, 0, 0))
			TH_LOG("wait at %llu", (unsigned long long)bad[i]);
		EXPECT_EQ(-EINVAL, wake_raw(self->fd, bad[i], 1))
			TH_LOG("wake at %llu", (unsigned long long)bad[i]);
	}
	/* the last word is fine */
	EXPECT_EQ(-EAGAIN, wait_raw(self->fd, self->size - 4, 1, 0, 0));
	EXPECT_EQ(0, wake_raw(self->fd, self->size - 4, 1));
	/* the size of the region counts, not the pages mapped */
	fd = new_region(self, 100, KIPC_O_READ | KIPC_O_WRITE, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, wait_raw(fd, 96, 1, 0, 0));
	EXPECT_EQ(-EINVAL, wait_raw(fd, 100, 0, 0, 0));
	EXPECT_EQ(-EINVAL, wake_raw(fd, 100, 1));
	EXPECT_EQ(-EINVAL, wait_raw(fd, 98, 0, 0, 0));
	EXPECT_EQ(-EINVAL, wait_raw(fd, psz - 4, 0, 0, 0));
	close(fd);
}

TEST_F(shm, wait_on_write_only_fd_and_wake_on_read_only_fd_return_ebadf)
{
	int rfd, wfd;

	rfd = kipc_shm_open(self->sfd, self->name, KIPC_O_READ, 0, 0, NULL);
	ASSERT_LE(0, rfd);
	wfd = kipc_shm_open(self->sfd, self->name, KIPC_O_WRITE, 0, 0, NULL);
	ASSERT_LE(0, wfd);
	EXPECT_EQ(-EBADF, wait_raw(wfd, 0, 0, 0, 0));
	EXPECT_EQ(-EBADF, wake_raw(rfd, 0, 1));
	/* the other way round works */
	EXPECT_EQ(-EAGAIN, wait_raw(rfd, 0, 1, 0, 0));
	EXPECT_EQ(0, wake_raw(wfd, 0, 1));
	close(rfd);
	close(wfd);
}

TEST_F(shm, wake_of_count_0_returns_einval)
{
	EXPECT_EQ(-EINVAL, wake_raw(self->fd, 0, 0));
}

TEST_F(shm, wait_and_wake_with_bad_flags_reserved_or_size_return_einval)
{
	struct kipc_shm_wait w;
	struct kipc_shm_wake k;

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.expected = 1;		/* the word is 0: -EAGAIN if it gets there */
	w.flags = 1U << 7;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_WAIT, &w));
	w.flags = 0;
	w.reserved0 = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_WAIT, &w));
	w.reserved0 = 0;
	w.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_WAIT, &w));
	w.reserved[1] = 0;
	w.size = KIPC_SHM_WAIT_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_WAIT, &w));
	w.size = sizeof(w);
	EXPECT_EQ(-EAGAIN, kt_ioctl(self->fd, KIPC_IOC_SHM_WAIT, &w));
	EXPECT_EQ(-EFAULT, kt_ioctl(self->fd, KIPC_IOC_SHM_WAIT,
				    kt_unmapped_addr()));

	memset(&k, 0, sizeof(k));
	k.size = sizeof(k);
	k.count = 1;
	k.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_WAKE, &k));
	k.flags = 0;
	k.reserved0 = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_WAKE, &k));
	k.reserved0 = 0;
	k.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_WAKE, &k));
	k.reserved[0] = 0;
	k.size = KIPC_SHM_WAKE_SIZE_VER0 - 4;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SHM_WAKE, &k));
	k.size = sizeof(k);
	EXPECT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_SHM_WAKE, &k));
}

TEST_F(shm, wait_and_wake_need_no_mapping)
{
	pid_t pid;

	munmap(self->map, self->size);
	self->map = NULL;
	pid = kid(self, fork_waiter(self->fd, 40, 0));
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	EXPECT_EQ(1, wake_raw(self->fd, 40, 1));
	EXPECT_EQ(0, reap_kid(self, pid));
}

TEST_F(shm, wait_on_a_removed_region_still_works)
{
	pid_t pid;

	ASSERT_EQ(0, kipc_shm_remove(self->sfd, self->name));
	pid = kid(self, fork_waiter(self->fd, 0, 0));
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	EXPECT_EQ(1, wake_raw(self->fd, 0, 1));
	EXPECT_EQ(0, reap_kid(self, pid));
	*(uint32_t *)self->map = 3;
	EXPECT_EQ(-EAGAIN, wait_raw(self->fd, 0, 0, 0, 0));
}

TEST_F(shm, remove_does_not_end_a_wait_in_progress)
{
	pid_t pid = kid(self, fork_waiter(self->fd, 0, 0));

	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	ASSERT_EQ(0, kipc_shm_remove(self->sfd, self->name));
	/* no -EIDRM as for queues: it still waits */
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	EXPECT_EQ(1, nr_waiters(self->fd));
	EXPECT_EQ(1, wake_raw(self->fd, 0, 1));
	EXPECT_EQ(0, reap_kid(self, pid));
}

TEST_F(shm, killed_waiter_leaves_no_waiter_behind)
{
	pid_t pid = kid(self, fork_waiter(self->fd, 20, 0));

	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	EXPECT_EQ(1, nr_waiters(self->fd));
	forget_kid(self, pid);
	kt_stop(pid);
	EXPECT_EQ(0, nr_waiters(self->fd));
	EXPECT_EQ(0, wake_raw(self->fd, 20, KIPC_WAKE_ALL));
}

TEST_F(shm, waiter_keeps_a_removed_region_that_others_closed)
{
	pid_t pid = kid(self, kt_fork());

	if (pid == 0)
		_exit(kt_status(wait_raw(self->fd, 24, 0, KIPC_MSG_DEADLINE,
					 kt_mono_ns() + 2 * NSEC_PER_SEC)));
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	/* only the waiter's fd is left: its deadline ends the wait */
	ASSERT_EQ(0, kipc_shm_remove(self->sfd, self->name));
	munmap(self->map, self->size);
	self->map = NULL;
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(ETIMEDOUT, reap_kid(self, pid));
}

TEST_F(shm, waiter_sees_a_value_written_before_the_wake)
{
	uint32_t *word = (uint32_t *)(self->map + 60);
	pid_t pid = kt_fork();

	if (pid == 0) {
		/* the futex loop: wait while 0, then the value must be 9 */
		while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 0) {
			long r = wait_raw(self->fd, 60, 0, KIPC_MSG_DEADLINE,
					  kt_mono_ns() + CHILD_WAIT_NS);

			if (r && r != -EAGAIN)
				_exit(-r);
		}
		_exit(*word == 9 ? 0 : KT_CHILD_WRONG);
	}
	kid(self, pid);
	ASSERT_TRUE(kt_wait_sleeping(pid, 10000));
	__atomic_store_n(word, 9, __ATOMIC_RELEASE);
	EXPECT_EQ(1, wake_raw(self->fd, 60, KIPC_WAKE_ALL));
	EXPECT_EQ(0, reap_kid(self, pid));
}

#define PING_PONGS	5000

/*
 * Take turns: wait while the turn word is not @me, then hand the turn
 * over and wake the other.  A lost wakeup ends in -ETIMEDOUT.
 */
static int ping_pong(int fd, uint32_t *turn, uint32_t me, int rounds)
{
	long ret;
	uint32_t t;
	int i;

	for (i = 0; i < rounds; i++) {
		while ((t = __atomic_load_n(turn, __ATOMIC_ACQUIRE)) != me) {
			ret = wait_raw(fd, 0, t, KIPC_MSG_DEADLINE,
				       kt_mono_ns() + 10 * NSEC_PER_SEC);
			if (ret && ret != -EAGAIN)
				return -ret;
		}
		__atomic_store_n(turn, !me, __ATOMIC_RELEASE);
		ret = wake_raw(fd, 0, 1);
		if (ret < 0)
			return -ret;
	}
	return 0;
}

TEST_F_TIMEOUT(shm, ping_pong_through_wait_and_wake_loses_no_wakeup, 300)
{
	uint32_t *turn = (uint32_t *)self->map;
	pid_t pid;

	*turn = 0;
	pid = kid(self, kt_fork());
	if (pid == 0)
		_exit(ping_pong(self->fd, turn, 1, PING_PONGS));
	EXPECT_EQ(0, ping_pong(self->fd, turn, 0, PING_PONGS));
	EXPECT_EQ(0, reap_kid(self, pid));
	EXPECT_EQ(0U, *turn);
	EXPECT_EQ(0, nr_waiters(self->fd));
}

/* ---- permissions: the region is root's, the child is nobody ---- */

FIXTURE(perm) {
	int sfd;
	int fd;
	uint64_t id;
	const char *name;
	struct kt_names names;
};

FIXTURE_SETUP(perm)
{
	self->fd = -1;
	psz = sysconf(_SC_PAGESIZE);
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_SHM, NULL))
		SKIP(return, "the module has no shared memory");
	if (geteuid() != 0)
		SKIP(return, "needs root");
}

FIXTURE_TEARDOWN(perm)
{
	if (self->fd >= 0)
		close(self->fd);
	shm_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
}

static int create_mode(FIXTURE_DATA(perm) *self, unsigned int mode)
{
	self->name = kt_names_new(&self->names, "p");
	self->fd = kipc_shm_open(self->sfd, self->name, KIPC_O_CREAT |
				 KIPC_O_EXCL | KIPC_O_READ | KIPC_O_WRITE,
				 mode, psz, &self->id);
	return self->fd;
}

struct op {
	int sfd;
	int fd;			/* the region, opened by root */
	const char *name;
	uint64_t id;		/* with @name NULL */
	unsigned int flags;
	int prot;		/* op_map */
};

static int op_open(void *arg)
{
	struct op *op = arg;
	int fd;

	fd = op->name ? kipc_shm_open(op->sfd, op->name, op->flags, 0, 0,
				      NULL) :
		kipc_shm_open_id(op->sfd, op->id, op->flags);
	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

/* Open and map with @prot: 0 or the errno of either. */
static int op_open_map(void *arg)
{
	struct op *op = arg;
	int fd = kipc_shm_open(op->sfd, op->name, op->flags, 0, 0, NULL);
	void *p;

	if (fd < 0)
		return -fd;
	p = mmap(NULL, psz, op->prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return errno;
	/* a write through a writable mapping works */
	if (op->prot & PROT_WRITE)
		*(volatile char *)p = 'n';
	return *(volatile char *)p == (op->prot & PROT_WRITE ? 'n' : 0) ?
		0 : KT_CHILD_WRONG;
}

static int op_remove(void *arg)
{
	struct op *op = arg;

	return kt_status(op->name ? kipc_shm_remove(op->sfd, op->name) :
			 kipc_shm_remove_id(op->sfd, op->id));
}

/* Open read-only, then set the mode. */
static int op_set(void *arg)
{
	struct op *op = arg;
	struct kipc_shm_set set = { .flags = KIPC_SET_MODE, .mode = 0666 };
	int fd = kipc_shm_open(op->sfd, op->name, KIPC_O_READ, 0, 0, NULL);

	if (fd < 0)
		return KT_CHILD_SETUP;
	return kt_status(kipc_shm_set(fd, &set));
}

/* Open with @flags, then wait (expected 1: -EAGAIN) and wake. */
static int op_wait_wake(void *arg)
{
	struct op *op = arg;
	int fd = kipc_shm_open(op->sfd, op->name, op->flags, 0, 0, NULL);
	long r;

	if (fd < 0)
		return KT_CHILD_SETUP;
	r = wait_raw(fd, 0, 1, 0, 0);
	if (r != -EAGAIN)
		return kt_status(r) ?: KT_CHILD_WRONG;
	return kt_status(wake_raw(fd, 0, 1));
}

TEST_F(perm, mode_0600_region_refuses_nobody_both_ways)
{
	struct op op = { .sfd = self->sfd };

	ASSERT_LE(0, create_mode(self, 0600));
	op.name = self->name;
	op.flags = KIPC_O_READ;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	op.flags = KIPC_O_WRITE;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	op.flags = KIPC_O_READ | KIPC_O_WRITE;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	/* by id too */
	op.name = NULL;
	op.id = self->id;
	op.flags = KIPC_O_READ;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
}

TEST_F(perm, mode_0644_region_lets_nobody_read_not_write)
{
	struct op op = { .sfd = self->sfd };

	ASSERT_LE(0, create_mode(self, 0644));
	op.name = self->name;
	op.flags = KIPC_O_READ;
	op.prot = PROT_READ;
	EXPECT_EQ(0, kt_run_as_nobody(op_open_map, &op));
	op.flags = KIPC_O_WRITE;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	op.flags = KIPC_O_READ | KIPC_O_WRITE;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open, &op));
	/* with a read-only fd, no writable mapping */
	op.flags = KIPC_O_READ;
	op.prot = PROT_READ | PROT_WRITE;
	EXPECT_EQ(EACCES, kt_run_as_nobody(op_open_map, &op));
}

TEST_F(perm, mode_0666_region_lets_nobody_map_it_writable_and_wake)
{
	struct op op = { .sfd = self->sfd };
	char *p;

	ASSERT_LE(0, create_mode(self, 0666));
	op.name = self->name;
	op.flags = KIPC_O_READ | KIPC_O_WRITE;
	op.prot = PROT_READ | PROT_WRITE;
	EXPECT_EQ(0, kt_run_as_nobody(op_open_map, &op));
	EXPECT_EQ(0, kt_run_as_nobody(op_wait_wake, &op));
	p = map_fd(self->fd, psz, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('n', p[0]);
	munmap(p, psz);
}

TEST_F(perm, nobody_may_not_remove_or_set_roots_region)
{
	struct op op = { .sfd = self->sfd };
	struct kipc_shm_stat st;

	ASSERT_LE(0, create_mode(self, 0666));
	op.name = self->name;
	EXPECT_EQ(EPERM, kt_run_as_nobody(op_remove, &op));
	op.name = NULL;
	op.id = self->id;
	EXPECT_EQ(EPERM, kt_run_as_nobody(op_remove, &op));
	op.name = self->name;
	EXPECT_EQ(EPERM, kt_run_as_nobody(op_set, &op));
	ASSERT_EQ(0, kipc_shm_stat(self->fd, &st));
	EXPECT_EQ(0666U, st.mode);
	EXPECT_EQ(0U, st.flags & KIPC_STAT_REMOVED);
}

TEST_F(perm, new_owner_may_set_and_remove)
{
	struct op op = { .sfd = self->sfd };
	struct kipc_shm_set set = {
		.flags = KIPC_SET_UID | KIPC_SET_GID,
		.uid = KT_NOBODY,
		.gid = KT_NOBODY,
	};

	ASSERT_LE(0, create_mode(self, 0644));
	ASSERT_EQ(0, kipc_shm_set(self->fd, &set));
	op.name = self->name;
	EXPECT_EQ(0, kt_run_as_nobody(op_set, &op));
	EXPECT_EQ(0, kt_run_as_nobody(op_remove, &op));
	EXPECT_EQ(KIPC_STAT_REMOVED, shm_stat_flags(self->fd) &
		  KIPC_STAT_REMOVED);
}

/* ---- module unload with regions mapped ---- */

#define MODULE_PATH	"/kipc/modules/kipc.ko"

FIXTURE(unload) {
	int sfd;
	int fd;
	char *map;
};

FIXTURE_SETUP(unload)
{
	DIR *d;
	struct dirent *e;

	self->fd = -1;
	psz = sysconf(_SC_PAGESIZE);
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_SHM, NULL))
		SKIP(return, "the module has no shared memory");
	if (geteuid() != 0)
		SKIP(return, "needs root");
	if (access(MODULE_PATH, R_OK))
		SKIP(return, "no %s to load again", MODULE_PATH);
	/* another module using kipc (the KUnit one) keeps it loaded */
	d = opendir("/sys/module/kipc/holders");
	if (!d)
		SKIP(return, "no /sys/module/kipc/holders (built in?)");
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			break;
	closedir(d);
	if (e)
		SKIP(return, "kipc is held by another module");
}

FIXTURE_TEARDOWN(unload)
{
	if (self->map)
		munmap(self->map, psz);
	if (self->fd >= 0)
		close(self->fd);
	if (self->sfd >= 0)
		close(self->sfd);
}

/* Unload kipc: 0 or -errno. */
static int unload_kipc(void)
{
	return syscall(SYS_delete_module, "kipc", O_NONBLOCK) ? -errno : 0;
}

/* Load kipc again (if it is not loaded): 0 or -errno. */
static int load_kipc(void)
{
	int fd, ret = 0;

	if (!access("/sys/module/kipc", F_OK))
		return 0;
	fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

TEST_F(unload, rmmod_is_refused_while_a_region_fd_is_open)
{
	int ret;

	self->fd = kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_READ |
				 KIPC_O_WRITE, 0600, psz, NULL);
	ASSERT_LE(0, self->fd);
	close(self->sfd);
	self->sfd = -1;
	ret = unload_kipc();
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
		TH_LOG("delete_module(kipc): %s",
		       ret ? strerror(-ret) : "unloaded with a region fd open");
	ASSERT_EQ(0, load_kipc());
	EXPECT_EQ(0, wake_raw(self->fd, 0, 1));
}

TEST_F(unload, rmmod_works_with_only_mappings_left_and_they_keep_working)
{
	char name[KT_NAME_LEN];
	char *anon;
	int fd, ret;

	/* a named region, mapped, its fd closed (the unload removes it) */
	snprintf(name, sizeof(name), "kt-%d-unload", getpid());
	fd = kipc_shm_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			   KIPC_O_READ | KIPC_O_WRITE, 0600, psz, NULL);
	ASSERT_LE(0, fd);
	self->map = map_fd(fd, psz, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	close(fd);
	strcpy(self->map, "named");
	/* an anonymous one: gone with its fd, its memory mapped */
	fd = kipc_shm_open(self->sfd, NULL, KIPC_O_CREAT | KIPC_O_READ |
			   KIPC_O_WRITE, 0600, psz, NULL);
	ASSERT_LE(0, fd);
	anon = map_fd(fd, psz, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, anon);
	close(fd);
	strcpy(anon, "anonymous");
	close(self->sfd);
	self->sfd = -1;

	ret = unload_kipc();
	ASSERT_EQ(0, ret) TH_LOG("delete_module(kipc): %s", strerror(-ret));
	/* no kipc code behind the mappings: they work on */
	EXPECT_STREQ("named", self->map);
	EXPECT_STREQ("anonymous", anon);
	strcpy(self->map + 100, "after unload");
	EXPECT_STREQ("after unload", self->map + 100);
	anon[psz - 1] = 'z';
	ASSERT_EQ(0, load_kipc());
	self->sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->sfd);
	/* a new module: the name went with the old one */
	EXPECT_EQ(-ENOENT, kipc_shm_open(self->sfd, name, KIPC_O_READ, 0, 0,
					 NULL));
	EXPECT_EQ('z', anon[psz - 1]);
	munmap(anon, psz);
}

/* ---- per-user quotas ---- */

FIXTURE(quota) {
	int sfd;
	unsigned long long shm_per_user, bytes_per_user;
	bool saved;
	struct kt_names names;
};

FIXTURE_SETUP(quota)
{
	psz = sysconf(_SC_PAGESIZE);
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_SHM, NULL))
		SKIP(return, "the module has no shared memory");
	if (geteuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, kt_param_read("shm_per_user", &self->shm_per_user));
	ASSERT_EQ(0, kt_param_read("bytes_per_user", &self->bytes_per_user));
	self->saved = true;
}

FIXTURE_TEARDOWN(quota)
{
	if (self->saved) {
		EXPECT_EQ(0, kt_param_write("shm_per_user",
					    self->shm_per_user));
		EXPECT_EQ(0, kt_param_write("bytes_per_user",
					    self->bytes_per_user));
	}
	shm_names_remove_all(self->sfd, &self->names);
	close(self->sfd);
}

#define MAX_STEPS 8

/* A child's steps as nobody: create (named or not) or remove a region. */
struct step {
	const char *name;	/* NULL: anonymous, closed at once */
	uint64_t size;
	bool remove;
	bool no_excl;
};

struct steps {
	int sfd;
	int n;
	struct step step[MAX_STEPS];
	long res[MAX_STEPS];
};

static long do_step(int sfd, const struct step *s)
{
	int fd;

	if (s->remove)
		return kipc_shm_remove(sfd, s->name);
	fd = kipc_shm_open(sfd, s->name, KIPC_O_CREAT | KIPC_O_READ |
			   (s->no_excl ? 0 : KIPC_O_EXCL), 0600, s->size,
			   NULL);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int run_steps(void *arg)
{
	struct steps *st = arg;
	int i;

	for (i = 0; i < st->n; i++)
		st->res[i] = do_step(st->sfd, &st->step[i]);
	return 0;
}

static struct steps *new_steps(FIXTURE_DATA(quota) *self)
{
	struct steps *st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
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
		       uint64_t size)
{
	st->step[st->n].name = kt_names_new(&self->names, "u");
	st->step[st->n].size = size;
	st->n++;
}

static void add_remove(struct steps *st, int of)
{
	st->step[st->n].name = st->step[of].name;
	st->step[st->n].remove = true;
	st->n++;
}

TEST_F(quota, creating_more_regions_than_shm_per_user_returns_edquot)
{
	struct steps *st = new_steps(self);
	int i;

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("shm_per_user", 3));
	for (i = 0; i < 4; i++)
		add_create(self, st, psz);
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, st->res[i]) TH_LOG("region %d", i);
	EXPECT_EQ(-EDQUOT, st->res[3]);
}

TEST_F(quota, removing_a_region_gives_back_its_count)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("shm_per_user", 1));
	add_create(self, st, psz);
	add_create(self, st, psz);
	add_remove(st, 0);
	st->step[st->n++] = st->step[1];	/* the second again */
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(-EDQUOT, st->res[1]);
	EXPECT_EQ(0, st->res[2]);
	EXPECT_EQ(0, st->res[3]);
}

TEST_F(quota, closing_an_anonymous_region_gives_back_its_count)
{
	struct steps *st = new_steps(self);
	int i;

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("shm_per_user", 1));
	for (i = 0; i < 3; i++)
		st->step[st->n++].size = psz;	/* anonymous, closed */
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, st->res[i]) TH_LOG("region %d", i);
}

TEST_F(quota, opening_an_existing_region_is_not_charged)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("shm_per_user", 1));
	add_create(self, st, psz);
	st->step[st->n] = st->step[0];
	st->step[st->n++].no_excl = true;
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(0, st->res[1]);
}

TEST_F(quota, region_count_is_per_user)
{
	struct steps *st = new_steps(self);
	int fd;

	ASSERT_NE(NULL, st);
	/* root's region does not count for nobody */
	fd = kipc_shm_open(self->sfd, kt_names_new(&self->names, "r"),
			   KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_READ, 0600, psz,
			   NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_param_write("shm_per_user", 1));
	add_create(self, st, psz);
	add_create(self, st, psz);
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(-EDQUOT, st->res[1]);
	close(fd);
}

TEST_F(quota, region_sizes_over_bytes_per_user_return_edquot)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("bytes_per_user", 3 * psz));
	add_create(self, st, 2 * psz);
	add_create(self, st, 2 * psz);		/* over */
	add_create(self, st, psz);		/* exactly the rest */
	add_create(self, st, 1);		/* one page more */
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(-EDQUOT, st->res[1]);
	EXPECT_EQ(0, st->res[2]);
	EXPECT_EQ(-EDQUOT, st->res[3]);
}

TEST_F(quota, a_region_is_charged_whole_pages)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("bytes_per_user", 2 * psz));
	add_create(self, st, 1);		/* a page */
	add_create(self, st, psz + 1);		/* two: over */
	add_create(self, st, psz);		/* one: fits */
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(-EDQUOT, st->res[1]);
	EXPECT_EQ(0, st->res[2]);
}

TEST_F(quota, removing_a_region_gives_back_its_bytes)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("bytes_per_user", 2 * psz));
	add_create(self, st, 2 * psz);
	add_create(self, st, psz);
	add_remove(st, 0);
	st->step[st->n++] = st->step[1];
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
	EXPECT_EQ(-EDQUOT, st->res[1]);
	EXPECT_EQ(0, st->res[2]);
	EXPECT_EQ(0, st->res[3]);
}

TEST_F(quota, a_removed_region_stays_charged_while_an_fd_is_open)
{
	struct steps *st = new_steps(self);
	const char *name;
	int fd;

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("shm_per_user", 1));
	/* nobody's region, kept open by root */
	add_create(self, st, psz);
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	ASSERT_EQ(0, st->res[0]);
	name = st->step[0].name;
	fd = kipc_shm_open(self->sfd, name, KIPC_O_READ, 0, 0, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_shm_remove(self->sfd, name));
	st->n = 0;
	add_create(self, st, psz);
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(-EDQUOT, st->res[0]);
	close(fd);
	st->n = 0;
	add_create(self, st, psz);
	ASSERT_EQ(0, kt_run_as_nobody(run_steps, st));
	EXPECT_EQ(0, st->res[0]);
}

/* As nobody: a region mapped, removed and closed is no longer charged. */
static int mapped_region_uncharged(void *arg)
{
	struct steps *st = arg;
	char *p;
	int fd;

	fd = kipc_shm_open(st->sfd, st->step[0].name, KIPC_O_CREAT |
			   KIPC_O_EXCL | KIPC_O_READ | KIPC_O_WRITE, 0600, psz,
			   NULL);
	if (fd < 0)
		return KT_CHILD_SETUP;
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return KT_CHILD_SETUP;
	p[0] = 'a';
	st->res[0] = do_step(st->sfd, &st->step[1]);	/* over the quota */
	if (kipc_shm_remove(st->sfd, st->step[0].name))
		return KT_CHILD_SETUP;
	close(fd);
	/* the mapping holds memory, not the object or its charge */
	st->res[1] = do_step(st->sfd, &st->step[1]);
	return p[0] == 'a' ? 0 : KT_CHILD_WRONG;
}

TEST_F(quota, a_mapping_does_not_keep_the_charge_of_a_gone_region)
{
	struct steps *st = new_steps(self);

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kt_param_write("shm_per_user", 1));
	add_create(self, st, psz);
	add_create(self, st, psz);
	ASSERT_EQ(0, kt_run_as_nobody(mapped_region_uncharged, st));
	EXPECT_EQ(-EDQUOT, st->res[0]);
	EXPECT_EQ(0, st->res[1]);
}

KT_HARNESS_MAIN
