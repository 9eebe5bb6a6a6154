// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues under concurrency: NR_SENDERS processes each send
 * KIPC_STRESS_MSGS (default 2000) checksummed messages of random length to
 * one small queue (so that senders wait for room), NR_RECEIVERS processes
 * take them (two the oldest first, one by priority).  Afterwards every
 * message was received exactly once, intact, each receiver saw each
 * sender's messages in the order they were sent, and the queue is empty.
 *
 * Results are collected in a MAP_SHARED page: per-message reception
 * counts, error counters and the first error's description.
 */
#include <stdarg.h>
#include <stddef.h>

#include "kipc_test.h"

#define NR_SENDERS	4
#define NR_RECEIVERS	3
#define DEFAULT_MSGS	2000	/* per sender */
#define MAX_MSGS	100000	/* the most KIPC_STRESS_MSGS may ask */
#define MAX_PAD		200

struct payload {
	uint32_t sender;
	uint32_t seq;		/* per sender, from 0 */
	uint32_t pad_len;
	uint32_t csum;		/* FNV-1a of the three above and the padding */
	uint8_t pad[MAX_PAD];
};

#define HDR_LEN		offsetof(struct payload, pad)

struct shared {
	uint32_t nr_msgs;			/* per sender */
	pid_t sender_pid[NR_SENDERS];
	uint32_t seen[NR_SENDERS][MAX_MSGS];	/* receptions of each */
	uint64_t received;
	uint64_t by_receiver[NR_RECEIVERS];
	uint64_t errors;
	int error_claimed;
	char error[256];			/* the first error */
};

static uint32_t fnv1a(uint32_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len--) {
		h ^= *p++;
		h *= 16777619U;
	}
	return h;
}

static uint32_t payload_csum(const struct payload *m)
{
	uint32_t h = 2166136261U;

	h = fnv1a(h, &m->sender, sizeof(m->sender));
	h = fnv1a(h, &m->seq, sizeof(m->seq));
	h = fnv1a(h, &m->pad_len, sizeof(m->pad_len));
	return fnv1a(h, m->pad, m->pad_len);
}

static uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static __printf(2, 3) void fail(struct shared *sh, const char *fmt, ...)
{
	va_list ap;

	__atomic_add_fetch(&sh->errors, 1, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&sh->error_claimed, 1, __ATOMIC_SEQ_CST))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->error, sizeof(sh->error), fmt, ap);
	va_end(ap);
}

/* Exit status: 0 or the errno of the send that failed. */
static int sender(struct shared *sh, int qfd, uint32_t id)
{
	uint32_t rnd = 0x9e3779b9U * (id + 1), seq, i;
	struct payload m;
	int ret;

	sh->sender_pid[id] = getpid();
	for (seq = 0; seq < sh->nr_msgs; seq++) {
		m.sender = id;
		m.seq = seq;
		m.pad_len = xorshift32(&rnd) % (MAX_PAD + 1);
		for (i = 0; i < m.pad_len; i++)
			m.pad[i] = xorshift32(&rnd);
		m.csum = payload_csum(&m);
		/* the type is the sender: a PRIO receiver gets FIFO per sender */
		ret = kipc_queue_send(qfd, &m, HDR_LEN + m.pad_len, id);
		if (ret) {
			fail(sh, "sender %u seq %u: send: %s", id, seq,
			     strerror(-ret));
			return -ret;
		}
	}
	return 0;
}

/* Receive until the queue is removed.  Exit status: 0 or an errno. */
static int receiver(struct shared *sh, int qfd, int id, bool prio)
{
	int64_t last_seq[NR_SENDERS];
	uint64_t last_info_seq = 0;
	struct kipc_msg_info info;
	struct payload m;
	bool first = true;
	ssize_t n;
	int s;

	for (s = 0; s < NR_SENDERS; s++)
		last_seq[s] = -1;
	for (;;) {
		n = kipc_queue_timedrecv(qfd, &m, sizeof(m),
					 prio ? KIPC_SEL_PRIO : KIPC_SEL_FIFO,
					 0, 0, 0, &info);
		if (n == -EIDRM)
			return 0;
		if (n < 0) {
			fail(sh, "receiver %d: recv: %s", id, strerror(-n));
			return -n;
		}
		if ((size_t)n < HDR_LEN || m.sender >= NR_SENDERS ||
		    m.seq >= sh->nr_msgs || m.pad_len > MAX_PAD ||
		    (size_t)n != HDR_LEN + m.pad_len) {
			fail(sh, "receiver %d: bad message: len %zd sender %u seq %u pad %u",
			     id, n, m.sender, m.seq, m.pad_len);
			continue;
		}
		if (m.csum != payload_csum(&m))
			fail(sh, "receiver %d: sender %u seq %u: bad checksum",
			     id, m.sender, m.seq);
		if (info.len != (uint64_t)n || info.type != m.sender)
			fail(sh, "receiver %d: sender %u seq %u: info len %llu type %llu",
			     id, m.sender, m.seq,
			     (unsigned long long)info.len,
			     (unsigned long long)info.type);
		if (info.sender_pid != sh->sender_pid[m.sender] ||
		    info.sender_uid != geteuid())
			fail(sh, "receiver %d: sender %u seq %u: from pid %d uid %u, sent by pid %d",
			     id, m.sender, m.seq, info.sender_pid,
			     info.sender_uid, sh->sender_pid[m.sender]);
		if ((int64_t)m.seq <= last_seq[m.sender])
			fail(sh, "receiver %d: sender %u: seq %u after %lld",
			     id, m.sender, m.seq,
			     (long long)last_seq[m.sender]);
		last_seq[m.sender] = m.seq;
		if (!prio && !first && info.seq <= last_info_seq)
			fail(sh, "receiver %d: queue seq %llu after %llu", id,
			     (unsigned long long)info.seq,
			     (unsigned long long)last_info_seq);
		last_info_seq = info.seq;
		first = false;
		__atomic_add_fetch(&sh->seen[m.sender][m.seq], 1,
				   __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&sh->by_receiver[id], 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&sh->received, 1, __ATOMIC_SEQ_CST);
	}
}

FIXTURE(stress) {
	int sfd;
	int qfd;
	const char *name;
	struct kt_names names;
	struct shared *sh;
	pid_t pid[NR_SENDERS + NR_RECEIVERS];
};

FIXTURE_SETUP(stress)
{
	/* small: both the message count and the bytes make senders wait */
	struct kipc_queue_limits lim = {
		.max_msgsize = sizeof(struct payload),
		.max_msgs = 16,
		.capacity = 1536,
	};
	const char *env = getenv("KIPC_STRESS_MSGS");
	unsigned long nr = env ? strtoul(env, NULL, 0) : DEFAULT_MSGS;

	self->qfd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	ASSERT_LT(0UL, nr);
	ASSERT_GE((unsigned long)MAX_MSGS, nr);
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	self->sh->nr_msgs = nr;
	self->name = kt_names_new(&self->names, "s");
	self->qfd = kipc_queue_open(self->sfd, self->name,
				    KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
				    KIPC_O_RECV, 0600, &lim, NULL);
	ASSERT_LE(0, self->qfd) TH_LOG("create: %s", strerror(-self->qfd));
}

FIXTURE_TEARDOWN(stress)
{
	unsigned int i;

	/* removal ends receivers still waiting; senders are killed */
	kt_names_remove_all(self->sfd, &self->names);
	for (i = 0; i < NR_SENDERS + NR_RECEIVERS; i++)
		if (self->pid[i] > 0) {
			kill(self->pid[i], SIGKILL);
			waitpid(self->pid[i], NULL, 0);
		}
	if (self->qfd >= 0)
		close(self->qfd);
	close(self->sfd);
}

TEST_F_TIMEOUT(stress, every_message_received_once_in_order_per_sender, 120)
{
	struct shared *sh = self->sh;
	uint64_t total = (uint64_t)NR_SENDERS * sh->nr_msgs, seen, last = 0;
	struct kipc_queue_stat st;
	unsigned int i, s, q, idle_ms = 0, missing = 0, dups = 0;
	uint64_t start = kt_mono_ns();

	for (i = 0; i < NR_RECEIVERS; i++) {
		self->pid[i] = kt_fork();
		ASSERT_LE(0, self->pid[i]);
		if (self->pid[i] == 0)
			_exit(receiver(sh, self->qfd, i, i == NR_RECEIVERS - 1));
	}
	for (i = 0; i < NR_SENDERS; i++) {
		pid_t *pid = &self->pid[NR_RECEIVERS + i];

		*pid = kt_fork();
		ASSERT_LE(0, *pid);
		if (*pid == 0)
			_exit(sender(sh, self->qfd, i));
	}
	for (i = 0; i < NR_SENDERS; i++) {
		EXPECT_EQ(0, kt_wait(self->pid[NR_RECEIVERS + i]))
			TH_LOG("sender %u", i);
		self->pid[NR_RECEIVERS + i] = 0;
	}

	/* all sent: wait for the receivers, while they make progress */
	while ((seen = __atomic_load_n(&sh->received, __ATOMIC_SEQ_CST)) <
	       total && idle_ms < 10000) {
		if (seen != last)
			idle_ms = 0;
		last = seen;
		kt_sleep_ms(10);
		idle_ms += 10;
	}
	EXPECT_EQ(total, seen);
	ASSERT_EQ(0, kipc_queue_stat(self->qfd, &st));
	EXPECT_EQ(0U, st.nr_msgs);
	EXPECT_EQ(0U, st.bytes);

	/* removal wakes every receiver with -EIDRM: they exit 0 */
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, self->name));
	for (i = 0; i < NR_RECEIVERS; i++) {
		EXPECT_EQ(0, kt_wait(self->pid[i])) TH_LOG("receiver %u", i);
		self->pid[i] = 0;
	}

	for (s = 0; s < NR_SENDERS; s++)
		for (q = 0; q < sh->nr_msgs; q++) {
			if (sh->seen[s][q] == 0 && missing++ < 5)
				TH_LOG("sender %u seq %u never received", s, q);
			if (sh->seen[s][q] > 1 && dups++ < 5)
				TH_LOG("sender %u seq %u received %u times", s,
				       q, sh->seen[s][q]);
		}
	EXPECT_EQ(0U, missing);
	EXPECT_EQ(0U, dups);
	EXPECT_EQ(0U, sh->errors) TH_LOG("first error: %s", sh->error);
	TH_LOG("%llu messages in %llu ms; per receiver %llu %llu %llu",
	       (unsigned long long)total,
	       (unsigned long long)((kt_mono_ns() - start) / NSEC_PER_MSEC),
	       (unsigned long long)sh->by_receiver[0],
	       (unsigned long long)sh->by_receiver[1],
	       (unsigned long long)sh->by_receiver[2]);
}

KT_HARNESS_MAIN
