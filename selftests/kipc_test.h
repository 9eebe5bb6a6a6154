/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kipc selftests: the session that skips without the
 * module, unique queue names, raw ioctls, module parameters, clocks, child
 * processes that report an errno through their exit status, and the
 * fault-injection sweep (fail-nth, failslab) of the *_fault_test binaries.
 *
 * Children never use the harness's ASSERT/EXPECT: they _exit() with 0 or a
 * positive errno (KT_CHILD_* for their own failures) and the test compares
 * that status with what it expects.
 */
#ifndef KIPC_TEST_H
#define KIPC_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <sys/syscall.h>
#include <kipc.h>

/*
 * -Wextra finds two things in the 6.12 harness we cannot change: an unused
 * parameter, and its TEST_F() wrapper's "child" living across setjmp()
 * (-Wclobbered, reported where each TEST_F() expands, so it stays off for
 * the whole file; the tests themselves do not use setjmp()).  The second is
 * real: optimized (-O1, -O2), the grandchild that runs a TEST_F() returns
 * from an ASSERT_*() failure's longjmp() with "child" no longer 0 and skips
 * FIXTURE_TEARDOWN, leaving named objects behind for later tests.  So the
 * selftests build with -O0 (selftests/Makefile), where "child" lives in
 * memory and survives the longjmp().
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"

#define KT_PARAM_DIR	"/sys/module/kipc/parameters/"
#define KT_NOBODY	65534

/* Exit statuses of children that failed before the operation under test. */
#define KT_CHILD_SETUP	250	/* fork-side setup (privileges, fd) failed */
#define KT_CHILD_WRONG	251	/* the operation returned something unexpected */
#define KT_CHILD_KILLED	-1	/* kt_wait() of a child killed by a signal */

#define KT_NAME_LEN	64
#define KT_MAX_NAMES	16

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

/*
 * Open a session on /dev/kipc into @fd, or skip the test when the module is
 * not loaded (no device node, or a node without a driver behind it).
 */
#define KT_SESSION_OR_SKIP(fd) do {					\
	(fd) = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);			\
	if ((fd) < 0 && (errno == ENOENT || errno == ENODEV ||		\
			 errno == ENXIO))				\
		SKIP(return, "%s: %s (kipc module not loaded)",	\
		     KIPC_DEVICE, strerror(errno));			\
	ASSERT_LE(0, (fd)) TH_LOG("open %s: %s", KIPC_DEVICE,		\
				  strerror(errno));			\
} while (0)

/*
 * main(): without the module, the whole binary skips (exit status
 * KSFT_SKIP); listing (-l) and help (-h) work anyway.  Each fixture also
 * skips on its own, should the module go away during the run.
 */
#define KT_HARNESS_MAIN							\
	int main(int argc, char **argv)					\
	{								\
		int i, fd;						\
									\
		for (i = 1; i < argc; i++)				\
			if (!strcmp(argv[i], "-l") ||			\
			    !strcmp(argv[i], "-h"))			\
				return test_harness_run(argc, argv);	\
		fd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);		\
		if (fd < 0 && (errno == ENOENT || errno == ENODEV ||	\
			       errno == ENXIO))				\
			ksft_exit_skip("%s: %s (kipc module not loaded)\n", \
				       KIPC_DEVICE, strerror(errno));	\
		if (fd >= 0)						\
			close(fd);					\
		return test_harness_run(argc, argv);			\
	}

/* Names a test created, removed (by root) in its teardown. */
struct kt_names {
	int n;
	char name[KT_MAX_NAMES][KT_NAME_LEN];
};

/* A new name, unique in this boot: pid, a per-process counter and @tag. */
static inline const char *kt_names_new(struct kt_names *ns, const char *tag)
{
	static unsigned int counter;
	char *name;

	if (ns->n == KT_MAX_NAMES)
		abort();
	name = ns->name[ns->n++];
	snprintf(name, KT_NAME_LEN, "kt-%d-%u-%s", getpid(), counter++, tag);
	return name;
}

/* Remove every name of @ns that still exists; -ENOENT is fine. */
static inline void kt_names_remove_all(int sfd, struct kt_names *ns)
{
	int i;

	for (i = 0; i < ns->n; i++)
		kipc_queue_remove(sfd, ns->name[i]);
	ns->n = 0;
}

/* ioctl() returning its result or -errno. */
static inline long kt_ioctl(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* A struct kipc_queue_open for @name (NULL: by id / anonymous), mode 0600. */
static inline void kt_open_args(struct kipc_queue_open *o, const char *name,
				unsigned int flags)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->flags = flags;
	o->name_ptr = (uintptr_t)name;
	o->mode = 0600;
}

static inline void kt_send_args(struct kipc_send *s, const void *buf,
				size_t len, uint64_t type)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->buf_ptr = (uintptr_t)buf;
	s->len = len;
	s->type = type;
}

static inline void kt_recv_args(struct kipc_recv *r, void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->buf_ptr = (uintptr_t)buf;
	r->buf_len = len;
}

/* Send without waiting: a test never blocks on a send by mistake. */
static inline int kt_send_nb(int qfd, const void *buf, size_t len,
			     uint64_t type)
{
	return kipc_queue_timedsend(qfd, buf, len, type, KIPC_MSG_NONBLOCK, 0);
}

/* Receive the oldest message without waiting. */
static inline ssize_t kt_recv_nb(int qfd, void *buf, size_t len,
				 struct kipc_msg_info *info)
{
	return kipc_queue_timedrecv(qfd, buf, len, KIPC_SEL_FIFO, 0,
				    KIPC_MSG_NONBLOCK, 0, info);
}

/* Messages queued on @qfd, or -errno. */
static inline long long kt_nr_msgs(int qfd)
{
	struct kipc_queue_stat st;
	int ret = kipc_queue_stat(qfd, &st);

	return ret < 0 ? ret : (long long)st.nr_msgs;
}

static inline uint64_t kt_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static inline uint64_t kt_mono_ns(void)
{
	return kt_clock_ns(CLOCK_MONOTONIC);
}

static inline uint64_t kt_real_ns(void)
{
	return kt_clock_ns(CLOCK_REALTIME);
}

static inline void kt_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Read the number in the file @path (a sysctl, a parameter).  0 or -errno. */
static inline int kt_file_read_ull(const char *path, unsigned long long *val)
{
	FILE *f;
	int ret = 0;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%llu", val) != 1)
		ret = -EIO;
	fclose(f);
	return ret;
}

/* Write the number @val to the file @path.  Returns 0 or -errno. */
static inline int kt_file_write_ull(const char *path, unsigned long long val)
{
	char buf[32];
	int fd, len, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%llu\n", val);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read module parameter @name into *@val.  Returns 0 or -errno. */
static inline int kt_param_read(const char *name, unsigned long long *val)
{
	char path[128];

	snprintf(path, sizeof(path), KT_PARAM_DIR "%s", name);
	return kt_file_read_ull(path, val);
}

/* Write module parameter @name.  Returns 0 or -errno. */
static inline int kt_param_write(const char *name, unsigned long long val)
{
	char path[128];

	snprintf(path, sizeof(path), KT_PARAM_DIR "%s", name);
	return kt_file_write_ull(path, val);
}

/* One private anonymous page with @prot; aborts if none can be had. */
static inline void *kt_map_page(int prot)
{
	void *p = mmap(NULL, sysconf(_SC_PAGESIZE), prot,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	return p;
}

/* A page-aligned address that is not mapped. */
static inline void *kt_unmapped_addr(void)
{
	void *p = kt_map_page(PROT_NONE);

	munmap(p, sysconf(_SC_PAGESIZE));
	return p;
}

/* One page mapped read-only (the kernel cannot write it). */
static inline void *kt_readonly_page(void)
{
	return kt_map_page(PROT_READ);
}

/*
 * Wait until @pid sleeps (state S or D in /proc/<pid>/stat), for at most
 * @timeout_ms, then a little longer so that it is really inside the call
 * it was about to make.  Returns true if it was seen sleeping.
 */
static inline bool kt_wait_sleeping(pid_t pid, unsigned int timeout_ms)
{
	char path[64], buf[512], *p;
	unsigned int waited;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (waited = 0; waited < timeout_ms; waited += 5) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			p = strrchr(buf, ')');
			if (p && (p[2] == 'S' || p[2] == 'D')) {
				kt_sleep_ms(50);
				return true;
			}
		}
		kt_sleep_ms(5);
	}
	return false;
}

/* Become @uid/@gid with no supplementary groups (drops capabilities). */
static inline int kt_drop_privs(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
		return -errno;
	return 0;
}

/* fork() with stdio flushed, so that buffered output is not duplicated. */
static inline pid_t kt_fork(void)
{
	fflush(stdout);
	fflush(stderr);
	return fork();
}

/* Exit status of child @pid, or KT_CHILD_KILLED. */
static inline int kt_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return KT_CHILD_KILLED;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return KT_CHILD_KILLED;
}

/* The exit status a child reports for a libkipc result. */
static inline int kt_status(long ret)
{
	return ret < 0 ? (int)-ret : 0;
}

/*
 * Run @fn(@arg) in a child, as @uid/@gid unless @uid is (uid_t)-1, and
 * return its exit status (fn's return value: 0 or a positive errno).
 */
static inline int kt_run_child(uid_t uid, gid_t gid, int (*fn)(void *),
			       void *arg)
{
	pid_t pid = kt_fork();

	if (pid < 0)
		return KT_CHILD_SETUP;
	if (pid == 0) {
		if (uid != (uid_t)-1 && kt_drop_privs(uid, gid))
			_exit(KT_CHILD_SETUP);
		_exit(fn(arg) & 0xff);
	}
	return kt_wait(pid);
}

static inline int kt_run_as_nobody(int (*fn)(void *), void *arg)
{
	return kt_run_child(KT_NOBODY, KT_NOBODY, fn, arg);
}

/*
 * Create a new queue named after @tag in @ns (KIPC_O_CREAT|KIPC_O_EXCL added
 * to @flags).  Returns the fd or -errno.
 */
static inline int kt_create(int sfd, struct kt_names *ns, const char *tag,
			    unsigned int flags, unsigned int mode,
			    const struct kipc_queue_limits *lim, uint64_t *id)
{
	return kipc_queue_open(sfd, kt_names_new(ns, tag),
			       KIPC_O_CREAT | KIPC_O_EXCL | flags, mode, lim,
			       id);
}

/* Send the string @str (without NUL) as a message of @type, not waiting. */
#define KT_SEND_STR(qfd, str, type)						ASSERT_EQ(0, kt_send_nb((qfd), (str), strlen(str), (type)))

/*
 * Receive with selection @sel and argument @type, not waiting, and expect
 * the string @str.
 */
#define KT_RECV_STR(qfd, sel, type, str) do {					char _kt_buf[256];							ssize_t _kt_n = kipc_queue_timedrecv((qfd), _kt_buf,							     sizeof(_kt_buf) - 1, (sel),					     (type), KIPC_MSG_NONBLOCK,						     0, NULL);				ASSERT_EQ((ssize_t)strlen(str), _kt_n);					_kt_buf[_kt_n] = '\0';							EXPECT_STREQ((str), _kt_buf);					} while (0)

/* Pass @fd over the UNIX socket @sock.  Returns 0 or -errno. */
static inline int kt_send_fd(int sock, int fd)
{
	char data = 'F';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	memset(&ctl, 0, sizeof(ctl));
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

/* Receive an fd passed with kt_send_fd().  Returns it or -errno. */
static inline int kt_recv_fd(int sock)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd;

	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n != 1)
		return -EPROTO;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* ---- randomness, checksums and settings of the long-running tests ---- */

/* xorshift64*: a seeded, reproducible stream; @state must not be 0. */
static inline uint64_t kt_rand64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A number in [0, @n), @n > 0. */
static inline uint32_t kt_rand_below(uint64_t *state, uint32_t n)
{
	return (uint32_t)((kt_rand64(state) >> 32) % n);
}

/* FNV-1a over @len bytes, continuing from @h (start: 2166136261). */
static inline uint32_t kt_fnv1a(uint32_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len--) {
		h ^= *p++;
		h *= 16777619U;
	}
	return h;
}

/* The environment variable @name as a number, or @def when unset or bad. */
static inline unsigned long long kt_env_ull(const char *name,
					    unsigned long long def)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoull(s, &end, 0);
	return errno || *end ? def : v;
}

/* ---- is anything still charged to a user? ---- */

#define KT_PROBE_QUEUES	4	/* queues_per_user during the probe */
#define KT_PROBE_BYTES	16384	/* bytes_per_user during the probe */

/* kt_quota_probe() results */
#define KT_QUOTA_FREE	0	/* nothing charged */
#define KT_QUOTA_HELD	1	/* a create within the quota was refused */
#define KT_QUOTA_OVER	2	/* a create over the quota succeeded */

struct kt_quota_probe {
	int sfd;
	char name[KT_PROBE_QUEUES + 1][KT_NAME_LEN];
};

/* Create @name with @capacity bytes: 0 or -errno. */
static inline int kt_probe_create(int sfd, const char *name, uint64_t capacity)
{
	struct kipc_queue_limits lim = {
		.max_msgsize = 1,
		.max_msgs = 1,
		.capacity = capacity,
	};
	int fd;

	fd = kipc_queue_open(sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			     KIPC_O_SEND, 0600, &lim, NULL);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* In the child, as the probed user: a KT_QUOTA_* or KT_CHILD_WRONG. */
static inline int kt_quota_probe_child(void *arg)
{
	struct kt_quota_probe *p = arg;
	int i, ret, res = KT_QUOTA_FREE;

	/* the count: KT_PROBE_QUEUES queues fit, one more does not */
	for (i = 0; i <= KT_PROBE_QUEUES && res == KT_QUOTA_FREE; i++) {
		ret = kt_probe_create(p->sfd, p->name[i], 1);
		if (i < KT_PROBE_QUEUES && ret)
			res = ret == -EDQUOT ? KT_QUOTA_HELD : KT_CHILD_WRONG;
		else if (i == KT_PROBE_QUEUES && ret != -EDQUOT)
			res = ret ? KT_CHILD_WRONG : KT_QUOTA_OVER;
	}
	for (i = 0; i <= KT_PROBE_QUEUES; i++)
		kipc_queue_remove(p->sfd, p->name[i]);
	if (res != KT_QUOTA_FREE)
		return res;

	/* the bytes: all of them fit in one queue, one byte more does not */
	ret = kt_probe_create(p->sfd, p->name[0], KT_PROBE_BYTES);
	if (ret) {
		res = ret == -EDQUOT ? KT_QUOTA_HELD : KT_CHILD_WRONG;
	} else {
		ret = kt_probe_create(p->sfd, p->name[1], 1);
		if (ret != -EDQUOT)
			res = ret ? KT_CHILD_WRONG : KT_QUOTA_OVER;
	}
	kipc_queue_remove(p->sfd, p->name[0]);
	kipc_queue_remove(p->sfd, p->name[1]);
	return res;
}

/*
 * Is nothing charged to @uid any more?  With the per-user quotas lowered to
 * KT_PROBE_QUEUES queues and KT_PROBE_BYTES bytes, a child as @uid/@gid
 * fills each quota exactly: a charge left behind by earlier work (a leak)
 * makes a create within the quota fail with -EDQUOT, a charge returned
 * twice lets a create over it succeed.  The parameters are restored.
 * Needs root; @uid must own no queue.  Returns a KT_QUOTA_* or the child's
 * KT_CHILD_* status, -errno when the parameters cannot be changed.
 */
static inline int kt_quota_probe(int sfd, uid_t uid, gid_t gid)
{
	unsigned long long queues, bytes;
	struct kt_quota_probe p;
	int i, ret, res;

	ret = kt_param_read("queues_per_user", &queues);
	if (!ret)
		ret = kt_param_read("bytes_per_user", &bytes);
	if (ret)
		return ret;
	p.sfd = sfd;
	for (i = 0; i <= KT_PROBE_QUEUES; i++)
		snprintf(p.name[i], KT_NAME_LEN, "kt-quota-%d-%d", getpid(), i);
	ret = kt_param_write("queues_per_user", KT_PROBE_QUEUES);
	if (!ret)
		ret = kt_param_write("bytes_per_user", KT_PROBE_BYTES);
	res = ret ? ret : kt_run_child(uid, gid, kt_quota_probe_child, &p);
	for (i = 0; i <= KT_PROBE_QUEUES; i++)
		kipc_queue_remove(sfd, p.name[i]);
	ret = kt_param_write("queues_per_user", queues);
	if (!ret)
		ret = kt_param_write("bytes_per_user", bytes);
	return ret ? ret : res;
}

/*
 * Is no object of one type charged to @uid any more (the per-type count
 * that kt_quota_probe() does not cover)?  With the module parameter
 * @param lowered to KT_PROBE_COUNT, a child as @uid/@gid makes exactly
 * KT_PROBE_COUNT objects with @create (0 or -errno) and checks one more
 * gets -EDQUOT; @remove takes them away.  The parameter is restored.
 * Returns a KT_QUOTA_*, the child's KT_CHILD_* status, or -errno.
 */
#define KT_PROBE_COUNT	4

struct kt_count_probe {
	int sfd;
	int (*create)(int sfd, const char *name);
	int (*remove)(int sfd, const char *name);
	char name[KT_PROBE_COUNT + 1][KT_NAME_LEN];
};

static inline int kt_count_probe_child(void *arg)
{
	struct kt_count_probe *p = arg;
	int i, ret, res = KT_QUOTA_FREE;

	for (i = 0; i <= KT_PROBE_COUNT && res == KT_QUOTA_FREE; i++) {
		ret = p->create(p->sfd, p->name[i]);
		if (i < KT_PROBE_COUNT && ret)
			res = ret == -EDQUOT ? KT_QUOTA_HELD : KT_CHILD_WRONG;
		else if (i == KT_PROBE_COUNT && ret != -EDQUOT)
			res = ret ? KT_CHILD_WRONG : KT_QUOTA_OVER;
	}
	for (i = 0; i <= KT_PROBE_COUNT; i++)
		p->remove(p->sfd, p->name[i]);
	return res;
}

static inline int kt_count_probe(int sfd, uid_t uid, gid_t gid,
				 const char *param,
				 int (*create)(int sfd, const char *name),
				 int (*remove)(int sfd, const char *name))
{
	struct kt_count_probe p = {
		.sfd = sfd, .create = create, .remove = remove,
	};
	unsigned long long saved;
	int i, ret, res;

	ret = kt_param_read(param, &saved);
	if (ret)
		return ret;
	for (i = 0; i <= KT_PROBE_COUNT; i++)
		snprintf(p.name[i], KT_NAME_LEN, "kt-count-%d-%d", getpid(), i);
	ret = kt_param_write(param, KT_PROBE_COUNT);
	res = ret ? ret : kt_run_child(uid, gid, kt_count_probe_child, &p);
	for (i = 0; i <= KT_PROBE_COUNT; i++)
		remove(sfd, p.name[i]);
	ret = kt_param_write(param, saved);
	return ret ? ret : res;
}

/*
 * Make the capabilities @mask (CAP_TO_MASK() of ones numbered below 32)
 * effective again: seteuid() away from root clears the effective set and
 * keeps the permitted one.  The fault tests need CAP_SYS_RESOURCE to write
 * make-it-fail; kipc looks at neither.  0 or -errno.
 */
static inline int kt_raise_caps(uint32_t mask)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].effective |= mask;
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* What kt_quota_probe() found, for a test's log. */
static inline const char *kt_quota_str(int res)
{
	switch (res) {
	case KT_QUOTA_FREE:
		return "nothing charged";
	case KT_QUOTA_HELD:
		return "a charge was left behind (leak)";
	case KT_QUOTA_OVER:
		return "a charge was returned twice";
	case KT_CHILD_SETUP:
		return "probe child could not drop privileges";
	case KT_CHILD_WRONG:
		return "probe child got an unexpected errno";
	case KT_CHILD_KILLED:
		return "probe child was killed";
	}
	return res < 0 ? strerror(-res) : "unexpected result";
}

/* ---- poll and epoll ---- */

/* The revents of @fd for @events within @timeout_ms (0: now), or -errno. */
static inline int kt_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? p.revents : 0;
}

/* An epoll fd watching @fd for @events, or -errno. */
static inline int kt_epoll_on(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (epfd < 0)
		return -errno;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(epfd);
		return -errno;
	}
	return epfd;
}

/* ---- more about child processes ---- */

/*
 * In a child: close every fd but 0, 1, 2 and @keep (-1: none), so that the
 * child holds no copy of the test's sessions and objects (their release
 * must not wait for the child).
 */
static inline void kt_close_fds_except(int keep)
{
	if (keep > 3)
		close_range(3, keep - 1, 0);
	close_range(keep >= 3 ? keep + 1 : 3, ~0U, 0);
}

/* Kill child @pid with SIGKILL (if it runs) and reap it. */
static inline void kt_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Exit status of child @pid (KT_CHILD_KILLED if killed); retries on EINTR. */
static inline int kt_reap(pid_t pid)
{
	int status;
	pid_t ret;

	do
		ret = waitpid(pid, &status, 0);
	while (ret < 0 && errno == EINTR);
	if (ret != pid)
		return KT_CHILD_KILLED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : KT_CHILD_KILLED;
}

/*
 * Fork a child that sends @sig to @victim each time it sees @sleeper asleep
 * (kt_wait_sleeping(), 10 s at most each), @times times, and stops early
 * once @victim is gone.  Exit status: 0, or KT_CHILD_SETUP when @sleeper
 * was never seen asleep.  Returns its pid; end it with kt_stop().
 */
static inline pid_t kt_signal_when_sleeping(pid_t sleeper, pid_t victim,
					    int sig, int times)
{
	pid_t pid = kt_fork();
	int i;

	if (pid)
		return pid;
	kt_close_fds_except(-1);
	for (i = 0; i < times; i++) {
		if (!kt_wait_sleeping(sleeper, 10000))
			_exit(i ? 0 : KT_CHILD_SETUP);
		if (kill(victim, sig))
			_exit(0);
		kt_sleep_ms(20);
	}
	_exit(0);
}

/* A barrier of @n processes in shared memory that fork() passes on, or NULL. */
static inline pthread_barrier_t *kt_barrier_new(unsigned int n)
{
	pthread_barrierattr_t attr;
	pthread_barrier_t *b;

	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return NULL;
	pthread_barrierattr_init(&attr);
	pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (pthread_barrier_init(b, &attr, n)) {
		munmap(b, sizeof(*b));
		b = NULL;
	}
	pthread_barrierattr_destroy(&attr);
	return b;
}

static inline void kt_barrier_free(pthread_barrier_t *b)
{
	if (!b)
		return;
	pthread_barrier_destroy(b);
	munmap(b, sizeof(*b));
}

/* ---- direct links: raw arguments ---- */

static inline void kt_bind_args(struct kipc_bind *b, unsigned int flags)
{
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->flags = flags;
}

static inline void kt_connect_args(struct kipc_connect *c, pid_t pid,
				   unsigned int flags)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = flags;
	c->pid = pid;
}

static inline void kt_link_send_args(struct kipc_link_send *s, pid_t pid,
				     const void *buf, size_t len, uint64_t type)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->pid = pid;
	s->buf_ptr = (uintptr_t)buf;
	s->len = len;
	s->type = type;
}

static inline void kt_link_recv_args(struct kipc_link_recv *r, pid_t pid,
				     void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->pid = pid;
	r->buf_ptr = (uintptr_t)buf;
	r->buf_len = len;
}

static inline void kt_link_call_args(struct kipc_link_call *c, pid_t pid,
				     const void *req, size_t req_len,
				     void *reply, size_t reply_len)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->pid = pid;
	c->req_ptr = (uintptr_t)req;
	c->req_len = req_len;
	c->reply_ptr = (uintptr_t)reply;
	c->reply_len = reply_len;
}

static inline void kt_link_reply_args(struct kipc_link_reply *r, uint64_t id,
				      const void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->request_id = id;
	r->buf_ptr = (uintptr_t)buf;
	r->len = len;
}

/* ---- direct links: peers, children that the test drives by command ---- */

/*
 * A peer is a child process with a session of its own (bound unless told
 * otherwise) that does what the test process asks over a SOCK_SEQPACKET
 * socket: one struct kt_peer_cmd in, one struct kt_peer_res out (none for
 * KT_PEER_EXIT and KT_PEER_KILL).  It keeps no copy of the test's fds.  A
 * command can wait until the test process sleeps (KT_PEER_SLEEPING), so
 * that the test can block in a call the peer's action ends: post the
 * command, make the call, then collect the peer's result.
 */
#define KT_PEER_DATA	256	/* payload bytes a command carries */
#define KT_PEER_SLOTS	8	/* link fds a peer keeps */
#define KT_PEER_LOST	(-100000) /* no result: the peer died or is stuck */
#define KT_PEER_WAIT_MS	10000	/* longest wait for a result */

/*
 * What a peer does, on link fd @slot (-1: its session) where it matters:
 * PING		nothing; result 0
 * CONNECT	KIPC_IOC_CONNECT to @pid with @flags; the fd goes to @slot
 * SEND		KIPC_IOC_LINK_SEND of @data (@type, @flags) to @pid
 * WRITE, READ	write(2) @data, read(2) @buf_len bytes
 * RECV		KIPC_IOC_LINK_RECV from @pid (@select, @type, @flags,
 *		@buf_len); with @id, first the reply @data to request @id
 * CALL		KIPC_IOC_LINK_CALL of @data (@type, @flags) to @pid, with
 *		@buf_len bytes for the reply
 * REPLY	KIPC_IOC_LINK_REPLY of @data (@type) to request @id
 * SERVE	answer @count requests from any peer with "re:" + request
 *		(@lifo: take them all, then answer newest first); result:
 *		the count, data: the request ids (uint64_t)
 * CLOSE	close @slot
 * SEND_FD	pass @slot's fd to the test (kt_peer_get_fd())
 * SIGNAL	send the signal @type to the test process
 * KILL, EXIT	SIGKILL itself, _exit(0); no result
 */
enum kt_peer_op {
	KT_PEER_PING,
	KT_PEER_CONNECT,
	KT_PEER_SEND,
	KT_PEER_WRITE,
	KT_PEER_READ,
	KT_PEER_RECV,
	KT_PEER_CALL,
	KT_PEER_REPLY,
	KT_PEER_SERVE,
	KT_PEER_CLOSE,
	KT_PEER_SEND_FD,
	KT_PEER_SIGNAL,
	KT_PEER_KILL,
	KT_PEER_EXIT,
};

/* struct kt_peer_cmd.when */
#define KT_PEER_NOW		0
#define KT_PEER_SLEEPING	1	/* once the test process sleeps */
#define KT_PEER_BARRIER		2	/* after kt_peer_opts.barrier */

struct kt_peer_cmd {
	uint32_t op;		/* enum kt_peer_op */
	uint32_t when;		/* KT_PEER_NOW, ... */
	int32_t slot;		/* link fd slot; -1: the session fd */
	int32_t pid;		/* the other process; 0: link fd, any */
	uint32_t flags;		/* KIPC_MSG_*; CONNECT: KIPC_O_* */
	uint32_t select;	/* RECV: enum kipc_select */
	uint64_t type;		/* message type; RECV: select arg */
	uint64_t id;		/* REPLY: request id; RECV: reply_id */
	uint32_t timeout_ms;	/* nonzero: a deadline this far ahead */
	uint32_t count;		/* SERVE */
	uint32_t lifo;		/* SERVE */
	uint32_t len;		/* bytes of @data; more: 'x' * len */
	uint64_t buf_len;	/* READ, RECV, CALL: room offered */
	char data[KT_PEER_DATA];
};

struct kt_peer_res {
	int64_t ret;		/* the call's result: >= 0 or -errno */
	struct kipc_msg_info info;
	uint64_t request_id;
	uint32_t kind;
	uint32_t len;		/* bytes of @data: what was received */
	char data[KT_PEER_DATA];
};

struct kt_peer_opts {
	unsigned int bind_flags;	/* KIPC_BIND_* */
	struct kipc_queue_limits lim;	/* bind limits; 0: the defaults */
	bool no_bind;			/* a session, not bound */
	uid_t uid;			/* nonzero: as @uid:@uid, no caps */
	bool euid_only;			/* @uid: effective ids only */
	pthread_barrier_t *barrier;	/* for KT_PEER_BARRIER */
};

struct kt_peer {
	pid_t pid;		/* 0: not running */
	int sock;
};

/* What a peer keeps. */
struct kt_peer_state {
	int sock;
	int sfd;
	pid_t parent;
	int link[KT_PEER_SLOTS];
	pthread_barrier_t *barrier;
};

static inline void kt_peer_copy_out(struct kt_peer_res *res, const void *buf,
				    long n)
{
	if (n <= 0)
		return;
	res->len = n < KT_PEER_DATA ? n : KT_PEER_DATA;
	memcpy(res->data, buf, res->len);
}

/* KT_PEER_SERVE: see enum kt_peer_op. */
static inline void kt_peer_serve(struct kt_peer_state *st,
				 const struct kt_peer_cmd *c,
				 struct kt_peer_res *res)
{
	enum { MAX = KT_PEER_DATA / sizeof(uint64_t), ROOM = 64 };
	char req[MAX][ROOM], reply[ROOM + 3];
	uint64_t ids[MAX], last = 0;
	size_t rlen = 0, lens[MAX];
	struct kipc_link_recv r;
	struct kipc_link_reply y;
	unsigned int i, n = c->count < MAX ? c->count : MAX;
	long ret = 0;

	for (i = 0; i < n; i++) {
		kt_link_recv_args(&r, 0, req[i], ROOM);
		if (c->timeout_ms) {
			r.flags = KIPC_MSG_DEADLINE;
			r.deadline_ns = kt_mono_ns() +
					c->timeout_ms * NSEC_PER_MSEC;
		}
		if (!c->lifo && last) {
			r.reply_id = last;
			r.reply_ptr = (uintptr_t)reply;
			r.reply_len = rlen;
		}
		ret = kt_ioctl(st->sfd, KIPC_IOC_LINK_RECV, &r);
		if (ret < 0)
			break;
		if (r.kind != KIPC_LINK_REQUEST) {
			ret = -EPROTO;
			break;
		}
		ids[i] = last = r.request_id;
		lens[i] = ret;
		memcpy(reply, "re:", 3);
		memcpy(reply + 3, req[i], ret);
		rlen = ret + 3;
	}
	if (ret >= 0 && !c->lifo && last) {
		kt_link_reply_args(&y, last, reply, rlen);
		ret = kt_ioctl(st->sfd, KIPC_IOC_LINK_REPLY, &y);
	}
	while (ret >= 0 && c->lifo && i--) {
		memcpy(reply, "re:", 3);
		memcpy(reply + 3, req[i], lens[i]);
		kt_link_reply_args(&y, ids[i], reply, lens[i] + 3);
		ret = kt_ioctl(st->sfd, KIPC_IOC_LINK_REPLY, &y);
		i = ret < 0 ? 0 : i;
	}
	res->ret = ret < 0 ? ret : n;
	kt_peer_copy_out(res, ids, n * sizeof(uint64_t));
}

/* Do one command in the peer. */
static inline void kt_peer_run(struct kt_peer_state *st,
			       const struct kt_peer_cmd *c,
			       struct kt_peer_res *res)
{
	static char fill[65536], buf[65536];
	unsigned int slot = (unsigned int)c->slot % KT_PEER_SLOTS;
	int fd = c->slot < 0 ? st->sfd : st->link[slot];
	unsigned int flags = c->flags;
	const void *data = c->data;
	size_t len = c->len, room;
	uint64_t deadline = 0;
	struct kipc_connect k;
	struct kipc_link_send s;
	struct kipc_link_recv r;
	struct kipc_link_call call;
	struct kipc_link_reply y;
	long n;

	room = c->buf_len < sizeof(buf) ? c->buf_len : sizeof(buf);
	if (c->timeout_ms) {
		flags |= KIPC_MSG_DEADLINE;
		deadline = kt_mono_ns() + c->timeout_ms * NSEC_PER_MSEC;
	}
	if (len > KT_PEER_DATA) {
		len = len < sizeof(fill) ? len : sizeof(fill);
		memset(fill, 'x', len);
		data = fill;
	}
	switch (c->op) {
	case KT_PEER_PING:
		res->ret = 0;
		break;
	case KT_PEER_CONNECT:
		kt_connect_args(&k, c->pid, c->flags);
		res->ret = kt_ioctl(st->sfd, KIPC_IOC_CONNECT, &k);
		if (res->ret >= 0) {
			if (st->link[slot] >= 0)
				close(st->link[slot]);
			st->link[slot] = res->ret;
		}
		break;
	case KT_PEER_SEND:
		kt_link_send_args(&s, c->pid, data, len, c->type);
		s.flags = flags;
		s.deadline_ns = deadline;
		res->ret = kt_ioctl(fd, KIPC_IOC_LINK_SEND, &s);
		break;
	case KT_PEER_WRITE:
		n = write(fd, data, len);
		res->ret = n < 0 ? -errno : n;
		break;
	case KT_PEER_READ:
		n = read(fd, buf, room);
		res->ret = n < 0 ? -errno : n;
		kt_peer_copy_out(res, buf, n);
		break;
	case KT_PEER_RECV:
		kt_link_recv_args(&r, c->pid, buf, room);
		r.flags = flags;
		r.deadline_ns = deadline;
		r.select = c->select;
		r.type = c->type;
		if (c->id) {
			r.reply_id = c->id;
			r.reply_ptr = (uintptr_t)data;
			r.reply_len = len;
		}
		res->ret = kt_ioctl(fd, KIPC_IOC_LINK_RECV, &r);
		res->info = r.info;
		res->request_id = r.request_id;
		res->kind = r.kind;
		kt_peer_copy_out(res, buf, res->ret);
		break;
	case KT_PEER_CALL:
		kt_link_call_args(&call, c->pid, data, len, buf, room);
		call.type = c->type;
		call.flags = flags;
		call.deadline_ns = deadline;
		res->ret = kt_ioctl(fd, KIPC_IOC_LINK_CALL, &call);
		res->info = call.info;
		kt_peer_copy_out(res, buf, res->ret);
		break;
	case KT_PEER_REPLY:
		kt_link_reply_args(&y, c->id, data, len);
		y.type = c->type;
		res->ret = kt_ioctl(fd, KIPC_IOC_LINK_REPLY, &y);
		break;
	case KT_PEER_SERVE:
		kt_peer_serve(st, c, res);
		break;
	case KT_PEER_CLOSE:
		res->ret = close(fd) ? -errno : 0;
		if (c->slot < 0)
			st->sfd = -1;
		else
			st->link[slot] = -1;
		break;
	case KT_PEER_SEND_FD:
		res->ret = kt_send_fd(st->sock, fd);
		break;
	case KT_PEER_SIGNAL:
		res->ret = kill(st->parent, c->type) ? -errno : 0;
		break;
	case KT_PEER_KILL:
		kill(getpid(), SIGKILL);
		for (;;)
			pause();
	case KT_PEER_EXIT:
		_exit(0);
	default:
		res->ret = -ENOSYS;
	}
}

/* The peer's life: set up, report bind's result, then serve commands. */
static inline void kt_peer_main(int sock, const struct kt_peer_opts *o)
{
	struct kt_peer_state st = {
		.sock = sock,
		.parent = getppid(),
		.barrier = o->barrier,
	};
	struct kt_peer_res res;
	struct kt_peer_cmd cmd;
	struct kipc_bind b;
	int i;

	for (i = 0; i < KT_PEER_SLOTS; i++)
		st.link[i] = -1;
	kt_close_fds_except(sock);
	memset(&res, 0, sizeof(res));
	st.sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	if (st.sfd < 0)
		res.ret = -errno;
	else if (o->uid && o->euid_only &&
		 (setegid(o->uid) || seteuid(o->uid)))
		res.ret = -errno;
	else if (o->uid && !o->euid_only)
		res.ret = kt_drop_privs(o->uid, o->uid);
	if (!res.ret && !o->no_bind) {
		kt_bind_args(&b, o->bind_flags);
		b.max_msgsize = o->lim.max_msgsize;
		b.max_msgs = o->lim.max_msgs;
		b.capacity = o->lim.capacity;
		res.ret = kt_ioctl(st.sfd, KIPC_IOC_BIND, &b);
	}
	if (send(sock, &res, sizeof(res), MSG_NOSIGNAL) != sizeof(res))
		_exit(KT_CHILD_SETUP);
	for (;;) {
		if (recv(sock, &cmd, sizeof(cmd), 0) != sizeof(cmd))
			_exit(0);
		if (cmd.when == KT_PEER_SLEEPING)
			kt_wait_sleeping(st.parent, 10000);
		else if (cmd.when == KT_PEER_BARRIER && st.barrier)
			pthread_barrier_wait(st.barrier);
		memset(&res, 0, sizeof(res));
		kt_peer_run(&st, &cmd, &res);
		if (send(sock, &res, sizeof(res), MSG_NOSIGNAL) != sizeof(res))
			_exit(0);
	}
}

/*
 * Start peer @p with options @o (NULL: bound, defaults) as the process
 * @want (0: any): up to @tries children are forked, and those that did
 * not get @want exit at once (the pid allocator must come round to it,
 * see pid_max).  Returns the result of the peer's bind (0 or -errno; 0
 * with no_bind), -EAGAIN when no child got @want, KT_PEER_LOST if the
 * peer did not start.  The peer runs even if its bind failed: end it
 * with kt_peer_exit() or kt_peer_kill().
 */
static inline long kt_peer_start_as(struct kt_peer *p,
				    const struct kt_peer_opts *o, pid_t want,
				    int tries)
{
	static const struct kt_peer_opts def;
	struct kt_peer_res res;
	struct pollfd pfd;
	int sv[2];

	p->pid = 0;
	p->sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return KT_PEER_LOST;
	while (tries-- > 0) {
		p->pid = kt_fork();
		if (p->pid < 0)
			break;
		if (p->pid == 0) {
			if (want && getpid() != want)
				_exit(0);
			kt_peer_main(sv[1], o ? o : &def);
			_exit(0);
		}
		if (!want || p->pid == want)
			break;
		kt_reap(p->pid);
		p->pid = -EAGAIN;
	}
	close(sv[1]);
	if (p->pid <= 0) {
		close(sv[0]);
		res.ret = p->pid == -EAGAIN ? -EAGAIN : KT_PEER_LOST;
		p->pid = 0;
		return res.ret;
	}
	p->sock = sv[0];
	pfd.fd = p->sock;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, KT_PEER_WAIT_MS) != 1 ||
	    recv(p->sock, &res, sizeof(res), 0) != sizeof(res))
		return KT_PEER_LOST;
	return res.ret;
}

/* Start peer @p with options @o (NULL: bound, defaults): as above. */
static inline long kt_peer_start(struct kt_peer *p,
				 const struct kt_peer_opts *o)
{
	return kt_peer_start_as(p, o, 0, 1);
}

/* Send @c to @p without waiting for its result.  Returns 0 or -errno. */
static inline int kt_peer_post(struct kt_peer *p, const struct kt_peer_cmd *c)
{
	return send(p->sock, c, sizeof(*c), MSG_NOSIGNAL) == sizeof(*c) ?
	       0 : -errno;
}

/*
 * Collect the result of the oldest posted command, waiting at most
 * @timeout_ms.  Returns 0, -ETIMEDOUT (none yet) or -ECONNRESET (the peer
 * is gone).
 */
static inline int kt_peer_result(struct kt_peer *p, struct kt_peer_res *r,
				 int timeout_ms)
{
	struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
	ssize_t n;

	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	n = recv(p->sock, r, sizeof(*r), 0);
	return n == sizeof(*r) ? 0 : -ECONNRESET;
}

/* Post @c, wait for its result in @r (may be NULL): ->ret or KT_PEER_LOST. */
static inline long kt_peer_do(struct kt_peer *p, const struct kt_peer_cmd *c,
			      struct kt_peer_res *r)
{
	struct kt_peer_res res;

	if (!r)
		r = &res;
	if (kt_peer_post(p, c) || kt_peer_result(p, r, KT_PEER_WAIT_MS))
		return KT_PEER_LOST;
	return r->ret;
}

/* Reap @p: its exit status (KT_CHILD_KILLED if killed). */
static inline int kt_peer_reap(struct kt_peer *p)
{
	int status = kt_reap(p->pid);

	close(p->sock);
	p->sock = -1;
	p->pid = 0;
	return status;
}

/* Ask @p to exit and reap it: its exit status, 0 when it obeyed. */
static inline int kt_peer_exit(struct kt_peer *p)
{
	struct kt_peer_cmd c = { .op = KT_PEER_EXIT };

	if (!p->pid)
		return KT_CHILD_WRONG;
	kt_peer_post(p, &c);
	return kt_peer_reap(p);
}

/* SIGKILL @p (if it runs) and reap it. */
static inline void kt_peer_kill(struct kt_peer *p)
{
	if (!p->pid)
		return;
	kill(p->pid, SIGKILL);
	kt_peer_reap(p);
}

/* Put the string @str (without NUL) into @c's payload. */
static inline void kt_peer_cmd_str(struct kt_peer_cmd *c, const char *str)
{
	c->len = strlen(str);
	if (c->len > KT_PEER_DATA)
		abort();
	memcpy(c->data, str, c->len);
}

/* The peer connects to @pid (link fd into @slot).  The fd number or -errno. */
static inline long kt_peer_connect(struct kt_peer *p, int slot, pid_t pid,
				   unsigned int flags)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_CONNECT,
		.slot = slot,
		.pid = pid,
		.flags = flags,
	};

	return kt_peer_do(p, &c, NULL);
}

/*
 * The peer sends the string @str as a message of @type to @pid over @slot
 * (-1: its session), not waiting for room.  0 or -errno.
 */
static inline long kt_peer_send(struct kt_peer *p, int slot, pid_t pid,
				const char *str, uint64_t type)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_SEND,
		.slot = slot,
		.pid = pid,
		.flags = KIPC_MSG_NONBLOCK,
		.type = type,
	};

	kt_peer_cmd_str(&c, str);
	return kt_peer_do(p, &c, NULL);
}

/*
 * The peer receives from @pid (0: any) over @slot (-1: its session) into
 * @r, waiting at most @timeout_ms (0: not at all), with KT_PEER_DATA
 * bytes of room.  The length or -errno.
 */
static inline long kt_peer_recv(struct kt_peer *p, int slot, pid_t pid,
				unsigned int timeout_ms, struct kt_peer_res *r)
{
	struct kt_peer_cmd c = {
		.op = KT_PEER_RECV,
		.slot = slot,
		.pid = pid,
		.flags = timeout_ms ? 0 : KIPC_MSG_NONBLOCK,
		.timeout_ms = timeout_ms,
		.buf_len = KT_PEER_DATA,
	};

	return kt_peer_do(p, &c, r);
}

/*
 * The peer passes its link fd @slot (-1: its session fd) to the test over
 * the peer socket.  Returns the test's new fd, or -errno.
 */
static inline int kt_peer_get_fd(struct kt_peer *p, int slot)
{
	struct kt_peer_cmd c = { .op = KT_PEER_SEND_FD, .slot = slot };
	struct kt_peer_res r;
	int fd, ret;

	if (kt_peer_post(p, &c))
		return -EPIPE;
	fd = kt_recv_fd(p->sock);
	ret = kt_peer_result(p, &r, KT_PEER_WAIT_MS);
	if (!ret)
		ret = r.ret;
	if (ret && fd >= 0)
		close(fd);
	return ret ? ret : fd;
}

/* ---- fault injection: fail-nth and failslab (the debug kernel) ---- */

/*
 * A sweep runs a call with /proc/self/task/<tid>/fail-nth set to 1, 2,
 * 3, ... until a run injects nothing (Documentation/fault-injection/
 * fault-injection.rst, "Systematic faults using fail-nth"), twice: once
 * with only the n-th injectable call failing, once with every call from
 * the n-th on failing (failslab's probability 100 for this task alone,
 * task-filter and make-it-fail, takes over once fail-nth has fired), so
 * that the fallbacks fail too.  failslab is set to fail sleeping
 * allocations too (ignore-gfp-wait=N), to stay quiet (verbose=0) and to
 * fail only tasks with make-it-fail set (task-filter=Y, then probability
 * 100), as fail_page_alloc when present; kt_fault_knobs_restore() puts
 * everything back.  KIPC_FAULT_VERBOSE=1 prints how each fault point
 * ended.
 *
 * Nothing may allocate in the calling thread between arming and the
 * call: buffers the kernel reads or writes are touched and locked
 * (mlockall()) before, or a page fault could take the injected failure.
 */

#define KT_DEBUGFS		"/sys/kernel/debug/"
#define KT_FAULT_MAX_POINTS	2000	/* a sweep that never ends fails */

/*
 * debugfs knobs a sweep changes, in this order (restored in the reverse
 * one): the task filter is on before the probability is raised, so that
 * no other task ever sees a failure.
 */
static const struct kt_fault_knob {
	const char *path;	/* under debugfs */
	const char *val;	/* for the sweep */
} kt_fault_knobs[] = {
	{ "failslab/verbose", "0" },
	{ "failslab/ignore-gfp-wait", "N" },
	{ "failslab/task-filter", "Y" },
	{ "failslab/interval", "1" },
	{ "failslab/times", "-1" },
	{ "failslab/space", "0" },
	{ "failslab/probability", "100" },
	{ "fail_page_alloc/verbose", "0" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "fail_page_alloc/task-filter", "Y" },
	{ "fail_page_alloc/interval", "1" },
	{ "fail_page_alloc/times", "-1" },
	{ "fail_page_alloc/space", "0" },
	{ "fail_page_alloc/probability", "100" },
};
#define KT_FAULT_NR_KNOBS	ARRAY_SIZE(kt_fault_knobs)

/**
 * struct kt_fault - fault injection for one thread
 * @nth:	its fail-nth, or -1
 * @mif:	its make-it-fail, or -1
 * @efault_ok:	fail_usercopy exists: an injected failure may be -EFAULT
 * @saved:	the knobs' values before the sweep ("" when absent)
 */
struct kt_fault {
	int nth;
	int mif;
	bool efault_ok;
	char saved[KT_FAULT_NR_KNOBS][32];
};

static inline int kt_debugfs_read(const char *knob, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), KT_DEBUGFS "%s", knob);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static inline int kt_debugfs_write(const char *knob, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), KT_DEBUGFS "%s", knob);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The calling thread's /proc file @name, open for reading and writing. */
static inline int kt_task_file_open(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/%s",
		 (long)syscall(SYS_gettid), name);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* Write @n to the /proc file @fd of a thread.  0 or -errno. */
static inline int kt_task_file_set(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return write(fd, buf, len) == len ? 0 : -errno;
}

/* Is there fail-nth and a failslab to set up (the debug kernel)? */
static inline bool kt_fault_available(void)
{
	int fd = kt_task_file_open("fail-nth");

	if (fd < 0)
		return false;
	close(fd);
	return access(KT_DEBUGFS "failslab/ignore-gfp-wait", W_OK) == 0 &&
	       access(KT_DEBUGFS "failslab/task-filter", W_OK) == 0;
}

/*
 * Open the calling thread's fail-nth and make-it-fail into @f (the fds
 * stay writable after a seteuid()).  0 or -errno; kt_fault_task_close()
 * undoes it either way.
 */
static inline int kt_fault_task_open(struct kt_fault *f)
{
	f->nth = kt_task_file_open("fail-nth");
	if (f->nth < 0)
		return -errno;
	f->mif = kt_task_file_open("make-it-fail");
	if (f->mif < 0)
		return -errno;
	return kt_task_file_set(f->mif, 0);
}

/* Disarm and close what kt_fault_task_open() opened. */
static inline void kt_fault_task_close(struct kt_fault *f)
{
	if (f->mif >= 0) {
		kt_task_file_set(f->mif, 0);
		close(f->mif);
		f->mif = -1;
	}
	if (f->nth >= 0) {
		kt_task_file_set(f->nth, 0);
		close(f->nth);
		f->nth = -1;
	}
}

/* Save the knobs into @f and set them for the sweep (needs root). */
static inline void kt_fault_knobs_set(struct __test_metadata *_metadata,
				      struct kt_fault *f)
{
	unsigned int i;

	f->efault_ok = access(KT_DEBUGFS "fail_usercopy", F_OK) == 0;
	for (i = 0; i < KT_FAULT_NR_KNOBS; i++) {
		f->saved[i][0] = '\0';
		if (kt_debugfs_read(kt_fault_knobs[i].path, f->saved[i],
				    sizeof(f->saved[i]))) {
			f->saved[i][0] = '\0';
			continue;	/* not in this kernel */
		}
		ASSERT_EQ(0, kt_debugfs_write(kt_fault_knobs[i].path,
					      kt_fault_knobs[i].val))
			TH_LOG("%s", kt_fault_knobs[i].path);
	}
}

/* Put back what kt_fault_knobs_set() changed (needs root). */
static inline void kt_fault_knobs_restore(struct __test_metadata *_metadata,
					  struct kt_fault *f)
{
	unsigned int i;

	for (i = KT_FAULT_NR_KNOBS; i-- > 0;) {
		const char *path = kt_fault_knobs[i].path;

		if (f->saved[i][0])
			EXPECT_EQ(0, kt_debugfs_write(path, f->saved[i]))
				TH_LOG("restoring %s", path);
	}
}

/*
 * The set-up every fault sweep shares, in FIXTURE_SETUP (a macro for its
 * SKIP()): skip without root or fault injection; open this thread's
 * fail-nth (as root, so its fds stay writable) and set the knobs
 * (*@knobs_set); lock all memory, now and later, so that no user-space
 * page fault takes an injected failure; drop to @uid/@gid with no
 * supplementary groups (*@dropped) and keep the capabilities @caps
 * (CAP_SYS_RESOURCE, which make-it-fail needs, at least).
 */
#define KT_FAULT_SETUP(f, knobs_set, dropped, uid, gid, caps) do {	\
	if (geteuid() != 0)						\
		SKIP(return, "needs root");				\
	if (!kt_fault_available())					\
		SKIP(return, "no fail-nth or failslab in debugfs");	\
	ASSERT_EQ(0, kt_fault_task_open(f));				\
	*(knobs_set) = true;						\
	kt_fault_knobs_set(_metadata, f);				\
	ASSERT_EQ(0, mlockall(MCL_CURRENT | MCL_FUTURE));		\
	ASSERT_EQ(0, setgroups(0, NULL));				\
	ASSERT_EQ(0, setegid(gid));					\
	ASSERT_EQ(0, seteuid(uid));					\
	*(dropped) = true;						\
	ASSERT_EQ(0, kt_raise_caps(CAP_TO_MASK(CAP_SYS_RESOURCE) |	\
				   (caps)));				\
} while (0)

/*
 * Undo KT_FAULT_SETUP()'s identity and knobs, in FIXTURE_TEARDOWN after
 * the test's objects are gone (kt_fault_task_close() first).
 */
static inline void kt_fault_teardown(struct __test_metadata *_metadata,
				     struct kt_fault *f, bool knobs_set,
				     bool dropped)
{
	if (dropped) {
		EXPECT_EQ(0, seteuid(0));
		EXPECT_EQ(0, setegid(0));
	}
	if (knobs_set)
		kt_fault_knobs_restore(_metadata, f);
}

/* fail-nth's count: calls still to go before the fault, 0 once injected. */
static inline long kt_fault_left(const struct kt_fault *f)
{
	char buf[16];
	ssize_t n = pread(f->nth, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/*
 * Run @call(@ctx) in this thread with its @n-th injectable call failing
 * and, with @onward, every later one too.  Returns the call's result;
 * *@left is 0 when the fault was injected, the calls still to go when the
 * call ended before it, -1 when the fault could not be armed or read.
 * Uses no harness macro: children call it too.
 */
static inline long kt_fault_call(struct kt_fault *f, unsigned int n,
				 bool onward, long (*call)(void *ctx),
				 void *ctx, long *left)
{
	long ret;

	*left = -1;
	if (onward && kt_task_file_set(f->mif, 1))
		return -EIO;
	if (kt_task_file_set(f->nth, n)) {
		kt_task_file_set(f->mif, 0);
		return -EIO;
	}
	ret = call(ctx);
	*left = kt_fault_left(f);
	if (kt_task_file_set(f->nth, 0) ||
	    (onward && kt_task_file_set(f->mif, 0)))
		*left = -1;
	return ret;
}

/* What an injected failure may make a call return. */
static inline bool kt_fault_errno_ok(const struct kt_fault *f, long ret)
{
	return ret == -ENOMEM || (ret == -EFAULT && f->efault_ok);
}

/**
 * struct kt_fault_path - a call a sweep runs
 * @name:	printed in the results ("# path NAME: N fault points ...")
 * @call:	the call under test: its result or -errno, nothing else; runs
 *		with faults armed, so it must not allocate in user space
 * @check:	with faults off, after the call: check the state and bring it
 *		back to what the next call expects.  @ret is the call's result
 * @prepare:	with faults off, before each call (may be NULL)
 * @run:	runs @call armed as kt_fault_call() does, elsewhere (in a
 *		child, with its own struct kt_fault); NULL: in this thread
 * @vmalloc:	may fall back to vmalloc(): no every-call-fails round, whose
 *		vmalloc() failure prints a warn_alloc() stack dump with
 *		unreliable frames naming lockdep or kmemleak, lines the
 *		runner's log scan fails on (KIPC_FAULT_VMALLOC=1 runs it)
 */
struct kt_fault_path {
	const char *name;
	long (*call)(void *ctx);
	void (*check)(struct __test_metadata *_metadata, void *ctx, long ret);
	void (*prepare)(struct __test_metadata *_metadata, void *ctx);
	long (*run)(void *ctx, unsigned int n, bool onward, long *left);
	bool vmalloc;
};

struct kt_fault_tally {
	unsigned int points;	/* injectable calls reached */
	unsigned int failed;	/* ... whose failure failed the call */
	unsigned int absorbed;	/* ... that the kernel got over */
};

/*
 * Run @p's call with the 1st, 2nd, ... injectable call failing (and with
 * @onward, every later one too) until it runs with no fault injected,
 * which must succeed.  Every failure must be a clean errno.
 */
static inline void kt_fault_sweep_mode(struct __test_metadata *_metadata,
				       struct kt_fault *f,
				       const struct kt_fault_path *p,
				       void *ctx, bool onward,
				       struct kt_fault_tally *t)
{
	bool verbose = kt_env_ull("KIPC_FAULT_VERBOSE", 0);
	unsigned int n;
	long ret, left;

	for (n = 1; n <= KT_FAULT_MAX_POINTS; n++) {
		if (p->prepare) {
			p->prepare(_metadata, ctx);
			if (_metadata->exit_code)
				break;
		}
		if (p->run)
			ret = p->run(ctx, n, onward, &left);
		else
			ret = kt_fault_call(f, n, onward, p->call, ctx, &left);
		ASSERT_LE(0, left) TH_LOG("%s, fault %u: arming failed",
					  p->name, n);
		if (left) {
			/* nothing was injected: the plain call */
			EXPECT_LE(0, ret) TH_LOG("%s without a fault: %s",
						 p->name, strerror(-ret));
			p->check(_metadata, ctx, ret);
			break;
		}
		t->points++;
		if (verbose)
			printf("# %s, fault %u%s: %s\n", p->name, n,
			       onward ? " on" : "",
			       ret < 0 ? strerror(-ret) : "absorbed");
		if (ret < 0) {
			t->failed++;
			EXPECT_TRUE(kt_fault_errno_ok(f, ret))
				TH_LOG("%s, fault %u%s: %s (want ENOMEM)",
				       p->name, n, onward ? " on" : "",
				       strerror(-ret));
		} else {
			t->absorbed++;
		}
		p->check(_metadata, ctx, ret);
		if (_metadata->exit_code)	/* report the first bad point */
			break;
	}
	EXPECT_GE(KT_FAULT_MAX_POINTS, (int)n)
		TH_LOG("%s: more than %d fault points", p->name,
		       KT_FAULT_MAX_POINTS);
}

/* Sweep @p both ways and print "# path NAME: N fault points; ...". */
static inline void kt_fault_sweep(struct __test_metadata *_metadata,
				  struct kt_fault *f,
				  const struct kt_fault_path *p, void *ctx)
{
	struct kt_fault_tally one = { 0 }, onward = { 0 };
	bool on = !p->vmalloc || kt_env_ull("KIPC_FAULT_VMALLOC", 0);

	kt_fault_sweep_mode(_metadata, f, p, ctx, false, &one);
	if (on && !_metadata->exit_code)
		kt_fault_sweep_mode(_metadata, f, p, ctx, true, &onward);
	printf("# path %s: %u fault points; the n-th failing: %u failed cleanly, %u absorbed",
	       p->name, one.points, one.failed, one.absorbed);
	if (on)
		printf("; the n-th on failing: %u failed cleanly, %u absorbed",
		       onward.failed, onward.absorbed);
	printf("\n");
	fflush(stdout);
}

/*
 * main() of a fault-sweep binary: skip it without the module or without
 * fail-nth and failslab; listing (-l) and help (-h) work anyway.
 */
#define KT_FAULT_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		int i, fd;						\
									\
		for (i = 1; i < argc; i++)				\
			if (!strcmp(argv[i], "-l") ||			\
			    !strcmp(argv[i], "-h"))			\
				return test_harness_run(argc, argv);	\
		fd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);		\
		if (fd < 0 && (errno == ENOENT || errno == ENODEV ||	\
			       errno == ENXIO))				\
			ksft_exit_skip("%s: %s (kipc module not loaded)\n", \
				       KIPC_DEVICE, strerror(errno));	\
		if (fd >= 0)						\
			close(fd);					\
		if (!kt_fault_available())				\
			ksft_exit_skip("no /proc/self/task/<tid>/fail-nth or debugfs failslab: needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS (the debug kernel)\n"); \
		return test_harness_run(argc, argv);			\
	}

#endif /* KIPC_TEST_H */
