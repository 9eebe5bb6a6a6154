// SPDX-License-Identifier: GPL-2.0
/*
 * kipc's generic netlink family, review findings: a request is checked
 * against both its sender and whoever opened the socket it came on (as
 * netlink_capable() does), so that a socket handed to a more privileged
 * process (as the stdout of a set-uid program, say) lends that process's
 * rights to nobody: names stay hidden, OBJ_DEL and OBJ_NEW are refused.
 */
#include "kipc_test.h"
#include "kipc_nl.h"

FIXTURE(nlrev) {
	int sfd;
	struct knl nl;		/* opened and used by root */
	struct knl weak;	/* opened as nobody, used by root */
	struct knl_names names;
};

/*
 * Open @nl with nobody's effective ids (so without capabilities), then
 * be root again: the socket's opener is nobody, its users root.
 */
static int knl_open_as_nobody(struct knl *nl)
{
	int ret;

	if (setresgid(-1, KT_NOBODY, -1) || setresuid(-1, KT_NOBODY, -1))
		return -errno;
	ret = knl_open(nl);
	if (setresuid(-1, 0, -1) || setresgid(-1, 0, -1))
		abort();
	return ret;
}

FIXTURE_SETUP(nlrev)
{
	int ret;

	self->nl.fd = -1;
	self->weak.fd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid())
		SKIP(return, "needs root");
	KNL_OPEN(&self->nl);
	ret = knl_open_as_nobody(&self->weak);
	ASSERT_EQ(0, ret) TH_LOG("open as nobody: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(nlrev)
{
	knl_names_remove_all(self->sfd, &self->names);
	knl_close(&self->weak);
	knl_close(&self->nl);
	close(self->sfd);
}

/* A root-owned named queue of @mode; its name, and its id in *@id. */
static const char *root_queue(FIXTURE_DATA(nlrev) *self, unsigned int mode,
			      uint64_t *id)
{
	const char *name = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "rq");
	int fd;

	fd = kipc_queue_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			     KIPC_O_SEND | KIPC_O_RECV, mode, NULL, id);
	if (fd < 0)
		return NULL;
	close(fd);
	return name;
}

static int find_cb(const struct knl_obj *o, void *arg)
{
	struct knl_obj *want = arg;

	if (o->v[KIPC_A_ID] == want->v[KIPC_A_ID])
		*want = *o;
	return 0;
}

TEST_F(nlrev, del_via_socket_opened_by_nobody_refused)
{
	uint64_t id;

	ASSERT_NE(NULL, root_queue(self, 0600, &id));
	EXPECT_EQ(-EPERM, knl_del_id(&self->weak, id));
	/* still there */
	EXPECT_EQ(0, knl_get_id(&self->nl, id, NULL));
	/* by name too */
	EXPECT_EQ(-EPERM, knl_del_name(&self->weak, KIPC_TYPE_QUEUE,
				       self->names.name[0]));
	EXPECT_EQ(0, knl_get_id(&self->nl, id, NULL));
	/* the same request on root's own socket works */
	EXPECT_EQ(0, knl_del_id(&self->nl, id));
	EXPECT_EQ(-ENOENT, knl_get_id(&self->nl, id, NULL));
}

TEST_F(nlrev, get_and_dump_via_socket_opened_by_nobody_hide_name)
{
	struct knl_obj o, d;
	uint64_t id;

	ASSERT_NE(NULL, root_queue(self, 0600, &id));
	/* root's socket: the name */
	ASSERT_EQ(0, knl_get_id(&self->nl, id, &o));
	EXPECT_TRUE(KNL_HAS(&o, KIPC_A_NAME));
	/* nobody's socket: no name, get or dump */
	ASSERT_EQ(0, knl_get_id(&self->weak, id, &o));
	EXPECT_FALSE(KNL_HAS(&o, KIPC_A_NAME)) TH_LOG("name leaked: %s",
						      o.name);
	memset(&d, 0, sizeof(d));
	d.v[KIPC_A_ID] = id;
	ASSERT_EQ(0, knl_dump(&self->weak, KIPC_TYPE_QUEUE, -1, find_cb, &d,
			      NULL));
	ASSERT_TRUE(KNL_HAS(&d, KIPC_A_ID));
	EXPECT_FALSE(KNL_HAS(&d, KIPC_A_NAME)) TH_LOG("name leaked: %s",
						      d.name);
}

TEST_F(nlrev, new_via_socket_opened_by_nobody_refused)
{
	const char *name = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "nw");
	struct knl_new_args a = { .mode = 0666, .has_mode = true };
	struct knl_obj o;

	EXPECT_EQ(-EPERM, knl_new(&self->weak, KIPC_TYPE_QUEUE, name, &a,
				  NULL));
	EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, KIPC_TYPE_QUEUE, name, &o));
}

/* The other way round changes nothing: root's socket, used by nobody. */
static int nobody_on_roots_socket(void *arg)
{
	FIXTURE_DATA(nlrev) *self = arg;
	const char *mine = self->names.name[1];
	struct knl_obj o;
	uint64_t id;
	int fd;

	fd = kipc_queue_open(self->sfd, mine, KIPC_O_CREAT | KIPC_O_EXCL |
			     KIPC_O_SEND, 0600, NULL, &id);
	if (fd < 0)
		return 10;
	close(fd);
	if (knl_get_id(&self->nl, id, &o) || !KNL_HAS(&o, KIPC_A_NAME))
		return 11;
	/* root's queue: neither its name nor its removal */
	if (knl_get_name(&self->nl, KIPC_TYPE_QUEUE, self->names.name[0], &o))
		return 12;
	if (KNL_HAS(&o, KIPC_A_NAME))
		return 13;
	if (knl_del_id(&self->nl, o.v[KIPC_A_ID]) != -EPERM)
		return 14;
	/* its own: yes */
	if (knl_del_id(&self->nl, id))
		return 15;
	return 0;
}

TEST_F(nlrev, roots_socket_used_by_nobody_acts_as_nobody)
{
	uint64_t id;

	ASSERT_NE(NULL, root_queue(self, 0600, &id));
	knl_name_new(&self->names, KIPC_TYPE_QUEUE, "nb");
	EXPECT_EQ(0, kt_run_as_nobody(nobody_on_roots_socket, self));
	EXPECT_EQ(0, knl_get_id(&self->nl, id, NULL));
}

TEST_HARNESS_MAIN
