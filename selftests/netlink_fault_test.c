// SPDX-License-Identifier: GPL-2.0
/*
 * The kipc generic netlink family under allocation failure, swept with
 * fail-nth as kipc_test.h's kt_fault_sweep() does it (the n-th injectable
 * call failing, then every call from the n-th on).  A request is handled
 * in the sender's sendmsg(2): that call is the one armed; its answer is
 * read after, with faults off.
 *
 *   new-queue, new-shm  KIPC_CMD_OBJ_NEW: the request, the object, its
 *                       name, the reply; an ENOMEM answer must leave no
 *                       object (the reply is allocated before the object
 *                       is made)
 *   del                 KIPC_CMD_OBJ_DEL by type and name: removed, or
 *                       there and usable
 *   get, stats, dump    the replies (a dump of a few objects: one piece)
 *   event               a queue created through the device while a
 *                       listener is subscribed: the event's allocation
 *                       fails, the creation does not, and the listener
 *                       sees the loss (a KIPC_A_SEQ gap, or ENOBUFS when
 *                       its copy could not be made)
 *
 * An answer lost to the fault (ENOBUFS on the receive: the ACK could not
 * be allocated) says nothing of the request's fate; the state is checked
 * instead.  The requests run as an unprivileged euid, so the teardown's
 * quota probe sees exactly what they charged.  Leaks are for kmemleak,
 * which the runner scans in the debug kernel.
 *
 * Needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB with debugfs (the debug
 * kernel) and root; elsewhere the binary skips.
 */
#include <linux/capability.h>

#include "kipc_test.h"
#include "kipc_nl.h"

#define FAULT_UID	4344
#define FAULT_GID	4344
#define NAME		"nlfault"
#define DUMP_OBJS	3

FIXTURE(fault) {
	int sfd;
	struct kt_fault fault;
	bool knobs_set;
	bool dropped;
	struct knl nl;		/* the requester */
	struct knl ev;		/* a listener, for the event path */
	struct knl_msg *m;	/* the request, built before arming */
	long seq;		/* its sequence number, or -errno of send */
	long raw;		/* the run's answer before the sweep saw it */
	uint64_t base_id;	/* a queue the get path asks for */
	int base_fd;
	int fds[DUMP_OBJS];
	uint64_t last_seq;	/* the listener's last KIPC_A_SEQ */
	struct knl_list list;
	struct knl_stats st;
	struct knl_obj obj;
};

FIXTURE_SETUP(fault)
{
	int i;

	self->fault.nth = -1;
	self->fault.mif = -1;
	self->nl.fd = -1;
	self->ev.fd = -1;
	self->base_fd = -1;
	for (i = 0; i < DUMP_OBJS; i++)
		self->fds[i] = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	if (kipc_require(self->sfd, KIPC_FEAT_GENL, NULL))
		SKIP(return, "the module has no netlink family");
	self->m = calloc(1, sizeof(*self->m));
	ASSERT_NE(NULL, self->m);
	ASSERT_EQ(0, knl_open(&self->nl));
	/* a replaced socket's buffers are mapped, and locked, later */
	KT_FAULT_SETUP(&self->fault, &self->knobs_set, &self->dropped,
		       FAULT_UID, FAULT_GID, CAP_TO_MASK(CAP_IPC_LOCK));
}

FIXTURE_TEARDOWN(fault)
{
	int res, i;

	kt_fault_task_close(&self->fault);
	if (self->base_fd >= 0)
		close(self->base_fd);
	for (i = 0; i < DUMP_OBJS; i++) {
		char name[32];

		if (self->fds[i] < 0)
			continue;
		close(self->fds[i]);
		snprintf(name, sizeof(name), NAME "-%d", i);
		kipc_queue_remove(self->sfd, name);
	}
	kipc_queue_remove(self->sfd, NAME);
	kipc_mailbox_remove(self->sfd, NAME);
	kipc_shm_remove(self->sfd, NAME);
	knl_close(&self->ev);
	knl_close(&self->nl);
	knl_list_free(&self->list);
	free(self->m);
	kt_fault_teardown(_metadata, &self->fault, self->knobs_set,
			  self->dropped);
	if (self->dropped) {
		res = kt_quota_probe(self->sfd, FAULT_UID, FAULT_GID);
		EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("bytes of uid %d: %s",
						     FAULT_UID,
						     kt_quota_str(res));
	}
	close(self->sfd);
}

/* ---- running a request armed ---- */

static long send_call(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	self->seq = knl_send(&self->nl, self->m);
	return self->seq < 0 ? self->seq : 0;
}

/*
 * The sweep's run: sendmsg() armed, the answer read unarmed.  Returns the
 * answer (0 or -errno); self->seq < 0 when the send itself failed.
 */
static long request_run(FIXTURE_DATA(fault) *self, unsigned int n,
			bool onward, long *left, knl_cb cb, void *arg)
{
	long ret;

	ret = kt_fault_call(&self->fault, n, onward, send_call, self, left);
	if (ret < 0)
		return ret;
	return knl_recv_reply(&self->nl, self->seq, cb, arg, NULL);
}

/*
 * The request was sent but its answer was lost (the ACK could not be
 * allocated): the state decides.
 */
static bool answer_lost(FIXTURE_DATA(fault) *self)
{
	return self->raw == -ENOBUFS && self->seq > 0;
}

/* An errno the fault may cause in a netlink request. */
static bool fault_errno(long ret)
{
	return ret == -ENOMEM || ret == -ENOBUFS;
}

/* ---- the paths ---- */

struct path {
	const char *name;
	void (*prepare)(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self);
	long (*run)(FIXTURE_DATA(fault) *self, unsigned int n, bool onward,
		    long *left);
	void (*check)(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) *self, long ret);
};

struct sweep_ctx {
	FIXTURE_DATA(fault) *self;
	const struct path *p;
};

static long sweep_call(void *ctx)
{
	(void)ctx;
	return -EINVAL;		/* every path has its own run */
}

static long sweep_run(void *ctx, unsigned int n, bool onward, long *left)
{
	struct sweep_ctx *c = ctx;
	long ret = c->p->run(c->self, n, onward, left);

	/* the sweep wants ENOMEM: ENOBUFS is netlink's word for it */
	c->self->raw = ret;
	return ret == -ENOBUFS ? -ENOMEM : ret;
}

static void sweep_check(struct __test_metadata *_metadata, void *ctx,
			long ret)
{
	struct sweep_ctx *c = ctx;

	c->p->check(_metadata, c->self, ret);
}

static void sweep_prepare(struct __test_metadata *_metadata, void *ctx)
{
	struct sweep_ctx *c = ctx;

	if (c->p->prepare)
		c->p->prepare(_metadata, c->self);
}

static void sweep(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
		  const struct path *p)
{
	struct sweep_ctx c = { .self = self, .p = p };
	const struct kt_fault_path kp = {
		.name = p->name,
		.call = sweep_call,
		.check = sweep_check,
		.prepare = sweep_prepare,
		.run = sweep_run,
	};

	kt_fault_sweep(_metadata, &self->fault, &kp, &c);
}

/* Does the queue (or mailbox, region) NAME exist?  Through the device. */
static bool exists(FIXTURE_DATA(fault) *self, uint32_t type)
{
	int fd;

	if (type == KIPC_TYPE_SHM)
		fd = kipc_shm_open(self->sfd, NAME, KIPC_O_READ, 0, 0, NULL);
	else
		fd = kipc_queue_open(self->sfd, NAME, KIPC_O_SEND, 0, NULL,
				     NULL);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* ---- OBJ_NEW ---- */

static void build_new(FIXTURE_DATA(fault) *self, uint32_t type)
{
	self->seq = 0;
	knl_msg_init(self->m, &self->nl, KIPC_CMD_OBJ_NEW, NLM_F_ACK);
	knl_put_u32(self->m, KIPC_A_TYPE, type);
	knl_put_str(self->m, KIPC_A_NAME, NAME);
	if (type == KIPC_TYPE_SHM)
		knl_put_u64(self->m, KIPC_A_CAPACITY, 4096);
}

static void prepare_new_queue(struct __test_metadata *_metadata,
			      FIXTURE_DATA(fault) *self)
{
	(void)_metadata;
	build_new(self, KIPC_TYPE_QUEUE);
}

static void prepare_new_shm(struct __test_metadata *_metadata,
			    FIXTURE_DATA(fault) *self)
{
	(void)_metadata;
	build_new(self, KIPC_TYPE_SHM);
}

static long run_new(FIXTURE_DATA(fault) *self, unsigned int n, bool onward,
		    long *left)
{
	return request_run(self, n, onward, left, knl_copy_cb, &self->obj);
}

static void check_new(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) *self, long ret, uint32_t type)
{
	bool there = exists(self, type);

	if (!ret) {
		EXPECT_TRUE(there) TH_LOG("OBJ_NEW answered 0, no object");
		EXPECT_EQ(KIPC_CMD_OBJ_NEW, self->obj.cmd);
		EXPECT_STREQ(NAME, self->obj.name);
	} else if (!answer_lost(self)) {
		EXPECT_TRUE(fault_errno(ret)) TH_LOG("%s", strerror(-ret));
		EXPECT_FALSE(there)
			TH_LOG("OBJ_NEW failed (%s) but made the object",
			       strerror(-ret));
	}
	if (type == KIPC_TYPE_SHM)
		kipc_shm_remove(self->sfd, NAME);
	else
		kipc_queue_remove(self->sfd, NAME);
}

static void check_new_queue(struct __test_metadata *_metadata,
			    FIXTURE_DATA(fault) *self, long ret)
{
	check_new(_metadata, self, ret, KIPC_TYPE_QUEUE);
}

static void check_new_shm(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fault) *self, long ret)
{
	check_new(_metadata, self, ret, KIPC_TYPE_SHM);
}

TEST_F(fault, new_queue)
{
	const struct path p = { "new-queue", prepare_new_queue, run_new,
				check_new_queue };

	sweep(_metadata, self, &p);
}

TEST_F(fault, new_shm)
{
	const struct path p = { "new-shm", prepare_new_shm, run_new,
				check_new_shm };

	sweep(_metadata, self, &p);
}

/* ---- OBJ_DEL ---- */

static void prepare_del(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self)
{
	int fd = kipc_queue_open(self->sfd, NAME, KIPC_O_CREAT | KIPC_O_EXCL |
				 KIPC_O_SEND, 0600, NULL, NULL);

	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	close(fd);
	knl_msg_init(self->m, &self->nl, KIPC_CMD_OBJ_DEL, NLM_F_ACK);
	knl_put_u32(self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put_str(self->m, KIPC_A_NAME, NAME);
}

static long run_plain(FIXTURE_DATA(fault) *self, unsigned int n,
		      bool onward, long *left)
{
	return request_run(self, n, onward, left, NULL, NULL);
}

static void check_del(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) *self, long ret)
{
	bool there = exists(self, KIPC_TYPE_QUEUE);

	if (!ret) {
		EXPECT_FALSE(there) TH_LOG("OBJ_DEL answered 0, still there");
	} else if (!answer_lost(self)) {
		EXPECT_TRUE(fault_errno(ret)) TH_LOG("%s", strerror(-ret));
		EXPECT_TRUE(there)
			TH_LOG("OBJ_DEL failed (%s) but removed the queue",
			       strerror(-ret));
	}
	kipc_queue_remove(self->sfd, NAME);
}

TEST_F(fault, del)
{
	const struct path p = { "del", prepare_del, run_plain, check_del };

	sweep(_metadata, self, &p);
}

/* ---- OBJ_GET, STATS_GET, a dump ---- */

static void make_base(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) *self)
{
	self->base_fd = kipc_queue_open(self->sfd, NAME, KIPC_O_CREAT |
					KIPC_O_EXCL | KIPC_O_SEND, 0600, NULL,
					&self->base_id);
	ASSERT_LE(0, self->base_fd) TH_LOG("%s", strerror(-self->base_fd));
}

static void prepare_get(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self)
{
	(void)_metadata;
	knl_msg_init(self->m, &self->nl, KIPC_CMD_OBJ_GET, NLM_F_ACK);
	knl_put_u64(self->m, KIPC_A_ID, self->base_id);
}

static void check_get(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fault) *self, long ret)
{
	if (!ret) {
		EXPECT_EQ(self->base_id, self->obj.v[KIPC_A_ID]);
		EXPECT_STREQ(NAME, self->obj.name);
	} else {
		EXPECT_TRUE(fault_errno(ret)) TH_LOG("%s", strerror(-ret));
	}
	EXPECT_TRUE(exists(self, KIPC_TYPE_QUEUE));
}

TEST_F(fault, get)
{
	const struct path p = { "get", prepare_get, run_new, check_get };

	make_base(_metadata, self);
	sweep(_metadata, self, &p);
}

static int stats_cb(const struct knl_obj *o, void *arg)
{
	(void)o;
	(void)arg;
	return 0;
}

static void prepare_stats(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fault) *self)
{
	(void)_metadata;
	knl_msg_init(self->m, &self->nl, KIPC_CMD_STATS_GET, NLM_F_ACK);
}

static long run_stats(FIXTURE_DATA(fault) *self, unsigned int n,
		      bool onward, long *left)
{
	return request_run(self, n, onward, left, stats_cb, NULL);
}

static void check_stats(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self, long ret)
{
	if (ret)
		EXPECT_TRUE(fault_errno(ret)) TH_LOG("%s", strerror(-ret));
	/* and the family still answers */
	EXPECT_EQ(0, knl_stats(&self->nl, &self->st));
	EXPECT_LE(1ULL, (unsigned long long)self->st.objects[KIPC_TYPE_QUEUE]);
}

TEST_F(fault, stats)
{
	const struct path p = { "stats", prepare_stats, run_stats,
				check_stats };

	make_base(_metadata, self);
	sweep(_metadata, self, &p);
}

static void prepare_dump(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self)
{
	ASSERT_LE(0, self->nl.fd) TH_LOG("no netlink socket");
	knl_list_free(&self->list);
	knl_msg_init(self->m, &self->nl, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
	knl_put_u32(self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put_u32(self->m, KIPC_A_UID, FAULT_UID);
}

/*
 * A dump whose first piece failed stays running in netlink (the error is
 * answered, the next receives go on with the dump): read it to its end so
 * that the socket can start the next one (-EBUSY otherwise).  When the
 * error's answer could not be allocated either, nothing is queued that a
 * receive could go on from: that socket's dump is stuck (netlink's core,
 * not kipc), so it is replaced.
 */
static void dump_finish(FIXTURE_DATA(fault) *self)
{
	struct nlmsghdr *nlh;

	while (!knl_next(&self->nl, &nlh, 2000))
		if (nlh->nlmsg_seq == (uint32_t)self->seq &&
		    nlh->nlmsg_type == NLMSG_DONE)
			return;
	knl_close(&self->nl);
	if (knl_open(&self->nl))
		self->nl.fd = -1;	/* the next request fails loudly */
}

static long run_dump(FIXTURE_DATA(fault) *self, unsigned int n,
		     bool onward, long *left)
{
	long ret = request_run(self, n, onward, left, knl_list_cb,
			       &self->list);

	if (ret && self->seq > 0)
		dump_finish(self);
	return ret;
}

static void check_dump(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, long ret)
{
	size_t i, j;

	/* whatever came, came once and in id order */
	for (i = 1; i < self->list.n; i++)
		EXPECT_LT(self->list.o[i - 1].v[KIPC_A_ID],
			  self->list.o[i].v[KIPC_A_ID]);
	if (ret) {
		EXPECT_TRUE(fault_errno(ret)) TH_LOG("%s", strerror(-ret));
		return;
	}
	EXPECT_EQ((size_t)DUMP_OBJS, self->list.n);
	for (i = 0; i < DUMP_OBJS; i++) {
		char name[32];

		snprintf(name, sizeof(name), NAME "-%zu", i);
		for (j = 0; j < self->list.n; j++)
			if (!strcmp(self->list.o[j].name, name))
				break;
		EXPECT_GT(self->list.n, j) TH_LOG("%s not dumped", name);
	}
}

TEST_F(fault, dump)
{
	const struct path p = { "dump", prepare_dump, run_dump, check_dump };
	int i;

	for (i = 0; i < DUMP_OBJS; i++) {
		char name[32];

		snprintf(name, sizeof(name), NAME "-%d", i);
		self->fds[i] = kipc_queue_open(self->sfd, name, KIPC_O_CREAT |
					       KIPC_O_EXCL | KIPC_O_SEND, 0600,
					       NULL, NULL);
		ASSERT_LE(0, self->fds[i]) TH_LOG("%s", strerror(-self->fds[i]));
	}
	sweep(_metadata, self, &p);
}

/* ---- the event of a create through the device ---- */

static long create_call(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;
	int fd = kipc_queue_open(self->sfd, NAME, KIPC_O_CREAT | KIPC_O_EXCL |
				 KIPC_O_SEND, 0600, NULL, &self->base_id);

	if (fd >= 0) {
		self->base_fd = fd;
		return 0;
	}
	return fd;
}

static void prepare_event(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fault) *self)
{
	(void)_metadata;
	self->base_fd = -1;
	self->base_id = 0;
}

static long run_event(FIXTURE_DATA(fault) *self, unsigned int n,
		      bool onward, long *left)
{
	return kt_fault_call(&self->fault, n, onward, create_call, self, left);
}

/*
 * Read the listener's events up to and including the OBJ_DEL of @id: each
 * KIPC_A_SEQ one more than the last unless a loss was signalled (ENOBUFS)
 * or shows as a gap.  *@saw_new: the OBJ_NEW of @id came.  Returns whether
 * a loss showed.
 */
static bool read_events(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self, uint64_t id, bool *saw_new)
{
	bool lost = false;
	int ret;

	*saw_new = false;
	for (;;) {
		ret = knl_event(&self->ev, &self->obj, 5000);
		if (ret == -ENOBUFS) {
			lost = true;
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("the listener: %s", strerror(-ret));
		ASSERT_TRUE(KNL_HAS(&self->obj, KIPC_A_SEQ));
		EXPECT_LT(self->last_seq, self->obj.v[KIPC_A_SEQ]);
		if (self->obj.v[KIPC_A_SEQ] != self->last_seq + 1)
			lost = true;
		self->last_seq = self->obj.v[KIPC_A_SEQ];
		if (self->obj.v[KIPC_A_ID] != id)
			continue;
		if (self->obj.cmd == KIPC_CMD_OBJ_NEW)
			*saw_new = true;
		if (self->obj.cmd == KIPC_CMD_OBJ_DEL)
			return lost;
	}
}

static void check_event(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self, long ret)
{
	bool saw_new, lost;

	if (ret) {
		EXPECT_TRUE(fault_errno(ret)) TH_LOG("%s", strerror(-ret));
		EXPECT_FALSE(exists(self, KIPC_TYPE_QUEUE));
		return;
	}
	close(self->base_fd);
	self->base_fd = -1;
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, NAME));
	lost = read_events(_metadata, self, self->base_id, &saw_new);
	EXPECT_TRUE(saw_new || lost)
		TH_LOG("the OBJ_NEW of %llu neither came nor showed as lost",
		       (unsigned long long)self->base_id);
}

TEST_F(fault, event)
{
	const struct path p = { "event", prepare_event, run_event,
				check_event };
	uint64_t id;
	bool saw_new;
	int fd;

	ASSERT_EQ(0, knl_open(&self->ev));
	ASSERT_EQ(0, knl_join_events(&self->ev));
	/* the listener's first sequence number, from an event of our own */
	fd = kipc_queue_open(self->sfd, NAME, KIPC_O_CREAT | KIPC_O_EXCL |
			     KIPC_O_SEND, 0600, NULL, &id);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, NAME));
	ASSERT_EQ(0, knl_event(&self->ev, &self->obj, 5000));
	self->last_seq = self->obj.v[KIPC_A_SEQ];
	read_events(_metadata, self, id, &saw_new);
	sweep(_metadata, self, &p);
}

KT_FAULT_HARNESS_MAIN
