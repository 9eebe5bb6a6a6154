// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for kipc message ordering and selection (kmod/msgq.c).
 *
 * Messages are built on the stack: struct kipc_msgq neither allocates nor
 * frees, so each test owns everything it queues.
 */
#include <kunit/test.h>
#include <linux/kipc.h>

#include "../msgq.h"

#define NR_TEST_MSGS	16

struct msgq_fixture {
	struct kipc_msgq mq;
	struct kipc_msg msgs[NR_TEST_MSGS];
	int nr;
};

static int msgq_test_init(struct kunit *test)
{
	struct msgq_fixture *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	kipc_msgq_init(&f->mq);
	test->priv = f;
	return 0;
}

/* Queue a message of @type and @len; returns it. */
static struct kipc_msg *send(struct kunit *test, u64 type, size_t len)
{
	struct msgq_fixture *f = test->priv;
	struct kipc_msg *m;

	KUNIT_ASSERT_LT(test, f->nr, NR_TEST_MSGS);
	m = &f->msgs[f->nr++];
	m->type = type;
	m->len = len;
	kipc_msgq_add(&f->mq, m);
	return m;
}

/* Take what @sel/@type selects; NULL if nothing. */
static struct kipc_msg *take(struct kunit *test, unsigned int sel, u64 type)
{
	struct msgq_fixture *f = test->priv;
	struct kipc_msg *m = kipc_msgq_peek(&f->mq, sel, type);

	if (m)
		kipc_msgq_del(&f->mq, m);
	return m;
}

static void msgq_empty_selects_nothing(struct kunit *test)
{
	struct msgq_fixture *f = test->priv;
	unsigned int sel;

	for (sel = 0; sel <= KIPC_SEL_MAX; sel++)
		KUNIT_EXPECT_NULL(test, kipc_msgq_peek(&f->mq, sel, 1));
	KUNIT_EXPECT_EQ(test, f->mq.nr_msgs, 0);
	KUNIT_EXPECT_EQ(test, f->mq.bytes, 0);
}

static void msgq_fifo_returns_send_order(struct kunit *test)
{
	struct kipc_msg *a = send(test, 5, 1);
	struct kipc_msg *b = send(test, 1, 2);
	struct kipc_msg *c = send(test, 9, 3);

	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), b);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), c);
	KUNIT_EXPECT_NULL(test, take(test, KIPC_SEL_FIFO, 0));
}

static void msgq_seq_increases_in_send_order(struct kunit *test)
{
	struct kipc_msg *a = send(test, 3, 0);
	struct kipc_msg *b = send(test, 1, 0);

	KUNIT_EXPECT_EQ(test, a->seq, 1);
	KUNIT_EXPECT_EQ(test, b->seq, 2);
}

static void msgq_prio_highest_first_fifo_within(struct kunit *test)
{
	struct kipc_msg *lo = send(test, 1, 0);
	struct kipc_msg *hi1 = send(test, 7, 0);
	struct kipc_msg *mid = send(test, 4, 0);
	struct kipc_msg *hi2 = send(test, 7, 0);

	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), hi1);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), hi2);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), mid);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), lo);
	KUNIT_EXPECT_NULL(test, take(test, KIPC_SEL_PRIO, 0));
}

static void msgq_prio_handles_extreme_types(struct kunit *test)
{
	struct kipc_msg *zero = send(test, 0, 0);
	struct kipc_msg *max = send(test, U64_MAX, 0);

	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), max);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), zero);
}

static void msgq_type_eq_takes_oldest_of_type(struct kunit *test)
{
	struct kipc_msg *a2;

	send(test, 1, 0);
	a2 = send(test, 2, 0);
	send(test, 2, 0);

	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 2), a2);
	KUNIT_EXPECT_NULL(test, take(test, KIPC_SEL_TYPE_EQ, 3));
}

static void msgq_type_le_takes_lowest_type(struct kunit *test)
{
	struct kipc_msg *t3 = send(test, 3, 0);
	struct kipc_msg *t2a = send(test, 2, 0);
	struct kipc_msg *t2b = send(test, 2, 0);

	send(test, 8, 0);
	KUNIT_EXPECT_NULL(test, take(test, KIPC_SEL_TYPE_LE, 1));
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_LE, 5), t2a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_LE, 5), t2b);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_LE, 5), t3);
	KUNIT_EXPECT_NULL(test, take(test, KIPC_SEL_TYPE_LE, 5));
}

static void msgq_type_ne_skips_excluded_type(struct kunit *test)
{
	struct kipc_msg *b;

	send(test, 4, 0);
	send(test, 4, 0);
	b = send(test, 6, 0);
	send(test, 4, 0);

	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_NE, 4), b);
	KUNIT_EXPECT_NULL(test, take(test, KIPC_SEL_TYPE_NE, 4));
	KUNIT_EXPECT_EQ(test, ((struct msgq_fixture *)test->priv)->mq.nr_msgs, 3);
}

static void msgq_unknown_select_returns_null(struct kunit *test)
{
	send(test, 1, 0);
	KUNIT_EXPECT_NULL(test, take(test, KIPC_SEL_MAX + 1, 1));
}

static void msgq_counts_messages_and_bytes(struct kunit *test)
{
	struct msgq_fixture *f = test->priv;

	send(test, 1, 10);
	send(test, 2, 0);
	send(test, 1, 5);
	KUNIT_EXPECT_EQ(test, f->mq.nr_msgs, 3);
	KUNIT_EXPECT_EQ(test, f->mq.bytes, 15);
	take(test, KIPC_SEL_PRIO, 0);
	KUNIT_EXPECT_EQ(test, f->mq.nr_msgs, 2);
	KUNIT_EXPECT_EQ(test, f->mq.bytes, 15);
	take(test, KIPC_SEL_FIFO, 0);
	KUNIT_EXPECT_EQ(test, f->mq.bytes, 5);
}

static void msgq_requeue_restores_fifo_position(struct kunit *test)
{
	struct kipc_msg *a = send(test, 1, 0);
	struct kipc_msg *b = send(test, 2, 0);
	struct kipc_msg *c = send(test, 1, 0);
	struct msgq_fixture *f = test->priv;

	KUNIT_ASSERT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), a);
	kipc_msgq_requeue(&f->mq, a);
	KUNIT_EXPECT_EQ(test, f->mq.nr_msgs, 3);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), b);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), c);
}

static void msgq_requeue_restores_oldest_of_type(struct kunit *test)
{
	struct kipc_msg *a = send(test, 3, 0);
	struct kipc_msg *b = send(test, 3, 0);
	struct kipc_msg *c;
	struct msgq_fixture *f = test->priv;

	KUNIT_ASSERT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), a);
	c = send(test, 3, 0);	/* newer of the same type arrives meanwhile */
	kipc_msgq_requeue(&f->mq, a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), b);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), c);
}

/* Two receivers fail their copies and put back in the opposite order. */
static void msgq_requeue_out_of_order_keeps_order(struct kunit *test)
{
	struct kipc_msg *a = send(test, 3, 0);
	struct kipc_msg *b = send(test, 3, 0);
	struct kipc_msg *c = send(test, 3, 0);
	struct msgq_fixture *f = test->priv;

	KUNIT_ASSERT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), a);
	KUNIT_ASSERT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), b);
	kipc_msgq_requeue(&f->mq, b);
	kipc_msgq_requeue(&f->mq, a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), b);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), c);
	KUNIT_EXPECT_EQ(test, f->mq.nr_msgs, 0);
}

static void msgq_requeue_newer_behind_older_of_type(struct kunit *test)
{
	struct kipc_msg *a = send(test, 3, 0);
	struct kipc_msg *b = send(test, 3, 0);
	struct kipc_msg *c = send(test, 3, 0);
	struct msgq_fixture *f = test->priv;

	KUNIT_ASSERT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), a);
	KUNIT_ASSERT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), b);
	kipc_msgq_requeue(&f->mq, a);
	kipc_msgq_requeue(&f->mq, b);	/* b goes between a and c */
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), b);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), c);
}

/* A withdrawn message that is not the oldest of its type leaves cleanly. */
static void msgq_del_behind_oldest_of_type(struct kunit *test)
{
	struct kipc_msg *a = send(test, 3, 1);
	struct kipc_msg *b = send(test, 3, 2);
	struct kipc_msg *c = send(test, 5, 4);
	struct kipc_msg *d = send(test, 3, 8);
	struct msgq_fixture *f = test->priv;

	kipc_msgq_del(&f->mq, b);	/* middle of type 3 */
	KUNIT_EXPECT_EQ(test, f->mq.nr_msgs, 3);
	KUNIT_EXPECT_EQ(test, f->mq.bytes, 13);
	kipc_msgq_del(&f->mq, d);	/* newest of type 3 */
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), c);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), NULL);
	KUNIT_EXPECT_EQ(test, f->mq.nr_msgs, 0);
	KUNIT_EXPECT_EQ(test, f->mq.bytes, 0);
}

/* A former oldest, displaced by a requeued older one, can be withdrawn. */
static void msgq_del_displaced_oldest(struct kunit *test)
{
	struct kipc_msg *a = send(test, 3, 0);
	struct kipc_msg *b = send(test, 3, 0);
	struct kipc_msg *c = send(test, 3, 0);
	struct msgq_fixture *f = test->priv;

	KUNIT_ASSERT_PTR_EQ(test, take(test, KIPC_SEL_FIFO, 0), a);
	kipc_msgq_requeue(&f->mq, a);	/* b was the oldest, a is again */
	kipc_msgq_del(&f->mq, b);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), a);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_TYPE_EQ, 3), c);
	KUNIT_EXPECT_PTR_EQ(test, take(test, KIPC_SEL_PRIO, 0), NULL);
}

/* Mixed selections agree with a brute-force model of the queue. */
static void msgq_matches_model_under_mixed_selections(struct kunit *test)
{
	static const u64 types[NR_TEST_MSGS] = {
		4, 1, 4, 9, 1, 0, 9, 4, 2, 2, 7, 1, 0, 9, 3, 4
	};
	struct msgq_fixture *f = test->priv;
	bool gone[NR_TEST_MSGS] = {};
	unsigned int step, i;

	for (i = 0; i < NR_TEST_MSGS; i++)
		send(test, types[i], i);
	for (step = 0; step < NR_TEST_MSGS; step++) {
		unsigned int sel = step % (KIPC_SEL_MAX + 1);
		u64 arg = types[(step * 7) % NR_TEST_MSGS];
		struct kipc_msg *want = NULL, *got;

		for (i = 0; i < NR_TEST_MSGS; i++) {
			struct kipc_msg *m = &f->msgs[i];
			bool ok;

			if (gone[i])
				continue;
			switch (sel) {
			case KIPC_SEL_FIFO:
				ok = !want;
				break;
			case KIPC_SEL_PRIO:
				ok = !want || m->type > want->type;
				break;
			case KIPC_SEL_TYPE_EQ:
				ok = !want && m->type == arg;
				break;
			case KIPC_SEL_TYPE_LE:
				ok = m->type <= arg &&
				     (!want || m->type < want->type);
				break;
			default:
				ok = !want && m->type != arg;
				break;
			}
			if (ok)
				want = m;
		}
		got = take(test, sel, arg);
		KUNIT_EXPECT_PTR_EQ_MSG(test, got, want, "step %u sel %u arg %llu",
					step, sel, arg);
		if (got)
			gone[got - f->msgs] = true;
	}
}

static struct kunit_case kipc_msgq_cases[] = {
	KUNIT_CASE(msgq_empty_selects_nothing),
	KUNIT_CASE(msgq_fifo_returns_send_order),
	KUNIT_CASE(msgq_seq_increases_in_send_order),
	KUNIT_CASE(msgq_prio_highest_first_fifo_within),
	KUNIT_CASE(msgq_prio_handles_extreme_types),
	KUNIT_CASE(msgq_type_eq_takes_oldest_of_type),
	KUNIT_CASE(msgq_type_le_takes_lowest_type),
	KUNIT_CASE(msgq_type_ne_skips_excluded_type),
	KUNIT_CASE(msgq_unknown_select_returns_null),
	KUNIT_CASE(msgq_counts_messages_and_bytes),
	KUNIT_CASE(msgq_requeue_restores_fifo_position),
	KUNIT_CASE(msgq_requeue_restores_oldest_of_type),
	KUNIT_CASE(msgq_requeue_out_of_order_keeps_order),
	KUNIT_CASE(msgq_requeue_newer_behind_older_of_type),
	KUNIT_CASE(msgq_del_behind_oldest_of_type),
	KUNIT_CASE(msgq_del_displaced_oldest),
	KUNIT_CASE(msgq_matches_model_under_mixed_selections),
	{}
};

static struct kunit_suite kipc_msgq_suite = {
	.name = "kipc_msgq",
	.init = msgq_test_init,
	.test_cases = kipc_msgq_cases,
};

kunit_test_suite(kipc_msgq_suite);
