// SPDX-License-Identifier: GPL-2.0
/*
 * Dumps of kipc's generic netlink family: many pieces in ascending id
 * order with every object exactly once; NLM_F_DUMP_INTR after a change
 * between pieces; dumps while another process creates and removes objects
 * all the time (no id twice or out of order, every object that lived
 * throughout the dump listed); and scale: KIPC_NL_SCALE (default 100000)
 * named queues with no fd, one dump listing each of them once, then
 * removed one by one through OBJ_DEL (20000 by default on a debug kernel).
 */
#include "kipc_test.h"
#include "kipc_nl.h"

FIXTURE(dump) {
	int sfd;
	struct knl nl;
	uint64_t *ids;		/* objects made by the test, removed after */
	size_t nids, cap;
	char prefix[32];
	unsigned long long saved_queues, saved_bytes;
	bool params_changed;
};

FIXTURE_SETUP(dump)
{
	self->nl.fd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	KNL_OPEN(&self->nl);
	snprintf(self->prefix, sizeof(self->prefix), "kn-%d-d", getpid());
}

FIXTURE_TEARDOWN(dump)
{
	size_t i;

	for (i = 0; i < self->nids; i++)
		knl_del_id(&self->nl, self->ids[i]);
	free(self->ids);
	if (self->params_changed) {
		kt_param_write("queues_per_user", self->saved_queues);
		kt_param_write("bytes_per_user", self->saved_bytes);
	}
	knl_close(&self->nl);
	close(self->sfd);
}

/* Allow @n more queues of 1 byte each; restored in teardown. */
static int raise_quota(FIXTURE_DATA(dump) *self, unsigned long long n)
{
	int ret = kt_param_read("queues_per_user", &self->saved_queues);

	if (!ret)
		ret = kt_param_read("bytes_per_user", &self->saved_bytes);
	if (ret)
		return ret;
	self->params_changed = true;
	ret = kt_param_write("queues_per_user", self->saved_queues + n);
	if (!ret)
		ret = kt_param_write("bytes_per_user",
				     self->saved_bytes + 64 * n);
	return ret;
}

/* @n named queues with no fd, ids in self->ids.  0 or -errno. */
static int make_queues(FIXTURE_DATA(dump) *self, size_t n)
{
	struct kipc_queue_limits lim = {
		.max_msgsize = 1, .max_msgs = 1, .capacity = 1,
	};
	char name[KT_NAME_LEN];
	size_t i;
	int fd;

	if (self->nids + n > self->cap) {
		size_t cap = self->nids + n + 16;
		uint64_t *p = realloc(self->ids, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		self->ids = p;
		self->cap = cap;
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s-%zu", self->prefix,
			 self->nids);
		fd = kipc_queue_open(self->sfd, name, KIPC_O_CREAT |
				     KIPC_O_EXCL | KIPC_O_SEND, 0644, &lim,
				     &self->ids[self->nids]);
		if (fd < 0)
			return fd;
		close(fd);
		self->nids++;
	}
	return 0;
}

/* What one dump saw of the test's ids (ascending, as made). */
struct seen {
	const uint64_t *ids;	/* sorted: made in order */
	size_t nids;
	uint8_t *count;		/* per id of @ids */
	uint64_t last;		/* the last id seen */
	unsigned long total, out_of_order, foreign;
};

static int seen_cb(const struct knl_obj *o, void *arg)
{
	struct seen *s = arg;
	uint64_t id = o->v[KIPC_A_ID];
	size_t lo = 0, hi = s->nids;

	s->total++;
	if (id <= s->last)
		s->out_of_order++;
	s->last = id;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nids && s->ids[lo] == id) {
		if (s->count[lo] < 255)
			s->count[lo]++;
	} else {
		s->foreign++;
	}
	return 0;
}

/* Dump and check every id of self->ids appears exactly once, in order. */
static void dump_all_once(struct __test_metadata *_metadata,
			  FIXTURE_DATA(dump) *self, struct knl_dump_info *di)
{
	struct seen s = { .ids = self->ids, .nids = self->nids };
	size_t i, missing = 0, twice = 0;
	int ret;

	s.count = calloc(self->nids, 1);
	ASSERT_NE(NULL, s.count);
	ret = knl_dump(&self->nl, KIPC_TYPE_QUEUE, -1, seen_cb, &s, di);
	ASSERT_EQ(0, ret) TH_LOG("dump: %s", strerror(-ret));
	for (i = 0; i < self->nids; i++) {
		missing += s.count[i] == 0;
		twice += s.count[i] > 1;
	}
	EXPECT_EQ(0U, missing);
	EXPECT_EQ(0U, twice);
	EXPECT_EQ(0UL, s.out_of_order);
	EXPECT_EQ(self->nids, s.total - s.foreign);
	free(s.count);
}

TEST_F(dump, many_pieces_in_id_order_each_object_once)
{
	struct knl_dump_info di = { 0 };

	ASSERT_EQ(0, make_queues(self, 600));
	dump_all_once(_metadata, self, &di);
	TH_LOG("%u pieces, %u messages, %u with DUMP_INTR", di.datagrams,
	       di.messages, di.intr);
	EXPECT_LE(3U, di.datagrams);
	EXPECT_EQ(0U, di.intr);
}

/* between two pieces of a dump: make one more queue */
static void make_one(void *arg)
{
	FIXTURE_DATA(dump) *self = arg;

	if (make_queues(self, 1))
		abort();
}

TEST_F(dump, change_between_pieces_sets_dump_intr)
{
	struct knl_dump_info di = { .after_first = make_one };
	struct seen s;
	size_t i, n;

	ASSERT_EQ(0, make_queues(self, 600));
	n = self->nids;
	ASSERT_LT(n, self->cap);	/* make_one() keeps self->ids */
	di.hook_arg = self;
	memset(&s, 0, sizeof(s));
	s.ids = self->ids;
	s.nids = n;
	s.count = calloc(n, 1);
	ASSERT_NE(NULL, s.count);
	ASSERT_EQ(0, knl_dump(&self->nl, KIPC_TYPE_QUEUE, -1, seen_cb, &s,
			      &di));
	ASSERT_EQ(n + 1, self->nids) TH_LOG("the hook did not run");
	TH_LOG("%u pieces, %u with DUMP_INTR", di.datagrams, di.intr);
	EXPECT_LE(3U, di.datagrams);
	EXPECT_LE(1U, di.intr);
	/* those that lived throughout: exactly once */
	for (i = 0; i < n; i++)
		EXPECT_EQ(1, s.count[i]) TH_LOG("queue %zu", i);
	EXPECT_EQ(0UL, s.out_of_order);
	free(s.count);

	/* dumped again: a snapshot, not interrupted */
	dump_all_once(_metadata, self, &di);
	EXPECT_EQ(0U, di.intr);
}

/* ---- dumps while objects come and go ---- */

TEST_F_TIMEOUT(dump, concurrent_creates_and_removes, 600)
{
	unsigned int rounds = kt_env_ull("KIPC_NL_DUMP_ROUNDS", 40);
	unsigned int r, intr = 0, intr_msgs = 0;
	struct knl_dump_info di = { 0 };
	char name[KT_NAME_LEN];
	pid_t pid;
	size_t i;

	/* several pieces per dump: the churn can fall between them */
	ASSERT_EQ(0, make_queues(self, 400));
	pid = kt_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned long k;
		int fd, sfd;

		kt_close_fds_except(-1);
		sfd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
		for (k = 0;; k++) {
			snprintf(name, sizeof(name), "kn-%d-churn-%lu",
				 getpid(), k % 50);
			fd = kipc_queue_open(sfd, name, KIPC_O_CREAT |
					     KIPC_O_SEND, 0644, NULL, NULL);
			if (fd >= 0)
				close(fd);
			fd = kipc_mailbox_open(sfd, NULL, KIPC_O_CREAT |
					       KIPC_O_SEND, 0600, NULL, NULL);
			if (fd >= 0)
				close(fd);
			if (k % 3 == 0) {
				snprintf(name, sizeof(name),
					 "kn-%d-churn-%lu", getpid(),
					 (k + 25) % 50);
				kipc_queue_remove(sfd, name);
			}
		}
	}
	for (r = 0; r < rounds; r++) {
		struct seen c = { .ids = self->ids, .nids = self->nids };
		size_t missing = 0, twice = 0;
		int ret;

		c.count = calloc(self->nids, 1);
		ASSERT_NE(NULL, c.count);
		ret = knl_dump(&self->nl, 0, -1, seen_cb, &c, &di);
		EXPECT_EQ(0, ret) TH_LOG("round %u: %s", r, strerror(-ret));
		EXPECT_EQ(0UL, c.out_of_order) TH_LOG("round %u", r);
		for (i = 0; i < self->nids; i++) {
			missing += c.count[i] == 0;
			twice += c.count[i] > 1;
		}
		free(c.count);
		EXPECT_EQ(0U, missing) TH_LOG("round %u", r);
		EXPECT_EQ(0U, twice) TH_LOG("round %u", r);
		intr += di.intr > 0;
		intr_msgs += di.intr;
		if (ret || c.out_of_order || missing || twice)
			break;
	}
	kt_stop(pid);
	TH_LOG("%u dumps, %u of them with DUMP_INTR (%u messages)", r, intr,
	       intr_msgs);
	/* the churner's leftovers */
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "kn-%d-churn-%zu", pid, i);
		kipc_queue_remove(self->sfd, name);
	}
}

/* ---- scale ---- */

/*
 * 100000, or 20000 on a debug kernel (kmemleak there): with KASAN and
 * lockdep under TCG, 100000 take 440 s to make and remove, close to the
 * runner's 600 s per test binary.  KIPC_NL_SCALE overrides either.
 */
static size_t scale_default(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) ? 100000 : 20000;
}

TEST_F_TIMEOUT(dump, scale_one_dump_lists_every_queue_once, 3600)
{
	size_t n = kt_env_ull("KIPC_NL_SCALE", scale_default()), i;
	struct knl_dump_info di = { 0 };
	uint64_t t0, t1, t2, t3;
	char name[KT_NAME_LEN];
	struct knl_obj o;
	long before;
	int ret;

	before = knl_count(&self->nl, KIPC_TYPE_QUEUE);
	ASSERT_LE(0, before);
	ASSERT_EQ(0, raise_quota(self, n));
	t0 = kt_mono_ns();
	ret = make_queues(self, n);
	ASSERT_EQ(0, ret) TH_LOG("queue %zu: %s", self->nids, strerror(-ret));
	t1 = kt_mono_ns();
	dump_all_once(_metadata, self, &di);
	t2 = kt_mono_ns();
	TH_LOG("%zu queues: made in %llu ms, dumped in %llu ms (%u pieces)",
	       n, (unsigned long long)((t1 - t0) / NSEC_PER_MSEC),
	       (unsigned long long)((t2 - t1) / NSEC_PER_MSEC), di.datagrams);
	EXPECT_EQ(0U, di.intr);
	/* by name, the last one */
	snprintf(name, sizeof(name), "%s-%zu", self->prefix, n - 1);
	ASSERT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_QUEUE, name, &o));
	EXPECT_EQ(self->ids[n - 1], o.v[KIPC_A_ID]);
	for (i = 0; i < self->nids; i++) {
		ret = knl_del_id(&self->nl, self->ids[i]);
		if (ret) {
			EXPECT_EQ(0, ret) TH_LOG("del %zu: %s", i,
						 strerror(-ret));
			break;
		}
	}
	if (i == self->nids)
		self->nids = 0;
	t3 = kt_mono_ns();
	TH_LOG("removed in %llu ms",
	       (unsigned long long)((t3 - t2) / NSEC_PER_MSEC));
	/* all gone */
	EXPECT_EQ(before, knl_count(&self->nl, KIPC_TYPE_QUEUE));
}

KT_HARNESS_MAIN
