// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues in chaos: NR_WORKERS processes, as an unprivileged
 * user, do random operations (create, open by name and by id, close,
 * remove, send, write, receive with every selection, read, stat, set,
 * poll) on NR_NAMES named queues (the first NR_STABLE never removed, the
 * others removed and made again all the time) and on anonymous ones, for
 * KIPC_CHAOS_SECONDS (default 8), while the test SIGKILLs a random worker
 * every few tens of milliseconds and starts a new one.  Then it drains what
 * is left and checks:
 *
 *   - every message received at most once, intact (checksum), from the
 *     queue it was sent to, with the header its sender gave;
 *   - a send that failed queued nothing;
 *   - every message surely sent is received or still queued, unless its
 *     queue was removed or (anonymous) closed: removal discards by design;
 *   - the stat counters of each queue match what is drained from it;
 *   - once every worker is gone and the names removed, no queue is left
 *     (open by id: ENOENT) and nothing is charged to the workers' user.
 *
 * Each message has a unique id; its record lives in a MAP_SHARED array
 * that survives the sender's SIGKILL.  A sender marks the id ATTEMPT
 * before the ioctl and SENT or FAILED after it, so a kill in between
 * leaves "maybe sent".  A receiver marks itself busy (with the queue) before
 * the ioctl and counts the message after it; a kill in between may lose one
 * message of that queue from the record, which the final count allows,
 * except on the stable queues: there the test does not kill a receiver in
 * that window, so that their every message is accounted for.
 *
 * Long runs: tools/vm/run --test-timeout 900 \
 *	--cmd 'KIPC_CHAOS_SECONDS=600 /kipc/selftests/queue_chaos_test'
 * KIPC_CHAOS_SEED repeats a run's choices (the kernel's timing differs).
 */
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>

#include "kipc_test.h"

#define NR_WORKERS	8
#define NR_NAMES	16
#define NR_STABLE	4	/* names 0..NR_STABLE-1 are never removed */
#define MAX_FDS		6	/* open queue fds per worker */
#define IDS_PER_SECOND	25000	/* message records per second of run */
#define MIN_IDS		(1U << 20)
#define MAX_IDS		(1U << 24)
#define MAX_INSTANCES	8192	/* the last queue ids made, kept */
#define CHAOS_UID	5151
#define CHAOS_GID	5151
#define ANON		0xff	/* rec.name of an anonymous queue */
#define MAX_PAYLOAD	1500
#define KILL_MIN_MS	20
#define KILL_MAX_MS	120

enum msg_state { ST_UNUSED, ST_ATTEMPT, ST_SENT, ST_FAILED };

/* What is known of message id N, shared by everyone. */
struct rec {
	_Atomic uint8_t state;		/* enum msg_state */
	_Atomic uint8_t received;	/* times received by a worker */
	uint8_t name;			/* name index, or ANON */
	uint8_t drained;		/* found by the final drain */
	uint32_t qid;			/* the queue it was sent to (low bits) */
};

/* Between a worker and the test, which kills it. */
struct slot {
	_Atomic int busy;		/* BUSY_* */
	_Atomic uint64_t busy_qid;	/* the queue of the receive */
	_Atomic int doom;		/* about to be killed */
	pid_t pid;
};

enum {
	BUSY_NO,
	BUSY_RECV,	/* in a receive: a kill may lose its message */
	BUSY_STABLE,	/* in a receive from a stable queue: no kill now */
};

enum op {
	OP_OPEN, OP_OPEN_ID, OP_CLOSE, OP_REMOVE, OP_SEND, OP_WRITE, OP_RECV,
	OP_READ, OP_STAT, OP_SET, OP_POLL, NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"open", "open-id", "close", "remove", "send", "write", "recv",
	"read", "stat", "set", "poll",
};

/* relative weights of the operations */
static const unsigned int op_weight[NR_OPS] = {
	[OP_OPEN] = 8, [OP_OPEN_ID] = 3, [OP_CLOSE] = 5, [OP_REMOVE] = 2,
	[OP_SEND] = 25, [OP_WRITE] = 5, [OP_RECV] = 25, [OP_READ] = 5,
	[OP_STAT] = 5, [OP_SET] = 3, [OP_POLL] = 4,
};

struct chaos {
	int sfd;
	uint64_t seed;
	_Atomic bool stop;
	_Atomic uint32_t next_id;
	_Atomic uint32_t nr_instances;
	uint64_t instances[MAX_INSTANCES];	/* queue ids made, a ring */
	_Atomic uint64_t ops[NR_OPS];
	_Atomic uint64_t send_errno[4];		/* see send_errnos */
	_Atomic uint64_t errors;
	_Atomic int error_claimed;
	char error[256];
	char names[NR_NAMES][KT_NAME_LEN];
	struct slot slot[NR_WORKERS];
	uint32_t max_ids;		/* records in @rec */
	struct rec *rec;		/* MAP_SHARED too */
};

/* The payload: a header, then pad_len bytes derived from the id. */
struct chaos_msg {
	uint32_t id;
	uint32_t len;		/* whole message */
	uint64_t qid;
	uint64_t type;
	int32_t sender_pid;
	uint32_t csum;		/* FNV-1a of the rest, with csum = 0 */
	uint8_t pad[MAX_PAYLOAD];
};

#define HDR_LEN		offsetof(struct chaos_msg, pad)

static struct chaos *ch;

static __printf(1, 2) void chaos_error(const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&ch->errors, 1);
	if (atomic_exchange(&ch->error_claimed, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(ch->error, sizeof(ch->error), fmt, ap);
	va_end(ap);
}

static uint32_t msg_csum(const struct chaos_msg *m)
{
	struct chaos_msg h;

	memcpy(&h, m, HDR_LEN);
	h.csum = 0;
	return kt_fnv1a(kt_fnv1a(2166136261U, &h, HDR_LEN), m->pad,
			m->len - HDR_LEN);
}

/*
 * Is @m, @n bytes with header @info, a message that was sent to queue
 * @qid?  Returns its id, or -1 after reporting what is wrong.
 */
static long check_msg(const struct chaos_msg *m, long n,
		      const struct kipc_msg_info *info, uint64_t qid,
		      const char *who)
{
	const struct rec *r;

	if (n < (long)HDR_LEN || m->len != n || m->id >= ch->max_ids ||
	    m->csum != msg_csum(m)) {
		chaos_error("%s: corrupt message: %ld bytes, id %u, len %u",
			    who, n, m->id, m->len);
		return -1;
	}
	r = &ch->rec[m->id];
	if (atomic_load(&r->state) == ST_UNUSED || m->id >=
	    atomic_load(&ch->next_id)) {
		chaos_error("%s: message %u was never sent", who, m->id);
		return -1;
	}
	if (m->qid != qid || r->qid != (uint32_t)qid) {
		chaos_error("%s: message %u of queue %llu came from queue %llu",
			    who, m->id, (unsigned long long)m->qid,
			    (unsigned long long)qid);
		return -1;
	}
	if (info && (info->len != (uint64_t)n || info->type != m->type ||
		     info->sender_pid != m->sender_pid ||
		     info->sender_uid != CHAOS_UID)) {
		chaos_error("%s: message %u: header len %llu type %llu pid %d uid %u, sent %ld %llu %d",
			    who, m->id, (unsigned long long)info->len,
			    (unsigned long long)info->type, info->sender_pid,
			    info->sender_uid, n, (unsigned long long)m->type,
			    m->sender_pid);
		return -1;
	}
	return m->id;
}

/* ---- a worker ---- */

struct wfd {
	int fd;			/* -1: free */
	uint64_t qid;
	uint8_t name;		/* or ANON */
	unsigned int flags;	/* KIPC_O_SEND / KIPC_O_RECV */
};

struct worker {
	int nr;
	uint64_t rnd;
	struct wfd fds[MAX_FDS];
	struct chaos_msg msg;
	struct chaos_msg in;
	void *ro;		/* a read-only page */
};

static bool errno_in(long ret, const int *set)
{
	for (; *set; set++)
		if (ret == -*set)
			return true;
	return false;
}

/* An unexpected result of @op: report it once. */
static void unexpected(struct worker *w, enum op what, long ret)
{
	chaos_error("worker %d: %s: %s", w->nr, op_names[what],
		    ret < 0 ? strerror(-ret) : "unexpected success");
}

static struct wfd *pick_fd(struct worker *w, unsigned int need)
{
	unsigned int i, start = kt_rand_below(&w->rnd, MAX_FDS);

	for (i = 0; i < MAX_FDS; i++) {
		struct wfd *f = &w->fds[(start + i) % MAX_FDS];

		if (f->fd >= 0 && (f->flags & need) == need)
			return f;
	}
	return NULL;
}

static struct wfd *free_fd(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < MAX_FDS; i++)
		if (w->fds[i].fd < 0)
			return &w->fds[i];
	return NULL;
}

static void record_instance(uint64_t qid)
{
	uint32_t i = atomic_fetch_add(&ch->nr_instances, 1);

	ch->instances[i % MAX_INSTANCES] = qid;
}

static const uint32_t msgsizes[] = { 0, 128, 512, 2048, 8192 };
static const uint64_t capacities[] = { 0, 2048, 8192, 65536 };
static const uint32_t maxmsgs[] = { 0, 4, 16, 64 };

#define PICK(w, arr)	((arr)[kt_rand_below(&(w)->rnd, ARRAY_SIZE(arr))])

static void do_open(struct worker *w)
{
	static const int ok_creat[] = { EEXIST, EINVAL, EMSGSIZE, EDQUOT, 0 };
	static const int ok_open[] = { ENOENT, 0 };
	struct wfd *f = free_fd(w);
	struct kipc_queue_limits lim;
	unsigned int flags, dir;
	uint8_t name;
	uint64_t id = 0;
	int fd;

	if (!f)
		return;
	dir = kt_rand_below(&w->rnd, 4);
	flags = dir == 0 ? KIPC_O_SEND : dir == 1 ? KIPC_O_RECV :
		KIPC_O_SEND | KIPC_O_RECV;
	if (kt_rand_below(&w->rnd, 2))
		flags |= KIPC_O_CREAT;
	if ((flags & KIPC_O_CREAT) && !kt_rand_below(&w->rnd, 4))
		flags |= KIPC_O_EXCL;
	if (kt_rand_below(&w->rnd, 2))
		flags |= KIPC_O_NONBLOCK;
	lim.max_msgsize = PICK(w, msgsizes);
	lim.capacity = PICK(w, capacities);
	lim.max_msgs = PICK(w, maxmsgs);
	/* anonymous now and then */
	name = kt_rand_below(&w->rnd, 8) ? kt_rand_below(&w->rnd, NR_NAMES) :
		ANON;
	if (name == ANON)
		flags |= KIPC_O_CREAT;
	fd = kipc_queue_open(ch->sfd, name == ANON ? NULL : ch->names[name],
			     flags | KIPC_O_CLOEXEC, 0600, &lim, &id);
	if (fd < 0) {
		if (!errno_in(fd, flags & KIPC_O_CREAT ? ok_creat : ok_open))
			unexpected(w, OP_OPEN, fd);
		return;
	}
	if (flags & KIPC_O_CREAT)
		record_instance(id);
	f->fd = fd;
	f->qid = id;
	f->name = name;
	f->flags = flags & (KIPC_O_SEND | KIPC_O_RECV);
}

static void do_open_id(struct worker *w)
{
	uint32_t nr = atomic_load(&ch->nr_instances);
	struct wfd *f = free_fd(w);
	struct kipc_queue_stat st;
	uint64_t id;
	int fd;

	if (!f || !nr)
		return;
	/* recent queues, which may still exist */
	id = ch->instances[(nr - 1 - kt_rand_below(&w->rnd, nr < 8 ? nr : 8)) %
			   MAX_INSTANCES];
	if (!id)
		return;
	fd = kipc_queue_open_id(ch->sfd, id, KIPC_O_SEND | KIPC_O_RECV |
				KIPC_O_CLOEXEC);
	if (fd < 0) {
		if (fd != -ENOENT)
			unexpected(w, OP_OPEN_ID, fd);
		return;
	}
	if (kipc_queue_stat(fd, &st) || st.id != id) {
		chaos_error("worker %d: open by id %llu gave queue %llu",
			    w->nr, (unsigned long long)id,
			    (unsigned long long)st.id);
		close(fd);
		return;
	}
	f->fd = fd;
	f->qid = id;
	f->name = ANON;
	if (!(st.flags & KIPC_STAT_ANONYMOUS)) {
		for (f->name = 0; f->name < NR_NAMES; f->name++)
			if (!strcmp(st.name, ch->names[f->name]))
				break;
		if (f->name == NR_NAMES)
			chaos_error("worker %d: queue %llu has name \"%s\"",
				    w->nr, (unsigned long long)id, st.name);
	}
	f->flags = KIPC_O_SEND | KIPC_O_RECV;
}

static void drop_fd(struct wfd *f)
{
	close(f->fd);
	f->fd = -1;
}

static void do_close(struct worker *w)
{
	struct wfd *f = pick_fd(w, 0);

	if (f)
		drop_fd(f);
}

/*
 * Remove a queue, by id or by name, but never one of the stable names:
 * their messages are all accounted for at the end.
 */
static void do_remove(struct worker *w)
{
	struct wfd *f = pick_fd(w, 0);
	long ret;

	if (f && (f->name == ANON || f->name >= NR_STABLE) &&
	    kt_rand_below(&w->rnd, 2))
		ret = kipc_queue_remove_id(ch->sfd, f->qid);
	else
		ret = kipc_queue_remove(ch->sfd,
			ch->names[NR_STABLE + kt_rand_below(&w->rnd,
						NR_NAMES - NR_STABLE)]);
	if (ret && ret != -ENOENT)
		unexpected(w, OP_REMOVE, ret);
}

/* How to wait: not at all, or up to 20 ms. */
static unsigned int wait_flags(struct worker *w, uint64_t *deadline)
{
	if (kt_rand_below(&w->rnd, 2)) {
		*deadline = 0;
		return KIPC_MSG_NONBLOCK;
	}
	*deadline = kt_mono_ns() + kt_rand_below(&w->rnd, 20) * NSEC_PER_MSEC;
	return KIPC_MSG_DEADLINE;
}

/* why sends failed, for the log */
static const int send_errnos[] = { EAGAIN, ETIMEDOUT, EIDRM, EMSGSIZE };

static void do_send(struct worker *w, bool write_it)
{
	static const int ok[] = { EAGAIN, ETIMEDOUT, EIDRM, EMSGSIZE, 0 };
	struct wfd *f = pick_fd(w, KIPC_O_SEND);
	struct chaos_msg *m = &w->msg;
	unsigned int flags, i;
	uint64_t deadline;
	struct rec *r;
	uint32_t id;
	long ret;

	if (!f)
		return;
	/* the fd was non-blocking or not at open: write(2) must not hang */
	if (write_it && !(fcntl(f->fd, F_GETFL) & O_NONBLOCK))
		return;
	id = atomic_fetch_add(&ch->next_id, 1);
	if (id >= ch->max_ids) {
		atomic_store(&ch->next_id, ch->max_ids);
		return;
	}
	m->id = id;
	/* mostly small; now and then over a small queue's max_msgsize */
	m->len = HDR_LEN + kt_rand_below(&w->rnd, kt_rand_below(&w->rnd, 8) ?
					 129 : MAX_PAYLOAD + 1);
	m->qid = f->qid;
	m->type = write_it ? 0 : kt_rand_below(&w->rnd, 8);
	m->sender_pid = getpid();
	for (i = 0; i < m->len - HDR_LEN; i++)
		m->pad[i] = (uint8_t)(id * 31 + i);
	m->csum = msg_csum(m);

	r = &ch->rec[id];
	r->name = f->name;
	r->qid = f->qid;
	atomic_store(&r->state, ST_ATTEMPT);
	if (write_it) {
		ret = write(f->fd, m, m->len);
		ret = ret < 0 ? -errno : ret == m->len ? 0 : -EPROTO;
	} else {
		flags = wait_flags(w, &deadline);
		ret = kipc_queue_timedsend(f->fd, m, m->len, m->type, flags,
					   deadline);
	}
	atomic_store(&r->state, ret ? ST_FAILED : ST_SENT);
	for (i = 0; ret && i < ARRAY_SIZE(send_errnos); i++)
		if (ret == -send_errnos[i])
			atomic_fetch_add(&ch->send_errno[i], 1);
	if (ret && !errno_in(ret, ok))
		unexpected(w, write_it ? OP_WRITE : OP_SEND, ret);
	if (ret == -EIDRM)
		drop_fd(f);
}

static void do_recv(struct worker *w, bool read_it)
{
	static const int ok[] = { EAGAIN, ETIMEDOUT, EIDRM, EMSGSIZE, 0 };
	struct wfd *f = pick_fd(w, KIPC_O_RECV);
	struct slot *s = &ch->slot[w->nr];
	struct kipc_msg_info info;
	unsigned int flags, sel;
	uint64_t deadline, type;
	size_t len = sizeof(w->in);
	void *buf = &w->in;
	long ret, id;

	if (!f)
		return;
	if (read_it && !(fcntl(f->fd, F_GETFL) & O_NONBLOCK))
		return;
	flags = wait_flags(w, &deadline);
	sel = kt_rand_below(&w->rnd, KIPC_SEL_MAX + 1);
	type = kt_rand_below(&w->rnd, 8);
	switch (kt_rand_below(&w->rnd, 16)) {
	case 0:		/* too small: -EMSGSIZE, the message stays */
		len = kt_rand_below(&w->rnd, HDR_LEN);
		break;
	case 1:		/* not writable: -EFAULT, the message stays */
		buf = w->ro;
		break;
	}

	/*
	 * A kill between the receive and its record would lose a message
	 * from the record.  On a stable queue, where every message is
	 * accounted for, the test does not kill then: it marks the slot
	 * doomed and then looks at busy, we mark busy and then look at
	 * doom (sequentially consistent), so one of us backs off.
	 */
	atomic_store(&s->busy_qid, f->qid);
	if (f->name < NR_STABLE) {
		atomic_store(&s->busy, BUSY_STABLE);
		if (atomic_load(&s->doom)) {
			atomic_store(&s->busy, BUSY_NO);
			return;
		}
	} else {
		atomic_store(&s->busy, BUSY_RECV);
	}
	if (read_it) {
		ret = read(f->fd, buf, len);
		ret = ret < 0 ? -errno : ret;
	} else {
		ret = kipc_queue_timedrecv(f->fd, buf, len, sel, type, flags,
					   deadline, &info);
	}
	if (ret >= 0) {
		if (buf == w->ro) {
			chaos_error("worker %d: receive into a read-only buffer worked",
				    w->nr);
		} else {
			id = check_msg(&w->in, ret, read_it ? NULL : &info,
				       f->qid, read_it ? "read" : "recv");
			if (id >= 0 &&
			    atomic_fetch_add(&ch->rec[id].received, 1))
				chaos_error("worker %d: message %ld received twice",
					    w->nr, id);
		}
	}
	atomic_store(&s->busy, BUSY_NO);
	if (ret < 0 && !errno_in(ret, ok) && !(ret == -EFAULT && buf == w->ro))
		unexpected(w, read_it ? OP_READ : OP_RECV, ret);
	if (ret == -EIDRM)
		drop_fd(f);
}

static void do_stat(struct worker *w)
{
	struct wfd *f = pick_fd(w, 0);
	struct kipc_queue_stat st;
	long ret;

	if (!f)
		return;
	ret = kipc_queue_stat(f->fd, &st);
	if (ret) {
		unexpected(w, OP_STAT, ret);
		return;
	}
	if (st.id != f->qid ||
	    (st.flags & ~(KIPC_STAT_REMOVED | KIPC_STAT_ANONYMOUS)) ||
	    (f->name == ANON) != !!(st.flags & KIPC_STAT_ANONYMOUS) ||
	    (f->name != ANON && strcmp(st.name, ch->names[f->name])) ||
	    st.bytes < st.nr_msgs * HDR_LEN ||
	    st.bytes > st.nr_msgs * (HDR_LEN + MAX_PAYLOAD) ||
	    st.uid != CHAOS_UID || st.cuid != CHAOS_UID)
		chaos_error("worker %d: stat of queue %llu: flags %#x name \"%s\" %llu msgs %llu bytes",
			    w->nr, (unsigned long long)st.id, st.flags,
			    st.name, (unsigned long long)st.nr_msgs,
			    (unsigned long long)st.bytes);
}

static void do_set(struct worker *w)
{
	static const int ok[] = { EINVAL, EMSGSIZE, EIDRM, EDQUOT, 0 };
	struct wfd *f = pick_fd(w, 0);
	struct kipc_queue_set set;
	long ret;

	if (!f)
		return;
	memset(&set, 0, sizeof(set));
	set.flags = kt_rand_below(&w->rnd, 16) << 3;	/* the limits */
	if (kt_rand_below(&w->rnd, 4) == 0) {
		set.flags |= KIPC_SET_MODE;
		set.mode = kt_rand_below(&w->rnd, 2) ? 0600 : 0640;
	}
	set.flags &= KIPC_SET_ALL;
	set.max_msgsize = PICK(w, msgsizes) ?: 1;
	set.capacity = PICK(w, capacities) ?: 2048;
	set.max_msgs = PICK(w, maxmsgs) ?: 1;
	ret = kipc_queue_set(f->fd, &set);
	if (ret && !errno_in(ret, ok))
		unexpected(w, OP_SET, ret);
}

static void do_poll(struct worker *w)
{
	struct pollfd p[MAX_FDS];
	int i, n = 0, ret;

	for (i = 0; i < MAX_FDS; i++)
		if (w->fds[i].fd >= 0) {
			p[n].fd = w->fds[i].fd;
			p[n++].events = POLLIN | POLLOUT;
		}
	if (!n)
		return;
	ret = poll(p, n, kt_rand_below(&w->rnd, 5));
	if (ret < 0) {
		unexpected(w, OP_POLL, -errno);
		return;
	}
	for (i = 0; i < n; i++)
		if (p[i].revents & ~(POLLIN | POLLOUT | POLLERR | POLLHUP))
			chaos_error("worker %d: poll: revents %#x", w->nr,
				    p[i].revents);
}

static enum op pick_op(struct worker *w)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < NR_OPS; i++)
		total += op_weight[i];
	r = kt_rand_below(&w->rnd, total);
	for (i = 0; r >= op_weight[i]; i++)
		r -= op_weight[i];
	return i;
}

static int worker_main(int nr, uint64_t seed)
{
	struct worker w = { .nr = nr, .rnd = seed };
	enum op op;
	int i;

	if (kt_drop_privs(CHAOS_UID, CHAOS_GID))
		_exit(KT_CHILD_SETUP);
	w.ro = kt_readonly_page();
	for (i = 0; i < MAX_FDS; i++)
		w.fds[i].fd = -1;
	while (!atomic_load(&ch->stop)) {
		op = pick_op(&w);
		atomic_fetch_add(&ch->ops[op], 1);
		switch (op) {
		case OP_OPEN:
			do_open(&w);
			break;
		case OP_OPEN_ID:
			do_open_id(&w);
			break;
		case OP_CLOSE:
			do_close(&w);
			break;
		case OP_REMOVE:
			do_remove(&w);
			break;
		case OP_SEND:
		case OP_WRITE:
			do_send(&w, op == OP_WRITE);
			break;
		case OP_RECV:
		case OP_READ:
			do_recv(&w, op == OP_READ);
			break;
		case OP_STAT:
			do_stat(&w);
			break;
		case OP_SET:
			do_set(&w);
			break;
		case OP_POLL:
			do_poll(&w);
			break;
		case NR_OPS:
			break;
		}
	}
	for (i = 0; i < MAX_FDS; i++)
		if (w.fds[i].fd >= 0)
			close(w.fds[i].fd);
	return 0;
}

/* ---- the test ---- */

FIXTURE(chaos) {
	int sfd;
	pid_t pid[NR_WORKERS];
	unsigned int kills, spawned;
	uint64_t maybe_lost;		/* receives killed in the act */
};

FIXTURE_SETUP(chaos)
{
	unsigned long long ids = kt_env_ull("KIPC_CHAOS_SECONDS", 8) *
				 IDS_PER_SECOND;
	int i;

	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid() != 0)
		SKIP(return, "needs root");
	ch = mmap(NULL, sizeof(*ch), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ch);
	ch->max_ids = ids < MIN_IDS ? MIN_IDS : ids > MAX_IDS ? MAX_IDS : ids;
	/* pages are used as ids are: a short run touches a few */
	ch->rec = mmap(NULL, ch->max_ids * sizeof(struct rec),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	ASSERT_NE(MAP_FAILED, ch->rec);
	ch->sfd = self->sfd;
	for (i = 0; i < NR_NAMES; i++)
		snprintf(ch->names[i], KT_NAME_LEN, "kt-chaos-%d-%d", getpid(),
			 i);
}

FIXTURE_TEARDOWN(chaos)
{
	int i;

	for (i = 0; i < NR_WORKERS; i++)
		if (self->pid[i] > 0) {
			kill(self->pid[i], SIGKILL);
			waitpid(self->pid[i], NULL, 0);
		}
	if (ch && ch != MAP_FAILED) {
		for (i = 0; i < NR_NAMES; i++)
			kipc_queue_remove(self->sfd, ch->names[i]);
		if (ch->rec && ch->rec != MAP_FAILED)
			munmap(ch->rec, ch->max_ids * sizeof(struct rec));
		munmap(ch, sizeof(*ch));
	}
	close(self->sfd);
}

/* Losses a killed receiver may have caused, by queue id. */
struct losses {
	unsigned int n;
	uint32_t qid[4096];
	unsigned int count[4096];
};

static void loss_add(struct losses *l, uint32_t qid)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->qid[i] == qid) {
			l->count[i]++;
			return;
		}
	if (l->n < ARRAY_SIZE(l->qid)) {
		l->qid[l->n] = qid;
		l->count[l->n++] = 1;
	}
}

/* Take one allowed loss of queue @qid; false when none is left. */
static bool loss_take(struct losses *l, uint32_t qid)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->qid[i] == qid && l->count[i]) {
			l->count[i]--;
			return true;
		}
	return false;
}

static pid_t spawn(FIXTURE_DATA(chaos) *self, int nr)
{
	pid_t pid = kt_fork();

	if (pid == 0)
		_exit(worker_main(nr, ch->seed * 0x9e3779b97f4a7c15ULL +
				  self->spawned * 0x632be59bd9b4e019ULL + nr +
				  1));
	self->spawned++;
	ch->slot[nr].pid = pid;
	atomic_store(&ch->slot[nr].doom, 0);
	return pid;
}

/*
 * Reap worker @nr, which was killed (@killed) or told to stop.  Its
 * exit is checked; a receive it was in the middle of may have lost one
 * message of that queue.
 */
static void reap(struct __test_metadata *_metadata, FIXTURE_DATA(chaos) *self,
		 struct losses *l, int nr, bool killed)
{
	uint64_t give_up = kt_mono_ns() + 30 * NSEC_PER_SEC;
	int status;
	pid_t ret;

	/* a stopped worker ends its current call (20 ms at most) and exits */
	while ((ret = waitpid(self->pid[nr], &status, WNOHANG)) == 0 &&
	       kt_mono_ns() < give_up)
		kt_sleep_ms(10);
	if (ret == 0) {
		EXPECT_EQ(0, ret) TH_LOG("worker %d did not stop in 30 s", nr);
		kill(self->pid[nr], SIGKILL);
		ret = waitpid(self->pid[nr], &status, 0);
		killed = false;
	}
	ASSERT_EQ(self->pid[nr], ret);
	self->pid[nr] = 0;
	if (killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		self->kills++;
		if (atomic_load(&ch->slot[nr].busy) == BUSY_RECV) {
			self->maybe_lost++;
			loss_add(l, (uint32_t)atomic_load(&ch->slot[nr].busy_qid));
		}
		atomic_store(&ch->slot[nr].busy, BUSY_NO);
		return;
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("worker %d: %s %d", nr, WIFEXITED(status) ?
		       "exit status" : "killed by signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) :
		       WTERMSIG(status));
}

/* Drain queue @name, counting what is found; returns the queue's id. */
static uint64_t drain(struct __test_metadata *_metadata,
		      FIXTURE_DATA(chaos) *self, int name,
		      uint64_t *drained)
{
	static struct chaos_msg m;
	struct kipc_queue_stat st, after;
	struct kipc_msg_info info;
	uint64_t n = 0, bytes = 0;
	long ret, id;
	int fd;

	fd = kipc_queue_open(self->sfd, ch->names[name],
			     KIPC_O_RECV | KIPC_O_NONBLOCK, 0, NULL, NULL);
	if (fd == -ENOENT)
		return 0;
	EXPECT_LE(0, fd) TH_LOG("open %s: %s", ch->names[name],
				strerror(-fd));
	if (fd < 0)
		return 0;
	EXPECT_EQ(0, kipc_queue_stat(fd, &st));
	while ((ret = kt_recv_nb(fd, &m, sizeof(m), &info)) >= 0) {
		id = check_msg(&m, ret, &info, st.id, "drain");
		n++;
		bytes += ret;
		if (id < 0)
			continue;
		if (ch->rec[id].drained++ || atomic_load(&ch->rec[id].received))
			chaos_error("drain: message %ld was received before",
				    id);
	}
	EXPECT_EQ(-EAGAIN, ret);
	/* the counters said what there was */
	EXPECT_EQ(st.nr_msgs, n) TH_LOG("%s", ch->names[name]);
	EXPECT_EQ(st.bytes, bytes) TH_LOG("%s", ch->names[name]);
	EXPECT_EQ(0, kipc_queue_stat(fd, &after));
	EXPECT_EQ(0U, after.nr_msgs);
	EXPECT_EQ(0U, after.bytes);
	close(fd);
	EXPECT_EQ(0, kipc_queue_remove(self->sfd, ch->names[name]));
	*drained += n;
	return st.id;
}

TEST_F_TIMEOUT(chaos, random_operations_and_kills_lose_and_duplicate_nothing,
	       3600)
{
	unsigned long long seconds = kt_env_ull("KIPC_CHAOS_SECONDS", 8);
	uint64_t final_qid[NR_NAMES], drained = 0, end, next_kill, t0;
	uint64_t sent = 0, failed = 0, maybe = 0, received = 0, removed = 0;
	uint64_t missing = 0, excused = 0, ops = 0, kept = 0, rnd;
	static struct losses losses;
	uint32_t nr_ids, nr_inst, i;
	int nr, res, leftover = 0;

	ch->seed = kt_env_ull("KIPC_CHAOS_SEED", kt_real_ns() ^ getpid());
	if (!ch->seed)
		ch->seed = 1;
	rnd = ch->seed;
	printf("# chaos: seed %llu, %llu s, %d workers, %d names\n",
	       (unsigned long long)ch->seed, seconds, NR_WORKERS, NR_NAMES);
	fflush(stdout);
	memset(&losses, 0, sizeof(losses));

	t0 = kt_mono_ns();
	end = t0 + seconds * NSEC_PER_SEC;
	for (nr = 0; nr < NR_WORKERS; nr++) {
		self->pid[nr] = spawn(self, nr);
		ASSERT_LT(0, self->pid[nr]);
	}
	next_kill = t0 + KILL_MIN_MS * NSEC_PER_MSEC;
	while (kt_mono_ns() < end && !_metadata->exit_code) {
		kt_sleep_ms(5);
		if (kt_mono_ns() < next_kill)
			continue;
		nr = kt_rand_below(&rnd, NR_WORKERS);
		atomic_store(&ch->slot[nr].doom, 1);
		if (atomic_load(&ch->slot[nr].busy) == BUSY_STABLE) {
			atomic_store(&ch->slot[nr].doom, 0);
			continue;	/* another one, in 5 ms */
		}
		kill(self->pid[nr], SIGKILL);
		reap(_metadata, self, &losses, nr, true);
		self->pid[nr] = spawn(self, nr);
		ASSERT_LT(0, self->pid[nr]);
		next_kill = kt_mono_ns() + (KILL_MIN_MS +
			kt_rand_below(&rnd, KILL_MAX_MS - KILL_MIN_MS)) *
			NSEC_PER_MSEC;
	}
	atomic_store(&ch->stop, true);
	for (nr = 0; nr < NR_WORKERS; nr++)
		if (self->pid[nr] > 0)
			reap(_metadata, self, &losses, nr, false);

	/* what is left in each queue */
	for (i = 0; i < NR_NAMES; i++)
		final_qid[i] = drain(_metadata, self, i, &drained);

	/* every message: at most once, and not lost unless discarded */
	nr_ids = atomic_load(&ch->next_id);
	if (nr_ids > ch->max_ids)
		nr_ids = ch->max_ids;
	for (i = 0; i < nr_ids; i++) {
		struct rec *r = &ch->rec[i];
		unsigned int got = atomic_load(&r->received) + r->drained;

		received += atomic_load(&r->received);
		if (got > 1)
			chaos_error("message %u delivered %u times", i, got);
		switch (atomic_load(&r->state)) {
		case ST_FAILED:
			failed++;
			if (got)
				chaos_error("message %u: its send failed, yet it was delivered",
					    i);
			break;
		case ST_ATTEMPT:
		case ST_UNUSED:	/* killed before the mark */
			maybe++;
			break;
		case ST_SENT:
			sent++;
			if (r->name == ANON ||
			    r->qid != (uint32_t)final_qid[r->name]) {
				if (!got)
					removed++;	/* its queue went away */
				break;
			}
			kept++;		/* to a queue that is still there */
			if (got)
				break;
			if (loss_take(&losses, r->qid)) {
				excused++;
			} else {
				missing++;
				if (missing <= 5)
					TH_LOG("message %u (queue %u, %s) was sent and never delivered",
					       i, r->qid, ch->names[r->name]);
			}
			break;
		}
	}
	EXPECT_EQ(0U, missing);
	EXPECT_EQ(0U, atomic_load(&ch->errors)) TH_LOG("first of %llu: %s",
		(unsigned long long)atomic_load(&ch->errors), ch->error);

	/* no worker, no name: no queue is left, nothing is charged */
	nr_inst = atomic_load(&ch->nr_instances);
	for (i = 0; i < nr_inst && i < MAX_INSTANCES; i++) {
		int fd = kipc_queue_open_id(self->sfd, ch->instances[i],
					    KIPC_O_SEND);

		if (fd >= 0) {
			close(fd);
			if (leftover++ < 5)
				TH_LOG("queue %llu still exists",
				       (unsigned long long)ch->instances[i]);
		} else {
			EXPECT_EQ(-ENOENT, fd);
		}
	}
	EXPECT_EQ(0, leftover);
	res = kt_quota_probe(self->sfd, CHAOS_UID, CHAOS_GID);
	EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("quota of uid %d: %s", CHAOS_UID,
					     kt_quota_str(res));

	for (i = 0; i < NR_OPS; i++)
		ops += atomic_load(&ch->ops[i]);
	printf("# chaos: %llu ops (%llu/s), %u workers killed, %u queues made\n",
	       (unsigned long long)ops,
	       (unsigned long long)(ops * NSEC_PER_SEC /
				    (kt_mono_ns() - t0 ?: 1)),
	       self->kills, nr_inst);
	printf("# chaos: %u ids: %llu sent, %llu failed, %llu maybe sent (killed); %llu received, %llu drained, %llu discarded with their queue\n",
	       nr_ids, (unsigned long long)sent, (unsigned long long)failed,
	       (unsigned long long)maybe, (unsigned long long)received,
	       (unsigned long long)drained, (unsigned long long)removed);
	printf("# chaos: %llu sent to queues that lasted: each accounted for; %llu receives killed in the act excused %llu of them\n",
	       (unsigned long long)kept, (unsigned long long)self->maybe_lost,
	       (unsigned long long)excused);
	printf("# chaos: failed sends: %llu EAGAIN, %llu ETIMEDOUT, %llu EIDRM, %llu EMSGSIZE\n",
	       (unsigned long long)atomic_load(&ch->send_errno[0]),
	       (unsigned long long)atomic_load(&ch->send_errno[1]),
	       (unsigned long long)atomic_load(&ch->send_errno[2]),
	       (unsigned long long)atomic_load(&ch->send_errno[3]));
	if (nr_ids == ch->max_ids)
		printf("# chaos: the %u message ids ran out: later sends were skipped\n",
		       ch->max_ids);
	fflush(stdout);
}

KT_HARNESS_MAIN
