// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for what the netlink family decides without a socket: the
 * mapping between uapi and registry types, the bits a mode grants, and
 * who sees an object's name (kmod/object.c, used by kmod/netlink.c).
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kipc.h>
#include <linux/mutex.h>
#include <linux/uidgid.h>

#include "../object.h"

static void uapi_types_map_both_ways(struct kunit *test)
{
	enum kipc_obj_type t;

	for (t = 0; t < KIPC_OBJ_NR_TYPES; t++) {
		KUNIT_EXPECT_NE(test, kipc_object_uapi_type(t),
				KIPC_TYPE_UNSPEC);
		KUNIT_EXPECT_EQ(test,
				kipc_object_type_from_uapi(kipc_object_uapi_type(t)),
				t);
	}
	KUNIT_EXPECT_EQ(test, kipc_object_uapi_type(KIPC_OBJ_MAILBOX),
			KIPC_TYPE_MAILBOX);
	KUNIT_EXPECT_EQ(test, kipc_object_uapi_type(KIPC_OBJ_SHM),
			KIPC_TYPE_SHM);
}

static void sessions_links_and_unknown_are_no_registry_type(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kipc_object_type_from_uapi(KIPC_TYPE_UNSPEC),
			KIPC_OBJ_NR_TYPES);
	KUNIT_EXPECT_EQ(test, kipc_object_type_from_uapi(KIPC_TYPE_SESSION),
			KIPC_OBJ_NR_TYPES);
	KUNIT_EXPECT_EQ(test, kipc_object_type_from_uapi(KIPC_TYPE_LINK),
			KIPC_OBJ_NR_TYPES);
	KUNIT_EXPECT_EQ(test, kipc_object_type_from_uapi(KIPC_TYPE_MAX + 1),
			KIPC_OBJ_NR_TYPES);
	KUNIT_EXPECT_EQ(test, kipc_object_uapi_type(KIPC_OBJ_NR_TYPES),
			KIPC_TYPE_UNSPEC);
}

static void mode_granted_picks_one_class(struct kunit *test)
{
	/* owner rw-, group r--, other -w- */
	KUNIT_EXPECT_EQ(test, kipc_mode_granted(0642, true, true),
			MAY_READ | MAY_WRITE);
	KUNIT_EXPECT_EQ(test, kipc_mode_granted(0642, false, true), MAY_READ);
	KUNIT_EXPECT_EQ(test, kipc_mode_granted(0642, false, false), MAY_WRITE);
	/* the owner class rules even when it grants less than others */
	KUNIT_EXPECT_EQ(test, kipc_mode_granted(0066, true, false), 0);
	/* execute bits grant nothing */
	KUNIT_EXPECT_EQ(test, kipc_mode_granted(0111, false, false), 0);
}

/* A reader uid 1000, gid 1000, also in group 2000. */
struct visible_env {
	struct kipc_object obj;
	struct cred cred;
	struct group_info *gi;
};

static struct visible_env *visible_env(struct kunit *test)
{
	struct visible_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->gi = groups_alloc(1);
	KUNIT_ASSERT_NOT_NULL(test, e->gi);
	e->gi->gid[0] = KGIDT_INIT(2000);
	e->cred.euid = KUIDT_INIT(1000);
	e->cred.fsgid = KGIDT_INIT(1000);
	e->cred.group_info = e->gi;
	e->obj.uid = KUIDT_INIT(0);
	e->obj.cuid = KUIDT_INIT(0);
	e->obj.gid = KGIDT_INIT(0);
	e->obj.cgid = KGIDT_INIT(0);
	return e;
}

static bool visible(struct visible_env *e, bool cap)
{
	bool ret;

	mutex_lock(&kipc_reg_lock);
	ret = kipc_object_visible_locked(&e->obj, &e->cred, cap);
	mutex_unlock(&kipc_reg_lock);
	return ret;
}

static void name_visible_to_owner_creator_and_cap(struct kunit *test)
{
	struct visible_env *e = visible_env(test);

	e->obj.mode = 0;
	KUNIT_EXPECT_FALSE(test, visible(e, false));
	KUNIT_EXPECT_TRUE(test, visible(e, true));
	e->obj.uid = KUIDT_INIT(1000);
	KUNIT_EXPECT_TRUE(test, visible(e, false));
	e->obj.uid = KUIDT_INIT(0);
	e->obj.cuid = KUIDT_INIT(1000);
	KUNIT_EXPECT_TRUE(test, visible(e, false));
	put_group_info(e->gi);
}

static void name_visible_when_mode_grants_read_or_write(struct kunit *test)
{
	struct visible_env *e = visible_env(test);

	e->obj.mode = 0604;
	KUNIT_EXPECT_TRUE(test, visible(e, false));
	e->obj.mode = 0602;
	KUNIT_EXPECT_TRUE(test, visible(e, false));
	e->obj.mode = 0601;
	KUNIT_EXPECT_FALSE(test, visible(e, false));
	/* group bits count for a member, through a supplementary group */
	e->obj.mode = 0640;
	KUNIT_EXPECT_FALSE(test, visible(e, false));
	e->obj.gid = KGIDT_INIT(2000);
	KUNIT_EXPECT_TRUE(test, visible(e, false));
	/* and only the group class then: others' bits do not */
	e->obj.mode = 0606;
	KUNIT_EXPECT_FALSE(test, visible(e, false));
	/* the creator's group counts too, through the fs gid */
	e->obj.gid = KGIDT_INIT(0);
	e->obj.cgid = KGIDT_INIT(1000);
	e->obj.mode = 0620;
	KUNIT_EXPECT_TRUE(test, visible(e, false));
	put_group_info(e->gi);
}

static struct kunit_case kipc_netlink_cases[] = {
	KUNIT_CASE(uapi_types_map_both_ways),
	KUNIT_CASE(sessions_links_and_unknown_are_no_registry_type),
	KUNIT_CASE(mode_granted_picks_one_class),
	KUNIT_CASE(name_visible_to_owner_creator_and_cap),
	KUNIT_CASE(name_visible_when_mode_grants_read_or_write),
	{}
};

static struct kunit_suite kipc_netlink_suite = {
	.name = "kipc_netlink",
	.test_cases = kipc_netlink_cases,
};

kunit_test_suite(kipc_netlink_suite);
