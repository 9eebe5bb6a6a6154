// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the pure parts of kipc pipes (kmod/pipe.c): capacity
 * rounding, ring arithmetic, how much a write may copy, the ring copy a
 * resize makes and the poll mask.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/kipc.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../pipe.h"

static void capacity_rounds_up_to_a_page(struct kunit *test)
{
	u32 cap = 0;

	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(1, SZ_1M, &cap), 0);
	KUNIT_EXPECT_EQ(test, cap, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(PAGE_SIZE, SZ_1M, &cap), 0);
	KUNIT_EXPECT_EQ(test, cap, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(PAGE_SIZE + 1, SZ_1M, &cap),
			0);
	KUNIT_EXPECT_EQ(test, cap, 2 * PAGE_SIZE);
}

static void capacity_zero_is_einval(struct kunit *test)
{
	u32 cap = 7;

	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(0, SZ_1M, &cap), -EINVAL);
	KUNIT_EXPECT_EQ(test, cap, 7);
}

static void capacity_over_max_after_rounding_is_einval(struct kunit *test)
{
	u32 cap = 7;

	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(SZ_1M, SZ_1M, &cap), 0);
	KUNIT_EXPECT_EQ(test, cap, SZ_1M);
	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(SZ_1M + 1, SZ_1M, &cap),
			-EINVAL);
	/* a max that is not a whole page: what rounds over it is refused */
	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(PAGE_SIZE + 1,
						 PAGE_SIZE + 100, &cap),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(U32_MAX, U64_MAX, &cap),
			-EINVAL);
	/* one kvmalloc(): INT_MAX bytes at most, whatever the max */
	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(INT_MAX, U64_MAX, &cap),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(0x80000000ULL, U64_MAX,
						 &cap), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_pipe_capacity(round_down(INT_MAX, PAGE_SIZE),
						 U64_MAX, &cap), 0);
	KUNIT_EXPECT_EQ(test, cap, round_down(INT_MAX, PAGE_SIZE));
}

static void ring_add_wraps_at_the_size(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_add(12288, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_add(12288, 100, 50), 150);
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_add(12288, 12000, 288), 0);
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_add(12288, 12000, 300), 12);
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_add(12288, 0, 12288), 0);
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_add(12288, 12287, 12288), 12287);
}

static void ring_span_splits_at_the_wrap(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_span(4096, 0, 4096), 4096);
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_span(4096, 100, 50), 50);
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_span(4096, 4000, 96), 96);
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_span(4096, 4000, 200), 96);
	KUNIT_EXPECT_EQ(test, kipc_pipe_ring_span(4096, 4095, 4096), 1);
}

static void write_room_atomic_is_all_or_nothing(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 0, 4096, true), 4096);
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 4096, 4096, true),
			4096);
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 4097, 4096, true), 0);
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 8191, 2, true), 0);
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 8191, 1, true), 1);
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 8192, 1, true), 0);
}

static void write_room_large_takes_what_fits(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 0, 100000, false),
			8192);
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 8000, 100000, false),
			192);
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 8192, 100000, false),
			0);
	/* the tail of a large write: less than the room */
	KUNIT_EXPECT_EQ(test, kipc_pipe_write_room(8192, 100, 10, false), 10);
}

static void ring_copy_keeps_order_across_the_wrap(struct kunit *test)
{
	const u32 size = 16;
	char src[16], dst[16];

	/* "abcdefgh" stored from offset 12: "efgh" at 0, "abcd" at 12 */
	memset(src, '.', size);
	memcpy(src + 12, "abcd", 4);
	memcpy(src, "efgh", 4);
	memset(dst, 0, sizeof(dst));
	kipc_pipe_ring_copy(dst, src, size, 12, 8);
	KUNIT_EXPECT_EQ(test, memcmp(dst, "abcdefgh", 8), 0);

	/* contiguous, and empty */
	memset(dst, 0, sizeof(dst));
	kipc_pipe_ring_copy(dst, src, size, 12, 3);
	KUNIT_EXPECT_EQ(test, memcmp(dst, "abc", 3), 0);
	memset(dst, 0, sizeof(dst));
	kipc_pipe_ring_copy(dst, src, size, 5, 0);
	KUNIT_EXPECT_EQ(test, dst[0], 0);
}

static void ring_copy_full_ring(struct kunit *test)
{
	char src[8] = "45670123", dst[8];

	kipc_pipe_ring_copy(dst, src, 8, 4, 8);
	KUNIT_EXPECT_EQ(test, memcmp(dst, "01234567", 8), 0);
}

static void poll_read_end(struct kunit *test)
{
	const u32 sz = 65536;

	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_READ, sz, 0, 1, 1,
						  true), 0);
	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_READ, sz, 1, 1, 1,
						  true),
			EPOLLIN | EPOLLRDNORM);
	/* no writer, after having had one: EOF */
	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_READ, sz, 0, 1, 0,
						  true), EPOLLHUP);
	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_READ, sz, 5, 1, 0,
						  true),
			EPOLLIN | EPOLLRDNORM | EPOLLHUP);
	/* a read end that never saw a writer is not hung up */
	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_READ, sz, 0, 1, 0,
						  false), 0);
}

static void poll_write_end(struct kunit *test)
{
	const u32 sz = 8192;

	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_WRITE, sz, 0, 1, 1,
						  false),
			EPOLLOUT | EPOLLWRNORM);
	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_WRITE, sz,
						  sz - KIPC_PIPE_ATOMIC, 1, 1,
						  false),
			EPOLLOUT | EPOLLWRNORM);
	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_WRITE, sz,
						  sz - KIPC_PIPE_ATOMIC + 1, 1,
						  1, false), 0);
	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_WRITE, sz, sz, 0, 1,
						  false), EPOLLERR);
	/* a write end never reports data or hang-up */
	KUNIT_EXPECT_EQ(test, kipc_pipe_poll_mask(FMODE_WRITE, sz, 10, 1, 0,
						  true),
			EPOLLOUT | EPOLLWRNORM);
}

static struct kunit_case kipc_pipe_cases[] = {
	KUNIT_CASE(capacity_rounds_up_to_a_page),
	KUNIT_CASE(capacity_zero_is_einval),
	KUNIT_CASE(capacity_over_max_after_rounding_is_einval),
	KUNIT_CASE(ring_add_wraps_at_the_size),
	KUNIT_CASE(ring_span_splits_at_the_wrap),
	KUNIT_CASE(write_room_atomic_is_all_or_nothing),
	KUNIT_CASE(write_room_large_takes_what_fits),
	KUNIT_CASE(ring_copy_keeps_order_across_the_wrap),
	KUNIT_CASE(ring_copy_full_ring),
	KUNIT_CASE(poll_read_end),
	KUNIT_CASE(poll_write_end),
	{}
};

static struct kunit_suite kipc_pipe_suite = {
	.name = "kipc_pipe",
	.test_cases = kipc_pipe_cases,
};

kunit_test_suite(kipc_pipe_suite);
