// SPDX-License-Identifier: GPL-2.0
/*
 * The mechanisms kipc-bench measures: THE one place a new IPC form is added
 * (a row in bench_mechs[] at the end, with its operations).
 *
 * Fairness rules every row follows:
 * - a message is copied from the sender's buffer and into the receiver's
 *   buffer, once each way, as the kernel mechanisms do;
 * - message queues hold c->depth messages (kipc queue/mailbox/link limits,
 *   POSIX mq maxmsg, SysV msg_qbytes); pipes and sockets keep their
 *   defaults (64 KiB pipes on both sides);
 * - a stream mechanism moves fixed-size records (a read loops to the size).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "bench.h"

int bench_sfd = -ENODEV;

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static void close_fds(struct chan *c)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]);
		if (c->efd[i] >= 0)
			close(c->efd[i]);
		c->fd[i] = c->efd[i] = -1;
	}
}

static int attach_nothing(struct chan *c, int side)
{
	(void)c;
	(void)side;
	return 0;
}

static unsigned long proc_ulong(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* ---------------------------------------------------- pipes (both kinds) */

/* fd[0], fd[1]: read, write end A->B; fd[2], fd[3]: B->A */
static int pipe_send(struct chan *c, int dir, const void *buf, size_t len)
{
	return write_full(c->fd[2 * dir + 1], buf, len);
}

static ssize_t pipe_recv(struct chan *c, int dir, void *buf, size_t len)
{
	return read_full(c->fd[2 * dir], buf, len);
}

static int linux_pipe_setup(struct chan *c)
{
	if (pipe(c->fd) || pipe(c->fd + 2))
		return -errno;
	return 0;
}

static int kipc_pipe_setup(struct chan *c)
{
	int ret = kipc_pipe(bench_sfd, c->fd, 0);

	if (!ret)
		ret = kipc_pipe(bench_sfd, c->fd + 2, 0);
	return ret;
}

static void fds_teardown(struct chan *c)
{
	close_fds(c);
}

/* ------------------------------------------------------- UNIX sockets */

/* fd[0]: A's end, fd[1]: B's end */
static int unix_setup(struct chan *c, int type)
{
	if (socketpair(AF_UNIX, type, 0, c->fd))
		return -errno;
	return 0;
}

static int ustream_setup(struct chan *c)
{
	return unix_setup(c, SOCK_STREAM);
}

static int udgram_setup(struct chan *c)
{
	return unix_setup(c, SOCK_DGRAM);
}

static int ustream_send(struct chan *c, int dir, const void *buf, size_t len)
{
	return write_full(c->fd[dir], buf, len);
}

static ssize_t ustream_recv(struct chan *c, int dir, void *buf, size_t len)
{
	return read_full(c->fd[1 - dir], buf, len);
}

static int udgram_send(struct chan *c, int dir, const void *buf, size_t len)
{
	ssize_t n = send(c->fd[dir], buf, len, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static ssize_t udgram_recv(struct chan *c, int dir, void *buf, size_t len)
{
	ssize_t n = recv(c->fd[1 - dir], buf, len, 0);

	return n < 0 ? -errno : n;
}

/* ------------------------------------------------------------ POSIX mq */

static int posix_mq_setup(struct chan *c)
{
	static unsigned int serial;
	struct mq_attr attr = { .mq_maxmsg = c->depth,
				.mq_msgsize = (long)c->size };
	char name[64];
	int d, err;

	for (d = 0; d < 2; d++) {
		snprintf(name, sizeof(name), "/kipc-bench-%d-%u", (int)getpid(),
			 serial++);
		c->mq[d] = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
		if (c->mq[d] == (mqd_t)-1 && errno == EINVAL &&
		    attr.mq_maxmsg > 10) {
			/* unprivileged: msg_max (10) */
			attr.mq_maxmsg = 10;
			snprintf(c->note, sizeof(c->note), "maxmsg 10");
			c->mq[d] = mq_open(name, O_RDWR | O_CREAT | O_EXCL,
					   0600, &attr);
		}
		if (c->mq[d] == (mqd_t)-1) {
			err = errno;
			if (d)
				mq_close(c->mq[0]);
			c->mq[0] = c->mq[1] = (mqd_t)-1;
			if (err == EINVAL || err == EMFILE || err == ENOMEM) {
				snprintf(c->note, sizeof(c->note),
					 "mq_open: %s (fs.mqueue.msgsize_max %lu%s)",
					 strerror(err),
					 proc_ulong("/proc/sys/fs/mqueue/msgsize_max"),
					 err == EMFILE ? ", RLIMIT_MSGQUEUE" : "");
				return 1;
			}
			return -err;
		}
		mq_unlink(name);
	}
	return 0;
}

static int posix_mq_send(struct chan *c, int dir, const void *buf, size_t len)
{
	return mq_send(c->mq[dir], buf, len, 0) ? -errno : 0;
}

static ssize_t posix_mq_recv(struct chan *c, int dir, void *buf, size_t len)
{
	ssize_t n = mq_receive(c->mq[dir], buf, len, NULL);

	return n < 0 ? -errno : n;
}

static void posix_mq_teardown(struct chan *c)
{
	int d;

	for (d = 0; d < 2; d++)
		if (c->mq[d] != (mqd_t)-1)
			mq_close(c->mq[d]);
}

/* ------------------------------------------------------------ SysV msg */

static int sysv_setup(struct chan *c)
{
	unsigned long msgmax = proc_ulong("/proc/sys/kernel/msgmax");
	struct msqid_ds ds;
	int d;

	if (msgmax && c->size > msgmax) {
		snprintf(c->note, sizeof(c->note),
			 "message over kernel.msgmax (%lu)", msgmax);
		return 1;
	}
	for (d = 0; d < 2; d++) {
		c->msq[d] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (c->msq[d] < 0)
			return -errno;
		if (!msgctl(c->msq[d], IPC_STAT, &ds)) {
			ds.msg_qbytes = c->depth * c->size;
			if (ds.msg_qbytes < 16384)
				ds.msg_qbytes = 16384;
			if (msgctl(c->msq[d], IPC_SET, &ds))
				snprintf(c->note, sizeof(c->note),
					 "msg_qbytes left at the default");
		}
	}
	return 0;
}

/* the buffer has BENCH_HEADROOM bytes before it: mtype goes there, no copy */
static int sysv_send(struct chan *c, int dir, const void *buf, size_t len)
{
	long *mtype = (long *)((char *)buf - sizeof(long));
	long saved = *mtype;
	int ret = 0;

	*mtype = 1;
	if (msgsnd(c->msq[dir], mtype, len, 0))
		ret = -errno;
	*mtype = saved;
	return ret;
}

static ssize_t sysv_recv(struct chan *c, int dir, void *buf, size_t len)
{
	long *mtype = (long *)((char *)buf - sizeof(long));
	ssize_t n = msgrcv(c->msq[dir], mtype, len, 0, 0);

	return n < 0 ? -errno : n;
}

static void sysv_teardown(struct chan *c)
{
	int d;

	for (d = 0; d < 2; d++)
		if (c->msq[d] >= 0)
			msgctl(c->msq[d], IPC_RMID, NULL);
}

/* ------------------------------------- shared-memory rings (the bench's) */

static int efd_ring_setup(struct chan *c)
{
	int i;

	c->maplen = ring_region_size(c->size);
	c->fd[0] = memfd_create("kipc-bench-ring", 0);
	if (c->fd[0] < 0)
		return -errno;
	if (ftruncate(c->fd[0], (off_t)c->maplen))
		return -errno;
	for (i = 0; i < 4; i++) {
		c->efd[i] = eventfd(0, 0);
		if (c->efd[i] < 0)
			return -errno;
	}
	return 0;
}

static int efd_ring_attach(struct chan *c, enum ring_signal sig)
{
	c->map = mmap(NULL, c->maplen, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->fd[0], 0);
	if (c->map == MAP_FAILED)
		return -errno;
	return ring_attach(c, c->map, c->size, sig);
}

static int efd_ring_sleep_attach(struct chan *c, int side)
{
	(void)side;
	return efd_ring_attach(c, RING_EFD_SLEEP);
}

static int efd_ring_always_attach(struct chan *c, int side)
{
	(void)side;
	return efd_ring_attach(c, RING_EFD_ALWAYS);
}

static int kipc_ring_setup(struct chan *c)
{
	c->maplen = ring_region_size(c->size);
	c->fd[0] = kipc_shm_open(bench_sfd, NULL,
				 KIPC_O_CREAT | KIPC_O_READ | KIPC_O_WRITE,
				 0600, c->maplen, NULL);
	return c->fd[0] < 0 ? c->fd[0] : 0;
}

static int kipc_ring_attach(struct chan *c, int side)
{
	int ret;

	(void)side;
	ret = kipc_shm_map(c->fd[0], PROT_READ | PROT_WRITE, &c->reg);
	if (ret)
		return ret;
	return ring_attach(c, c->reg.addr, c->size, RING_KIPC_SLEEP);
}

static int ring_send_op(struct chan *c, int dir, const void *buf, size_t len)
{
	return ring_send(c->ring[dir], buf, len);
}

static ssize_t ring_recv_op(struct chan *c, int dir, void *buf, size_t len)
{
	return ring_recv(c->ring[dir], buf, len);
}

/* ------------------------------------------------- kipc queue, mailbox */

static struct kipc_queue_limits chan_limits(const struct chan *c)
{
	struct kipc_queue_limits lim = {
		.max_msgsize	= (uint32_t)c->size,
		.max_msgs	= c->depth,
		.capacity	= (uint64_t)c->depth * c->size,
	};
	return lim;
}

static int kq_setup(struct chan *c, bool mailbox)
{
	struct kipc_queue_limits lim = chan_limits(c);
	unsigned int fl = KIPC_O_CREAT | KIPC_O_SEND | KIPC_O_RECV;
	int d;

	for (d = 0; d < 2; d++) {
		c->fd[d] = mailbox ?
			kipc_mailbox_open(bench_sfd, NULL, fl, 0600, &lim, NULL) :
			kipc_queue_open(bench_sfd, NULL, fl, 0600, &lim, NULL);
		if (c->fd[d] < 0)
			return c->fd[d];
	}
	return 0;
}

static int kqueue_setup(struct chan *c)
{
	return kq_setup(c, false);
}

static int kmailbox_setup(struct chan *c)
{
	return kq_setup(c, true);
}

static int kq_send(struct chan *c, int dir, const void *buf, size_t len)
{
	return kipc_queue_send(c->fd[dir], buf, len, 0);
}

static ssize_t kq_recv(struct chan *c, int dir, void *buf, size_t len)
{
	return kipc_queue_recv(c->fd[dir], buf, len, NULL);
}

/* ----------------------------------------- kipc direct link, request-reply */

static int klink_setup(struct chan *c)
{
	c->sess = c->lfd = -1;
	return 0;
}

/* sessions are per process: each side opens and binds its own */
static int klink_attach(struct chan *c, int side)
{
	struct kipc_queue_limits lim = chan_limits(c);

	(void)side;
	c->sess = kipc_open(O_CLOEXEC);
	if (c->sess < 0)
		return c->sess;
	return kipc_bind(c->sess, 0, &lim);
}

static int klink_connect(struct chan *c, int side, pid_t peer)
{
	(void)side;
	c->lfd = kipc_connect(c->sess, peer, 0);
	return c->lfd < 0 ? c->lfd : 0;
}

static int klink_send(struct chan *c, int dir, const void *buf, size_t len)
{
	(void)dir;
	return kipc_link_send(c->lfd, 0, buf, len, 0);
}

static ssize_t klink_recv(struct chan *c, int dir, void *buf, size_t len)
{
	(void)dir;
	return kipc_link_recv(c->lfd, 0, buf, len, NULL);
}

static ssize_t kreqrep_call(struct chan *c, const void *req, size_t len,
			    void *reply, size_t rlen)
{
	return kipc_call(c->lfd, 0, req, len, reply, rlen, NULL);
}

/* Serve @n requests, each answered with itself (as the ping-pongs echo). */
static int kreqrep_serve(struct chan *c, uint64_t n,
			 int (*check)(void *arg, const void *buf, ssize_t len),
			 void *arg)
{
	char *bufs[2], *tmp;
	uint64_t id = 0, i;
	unsigned int kind;
	size_t rlen = 0;
	ssize_t got;
	int ret = 0;

	bufs[0] = malloc(c->size);
	bufs[1] = malloc(c->size);
	if (!bufs[0] || !bufs[1]) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* reply from bufs[1] (the last request), receive into bufs[0] */
		got = kipc_reply_recv(c->lfd, &id, bufs[1], rlen, bufs[0],
				      c->size, NULL, &kind);
		if (got < 0) {
			ret = (int)got;
			goto out;
		}
		if (kind != KIPC_LINK_REQUEST) {
			ret = -EPROTO;
			goto out;
		}
		check(arg, bufs[0], got);
		rlen = (size_t)got;
		tmp = bufs[0];
		bufs[0] = bufs[1];
		bufs[1] = tmp;
	}
	if (id)
		ret = kipc_reply(c->lfd, id, bufs[1], rlen);
out:
	free(bufs[0]);
	free(bufs[1]);
	return ret;
}

static void klink_teardown(struct chan *c)
{
	(void)c;	/* the sides' sessions went with them */
}

/* -------------------------------------------------- memcpy (the limit) */

/* One process copies each message into the next slot of a 256 KiB area. */
static int memcpy_setup(struct chan *c)
{
	c->maplen = ring_region_size(c->size) / 2;
	c->map = NULL;
	return 0;
}

static int memcpy_attach(struct chan *c, int side)
{
	(void)side;
	c->map = mmap(NULL, c->maplen, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c->map == MAP_FAILED)
		return -errno;
	c->fd[0] = 0;	/* the next slot */
	return 0;
}

static int memcpy_send(struct chan *c, int dir, const void *buf, size_t len)
{
	size_t slots = c->maplen / len;
	char *dst = (char *)c->map + (size_t)c->fd[0] * len;

	(void)dir;
	memcpy(dst, buf, len);
	c->fd[0] = (int)(((size_t)c->fd[0] + 1) % (slots ? slots : 1));
	c->lfd = (int)(dst - (char *)c->map);	/* where recv looks */
	return 0;
}

/*
 * Copy the last message back, for the checks: the harness calls this only
 * for the messages it verifies (not timed as part of the limit's copy).
 */
static ssize_t memcpy_recv(struct chan *c, int dir, void *buf, size_t len)
{
	(void)dir;
	memcpy(buf, (char *)c->map + c->lfd, len);
	return (ssize_t)len;
}

static void memcpy_teardown(struct chan *c)
{
	(void)c;
}

/* ------------------------------------------------------------ the table */

/*
 * To add a form (the batch ioctls, the library ring): write its operations
 * above and add a row here.  Order is the output's order.
 */
const struct mech bench_mechs[] = {
	{ "kipc-queue", "kipc queue (one per direction), send/recv ioctls",
	  MECH_KIPC | MECH_SCALE, kqueue_setup, attach_nothing, NULL,
	  kq_send, kq_recv, NULL, NULL, fds_teardown },
	{ "kipc-mailbox", "kipc mailbox (one per direction)",
	  MECH_KIPC, kmailbox_setup, attach_nothing, NULL,
	  kq_send, kq_recv, NULL, NULL, fds_teardown },
	{ "kipc-link", "kipc direct link between two bound sessions",
	  MECH_KIPC, klink_setup, klink_attach, klink_connect,
	  klink_send, klink_recv, NULL, NULL, klink_teardown },
	{ "kipc-reqrep", "kipc request-reply: kipc_call / kipc_reply_recv",
	  MECH_KIPC | MECH_NO_TPUT, klink_setup, klink_attach, klink_connect,
	  NULL, NULL, kreqrep_call, kreqrep_serve, klink_teardown },
	{ "kipc-pipe", "kipc pipe (one per direction), read/write",
	  MECH_KIPC, kipc_pipe_setup, attach_nothing, NULL,
	  pipe_send, pipe_recv, NULL, NULL, fds_teardown },
	{ "bench-ring-kipc", "the bench's own SPSC ring in a kipc shm region, "
	  "kipc_shm_wait/wake only when a side sleeps (not a library form)",
	  MECH_KIPC, kipc_ring_setup, kipc_ring_attach, NULL,
	  ring_send_op, ring_recv_op, NULL, NULL, fds_teardown },
	{ "linux-pipe", "pipe(2), one per direction",
	  0, linux_pipe_setup, attach_nothing, NULL,
	  pipe_send, pipe_recv, NULL, NULL, fds_teardown },
	{ "unix-stream", "AF_UNIX SOCK_STREAM socketpair",
	  0, ustream_setup, attach_nothing, NULL,
	  ustream_send, ustream_recv, NULL, NULL, fds_teardown },
	{ "unix-dgram", "AF_UNIX SOCK_DGRAM socketpair",
	  0, udgram_setup, attach_nothing, NULL,
	  udgram_send, udgram_recv, NULL, NULL, fds_teardown },
	{ "posix-mq", "POSIX message queue (one per direction)",
	  MECH_SCALE, posix_mq_setup, attach_nothing, NULL,
	  posix_mq_send, posix_mq_recv, NULL, NULL, posix_mq_teardown },
	{ "sysv-msg", "SysV message queue (one per direction)",
	  0, sysv_setup, attach_nothing, NULL,
	  sysv_send, sysv_recv, NULL, NULL, sysv_teardown },
	{ "efd-ring-sleep", "memfd ring (the bench's), eventfd only when a "
	  "side sleeps",
	  0, efd_ring_setup, efd_ring_sleep_attach, NULL,
	  ring_send_op, ring_recv_op, NULL, NULL, fds_teardown },
	{ "efd-ring-always", "memfd ring (the bench's), eventfd after every "
	  "message",
	  0, efd_ring_setup, efd_ring_always_attach, NULL,
	  ring_send_op, ring_recv_op, NULL, NULL, fds_teardown },
	{ "memcpy", "memcpy in one process (the limit)",
	  MECH_INPROC | MECH_NO_LAT, memcpy_setup, memcpy_attach, NULL,
	  memcpy_send, memcpy_recv, NULL, NULL, memcpy_teardown },
};

const size_t bench_nmechs = sizeof(bench_mechs) / sizeof(bench_mechs[0]);
