// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for queue limits (kmod/queue.c): defaults and checks against
 * the module's maxima.
 */
#include <kunit/test.h>
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
