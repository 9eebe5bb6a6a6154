// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the pure helpers of shared memory (kmod/shm.c): open
 * flags, region size, word offsets, wait buckets and the lock word a dead
 * holder leaves.
 */
#include <kunit/test.h>
#include <linux/kipc.h>

#include "../shm.h"

static void open_flags_accept_read_write_and_common_flags(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_shm_open_flags_check(KIPC_O_READ), 0);
	KUNIT_EXPECT_EQ(test, kipc_shm_open_flags_check(KIPC_O_WRITE), 0);
	KUNIT_EXPECT_EQ(test, kipc_shm_open_flags_check(KIPC_O_ALL), 0);
}

static void open_flags_without_direction_are_einval(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_shm_open_flags_check(0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_open_flags_check(KIPC_O_ALL &
			~(KIPC_O_READ | KIPC_O_WRITE)), -EINVAL);
}

static void open_flags_mailbox_and_unknown_bits_are_einval(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_shm_open_flags_check(KIPC_O_READ |
			KIPC_O_OWNED), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_open_flags_check(KIPC_O_READ |
			KIPC_O_OWNER_RECV), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_open_flags_check(KIPC_O_READ |
			(1U << 31)), -EINVAL);
}

static void size_one_byte_to_max_pass(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(1, 4096), 0);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(4096, 4096), 0);
}

static void size_zero_or_over_max_is_einval(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(0, 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(4097, 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(U64_MAX, 4096), -EINVAL);
}

static void offset_words_inside_the_region_pass(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(0, 4), 0);
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(0, 4096), 0);
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(4092, 4096), 0);
	/* a size that is not a multiple of 4: the last whole word */
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(8, 13), 0);
}

static void offset_unaligned_is_einval(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(1, 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(2, 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(4093, 4096), -EINVAL);
}

static void offset_past_the_end_is_einval(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(4096, 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(12, 13), -EINVAL);
	/* a region smaller than a word has none */
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(0, 3), -EINVAL);
	/* no wrap-around */
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(U64_MAX - 3, 4096),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_offset_check(U64_MAX & ~3ULL, U64_MAX),
			-EINVAL);
}

static void bucket_index_is_in_range_and_stable(struct kunit *test)
{
	unsigned int seen = 0, i, b;
	u64 off;

	for (off = 0; off < 4096 * 4; off += 4) {
		b = kipc_shm_bucket_index(off);
		KUNIT_ASSERT_LT(test, b, KIPC_SHM_BUCKETS);
		KUNIT_EXPECT_EQ(test, b, kipc_shm_bucket_index(off));
		seen |= 1U << b;
	}
	/* consecutive words spread over every bucket */
	for (i = 0; i < KIPC_SHM_BUCKETS; i++)
		KUNIT_EXPECT_TRUE(test, seen & (1U << i));
}

static void lock_word_dead_frees_the_holders_lock(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(7, 7),
			KIPC_LOCK_OWNER_DIED);
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(KIPC_LOCK_HOLDER_MASK - 1,
						  KIPC_LOCK_HOLDER_MASK - 1),
			KIPC_LOCK_OWNER_DIED);
}

static void lock_word_dead_keeps_waiters(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(KIPC_LOCK_WAITERS | 7, 7),
			KIPC_LOCK_WAITERS | KIPC_LOCK_OWNER_DIED);
	/* a holder that died after taking an owner-died lock */
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(KIPC_LOCK_WAITERS |
						  KIPC_LOCK_OWNER_DIED | 7, 7),
			KIPC_LOCK_WAITERS | KIPC_LOCK_OWNER_DIED);
}

static void lock_word_dead_leaves_others_alone(struct kunit *test)
{
	/* free, held by another, other flags, not recoverable */
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(0, 7), 0);
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(8, 7), 8);
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(KIPC_LOCK_WAITERS | 8, 7),
			KIPC_LOCK_WAITERS | 8);
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(KIPC_LOCK_OWNER_DIED, 7),
			KIPC_LOCK_OWNER_DIED);
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(KIPC_LOCK_NOTRECOVERABLE,
						  7),
			KIPC_LOCK_NOTRECOVERABLE);
	/* the holder bits compare whole: 7 is not 7 | 1 << 29 */
	KUNIT_EXPECT_EQ(test, kipc_lock_word_dead(7 | (1U << 29), 7),
			7 | (1U << 29));
}

static struct kunit_case kipc_shm_cases[] = {
	KUNIT_CASE(open_flags_accept_read_write_and_common_flags),
	KUNIT_CASE(open_flags_without_direction_are_einval),
	KUNIT_CASE(open_flags_mailbox_and_unknown_bits_are_einval),
	KUNIT_CASE(size_one_byte_to_max_pass),
	KUNIT_CASE(size_zero_or_over_max_is_einval),
	KUNIT_CASE(offset_words_inside_the_region_pass),
	KUNIT_CASE(offset_unaligned_is_einval),
	KUNIT_CASE(offset_past_the_end_is_einval),
	KUNIT_CASE(bucket_index_is_in_range_and_stable),
	KUNIT_CASE(lock_word_dead_frees_the_holders_lock),
	KUNIT_CASE(lock_word_dead_keeps_waiters),
	KUNIT_CASE(lock_word_dead_leaves_others_alone),
	{}
};

static struct kunit_suite kipc_shm_suite = {
	.name = "kipc_shm",
	.test_cases = kipc_shm_cases,
};

kunit_test_suite(kipc_shm_suite);
