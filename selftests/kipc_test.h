/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kipc selftests: the session that skips without the
 * module, unique queue names, raw ioctls, module parameters, clocks, and
 * child processes that report an errno through their exit status.
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
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <kipc.h>

/*
 * -Wextra finds two things in the 6.12 harness we cannot change: an unused
 * parameter, and its TEST_F() wrapper's "child" living across setjmp()
 * (-Wclobbered, reported where each TEST_F() expands, so it stays off for
 * the whole file; the tests themselves do not use setjmp()).
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

/* Read module parameter @name into *@val.  Returns 0 or -errno. */
static inline int kt_param_read(const char *name, unsigned long long *val)
{
	char path[128];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), KT_PARAM_DIR "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%llu", val) != 1)
		ret = -EIO;
	fclose(f);
	return ret;
}

/* Write module parameter @name.  Returns 0 or -errno. */
static inline int kt_param_write(const char *name, unsigned long long val)
{
	char path[128], buf[32];
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), KT_PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%llu\n", val);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
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

#endif /* KIPC_TEST_H */
