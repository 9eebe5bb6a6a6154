// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the pure parts of kipc objects (kmod/object.c): name
 * validation, quota arithmetic and id allocation; and the registry's
 * handling of a type's linking() failing and of kipc_object_unlink().
 */
#include <kunit/test.h>
#include <linux/kipc.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../object.h"

static int name_check(const char *name)
{
	return kipc_name_check(name, strlen(name));
}

static void name_accepts_plain_names(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, name_check("q"), 0);
	KUNIT_EXPECT_EQ(test, name_check("jobs.high-prio_2"), 0);
	KUNIT_EXPECT_EQ(test, name_check("caf\xc3\xa9"), 0);	/* UTF-8 */
}

static void name_rejects_empty(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, name_check(""), -EINVAL);
}

static void name_rejects_slash_and_control(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, name_check("a/b"), -EINVAL);
	KUNIT_EXPECT_EQ(test, name_check("/"), -EINVAL);
	KUNIT_EXPECT_EQ(test, name_check("tab\there"), -EINVAL);
	KUNIT_EXPECT_EQ(test, name_check("nl\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, name_check("del\x7f"), -EINVAL);
}

static void name_length_limit_is_kipc_name_max(struct kunit *test)
{
	char *name = kunit_kzalloc(test, KIPC_NAME_MAX + 2, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, name);
	memset(name, 'x', KIPC_NAME_MAX);
	KUNIT_EXPECT_EQ(test, kipc_name_check(name, KIPC_NAME_MAX), 0);
	name[KIPC_NAME_MAX] = 'x';
	KUNIT_EXPECT_EQ(test, kipc_name_check(name, KIPC_NAME_MAX + 1),
			-ENAMETOOLONG);
}

static void charge_within_limit_adds(struct kunit *test)
{
	struct kipc_user u = { .bytes = 100 };

	KUNIT_EXPECT_EQ(test, kipc_user_charge(&u, 0, 900, 1000), 0);
	KUNIT_EXPECT_EQ(test, u.bytes, 1000);
}

static void charge_over_limit_returns_edquot(struct kunit *test)
{
	struct kipc_user u = { .bytes = 100 };

	KUNIT_EXPECT_EQ(test, kipc_user_charge(&u, 0, 901, 1000), -EDQUOT);
	KUNIT_EXPECT_EQ(test, u.bytes, 100);
}

static void charge_huge_does_not_wrap(struct kunit *test)
{
	struct kipc_user u = { .bytes = 100 };

	KUNIT_EXPECT_EQ(test, kipc_user_charge(&u, 0, U64_MAX, 1000), -EDQUOT);
	KUNIT_EXPECT_EQ(test, kipc_user_charge(&u, 0, U64_MAX - 50, U64_MAX),
			-EDQUOT);
	KUNIT_EXPECT_EQ(test, u.bytes, 100);
}

static void charge_shrink_always_succeeds(struct kunit *test)
{
	/* over the limit after the limit was lowered: shrinking still works */
	struct kipc_user u = { .bytes = 5000 };

	KUNIT_EXPECT_EQ(test, kipc_user_charge(&u, 4000, 1000, 1000), 0);
	KUNIT_EXPECT_EQ(test, u.bytes, 2000);
	KUNIT_EXPECT_EQ(test, kipc_user_charge(&u, 1000, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, u.bytes, 1000);
}

static void charge_regrow_counts_only_difference(struct kunit *test)
{
	struct kipc_user u = { .bytes = 1000 };

	/* an object charged 600 grows to 1000: total 1400 > 1200 */
	KUNIT_EXPECT_EQ(test, kipc_user_charge(&u, 600, 1000, 1200), -EDQUOT);
	KUNIT_EXPECT_EQ(test, kipc_user_charge(&u, 600, 800, 1200), 0);
	KUNIT_EXPECT_EQ(test, u.bytes, 1200);
}

static void noop_release(struct kipc_object *obj)
{
}

static const unsigned int no_limit = UINT_MAX;

static const struct kipc_object_ops test_ops = {
	.type		= KIPC_OBJ_QUEUE,
	.max_per_user	= &no_limit,
	.release	= noop_release,
	.unlinked	= noop_release,
};

static void ids_are_unique_and_increasing(struct kunit *test)
{
	struct kipc_object a = {}, b = {};

	KUNIT_ASSERT_EQ(test, kipc_object_init(&a, &test_ops, NULL, 0600), 0);
	KUNIT_ASSERT_EQ(test, kipc_object_init(&b, &test_ops, NULL, 0600), 0);
	KUNIT_EXPECT_GT(test, a.id, 0);
	KUNIT_EXPECT_GT(test, b.id, a.id);
	kipc_object_destroy(&a);
	kipc_object_destroy(&b);
}

static void init_masks_mode_and_records_creator(struct kunit *test)
{
	struct kipc_object a = {};

	KUNIT_ASSERT_EQ(test, kipc_object_init(&a, &test_ops, NULL, 07777), 0);
	KUNIT_EXPECT_EQ(test, a.mode, 0777);
	KUNIT_EXPECT_TRUE(test, uid_eq(a.uid, a.cuid));
	KUNIT_EXPECT_TRUE(test, gid_eq(a.gid, a.cgid));
	KUNIT_EXPECT_NOT_NULL(test, a.creator);
	KUNIT_EXPECT_FALSE(test, a.linked);
	kipc_object_destroy(&a);
}

/* An object that counts what the registry does to it. */
struct counted {
	struct kipc_object obj;
	int linking_ret;
	int nr_linking;
	int nr_unlinked;
	int nr_released;
};

static struct counted *counted_of(struct kipc_object *obj)
{
	return container_of(obj, struct counted, obj);
}

static void counted_release(struct kipc_object *obj)
{
	counted_of(obj)->nr_released++;
	kipc_object_destroy(obj);	/* the memory is the test's */
}

static void counted_unlinked(struct kipc_object *obj)
{
	counted_of(obj)->nr_unlinked++;
}

static int counted_linking(struct kipc_object *obj)
{
	counted_of(obj)->nr_linking++;
	return counted_of(obj)->linking_ret;
}

static const struct kipc_object_ops counted_ops = {
	.type		= KIPC_OBJ_MAILBOX,
	.max_per_user	= &no_limit,
	.release	= counted_release,
	.unlinked	= counted_unlinked,
	.linking	= counted_linking,
};

/* Link @c, charging 100 bytes: 0 or the error. */
static int counted_link(struct counted *c, struct kipc_object **found)
{
	int ret;

	mutex_lock(&kipc_reg_lock);
	ret = kipc_object_link_locked(&c->obj, 100);
	*found = kipc_object_find_locked(KIPC_OBJ_MAILBOX, NULL, c->obj.id);
	mutex_unlock(&kipc_reg_lock);
	return ret;
}

static void link_failing_in_linking_leaves_nothing_linked(struct kunit *test)
{
	struct counted *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct kipc_object *found;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->linking_ret = -ENOMEM;
	KUNIT_ASSERT_EQ(test, kipc_object_init(&c->obj, &counted_ops, NULL,
					       0600), 0);
	KUNIT_EXPECT_EQ(test, counted_link(c, &found), -ENOMEM);
	KUNIT_EXPECT_EQ(test, c->nr_linking, 1);
	KUNIT_EXPECT_PTR_EQ(test, found, NULL);
	KUNIT_EXPECT_FALSE(test, c->obj.linked);
	KUNIT_EXPECT_PTR_EQ(test, c->obj.user, NULL);
	kipc_object_put(&c->obj);	/* the creator's, the only one */
	KUNIT_EXPECT_EQ(test, c->nr_released, 1);
	KUNIT_EXPECT_EQ(test, c->nr_unlinked, 0);
}

static void unlink_unlinks_a_linked_object_once(struct kunit *test)
{
	struct counted *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct kipc_object *found;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, kipc_object_init(&c->obj, &counted_ops, NULL,
					       0600), 0);
	ret = counted_link(c, &found);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (ret) {
		kipc_object_put(&c->obj);
		return;
	}
	KUNIT_EXPECT_PTR_EQ(test, found, &c->obj);
	KUNIT_EXPECT_TRUE(test, kipc_object_unlink(&c->obj));
	KUNIT_EXPECT_FALSE(test, kipc_object_unlink(&c->obj));
	KUNIT_EXPECT_EQ(test, c->nr_unlinked, 1);
	mutex_lock(&kipc_reg_lock);
	found = kipc_object_find_locked(KIPC_OBJ_MAILBOX, NULL, c->obj.id);
	mutex_unlock(&kipc_reg_lock);
	KUNIT_EXPECT_PTR_EQ(test, found, NULL);
	/* the registry's reference went; the creator's is left */
	KUNIT_EXPECT_EQ(test, c->nr_released, 0);
	kipc_object_put(&c->obj);
	KUNIT_EXPECT_EQ(test, c->nr_released, 1);
}

static struct kunit_case kipc_object_cases[] = {
	KUNIT_CASE(name_accepts_plain_names),
	KUNIT_CASE(name_rejects_empty),
	KUNIT_CASE(name_rejects_slash_and_control),
	KUNIT_CASE(name_length_limit_is_kipc_name_max),
	KUNIT_CASE(charge_within_limit_adds),
	KUNIT_CASE(charge_over_limit_returns_edquot),
	KUNIT_CASE(charge_huge_does_not_wrap),
	KUNIT_CASE(charge_shrink_always_succeeds),
	KUNIT_CASE(charge_regrow_counts_only_difference),
	KUNIT_CASE(ids_are_unique_and_increasing),
	KUNIT_CASE(init_masks_mode_and_records_creator),
	KUNIT_CASE(link_failing_in_linking_leaves_nothing_linked),
	KUNIT_CASE(unlink_unlinks_a_linked_object_once),
	{}
};

static struct kunit_suite kipc_object_suite = {
	.name = "kipc_object",
	.test_cases = kipc_object_cases,
};

kunit_test_suite(kipc_object_suite);
