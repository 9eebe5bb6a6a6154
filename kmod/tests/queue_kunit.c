// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for queue limits (kmod/queue.c): defaults and checks against
 * the module's maxima; the open flags of queues and mailboxes.
 */
#include <kunit/test.h>
#include <linux/kipc.h>
#include <linux/module.h>

#include "../queue.h"

static const struct kipc_queue_limits max = {
	.max_msgsize	= 1024,
	.max_msgs	= 100,
	.capacity	= 65536,
};

static const struct kipc_queue_limits def = {
	.max_msgsize	= 512,
	.max_msgs	= 10,
	.capacity	= 4096,
};

static void limits_zero_fields_take_defaults(struct kunit *test)
{
	struct kipc_queue_limits lim = {};

	kipc_queue_limits_default(&lim, &def);
	KUNIT_EXPECT_EQ(test, lim.max_msgsize, 512);
	KUNIT_EXPECT_EQ(test, lim.max_msgs, 10);
	KUNIT_EXPECT_EQ(test, lim.capacity, 4096);
}

static void limits_given_fields_are_kept(struct kunit *test)
{
	struct kipc_queue_limits lim = { 100, 3, 300 };

	kipc_queue_limits_default(&lim, &def);
	KUNIT_EXPECT_EQ(test, lim.max_msgsize, 100);
	KUNIT_EXPECT_EQ(test, lim.max_msgs, 3);
	KUNIT_EXPECT_EQ(test, lim.capacity, 300);
}

static void limits_default_msgsize_fits_small_capacity(struct kunit *test)
{
	struct kipc_queue_limits lim = { .capacity = 100 };

	kipc_queue_limits_default(&lim, &def);
	KUNIT_EXPECT_EQ(test, lim.max_msgsize, 100);
	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&lim, &max), 0);
}

static void limits_at_maxima_pass(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&max, &max), 0);
}

static void limits_msgsize_over_max_is_emsgsize(struct kunit *test)
{
	struct kipc_queue_limits lim = max;

	lim.max_msgsize++;
	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&lim, &max), -EMSGSIZE);
}

static void limits_capacity_zero_or_over_is_einval(struct kunit *test)
{
	struct kipc_queue_limits lim = max;

	lim.capacity = 0;
	lim.max_msgsize = 0;
	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&lim, &max), -EINVAL);
	lim.capacity = max.capacity + 1;
	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&lim, &max), -EINVAL);
}

static void limits_msgs_zero_or_over_is_einval(struct kunit *test)
{
	struct kipc_queue_limits lim = max;

	lim.max_msgs = 0;
	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&lim, &max), -EINVAL);
	lim.max_msgs = max.max_msgs + 1;
	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&lim, &max), -EINVAL);
}

static void limits_msgsize_over_capacity_is_einval(struct kunit *test)
{
	struct kipc_queue_limits lim = { .max_msgsize = 200, .max_msgs = 1,
					 .capacity = 199 };

	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&lim, &max), -EINVAL);
	lim.capacity = 200;
	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&lim, &max), 0);
}

static void limits_zero_msgsize_is_allowed(struct kunit *test)
{
	struct kipc_queue_limits lim = { .max_msgsize = 0, .max_msgs = 1,
					 .capacity = 1 };

	KUNIT_EXPECT_EQ(test, kipc_queue_limits_check(&lim, &max), 0);
}

#define SR	(KIPC_O_SEND | KIPC_O_RECV)

static void open_flags_queue_accepts_every_common_flag(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_queue_open_flags_check(KIPC_O_ALL, false), 0);
	KUNIT_EXPECT_EQ(test, kipc_queue_open_flags_check(KIPC_O_SEND, false),
			0);
	KUNIT_EXPECT_EQ(test, kipc_queue_open_flags_check(KIPC_O_RECV, false),
			0);
}

static void open_flags_queue_rejects_mailbox_flags(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test,
			kipc_queue_open_flags_check(SR | KIPC_O_OWNED, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			kipc_queue_open_flags_check(SR | KIPC_O_OWNED |
						    KIPC_O_OWNER_RECV, false),
			-EINVAL);
}

static void open_flags_mailbox_accepts_every_flag(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test,
			kipc_queue_open_flags_check(KIPC_O_MAILBOX_ALL, true),
			0);
	KUNIT_EXPECT_EQ(test,
			kipc_queue_open_flags_check(SR | KIPC_O_OWNED, true), 0);
	KUNIT_EXPECT_EQ(test, kipc_queue_open_flags_check(SR, true), 0);
}

static void open_flags_owner_recv_without_owned_is_einval(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test,
			kipc_queue_open_flags_check(SR | KIPC_O_OWNER_RECV,
						    true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			kipc_queue_open_flags_check(KIPC_O_MAILBOX_ALL &
						    ~KIPC_O_OWNED, true),
			-EINVAL);
}

static void open_flags_unknown_bits_are_einval(struct kunit *test)
{
	u32 bit;

	for (bit = 8; bit < 32; bit++) {
		KUNIT_EXPECT_EQ(test,
				kipc_queue_open_flags_check(SR | BIT(bit), true),
				-EINVAL);
		KUNIT_EXPECT_EQ(test,
				kipc_queue_open_flags_check(SR | BIT(bit), false),
				-EINVAL);
	}
}

static void open_flags_without_direction_are_einval(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_queue_open_flags_check(0, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_queue_open_flags_check(KIPC_O_CREAT, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			kipc_queue_open_flags_check(KIPC_O_CREAT | KIPC_O_OWNED,
						    true),
			-EINVAL);
}

static struct kunit_case kipc_queue_cases[] = {
	KUNIT_CASE(limits_zero_fields_take_defaults),
	KUNIT_CASE(limits_given_fields_are_kept),
	KUNIT_CASE(limits_default_msgsize_fits_small_capacity),
	KUNIT_CASE(limits_at_maxima_pass),
	KUNIT_CASE(limits_msgsize_over_max_is_emsgsize),
	KUNIT_CASE(limits_capacity_zero_or_over_is_einval),
	KUNIT_CASE(limits_msgs_zero_or_over_is_einval),
	KUNIT_CASE(limits_msgsize_over_capacity_is_einval),
	KUNIT_CASE(limits_zero_msgsize_is_allowed),
	KUNIT_CASE(open_flags_queue_accepts_every_common_flag),
	KUNIT_CASE(open_flags_queue_rejects_mailbox_flags),
	KUNIT_CASE(open_flags_mailbox_accepts_every_flag),
	KUNIT_CASE(open_flags_owner_recv_without_owned_is_einval),
	KUNIT_CASE(open_flags_unknown_bits_are_einval),
	KUNIT_CASE(open_flags_without_direction_are_einval),
	{}
};

static struct kunit_suite kipc_queue_suite = {
	.name = "kipc_queue",
	.test_cases = kipc_queue_cases,
};

kunit_test_suite(kipc_queue_suite);

MODULE_DESCRIPTION("KUnit tests for kipc");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
